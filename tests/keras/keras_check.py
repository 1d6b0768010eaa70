#!/usr/bin/python3
"""nnc tests: Keras frontend vs an independent reader: h5py reads the weights, a numpy forward pass written here
computes the reference, `host exec` runs nnc; outputs must agree within 1e-4 relative (max |d| / max |ref|).

Usage: keras_check.py --host BUILD/bin/host --work DIR (--model FILE.h5 | --json F.json --weights W.h5
       | --synthetic NAME) [--seed N]
Synthetic models are written here with h5py in the Keras 2 legacy layout (model_config + model_weights), covering
layers the real files lack; their numpy reference follows Keras' documented formulas.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys

try:
    import numpy as np
except ImportError:
    sys.exit("keras_check.py needs numpy: apt-get install python3-numpy")
try:
    import h5py
except ImportError:
    sys.exit("keras_check.py needs h5py: apt-get install python3-h5py")


# ---------------------------------------------------------------------------------------------------------------
# numpy reference of the Keras layers (channels_last and channels_first), float64 accumulation.

def tf_pad(n, k, s, d, padding):
    ke = (k - 1) * d + 1
    if padding == "valid":
        return (n - ke) // s + 1, 0, 0
    out = -(-n // s)
    total = max((out - 1) * s + ke - n, 0)
    return out, total // 2, total - total // 2


def to_nhwc(x, cfg):
    return x.transpose(0, 2, 3, 1) if cfg.get("data_format") == "channels_first" else x


def from_nhwc(y, cfg):
    return y.transpose(0, 3, 1, 2) if cfg.get("data_format") == "channels_first" else y


def pair(v, n=2):
    return [v] * n if isinstance(v, int) else list(v)


def conv_nhwc(x, k, strides, dil, padding, groups=1):
    """x [N,H,W,C], k [kh,kw,C/g,F]: straightforward einsum over kernel taps."""
    n, h, w, c = x.shape
    kh, kw, cg, f = k.shape
    oh, pt, pb = tf_pad(h, kh, strides[0], dil[0], padding)
    ow, pl, pr = tf_pad(w, kw, strides[1], dil[1], padding)
    xp = np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)))
    out = np.zeros((n, oh, ow, f))
    fg = f // groups
    for i in range(kh):
        for j in range(kw):
            ys = i * dil[0]
            xs = j * dil[1]
            patch = xp[:, ys:ys + strides[0] * (oh - 1) + 1:strides[0], xs:xs + strides[1] * (ow - 1) + 1:strides[1], :]
            for g in range(groups):
                out[..., g * fg:(g + 1) * fg] += np.einsum("nhwc,cf->nhwf", patch[..., g * cg:(g + 1) * cg],
                                                           k[i, j, :, g * fg:(g + 1) * fg])
    return out


def depthwise_nhwc(x, k, strides, dil, padding):
    n, h, w, c = x.shape
    kh, kw, _, m = k.shape
    oh, pt, pb = tf_pad(h, kh, strides[0], dil[0], padding)
    ow, pl, pr = tf_pad(w, kw, strides[1], dil[1], padding)
    xp = np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)))
    out = np.zeros((n, oh, ow, c, m))
    for i in range(kh):
        for j in range(kw):
            patch = xp[:, i * dil[0]:i * dil[0] + strides[0] * (oh - 1) + 1:strides[0],
                       j * dil[1]:j * dil[1] + strides[1] * (ow - 1) + 1:strides[1], :]
            out += patch[..., None] * k[i, j][None, None, None]
    return out.reshape(n, oh, ow, c * m)


def conv_transpose_nhwc(x, k, strides, padding, out_pad=None):
    """Scatter form of the transposed convolution, cropped as TF's conv2d_transpose does."""
    n, h, w, c = x.shape
    kh, kw, f, _ = k.shape
    full_h = (h - 1) * strides[0] + kh
    full_w = (w - 1) * strides[1] + kw
    full = np.zeros((n, full_h + kh, full_w + kw, f))
    for i in range(h):
        for j in range(w):
            full[:, i * strides[0]:i * strides[0] + kh, j * strides[1]:j * strides[1] + kw, :] += np.einsum(
                "nc,abfc->nabf", x[:, i, j, :], k)

    def length(n_in, ks, s, op):
        if op is None:
            return n_in * s + max(ks - s, 0) if padding == "valid" else n_in * s
        pad = ks // 2 if padding == "same" else 0
        return (n_in - 1) * s + ks - 2 * pad + op

    oh = length(h, kh, strides[0], None if out_pad is None else out_pad[0])
    ow = length(w, kw, strides[1], None if out_pad is None else out_pad[1])

    def begin(L, ks, s):
        if padding != "same":
            return 0
        total = max((-(-L // s) - 1) * s + ks - L, 0)
        return total // 2

    bh, bw = begin(oh, kh, strides[0]), begin(ow, kw, strides[1])
    return full[:, bh:bh + oh, bw:bw + ow, :]


def pool_nhwc(x, k, s, padding, kind):
    n, h, w, c = x.shape
    oh, pt, pb = tf_pad(h, k[0], s[0], 1, padding)
    ow, pl, pr = tf_pad(w, k[1], s[1], 1, padding)
    fill = -np.inf if kind == "max" else 0.0
    xp = np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)), constant_values=fill)
    ones = np.pad(np.ones((1, h, w, 1)), ((0, 0), (pt, pb), (pl, pr), (0, 0)))
    out = np.full((n, oh, ow, c), fill)
    cnt = np.zeros((1, oh, ow, 1))
    for i in range(k[0]):
        for j in range(k[1]):
            sl = (slice(None), slice(i, i + s[0] * (oh - 1) + 1, s[0]), slice(j, j + s[1] * (ow - 1) + 1, s[1]))
            if kind == "max":
                out = np.maximum(out, xp[sl])
            else:
                out = out + xp[sl]
                cnt = cnt + ones[sl]
    return out if kind == "max" else out / cnt


