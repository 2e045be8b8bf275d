"""Export torchvision model families (and a two-output MLP) to ONNX test fixtures.

Run (development only, never from the build), from the repository root:

    /usr/bin/python3 models/families/export_families.py            # every family
    /usr/bin/python3 models/families/export_families.py resnet18   # some families

It needs Debian's PyTorch 1.13, torchvision 0.14, onnx and numpy (apt-get install
python3-torch python3-torchvision python3-onnx python3-numpy) and no network: no
pretrained weights are downloaded. Every weight comes from the seeded fill described in
models/families/README.md (scheme "tern-fill-v1"), which the Java tests reproduce bit for
bit (compress/src/test/java/dev/tern/compress/families/SeededOnnx.java).

For each family it writes compress/src/test/resources/families/<family>/:

    model.onnx      the torch.onnx export (opset 13, batch dimension "N" dynamic,
                    BatchNormalization kept) STRIPPED: every initializer with more than
                    64 elements has no data, only name, dims, data type and its fill
                    recipe as JSON in its doc_string
    input.npy       the inputs: float32, standard normal from a fixed seed
    <output>.npy    PyTorch's outputs on input.npy, one file per ONNX output name
    manifest.json   input and outputs, opset, node-op histogram, output scale (max |output|
                    on input.npy), fill scheme, and the checks that the random weights give
                    input-dependent outputs (distinct argmax classes over 64 random inputs)

The run is deterministic: the same files on every run on the same machine (PyTorch's
float outputs may differ in their last bits on another CPU; the tests' tolerance covers it).
It fails if an export fuses or drops a BatchNormalization, if an initializer that it would
strip is not exactly its recipe's fill, or if a model's outputs do not vary with its input.
"""

import collections
import io
import json
import math
import os
import sys
import zlib

import numpy as np
import onnx
import onnx.numpy_helper
import torch
import torchvision

SCHEME = "tern-fill-v1"
OPSET = 13
STRIP_ABOVE = 64  # initializers with more elements than this are stripped
SAMPLES = 2  # samples in input.npy (batch of the committed fixture)
CHECK_SAMPLES = 64  # random inputs for the "outputs vary" check (not committed)

GOLDEN = 0x9E3779B97F4A7C15
MASK64 = (1 << 64) - 1

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "compress", "src", "test", "resources", "families")


# ---------------------------------------------------------------------------------------
# The seeded fill (README.md, "The fill"): value i of a tensor with recipe (seed, lo, hi) is
#   z = (seed * 0x9E3779B97F4A7C15 + i) mod 2^64
#   z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9 mod 2^64
#   z = (z ^ (z >> 27)) * 0x94D049BB133111EB mod 2^64
#   z =  z ^ (z >> 31)
#   u = (z >> 40) / 2^24                      (top 24 bits, exact in float64)
#   v = float32(lo + (hi - lo) * u)           (float64 arithmetic, one rounding to float32)
# ---------------------------------------------------------------------------------------

def fill(seed, n, lo, hi):
    """The n float32 values of recipe (seed, lo, hi), in flat (row-major) order."""
    with np.errstate(over="ignore"):
        z = np.arange(n, dtype=np.uint64) + np.uint64((seed * GOLDEN) & MASK64)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    u = (z >> np.uint64(40)).astype(np.float64) / 16777216.0
    return (np.float64(lo) + (np.float64(hi) - np.float64(lo)) * u).astype(np.float32)


def _fill_reference(seed, i, lo, hi):
    """One value with Python integers only: the definition that fill() vectorizes."""
    z = (seed * GOLDEN + i) & MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    z = z ^ (z >> 31)
    u = (z >> 40) / 16777216.0
    return np.float32(lo + (hi - lo) * u)


# ---------------------------------------------------------------------------------------
# The families
# ---------------------------------------------------------------------------------------

class TwoHeadMlp(torch.nn.Module):
    """A shared trunk and two heads: class_prob (softmax, 10 classes), tags (sigmoid, 5 labels)."""

    def __init__(self):
        super().__init__()
        self.trunk = torch.nn.Sequential(
            torch.nn.Linear(32, 64), torch.nn.BatchNorm1d(64), torch.nn.ReLU(),
            torch.nn.Linear(64, 48), torch.nn.ReLU())
        self.classes = torch.nn.Linear(48, 10)
        self.tags = torch.nn.Linear(48, 5)

    def forward(self, x):
        h = self.trunk(x)
        return torch.softmax(self.classes(h), dim=1), torch.sigmoid(self.tags(h))


