package dev.tern.compress;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** This build's version, from Maven resource filtering (e.g. {@code 0.1.0-SNAPSHOT}); recorded in provenance. */
public final class TernVersion {
    private TernVersion() {
    }

    public static String version() {
        Properties p = new Properties();
        try (InputStream in = TernVersion.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "unknown";
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p.getProperty("version", "unknown");
    }
}
