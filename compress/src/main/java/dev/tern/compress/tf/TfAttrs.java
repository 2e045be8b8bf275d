package dev.tern.compress.tf;

import dev.tern.runtime.model.Padding;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.NodeDef;

import java.util.Arrays;
import java.util.List;

/** Reads and checks the attributes of a TensorFlow node; each failure names the attribute, what it holds and what was expected. */
final class TfAttrs {
    private TfAttrs() {
    }

    static void checkFormat(NodeDef n) throws ConversionProblem {
        if (n.containsAttr("data_format")) {
            String f = n.getAttrOrThrow("data_format").getS().toStringUtf8();
            if (!f.equals("NHWC") && !f.isEmpty() && !(f.startsWith("N") && f.endsWith("C"))) {
                throw new ConversionProblem("data_format " + f + ", expected NHWC");
            }
        }
    }

    static Padding padding(NodeDef n) throws ConversionProblem {
        String p = n.containsAttr("padding") ? n.getAttrOrThrow("padding").getS().toStringUtf8() : "";
        switch (p) {
            case "SAME":
                return Padding.SAME;
            case "VALID":
                return Padding.VALID;
            default:
                throw new ConversionProblem("padding " + (p.isEmpty() ? "missing" : p) + ", expected SAME or VALID");
        }
    }

    /** [1, h, w, 1] -> [h, w]. */
    static int[] spatial(NodeDef n, String what, int[] v) throws ConversionProblem {
        if (v == null || v.length != 4 || v[0] != 1 || v[3] != 1 || v[1] < 1 || v[2] < 1) {
            throw new ConversionProblem(what + " " + (v == null ? "missing" : Arrays.toString(v))
                    + ", expected [1, h, w, 1] with h, w >= 1");
        }
        return new int[] {v[1], v[2]};
    }

    static int[] ints(NodeDef n, String key, int[] dflt) throws ConversionProblem {
        if (!n.containsAttr(key)) {
            return dflt;
        }
        AttrValue a = n.getAttrOrThrow(key);
        List<Long> l = a.getList().getIList();
        int[] v = new int[l.size()];
        for (int i = 0; i < v.length; i++) {
            long x = l.get(i);
            if (x < Integer.MIN_VALUE || x > Integer.MAX_VALUE) {
                throw new ConversionProblem(key + " holds " + x + ", outside the int range");
            }
            v[i] = (int) x;
        }
        return v;
    }

    static boolean bool(NodeDef n, String key, boolean dflt) {
        return n.containsAttr(key) ? n.getAttrOrThrow(key).getB() : dflt;
    }
}