def activation(x, name, keras_major=2):
    if name in (None, "linear"):
        return x
    if name == "relu":
        return np.maximum(x, 0)
    if name == "relu6":
        return np.clip(x, 0, 6)
    if name == "sigmoid":
        return 1 / (1 + np.exp(-x))
    if name == "tanh":
        return np.tanh(x)
    if name == "softmax":
        e = np.exp(x - x.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)
    if name in ("swish", "silu"):
        return x / (1 + np.exp(-x))
    if name == "hard_sigmoid":
        return np.clip(x / 6 + 0.5, 0, 1) if keras_major >= 3 else np.clip(0.2 * x + 0.5, 0, 1)
    if name in ("hard_swish", "hard_silu"):
        return x * np.clip(x + 3, 0, 6) / 6
    if name == "elu":
        return np.where(x > 0, x, np.exp(x) - 1)
    if name == "softplus":
        return np.log1p(np.exp(x))
    if name == "gelu":
        from math import erf, sqrt
        return 0.5 * x * (1 + np.vectorize(erf)(x / sqrt(2)))
    raise ValueError("reference lacks activation " + name)


def layer_forward(cls, cfg, ins, w, keras_major):
    x = ins[0]
    if cls in ("Conv2D", "DepthwiseConv2D", "SeparableConv2D", "Conv2DTranspose"):
        xn = to_nhwc(x, cfg)
        s = pair(cfg.get("strides", 1))
        d = pair(cfg.get("dilation_rate", 1))
        pad = cfg.get("padding", "valid")
        if cls == "Conv2D":
            y = conv_nhwc(xn, w["kernel"], s, d, pad, cfg.get("groups", 1))
        elif cls == "DepthwiseConv2D":
            y = depthwise_nhwc(xn, w["depthwise_kernel"], s, d, pad)
        elif cls == "SeparableConv2D":
            y = conv_nhwc(depthwise_nhwc(xn, w["depthwise_kernel"], s, d, pad), w["pointwise_kernel"], [1, 1], [1, 1],
                          "valid")
        else:
            y = conv_transpose_nhwc(xn, w["kernel"], s, pad, cfg.get("output_padding"))
        if "bias" in w:
            y = y + w["bias"]
        return [from_nhwc(activation(y, cfg.get("activation"), keras_major), cfg)]
    if cls == "Dense":
        y = x @ w["kernel"] + w.get("bias", 0)
        return [activation(y, cfg.get("activation"), keras_major)]
    if cls == "BatchNormalization":
        ax = cfg.get("axis", -1)
        ax = ax[0] if isinstance(ax, list) else ax
        ax = ax % x.ndim
        shp = [1] * x.ndim
        shp[ax] = x.shape[ax]
        g = w.get("gamma", 1.0)
        b = w.get("beta", 0.0)
        r = lambda v: np.reshape(v, shp) if np.ndim(v) else v
        return [(x - r(w["moving_mean"])) / np.sqrt(r(w["moving_variance"]) + cfg.get("epsilon", 1e-3)) * r(g) + r(b)]
    if cls == "Activation":
        return [activation(x, cfg["activation"], keras_major)]
    if cls == "ReLU":
        th = cfg.get("threshold", 0.0) or 0.0
        sl = cfg.get("negative_slope", 0.0) or 0.0
        y = np.where(x >= th, x, sl * (x - th))
        if cfg.get("max_value") is not None:
            y = np.minimum(y, cfg["max_value"])
        return [y]
    if cls == "LeakyReLU":
        a = cfg.get("alpha", cfg.get("negative_slope", 0.3))
        return [np.where(x >= 0, x, a * x)]
    if cls == "PReLU":
        return [np.where(x >= 0, x, w["alpha"] * x)]
    if cls in ("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate"):
        if cls == "Add":
            return [sum(ins)]
        if cls == "Subtract":
            return [ins[0] - ins[1]]
        if cls == "Multiply":
            return [np.prod(ins, axis=0)]
        if cls == "Average":
            return [sum(ins) / len(ins)]
        if cls == "Maximum":
            return [np.max(ins, axis=0)]
        if cls == "Minimum":
            return [np.min(ins, axis=0)]
        return [np.concatenate(ins, axis=cfg.get("axis", -1))]
    if cls in ("MaxPooling2D", "AveragePooling2D"):
        k = pair(cfg.get("pool_size", 2))
        s = pair(cfg["strides"]) if cfg.get("strides") is not None else k
        y = pool_nhwc(to_nhwc(x, cfg), k, s, cfg.get("padding", "valid"), "max" if cls[0] == "M" else "avg")
        return [from_nhwc(y, cfg)]
    if cls in ("GlobalAveragePooling2D", "GlobalMaxPooling2D"):
        axes = (2, 3) if cfg.get("data_format") == "channels_first" else (1, 2)
        f = np.mean if "Average" in cls else np.max
        return [f(x, axis=axes, keepdims=bool(cfg.get("keepdims", False)))]
    if cls == "ZeroPadding2D":
        p = cfg["padding"]
        p = [[p, p], [p, p]] if isinstance(p, int) else ([[p[0], p[0]], [p[1], p[1]]] if isinstance(p[0], int) else p)
        pads = [(0, 0), tuple(p[0]), tuple(p[1]), (0, 0)]
        if cfg.get("data_format") == "channels_first":
            pads = [(0, 0), (0, 0), tuple(p[0]), tuple(p[1])]
        return [np.pad(x, pads)]
    if cls == "UpSampling2D":
        sz = pair(cfg.get("size", 2))
        xn = to_nhwc(x, cfg)
        return [from_nhwc(xn.repeat(sz[0], axis=1).repeat(sz[1], axis=2), cfg)]
    if cls == "Reshape":
        return [x.reshape((x.shape[0],) + tuple(cfg["target_shape"]))]
    if cls == "Flatten":
        if cfg.get("data_format") == "channels_first" and x.ndim >= 3:
            x = np.moveaxis(x, 1, -1)
        return [x.reshape(x.shape[0], -1)]
    if cls in ("Dropout", "SpatialDropout2D", "GaussianNoise"):
        return [x]
    if cls == "Rescaling":
        return [x * cfg.get("scale", 1.0) + cfg.get("offset", 0.0)]
    if cls == "Softmax":
        ax = cfg.get("axis", -1)
        e = np.exp(x - x.max(axis=ax, keepdims=True))
        return [e / e.sum(axis=ax, keepdims=True)]
    raise ValueError("reference lacks layer class " + cls)


