#!/usr/bin/env python3
"""Train a multi-task ResNet-style CNN on Multi-Fashion in PyTorch and export it to ONNX.

    /usr/bin/python3 models/pytorch/train_multitask.py [--epochs N] [--out DIR]

A model that Tern did not train: it tests `tern import` / `tern eval` on a PyTorch export.
Steps, all seeded (a rerun on the same machine and torch gives the same weights):

1. reads Fashion-MNIST from models/data/fashion-mnist and checks that the canvases built with
   models/data/multifashion.py (imported, not copied) reproduce the sha256 digests pinned in
   models/README.md ("Multi-Fashion"): the test split and training epoch (seed 1, epoch 0);
2. trains on the training-epoch recipe (seed 1, epoch e = 0, 1, ...: 60,000 fresh canvases
   per epoch, in the recipe's order), one thread;
3. exports `multitask.onnx` (input `x` [n, 1, 36, 36] float32 v / 255; outputs `left`,
   `right` softmax probabilities and `present` sigmoid probabilities; opset 13) and adds the
   metadata_props `tern.tasks` and `tern.model`;
4. scores the 10,000 test canvases with the definitions of Tern's Java evaluator
   (compress/.../eval/Metrics.java, AveragePrecision.java, Evaluator.java), ported below,
   and writes metrics.json and the model card README.md.

Needs Debian 12's python3-torch (1.13), python3-onnx and python3-numpy.
"""
import argparse
import json
import math
import os
import platform
import sys
import time

import numpy as np
import onnx
import onnx.numpy_helper
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(MODELS, "data"))
import multifashion as mf  # noqa: E402  (models/data/multifashion.py: Java Random, recipes, canvas, IDX)

CLASSES = ["t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle-boot"]
# models/README.md, "Reproduce outside Java": sha256 over each canvas's 1296 pixels then bytes left, right.
DIGESTS = {
    "test": "ff6c22763c51df746e6d57ff64b7e651451989202dc338cc68d45d7f06598e28",
    "train seed 1 epoch 0": "c2d9f482e1d7af90bd000585fff1f1c9eb6a0deb626847d7f6e23b4ce3d54ff0",
}
TRAIN_SEED = 1
TORCH_SEED = 1
ALLOWED_OPS = {"Conv", "BatchNormalization", "Relu", "Add", "MaxPool", "AveragePool", "GlobalAveragePool",
               "Flatten", "Reshape", "Gemm", "Softmax", "Sigmoid"}


def log(msg):
    print(time.strftime("%H:%M:%S"), msg, flush=True)


# ---------------------------------------------------------------------------------------------
# Data

def render(images, labels, rows):
    """Canvases [n, 36, 36] uint8 and labels left, right [n] for recipe rows (A, B, dyA, dxA, dyB, dxB)."""
    x = np.empty((len(rows), 36, 36), np.uint8)
    left = np.empty(len(rows), np.int64)
    right = np.empty(len(rows), np.int64)
    for i, (a, b, *shifts) in enumerate(rows):
        x[i] = mf.canvas(images[a], images[b], *shifts)
        left[i] = labels[a]
        right[i] = labels[b]
    return x, left, right


def digest_ok(name, images, labels, rows):
    got = mf.digest(images, labels, rows)
    ok = got == DIGESTS[name]
    log(f"self-check {name}: sha256 {got} {'OK' if ok else 'MISMATCH, expected ' + DIGESTS[name]}")
    return ok


def multi_hot(left, right):
    y = np.zeros((len(left), 10), np.float32)
    y[np.arange(len(left)), left] = 1
    y[np.arange(len(right)), right] = 1
    return y


# ---------------------------------------------------------------------------------------------
# Model: a small ResNet (basic blocks), shared trunk, three linear heads

