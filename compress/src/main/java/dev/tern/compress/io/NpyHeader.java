package dev.tern.compress.io;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The header dictionary of a {@code .npy} file, e.g.
 * {@code {'descr': '<f4', 'fortran_order': False, 'shape': (1, 28, 28), }}: parsed strictly
 * (exactly these three keys, Python literal syntax) and formatted the way NumPy writes it.
 */
final class NpyHeader {
    /** Dimensions past this are not a real array and could overflow later arithmetic. */
    private static final long MAX_DIM = Integer.MAX_VALUE;

    final String descr;
    final boolean fortranOrder;
    final long[] shape;

    NpyHeader(String descr, boolean fortranOrder, long[] shape) {
        this.descr = descr;
        this.fortranOrder = fortranOrder;
        this.shape = shape;
    }

    /** Number of elements, or -1 when the product exceeds {@code Long.MAX_VALUE / 8}. */
    long elementCount() {
        long n = 1;
        for (long d : shape) {
            if (d != 0 && n > Long.MAX_VALUE / 8 / d) {
                return -1;
            }
            n *= d;
        }
        return n;
    }

    String shapeString() {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            sb.append(i > 0 ? ", " : "").append(shape[i]);
        }
        return sb.append(shape.length == 1 ? ",)" : ")").toString();
    }

    /** The dictionary as NumPy writes it (without padding). */
    String format() {
        return "{'descr': '" + descr + "', 'fortran_order': " + (fortranOrder ? "True" : "False") + ", 'shape': "
                + shapeString() + ", }";
    }

    /**
     * Parses the dictionary text.
     *
     * @throws IllegalArgumentException saying what is wrong; the caller adds the file name
     */
    static NpyHeader parse(String text) {
        Parser p = new Parser(text);
        String descr = null;
        Boolean fortran = null;
        long[] shape = null;
        p.expect('{');
        while (!p.peekIs('}')) {
            String key = p.string();
            p.expect(':');
            switch (key) {
                case "descr":
                    if (!p.peekIs('\'') && !p.peekIs('"')) {
                        throw new IllegalArgumentException("descr is not a string (structured arrays are not supported)");
                    }
                    descr = p.string();
                    break;
                case "fortran_order":
                    fortran = p.bool();
                    break;
                case "shape":
                    shape = p.tuple();
                    break;
                default:
                    throw new IllegalArgumentException("unexpected key '" + key + "', expected descr, fortran_order and shape");
            }
            if (!p.peekIs('}')) {
                p.expect(',');
            }
        }
        p.expect('}');
        p.end();
        if (descr == null || fortran == null || shape == null) {
            throw new IllegalArgumentException("missing " + (descr == null ? "descr" : fortran == null ? "fortran_order" : "shape"));
        }
        return new NpyHeader(descr, fortran, shape);
    }

    /** A recursive-descent reader of the few Python literals a header holds. */
    private static final class Parser {
        private final String s;
        private int pos;

        Parser(String s) {
            this.s = s;
        }

        private void skipSpace() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
        }

        boolean peekIs(char c) {
            skipSpace();
            return pos < s.length() && s.charAt(pos) == c;
        }

        void expect(char c) {
            if (!peekIs(c)) {
                throw new IllegalArgumentException("expected '" + c + "' at offset " + pos + ", found " + found());
            }
            pos++;
        }

        String string() {
            skipSpace();
            char q = pos < s.length() ? s.charAt(pos) : 0;
            if (q != '\'' && q != '"') {
                throw new IllegalArgumentException("expected a quoted string at offset " + pos + ", found " + found());
            }
            int end = s.indexOf(q, pos + 1);
            if (end < 0) {
                throw new IllegalArgumentException("unterminated string at offset " + pos);
            }
            String v = s.substring(pos + 1, end);
            pos = end + 1;
            return v;
        }

        boolean bool() {
            skipSpace();
            if (s.startsWith("True", pos)) {
                pos += 4;
                return true;
            }
            if (s.startsWith("False", pos)) {
                pos += 5;
                return false;
            }
            throw new IllegalArgumentException("expected True or False at offset " + pos + ", found " + found());
        }

        long[] tuple() {
            expect('(');
            List<Long> dims = new ArrayList<>();
            while (!peekIs(')')) {
                dims.add(dimension());
                if (peekIs(',')) {
                    pos++;
                } else if (!peekIs(')')) {
                    throw new IllegalArgumentException("expected ',' or ')' in shape at offset " + pos + ", found " + found());
                }
            }
            pos++;
            long[] out = new long[dims.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = dims.get(i);
            }
            return out;
        }

        private long dimension() {
            skipSpace();
            int start = pos;
            long v = 0;
            while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
                v = v * 10 + (s.charAt(pos) - '0');
                if (v > MAX_DIM) {
                    throw new IllegalArgumentException("shape dimension at offset " + start + " is larger than " + MAX_DIM);
                }
                pos++;
            }
            if (pos == start) {
                throw new IllegalArgumentException("expected a non-negative integer in shape at offset " + pos + ", found "
                        + found());
            }
            if (pos < s.length() && (s.charAt(pos) == 'L' || s.charAt(pos) == 'l')) {
                pos++; // Python 2 long literal, written by old NumPy versions
            }
            return v;
        }

        void end() {
            skipSpace();
            if (pos != s.length()) {
                throw new IllegalArgumentException("unexpected " + found() + " after the dictionary");
            }
        }

        private String found() {
            if (pos >= s.length()) {
                return "the end of the header";
            }
            String rest = s.substring(pos, Math.min(s.length(), pos + 12));
            return "'" + rest + "'";
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s %s%s", descr, Arrays.toString(shape), fortranOrder ? " fortran" : "");
    }
}
