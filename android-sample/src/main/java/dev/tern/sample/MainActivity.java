package dev.tern.sample;

import android.app.Activity;
import android.content.res.AssetManager;
import android.graphics.Bitmap;
import android.os.Bundle;
import android.view.View;
import android.view.ViewGroup;
import android.widget.AbsListView;
import android.widget.BaseAdapter;
import android.widget.GridView;
import android.widget.ImageView;
import android.widget.Switch;
import android.widget.TextView;

import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A grid of Multi-Fashion test canvases; tap one to see the model's left / right / present
 * predictions and the on-device latency (median of {@link #RUNS} runs). The switch picks the
 * int8 or the fp32 model. Models load and run on one worker thread, never on the UI thread.
 */
public class MainActivity extends Activity {
    static final String INT8 = "hard-int8.tern";
    static final String FP32 = "hard.tern";
    static final String CANVASES = "canvases.bin";
    /** Timed runs per tap for the p50 latency. */
    static final int RUNS = 50;

    private final ExecutorService worker = Executors.newSingleThreadExecutor();
    // written on the worker, read on the UI thread after the load's runOnUiThread
    private volatile Canvases canvases;
    private volatile Classifier int8;
    private volatile Classifier fp32;
    private volatile Prediction last;
    private volatile long lastP50Nanos;

    private Switch int8Switch;
    private TextView status;
    private TextView result;
    private GridView grid;
    private int selected = -1;

    @Override
    protected void onCreate(Bundle state) {
        super.onCreate(state);
        setContentView(R.layout.activity_main);
        int8Switch = (Switch) findViewById(R.id.int8);
        status = (TextView) findViewById(R.id.status);
        result = (TextView) findViewById(R.id.result);
        grid = (GridView) findViewById(R.id.grid);
        grid.setOnItemClickListener((parent, view, position, id) -> classify(position));
        int8Switch.setOnCheckedChangeListener((button, checked) -> {
            if (selected >= 0) {
                classify(selected);
            }
        });
        worker.execute(this::load);
    }

    private void load() {
        AssetManager assets = getAssets();
        try {
            Canvases c;
            try (InputStream in = assets.open(CANVASES)) {
                c = Canvases.read(in);
            }
            Classifier q;
            try (InputStream in = assets.open(INT8)) {
                q = Classifier.load(INT8, in);
            }
            Classifier f;
            try (InputStream in = assets.open(FP32)) {
                f = Classifier.load(FP32, in);
            }
            canvases = c;
            int8 = q;
            fp32 = f;
            String text = String.format(Locale.ROOT, "%d canvases · int8 %.1f MB, fp32 %.1f MB · %s kernels", c.size(),
                    q.model().sizeBytes() / 1e6, f.model().sizeBytes() / 1e6, q.backend().name().toLowerCase(Locale.ROOT));
            runOnUiThread(() -> {
                status.setText(text);
                grid.setAdapter(new CanvasAdapter(c));
            });
        } catch (IOException | RuntimeException e) {
            String text = "Could not load the models: " + e.getMessage();
            runOnUiThread(() -> status.setText(text));
        }
    }

    /** Runs canvas {@code position} through the model the switch selects, on the worker. */
    void classify(int position) {
        Canvases c = canvases;
        if (c == null || position < 0 || position >= c.size()) {
            return;
        }
        selected = position;
        boolean useInt8 = int8Switch.isChecked();
        result.setText(String.format(Locale.ROOT, "canvas #%d: running %s…", position, useInt8 ? INT8 : FP32));
        worker.execute(() -> {
            Classifier model = useInt8 ? int8 : fp32;
            byte[] px = c.pixels(position);
            Prediction p = model.predict(px);
            long p50 = model.p50Nanos(px, RUNS);
            last = p;
            lastP50Nanos = p50;
            String text = String.format(Locale.ROOT, "canvas #%d  truth: %s | %s%n%s%n%s on %s: p50 %.0f µs over %d runs",
                    position, p.labels.get(c.left(position)), p.labels.get(c.right(position)), p.describe(), model.name(),
                    model.backend().name().toLowerCase(Locale.ROOT), p50 / 1e3, RUNS);
            runOnUiThread(() -> {
                if (!isDestroyed()) {
                    result.setText(text);
                }
            });
        });
    }

    @Override
    protected void onDestroy() {
        worker.execute(() -> {
            if (int8 != null) {
                int8.close();
            }
            if (fp32 != null) {
                fp32.close();
            }
        });
        worker.shutdown();
        super.onDestroy();
    }

    /** For tests: completes once everything queued on the worker so far has run. */
    Future<?> idleWorker() {
        return worker.submit(() -> { });
    }

    /** For tests: the last prediction shown, or null. */
    Prediction lastPrediction() {
        return last;
    }

    long lastP50Nanos() {
        return lastP50Nanos;
    }

    /** The canvases as small grey images (the 36 x 36 pixels scaled up without smoothing). */
    private final class CanvasAdapter extends BaseAdapter {
        private final Canvases canvases;
        private final Bitmap[] bitmaps;

        CanvasAdapter(Canvases canvases) {
            this.canvases = canvases;
            this.bitmaps = new Bitmap[canvases.size()];
        }

        @Override
        public int getCount() {
            return canvases.size();
        }

        @Override
        public Object getItem(int position) {
            return position;
        }

        @Override
        public long getItemId(int position) {
            return position;
        }

        @Override
        public View getView(int position, View convert, ViewGroup parent) {
            ImageView view = convert instanceof ImageView ? (ImageView) convert : new ImageView(MainActivity.this);
            if (convert == null) {
                int side = (int) (72 * getResources().getDisplayMetrics().density);
                view.setLayoutParams(new AbsListView.LayoutParams(ViewGroup.LayoutParams.MATCH_PARENT, side));
                view.setScaleType(ImageView.ScaleType.FIT_CENTER);
            }
            Bitmap b = bitmaps[position];
            if (b == null) {
                b = Bitmap.createBitmap(canvases.argb(position), canvases.width(), canvases.height(), Bitmap.Config.ARGB_8888);
                b = Bitmap.createScaledBitmap(b, 4 * canvases.width(), 4 * canvases.height(), false);
                bitmaps[position] = b;
            }
            view.setImageBitmap(b);
            view.setContentDescription("canvas " + position);
            return view;
        }
    }
}
