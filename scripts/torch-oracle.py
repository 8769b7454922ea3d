#!/usr/bin/python3
"""Independent PyTorch oracle for every export of every assignment.

Run it with Debian's python, the one that has torch (the pyenv `python3` first on PATH has not):

    /usr/bin/python3 scripts/torch-oracle.py            # from the project root

It writes fixtures/oracle/<assignment>.json (gates, layers, classifiers, two-layer-net), each a
CaseFile as described in graders/cases/case.ts. test/unit/reference/oracle.test.ts runs the reference on every
case and compares with these values.

How the expected values are made
  * forward values with torch ops in float64 (torch.relu, torch.sigmoid, torch.tanh,
    F.leaky_relu, F.elu, torch.maximum, F.cross_entropy, torch.clamp for the hinge, ...);
  * gradients with torch.autograd.grad, given the case's random-normal upstream gradient
    (dout / dz), or, for scalar losses and graphs, d output / d input. No hand-derived gradient.
  * conventions of docs/api.md: losses are means over rows; linear classifiers add
    reg*sum(W^2); the net adds reg*(sum(W1^2) + sum(W2^2)) and leaves biases alone; biases are
    1xM; labels are lists of ints; maxout is the elementwise max of two affines.

Inputs are kept away from kinks by rejection (a centered difference across a kink says nothing):
|x| >= 1e-2 for relu/leakyRelu/elu, |z1 - z2| >= 1e-2 for maxout, every SVM margin
s_j - s_y + 1 (j != y) with |margin| >= 1e-2 and both active and inactive margins present, the
net's hidden pre-activations |X.W1 + b1| >= 1e-2, MaxGate |x - y| >= 1e-2, ReciprocalGate inputs
with |x| in [0.5, 2] (also inside graphs).

Replay: a case whose seed is "numpy:20261124:<id>" drew its inputs from
    np.random.default_rng([20261124, zlib.crc32(<id>.encode())])
in the order the case's builder below draws them. Every case has its own generator, so adding,
removing or reordering cases does not change the others. The output is deterministic: two runs
give byte-identical files.
"""

import json
import os
import sys
import zlib

import numpy as np
import torch
import torch.nn.functional as F

BASE_SEED = 20261124
GENERATOR = "scripts/torch-oracle.py"
KINK = 1e-2

torch.set_num_threads(1)
torch.set_default_dtype(torch.float64)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(ROOT, "fixtures", "oracle")


# ---------------------------------------------------------------------------------------------
# helpers


def rng_for(case_id):
    return np.random.default_rng([BASE_SEED, zlib.crc32(case_id.encode("utf-8"))])


def seed_of(case_id):
    return "numpy:%d:%s" % (BASE_SEED, case_id)


def t(a, grad=True):
    """A float64 leaf tensor from a numpy array or a Python float."""
    return torch.tensor(np.asarray(a, dtype=np.float64), dtype=torch.float64, requires_grad=grad)


def mat(a):
    """A matrix as a list of lists of Python floats (from numpy or torch)."""
    if isinstance(a, torch.Tensor):
        a = a.detach().numpy()
    a = np.asarray(a, dtype=np.float64)
    assert a.ndim == 2, a.shape
    assert np.all(np.isfinite(a)), "non-finite value"
    return [[float(v) for v in row] for row in a]


def num(v):
    if isinstance(v, torch.Tensor):
        v = v.detach().item()
    v = float(v)
    assert np.isfinite(v), "non-finite value"
    return v


def labels(y):
    return [int(v) for v in y]


def grads_of(out, leaves, upstream=None):
    """Autograd: gradients of `out` (with upstream `upstream`, or d out / d leaf for a scalar)."""
    g = torch.autograd.grad(out, leaves, grad_outputs=upstream, allow_unused=True)
    return [torch.zeros_like(l) if gi is None else gi for gi, l in zip(g, leaves)]


def away_from_zero(rng, shape, scale=1.0, delta=KINK):
    """Normal entries, each redrawn until |x| >= delta."""
    x = rng.normal(size=shape) * scale
    bad = np.abs(x) < delta
    while bad.any():
        x[bad] = rng.normal(size=int(bad.sum())) * scale
        bad = np.abs(x) < delta
    return x


