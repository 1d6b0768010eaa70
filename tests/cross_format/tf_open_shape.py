#!/usr/bin/python3
"""nnc tests: `host inspect/exec -is` on a TensorFlow graph that leaves its input's H, W (and batch) open: a frozen
.pb written here (Placeholder [-1,-1,-1,3] -> Conv2D SAME 3x3 -> BiasAdd -> Relu -> Mean over H, W) gets the
NHWC shape from -is, runs, and matches a numpy forward pass; a contradicting -is is a clear error."""
import argparse
import importlib
import os
import re
import shutil
import subprocess
import sys

try:
    import numpy as np
    importlib.import_module("google.protobuf")
except ImportError as e:
    sys.exit(f"FAIL: {e} (fix: apt-get install python3-numpy python3-protobuf)")


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--host", required=True)
    ap.add_argument("--proto-dir", required=True)
    ap.add_argument("--work", required=True)
    ns = ap.parse_args()
    shutil.rmtree(ns.work, ignore_errors=True)
    os.makedirs(os.path.join(ns.work, "pb2"))
    if not shutil.which("protoc"):
        sys.exit("FAIL: protoc is missing (fix: apt-get install protobuf-compiler)")
    protos = sorted(f for f in os.listdir(ns.proto_dir) if f.endswith(".proto"))
    subprocess.run(["protoc", "-I", ns.proto_dir, "--python_out", os.path.join(ns.work, "pb2")] + protos, check=True)
    sys.path.insert(0, os.path.join(ns.work, "pb2"))
    gp = importlib.import_module("graph_pb2")
    tp = importlib.import_module("types_pb2")
    rng = np.random.default_rng(5)
    w = rng.standard_normal((3, 3, 3, 4)).astype(np.float32)  # HWIO
    b = rng.standard_normal(4).astype(np.float32)
    g = gp.GraphDef()

    def node(name, op, inputs=(), t=True):
        n = g.node.add()
        n.name, n.op = name, op
        n.input.extend(inputs)
        if t:
            n.attr["T"].type = tp.DT_FLOAT
        return n

    def const(name, arr, dtype):
        n = node(name, "Const", t=False)
        n.attr["dtype"].type = dtype
        t = n.attr["value"].tensor
        t.dtype = dtype
        for d in arr.shape:
            t.tensor_shape.dim.add().size = d
        t.tensor_content = arr.tobytes()

    p = node("image", "Placeholder", t=False)
    p.attr["dtype"].type = tp.DT_FLOAT
    for d in (-1, -1, -1, 3):
        p.attr["shape"].shape.dim.add().size = d
    const("w", w, tp.DT_FLOAT)
    const("b", b, tp.DT_FLOAT)
    const("axes", np.array([1, 2], dtype=np.int32), tp.DT_INT32)
    c = node("conv", "Conv2D", ["image", "w"])
    c.attr["strides"].list.i.extend([1, 1, 1, 1])
    c.attr["padding"].s = b"SAME"
    c.attr["data_format"].s = b"NHWC"
    node("bias", "BiasAdd", ["conv", "b"])
    node("relu", "Relu", ["bias"])
    m = node("pooled", "Mean", ["relu", "axes"])
    m.attr["Tidx"].type = tp.DT_INT32
    m.attr["keep_dims"].b = False
    pb = os.path.join(ns.work, "open_shape.pb")
    open(pb, "wb").write(g.SerializeToString())

    def host(args):
        r = subprocess.run([ns.host] + args, capture_output=True, text=True, timeout=120)
        if r.returncode < 0 or r.returncode >= 128:
            sys.exit(f"FAIL: host crashed on {args}: {r.stderr}")
        return r

    ok = True
    r = host(["inspect", pb, "-is", "20,24,3"])
    shown = re.search(r"image\s+f32\s+(\[[^\]]*\])", r.stdout)
    print(f"host inspect -is 20,24,3: rc {r.returncode}, input image {shown.group(1) if shown else '?'}")
    ok &= r.returncode == 0 and shown is not None and shown.group(1) == "[1, 20, 24, 3]"
    r = host(["inspect", pb, "-is", "20,24,4"])
    print(f"host inspect -is 20,24,4 (contradicts the 3 channels): rc {r.returncode}: {r.stderr.strip()}")
    ok &= r.returncode == 1 and "open_shape.pb" in r.stderr and "error:" in r.stderr and "(fix:" in r.stderr
    x = rng.uniform(-1, 1, (1, 20, 24, 3)).astype(np.float32)
    np.save(os.path.join(ns.work, "x.npy"), x)
    out = os.path.join(ns.work, "out")
    r = host(["exec", pb, "-is", "20,24,3", "-i", "image=" + os.path.join(ns.work, "x.npy"), "-o", out])
    if r.returncode != 0:
        sys.exit(f"FAIL: host exec: {r.stderr}")
    got = np.load(os.path.join(out, "pooled.npy"))
    xp = np.pad(x.astype(np.float64), ((0, 0), (1, 1), (1, 1), (0, 0)))
    ref = sum(np.einsum("nhwc,cf->nhwf", xp[:, i:i + 20, j:j + 24, :], w[i, j]) for i in range(3) for j in range(3))
    ref = np.maximum(ref + b, 0).mean(axis=(1, 2))
    rel = float(np.abs(got.reshape(ref.shape) - ref).max() / np.abs(ref).max())
    print(f"host exec -is 20,24,3: output {list(got.shape)}, max rel error vs numpy {rel:.3g} (limit 1e-4)")
    ok &= got.size == ref.size and rel <= 1e-4
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