def read_weights(group, names):
    """Weights of one layer group, by short name ("kernel"), read with h5py."""
    out = {}
    for wn in names:
        wn = wn.decode() if isinstance(wn, bytes) else wn
        short = wn.split("/")[-1].split(":")[0]
        out[short] = np.asarray(group[wn], dtype=np.float64)
    return out


def inbound_refs(call):
    """Keras 2 [["name", node, index, {}], ...] or Keras 3 {"args": [... __keras_tensor__ ...]}."""
    if isinstance(call, list):
        return [(r[0], r[1], r[2]) for r in call]
    refs = []

    def walk(j):
        if isinstance(j, dict):
            if j.get("class_name") == "__keras_tensor__":
                h = j["config"]["keras_history"]
                refs.append((h[0], h[1], h[2]))
                return
            for k, v in j.items():
                if k != "kwargs":
                    walk(v)
        elif isinstance(j, list):
            for v in j:
                walk(v)
    walk(call)
    return refs


def forward_nested(model_cfg, pool, xs, keras_major):
    """A model used as a layer: weights from the nested group's datasets, by the layer name in their path."""
    cfg = model_cfg["config"]

    def weights_of(name):
        return {k.split("/")[-1].split(":")[0]: v for k, v in pool.items() if k.split("/")[-2] == name}
    if model_cfg["class_name"] == "Sequential":
        x = xs[0]
        for l in cfg["layers"]:
            if l["class_name"] != "InputLayer":
                x = layer_forward(l["class_name"], l["config"], [x], weights_of(l["config"]["name"]), keras_major)[0]
        return [x]
    raise ValueError("reference: nested Functional not implemented")


