package dev.tern.compress.eval;

/** Shape and value checks shared by the metrics; messages say what was expected and what was found. */
final class MetricsChecks {
    private MetricsChecks() {
    }

    /** Checks a non-empty [n][c] matrix with c >= 1 and equal row lengths; returns c. */
    static int columns(String what, float[][] m) {
        if (m.length == 0) {
            throw new IllegalArgumentException(what + " has no rows; expected at least one sample");
        }
        int c = m[0].length;
        if (c == 0) {
            throw new IllegalArgumentException(what + "[0] has no columns; expected at least one");
        }
        for (int i = 1; i < m.length; i++) {
            if (m[i].length != c) {
                throw new IllegalArgumentException(what + "[" + i + "] has " + m[i].length + " columns, expected " + c
                        + " (as " + what + "[0])");
            }
        }
        return c;
    }

    /** Checks a non-empty [n][c] boolean matrix with equal row lengths; returns c. */
    static int columns(String what, boolean[][] m) {
        if (m.length == 0) {
            throw new IllegalArgumentException(what + " has no rows; expected at least one sample");
        }
        int c = m[0].length;
        if (c == 0) {
            throw new IllegalArgumentException(what + "[0] has no columns; expected at least one label");
        }
        for (int i = 1; i < m.length; i++) {
            if (m[i].length != c) {
                throw new IllegalArgumentException(what + "[" + i + "] has " + m[i].length + " columns, expected " + c
                        + " (as " + what + "[0])");
            }
        }
        return c;
    }

    /** Checks that two [n][L] matrices have the same shape; returns L. */
    static int sameShape(String a, boolean[][] x, String b, boolean[][] y) {
        rows(a, x.length, b, y.length);
        int c = columns(a, x);
        int d = columns(b, y);
        if (c != d) {
            throw new IllegalArgumentException(b + " has " + d + " columns, expected " + c + " (as " + a + ")");
        }
        return c;
    }

    static void rows(String a, int n, String b, int m) {
        if (n != m) {
            throw new IllegalArgumentException(b + " has " + m + " rows, expected " + n + " (one per row of " + a + ")");
        }
        if (n == 0) {
            throw new IllegalArgumentException(a + " has no rows; expected at least one sample");
        }
    }

    static void noNaN(String what, float[][] m) {
        for (int i = 0; i < m.length; i++) {
            for (int j = 0; j < m[i].length; j++) {
                if (Float.isNaN(m[i][j])) {
                    throw new IllegalArgumentException(what + "[" + i + "][" + j + "] is NaN; expected a number");
                }
            }
        }
    }

    static void labels(int[] labels, int classes) {
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException("labels[" + i + "] is " + labels[i] + ", expected a class in [0, "
                        + (classes - 1) + "]");
            }
        }
    }
}
