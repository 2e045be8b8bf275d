package dev.tern.compress.pipeline;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The measured full demo of docs/PIPELINE.md (2026-11-26) as pipeline results, for looking at
 * the rendered report without a 15-minute run ({@code ReportDemoFixture models/recipes/demo.json OUTDIR},
 * then open OUTDIR/index.html), and the input of {@link ReportFindingsTest}.
 */
public final class ReportDemoFixture {
    private ReportDemoFixture() {
    }

    // name, from, left, right, present micro-F1, size, params, p50, p99, wall s, model
    static final String[] ROWS = {
        "teacher,,0.8669,0.8670,0.8380,5603432,1400062,788,1200,0,hard.tern",
        "teacher-fp32,,0.8669,0.8670,0.8380,5603432,1400062,788,1200,3.1,hard.tern",
        "teacher-int8,,0.8661,0.8682,0.8358,1413608,1400062,887,1333,52,teacher-int8.tern",
        "sparse80,,0.8342,0.8348,0.7642,1300136,1400062,818,1546,231,sparse80.tern",
        "sparse80-int8,sparse80,0.8348,0.8343,0.7600,469288,1400062,1081,1679,280,sparse80-int8.tern",
        "channel50,,0.8501,0.8465,0.8184,1412072,352142,356,567,262,channel50.tern",
        "channel50-int8,channel50,0.8502,0.8482,0.8158,361768,352142,493,928,300,channel50-int8.tern",
        "student-w0.5,,0.7837,0.7748,0.7503,891688,221694,102,157,140,student-w0.5.tern",
        "student-w0.5-int8,student-w0.5,0.7823,0.7728,0.7465,239336,221694,173,278,170,student-w0.5-int8.tern",
        "scratch-w0.5,,0.7607,0.7606,0.7148,891752,221694,101,188,120,scratch-w0.5.tern",
        "student-w0.25,,0.7457,0.7408,0.6999,232936,56974,85,135,90,student-w0.25.tern",
        "student-w0.25-int8,student-w0.25,0.7461,0.7388,0.6966,69608,56974,150,226,110,student-w0.25-int8.tern",
        "scratch-w0.25,,0.7269,0.7311,0.6653,233000,56974,85,172,80,scratch-w0.25.tern",
    };

    static List<Pipeline.Result> results(CompressRecipe recipe) {
        List<Pipeline.Result> out = new ArrayList<>();
        for (int i = 0; i < ROWS.length; i++) {
            String[] f = ROWS[i].split(",", -1);
            Pipeline.Result r = new Pipeline.Result(f[0], f[1].isEmpty() ? null : f[1]);
            r.tasks.put("left", metrics("accuracy", Double.parseDouble(f[2])));
            r.tasks.put("right", metrics("accuracy", Double.parseDouble(f[3])));
            double f1 = Double.parseDouble(f[4]);
            Map<String, Double> p = new LinkedHashMap<>();
            p.put("hamming_loss", (1 - f1) / 6);
            p.put("subset_accuracy", f1 - 0.2);
            p.put("micro_f1", f1);
            p.put("macro_f1", f1 - 0.02);
            p.put("map", f1 + 0.05);
            r.tasks.put("present", p);
            r.sizeBytes = Long.parseLong(f[5]);
            r.params = Long.parseLong(f[6]);
            r.p50 = Double.parseDouble(f[7]);
            r.p99 = Double.parseDouble(f[8]);
            r.wallSeconds = Double.parseDouble(f[9]);
            r.model = Path.of("/tmp/demo/models", f[10]);
            r.stages.add(i == 0 ? "teacher" : i == 1 ? "score hard.tern" : recipe.variants.get(i - 1).stages.isEmpty() ? "score"
                    : recipe.variants.get(i - 1).stages.get(0).describe());
            out.add(r);
        }
        return out;
    }

    /** Three latency rounds per model, spread as on a shared machine: the int8 rows' rounds vary most. */
    static List<Pipeline.Result> withRounds(List<Pipeline.Result> rs) {
        for (Pipeline.Result r : rs) {
            double[] k = r.name.endsWith("int8") ? new double[] {0.93, 1.0, 1.17} : new double[] {0.97, 1.0, 1.06};
            for (double x : k) {
                r.roundMedians.add(Math.round(r.p50 * x * 10) / 10.0);
            }
        }
        return rs;
    }

    private static Map<String, Double> metrics(String key, double v) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put(key, v);
        m.put("top3_accuracy", Math.min(1, v + 0.1));
        return m;
    }

    public static void main(String[] a) throws Exception {
        CompressRecipe recipe = CompressRecipe.read(Path.of(a[0]));
        Report.write(Path.of(a[1]), recipe, withRounds(results(recipe)), 910, List.of(0.1, 0.3, 0.9, 1.2, 0.4));
    }
}