# heads: the modules whose bias centers the outputs (default: the last conv/linear);
# relu_head_mean: for a head whose output goes through a ReLU and a mean pool (SqueezeNet),
# the mean over the calibration inputs that its bias gives each output (see calibrate)
Family = collections.namedtuple("Family", "name make source input_shape outputs seed heads relu_head_mean",
                                defaults=(None, None))

M = torchvision.models
FAMILIES = [
    Family("mobilenet_v2", lambda: M.mobilenet_v2(num_classes=10),
           "torchvision.models.mobilenet_v2(num_classes=10)", (3, 64, 64), ["logits"], 1),
    Family("mobilenet_v3_small", lambda: M.mobilenet_v3_small(num_classes=10),
           "torchvision.models.mobilenet_v3_small(num_classes=10)", (3, 64, 64), ["logits"], 2),
    Family("mobilenet_v3_large", lambda: M.mobilenet_v3_large(num_classes=10),
           "torchvision.models.mobilenet_v3_large(num_classes=10)", (3, 64, 64), ["logits"], 3),
    Family("resnet18", lambda: M.resnet18(num_classes=10),
           "torchvision.models.resnet18(num_classes=10)", (3, 64, 64), ["logits"], 4),
    Family("squeezenet1_1", lambda: M.squeezenet1_1(num_classes=10),
           "torchvision.models.squeezenet1_1(num_classes=10)", (3, 64, 64), ["logits"], 5,
           relu_head_mean=1.0),
    Family("shufflenet_v2_x1_0", lambda: M.shufflenet_v2_x1_0(num_classes=10),
           "torchvision.models.shufflenet_v2_x1_0(num_classes=10)", (3, 64, 64), ["logits"], 6),
    Family("efficientnet_b0", lambda: M.efficientnet_b0(num_classes=10),
           "torchvision.models.efficientnet_b0(num_classes=10)", (3, 64, 64), ["logits"], 7),
    Family("mlp_two_heads", TwoHeadMlp, "TwoHeadMlp in models/families/export_families.py",
           (32,), ["class_prob", "tags"], 8, ["classes", "tags"]),
]


# ---------------------------------------------------------------------------------------
# Recipes: which (lo, hi) each parameter and buffer gets
# ---------------------------------------------------------------------------------------

BN_TYPES = (torch.nn.BatchNorm1d, torch.nn.BatchNorm2d)
WEIGHTED = (torch.nn.Conv2d, torch.nn.Linear)
BIAS_BOUND = 0.1
HIDDEN_STD = 1.0  # calibrated std of every conv/linear output ...
HEAD_STD = 2.0  # ... and of the heads' outputs across the calibration inputs
CALIBRATION_SAMPLES = 32


def recipe_range(module, param, tensor):
    """(lo, hi) of the first fill of one float tensor of a module (README.md, "Ranges")."""
    if isinstance(module, BN_TYPES):
        return {"weight": (0.5, 1.5), "bias": (-0.2, 0.2),
                "running_mean": (-0.2, 0.2), "running_var": (0.5, 1.5)}[param]
    if isinstance(module, WEIGHTED):
        if param == "bias":
            return (-BIAS_BOUND, BIAS_BOUND)
        fan_in = int(np.prod(tensor.shape[1:]))  # in_channels / groups * kh * kw, or in_features
        b = bound(math.sqrt(6.0 / fan_in))  # He-uniform
        return (-b, b)
    raise ValueError(f"no fill range for {type(module).__name__}.{param}")


def bound(b):
    """A bound rounded to 3 significant digits: short in the JSON, and stable across machines."""
    return float(f"{b:.3g}")


def put(model, name, recipe):
    t = model.state_dict(keep_vars=True)[name]
    with torch.no_grad():
        t.copy_(torch.from_numpy(fill(recipe["seed"], t.numel(), recipe["lo"], recipe["hi"]).reshape(t.shape)))


