package dev.tern.compress.cli;

import dev.tern.runtime.Backend;
import dev.tern.runtime.TernModel;
import dev.tern.runtime.model.DType;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.Node;
import dev.tern.runtime.model.OpType;
import dev.tern.runtime.model.QuantParams;
import dev.tern.runtime.model.Tensor;

import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Figures about a loaded model that {@code tern info} reports: ops by type, weights by
 * dtype, sparsity, and the kernels that will run. Sparsity counts the constant elements
 * whose real value is exactly zero: float 0 (either sign), or a quantized value equal to
 * its zero point.
 */
final class ModelSummary {
    /** Tensors, elements and bytes of one dtype. */
    record DTypeStats(int tensors, long params, long bytes) {
        static final DTypeStats NONE = new DTypeStats(0, 0, 0);

        DTypeStats plus(Tensor t) {
            return new DTypeStats(tensors + 1, params + t.elementCount(), bytes + t.byteSize());
        }
    }

    /** Zero elements of one tensor. */
    record Zeros(long zeros, long elements) {
        double fraction() {
            return elements == 0 ? 0 : (double) zeros / elements;
        }
    }

    final TernModel model;
    final String formatVersion;
    final Map<OpType, Integer> ops;
    final Map<DType, DTypeStats> weights;
    final Map<String, Zeros> zerosPerTensor;
    final Zeros zeros;
    /** Nodes whose kernel comes from another backend than the model's (a fallback). */
    final Map<String, Backend> fallbacks;

    private ModelSummary(TernModel model, String formatVersion) {
        this.model = model;
        this.formatVersion = formatVersion;
        ModelDef def = model.def();
        Map<OpType, Integer> o = new EnumMap<>(OpType.class);
        for (Node n : def.nodes()) {
            o.merge(n.op(), 1, Integer::sum);
        }
        this.ops = Collections.unmodifiableMap(o);
        Map<DType, DTypeStats> w = new EnumMap<>(DType.class);
        Map<String, Zeros> z = new LinkedHashMap<>();
        long zeroCount = 0;
        long elements = 0;
        for (Tensor t : def.tensors().values()) {
            w.put(t.dtype(), w.getOrDefault(t.dtype(), DTypeStats.NONE).plus(t));
            Zeros tz = new Zeros(countZeros(t), t.elementCount());
            z.put(t.name(), tz);
            zeroCount += tz.zeros();
            elements += tz.elements();
        }
        this.weights = Collections.unmodifiableMap(w);
        this.zerosPerTensor = Collections.unmodifiableMap(z);
        this.zeros = new Zeros(zeroCount, elements);
        Map<String, Backend> f = new LinkedHashMap<>();
        model.kernelBackends().forEach((node, b) -> {
            if (b != model.backend()) {
                f.put(node, b);
            }
        });
        this.fallbacks = Collections.unmodifiableMap(f);
    }

    static ModelSummary of(TernModel model, String formatVersion) {
        return new ModelSummary(model, formatVersion);
    }

    /** Elements of {@code t} whose real value is exactly zero. */
    static long countZeros(Tensor t) {
        ByteBuffer d = t.data();
        int n = t.elementCount();
        long zeros = 0;
        switch (t.dtype()) {
            case FLOAT32:
                for (int i = 0; i < n; i++) {
                    zeros += d.getFloat(4 * i) == 0f ? 1 : 0;
                }
                return zeros;
            case INT8:
            case INT32:
                QuantParams q = t.quant();
                int channelStride = 1;
                int channels = 1;
                if (q != null && q.axis() >= 0) {
                    channels = t.dim(q.axis());
                    for (int a = q.axis() + 1; a < t.rank(); a++) {
                        channelStride *= t.dim(a);
                    }
                }
                for (int i = 0; i < n; i++) {
                    int v = t.dtype() == DType.INT8 ? d.get(i) : d.getInt(4 * i);
                    int zeroPoint = q == null ? 0 : q.zeroPoint(channels == 1 ? 0 : (i / channelStride) % channels);
                    zeros += v == zeroPoint ? 1 : 0;
                }
                return zeros;
            default:
                throw new IllegalStateException("unknown dtype " + t.dtype());
        }
    }
}
