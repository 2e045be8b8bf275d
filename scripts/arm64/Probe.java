import dev.tern.runtime.Backend;
import dev.tern.runtime.Session;
import dev.tern.runtime.TernModel;
import dev.tern.runtime.model.ValueType;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Random;

/**
 * What the ARM64 log must show (run by scripts/arm64-test under the emulated JDK): the
 * architecture, the backend Tern picks and its vector size, and the int8 golden model's
 * output bytes on every backend compared with the x86 recording.
 * Usage: java -cp CORE:VECTOR --add-modules jdk.incubator.vector Probe.java GOLDEN_DIR
 */
public class Probe {
    public static void main(String[] a) throws Exception {
        Path dir = Paths.get(a[0]);
        System.out.println("os.arch=" + System.getProperty("os.arch") + " java.version=" + System.getProperty("java.version")
                + " vm=" + System.getProperty("java.vm.name"));
        System.out.println("default backend=" + TernModel.defaultBackend().id() + "; vector backend: " + TernModel.vectorBackendStatus());
        int bits = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize();
        System.out.println("preferred vector size=" + bits + " bits (" + bits / 32 + " float lanes); os.arch="
                + System.getProperty("os.arch"));
        byte[] file = Files.readAllBytes(dir.resolve("all-ops-int8-1.1.tern"));
        String[] expected = new String(Files.readAllBytes(dir.resolve("all-ops-int8-1.1.expected")), StandardCharsets.US_ASCII)
                .trim().split("\n");
        boolean all = true;
        for (Backend b : new Backend[] {Backend.REFERENCE, Backend.SCALAR, Backend.VECTOR}) {
            TernModel m;
            try {
                m = TernModel.load(ByteBuffer.wrap(file), b);
            } catch (RuntimeException e) {
                System.out.println("backend " + b.id() + ": not available here (" + e.getMessage() + ")");
                continue;
            }
            int same = 0;
            long bytes = 0;
            Random rnd = new Random(11);
            try (Session s = m.newSession()) {
                for (int i = 0; i < expected.length; i++) {
                    float[] in = dev.tern.runtime.model.ModelBuilder.random(rnd, m.def().inputs().get(0).sampleSize(), 1.5f);
                    s.run(in);
                    StringBuilder sb = new StringBuilder();
                    for (String v : new String[] {"left_fc", "cat2", "r_relu6"}) {
                        ValueType t = m.def().typeOf(v + "__q");
                        for (float f : s.output(v, 0)) {
                            int q = Math.round(f / t.scale()) + t.zeroPoint();
                            sb.append(sb.length() == 0 ? "" : " ").append(String.format("%02x", q & 0xff));
                            bytes++;
                        }
                    }
                    same += sb.toString().equals(expected[i].trim()) ? 1 : 0;
                }
            }
            all &= same == expected.length;
            System.out.println("int8 golden outputs, backend " + b.id() + " " + m.kernels().values().stream().distinct().count()
                    + " kernels: " + same + "/" + expected.length + " inputs byte-identical to the x86 recording (" + bytes + " bytes)");
        }
        if (!all) {
            System.out.println("FAILED: int8 outputs differ from the x86 recording");
            System.exit(1);
        }
    }
}