class Block(nn.Module):
    """ResNet basic block: conv3x3-BN-ReLU-conv3x3-BN, plus the input (1x1 conv-BN when the shape changes), ReLU."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.short = None
        if stride != 1 or cin != cout:
            self.short = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, 0, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + (x if self.short is None else self.short(x)))


class MultiTaskResNet(nn.Module):
    """Trunk 36x36 (w) -> 18x18 (2w) -> 9x9 (4w), global average pool, a shared dense layer, three heads (logits)."""

    def __init__(self, width, hidden, head="grid"):
        super().__init__()
        w = width
        self.head = head
        self.stem = nn.Sequential(nn.Conv2d(1, w, 3, 1, 1, bias=False), nn.BatchNorm2d(w), nn.ReLU())
        self.stages = nn.Sequential(Block(w, w, 1), Block(w, 2 * w, 2), Block(2 * w, 2 * w, 1),
                                    Block(2 * w, 4 * w, 2), Block(4 * w, 4 * w, 1))
        if head == "gap":
            self.pool, feats = nn.AdaptiveAvgPool2d(1), 4 * w
        else:  # 3x3 average pool, stride 3: a 3x3 grid that keeps where a feature was (top-left vs bottom-right)
            self.pool, feats = nn.AvgPool2d(3, 3, count_include_pad=False), 4 * w * 9  # no Pad node in the export
        self.fc = nn.Linear(feats, hidden)
        self.left = nn.Linear(hidden, 10)
        self.right = nn.Linear(hidden, 10)
        self.present = nn.Linear(hidden, 10)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
        for b in self.stages:  # zero-init the last BN of each residual branch (each block starts as identity)
            nn.init.zeros_(b.bn2.weight)

    def forward(self, x):
        h = self.pool(self.stages(self.stem(x)))
        h = F.relu(self.fc(torch.flatten(h, 1)))
        return self.left(h), self.right(h), self.present(h)


class Probabilities(nn.Module):
    """The exported graph: softmax for left and right, sigmoid for present (probabilities, not logits)."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        left, right, present = self.net(x)
        return torch.softmax(left, 1), torch.softmax(right, 1), torch.sigmoid(present)


def macs(width, hidden, head):
    """Multiply-adds per canvas (convolutions and dense layers)."""
    w = width
    total = 36 * 36 * w * 9
    for cin, cout, s, hw in ((w, w, 1, 36), (w, 2 * w, 2, 18), (2 * w, 2 * w, 1, 18), (2 * w, 4 * w, 2, 9),
                             (4 * w, 4 * w, 1, 9)):
        total += hw * hw * (cin * cout * 9 + cout * cout * 9 + (cin * cout if s != 1 or cin != cout else 0))
    return total + 4 * w * (1 if head == "gap" else 9) * hidden + 3 * hidden * 10


# ---------------------------------------------------------------------------------------------
# Metrics: ports of Tern's Java evaluator (dev.tern.compress.eval.Metrics / AveragePrecision)

def top_k_accuracy(scores, labels, k):
    """Metrics.topKAccuracy: rank = #{c : s[c] > s[y] or (s[c] == s[y] and c < y)}; hit when rank < k.
    (Ties go to the lower class index; k = 1 is Metrics.accuracy, numpy's argmax.)"""
    s = np.asarray(scores, np.float32)
    y = np.asarray(labels)
    sy = s[np.arange(len(y)), y][:, None]
    c = np.arange(s.shape[1])[None, :]
    rank = ((s > sy) | ((s == sy) & (c < y[:, None]))).sum(1)
    return float(np.mean(rank < k))


def average_precision(scores, truth):
    """AveragePrecision.binary: AP = sum_k (R_k - R_{k-1}) P_k over distinct scores t_1 > t_2 > ...
    (predicted positive: score >= t_k; a tie group is one threshold); NaN when no positive."""
    s = np.asarray(scores, np.float32)
    t = np.asarray(truth, bool)
    positives = int(t.sum())
    if positives == 0:
        return float("nan")
    order = np.argsort(-s, kind="stable")
    s, t = s[order], t[order]
    tp = np.cumsum(t)
    fp = np.cumsum(~t)
    last = np.r_[s[1:] != s[:-1], True]  # the end of each tie group
    tp, fp = tp[last].astype(np.float64), fp[last].astype(np.float64)
    recall = tp / positives
    precision = tp / (tp + fp)
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


def f1(tp, fp, fn):
    d = 2 * tp + fp + fn
    return 0.0 if d == 0 else 2 * tp / d