def seed_weights(model, family):
    """Fills every float parameter and buffer of model in state_dict order; the recipes by name.

    Tensor k of the state_dict (counting every entry) gets seed family.seed * 1_000_000 + k.
    """
    modules = dict(model.named_modules())
    recipes = {}
    for k, (name, t) in enumerate(model.state_dict(keep_vars=True).items()):
        if not t.dtype.is_floating_point:
            continue  # num_batches_tracked: not in an eval export
        owner, _, param = name.rpartition(".")
        lo, hi = recipe_range(modules[owner], param, t)
        recipes[name] = {"seed": family.seed * 1_000_000 + k, "lo": lo, "hi": hi}
        put(model, name, recipes[name])
    return recipes


class _Stop(Exception):
    pass


def forward_order(model, x):
    """The conv and linear modules in the order the forward pass first calls them."""
    order = []

    def hook(name):
        return lambda module, inputs, output: order.append(name) if name not in order else None

    hooks = [m.register_forward_hook(hook(n)) for n, m in model.named_modules() if isinstance(m, WEIGHTED)]
    try:
        with torch.no_grad():
            model(x)
    finally:
        for h in hooks:
            h.remove()
    return order


def output_of(model, name, x):
    """The output of module name on x (the forward pass stops there)."""
    box = {}

    def hook(module, inputs, output):
        box["y"] = output
        raise _Stop()

    h = dict(model.named_modules())[name].register_forward_hook(hook)
    try:
        with torch.no_grad():
            model(x)
    except _Stop:
        pass
    finally:
        h.remove()
    return box["y"]


def per_channel_mean(y):
    dims = [d for d in range(y.dim()) if d != 1]
    return y.mean(dim=dims, keepdim=True)


def calibrate(model, family, recipes, x):
    """Scales each conv/linear weight's bound, in forward order, to a std of its output.

    Random weights in a deep net give activations that grow or vanish exponentially with
    depth, and outputs that hardly depend on the input. So, layer by layer in the order the
    forward pass meets them (LSUV, Mishkin and Matas 2015), the bound of each weight's
    uniform range is scaled until the layer's output on CALIBRATION_SAMPLES random inputs
    has std HIDDEN_STD (two rounds; the bound rounded to 3 significant digits). The heads
    (the last layer; both heads of the MLP) get HEAD_STD as the std across the inputs of
    their (spatially averaged) output, and then a bias that cancels its mean over the inputs: random
    features share a large input-independent part, which would otherwise make every input
    the same class. SqueezeNet's head is a conv followed by a ReLU and the mean pool: its
    bias is bisected per channel until each logit's mean over the inputs is
    relu_head_mean. A head's bias has at most 64 values, so it is kept in the ONNX file
    as it is (no recipe).
    """
    order = forward_order(model, x)
    heads = set(family.heads or order[-1:])
    modules = dict(model.named_modules())
    for name in order:
        w = name + ".weight"
        for _ in range(2):
            y = output_of(model, name, x)
            if name in heads:  # how much its (spatial mean) output varies across the inputs
                pooled = y.mean(dim=[2, 3]) if y.dim() == 4 else y
                s, target = float(pooled.std(dim=0).mean()), HEAD_STD
            else:
                s, target = float(y.std()), HIDDEN_STD
            hi = bound(recipes[w]["hi"] * target / s)
            recipes[w].update(lo=-hi, hi=hi)
            put(model, w, recipes[w])
    for name in sorted(heads):
        b = modules[name].bias
        with torch.no_grad():
            if family.relu_head_mean is None:  # linear in the bias: cancel the mean
                b -= per_channel_mean(output_of(model, name, x)).flatten()
            else:  # monotone in each channel's bias: bisect to the mean output wanted
                lo, hi = b - 1e4, b + 1e4
                for _ in range(60):
                    b.copy_((lo + hi) / 2)
                    low = model(x).mean(dim=0) < family.relu_head_mean
                    lo, hi = torch.where(low, b, lo), torch.where(low, hi, b)
            b.copy_(torch.from_numpy(np.round(b.numpy().astype(np.float64), 4).astype(np.float32)))
        del recipes[name + ".bias"]
    return order


