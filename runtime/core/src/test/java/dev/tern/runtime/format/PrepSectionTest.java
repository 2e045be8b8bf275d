package dev.tern.runtime.format;

import dev.tern.runtime.ModelFormatException;
import dev.tern.runtime.TestModels;
import dev.tern.runtime.model.InputSpec;
import dev.tern.runtime.model.ModelDef;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The optional PREP section (format 1.5): an input's resize mode, written only when set, read back, checked. */
class PrepSectionTest {
    static ModelDef withResize(String mode) {
        ModelDef base = TestModels.allOps(7);
        List<InputSpec> ins = new java.util.ArrayList<>(base.inputs());
        ins.set(0, ins.get(0).withResize(mode));
        return new ModelDef(base.name(), ins, new java.util.ArrayList<>(base.tensors().values()), base.nodes(), base.tasks(), base.outputs(),
                base.provenance());
    }

    static int minor(byte[] file) {
        return ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getShort(10);
    }

    static int sections(byte[] file) {
        return ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getInt(24);
    }

    @Test
    void resizeIsWrittenAsAnOptionalSectionOfFormat15AndReadBack() {
        for (String mode : new String[] {"bilinear", "nearest"}) {
            byte[] file = TernWriter.toBytes(withResize(mode));
            assertEquals(5, minor(file));
            assertEquals(5, sections(file));
            // the entry's flags are 0: a 1.4 reader skips the section
            ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
            int prepFlags = -1;
            for (int i = 0; i < 5; i++) {
                if (b.getInt(64 + 32 * i) == TernFormat.PREP) {
                    prepFlags = b.getInt(64 + 32 * i + 4);
                }
            }
            assertEquals(0, prepFlags);
            ModelDef back = TernReader.read(ByteBuffer.wrap(file));
            assertEquals(mode, back.inputs().get(0).resize());
        }
    }

    @Test
    void withoutResizeNothingChanges() {
        byte[] file = TernWriter.toBytes(TestModels.allOps(7));
        assertEquals(4, sections(file));
        assertTrue(minor(file) < 5);
        assertEquals("", TernReader.read(ByteBuffer.wrap(file)).inputs().get(0).resize());
    }

    @Test
    void anUnknownModeIsRefusedWhereTheSpecIsMadeAndWhereTheFileIsRead() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TestModels.allOps(7).inputs().get(0).withResize("bicubic"));
        assertTrue(e.getMessage().contains("bicubic"), e.getMessage());
        byte[] file = TernWriter.toBytes(withResize("nearest"));
        byte[] bad = replace(file, "nearest", "nearesT");
        ModelFormatException f = assertThrows(ModelFormatException.class, () -> TernReader.read(ByteBuffer.wrap(fixCrcs(bad))));
        assertTrue(f.getMessage().contains("PREP") && f.getMessage().contains("nearesT"), f.getMessage());
    }

    /** The bytes with the first occurrence of one ASCII string replaced by another of its length. */
    static byte[] replace(byte[] file, String from, String to) {
        byte[] f = from.getBytes(StandardCharsets.US_ASCII);
        byte[] t = to.getBytes(StandardCharsets.US_ASCII);
        byte[] out = file.clone();
        for (int i = 0; i + f.length <= out.length; i++) {
            if (java.util.Arrays.equals(java.util.Arrays.copyOfRange(out, i, i + f.length), f)) {
                System.arraycopy(t, 0, out, i, t.length);
                return out;
            }
        }
        throw new AssertionError(from + " not found");
    }

    /** Recomputes every section's CRC, the table's and the header's (so the reader gets to the content). */
    static byte[] fixCrcs(byte[] file) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        int n = b.getInt(24);
        for (int i = 0; i < n; i++) {
            int e = 64 + 32 * i;
            b.putInt(e + 24, FileImage.crc32c(file, b.getLong(e + 8), b.getLong(e + 16)));
        }
        b.putInt(56, FileImage.crc32c(file, 64, 32L * n));
        b.putInt(60, FileImage.crc32c(file, 0, 60));
        return file;
    }
}
