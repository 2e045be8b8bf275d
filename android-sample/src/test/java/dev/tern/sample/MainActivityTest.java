package dev.tern.sample;

import android.os.Looper;
import android.view.View;
import android.widget.GridView;
import android.widget.Switch;
import android.widget.TextView;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.Robolectric;
import org.robolectric.RobolectricTestRunner;
import org.robolectric.android.controller.ActivityController;
import org.robolectric.annotation.Config;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.robolectric.Shadows.shadowOf;

/** The app as a user sees it: the grid, a tap, the predictions and latency, the fp32/int8 switch. */
@RunWith(RobolectricTestRunner.class)
@Config(sdk = {26, 34})
public class MainActivityTest {
    private static void settle(MainActivity a) throws Exception {
        a.idleWorker().get(120, TimeUnit.SECONDS);
        shadowOf(Looper.getMainLooper()).idle();
    }

    @Test
    public void tappingACanvasShowsItsPredictionsAndLatencyAndTheSwitchRerunsItOnTheOtherModel() throws Exception {
        ActivityController<MainActivity> controller = Robolectric.buildActivity(MainActivity.class).setup();
        MainActivity a = controller.get();
        settle(a);
        TextView status = a.findViewById(R.id.status);
        assertTrue(status.getText().toString(), status.getText().toString().startsWith("100 canvases"));
        assertTrue(status.getText().toString(), status.getText().toString().endsWith("scalar kernels"));
        GridView grid = a.findViewById(R.id.grid);
        assertEquals(100, grid.getAdapter().getCount());

        int canvas = 7;
        View cell = grid.getAdapter().getView(canvas, null, grid);
        assertEquals("canvas 7", cell.getContentDescription());
        assertTrue(grid.performItemClick(cell, canvas, canvas));
        settle(a);
        TextView result = a.findViewById(R.id.result);
        String text = result.getText().toString();
        Prediction p = a.lastPrediction();
        assertNotNull(text, p);
        assertEquals(MainActivity.INT8, p.model);
        List<String> expected = ReferenceFile.read(ReferenceFile.of(MainActivity.INT8));
        assertEquals(expected.get(canvas), ReferenceFile.line(canvas, p));
        assertTrue(text, text.startsWith("canvas #7  truth: "));
        assertTrue(text, text.contains("left     " + p.labels.get(p.left)));
        assertTrue(text, text.contains("right    " + p.labels.get(p.right)));
        assertTrue(text, text.contains("hard-int8.tern on scalar: p50 "));
        assertTrue(text, text.endsWith("over " + MainActivity.RUNS + " runs"));
        assertTrue(a.lastP50Nanos() > 0);

        Switch int8 = a.findViewById(R.id.int8);
        int8.setChecked(false);
        settle(a);
        assertEquals(MainActivity.FP32, a.lastPrediction().model);
        text = result.getText().toString();
        assertTrue(text, text.contains("hard.tern on scalar: p50 "));
        controller.pause().stop().destroy();
    }
}