def case(case_id, target, inputs, expected, exports=None):
    return {
        "id": case_id,
        "target": target,
        "exports": exports if exports is not None else [target],
        "seed": seed_of(case_id),
        "inputs": inputs,
        "expected": expected,
    }


def layer_exports(name):
    return [name + "Forward", name + "Backward"]


# ---------------------------------------------------------------------------------------------
# gates


def gate_forward(gtype, ctor, args):
    """The forward of one contract gate, in torch."""
    if gtype == "AddGate":
        return args[0] + args[1]
    if gtype == "MultiplyGate":
        return args[0] * args[1]
    if gtype == "MaxGate":
        return torch.maximum(args[0], args[1])
    if gtype == "ExpGate":
        return torch.exp(args[0])
    if gtype == "ReciprocalGate":
        return torch.reciprocal(args[0])
    if gtype == "ScaleGate":
        return ctor[0] * args[0]
    if gtype == "OffsetGate":
        return ctor[0] + args[0]
    if gtype == "SigmoidGate":
        return torch.sigmoid(args[0])
    raise ValueError(gtype)


def kink_ok(gtype, vals):
    """Whether a gate's (float) inputs are safely away from its kinks / poles."""
    if gtype == "MaxGate":
        return abs(vals[0] - vals[1]) >= KINK
    if gtype == "ReciprocalGate":
        return 0.5 <= abs(vals[0]) <= 2.0
    return True


def gate_case(gtype, k, draw):
    cid = "%s/%d" % (gtype, k)
    rng = rng_for(cid)
    while True:
        ctor, xs = draw(rng)
        if kink_ok(gtype, xs):
            break
    dz = float(rng.normal())
    leaves = [t(v) for v in xs]
    z = gate_forward(gtype, ctor, leaves)
    g = grads_of(z, leaves, t(dz, grad=False))
    inputs = {}
    if ctor is not None:
        inputs["ctor"] = [float(c) for c in ctor]
    inputs["x"] = [float(v) for v in xs]
    inputs["dz"] = dz
    return case(cid, gtype, inputs, {"z": num(z), "grads": [num(v) for v in g]})


def gate_cases():
    def two(rng):
        return None, [float(v) for v in rng.normal(size=2) * 2]

    def one(rng):
        return None, [float(rng.normal() * 1.5)]

    def recip(rng):
        mag = rng.uniform(0.5, 2.0)
        return None, [float(mag if rng.random() < 0.5 else -mag)]

    def maxgate(k):
        # k even: x wins, k odd: y wins
        def d(rng):
            a, b = rng.normal(size=2) * 2
            hi, lo = max(a, b), min(a, b)
            return None, [float(hi), float(lo)] if k % 2 == 0 else [float(lo), float(hi)]

        return d

    def scale(k):
        def d(rng):
            a = -1.0 if k == 0 else float(rng.uniform(-3, 3))
            return [a], [float(rng.normal() * 2)]

        return d

    def offset(k):
        def d(rng):
            c = 1.0 if k == 0 else float(rng.uniform(-3, 3))
            return [c], [float(rng.normal() * 2)]

        return d

    out = []
    for k in range(3):
        out.append(gate_case("AddGate", k, two))
    for k in range(3):
        out.append(gate_case("MultiplyGate", k, two))
    for k in range(4):
        out.append(gate_case("MaxGate", k, maxgate(k)))
    for k in range(3):
        out.append(gate_case("ExpGate", k, one))
    for k in range(4):
        out.append(gate_case("ReciprocalGate", k, recip))
    for k in range(3):
        out.append(gate_case("ScaleGate", k, scale(k)))
    for k in range(3):
        out.append(gate_case("OffsetGate", k, offset(k)))
    for k in range(3):
        out.append(gate_case("SigmoidGate", k, one))
    return out


# ---------------------------------------------------------------------------------------------
# computational graphs