def multilabel_metrics(scores, truth, thresholds):
    """Evaluator's multilabel metrics: predictions are score > threshold (strict), per label."""
    s = np.asarray(scores, np.float32)
    t = np.asarray(truth, bool)
    pred = s > np.asarray(thresholds, np.float32)[None, :]
    tp = (pred & t).sum(0).astype(np.int64)
    fp = (pred & ~t).sum(0).astype(np.int64)
    fn = (~pred & t).sum(0).astype(np.int64)
    n, labels = s.shape
    aps = [average_precision(s[:, l], t[:, l]) for l in range(labels)]
    included = [a for a in aps if not math.isnan(a)]
    return {
        "hamming_loss": float((fp.sum() + fn.sum()) / (n * labels)),
        "subset_accuracy": float(np.mean(np.all(pred == t, axis=1))),
        "micro_f1": f1(int(tp.sum()), int(fp.sum()), int(fn.sum())),
        "macro_f1": float(sum(f1(int(tp[l]), int(fp[l]), int(fn[l])) for l in range(labels)) / labels),
        "map": float(sum(included) / len(included)) if included else float("nan"),
    }


def evaluate(left_p, right_p, present_p, left, right):
    return {
        "left": {"accuracy": top_k_accuracy(left_p, left, 1), "top3_accuracy": top_k_accuracy(left_p, left, 3)},
        "right": {"accuracy": top_k_accuracy(right_p, right, 1), "top3_accuracy": top_k_accuracy(right_p, right, 3)},
        "present": multilabel_metrics(present_p, multi_hot(left, right), [0.5] * 10),
    }


def metrics_selftest():
    """Small cases whose values follow from the Java definitions (and scikit-learn's for AP)."""
    s = np.array([[0.2, 0.2, 0.6], [0.5, 0.5, 0.0], [0.1, 0.3, 0.6]], np.float32)
    assert top_k_accuracy(s, [1, 1, 2], 1) == 1 / 3  # row 0: tie 0.2/0.2 < 0.6; row 1: tie goes to class 0
    assert top_k_accuracy(s, [1, 1, 2], 2) == 2 / 3  # row 0, label 1: ranks after class 2 and class 0 (lower index)
    assert abs(average_precision([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]) - 0.8333333333333333) < 1e-12  # sklearn doc
    assert abs(average_precision([0.5, 0.5, 0.5, 0.1], [1, 0, 0, 1]) - (0.5 * 1 / 3 + 0.5 * 0.5)) < 1e-12  # one tie group
    assert math.isnan(average_precision([0.3, 0.2], [0, 0]))
    m = multilabel_metrics(np.array([[0.5, 0.9], [0.6, 0.1]], np.float32), [[1, 1], [0, 0]], [0.5, 0.5])
    assert m["hamming_loss"] == 0.5 and m["subset_accuracy"] == 0.0  # 0.5 is not > 0.5
    assert m["micro_f1"] == 0.5 and m["macro_f1"] == 0.5 and m["map"] == 0.75  # AP 0.5 (label 0) and 1 (label 1)


# ---------------------------------------------------------------------------------------------
# ONNX: export, metadata, and an independent check of the exported graph

