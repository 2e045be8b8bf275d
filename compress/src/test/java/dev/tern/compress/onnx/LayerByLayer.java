package dev.tern.compress.onnx;

import dev.tern.runtime.model.Attributes;
import dev.tern.runtime.model.InputSpec;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.Node;
import dev.tern.runtime.model.OpType;
import dev.tern.runtime.model.Tensor;
import dev.tern.runtime.model.ValueType;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Compares a model with ONNX Runtime one node at a time, each node fed Tern's own values of
 * its inputs: so a difference of one layer is not blamed on the layers before it. For each
 * node, a model of that node alone (int8 inputs re-quantized exactly from their dequantized
 * values, an int8 output dequantized) is exported and run in both.
 */
final class LayerByLayer {
    private LayerByLayer() {
    }

    /** Node name -> the comparison of that node alone on Tern's values of its inputs. */
    static Map<String, OrtRunner.Diff> compare(ModelDef def, Map<String, float[]> inputs, int batch) throws Exception {
        return compare(def, inputs, batch, OnnxExporter.Options.defaults());
    }

    /** As {@link #compare(ModelDef, Map, int)}, each node exported with {@code options}. */
    static Map<String, OrtRunner.Diff> compare(ModelDef def, Map<String, float[]> inputs, int batch, OnnxExporter.Options options)
            throws Exception {
        // Tern's value of every activation (int8 ones dequantized), from one run of the whole model.
        List<Node> nodes = new ArrayList<>(def.nodes());
        List<String> outs = new ArrayList<>();
        for (Node n : def.nodes()) {
            if (def.typeOf(n.output()).isInt8()) {
                nodes.add(new Node(n.name() + "__probe", OpType.DEQUANTIZE, List.of(n.output()), probe(n.output()), null));
                outs.add(probe(n.output()));
            } else {
                outs.add(n.output());
            }
        }
        ModelDef probes = new ModelDef(def.name(), def.inputs(), new ArrayList<>(def.tensors().values()), nodes,
                Collections.emptyList(), outs, def.provenance());
        Map<String, float[]> values = new LinkedHashMap<>(inputs);
        values.putAll(OrtRunner.tern(probes, inputs, batch));

        Map<String, OrtRunner.Diff> out = new LinkedHashMap<>();
        for (Node n : def.nodes()) {
            List<InputSpec> specs = new ArrayList<>();
            List<Tensor> tensors = new ArrayList<>();
            List<Node> sub = new ArrayList<>();
            Map<String, float[]> in = new LinkedHashMap<>();
            for (String v : n.inputs()) {
                Tensor t = def.tensor(v);
                if (t != null) {
                    if (!tensors.contains(t)) {
                        tensors.add(t);
                    }
                    continue;
                }
                if (in.containsKey(v) || in.containsKey(v + "__in")) {
                    continue;
                }
                int[] s = def.shapeOf(v);
                int[] shape = new int[s.length + 1];
                shape[0] = -1;
                System.arraycopy(s, 0, shape, 1, s.length);
                ValueType type = def.typeOf(v);
                if (type.isInt8()) {
                    specs.add(new InputSpec(v + "__in", shape, "", null, null));
                    sub.add(new Node(v + "__quantize", OpType.QUANTIZE, List.of(v + "__in"), v, Attributes.builder()
                            .put("scale", type.scale()).put("zero_point", type.zeroPoint()).build()));
                    in.put(v + "__in", values.get(probe(v)));
                } else {
                    specs.add(new InputSpec(v, shape, "", null, null));
                    in.put(v, values.get(v));
                }
            }
            sub.add(n);
            String result = n.output();
            if (def.typeOf(n.output()).isInt8()) {
                result = probe(n.output());
                sub.add(new Node(n.name() + "__dequantize", OpType.DEQUANTIZE, List.of(n.output()), result, null));
            }
            ModelDef one = new ModelDef(n.name(), specs, tensors, sub, Collections.emptyList(), List.of(result), null);
            out.put(n.name(), OrtRunner.check(one, in, batch, options));
        }
        return out;
    }

    private static String probe(String value) {
        return value + "__probe";
    }
}
