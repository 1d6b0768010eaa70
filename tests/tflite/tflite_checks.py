#!/usr/bin/python3
"""nnc tests: TFLite checks against independent readers: ArmNN (Debian python3-pyarmnn, CpuRef backend) on real
models and on files written by nnc's .tflite writer; person_detect and mnist_lstm classify their sample images."""
import argparse
import importlib
import os
import subprocess
import sys
import tempfile

import numpy as np


def need(module, package):
    try:
        return importlib.import_module(module)
    except ImportError:
        print(f"error: Python module '{module}' is missing (fix: apt-get install {package})", file=sys.stderr)
        sys.exit(1)


def nnc_run(tool, model, inputs, work):
    os.makedirs(work, exist_ok=True)
    files = []
    for i, x in enumerate(inputs):
        f = os.path.join(work, f"in{i}.npy")
        np.save(f, x)
        files.append(f)
    r = subprocess.run([tool, "run", model, work] + files, capture_output=True, text=True)
    if r.returncode != 0:
        print(f"error: nnc failed on {model}: {r.stderr.strip()}", file=sys.stderr)
        sys.exit(1)
    outs, i = [], 0
    while os.path.exists(os.path.join(work, f"out{i}.npy")):
        outs.append(np.load(os.path.join(work, f"out{i}.npy")))
        i += 1
    return outs


def input_quant(tool, model):
    r = subprocess.run([tool, "quant", model, "-"], capture_output=True, text=True, check=True)
    return [(float(s), int(z), t) for s, z, t in (line.split() for line in r.stdout.strip().splitlines())]


def armnn_run(model, inputs):
    ann = need("pyarmnn", "python3-pyarmnn")
    parser = ann.ITfLiteParser()
    network = parser.CreateNetworkFromBinaryFile(model)
    in_names = parser.GetSubgraphInputTensorNames(0)
    in_info = [parser.GetNetworkInputBindingInfo(0, n) for n in in_names]
    runtime = ann.IRuntime(ann.CreationOptions())
    if "CpuRef" not in str(runtime.GetDeviceSpec()):
        print("error: ArmNN has no CpuRef backend (fix: apt-get install libarmnn-cpuref-backend22)", file=sys.stderr)
        sys.exit(1)
    opt, _ = ann.Optimize(network, [ann.BackendId("CpuRef")], runtime.GetDeviceSpec(), ann.OptimizerOptions())
    net_id, _ = runtime.LoadNetwork(opt)
    in_tensors = ann.make_input_tensors(in_info, [np.ascontiguousarray(x) for x in inputs])
    out_info = [parser.GetNetworkOutputBindingInfo(0, n) for n in parser.GetSubgraphOutputTensorNames(0)]
    out_tensors = ann.make_output_tensors(out_info)
    runtime.EnqueueWorkload(net_id, in_tensors, out_tensors)
    return ann.workload_tensors_to_ndarray(out_tensors)


def random_inputs(tool, model, shapes, seed):
    rng = np.random.default_rng(seed)
    xs = []
    for (scale, zp, dtype), shape in zip(input_quant(tool, model), shapes):
        if dtype == "FLOAT32":
            xs.append(rng.uniform(-1.0, 1.0, size=shape).astype(np.float32))
        else:
            info = np.iinfo({"INT8": np.int8, "UINT8": np.uint8, "INT16": np.int16}[dtype])
            xs.append(rng.integers(info.min, info.max + 1, size=shape).astype(info.dtype))
    return xs


def compare(name, got, want, lsb, rtol):
    """float: max|diff| / max|want| <= rtol; integer: max |diff| <= lsb. Returns (ok, text)."""
    if got.shape != want.shape and got.size == want.size:
        got = got.reshape(want.shape)
    if got.shape != want.shape:
        return False, f"{name}: shape {got.shape} != ArmNN {want.shape}"
    if np.issubdtype(want.dtype, np.integer):
        diff = np.abs(got.astype(np.int64) - want.astype(np.int64))
        n = int((diff > 0).sum())
        return int(diff.max(initial=0)) <= lsb, f"{name}: max |diff| {int(diff.max(initial=0))} LSB, {n}/{diff.size} values differ (limit {lsb} LSB)"
    rel = float(np.abs(got - want).max(initial=0) / max(np.abs(want).max(initial=0), 1e-30))
    return rel <= rtol, f"{name}: max rel error {rel:.3g} (limit {rtol:g})"


def shapes_of(model):
    ann = need("pyarmnn", "python3-pyarmnn")
    parser = ann.ITfLiteParser()
    parser.CreateNetworkFromBinaryFile(model)
    shapes = []
    for n in parser.GetSubgraphInputTensorNames(0):
        info = parser.GetNetworkInputBindingInfo(0, n)  # keep it alive: GetShape() refers into it
        ti = info[1]
        shapes.append(tuple(int(ti.GetShape()[i]) for i in range(ti.GetNumDimensions())))
    return shapes


def cmd_armnn(a):
    ok_all = True
    for model in a.model:
        xs = random_inputs(a.tool, model, shapes_of(model), a.seed)
        with tempfile.TemporaryDirectory() as work:
            got = nnc_run(a.tool, model, xs, work)
        want = armnn_run(model, xs)
        for i, (g, w) in enumerate(zip(got, want)):
            ok, text = compare(f"{os.path.basename(model)} output {i}", g, w, a.lsb, a.rtol)
            print(("OK   " if ok else "FAIL ") + text)
            ok_all &= ok
    return 0 if ok_all else 1