def cpu_name():
    """The CPU's model name from /proc/cpuinfo (Linux), else platform.processor()."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "an unknown CPU"


def tasks_json():
    return {"tasks": [
        {"output": "left", "name": "left", "kind": "multiclass", "labels": CLASSES},
        {"output": "right", "name": "right", "kind": "multiclass", "labels": CLASSES},
        {"output": "present", "name": "present", "kind": "multilabel", "labels": CLASSES, "thresholds": [0.5] * 10},
    ],
        # an 8-bit pixel p enters as p / 255 (tern run on a PNG, uint8 x in an .npz data set)
        "preprocessing": {"mean": [0.0], "std": [255.0]}}


def export_onnx(net, path):
    model = Probabilities(net).eval()
    dummy = torch.zeros(1, 1, 36, 36)
    torch.onnx.export(model, dummy, path, input_names=["x"], output_names=["left", "right", "present"],
                      dynamic_axes={"x": {0: "n"}, "left": {0: "n"}, "right": {0: "n"}, "present": {0: "n"}},
                      opset_version=13, do_constant_folding=True)
    m = onnx.load(path)
    for k, v in (("tern.tasks", json.dumps(tasks_json())), ("tern.model", "pytorch-multitask")):
        p = m.metadata_props.add()
        p.key, p.value = k, v
    m.doc_string = "Multi-task ResNet-style CNN on Multi-Fashion, trained in PyTorch by models/pytorch/train_multitask.py"
    m.graph.name = "pytorch-multitask"  # Tern names an imported model after the graph (torch writes "torch_jit")
    onnx.checker.check_model(m)
    onnx.save(m, path)
    ops = sorted({n.op_type for n in m.graph.node})
    extra = set(ops) - ALLOWED_OPS
    assert not extra, f"ops outside the intended set: {extra}"
    values = sum(int(np.prod(i.dims)) for i in m.graph.initializer)
    return m, ops, values


def run_onnx(m, x):
    """Runs the exported graph node by node with torch ops (no onnxruntime on this machine), so that the
    ONNX file itself, not only the PyTorch module, is checked against the PyTorch outputs."""
    env = {i.name: torch.from_numpy(onnx.numpy_helper.to_array(i).copy()) for i in m.graph.initializer}
    env[m.graph.input[0].name] = torch.from_numpy(x)
    for n in m.graph.node:
        a = {at.name: onnx.helper.get_attribute_value(at) for at in n.attribute}
        i = [env[k] if k else None for k in n.input]
        op = n.op_type
        if op == "Conv":
            p = a.get("pads", [0, 0, 0, 0])
            assert p[0] == p[2] and p[1] == p[3] and a.get("group", 1) == 1
            y = F.conv2d(i[0], i[1], i[2] if len(i) > 2 else None, a.get("strides", [1, 1]), p[:2], a.get("dilations", [1, 1]))
        elif op == "Relu":
            y = F.relu(i[0])
        elif op == "Add":
            y = i[0] + i[1]
        elif op == "AveragePool":
            assert a.get("ceil_mode", 0) == 0 and not any(a.get("pads", [0]))
            y = F.avg_pool2d(i[0], a["kernel_shape"], a.get("strides", [1, 1]))
        elif op == "GlobalAveragePool":
            y = i[0].mean((2, 3), keepdim=True)
        elif op == "Flatten":
            y = torch.flatten(i[0], a.get("axis", 1))
        elif op == "Reshape":
            y = i[0].reshape([i[0].shape[k] if d == 0 else int(d) for k, d in enumerate(i[1].tolist())])
        elif op == "Gemm":
            assert a.get("transA", 0) == 0 and a.get("alpha", 1.0) == 1.0 and a.get("beta", 1.0) == 1.0
            y = i[0] @ (i[1].T if a.get("transB", 0) else i[1]) + i[2]
        elif op == "Softmax":
            y = torch.softmax(i[0], a.get("axis", -1))
        elif op == "Sigmoid":
            y = torch.sigmoid(i[0])
        elif op == "BatchNormalization":
            sh = (1, -1, 1, 1)
            y = (i[0] - i[3].reshape(sh)) / torch.sqrt(i[4].reshape(sh) + a.get("epsilon", 1e-5)) * i[1].reshape(sh) + i[2].reshape(sh)
        else:
            raise ValueError(f"run_onnx: no rule for {op}")
        env[n.output[0]] = y
    return [env[o.name].numpy() for o in m.graph.output]


# ---------------------------------------------------------------------------------------------

def predict(model, x_u8, batch=500):
    outs = [[], [], []]
    with torch.no_grad():
        for s in range(0, len(x_u8), batch):
            xb = torch.from_numpy(x_u8[s:s + batch].astype(np.float32) / np.float32(255)).unsqueeze(1)
            for k, o in enumerate(model(xb)):
                outs[k].append(o.numpy())
    return [np.concatenate(o) for o in outs]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--epochs", type=int, default=9)
    ap.add_argument("--width", type=int, default=16, help="channels of the first stage (then 2x, 4x)")
    ap.add_argument("--hidden", type=int, default=128, help="width of the shared dense layer")
    ap.add_argument("--head", choices=["grid", "gap"], default="grid",
                    help="grid: 3x3 average pool and flatten (keeps position); gap: global average pool")
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--final-lr", type=float, default=2e-5)
    ap.add_argument("--weight-decay", type=float, default=1e-4)
    ap.add_argument("--limit", type=int, default=0, help="train on only this many canvases per epoch (smoke tests)")
    ap.add_argument("--data", default=os.path.join(MODELS, "data", "fashion-mnist"))
    ap.add_argument("--out", default=HERE)
    ap.add_argument("--card-only", action="store_true", help="only rewrite README.md from the metrics.json in --out")
    args = ap.parse_args()
    if args.card_only:
        with open(os.path.join(args.out, "metrics.json")) as f:
            info = json.load(f)
        info["architecture"].setdefault("head", args.head)
        with open(os.path.join(args.out, "README.md"), "w") as f:
            f.write(model_card(info))
        return

    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    torch.manual_seed(TORCH_SEED)
    torch.use_deterministic_algorithms(True)
    metrics_selftest()
    t_start = time.perf_counter()

    # 1. Data and the self-check against the digests of models/README.md
    tr_img = mf.read_idx(f"{args.data}/train-images-idx3-ubyte.gz")
    tr_lab = mf.read_idx(f"{args.data}/train-labels-idx1-ubyte.gz")
    te_img = mf.read_idx(f"{args.data}/t10k-images-idx3-ubyte.gz")
    te_lab = mf.read_idx(f"{args.data}/t10k-labels-idx1-ubyte.gz")
    test_rows = mf.test_recipe(len(te_lab))
    epoch0_rows = mf.train_recipe(len(tr_lab), TRAIN_SEED, 0)
    ok = digest_ok("test", te_img, te_lab, test_rows) & digest_ok("train seed 1 epoch 0", tr_img, tr_lab, epoch0_rows)
    if not ok:
        sys.exit("canvases do not match models/README.md's digests: stopping before training")
    te_x, te_left, te_right = render(te_img, te_lab, test_rows)

    # 2. Training
    net = MultiTaskResNet(args.width, args.hidden, args.head)
    params = sum(p.numel() for p in net.parameters())
    buffers = sum(b.numel() for n, b in net.named_buffers() if not n.endswith("num_batches_tracked"))
    log(f"model: width {args.width}, hidden {args.hidden}, {params:,} parameters (+{buffers:,} BN statistics), "
        f"{macs(args.width, args.hidden, args.head) / 1e6:.1f} M multiply-adds per canvas")
    n_train = args.limit or len(tr_lab)
    steps_per_epoch = math.ceil(n_train / args.batch)
    total_steps = args.epochs * steps_per_epoch
    opt = torch.optim.AdamW(net.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: (args.final_lr + 0.5 * (args.lr - args.final_lr) * (1 + math.cos(math.pi * min(s, total_steps) / total_steps))) / args.lr)
    history = []
    t_train = time.perf_counter()
    step = 0
    for epoch in range(args.epochs):
        t_ep = time.perf_counter()
        rows = epoch0_rows if epoch == 0 else mf.train_recipe(len(tr_lab), TRAIN_SEED, epoch)
        x, left, right = render(tr_img, tr_lab, rows[:n_train])
        present = multi_hot(left, right)
        net.train()
        sums = np.zeros(4)
        seen = 0
        for s in range(0, n_train, args.batch):
            xb = torch.from_numpy(x[s:s + args.batch].astype(np.float32) / np.float32(255)).unsqueeze(1)
            lb, rb = torch.from_numpy(left[s:s + args.batch]), torch.from_numpy(right[s:s + args.batch])
            pb = torch.from_numpy(present[s:s + args.batch])
            zl, zr, zp = net(xb)
            loss_l, loss_r = F.cross_entropy(zl, lb), F.cross_entropy(zr, rb)
            loss_p = F.binary_cross_entropy_with_logits(zp, pb)
            loss = loss_l + loss_r + loss_p
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            step += 1
            b = len(lb)
            seen += b
            sums += np.array([loss.item(), loss_l.item(), loss_r.item(), loss_p.item()]) * b
            if step % 100 == 0:
                m = sums / seen
                log(f"epoch {epoch} step {step}/{total_steps} loss {m[0]:.4f} (left {m[1]:.4f} right {m[2]:.4f} "
                    f"present {m[3]:.4f}) lr {sched.get_last_lr()[0]:.2e} {time.perf_counter() - t_train:.0f}s")
        m = sums / seen
        dt = time.perf_counter() - t_ep
        history.append({"epoch": epoch, "loss": round(m[0], 5), "left": round(m[1], 5), "right": round(m[2], 5),
                        "present": round(m[3], 5), "seconds": round(dt, 1)})
        log(f"epoch {epoch} done in {dt:.0f}s: train loss {m[0]:.4f} (left {m[1]:.4f} right {m[2]:.4f} present {m[3]:.4f})")
    train_seconds = time.perf_counter() - t_train
    log(f"training: {train_seconds:.0f}s ({train_seconds / 60:.1f} min) for {args.epochs} epochs")

    # 3. Export
    net.eval()
    os.makedirs(args.out, exist_ok=True)
    onnx_path = os.path.join(args.out, "multitask.onnx")
    m, ops, onnx_values = export_onnx(net, onnx_path)
    op_hist = {op: sum(1 for n in m.graph.node if n.op_type == op) for op in ops}
    log(f"exported {onnx_path}: {os.path.getsize(onnx_path):,} bytes, {onnx_values:,} initializer values, ops {op_hist}")

    # 4. Scores on the 10,000 test canvases
    probs = Probabilities(net).eval()
    left_p, right_p, present_p = predict(probs, te_x)
    metrics = evaluate(left_p, right_p, present_p, te_left, te_right)
    onnx_outs = run_onnx(m, te_x[:1000].astype(np.float32)[:, None] / np.float32(255))
    diff = max(float(np.abs(o - r[:1000]).max()) for o, r in zip(onnx_outs, (left_p, right_p, present_p)))
    log(f"ONNX graph (run with torch ops) vs PyTorch on 1,000 test canvases: max |diff| {diff:.2e}")
    assert diff < 1e-4, diff
    for task, vals in metrics.items():
        log(f"test {task}: " + ", ".join(f"{k} {v:.4f}" for k, v in vals.items()))
    total_seconds = time.perf_counter() - t_start

    info = {
        "model": "pytorch-multitask",
        "engine": f"PyTorch {torch.__version__} eval mode, float32 (onnxruntime is not available to /usr/bin/python3)",
        "samples": len(te_left),
        "tasks": metrics,
        "architecture": {"head": args.head, "width": args.width, "hidden": args.hidden, "parameters": params, "bn_statistics": buffers,
                         "onnx_initializer_values": onnx_values, "macs_per_canvas": macs(args.width, args.hidden, args.head),
                         "onnx_ops": op_hist, "onnx_bytes": os.path.getsize(onnx_path)},
        "training": {"epochs": args.epochs, "canvases_per_epoch": n_train, "batch": args.batch, "optimizer": "AdamW",
                     "lr": args.lr, "final_lr": args.final_lr, "weight_decay": args.weight_decay, "schedule": "cosine per step",
                     "data_seed": TRAIN_SEED, "torch_seed": TORCH_SEED, "threads": 1,
                     "train_seconds": round(train_seconds, 1), "total_seconds": round(total_seconds, 1),
                     "torch": torch.__version__, "onnx": onnx.__version__, "numpy": np.__version__,
                     "python": platform.python_version(), "history": history},
        "onnx_check": {"canvases": 1000, "max_abs_diff_vs_pytorch": diff},
    }
    with open(os.path.join(args.out, "metrics.json"), "w") as f:
        json.dump(info, f, indent=2)
        f.write("\n")
    with open(os.path.join(args.out, "README.md"), "w") as f:
        f.write(model_card(info))
    log(f"wrote metrics.json and README.md; total {total_seconds:.0f}s")


def model_card(info):
    a, t, m = info["architecture"], info["training"], info["tasks"]
    w, h = a["width"], a["hidden"]
    if a["head"] == "gap":
        head_row = f"| head | global average pool, flatten, dense {h} ReLU (shared) | {h} |"
    else:
        head_row = (f"| head | 3x3 average pool, stride 3 (a 3x3 grid), flatten ({4 * w * 9}), dense {h} ReLU (shared) | {h} |")
    ops = ", ".join(f"{k} {v}" for k, v in a["onnx_ops"].items())
    hist = "\n".join(f"| {e['epoch']} | {e['loss']:.4f} | {e['left']:.4f} | {e['right']:.4f} | {e['present']:.4f} | {e['seconds']:.0f} |"
                     for e in t["history"])
    return f"""# Model card: `pytorch-multitask`