def forward(model_cfg, wroot, x, keras_major):
    cls = model_cfg["class_name"]
    cfg = model_cfg["config"]
    layer_names = [n.decode() if isinstance(n, bytes) else n for n in wroot.attrs["layer_names"]]

    def weights_of(name):
        g = wroot[name]
        return read_weights(g, g.attrs.get("weight_names", []))

    if cls == "Sequential":
        layers = cfg if isinstance(cfg, list) else cfg["layers"]
        file_weighted = [n for n in layer_names if len(wroot[n].attrs.get("weight_names", [])) > 0]
        weighted_iter = iter(file_weighted)
        for l in layers:
            if l["class_name"] == "InputLayer":
                continue
            name = l["config"]["name"]
            has_w = l["class_name"] in ("Conv2D", "Dense", "DepthwiseConv2D", "BatchNormalization", "SeparableConv2D",
                                        "Conv2DTranspose", "PReLU")
            # Match by name when the file has the layer, else by the file's order (Keras load_weights).
            w = {}
            if has_w:
                gname = name if name in layer_names else next(weighted_iter)
                w = weights_of(gname)
            x = layer_forward(l["class_name"], l["config"], [x], w, keras_major)[0]
        return [x]
    produced = {}
    in_refs = cfg["input_layers"]
    for ref in ([in_refs] if isinstance(in_refs[0], str) else in_refs):
        produced[(ref[0], ref[1])] = [x]
    pending = [(l, i) for l in cfg["layers"] if l["class_name"] != "InputLayer" for i in range(len(l["inbound_nodes"]))]
    while pending:
        rest = []
        for l, i in pending:
            refs = inbound_refs(l["inbound_nodes"][i])
            if all((r[0], r[1]) in produced for r in refs):
                ins = [produced[(r[0], r[1])][r[2]] for r in refs]
                if l["class_name"] in ("Sequential", "Functional", "Model"):
                    g = wroot[l["name"]]
                    pool = {(n.decode() if isinstance(n, bytes) else n): np.asarray(g[n], dtype=np.float64)
                            for n in g.attrs["weight_names"]}
                    produced[(l["name"], i)] = forward_nested(l, pool, ins, keras_major)
                else:
                    produced[(l["name"], i)] = layer_forward(l["class_name"], l["config"], ins,
                                                            weights_of(l["name"]), keras_major)
            else:
                rest.append((l, i))
        if len(rest) == len(pending):
            raise RuntimeError("config not evaluable")
        pending = rest
    out_refs = cfg["output_layers"]
    return [produced[(r[0], r[1])][r[2]] for r in ([out_refs] if isinstance(out_refs[0], str) else out_refs)]


# ---------------------------------------------------------------------------------------------------------------
# synthetic Keras 2 files written with h5py

def write_model_h5(path, model_cfg, weights, keras_version="2.4.0"):
    """weights: {layer: [(short_name or "a/b/name", array)]} written as the legacy layout (Keras 2 names
    "layer/name:0"; a name with '/' is written as given, as Keras 3 does with variable paths)."""
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = keras_version
        f.attrs["backend"] = "tensorflow"
        f.attrs["model_config"] = json.dumps(model_cfg)
        mw = f.create_group("model_weights")
        cfg = model_cfg["config"]
        layers = cfg if isinstance(cfg, list) else cfg["layers"]
        names = [l["config"]["name"] for l in layers]
        mw.attrs["layer_names"] = np.array([n.encode() for n in names])
        for n in names:
            g = mw.create_group(n)
            ws = weights.get(n, [])
            full = [s if "/" in s else "%s/%s:0" % (n, s) for s, _ in ws]
            g.attrs["weight_names"] = np.array([w.encode() for w in full]) if ws else np.array([], dtype=np.float64)
            for w, (_, a) in zip(full, ws):
                g.create_dataset(w, data=a.astype(np.float32))