def G(gtype, *ctor):
    g = {"type": gtype}
    if ctor:
        g["ctor"] = [float(c) for c in ctor]
    return g


def node(name, gate, inputs):
    return {"name": name, "gate": gate, "inputs": list(inputs)}


def eval_graph(spec, values):
    """Evaluate a GraphSpec in torch (nodes in any order). Returns (output, leaves, ok)."""
    leaves = {n: t(values[n]) for n in spec["inputs"]}
    by_name = {nd["name"]: nd for nd in spec["nodes"]}
    vals = dict(leaves)
    ok = [True]

    def get(name):
        if name not in vals:
            nd = by_name[name]
            args = [get(i) for i in nd["inputs"]]
            gt = nd["gate"]["type"]
            if not kink_ok(gt, [a.item() for a in args]):
                ok[0] = False
            vals[name] = gate_forward(gt, nd["gate"].get("ctor"), args)
        return vals[name]

    out = get(spec["output"])
    # every node is evaluated, even one the output does not need (checks its kinks too)
    for nd in spec["nodes"]:
        get(nd["name"])
    return out, leaves, ok[0]


LECTURE_ADD_MUL = {
    "inputs": ["x", "y", "z"],
    "nodes": [
        node("q", G("AddGate"), ["x", "y"]),
        node("f", G("MultiplyGate"), ["q", "z"]),
    ],
    "output": "f",
}

# f = 1 / (1 + exp(-(w0*x0 + w1*x1 + w2)))
SIGMOID_NEURON = {
    "inputs": ["w0", "x0", "w1", "x1", "w2"],
    "nodes": [
        node("p0", G("MultiplyGate"), ["w0", "x0"]),
        node("p1", G("MultiplyGate"), ["w1", "x1"]),
        node("s01", G("AddGate"), ["p0", "p1"]),
        node("s", G("AddGate"), ["s01", "w2"]),
        node("neg", G("ScaleGate", -1), ["s"]),
        node("e", G("ExpGate"), ["neg"]),
        node("den", G("OffsetGate", 1), ["e"]),
        node("f", G("ReciprocalGate"), ["den"]),
    ],
    "output": "f",
}

# f = (x*y) + max(x, z): x feeds two nodes
FANOUT_INPUT = {
    "inputs": ["x", "y", "z"],
    "nodes": [
        node("xy", G("MultiplyGate"), ["x", "y"]),
        node("m", G("MaxGate"), ["x", "z"]),
        node("f", G("AddGate"), ["xy", "m"]),
    ],
    "output": "f",
}

# f = x*x: one gate takes the same value twice
SQUARE = {
    "inputs": ["x"],
    "nodes": [node("f", G("MultiplyGate"), ["x", "x"])],
    "output": "f",
}

# q = x + y feeds three nodes: f = q*z + max(q, z) + sigmoid(q)
FANOUT_NODE = {
    "inputs": ["x", "y", "z"],
    "nodes": [
        node("q", G("AddGate"), ["x", "y"]),
        node("qz", G("MultiplyGate"), ["q", "z"]),
        node("m", G("MaxGate"), ["q", "z"]),
        node("sg", G("SigmoidGate"), ["q"]),
        node("a", G("AddGate"), ["qz", "m"]),
        node("f", G("AddGate"), ["a", "sg"]),
    ],
    "output": "f",
}

# the sigmoid neuron with its nodes listed output-first (not in topological order)
SIGMOID_NEURON_SHUFFLED = {
    "inputs": ["w0", "x0", "w1", "x1", "w2"],
    "nodes": [SIGMOID_NEURON["nodes"][i] for i in (7, 2, 5, 0, 6, 3, 1, 4)],
    "output": "f",
}

