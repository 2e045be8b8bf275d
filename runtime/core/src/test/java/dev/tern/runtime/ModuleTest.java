package dev.tern.runtime;

import org.junit.jupiter.api.Test;

import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The module descriptor of tern-runtime (src/main/java/module-info.java): the public API is
 * exported to everyone, every internal package only to tern-runtime-vector, and the module
 * resolves and runs on the module path (the tests themselves run on the class path).
 */
class ModuleTest {
    static final Path CLASSES = Paths.get("target/classes");

    static ModuleDescriptor descriptor() {
        return ModuleFinder.of(CLASSES).find("dev.tern.runtime").orElseThrow().descriptor();
    }

    @Test
    void exportsThePublicApiAndInternalsOnlyToTheVectorBackend() {
        ModuleDescriptor d = descriptor();
        Set<String> open = new TreeSet<>();
        Map<String, Set<String>> qualified = new TreeMap<>();
        for (ModuleDescriptor.Exports e : d.exports()) {
            if (e.isQualified()) {
                qualified.put(e.source(), e.targets());
            } else {
                open.add(e.source());
            }
        }
        assertEquals(Set.of("dev.tern.runtime", "dev.tern.runtime.model", "dev.tern.runtime.format"), open);
        for (String p : d.packages()) {
            if (p.startsWith("dev.tern.runtime.internal")) {
                assertEquals(Set.of("dev.tern.runtime.vector"), qualified.get(p), "package " + p);
            }
        }
        assertEquals(d.packages().size(), open.size() + qualified.size(), "every package is exported one way or the other: " + d.packages());
        assertTrue(d.requires().stream().allMatch(r -> r.name().startsWith("java.")), "only java.* modules: " + d.requires());
    }

    @Test
    void resolvesAndReadsAModelOnTheModulePath() throws Exception {
        ModuleLayer boot = ModuleLayer.boot();
        Configuration cf = boot.configuration().resolve(ModuleFinder.of(CLASSES), ModuleFinder.of(), Set.of("dev.tern.runtime"));
        ModuleLayer layer = boot.defineModulesWithOneLoader(cf, ClassLoader.getPlatformClassLoader());
        Module m = layer.findModule("dev.tern.runtime").orElseThrow();
        assertFalse(m.isExported("dev.tern.runtime.internal"), "internal is not exported to everyone");
        Class<?> reader = layer.findLoader("dev.tern.runtime").loadClass("dev.tern.runtime.format.TernReader");
        assertEquals(m, reader.getModule());
        Object header = reader.getMethod("readHeader", Path.class)
                .invoke(null, Paths.get("src/test/resources/dev/tern/runtime/golden/all-ops-1.0.tern"));
        assertEquals("1.0", header.getClass().getMethod("version").invoke(header));
    }
}