def synthetic(name, rng):
    """(model_config, weights, input shape without batch)."""
    def L(cls, nm, inbound, **cfg):
        cfg["name"] = nm
        return {"class_name": cls, "name": nm, "config": cfg,
                "inbound_nodes": [[[i, 0, 0, {}] for i in inbound]] if inbound is not None else []}

    def r(*shape):
        return rng.standard_normal(shape).astype(np.float32) * 0.5

    if name == "layers_nhwc":
        shape = [12, 10, 4]
        layers = [
            L("InputLayer", "in", None, batch_input_shape=[None] + shape, dtype="float32"),
            L("Rescaling", "rescale", ["in"], scale=0.5, offset=-0.25),
            L("ZeroPadding2D", "pad", ["rescale"], padding=[[1, 0], [2, 1]], data_format="channels_last"),
            L("Conv2D", "conv", ["pad"], filters=6, kernel_size=[3, 3], strides=[2, 1], padding="same",
              dilation_rate=[1, 1], activation="hard_swish", use_bias=True, data_format="channels_last", groups=2),
            L("DepthwiseConv2D", "dw", ["conv"], kernel_size=[3, 3], strides=[1, 1], padding="valid",
              depth_multiplier=2, activation="relu6", use_bias=True, data_format="channels_last",
              dilation_rate=[1, 1]),
            L("SeparableConv2D", "sep", ["dw"], filters=5, kernel_size=[3, 3], strides=[1, 1], padding="same",
              depth_multiplier=1, activation="swish", use_bias=True, data_format="channels_last",
              dilation_rate=[2, 2]),
            L("BatchNormalization", "bn", ["sep"], axis=[3], epsilon=1e-3, center=True, scale=True),
            L("LeakyReLU", "leaky", ["bn"], alpha=0.1),
            L("Conv2DTranspose", "convt", ["leaky"], filters=3, kernel_size=[3, 3], strides=[2, 2], padding="same",
              activation="sigmoid", use_bias=True, data_format="channels_last", dilation_rate=[1, 1],
              output_padding=None),
            L("ReLU", "relu_t", ["convt"], max_value=0.9, negative_slope=0.1, threshold=0.2),
            L("AveragePooling2D", "avg", ["relu_t"], pool_size=[3, 3], strides=[2, 2], padding="same",
              data_format="channels_last"),
            L("MaxPooling2D", "maxp", ["relu_t"], pool_size=[2, 2], strides=[2, 2], padding="valid",
              data_format="channels_last"),
            L("UpSampling2D", "up", ["maxp"], size=[1, 1], interpolation="nearest", data_format="channels_last"),
            L("Concatenate", "cat", ["avg", "up"], axis=-1),
            L("PReLU", "prelu", ["cat"], shared_axes=[1, 2]),
            L("Activation", "hsig", ["prelu"], activation="hard_sigmoid"),
            L("GlobalAveragePooling2D", "gap", ["hsig"], data_format="channels_last"),
            L("Dense", "fc", ["gap"], units=4, activation="linear", use_bias=True),
        ]
        # shapes: pad -> 13x13x4; conv s(2,1) same -> 7x13x6; dw valid -> 5x11x12; sep -> 5x11x5; convt -> 10x22x3
        weights = {
            "conv": [("kernel", r(3, 3, 2, 6)), ("bias", r(6))],
            "dw": [("depthwise_kernel", r(3, 3, 6, 2)), ("bias", r(12))],
            "sep": [("depthwise_kernel", r(3, 3, 12, 1)), ("pointwise_kernel", r(1, 1, 12, 5)), ("bias", r(5))],
            "bn": [("gamma", r(5) + 1), ("beta", r(5)), ("moving_mean", r(5)), ("moving_variance", np.abs(r(5)) + 0.5)],
            "convt": [("kernel", r(3, 3, 3, 5)), ("bias", r(3))],
            "prelu": [("alpha", r(1, 1, 6))],
            "fc": [("kernel", r(6, 4)), ("bias", r(4))],
        }
        cfg = {"class_name": "Functional", "config": {"name": name, "layers": layers, "input_layers": [["in", 0, 0]],
                                                      "output_layers": [["fc", 0, 0]]}}
        return cfg, weights, shape
    if name == "layers_nchw":
        shape = [3, 9, 8]
        layers = [
            L("InputLayer", "in", None, batch_input_shape=[None] + shape, dtype="float32"),
            L("Conv2D", "conv", ["in"], filters=4, kernel_size=[2, 3], strides=[1, 1], padding="valid",
              activation="elu", use_bias=False, data_format="channels_first", dilation_rate=[1, 1]),
            L("BatchNormalization", "bn", ["conv"], axis=1, epsilon=1e-3, center=True, scale=False),
            L("MaxPooling2D", "pool", ["bn"], pool_size=[2, 2], strides=[2, 2], padding="same",
              data_format="channels_first"),
            L("ZeroPadding2D", "pad", ["pool"], padding=1, data_format="channels_first"),
            L("UpSampling2D", "up", ["pad"], size=[2, 1], interpolation="nearest", data_format="channels_first"),
            L("Subtract", "sub", ["up", "up"]),
            L("Add", "add", ["sub", "up"]),
            L("Flatten", "flat", ["add"], data_format="channels_first"),
            L("Dropout", "drop", ["flat"], rate=0.5),
            L("Dense", "fc", ["drop"], units=3, activation="tanh", use_bias=True),
            L("Reshape", "resh", ["fc"], target_shape=[3, 1]),
            L("Softmax", "sm", ["resh"], axis=1),
        ]
        # conv -> 4x8x6, pool same -> 4x4x3, pad -> 4x6x5, up -> 4x12x5 = 240
        weights = {
            "conv": [("kernel", r(2, 3, 3, 4))],
            "bn": [("beta", r(4)), ("moving_mean", r(4)), ("moving_variance", np.abs(r(4)) + 0.5)],
            "fc": [("kernel", r(240, 3)), ("bias", r(3))],
        }
        cfg = {"class_name": "Functional", "config": {"name": name, "layers": layers, "input_layers": [["in", 0, 0]],
                                                      "output_layers": [["sm", 0, 0]]}}
        return cfg, weights, shape
    if name == "keras3_nested_shared":
        # Keras 3 config: inbound args with __keras_tensor__, batch_shape, DTypePolicy, flat input/output refs;
        # a nested Sequential used as a layer, and a Dense layer shared by two calls.
        shape = [6, 6, 2]
        pol = {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}}

        def kt(src, node=0, idx=0):
            return {"class_name": "__keras_tensor__", "config": {"shape": None, "dtype": "float32",
                                                                  "keras_history": [src, node, idx]}}

        def K3(cls, nm, args, **cfg):
            cfg["name"] = nm
            cfg["dtype"] = pol
            return {"module": "keras.layers", "class_name": cls, "config": cfg, "name": nm,
                    "inbound_nodes": [{"args": a, "kwargs": {}} for a in args]}
        inner = {"module": "keras", "class_name": "Sequential", "name": "inner",
                 "config": {"name": "inner", "layers": [
                     {"class_name": "InputLayer", "config": {"batch_shape": [None, 6, 6, 2], "dtype": "float32",
                                                             "name": "inner_in"}},
                     {"class_name": "Conv2D", "config": {"name": "c1", "filters": 3, "kernel_size": [3, 3],
                                                         "strides": [1, 1], "padding": "same",
                                                         "data_format": "channels_last", "dilation_rate": [1, 1],
                                                         "groups": 1, "activation": "gelu", "use_bias": True,
                                                         "dtype": pol}},
                     {"class_name": "BatchNormalization", "config": {"name": "b1", "axis": -1, "epsilon": 1e-3,
                                                                     "center": True, "scale": True, "dtype": pol}}]},
                 "inbound_nodes": [{"args": [kt("in")], "kwargs": {"training": False}}]}
        layers = [
            {"module": "keras.layers", "class_name": "InputLayer", "name": "in",
             "config": {"batch_shape": [None] + shape, "dtype": "float32", "name": "in"}, "inbound_nodes": []},
            inner,
            K3("GlobalMaxPooling2D", "gmp", [[kt("inner")]], data_format="channels_last", keepdims=False),
            K3("Dense", "shared", [[kt("gmp")], [kt("act")]], units=3, activation="linear", use_bias=True),
            K3("Activation", "act", [[kt("shared", 0)]], activation="relu"),
            K3("Multiply", "mul", [[[kt("shared", 0), kt("shared", 1)]]]),
        ]
        weights = {
            "inner": [("inner/c1/kernel", r(3, 3, 2, 3)), ("inner/c1/bias", r(3)),
                      ("inner/b1/gamma", r(3) + 1), ("inner/b1/beta", r(3)), ("inner/b1/moving_mean", r(3)),
                      ("inner/b1/moving_variance", np.abs(r(3)) + 0.5)],
            "shared": [("shared/kernel", r(3, 3)), ("shared/bias", r(3))],
        }
        cfg = {"module": "keras", "class_name": "Functional",
               "config": {"name": name, "layers": layers, "input_layers": ["in", 0, 0],
                          "output_layers": ["mul", 0, 0]}}
        return cfg, weights, shape
    raise SystemExit("unknown synthetic model " + name)