# every gate type, nodes listed output-first (not in topological order), x and z feed two nodes:
# f = sigmoid(2.5*x + y) * exp(-0.5*z) * 1 / (1.5 + max(x, z))
MIXED_UNORDERED = {
    "inputs": ["x", "y", "z"],
    "nodes": [
        node("f", G("MultiplyGate"), ["num", "r"]),
        node("r", G("ReciprocalGate"), ["den"]),
        node("num", G("MultiplyGate"), ["sg", "ez"]),
        node("den", G("OffsetGate", 1.5), ["mx"]),
        node("mx", G("MaxGate"), ["x", "z"]),
        node("sg", G("SigmoidGate"), ["lin"]),
        node("lin", G("AddGate"), ["ax", "y"]),
        node("ax", G("ScaleGate", 2.5), ["x"]),
        node("ez", G("ExpGate"), ["hz"]),
        node("hz", G("ScaleGate", -0.5), ["z"]),
    ],
    "output": "f",
}


def graph_case(name, k, spec, draw):
    cid = "ComputationalGraph/%s/%d" % (name, k)
    rng = rng_for(cid)
    while True:
        values = draw(rng)
        values = {n: float(values[n]) for n in spec["inputs"]}
        out, leaves, ok = eval_graph(spec, values)
        if ok:
            break
    names = spec["inputs"]
    g = grads_of(out, [leaves[n] for n in names])
    return case(
        cid,
        "ComputationalGraph",
        {"graph": spec, "values": values},
        {"value": num(out), "grads": {n: num(v) for n, v in zip(names, g)}},
    )


def graph_cases():
    def normal(names, scale=1.5):
        return lambda rng: {n: rng.normal() * scale for n in names}

    def fixed(values):
        return lambda rng: dict(values)

    neuron = ["w0", "x0", "w1", "x1", "w2"]
    lecture_neuron = {"w0": 2.0, "x0": -1.0, "w1": -3.0, "x1": -2.0, "w2": -3.0}
    out = [graph_case("lecture-add-mul", 0, LECTURE_ADD_MUL, fixed({"x": -2.0, "y": 5.0, "z": -4.0}))]
    for k in (1, 2):
        out.append(graph_case("lecture-add-mul", k, LECTURE_ADD_MUL, normal(["x", "y", "z"], 3)))
    out.append(graph_case("sigmoid-neuron", 0, SIGMOID_NEURON, fixed(lecture_neuron)))
    for k in (1, 2):
        out.append(graph_case("sigmoid-neuron", k, SIGMOID_NEURON, normal(neuron)))
    for k in range(3):
        out.append(graph_case("fanout-input", k, FANOUT_INPUT, normal(["x", "y", "z"])))
    for k in range(2):
        out.append(graph_case("square", k, SQUARE, normal(["x"])))
    for k in range(3):
        out.append(graph_case("fanout-node", k, FANOUT_NODE, normal(["x", "y", "z"])))
    out.append(graph_case("sigmoid-neuron-unordered", 0, SIGMOID_NEURON_SHUFFLED, fixed(lecture_neuron)))
    for k in (1, 2):
        out.append(graph_case("sigmoid-neuron-unordered", k, SIGMOID_NEURON_SHUFFLED, normal(neuron)))
    for k in range(3):
        out.append(graph_case("mixed-unordered", k, MIXED_UNORDERED, normal(["x", "y", "z"], 1.0)))
    return out


# ---------------------------------------------------------------------------------------------
# layers

ELEMENTWISE_SHAPES = [(3, 5), (1, 7), (6, 4)]
AFFINE_SHAPES = [(3, 5, 7), (1, 4, 3), (6, 4, 2)]


def shape_tag(shape):
    return "x".join(str(s) for s in shape)


def affine_case(shape, k=0):
    n, d, m = shape
    cid = "affine/%s/%d" % (shape_tag(shape), k)
    rng = rng_for(cid)
    x = rng.normal(size=(n, d))
    w = rng.normal(size=(d, m))
    b = rng.normal(size=(1, m))
    dout = rng.normal(size=(n, m))
    tx, tw, tb = t(x), t(w), t(b)
    out = tx @ tw + tb
    dx, dw, db = grads_of(out, [tx, tw, tb], t(dout, grad=False))
    return case(
        cid,
        "affine",
        {"x": mat(x), "w": mat(w), "b": mat(b), "dout": mat(dout)},
        {"out": mat(out), "dx": mat(dx), "dw": mat(dw), "db": mat(db)},
        layer_exports("affine"),
    )


