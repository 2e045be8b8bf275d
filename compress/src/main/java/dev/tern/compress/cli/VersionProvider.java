package dev.tern.compress.cli;

import dev.tern.runtime.TernModel;
import dev.tern.runtime.format.TernFormat;
import picocli.CommandLine.IVersionProvider;


/** {@code tern --version}: the build's version (from Maven resource filtering), the model format and the JVM. */
public final class VersionProvider implements IVersionProvider {
    /** This build's version, e.g. {@code 0.1.0-SNAPSHOT}. */
    public static String version() {
        return dev.tern.compress.TernVersion.version();
    }

    @Override
    public String[] getVersion() {
        return new String[] {
            "tern " + version(),
            "model format " + TernFormat.MAJOR + "." + TernFormat.MINOR + ", kernels " + kernels() + ", Java "
                    + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")",
        };
    }

    private static String kernels() {
        try {
            return TernModel.defaultBackend().id();
        } catch (IllegalArgumentException e) {
            return "unavailable (" + e.getMessage() + ")";
        }
    }
}