# ---------------------------------------------------------------------------------------------------------------

def logits_copy(a, model, weights_arg, model_cfg):
    """The same model with its output layers' softmax replaced by linear, written beside the work files."""
    import shutil
    cfg = model_cfg["config"]
    layers = cfg if isinstance(cfg, list) else cfg["layers"]
    outs = {r[0] for r in cfg["output_layers"]} if isinstance(cfg, dict) and "output_layers" in cfg else {
        layers[-1]["config"]["name"]}
    changed = 0
    for l in layers:
        if l["config"].get("name") in outs and l["config"].get("activation") == "softmax":
            l["config"]["activation"] = "linear"
            changed += 1
    if changed == 0:
        sys.exit("--logits: no output layer with a softmax activation")
    if weights_arg:  # .json + weights: write the edited JSON
        out = os.path.join(a.work, "logits_" + os.path.basename(model))
        with open(out, "w") as f:
            json.dump(model_cfg, f)
        return out, weights_arg, model_cfg
    out = os.path.join(a.work, "logits_" + os.path.basename(model))
    shutil.copyfile(model, out)
    with h5py.File(out, "r+") as f:
        f.attrs["model_config"] = json.dumps(model_cfg)
    return out, None, model_cfg


def classify_digits(a, model, weights_arg, model_cfg):
    """Each samples/sampleD.png (/255, shaped as the model's input) must come out as class D."""
    try:
        import cv2
    except ImportError:
        sys.exit("--digits needs OpenCV: apt-get install python3-opencv")
    layers = model_cfg["config"] if isinstance(model_cfg["config"], list) else model_cfg["config"]["layers"]
    first = layers[0]["config"]
    shape = first.get("batch_input_shape") or first.get("batch_shape")
    in_name = first["name"] + ("" if layers[0]["class_name"] == "InputLayer" else "_input")
    got = []
    for d in range(10):
        img = cv2.imread(os.path.join(a.digits, "sample%d.png" % d), cv2.IMREAD_GRAYSCALE)
        if img is None:
            sys.exit("cannot read sample%d.png in %s" % (d, a.digits))
        x = (img.astype(np.float32) / 255.0).reshape([1] + list(shape[1:]))
        run_nnc(a.host, model, weights_arg, x, in_name, a.work)
        files = [f for f in os.listdir(a.work) if f.endswith(".npy") and f != "x.npy"]
        y = np.load(os.path.join(a.work, files[0]))
        os.remove(os.path.join(a.work, files[0]))
        got.append(int(y.argmax()))
    correct = sum(int(g == d) for d, g in enumerate(got))
    print("%s: predictions for sample0..9 = %s, %d/10 correct" % (os.path.basename(model), got, correct))
    if correct != 10:
        sys.exit("FAIL: expected [0..9]")