# ---------------------------------------------------------------------------------------
# Export and strip
# ---------------------------------------------------------------------------------------

def export(model, family, example):
    """torch.onnx.export with BatchNormalization kept and the batch dimension dynamic.

    TrainingMode.EVAL (the default) runs torch's eval peephole pass, which folds every
    BatchNormalization into the Conv before it; TrainingMode.PRESERVE with the model in eval
    mode exports the eval graph without that pass: BatchNormalization nodes with one output
    (inference semantics, running statistics). Constant folding stays on (torch's default);
    it folds shape arithmetic only and leaves the BatchNormalization nodes alone.
    """
    dynamic = {"input": {0: "N"}}
    for o in family.outputs:
        dynamic[o] = {0: "N"}
    buf = io.BytesIO()
    torch.onnx.export(model, example, buf, input_names=["input"], output_names=family.outputs,
                      dynamic_axes=dynamic, opset_version=OPSET,
                      training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=True)
    m = onnx.load_from_string(buf.getvalue())
    onnx.checker.check_model(m)
    return m


def strip(model, recipes):
    """The stripped copy: initializers above STRIP_ABOVE elements lose their data, gain a recipe.

    Also returns how many were stripped, their values in all, and the CRC-32 of their data
    (little-endian float32, in initializer order) for the manifest: the Java fill's check.
    """
    stripped = onnx.ModelProto()
    stripped.CopyFrom(model)
    count = 0
    elements = 0
    crc = 0
    for init in stripped.graph.initializer:
        n = int(np.prod(init.dims)) if len(init.dims) else 1
        if n <= STRIP_ABOVE:
            continue
        if init.data_type != onnx.TensorProto.FLOAT:
            raise ValueError(f"{init.name}: {n} elements of type {init.data_type}, not float")
        exported = onnx.numpy_helper.to_array(init)
        r = recipes.get(init.name)
        if r is None:  # renamed by the exporter: find the recipe whose fill it is
            matches = [key for key, rr in recipes.items()
                       if np.array_equal(fill(rr["seed"], n, rr["lo"], rr["hi"]), exported.ravel())]
            if len(matches) != 1:
                raise ValueError(f"{init.name}: {len(matches)} recipes match")
            r = recipes[matches[0]]
        expected = fill(r["seed"], n, r["lo"], r["hi"])
        if expected.tobytes() != exported.astype("<f4").tobytes():
            raise ValueError(f"{init.name}: exported values are not the fill of {r}")
        doc = {"fill": SCHEME, "seed": r["seed"], "lo": r["lo"], "hi": r["hi"]}
        crc = zlib.crc32(expected.astype("<f4").tobytes(), crc)
        init.ClearField("raw_data")
        init.ClearField("float_data")
        init.doc_string = json.dumps(doc, separators=(",", ":"))
        count += 1
        elements += n
    return stripped, count, elements, crc


# ---------------------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------------------

def op_histogram(model):
    return dict(sorted(collections.Counter(n.op_type for n in model.graph.node).items()))


def check_batch_norm(family, model, torch_model):
    """Every BatchNorm module is one single-output BatchNormalization node."""
    expected = sum(isinstance(m, BN_TYPES) for m in torch_model.modules())
    nodes = [n for n in model.graph.node if n.op_type == "BatchNormalization"]
    if len(nodes) != expected or any(len(n.output) != 1 for n in nodes):
        raise ValueError(f"{family.name}: {len(nodes)} BatchNormalization nodes for {expected} BatchNorm modules")
    return expected


def variation(family, outputs):
    """How much the outputs on CHECK_SAMPLES random inputs vary; raises if not enough."""
    first = outputs[0]
    finite = all(np.isfinite(o).all() for o in outputs)
    argmax = first.argmax(axis=1)
    spread = float(first.std(axis=0).mean())  # per output value, across the inputs
    scale = float(np.abs(first).mean())
    facts = {"samples": len(first), "finite": bool(finite),
             "distinct_argmax": int(len(np.unique(argmax))),
             "std_across_inputs": round(spread, 4), "mean_abs": round(scale, 4)}
    if family.outputs[0] == "logits":
        p = torch.softmax(torch.from_numpy(first), dim=1).numpy()
        facts["mean_max_softmax"] = round(float(p.max(axis=1).mean()), 4)
        ok = facts["mean_max_softmax"] < 0.95 and spread > 0.2 * scale
    else:  # probabilities already
        facts["mean_max_prob"] = round(float(first.max(axis=1).mean()), 4)
        tags = outputs[1]
        facts["tags_std_across_inputs"] = round(float(tags.std(axis=0).mean()), 4)
        facts["tags_mean"] = round(float(tags.mean()), 4)
        ok = facts["mean_max_prob"] < 0.95 and facts["tags_std_across_inputs"] > 0.05
    ok = ok and finite and facts["distinct_argmax"] >= 5
    return facts, ok


