#!/usr/bin/python3
# nnc realmodels: runs one model with `host exec` and ONNX Runtime and compares both to the reference.
"""Two kinds of model:

  --model-dir DIR   a gen_torchvision_models.py folder: model.onnx, input_0.npy, output_<k>.npy (torch)
                    and meta.json. Passes when max|nnc-torch|/max|torch| <= 1e-4 or <= 2x ORT's.
  --onnx FILE       any ONNX model: a seeded input is made from its declared input shapes (or a
                    provided sample, see SAMPLES); passes when nnc matches ORT within 1e-4 relative
                    (and the sample's expected answer, when there is one).

Writes one JSON result row to --result (read by summary.py) and exits 77 when it must skip.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

SKIP = 77
TOL = 1e-4

try:
    import numpy as np
except ImportError:
    print("SKIP: /usr/bin/python3 has no numpy (apt-get install python3-numpy)")
    sys.exit(SKIP)

# Provided real inputs with a known answer: onnx file name -> (make input, check outputs, what).
HERE = os.path.dirname(os.path.abspath(__file__))


def mnist_sample(shared, digit=7):
    """A real handwritten digit (raw 0-255, 1x1x28x28) whose argmax must be `digit`."""
    from PIL import Image  # python3-pil comes with python3-torchvision
    png = os.path.join(shared, "realmodels/tflite/mnist_lstm/samples", f"sample{digit}.png")
    x = np.asarray(Image.open(png).convert("L").resize((28, 28)), dtype=np.float32)[None, None]
    return x, lambda outs: int(np.argmax(outs[0])) == digit, f"argmax == {digit} on sample{digit}.png"


def ultraface_sample(shared):
    """The group photo (RGB, (x-127)/128, 320x240): a face must score > 0.7."""
    from PIL import Image
    jpg = os.path.join(shared, "realmodels/onnx/ultraface_rfb320/testdata/test.jpg")
    img = np.asarray(Image.open(jpg).convert("RGB").resize((320, 240)), dtype=np.float32)
    x = ((img - 127.0) / 128.0).transpose(2, 0, 1)[None].copy()
    return x, lambda outs: float(outs[0][..., 1].max()) > 0.7, "some face score > 0.7 on test.jpg"


SAMPLES = {"mnist-8.onnx": mnist_sample,
           "version-RFB-320.onnx": ultraface_sample,
           "version-RFB-320_without_postprocessing.onnx": ultraface_sample}


def sanitize(name):
    return re.sub(r"[^A-Za-z0-9._-]", "_", name)


def run(cmd, what):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"{what} failed (rc {p.returncode}): {' '.join(cmd)}\n{p.stdout}{p.stderr}".rstrip())
    return p.stdout


def nnc_exec(host, model, inputs, out_dir):
    """Runs `host exec`; returns {output name: array} from its 'output 'name' ... -> path' lines."""
    cmd = [host, "exec", model, "-o", out_dir] + [a for n, f in inputs.items() for a in ("-i", f"{n}={f}")]
    out = run(cmd, "host exec")
    found = re.findall(r"^output '(.*)' .* -> (.*)$", out, re.M)
    if not found:
        raise RuntimeError(f"host exec printed no 'output ...' lines:\n{out}")
    return {name: np.load(path) for name, path in found}


def ort_exec(ort_dir, model, inputs, out_dir, names):
    if ort_dir is None:
        return None
    cmd = ["node", os.path.join(ort_dir, "ort_run.js"), model, "-o", out_dir] + \
          [a for n, f in inputs.items() for a in ("-i", f"{n}={f}")]
    run(cmd, "ONNX Runtime")
    return {n: np.load(os.path.join(out_dir, sanitize(n) + ".npy")) for n in names}


def deviation(got, ref):
    """max|got-ref| / max|ref| over all outputs; inf when a shape differs."""
    num = den = 0.0
    for g, r in zip(got, ref):
        if g.shape != r.shape:
            return float("inf")
        g, r = g.astype(np.float64), r.astype(np.float64)
        if g.size:
            num, den = max(num, float(np.abs(g - r).max())), max(den, float(np.abs(r).max()))
    return num / den if den else num


def setup_ort(setup_sh):
    p = subprocess.run(["bash", setup_sh], capture_output=True, text=True)
    if p.returncode != 0:
        print(f"note: ONNX Runtime unavailable ({setup_sh} failed: {p.stderr.strip()[-300:]})")
        return None
    return p.stdout.strip().splitlines()[-1]


def onnx_inputs(model):
    """[(name, shape)] of the graph inputs that are not initializers; symbolic dims -> 1."""
    try:
        import onnx
    except ImportError:
        print("SKIP: /usr/bin/python3 has no onnx (apt-get install python3-onnx)")
        sys.exit(SKIP)
    m = onnx.load(model, load_external_data=False)
    inits = {i.name for i in m.graph.initializer}
    return [(i.name, [d.dim_value if d.dim_value > 0 else 1 for d in i.type.tensor_type.shape.dim])
            for i in m.graph.input if i.name not in inits]


def check_torchvision(args, ort_dir, work):
    with open(os.path.join(args.model_dir, "meta.json")) as f:
        meta = json.load(f)
    model = os.path.join(args.model_dir, "model.onnx")
    inputs = {i["name"]: os.path.join(args.model_dir, i["file"]) for i in meta["inputs"]}
    names = [o["name"] for o in meta["outputs"]]
    torch_out = [np.load(os.path.join(args.model_dir, o["file"])) for o in meta["outputs"]]
    ort = ort_exec(ort_dir, model, inputs, os.path.join(work, "ort"), names)
    ort_dev = deviation([ort[n] for n in names], torch_out) if ort else None
    try:
        nnc = nnc_exec(args.host, model, inputs, os.path.join(work, "nnc"))
    except RuntimeError as e:
        print(e)
        return {"model": meta["model"], "reference": "torch", "nnc_dev": None, "ort_dev": ort_dev, "ok": False,
                "note": str(e).splitlines()[-1][:200]}
    nnc_dev = deviation([nnc[n] for n in names], torch_out)
    ok = nnc_dev <= TOL or (ort_dev is not None and nnc_dev <= 2 * ort_dev)
    shapes = "; ".join(f"{n}: nnc {list(nnc[n].shape)} torch {list(t.shape)}" for n, t in zip(names, torch_out)
                       if nnc[n].shape != t.shape)
    return {"model": meta["model"], "reference": "torch", "nnc_dev": nnc_dev, "ort_dev": ort_dev, "ok": ok,
            "note": f"shape mismatch: {shapes}" if shapes else ""}


def check_onnx(args, ort_dir, work):
    model, base = args.onnx, os.path.basename(args.onnx)
    if ort_dir is None:
        print("SKIP: no ONNX Runtime to compare with (see ../shared/tools/ort/README.md)")
        sys.exit(SKIP)
    specs = onnx_inputs(model)
    rng = np.random.default_rng(1234)
    inputs, check, what = {}, None, ""
    for k, (name, shape) in enumerate(specs):
        try:
            x, check, what = SAMPLES[base](args.shared) if base in SAMPLES and len(specs) == 1 else (None, None, "")
        except ImportError:  # no PIL: a random input, no answer to check
            x = None
        if x is None:
            x = rng.standard_normal(shape).astype(np.float32)
        inputs[name] = os.path.join(work, f"input_{k}.npy")
        np.save(inputs[name], x)
    nnc = nnc_exec(args.host, model, inputs, os.path.join(work, "nnc"))
    names = list(nnc)
    ort = ort_exec(ort_dir, model, inputs, os.path.join(work, "ort"), names)
    dev = deviation([nnc[n] for n in names], [ort[n] for n in names])
    ok, note = dev <= TOL, ""
    if check is not None:
        answer_ok = check([nnc[n] for n in names])
        ok, note = ok and answer_ok, f"{what}: {'yes' if answer_ok else 'NO'}"
    return {"model": base, "reference": "ORT", "nnc_dev": dev, "ort_dev": None, "ok": ok, "note": note}


def fmt(v):
    return "-" if v is None else f"{v:.2e}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", required=True)
    ap.add_argument("--ort-setup", required=True, help="../shared/tools/ort/setup.sh")
    ap.add_argument("--shared", default=os.path.join(HERE, "../../../shared"))
    ap.add_argument("--model-dir")
    ap.add_argument("--onnx")
    ap.add_argument("--result", help="JSON file for the result row")
    args = ap.parse_args()
    if args.result and os.path.exists(args.result):
        os.remove(args.result)  # no stale row when this run skips
    if args.model_dir and not os.path.exists(os.path.join(args.model_dir, "meta.json")):
        print(f"SKIP: {args.model_dir} was not generated (realmodels_generate skipped: no torch?)")
        sys.exit(SKIP)
    ort_dir = setup_ort(args.ort_setup)
    with tempfile.TemporaryDirectory(prefix="nnc_realmodels_") as work:
        try:
            row = check_torchvision(args, ort_dir, work) if args.model_dir else check_onnx(args, ort_dir, work)
        except RuntimeError as e:
            name = os.path.basename(args.model_dir.rstrip("/")) if args.model_dir else os.path.basename(args.onnx)
            row = {"model": name, "reference": "torch" if args.model_dir else "ORT", "nnc_dev": None,
                   "ort_dev": None, "ok": False, "note": str(e).splitlines()[-1][:200]}
            print(e)
    if args.result:
        os.makedirs(os.path.dirname(os.path.abspath(args.result)), exist_ok=True)
        with open(args.result, "w") as f:
            json.dump(row, f)
    ort = f", ORT vs torch {fmt(row['ort_dev'])}" if row["reference"] == "torch" else ""
    print(f"{row['model']}: nnc vs {row['reference']} {fmt(row['nnc_dev'])}{ort} -> "
          f"{'PASS' if row['ok'] else 'FAIL'} {row['note']}")
    sys.exit(0 if row["ok"] else 1)


if __name__ == "__main__":
    main()
