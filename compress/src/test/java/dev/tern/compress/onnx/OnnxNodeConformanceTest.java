package dev.tern.compress.onnx;

import dev.tern.compress.BadInputException;
import dev.tern.compress.onnx.proto.Onnx.GraphProto;
import dev.tern.compress.onnx.proto.Onnx.ModelProto;
import dev.tern.compress.onnx.proto.Onnx.TensorProto;
import dev.tern.compress.onnx.proto.Onnx.ValueInfoProto;
import dev.tern.runtime.Backend;
import dev.tern.runtime.Session;
import dev.tern.runtime.TernModel;
import dev.tern.runtime.model.InputSpec;
import dev.tern.runtime.model.ModelDef;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * ONNX's backend node tests (Debian's libonnx-testdata, ONNX 1.12) through the importer and the
 * runtime, in the style of tract's and ONNX Runtime's harnesses: every test in
 * {@code node-tests-allow.txt} must pass on the reference and the default backend, at ONNX's own
 * tolerance (|tern - expected| <= 1e-7 + 1e-3 |expected|, the runner's default); every test in
 * {@code node-tests-deny.txt} is skipped with its reason; a test in neither list fails the
 * harness, so that a new test data version is looked at, not ignored. Inputs after the first are
 * made initializers when the op needs constants there (a convolution's weights). Prints the counts.
 */
class OnnxNodeConformanceTest {
    static final Path NODE = Paths.get("/usr/share/libonnx-testdata/data/node");

    @Test
    void everyAllowListedNodeTestPassesAndEveryOtherHasAReason() throws IOException {
        boolean ci = System.getenv("CI") != null;
        if (!Files.isDirectory(NODE)) {
            if (ci) {
                fail(NODE + " is missing: .ci/run installs Debian's libonnx-testdata");
            }
            Assumptions.assumeTrue(false, NODE + " is missing (apt-get install libonnx-testdata); the harness is skipped");
        }
        List<String> allow = lines("node-tests-allow.txt");
        Map<String, String> deny = new LinkedHashMap<>();
        for (String l : lines("node-tests-deny.txt")) {
            int tab = l.indexOf('\t');
            assertTrue(tab > 0 && tab < l.length() - 1, "deny-list line without a reason: " + l);
            deny.put(l.substring(0, tab), l.substring(tab + 1));
        }
        for (String a : allow) {
            assertTrue(!deny.containsKey(a), a + " is in both lists");
        }
        List<String> tests;
        try (Stream<Path> s = Files.list(NODE)) {
            tests = s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().collect(java.util.stream.Collectors.toList());
        }
        int pass = 0;
        List<String> failures = new ArrayList<>();
        List<String> unlisted = new ArrayList<>();
        List<String> passingDenied = new ArrayList<>();
        Map<String, Integer> reasons = new TreeMap<>();
        StringBuilder report = new StringBuilder();
        for (String t : tests) {
            String outcome = run(NODE.resolve(t));
            boolean ok = outcome == null;
            report.append(t).append('\t').append(ok ? "pass" : outcome).append('\n');
            if (allow.contains(t)) {
                if (ok) {
                    pass++;
                } else {
                    failures.add(t + ": " + outcome);
                }
            } else if (deny.containsKey(t)) {
                reasons.merge(deny.get(t).replaceAll(":.*", ""), 1, Integer::sum);
                if (ok) {
                    passingDenied.add(t);
                }
            } else {
                unlisted.add(t + "\t" + (ok ? "pass" : outcome));
            }
        }
        Path out = Paths.get("target", "onnx-node-tests.tsv");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report.toString());
        System.out.println("ONNX node tests (" + NODE + "): " + tests.size() + " tests; pass " + pass + ", fail " + failures.size()
                + ", skipped " + deny.size() + " (deny-list), unlisted " + unlisted.size());
        reasons.forEach((r, n) -> System.out.println("  skipped " + n + ": " + r));
        if (!passingDenied.isEmpty()) {
            System.out.println("  deny-listed but passing (move them to the allow-list): " + passingDenied);
        }
        assertTrue(failures.isEmpty(), failures.size() + " allow-listed node tests fail:\n" + String.join("\n", failures));
        assertTrue(unlisted.isEmpty(), unlisted.size() + " node tests are in neither list (outcomes in " + out + "):\n"
                + String.join("\n", unlisted));
    }

    private static List<String> lines(String resource) throws IOException {
        try (InputStream in = OnnxNodeConformanceTest.class.getResourceAsStream("/onnx/" + resource)) {
            List<String> r = new ArrayList<>();
            if (in == null) {
                return r;
            }
            for (String l : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!l.isBlank() && !l.startsWith("#")) {
                    r.add(l.strip().contains("\t") ? l.strip() : l.strip());
                }
            }
            return r;
        }
    }

    /** Null when the test passes, else why not (import refused, mismatch, ...). */
    static String run(Path dir) throws IOException {
        ModelProto m = ModelProto.parseFrom(Files.readAllBytes(dir.resolve("model.onnx")));
        Path data = dir.resolve("test_data_set_0");
        GraphProto g = m.getGraph();
        List<String> inputNames = new ArrayList<>();
        java.util.Set<String> inits = new java.util.HashSet<>();
        for (TensorProto t : g.getInitializerList()) {
            inits.add(t.getName());
        }
        for (ValueInfoProto vi : g.getInputList()) {
            if (!inits.contains(vi.getName())) {
                inputNames.add(vi.getName());
            }
        }
        List<TensorProto> inputs = new ArrayList<>();
        for (int i = 0; i < inputNames.size(); i++) {
            Path p = data.resolve("input_" + i + ".pb");
            if (!Files.exists(p)) {
                return "skip: input " + i + " is optional and absent";
            }
            inputs.add(TensorProto.parseFrom(Files.readAllBytes(p)));
        }
        List<TensorProto> expected = new ArrayList<>();
        for (int i = 0; i < g.getOutputCount(); i++) {
            expected.add(TensorProto.parseFrom(Files.readAllBytes(data.resolve("output_" + i + ".pb"))));
        }
        for (TensorProto e : expected) {
            if (e.getDataType() != OnnxConst.FLOAT) {
                return "dtype: output is " + OnnxConst.typeName(e.getDataType());
            }
        }
        for (TensorProto t : inputs) {
            if (t.getDataType() != OnnxConst.FLOAT) {
                // integer inputs after the first can be constants (axes, shapes, indices)
                if (inputs.indexOf(t) == 0) {
                    return "dtype: input is " + OnnxConst.typeName(t.getDataType());
                }
            }
        }
        String first = attempt(m, inputNames, inputs, expected, false);
        if (first == null || inputs.size() < 2) {
            return first;
        }
        // the op needs its other inputs at import (weights, shapes, axes): make them initializers
        String second = attempt(m, inputNames, inputs, expected, true);
        return second == null ? null : first.startsWith("import") ? second : first;
    }

    private static String attempt(ModelProto m, List<String> names, List<TensorProto> inputs, List<TensorProto> expected,
                                  boolean constOthers) {
        ModelProto model = m;
        int keep = inputs.size();
        if (constOthers) {
            GraphProto.Builder gb = m.getGraph().toBuilder();
            for (int i = 1; i < inputs.size(); i++) {
                gb.addInitializer(inputs.get(i).toBuilder().setName(names.get(i)));
            }
            model = m.toBuilder().setGraph(gb).build();
            keep = 1;
        } else {
            for (int i = 0; i < inputs.size(); i++) {
                if (inputs.get(i).getDataType() != OnnxConst.FLOAT) {
                    return "import: input " + i + " is " + OnnxConst.typeName(inputs.get(i).getDataType());
                }
            }
        }
        OnnxImporter.Result r;
        try {
            r = OnnxImporter.importBytes(model.toByteArray(), "model.onnx", null);
        } catch (BadInputException e) {
            return "import: " + e.getMessage().replace("model.onnx: ", "");
        } catch (RuntimeException e) {
            return "import crash: " + e;
        }
        ModelDef def = r.model;
        for (Backend b : new Backend[] {Backend.REFERENCE, Backend.VECTOR}) {
            TernModel tm;
            try {
                tm = TernModel.of(def, b);
            } catch (RuntimeException e) {
                return "plan: " + e.getMessage();
            }
            Map<String, float[]> feed = new HashMap<>();
            for (int i = 0; i < keep; i++) {
                InputSpec spec = def.inputs().get(i);
                float[] x = OnnxConst.of(inputs.get(i), "input").floats();
                if (x.length != spec.sampleSize()) {
                    return "input " + i + " has " + x.length + " values, the import expects " + spec.sampleSize();
                }
                feed.put(spec.name(), x);
            }
            try (Session s = tm.newSession()) {
                s.run(feed, tm.allTasks());
                for (int o = 0; o < expected.size(); o++) {
                    String name = m.getGraph().getOutput(o).getName();
                    float[] want = OnnxConst.of(expected.get(o), "expected").floats();
                    float[] got = s.output(name, 0);
                    if (got.length != want.length) {
                        return "mismatch: output '" + name + "' has " + got.length + " values, expected " + want.length;
                    }
                    for (int k = 0; k < want.length; k++) {
                        double tol = 1e-7 + 1e-3 * Math.abs(want[k]);
                        boolean same = Float.isNaN(want[k]) ? Float.isNaN(got[k])
                                : want[k] == got[k] || Math.abs(got[k] - want[k]) <= tol;
                        if (!same) {
                            return "mismatch (" + b.name().toLowerCase() + "): output '" + name + "'[" + k + "] = " + got[k]
                                    + ", expected " + want[k];
                        }
                    }
                }
            } catch (RuntimeException e) {
                return "run (" + b.name().toLowerCase() + "): " + e;
            }
        }
        return null;
    }
}