def run(model, x):
    with torch.no_grad():
        y = model(torch.from_numpy(x))
    return [t.numpy() for t in (y if isinstance(y, tuple) else (y,))]


def save_npy(path, a):
    np.save(path, np.ascontiguousarray(a, dtype="<f4"))


def export_family(family):
    torch.manual_seed(0)  # the constructors' own init, overwritten by the fill anyway
    model = family.make().eval()
    recipes = seed_weights(model, family)

    def inputs(stream, n):
        rng = np.random.default_rng([family.seed, stream])
        return rng.standard_normal((n,) + family.input_shape, dtype=np.float32)

    x = inputs(0, SAMPLES)  # input.npy
    x_check = inputs(1, CHECK_SAMPLES)
    calibrate(model, family, recipes, torch.from_numpy(inputs(2, CALIBRATION_SAMPLES)))

    full = export(model, family, torch.from_numpy(x))
    bn = check_batch_norm(family, full, model)
    stripped, count, elements, crc = strip(full, recipes)
    outputs = run(model, x)
    facts, varied = variation(family, run(model, x_check))

    d = os.path.join(OUT, family.name)
    os.makedirs(d, exist_ok=True)
    for f in os.listdir(d):
        os.remove(os.path.join(d, f))
    onnx.save(stripped, os.path.join(d, "model.onnx"))
    save_npy(os.path.join(d, "input.npy"), x)
    for name, y in zip(family.outputs, outputs):
        save_npy(os.path.join(d, name + ".npy"), y)

    kept = [i for i in stripped.graph.initializer if not i.doc_string]
    manifest = {
        "family": family.name,
        "source": family.source,
        "exported_by": f"torch {torch.__version__}, torchvision {torchvision.__version__}, onnx {onnx.__version__}",
        "opset": OPSET,
        "input": {"name": "input", "shape": ["N"] + list(family.input_shape), "file": "input.npy",
                  "samples": SAMPLES},
        "outputs": [{"name": n, "shape": ["N"] + list(y.shape[1:]), "file": n + ".npy"}
                    for n, y in zip(family.outputs, outputs)],
        "output_scale": float(max(np.abs(y).max() for y in outputs)),
        "ops": op_histogram(stripped),
        "batch_norm_nodes": bn,
        "fill": {"scheme": SCHEME, "stripped_initializers": count,
                 "stripped_elements": elements, "stripped_crc32": crc, "kept_initializers": len(kept),
                 "kept_elements": int(sum(np.prod(i.dims) if len(i.dims) else 1 for i in kept))},
        "variation": facts,
    }
    with open(os.path.join(d, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    size = sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d))
    print(f"{family.name}: {bn} BN, {count} stripped ({elements} values), {size} bytes, "
          f"scale {manifest['output_scale']:.3g}, {facts}")
    if not varied:
        raise ValueError(f"{family.name}: outputs vary too little with the input: {facts}")


def self_test():
    for seed, lo, hi in [(0, -1.0, 1.0), (4000017, -0.0625, 0.0625), (123456789012, 0.5, 1.5)]:
        v = fill(seed, 1000, lo, hi)
        for i in (0, 1, 2, 999):
            assert v[i].tobytes() == _fill_reference(seed, i, lo, hi).tobytes(), (seed, i)


def main(argv):
    torch.set_num_threads(1)
    self_test()
    names = argv or [f.name for f in FAMILIES]
    by_name = {f.name: f for f in FAMILIES}
    for n in names:
        export_family(by_name[n])


if __name__ == "__main__":
    main(sys.argv[1:])
