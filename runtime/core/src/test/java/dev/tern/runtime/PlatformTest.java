package dev.tern.runtime;

import dev.tern.runtime.internal.Platform;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Backend choice: {@code -Dtern.kernels} wins; otherwise vector when available, else scalar.
 * This module's tests run without the vector jar and without jdk.incubator.vector, so the
 * automatic choice here is SCALAR (the vector module's tests check the VECTOR case).
 */
class PlatformTest {
    private String saved;

    @BeforeEach
    void save() {
        saved = System.getProperty("tern.kernels");
        System.clearProperty("tern.kernels");
    }

    @AfterEach
    void restore() {
        if (saved == null) {
            System.clearProperty("tern.kernels");
        } else {
            System.setProperty("tern.kernels", saved);
        }
    }

    @Test
    void propertyOverridesTheDefaultBackend() {
        System.setProperty("tern.kernels", "reference");
        assertEquals(Backend.REFERENCE, TernModel.defaultBackend());
        assertEquals(Backend.REFERENCE, TernModel.of(TestModels.allOps(1)).backend(), "TernModel.of(def) uses it");
        System.setProperty("tern.kernels", " Scalar ");
        assertEquals(Backend.SCALAR, TernModel.defaultBackend(), "case and spaces do not matter");
        System.setProperty("tern.kernels", "");
        assertEquals(TernModel.defaultBackend(), Platform.vectorAvailable() ? Backend.VECTOR : Backend.SCALAR,
                "an empty value means automatic");
    }

    @Test
    void unknownBackendNameIsAnError() {
        System.setProperty("tern.kernels", "gpu");
        TernException e = assertThrows(TernException.class, TernModel::defaultBackend);
        assertTrue(e.getMessage().contains("-Dtern.kernels=gpu") && e.getMessage().contains("'gpu'")
                && e.getMessage().contains("reference, scalar or vector"), e.getMessage());
    }

    @Test
    void withoutTheVectorModuleTheDefaultIsScalarAndVectorIsRefusedWithAReason() {
        assertFalse(Platform.vectorAvailable(), "core tests run without jdk.incubator.vector");
        assertEquals(Backend.SCALAR, TernModel.defaultBackend());
        String why = TernModel.vectorBackendStatus();
        assertTrue(why.contains("jdk.incubator.vector") || why.contains("tern-runtime-vector"), why);
        System.setProperty("tern.kernels", "vector");
        TernException e = assertThrows(TernException.class, TernModel::defaultBackend);
        assertTrue(e.getMessage().contains("-Dtern.kernels=vector") && e.getMessage().contains("unavailable")
                && e.getMessage().contains(why), e.getMessage());
        IllegalArgumentException direct = assertThrows(IllegalArgumentException.class,
                () -> TernModel.of(TestModels.allOps(1), Backend.VECTOR));
        assertTrue(direct.getMessage().contains(why), direct.getMessage());
    }

    @Test
    void kernelNamesAndBackendsAreVisible() {
        TernModel m = TernModel.of(TestModels.allOps(1), Backend.SCALAR);
        assertEquals("f32-conv2d-scalar", m.kernels().get("conv1"));
        assertEquals("f32-softmax-reference", m.kernels().get("p_sm"), "softmax falls back to the reference");
        assertEquals(Backend.REFERENCE, m.kernelBackends().get("p_sm"));
        assertEquals(Backend.SCALAR, m.kernelBackends().get("left_fc"));
        assertEquals(m.def().nodes().size(), m.kernels().size());
    }

    @Test
    void backendParseAndFallbackChain() {
        assertEquals(Backend.VECTOR, Backend.parse("VECTOR"));
        assertEquals("scalar", Backend.SCALAR.id());
        assertEquals(Backend.SCALAR, Backend.VECTOR.fallback());
        assertEquals(Backend.REFERENCE, Backend.SCALAR.fallback());
        assertEquals(null, Backend.REFERENCE.fallback());
        assertFalse(Platform.isAndroid());
    }
}