def run_ort(a, model, weights_arg, x, in_name):
    """host run with write.onnx, then ONNX Runtime per sample."""
    out_dir = os.path.join(a.work, "export")
    toml = os.path.join(a.work, "export.toml")
    with open(toml, "w") as f:
        f.write("[[models]]\npath = %s\n" % json.dumps(os.path.abspath(model)))
        if weights_arg:
            f.write("weights = [%s]\n" % json.dumps(os.path.abspath(weights_arg)))
        f.write('[[stage]]\nplugin = "write.onnx"\nfile = "{model}.onnx"\n[outputs]\ndir = %s\n' % json.dumps(out_dir))
    p = subprocess.run([a.host, "run", toml], capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("host run (write.onnx) failed: %s %s" % (p.stdout, p.stderr))
    p = subprocess.run(["bash", a.ort_setup], capture_output=True, text=True)
    if p.returncode == 77:
        print("ONNX Runtime peer unavailable (setup.sh exit 77): %s" % p.stderr.strip())
        sys.exit(77)
    if p.returncode != 0:
        sys.exit("ONNX Runtime setup failed: %s" % p.stderr)
    ort_dir = p.stdout.strip().splitlines()[-1]
    outs = []
    for b in range(x.shape[0]):
        np.save(os.path.join(a.work, "ort_x.npy"), x[b:b + 1])
        od = os.path.join(a.work, "ort_out")
        os.makedirs(od, exist_ok=True)
        for f in os.listdir(od):
            os.remove(os.path.join(od, f))
        q = subprocess.run(["node", os.path.join(ort_dir, "ort_run.js"), os.path.join(out_dir, "model_0.onnx"), "-i",
                            "%s=%s" % (in_name, os.path.join(a.work, "ort_x.npy")), "-o", od],
                           capture_output=True, text=True)
        if q.returncode != 0:
            sys.exit("ONNX Runtime failed: %s %s" % (q.stdout, q.stderr))
        files = [f for f in os.listdir(od) if f.endswith(".npy")]
        outs.append(np.load(os.path.join(od, files[0])))
    return np.concatenate(outs, axis=0)


def run_nnc(host, model, weights, inp, in_name, work):
    np.save(os.path.join(work, "x.npy"), inp.astype(np.float32))
    cmd = [host, "exec", model, "-i", "%s=%s" % (in_name, os.path.join(work, "x.npy")), "-o", work]
    if weights:
        cmd += ["--weights", weights]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("host exec failed (%d): %s %s" % (p.returncode, p.stdout, p.stderr))
    return p.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--model")
    ap.add_argument("--json")
    ap.add_argument("--weights")
    ap.add_argument("--synthetic")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--tol", type=float, default=1e-4)
    ap.add_argument("--ort-setup", help="also export the imported graph as ONNX (host run, write.onnx) and run it "
                                        "with ONNX Runtime (this setup.sh) against the numpy reference")
    ap.add_argument("--digits", help="folder of sampleD.png MNIST digits: nnc must classify each as D")
    ap.add_argument("--logits", action="store_true",
                    help="compare before the final softmax (a copy of the model with the output layer's activation "
                         "set to linear), so the comparison is not flattened by the softmax")
    a = ap.parse_args()
    shutil.rmtree(a.work, ignore_errors=True)  # a previous run's outputs must not be read as this run's
    os.makedirs(a.work, exist_ok=True)
    rng = np.random.default_rng(a.seed)
    weights_arg = None
    if a.synthetic:
        cfg, weights, shape = synthetic(a.synthetic, rng)
        model = os.path.join(a.work, a.synthetic + ".h5")
        write_model_h5(model, cfg, weights, "3.3.3" if a.synthetic.startswith("keras3") else "2.4.0")
        model_cfg = cfg
        wfile = h5py.File(model, "r")
        wroot = wfile["model_weights"]
        keras_major = 3 if a.synthetic.startswith("keras3") else 2
    elif a.model:
        model = a.model
        wfile = h5py.File(model, "r")
        model_cfg = json.loads(wfile.attrs["model_config"])
        wroot = wfile["model_weights"]
        keras_major = int(str(wfile.attrs.get("keras_version", "2")).split(".")[0])
    else:
        model = a.json
        weights_arg = a.weights
        model_cfg = json.load(open(a.json))
        wfile = h5py.File(a.weights, "r")
        wroot = wfile
        keras_major = int(str(wfile.attrs.get("keras_version", "2")).split(".")[0])
    if a.logits:
        model, weights_arg, model_cfg = logits_copy(a, model, weights_arg, model_cfg)
    if a.digits:
        return classify_digits(a, model, weights_arg, model_cfg)
    nparams = 0

    def count(n, o):
        nonlocal nparams
        if isinstance(o, h5py.Dataset):
            nparams += o.size
    wroot.visititems(count)
    cfg = model_cfg["config"]
    if model_cfg["class_name"] == "Sequential":
        layers = cfg if isinstance(cfg, list) else cfg["layers"]
        first = layers[0]["config"]
        shape = first.get("batch_input_shape") or first.get("batch_shape")
        in_name = layers[0]["config"]["name"] + ("" if layers[0]["class_name"] == "InputLayer" else "_input")
    else:
        ir = cfg["input_layers"]
        first_in = ir[0] if isinstance(ir[0], str) else ir[0][0]
        inl = [l for l in cfg["layers"] if l["name"] == first_in][0]
        shape = inl["config"].get("batch_input_shape") or inl["config"].get("batch_shape")
        in_name = inl["name"]
    x = rng.uniform(-1, 1, size=[2] + list(shape[1:])).astype(np.float32)
    ref = forward(model_cfg, wroot, x.astype(np.float64), keras_major)[0]
    # nnc runs batch 1 (the frontend's default batch): one run per sample.
    outs = []
    for b in range(x.shape[0]):
        run_nnc(a.host, model, weights_arg, x[b:b + 1], in_name, a.work)
        files = [f for f in os.listdir(a.work) if f.endswith(".npy") and f != "x.npy"]
        if len(files) != 1:
            sys.exit("expected one output .npy in %s, found %s" % (a.work, files))
        outs.append(np.load(os.path.join(a.work, files[0])))
        os.remove(os.path.join(a.work, files[0]))
    got = np.concatenate(outs, axis=0)
    if a.ort_setup:
        ort = run_ort(a, model, weights_arg, x, in_name)
        rel_ort = float(np.max(np.abs(ort - ref)) / max(np.max(np.abs(ref)), 1e-30))
        print("%s: ONNX Runtime on nnc's ONNX export: max|ort-ref|/max|ref| = %.3g" % (os.path.basename(model), rel_ort))
        if not rel_ort <= a.tol:
            sys.exit("FAIL: ONNX Runtime relative error %.3g > %g" % (rel_ort, a.tol))
    if got.shape != ref.shape:
        sys.exit("shape mismatch: nnc %s, numpy reference %s" % (got.shape, ref.shape))
    rel = float(np.max(np.abs(got - ref)) / max(np.max(np.abs(ref)), 1e-30))
    print("%s: h5py read %d weight values; output %s; max|nnc-ref|/max|ref| = %.3g (tol %g); argmax nnc %s ref %s" % (
        os.path.basename(model), nparams, list(ref.shape), rel, a.tol, got.argmax(-1).tolist(),
        ref.argmax(-1).tolist()))
    if not rel <= a.tol:
        sys.exit("FAIL: relative error %.3g > %g" % (rel, a.tol))


if __name__ == "__main__":
    main()
