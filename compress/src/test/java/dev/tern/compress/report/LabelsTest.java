package dev.tern.compress.report;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Point labels: one per point, near it, not on top of each other. */
class LabelsTest {
    @Test
    void crowdedPointsGetLabelsThatDoNotOverlap() {
        // two pairs of nearly coinciding points, as student/scratch of one width in the demo
        List<String> names = List.of("student-w0.5", "scratch-w0.5", "student-w0.25", "scratch-w0.25", "teacher");
        double[] xs = {102, 101, 85, 85, 788};
        double[] ys = {0.784, 0.781, 0.746, 0.744, 0.867};
        List<double[]> at = Labels.place(names, xs, ys);
        assertEquals(names.size(), at.size());
        double sx = Labels.WIDTH / (Math.log(788) - Math.log(85));
        double sy = Labels.HEIGHT / (0.867 - 0.744);
        for (int i = 0; i < at.size(); i++) {
            double[] a = at.get(i);
            assertEquals(i, (int) a[2]);
            double dx = (Math.log(a[0]) - Math.log(xs[i])) * sx;
            double dy = (a[1] - ys[i]) * sy;
            assertTrue(Math.abs(dx) < names.get(i).length() * Labels.CHAR && Math.abs(dy) < 2 * Labels.LINE,
                    names.get(i) + " is labelled " + dx + ", " + dy + " px away");
            for (int j = 0; j < i; j++) {
                double[] b = at.get(j);
                double ox = Math.abs(Math.log(a[0]) - Math.log(b[0])) * sx;
                double oy = Math.abs(a[1] - b[1]) * sy;
                double w = (names.get(i).length() + names.get(j).length()) * Labels.CHAR / 2;
                assertTrue(ox >= w || oy >= Labels.LINE, names.get(i) + " overlaps " + names.get(j));
            }
        }
    }
}