A multi-task CNN for Multi-Fashion that Tern did **not** train: trained in PyTorch
({t['torch']}, Debian 12's `python3-torch`) by [`train_multitask.py`](train_multitask.py) and
exported to ONNX. It exists to check Tern on a model from another framework: `tern import`
of a PyTorch export (NCHW input, folded batch norm, residual adds, average pooling, three
heads ending in Softmax and Sigmoid nodes), and `tern eval` of the ONNX file and of its import against the
metrics PyTorch gives.

Files: `multitask.onnx` ({a['onnx_bytes']:,} bytes, opset 13), `metrics.json` (the numbers below and
the training log), `train_multitask.py` (data self-check, training, export, scoring, this card).

## Data
Multi-Fashion ([../README.md](../README.md#multi-fashion)), built by
[`../data/multifashion.py`](../data/multifashion.py), which the script imports. Before it trains,
the script checks that the canvases reproduce the sha256 digests pinned in models/README.md
(the test split, and training epoch seed 1 / epoch 0). Training: epoch e = 0 .. {t['epochs'] - 1} is
the training-epoch recipe (seed {t['data_seed']}, epoch e), {t['canvases_per_epoch']:,} fresh canvases in the recipe's
order. Test: the 10,000 test canvases.

## Interface
| | name | shape | what |
| --- | --- | --- | --- |
| input | `x` | `[n, 1, 36, 36]` float32 (NCHW, `n` dynamic) | pixels / 255 |
| output | `left` | `[n, 10]` | class of item A (top-left), softmax probabilities (a `Softmax` node) |
| output | `right` | `[n, 10]` | class of item B (bottom-right), softmax probabilities |
| output | `present` | `[n, 10]` | multi-hot of {{left, right}}, sigmoid probabilities (a `Sigmoid` node), threshold 0.5 |

Classes (Fashion-MNIST order): {", ".join(CLASSES)}. With one channel, NCHW `[1, 1, 36, 36]`
and NHWC `[1, 36, 36, 1]` are the same memory order, so Tern's built-in Multi-Fashion data
(1296 floats per canvas) feeds it as is.

`metadata_props`: `tern.model` = `pytorch-multitask`; `tern.tasks` = the task JSON of
docs/ONNX.md ("Tasks"): `left` and `right` multiclass, `present` multilabel with thresholds
0.5, labels the class names above, and `preprocessing` mean 0, std 255 (an 8-bit pixel p
enters as p / 255: `tern run` on a PNG, uint8 `x` in an `.npz` data set). The outputs hold
probabilities (no `logits` flag).

## Architecture
A small ResNet with basic blocks, hard parameter sharing:

| stage | layers | output |
| --- | --- | --- |
| stem | conv3x3({w})-BN-ReLU | {w} x 36 x 36 |
| 1 | basic block({w}) | {w} x 36 x 36 |
| 2 | basic block({2 * w}, stride 2, 1x1 projection), basic block({2 * w}) | {2 * w} x 18 x 18 |
| 3 | basic block({4 * w}, stride 2, 1x1 projection), basic block({4 * w}) | {4 * w} x 9 x 9 |
{head_row}
| tasks | three linear layers of 10: `left` softmax, `right` softmax, `present` sigmoid | 3 x 10 |

A basic block is conv3x3-BN-ReLU-conv3x3-BN, plus its input (or its 1x1 stride-2 conv-BN
projection), then ReLU. **{a['parameters']:,} trainable parameters** (+{a['bn_statistics']:,} batch-norm statistics);
the export folds batch norm into the convolutions, leaving {a['onnx_initializer_values']:,} values in the ONNX
initializers. {a['macs_per_canvas'] / 1e6:.1f} M multiply-adds per canvas. ONNX nodes: {ops}.

Why a 3x3 grid and not a global average pool before the dense layer: `left` and `right` are
positional (which item is top-left), and a global average keeps only what the receptive field
and the zero padding encode of position. In a one-epoch trial of this recipe (width 16), the
global pool (`--head gap`) ended the epoch at training cross-entropy 1.33 (`left`) and 0.615
test accuracy; the 3x3 grid at 0.93 (its test accuracy was not taken in that trial), for
66 k more parameters and the same multiply-adds.

## Training
Loss = cross-entropy (`left`) + cross-entropy (`right`) + mean binary cross-entropy over the
10 labels (`present`), weights 1. AdamW (beta 0.9/0.999, weight decay {t['weight_decay']}), learning rate
cosine-decayed per step from {t['lr']} to {t['final_lr']} over {t['epochs']} epochs, batch {t['batch']}; He-normal
convolutions, the last BN of each residual branch starting at zero. No augmentation beyond
the fresh canvases of each epoch. Seeds: data recipe seed {t['data_seed']}, `torch.manual_seed({t['torch_seed']})`; one
thread (`torch.set_num_threads(1)`), deterministic algorithms, data in the recipe's order, so
a rerun on the same machine and torch version gives the same weights.

**Cost: {t['train_seconds']:.0f} s ({t['train_seconds'] / 60:.1f} min) of training, {t['total_seconds']:.0f} s for the whole script**
(data check, training, export, scoring) on {cpu_name()} ({os.cpu_count()} vCPU), one thread; the second
core was busy with other work at times (the slower epochs below). torch {t['torch']}, onnx {t['onnx']}, numpy {t['numpy']}, Python {t['python']}.

| epoch | train loss | left CE | right CE | present BCE | seconds |
| --- | --- | --- | --- | --- | --- |
{hist}

## Metrics (10,000 test canvases)
Computed by the script with the definitions of Tern's evaluator, ported from
`compress/src/main/java/dev/tern/compress/eval/` (`Metrics`, `AveragePrecision`,
`Evaluator`): argmax and top-k ties go to the lower class index; `present` predicts a label
when its score is **>** 0.5; F1 with a zero denominator is 0 and counts in the macro mean;
AP is scikit-learn's (one threshold per distinct score, no interpolation), mAP over labels
with a positive. Engine: {info['engine']}. The exported graph, run node by node with torch
ops, gives the same outputs (max |diff| {info['onnx_check']['max_abs_diff_vs_pytorch']:.1e} on 1,000 test canvases).

| task | metric | value |
| --- | --- | --- |
| left | accuracy / top-3 | {m['left']['accuracy']:.4f} / {m['left']['top3_accuracy']:.4f} |
| right | accuracy / top-3 | {m['right']['accuracy']:.4f} / {m['right']['top3_accuracy']:.4f} |
| present | micro-F1 / macro-F1 | {m['present']['micro_f1']:.4f} / {m['present']['macro_f1']:.4f} |
| present | mAP | {m['present']['map']:.4f} |
| present | subset accuracy / Hamming loss | {m['present']['subset_accuracy']:.4f} / {m['present']['hamming_loss']:.4f} |

For comparison, Tern's own hard-sharing teacher (models/README.md, "Teachers and
baselines"; 1.4 M parameters, 9 epochs on 2 threads): left 0.8669, right 0.8670, present
micro-F1 0.8380, macro-F1 0.8339, mAP 0.9025, subset accuracy 0.5774.

## Rerun
Needs Debian 12's `python3-torch` (1.13), `python3-onnx` and `python3-numpy`
(`apt-get install python3-torch python3-onnx python3-numpy`); no download at run time.
```sh
/usr/bin/python3 models/pytorch/train_multitask.py          # writes multitask.onnx, metrics.json, README.md here
/usr/bin/python3 models/pytorch/train_multitask.py --epochs 1 --limit 2048 --out /tmp/pt  # a smoke test
```

## Use with Tern
```sh
./tern import models/pytorch/multitask.onnx --out /tmp/m.tern   # tasks from metadata_props tern.tasks
./tern eval /tmp/m.tern --json                                  # Tern's kernels on the 10,000 test canvases
./tern eval models/pytorch/multitask.onnx --json                # ONNX Runtime Java, same heads
```

Checked on the committed `multitask.onnx` with Tern at commit 0ffe3ad: the import takes the
three tasks from `tern.tasks` (29 nodes, 246,846 parameters, format 1.4), and both
`tern eval` runs (Tern's vector kernels on the import, ONNX Runtime Java 1.23.2 on the file)
give every metric in the table above exactly, except mAP, which differs from the script's
by less than 1e-7 (float rounding of scores near ties).

## Limits
- Synthetic benchmark (two Fashion-MNIST items on a black 36x36 canvas); nothing about
  photographs or other layouts.
- `present` uses the default 0.5 thresholds, untuned.
- Trained once, with one seed: differences of a few tenths of a point from another model
  are within what another seed could give.
"""


if __name__ == "__main__":
    main()