def cmd_ort(a):
    """The imported QDQ graph written as ONNX and run by ONNX Runtime (--ort-setup), vs ArmNN: measures the
    importer's QDQ translation while nnc's executor lacks QuantizeLinear/DequantizeLinear."""
    d = subprocess.run(["bash", a.ort_setup], capture_output=True, text=True, check=True).stdout.strip()
    ok_all = True
    for model in a.model:
        with tempfile.TemporaryDirectory() as work:
            onnx_path = os.path.join(work, "m.onnx")
            subprocess.run([a.tool, "onnx", model, onnx_path], check=True)
            xs = random_inputs(a.tool, model, shapes_of(model), a.seed)
            args = ["node", os.path.join(d, "ort_run.js"), onnx_path, "-o", work]
            names = subprocess.run([a.tool, "names", model, "-"], capture_output=True, text=True, check=True).stdout.split("\n")
            for i, x in enumerate(xs):
                np.save(os.path.join(work, f"in{i}.npy"), x)
                args += ["-i", f"{names[i]}=" + os.path.join(work, f"in{i}.npy")]
            r = subprocess.run(args, capture_output=True, text=True)
            if r.returncode != 0:
                print(f"FAIL {model}: ORT: {r.stderr.strip()[-400:]}")
                ok_all = False
                continue
            outs = sorted(f for f in os.listdir(work) if f.endswith(".npy") and not f.startswith("in"))
            got = [np.load(os.path.join(work, f)) for f in outs]
        want = armnn_run(model, xs)
        for i, (g, w) in enumerate(zip(got, want)):
            ok, text = compare(f"{os.path.basename(model)} output {i} (ORT on nnc's QDQ)", g, w, a.lsb, a.rtol)
            print(("OK   " if ok else "FAIL ") + text)
            ok_all &= ok
    return 0 if ok_all else 1


def cmd_rewrite(a):
    ok_all = True
    for model in a.model:
        with tempfile.TemporaryDirectory() as work:
            written = os.path.join(work, "written.tflite")
            r = subprocess.run([a.tool, "rewrite", model, written], capture_output=True, text=True)
            if r.returncode != 0:
                print(f"FAIL {model}: the writer failed: {r.stderr.strip()}")
                ok_all = False
                continue
            xs = random_inputs(a.tool, model, shapes_of(model), a.seed)
            orig = nnc_run(a.tool, model, xs, os.path.join(work, "orig"))
            back = nnc_run(a.tool, written, xs, os.path.join(work, "back"))
            arm = armnn_run(written, xs)
            for i in range(len(orig)):
                ok1, t1 = compare(f"{os.path.basename(model)} output {i}, nnc on the written file vs nnc on the original", back[i], orig[i], 0, 1e-6)
                ok2, t2 = compare(f"{os.path.basename(model)} output {i}, ArmNN on the written file vs nnc", arm[i], orig[i], 0, a.rtol)
                for ok, t in ((ok1, t1), (ok2, t2)):
                    print(("OK   " if ok else "FAIL ") + t)
                    ok_all &= ok
    return 0 if ok_all else 1


def cmd_person(a):
    pil = need("PIL.Image", "python3-pil")
    model = os.path.join(a.dir, "person_detect.tflite")
    ok_all = True
    for image, want in (("person.bmp", 1), ("no_person.bmp", 0)):
        # tflite-micro feeds the BMP's raw pixel bytes as int8 (generate_cc_arrays.py: img.tobytes()).
        img = pil.open(os.path.join(a.dir, "testdata", image))
        x = np.frombuffer(img.tobytes(), dtype=np.uint8).view(np.int8).reshape(1, 96, 96, 1)
        with tempfile.TemporaryDirectory() as work:
            out = nnc_run(a.tool, model, [x], work)[0].reshape(-1)
        ok = int(np.argmax(out)) == want and out[want] > out[1 - want]
        print(("OK   " if ok else "FAIL ") + f"{image}: scores no_person={int(out[0])} person={int(out[1])}, expected class {want}")
        ok_all &= ok
    return 0 if ok_all else 1


def cmd_mnist(a):
    pil = need("PIL.Image", "python3-pil")
    ok_all = True
    for model in a.model:
        (scale, zp, dtype), = input_quant(a.tool, model)
        right = 0
        for d in range(10):
            data = np.asarray(pil.open(os.path.join(a.dir, "samples", f"sample{d}.png")), dtype=np.float32)
            if data.max() > 1:
                data = data / 255.0
            data = data.reshape(1, 28, 28)
            if dtype != "FLOAT32":  # as tflite-micro's evaluate.py: data / scale + zp, truncated by astype
                data = (data / scale + zp).astype({"INT8": np.int8, "INT16": np.int16}[dtype])
            with tempfile.TemporaryDirectory() as work:
                out = nnc_run(a.tool, model, [data], work)[0].reshape(-1)
            pred = int(np.argmax(out))
            right += pred == d
            if pred != d:
                print(f"FAIL {os.path.basename(model)}: sample{d}.png classified as {pred}")
        ok = right == 10
        print(("OK   " if ok else "FAIL ") + f"{os.path.basename(model)}: {right}/10 samples classified as labelled")
        ok_all &= ok
    return 0 if ok_all else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("command", choices=["armnn", "rewrite", "person", "mnist", "ort"])
    ap.add_argument("--ort-setup")
    ap.add_argument("--tool", required=True)
    ap.add_argument("--model", action="append", default=[])
    ap.add_argument("--dir")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--rtol", type=float, default=1e-4)
    ap.add_argument("--lsb", type=int, default=1)
    a = ap.parse_args()
    return {"armnn": cmd_armnn, "rewrite": cmd_rewrite, "person": cmd_person, "mnist": cmd_mnist, "ort": cmd_ort}[a.command](a)


if __name__ == "__main__":
    sys.exit(main())