def elementwise_case(name, shape, fn, kinked, param=None, tag=None, k=0):
    """param: None (use the default: the input is omitted) or (input name, value)."""
    cid = "%s/%s/%s%d" % (name, shape_tag(shape), (tag + "/") if tag else "", k)
    rng = rng_for(cid)
    x = away_from_zero(rng, shape, 1.5) if kinked else rng.normal(size=shape) * 1.5
    dout = rng.normal(size=shape)
    tx = t(x)
    out = fn(tx)
    (dx,) = grads_of(out, [tx], t(dout, grad=False))
    inputs = {"x": mat(x)}
    if param is not None:
        inputs[param[0]] = float(param[1])
    inputs["dout"] = mat(dout)
    return case(cid, name, inputs, {"out": mat(out), "dx": mat(dx)}, layer_exports(name))


def maxout_case(shape, k=0):
    n, d, m = shape
    cid = "maxout/%s/%d" % (shape_tag(shape), k)
    rng = rng_for(cid)
    while True:
        x = rng.normal(size=(n, d))
        w1 = rng.normal(size=(d, m))
        b1 = rng.normal(size=(1, m))
        w2 = rng.normal(size=(d, m))
        b2 = rng.normal(size=(1, m))
        if np.min(np.abs((x @ w1 + b1) - (x @ w2 + b2))) >= KINK:
            break
    dout = rng.normal(size=(n, m))
    tx, tw1, tb1, tw2, tb2 = t(x), t(w1), t(b1), t(w2), t(b2)
    z1 = tx @ tw1 + tb1
    z2 = tx @ tw2 + tb2
    out = torch.maximum(z1, z2)
    g = grads_of(out, [tx, tw1, tb1, tw2, tb2], t(dout, grad=False))
    return case(
        cid,
        "maxout",
        {"x": mat(x), "w1": mat(w1), "b1": mat(b1), "w2": mat(w2), "b2": mat(b2), "dout": mat(dout)},
        dict(zip(["out", "dx", "dw1", "db1", "dw2", "db2"], [mat(out)] + [mat(v) for v in g])),
        layer_exports("maxout"),
    )


def layer_cases():
    out = [affine_case(s) for s in AFFINE_SHAPES]
    for s in ELEMENTWISE_SHAPES:
        out.append(elementwise_case("relu", s, torch.relu, True))
    for s in ELEMENTWISE_SHAPES:
        out.append(elementwise_case("sigmoid", s, torch.sigmoid, False))
    for s in ELEMENTWISE_SHAPES:
        out.append(elementwise_case("tanh", s, torch.tanh, False))
    for s, slope in zip(ELEMENTWISE_SHAPES, (0.2, 0.01, 0.3)):
        out.append(
            elementwise_case("leakyRelu", s, lambda x: F.leaky_relu(x, negative_slope=0.1), True, tag="default")
        )
        out.append(
            elementwise_case(
                "leakyRelu",
                s,
                lambda x, a=slope: F.leaky_relu(x, negative_slope=a),
                True,
                param=("slope", slope),
                tag="slope",
            )
        )
    for s, alpha in zip(ELEMENTWISE_SHAPES, (0.5, 2.0, 1.5)):
        out.append(elementwise_case("elu", s, lambda x: F.elu(x, alpha=1.0), True, tag="default"))
        out.append(
            elementwise_case(
                "elu", s, lambda x, a=alpha: F.elu(x, alpha=a), True, param=("alpha", alpha), tag="alpha"
            )
        )
    out += [maxout_case(s) for s in AFFINE_SHAPES]
    return out


# ---------------------------------------------------------------------------------------------
# classifiers

LOSS_SHAPES = [(3, 5), (5, 4), (1, 3)]
LINEAR_SHAPES = [(3, 6, 5), (5, 3, 4), (1, 4, 3)]


def svm_margins_ok(scores, y):
    n, c = scores.shape
    marg = scores - scores[np.arange(n), y][:, None] + 1.0
    mask = np.ones_like(marg, dtype=bool)
    mask[np.arange(n), y] = False
    mj = marg[mask]
    return np.min(np.abs(mj)) >= KINK and (mj > 0).any() and (mj < 0).any()


