package dev.tern.runtime;

import dev.tern.runtime.model.Activation;
import dev.tern.runtime.model.Attributes;
import dev.tern.runtime.model.ModelBuilder;
import dev.tern.runtime.model.OpType;
import dev.tern.runtime.model.Padding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Models that cannot run are rejected when built, with InvalidModelException naming the node and the mismatch. */
class InvalidModelTest {
    static void rejected(Executable build, String... parts) {
        InvalidModelException e = assertThrows(InvalidModelException.class, build);
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "message should mention '" + p + "': " + e.getMessage());
        }
    }

    @Test
    void danglingValueName() {
        ModelBuilder b = new ModelBuilder("m").input("x", -1, 3);
        b.relu("act", "x");
        b.relu("act2", "ghost");
        rejected(b::build, "node 'act2'", "'ghost'", "not an input, a tensor or the output of an earlier node");
    }

    @Test
    void hardSigmoidWithANonFiniteAlphaOrAnInt8OutputWithoutItsType() {
        ModelBuilder b = new ModelBuilder("m").input("x", -1, 3);
        b.hardSigmoid("hs", "x", Float.NaN, 0.5f);
        rejected(b::build, "node 'hs'", "alpha", "must be finite", "NaN");
        ModelBuilder q = new ModelBuilder("m").input("x", -1, 3);
        q.node(new dev.tern.runtime.model.Node("q", OpType.QUANTIZE, java.util.List.of("x"), "xq",
                Attributes.builder().put("scale", 0.1f).put("zero_point", 0).build()));
        q.node(new dev.tern.runtime.model.Node("hs", OpType.HARD_SIGMOID, java.util.List.of("xq"), "yq", Attributes.EMPTY));
        rejected(q::build, "node 'hs'", "an int8 output needs attributes scale and zero_point");
    }

    @Test
    void nodesOutOfOrder() {
        ModelBuilder b = new ModelBuilder("m").input("x", -1, 3);
        b.relu("second", "first");
        b.relu("first", "x");
        rejected(b::build, "node 'second'", "'first'");
    }

    @Test
    void denseWeightsOfTheWrongShape() {
        ModelBuilder b = new ModelBuilder("m").input("x", -1, 3);
        b.dense("fc", "x", 2, 4, new float[8], null, Activation.NONE);
        rejected(b::build, "node 'fc'", "dense", "[2, 4]", "expect 4 inputs, got 3");
    }

    @Test
    void biasOfTheWrongShape() {
        ModelBuilder b = new ModelBuilder("m").input("x", -1, 3);
        b.op("fc", OpType.DENSE, Attributes.EMPTY, "x", b.constant("w", new int[] {2, 3}, new float[6]),
                b.constant("b", new int[] {3}, new float[3]));
        rejected(b::build, "node 'fc'", "bias 'b' must have shape [2], got [3]");
    }

    @Test
    void convFilterChannelsDoNotMatchInput() {
        ModelBuilder b = new ModelBuilder("m").input("x", -1, 5, 5, 3);
        b.conv2d("conv", "x", new int[] {4, 3, 3, 2}, new float[72], null, 1, Padding.SAME, Activation.NONE);
        rejected(b::build, "node 'conv'", "conv2d", "[4, 3, 3, 2]", "expects 2 input channels, got 3");
    }

    @Test
    void depthwiseFilterDoesNotMatchMultiplier() {
        ModelBuilder b = new ModelBuilder("m").input("x", -1, 5, 5, 3);
        b.depthwiseConv2d("dw", "x", new int[] {3, 3, 3}, new float[27], null, 2, 1, Padding.SAME, Activation.NONE);
        rejected(b::build, "node 'dw'", "last dimension 6", "3 channels and multiplier 2");
    }

    @Test
    void validWindowLargerThanInput() {
        ModelBuilder b = new ModelBuilder("m").input("x", -1, 2, 2, 1);
        b.maxPool("pool", "x", 3, 1, Padding.VALID);
        rejected(b::build, "node 'pool'", "window 3 larger than input 2");
    }

    @Test
    void addOfDifferentShapes() {
        ModelBuilder b = new ModelBuilder("m").input("x", -1, 3).input("y", -1, 4);
        b.add("sum", "x", "y", Activation.RELU);
        rejected(b::build, "node 'sum'", "[3] and [4]");
    }

    @Test
    void concatAxisOutOfRangeAndMismatchedShapes() {
        ModelBuilder b = new ModelBuilder("m").input("x", -1, 2, 3).input("y", -1, 2, 4);
        b.concat("cat", 2, "x", "y");
        rejected(b::build, "node 'cat'", "axis 2 outside rank 2");
        ModelBuilder c = new ModelBuilder("m").input("x", -1, 2, 3).input("y", -1, 2, 4);
        c.concat("cat", 0, "x", "y");
        rejected(c::build, "node 'cat'", "differ outside axis 0", "[2, 3] and [2, 4]");
    }

    @Test
    void reshapeThatDoesNotFit() {
        ModelBuilder b = new ModelBuilder("m").input("x", -1, 2, 3);
        b.reshape("rs", "x", 4, -1);
        rejected(b::build, "node 'rs'", "cannot reshape [2, 3] to [4, -1]");
        ModelBuilder c = new ModelBuilder("m").input("x", -1, 2, 3);
        c.reshape("rs", "x", -1, -1);
        rejected(c::build, "node 'rs'", "more than one -1");
    }

    @Test
    void denseOnAnImageNeedsFlatten() {
        ModelBuilder b = new ModelBuilder("m").input("x", -1, 2, 2, 1);
        b.dense("fc", "x", 1, 4, new float[4], null, Activation.NONE);
        rejected(b::build, "node 'fc'", "[2, 2, 1]", "flatten it first");
    }

    @Test
    void badAttributes() {
        ModelBuilder b = new ModelBuilder("m").input("x", -1, 4, 4, 1);
        b.op("pool", OpType.MAX_POOL, Attributes.builder().put("window", new int[] {0, 2}).build(), "x");
        rejected(b::build, "node 'pool'", "window", "[0, 2]");
        ModelBuilder c = new ModelBuilder("m").input("x", -1, 4, 4, 1);
        c.op("pool", OpType.MAX_POOL, Attributes.builder().put("window", new int[] {2, 2}).put("strides", new int[] {0, 1})
                .build(), "x");
        rejected(c::build, "node 'pool'", "strides", "[0, 1]");
        ModelBuilder d = new ModelBuilder("m").input("x", -1, 4);
        d.op("fc", OpType.DENSE, Attributes.builder().put("activation", "gelu").build(), "x",
                d.constant("w", new int[] {1, 4}, new float[4]));
        rejected(d::build, "node 'fc'", "unknown activation 'gelu'");
    }

    @Test
    void taskLabelCountMustMatchItsOutput() {
        ModelBuilder b = new ModelBuilder("m").input("x", -1, 3);
        b.multiclass("cls", b.relu("r", "x"), "a", "b");
        rejected(b::build, "task 'cls'", "2 labels", "'r' has 3 values");
    }

    @Test
    void taskReadingAConstantOrAnUnknownValue() {
        ModelBuilder b = new ModelBuilder("m").input("x", -1, 3);
        b.constant("c", new int[] {3}, new float[3]);
        b.regression("r", "c", "a", "b", "c");
        rejected(b::build, "task 'r' reads 'c', which is not the output of a node");
        ModelBuilder d = new ModelBuilder("m").input("x", -1, 3);
        d.regression("r", "nowhere", "a", "b", "c");
        rejected(d::build, "task 'r' reads 'nowhere'");
    }

    @Test
    void duplicateNames() {
        ModelBuilder b = new ModelBuilder("m").input("x", -1, 3);
        b.relu("a", "x");
        b.relu("a", "x");
        rejected(b::build, "node name 'a' is used twice");
        ModelBuilder c = new ModelBuilder("m").input("x", -1, 3);
        c.relu("x", "x");
        rejected(c::build, "node 'x' writes 'x', which is already defined");
    }

    @Test
    void tensorNameClashingWithAnInputOrANodeOutput() {
        ModelBuilder b = new ModelBuilder("m").input("x", -1, 3);
        b.constant("x", new int[] {1}, new float[1]);
        rejected(b::build, "'x' is both an input and a tensor");
        ModelBuilder c = new ModelBuilder("m").input("x", -1, 3);
        c.constant("r", new int[] {1}, new float[1]);
        c.relu("r", "x");
        rejected(c::build, "node 'r' writes 'r', which is already defined");
    }

    @Test
    void absurdActivationSizeIsRejectedAtBuildTime() {
        ModelBuilder b = new ModelBuilder("m").input("x", -1, 4096, 4096, 1);
        b.conv2d("conv", "x", new int[] {64, 1, 1, 1}, new float[64], null, 1, Padding.SAME, Activation.NONE);
        rejected(b::build, "node 'conv'", "1073741824 values per sample", "limit");
    }
}
