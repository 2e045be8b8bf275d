package dev.tern.runtime.internal.kernels.reference;

/**
 * Index maps of numpy broadcasting and of the data-movement ops (transpose, slice, pad), computed
 * once at plan time: entry i is the element of the operand that output element i reads.
 */
public final class Broadcast {
    private Broadcast() {
    }

    /** Row-major strides of a shape. */
    public static int[] strides(int[] shape) {
        int[] st = new int[shape.length];
        int s = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            st[d] = s;
            s *= shape[d];
        }
        return st;
    }

    /** The number of elements of a shape (1 for rank 0). */
    public static int size(int[] shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    /**
     * For each element of {@code out}, the index of the element of {@code operand} (aligned at the
     * last axes, size-1 axes repeated) it reads; null when the operand has the output's shape.
     */
    public static int[] index(int[] out, int[] operand) {
        if (java.util.Arrays.equals(out, operand)) {
            return null;
        }
        int r = out.length;
        int[] st = strides(operand);
        int[] bst = new int[r]; // operand stride per output axis, 0 where broadcast
        for (int d = 0; d < r; d++) {
            int od = d - (r - operand.length);
            bst[d] = od < 0 || operand[od] == 1 ? 0 : st[od];
        }
        return walk(out, bst, 0);
    }

    /** Offsets base + sum(coord[d] * st[d]) of every coordinate of {@code shape}, row-major. */
    public static int[] walk(int[] shape, int[] st, int base) {
        int n = size(shape);
        int[] idx = new int[n];
        int r = shape.length;
        int[] coord = new int[r];
        int off = base;
        for (int i = 0; i < n; i++) {
            idx[i] = off;
            for (int d = r - 1; d >= 0; d--) {
                coord[d]++;
                off += st[d];
                if (coord[d] < shape[d]) {
                    break;
                }
                off -= st[d] * coord[d];
                coord[d] = 0;
            }
        }
        return idx;
    }

    /** Index map of a transpose: output axis d is input axis perm[d]. */
    public static int[] transpose(int[] in, int[] perm) {
        int[] st = strides(in);
        int[] out = new int[perm.length];
        int[] ost = new int[perm.length];
        for (int d = 0; d < perm.length; d++) {
            out[d] = in[perm[d]];
            ost[d] = st[perm[d]];
        }
        return walk(out, ost, 0);
    }

    /** Index map of a slice (starts, steps per axis; output shape given). */
    public static int[] slice(int[] in, int[] out, int[] starts, int[] steps) {
        int[] st = strides(in);
        int base = 0;
        int[] ost = new int[in.length];
        for (int d = 0; d < in.length; d++) {
            base += starts[d] * st[d];
            ost[d] = steps[d] * st[d];
        }
        return walk(out, ost, base);
    }

    /**
     * Index map of a pad: pads holds rank begins then rank ends; -1 marks a constant cell
     * (mode constant); reflect mirrors without repeating the edge, edge repeats it.
     */
    public static int[] pad(int[] in, int[] pads, String mode) {
        int r = in.length;
        int[] out = new int[r];
        for (int d = 0; d < r; d++) {
            out[d] = in[d] + pads[d] + pads[d + r];
        }
        int[] st = strides(in);
        int n = size(out);
        int[] idx = new int[n];
        int[] coord = new int[r];
        for (int i = 0; i < n; i++) {
            int off = 0;
            for (int d = 0; d < r && off >= 0; d++) {
                int c = coord[d] - pads[d];
                if (c < 0 || c >= in[d]) {
                    if (mode.equals("constant")) {
                        off = -1;
                        break;
                    } else if (mode.equals("edge")) {
                        c = c < 0 ? 0 : in[d] - 1;
                    } else {
                        c = c < 0 ? -c : 2 * (in[d] - 1) - c;
                    }
                }
                off += c * st[d];
            }
            idx[i] = off;
            for (int d = r - 1; d >= 0; d--) {
                if (++coord[d] < out[d]) {
                    break;
                }
                coord[d] = 0;
            }
        }
        return idx;
    }
}
