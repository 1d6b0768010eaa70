#!/usr/bin/python3
"""nnc tests/frontend_tf: real TensorFlow files through `host` vs OpenCV dnn and across formats; bad-input checks."""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

try:
    import numpy as np
except ImportError:
    sys.exit("FAIL: python module numpy missing: install the Debian package python3-numpy")
try:
    import cv2
except ImportError:
    sys.exit("FAIL: python module cv2 missing: install the Debian package python3-opencv")


def host(args, ns, check=True):
    cmd = [ns.host] + args
    if ns.plugin_dir:
        cmd += ["--plugin-dir", ns.plugin_dir]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if p.returncode < 0 or p.returncode >= 128:
        sys.exit(f"FAIL: host crashed (rc {p.returncode}) on {' '.join(cmd)}\n{p.stderr}")
    if check and p.returncode != 0:
        sys.exit(f"FAIL: {' '.join(cmd)} -> rc {p.returncode}\n{p.stdout}\n{p.stderr}")
    return p


def run_nnc(ns, model, inputs, extra=()):
    d = tempfile.mkdtemp(prefix="nnc_tf_")
    args = ["exec", model, "-o", d] + list(extra)
    for name, arr in inputs.items():
        f = os.path.join(d, re.sub(r"[^A-Za-z0-9_]", "_", name) + ".in.npy")
        np.save(f, arr)
        args += ["-i", f"{name}={f}"]
    host(args, ns)
    outs = {f: np.load(os.path.join(d, f)) for f in sorted(os.listdir(d)) if f.endswith(".npy") and ".in." not in f}
    shutil.rmtree(d)
    return outs


