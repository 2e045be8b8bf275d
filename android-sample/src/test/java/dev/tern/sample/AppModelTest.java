package dev.tern.sample;

import android.content.res.AssetManager;
import android.os.Build;
import dev.tern.runtime.Backend;
import dev.tern.runtime.TernModel;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.RobolectricTestRunner;
import org.robolectric.RuntimeEnvironment;
import org.robolectric.annotation.Config;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

/**
 * The app's models, read from its assets through Android's AssetManager and run by the
 * runtime as on a device, against the JVM runtime's predictions ({@link JvmReferenceTest}).
 */
@RunWith(RobolectricTestRunner.class)
@Config(sdk = 26)
public class AppModelTest {
    private static Canvases canvases() throws IOException {
        try (InputStream in = assets().open(MainActivity.CANVASES)) {
            return Canvases.read(in);
        }
    }

    private static Classifier load(String name) throws IOException {
        try (InputStream in = assets().open(name)) {
            return Classifier.load(name, in);
        }
    }

    private static AssetManager assets() {
        return RuntimeEnvironment.getApplication().getAssets();
    }

    @Test
    public void theScalarBackendRunsOnAndroidAndTheVectorOneIsNeverLoaded() throws Exception {
        assertEquals(26, Build.VERSION.SDK_INT);
        // the vector jar is on the class path and its module in the boot layer ...
        assertTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent());
        assertNotEquals(null, ClassLoader.getSystemClassLoader().getResource("dev/tern/runtime/vector/VectorKernels.class"));
        // ... and the runtime turns it down because this is Android, before it tries the Vector
        // API at all (without that check it would try, and report the module unreadable from
        // Robolectric's sandbox: a mutation that fails this test)
        assertEquals(Backend.SCALAR, TernModel.defaultBackend());
        assertEquals("Android has no Vector API", TernModel.vectorBackendStatus());
        try (Classifier model = load(MainActivity.INT8)) {
            assertEquals(Backend.SCALAR, model.backend());
            for (Map.Entry<String, Backend> k : model.model().kernelBackends().entrySet()) {
                assertNotEquals(k.getKey() + " runs " + model.model().kernels().get(k.getKey()), Backend.VECTOR, k.getValue());
            }
            assertTrue(model.model().kernelBackends().containsValue(Backend.SCALAR));
        }
        // nothing asked for the vector kernels' class, in this sandbox or outside it
        assertEquals(null, findLoaded(AppModelTest.class.getClassLoader(), "dev.tern.runtime.vector.VectorKernels"));
    }

    @Test
    public void theInt8ModelFromTheAssetsPredictsBitForBitWhatTheJvmRuntimePredictsOn100Canvases() throws Exception {
        List<String> expected = ReferenceFile.read(ReferenceFile.of(MainActivity.INT8));
        Canvases c = canvases();
        assertEquals(100, c.size());
        assertEquals(100, expected.size());
        try (Classifier model = load(MainActivity.INT8)) {
            for (int i = 0; i < c.size(); i++) {
                // int8 arithmetic is exact on every backend: the same bytes, the same probabilities
                assertEquals("canvas " + i, expected.get(i), ReferenceFile.line(i, model.predict(c.pixels(i))));
            }
        }
    }

    @Test
    public void theFp32ModelFromTheAssetsPredictsWhatTheJvmRuntimePredictsOn100Canvases() throws Exception {
        List<String> expected = ReferenceFile.read(ReferenceFile.of(MainActivity.FP32));
        Canvases c = canvases();
        try (Classifier model = load(MainActivity.FP32)) {
            for (int i = 0; i < c.size(); i++) {
                String got = ReferenceFile.line(i, model.predict(c.pixels(i)));
                String want = expected.get(i);
                // the classes and the present flags are the same; probabilities within float rounding
                for (int k : new int[] {1, 3, 5}) {
                    assertEquals("canvas " + i + " field " + k, ReferenceFile.field(want, k), ReferenceFile.field(got, k));
                }
                for (int k : new int[] {2, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}) {
                    assertEquals("canvas " + i + " field " + k, ReferenceFile.floatAt(want, k), ReferenceFile.floatAt(got, k), 1e-5f);
                }
            }
        }
    }

    /** The class if the loader (or a parent) has loaded it already, else null; never loads it. */
    private static Class<?> findLoaded(ClassLoader loader, String name) throws Exception {
        java.lang.reflect.Method m = ClassLoader.class.getDeclaredMethod("findLoadedClass", String.class);
        m.setAccessible(true);
        for (ClassLoader l = loader; l != null; l = l.getParent()) {
            Object c = m.invoke(l, name);
            if (c != null) {
                return (Class<?>) c;
            }
        }
        return null;
    }
}