def torch_svm(scores, y):
    """Mean over rows of sum_{j != y} max(0, s_j - s_y + 1), with torch.clamp."""
    n, c = scores.shape
    yt = torch.tensor(y, dtype=torch.long)
    sy = scores.gather(1, yt[:, None])
    hinge = torch.clamp(scores - sy + 1.0, min=0.0)
    noty = torch.ones(n, c, dtype=torch.float64)
    noty[torch.arange(n), yt] = 0.0
    return (hinge * noty).sum() / n


def torch_softmax_loss(scores, y):
    return F.cross_entropy(scores, torch.tensor(y, dtype=torch.long), reduction="mean")


def svm_loss_case(shape, k):
    n, c = shape
    cid = "svmLoss/%s/%d" % (shape_tag(shape), k)
    rng = rng_for(cid)
    while True:
        scores = rng.normal(size=(n, c))
        y = rng.integers(0, c, size=n)
        if svm_margins_ok(scores, y):
            break
    ts = t(scores)
    loss = torch_svm(ts, labels(y))
    (ds,) = grads_of(loss, [ts])
    return case(cid, "svmLoss", {"scores": mat(scores), "y": labels(y)}, {"loss": num(loss), "dscores": mat(ds)})


def softmax_loss_case(shape, k, large=False):
    n, c = shape
    cid = "softmaxLoss/%s/%s%d" % (shape_tag(shape), "large/" if large else "", k)
    rng = rng_for(cid)
    if large:
        # entries near +1e4 or -1e4 (O(1) apart within the +1e4 cluster), at least one +1e4 a row
        while True:
            sign = rng.choice([-1.0, 1.0], size=(n, c))
            if (sign > 0).any(axis=1).all() and (sign < 0).any():
                break
        scores = sign * 1e4 + rng.normal(size=(n, c))
    else:
        scores = rng.normal(size=(n, c)) * 2
    y = rng.integers(0, c, size=n)
    if large:
        y[0] = int(np.argmin(scores[0]))  # a row whose label sits at -1e4: a loss near 2e4
    ts = t(scores)
    loss = torch_softmax_loss(ts, labels(y))
    (ds,) = grads_of(loss, [ts])
    return case(
        cid, "softmaxLoss", {"scores": mat(scores), "y": labels(y)}, {"loss": num(loss), "dscores": mat(ds)}
    )


def linear_case(target, shape, reg, k, large=False):
    n, d, c = shape
    cid = "%s/%s/reg=%s/%s%d" % (target, shape_tag(shape), repr(reg), "large/" if large else "", k)
    rng = rng_for(cid)
    while True:
        X = rng.normal(size=(n, d))
        W = rng.normal(size=(d, c)) * (5e3 if large else 0.7)
        y = rng.integers(0, c, size=n)
        if target != "linearSvmLoss" or svm_margins_ok(X @ W, y):
            break
    tW, tX = t(W), t(X, grad=False)
    scores = tX @ tW
    data = torch_svm(scores, labels(y)) if target == "linearSvmLoss" else torch_softmax_loss(scores, labels(y))
    loss = data + reg * (tW * tW).sum()
    (dW,) = grads_of(loss, [tW])
    return case(
        cid,
        target,
        {"W": mat(W), "X": mat(X), "y": labels(y), "reg": float(reg)},
        {"loss": num(loss), "dW": mat(dW)},
    )


def classifier_cases():
    out = []
    for s in LOSS_SHAPES:
        for k in range(2):
            out.append(svm_loss_case(s, k))
    for s in LOSS_SHAPES:
        out.append(softmax_loss_case(s, 0))
    out.append(softmax_loss_case((3, 5), 0, large=True))
    out.append(softmax_loss_case((4, 3), 1, large=True))
    for target in ("linearSvmLoss", "linearSoftmaxLoss"):
        for s, reg in zip(LINEAR_SHAPES, (0.05, 0.5, 1.25)):
            out.append(linear_case(target, s, 0.0, 0))
            out.append(linear_case(target, s, reg, 0))
    out.append(linear_case("linearSoftmaxLoss", (3, 4, 5), 0.0, 0, large=True))
    return out