def image_input(path, size):
    """A real photo, centre-cropped, resized, RGB, scaled to [-1, 1] (MobileNet's preprocessing), NHWC."""
    img = cv2.imread(path)
    if img is None:
        sys.exit(f"FAIL: cannot read image {path}")
    img = img[:, :, ::-1]
    h, w = img.shape[:2]
    s = min(h, w)
    img = img[(h - s) // 2:(h - s) // 2 + s, (w - s) // 2:(w - s) // 2 + s]
    img = cv2.resize(img, (size, size), interpolation=cv2.INTER_AREA).astype(np.float32)
    return ((img - 127.5) / 127.5)[None]


def rel_err(a, b):
    return float(np.abs(a - b).max() / max(np.abs(b).max(), 1e-30))


def cmd_opencv(ns):
    x = image_input(ns.image, ns.size)
    outs = run_nnc(ns, ns.model, {ns.input: x})
    if len(outs) != 1:
        sys.exit(f"FAIL: expected one output, got {list(outs)}")
    got = next(iter(outs.values()))
    net = cv2.dnn.readNetFromTensorflow(ns.model)
    net.setInput(x.transpose(0, 3, 1, 2))
    ref = net.forward()
    got = got.reshape(ref.shape)
    err = rel_err(got, ref)
    top_nnc, top_cv = int(np.argmax(got)), int(np.argmax(ref))
    labels = open(ns.labels).read().splitlines() if ns.labels else None
    name = (lambda i: f"{i} {labels[i]}" if labels and i < len(labels) else str(i))
    print(f"{os.path.basename(ns.model)}: max |nnc - opencv| / max |opencv| = {err:.3g}; top-1 nnc {name(top_nnc)}, opencv {name(top_cv)}")
    if err > ns.tol:
        sys.exit(f"FAIL: relative error {err:.3g} > {ns.tol}")
    if top_nnc != top_cv:
        sys.exit("FAIL: top-1 classes differ")
    print("PASS")


def cmd_same(ns):
    """Two files of one network (.meta + checkpoint vs frozen .pb) give the same outputs on one input."""
    rng = np.random.default_rng(7)
    x = rng.random(tuple(int(d) for d in ns.shape.split(",")), dtype=np.float32)
    a = run_nnc(ns, ns.model, {ns.input: x})
    b = run_nnc(ns, ns.other, {ns.input: x})
    if list(a) != list(b):
        sys.exit(f"FAIL: outputs differ in names: {list(a)} vs {list(b)}")
    for k in a:
        err = rel_err(a[k], b[k])
        print(f"{k}: shape {a[k].shape}, max |a - b| / max |b| = {err:.3g}, argmax equal on {np.mean(a[k].argmax(-1) == b[k].argmax(-1)):.0%}")
        if err > ns.tol:
            sys.exit(f"FAIL: relative error {err:.3g} > {ns.tol}")
    print("PASS")


def expect_error(ns, args, patterns):
    p = host(args, ns, check=False)
    if p.returncode != 1:
        sys.exit(f"FAIL: expected exit 1, got {p.returncode} for {args}\n{p.stdout}\n{p.stderr}")
    for pat in patterns:
        if not re.search(pat, p.stderr):
            sys.exit(f"FAIL: stderr lacks /{pat}/ for {args}:\n{p.stderr}")
    print(f"ok: {' '.join(os.path.basename(a) for a in args[:2])}: {p.stderr.strip()[:300]}")


def cmd_bad(ns):
    """Truncated, bit-flipped and random-byte files, a .meta without its checkpoint: clear errors, no crash."""
    d = tempfile.mkdtemp(prefix="nnc_tf_bad_")
    data = open(ns.model, "rb").read()
    rng = np.random.default_rng(1)
    cases = []
    for frac in (0.5, 0.9, 0.999):
        f = os.path.join(d, f"trunc{frac}.pb")
        open(f, "wb").write(data[: int(len(data) * frac)])
        cases.append(f)
    for k in range(4):
        b = bytearray(data)
        for i in rng.integers(0, len(b), 16):
            b[i] ^= 1 << int(rng.integers(0, 8))
        f = os.path.join(d, f"flip{k}.pb")
        open(f, "wb").write(bytes(b))
        cases.append(f)
    f = os.path.join(d, "random.pb")
    open(f, "wb").write(rng.integers(0, 256, 4096, dtype=np.uint8).tobytes())
    cases.append(f)
    f = os.path.join(d, "empty.pb")
    open(f, "wb").close()
    cases.append(f)
    for f in cases:
        p = host(["inspect", f], ns, check=False)
        name = os.path.basename(f)
        if p.returncode == 0:
            print(f"ok: {name}: still loads (damage hit unused bytes)")
            continue
        if p.returncode != 1 or name not in p.stderr or "error:" not in p.stderr:
            sys.exit(f"FAIL: {name}: rc {p.returncode}, stderr does not name the file with an error:\n{p.stderr}")
        print(f"ok: {name}: {p.stderr.strip()[:200]}")
    expect_error(ns, ["inspect", os.path.join(d, "missing.pb")], [r"missing\.pb.*(does not exist|not found)"])
    if ns.meta:
        m = os.path.join(d, "lonely.meta")
        shutil.copy(ns.meta, m)
        expect_error(ns, ["inspect", m], [r"lonely\.meta", r"no checkpoint found", r"lonely\.index", r"fix: pass the V2 checkpoint"])
        bad_index = os.path.join(d, "broken.index")
        idx = open(os.path.join(os.path.dirname(ns.meta), "checkpoints.index"), "rb").read()
        open(bad_index, "wb").write(idx[: len(idx) // 2])
        expect_error(ns, ["inspect", ns.meta, "--weights", bad_index], [r"broken\.index", r"corrupt|does not exist"])
    shutil.rmtree(d)
    print("PASS")


def cmd_faster_rcnn(ns):
    """No weights: the inference subgraph is found and the error names what is missing."""
    expect_error(ns, ["inspect", ns.model], [
        r"inference subgraph reads 356 variable\(s\) that no checkpoint provides",
        r"FirstStageFeatureExtractor/InceptionV2/Conv2d_1a_7x7/depthwise_weights",
        r"looked for '[^']*model\.ckpt\.index'",
        r"post-processing / control flow",
        r"NonMaxSuppressionV3", r"CropAndResize", r"TensorArrayV3", r"fix: pass the V2 checkpoint"])
    print("PASS")


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("command", choices=["opencv", "same", "bad", "faster_rcnn"])
    ap.add_argument("--host", required=True)
    ap.add_argument("--plugin-dir")
    ap.add_argument("--model", required=True)
    ap.add_argument("--other")
    ap.add_argument("--meta")
    ap.add_argument("--input", default="input")
    ap.add_argument("--shape")
    ap.add_argument("--image")
    ap.add_argument("--size", type=int, default=128)
    ap.add_argument("--labels")
    ap.add_argument("--tol", type=float, default=1e-4)
    ns = ap.parse_args()
    {"opencv": cmd_opencv, "same": cmd_same, "bad": cmd_bad, "faster_rcnn": cmd_faster_rcnn}[ns.command](ns)


if __name__ == "__main__":
    main()
