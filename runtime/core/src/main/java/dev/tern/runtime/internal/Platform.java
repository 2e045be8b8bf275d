package dev.tern.runtime.internal;

import dev.tern.runtime.Backend;
import dev.tern.runtime.TernException;

import java.util.Collections;
import java.util.List;
import java.util.logging.Logger;

/**
 * The one seam for platform differences: is this Android, is the Vector API there, which
 * backend runs by default. The vector kernels live in the tern-runtime-vector jar; they are
 * looked up by class name only off Android and only when {@code jdk.incubator.vector} is
 * readable, so Android's path never touches reflection or the incubator module.
 */
public final class Platform {
    /** The {@link KernelProvider} of tern-runtime-vector: its list of kernels. */
    static final String VECTOR_KERNELS = "dev.tern.runtime.vector.VectorKernels";
    private static final Logger LOG = Logger.getLogger("dev.tern.runtime");

    private static volatile Boolean android;
    private static volatile Boolean vectorAvailable;
    private static volatile String vectorProblem = "";
    private static volatile List<KernelSpec> vectorKernels = Collections.emptyList();

    private Platform() {
    }

    /**
     * True on Android (ART reports the VM name "Dalvik" and the vendor "The Android Project")
     * and wherever Android's framework classes are loadable, as under Robolectric: the app's
     * tests then run the runtime the way a device does, on the scalar kernels.
     */
    public static boolean isAndroid() {
        Boolean a = android;
        if (a == null) {
            String vm = System.getProperty("java.vm.name", "");
            String vendor = System.getProperty("java.vendor", "");
            a = vm.contains("Dalvik") || vendor.contains("Android") || hasAndroidFramework();
            android = a;
        }
        return a;
    }

    private static boolean hasAndroidFramework() {
        try {
            Class.forName("android.os.Build", false, Platform.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** Whether the vector backend can run here (jar on the class path, incubator module added, not Android). */
    public static boolean vectorAvailable() {
        Boolean v = vectorAvailable;
        if (v == null) {
            synchronized (Platform.class) {
                v = vectorAvailable;
                if (v == null) {
                    v = loadVector();
                    vectorAvailable = v;
                }
            }
        }
        return v;
    }

    /** Why the vector backend is unavailable, or "" when it is available. */
    public static String vectorProblem() {
        vectorAvailable();
        return vectorProblem;
    }

    /** tern-runtime-vector's kernels where {@link #vectorAvailable()}, else none. */
    public static List<KernelSpec> vectorKernels() {
        vectorAvailable();
        return vectorKernels;
    }

    private static boolean loadVector() {
        if (isAndroid()) {
            vectorProblem = "Android has no Vector API";
            return false;
        }
        try {
            Class.forName("jdk.incubator.vector.FloatVector");
        } catch (Throwable e) {
            vectorProblem = "jdk.incubator.vector is not readable (run with --add-modules jdk.incubator.vector)";
            return false;
        }
        try {
            // the one reflective step, never taken on Android: the vector jar is optional
            Class<? extends KernelProvider> provider = Class.forName(VECTOR_KERNELS, true, Platform.class.getClassLoader())
                    .asSubclass(KernelProvider.class);
            vectorKernels = Collections.unmodifiableList(provider.getDeclaredConstructor().newInstance().kernels());
            return true;
        } catch (Throwable e) {
            vectorProblem = "tern-runtime-vector is not on the class path";
            return false;
        }
    }

    /**
     * The backend asked for by {@code -Dtern.kernels}, else the best available: vector when
     * available, else scalar. Asking for vector where it is unavailable is an error.
     */
    public static Backend defaultBackend() {
        String forced = System.getProperty("tern.kernels");
        if (forced != null && !forced.trim().isEmpty()) {
            try {
                return check(Backend.parse(forced));
            } catch (IllegalArgumentException e) {
                throw new TernException("-Dtern.kernels=" + forced + ": " + e.getMessage());
            }
        }
        return vectorAvailable() ? Backend.VECTOR : Backend.SCALAR;
    }

    /** Returns b, or throws when it is the vector backend and that cannot run here. */
    public static Backend check(Backend b) {
        if (b == Backend.VECTOR && !vectorAvailable()) {
            throw new IllegalArgumentException("vector kernels requested but unavailable: " + vectorProblem());
        }
        return b;
    }

    static void log(String msg) {
        LOG.fine(msg);
    }
}