# ---------------------------------------------------------------------------------------------
# two-layer net

NET_SHAPES = [(4, 5, 7, 3), (2, 3, 6, 4), (1, 3, 4, 2)]


def draw_net(rng, shape):
    n, d, h, c = shape
    while True:
        X = rng.normal(size=(n, d))
        W1 = rng.normal(size=(d, h)) / np.sqrt(d)
        b1 = rng.normal(size=(1, h)) * 0.3
        if np.min(np.abs(X @ W1 + b1)) >= KINK:
            break
    W2 = rng.normal(size=(h, c)) / np.sqrt(h)
    b2 = rng.normal(size=(1, c)) * 0.3
    return X, W1, b1, W2, b2


def net_forward(tX, tW1, tb1, tW2, tb2):
    return torch.relu(tX @ tW1 + tb1) @ tW2 + tb2


def net_scores_case(shape, k=0):
    cid = "twoLayerNetScores/%s/%d" % (shape_tag(shape), k)
    rng = rng_for(cid)
    X, W1, b1, W2, b2 = draw_net(rng, shape)
    scores = net_forward(*(t(a, grad=False) for a in (X, W1, b1, W2, b2)))
    return case(
        cid,
        "twoLayerNetScores",
        {"W1": mat(W1), "b1": mat(b1), "W2": mat(W2), "b2": mat(b2), "X": mat(X)},
        {"scores": mat(scores)},
    )


def net_loss_case(shape, reg, k=0):
    n, d, h, c = shape
    cid = "twoLayerNetLoss/%s/reg=%s/%d" % (shape_tag(shape), repr(reg), k)
    rng = rng_for(cid)
    X, W1, b1, W2, b2 = draw_net(rng, shape)
    y = rng.integers(0, c, size=n)
    tX = t(X, grad=False)
    tW1, tb1, tW2, tb2 = t(W1), t(b1), t(W2), t(b2)
    scores = net_forward(tX, tW1, tb1, tW2, tb2)
    loss = torch_softmax_loss(scores, labels(y)) + reg * ((tW1 * tW1).sum() + (tW2 * tW2).sum())
    g = grads_of(loss, [tW1, tb1, tW2, tb2])
    return case(
        cid,
        "twoLayerNetLoss",
        {"W1": mat(W1), "b1": mat(b1), "W2": mat(W2), "b2": mat(b2), "X": mat(X), "y": labels(y), "reg": float(reg)},
        dict(zip(["loss", "dW1", "db1", "dW2", "db2"], [num(loss)] + [mat(v) for v in g])),
    )


def net_cases():
    out = [net_scores_case(s) for s in NET_SHAPES]
    for s, reg in zip(NET_SHAPES, (0.1, 0.025, 0.5)):
        out.append(net_loss_case(s, 0.0))
        out.append(net_loss_case(s, reg))
    return out


# ---------------------------------------------------------------------------------------------


def write(assignment, cases):
    ids = [c["id"] for c in cases]
    assert len(ids) == len(set(ids)), "duplicate case ids in " + assignment
    doc = {"format": 1, "assignment": assignment, "generator": GENERATOR, "cases": cases}
    text = json.dumps(doc, indent=1, allow_nan=False, ensure_ascii=True) + "\n"
    os.makedirs(OUT_DIR, exist_ok=True)
    path = os.path.join(OUT_DIR, assignment + ".json")
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    print("%s: %d cases -> %s" % (assignment, len(cases), os.path.relpath(path, ROOT)))


def main():
    print("torch %s, numpy %s, python %s" % (torch.__version__, np.__version__, sys.version.split()[0]))
    write("gates", gate_cases() + graph_cases())
    write("layers", layer_cases())
    write("classifiers", classifier_cases())
    write("two-layer-net", net_cases())


if __name__ == "__main__":
    main()
