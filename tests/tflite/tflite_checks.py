#!/usr/bin/python3
"""nnc tests: TFLite checks against independent readers: ArmNN (Debian python3-pyarmnn, CpuRef backend) on real
models and on files written by nnc's .tflite writer; person_detect and mnist_lstm classify their sample images."""
import argparse
import importlib
import os
import struct
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
        return int(diff.max(initial=0)) <= lsb, (f"{name}: max |diff| {int(diff.max(initial=0))} LSB, {n}/{diff.size} values differ, "
                                                 f"{100.0 * (diff.size - n) / max(diff.size, 1):.1f}% exact (limit {lsb} LSB)")
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


class _Fb:
    """A flatbuffer table read straight from the bytes (no flatbuffers module): field offsets, scalars,
    vectors and sub-tables, with the byte positions the per-operator check patches."""

    def __init__(self, buf, pos):
        self.b, self.pos = buf, pos
        self.vt = pos - struct.unpack_from("<i", buf, pos)[0]

    def field(self, i):
        vlen = struct.unpack_from("<H", self.b, self.vt)[0]
        if 4 + 2 * i >= vlen:
            return 0
        rel = struct.unpack_from("<H", self.b, self.vt + 4 + 2 * i)[0]
        return self.pos + rel if rel else 0

    def scalar(self, i, fmt, default=0):
        p = self.field(i)
        return struct.unpack_from("<" + fmt, self.b, p)[0] if p else default

    def vector(self, i):
        """(position of element 0, length); (0, 0) when absent."""
        p = self.field(i)
        if not p:
            return 0, 0
        v = p + struct.unpack_from("<I", self.b, p)[0]
        return v + 4, struct.unpack_from("<I", self.b, v)[0]

    def ints(self, i, dtype="<i4"):
        start, n = self.vector(i)
        return np.frombuffer(self.b, dtype=dtype, count=n, offset=start) if n else np.zeros(0, dtype)

    def table(self, i):
        p = self.field(i)
        return _Fb(self.b, p + struct.unpack_from("<I", self.b, p)[0]) if p else None

    def tables(self, i):
        start, n = self.vector(i)
        return [_Fb(self.b, start + 4 * k + struct.unpack_from("<I", self.b, start + 4 * k)[0]) for k in range(n)]


_INT_TYPES = {9: np.int8, 3: np.uint8, 7: np.int16}  # TensorType INT8, UINT8, INT16
_OP_NAMES = {0: "ADD", 3: "CONV_2D", 4: "DEPTHWISE_CONV_2D", 9: "FULLY_CONNECTED", 22: "RESHAPE", 34: "PAD",
             39: "TRANSPOSE", 40: "MEAN"}  # BuiltinOperator, for messages


def cmd_armnn_per_op(a):
    """Each operator of a quantized model cut out as a one-operator model (the subgraph's input, output and
    operator vectors patched in place), nnc and ArmNN fed the same random input: within --lsb and at least
    --min-exact % equal. An ADD reads one tensor as both operands (the file's quantization of each operand
    and of the output stays). Per operator, because a deep int8 network on random input amplifies the rare
    1-LSB tie-rounding differences (ArmNN vs ArmNN with 3 input pixels changed by 1 LSB: up to 8 LSB at the
    mobilenet_v2 logits). PAD: ArmNN 20.08's TfLiteParser leaves the pad value at raw 0 (TFLite pads a
    quantized tensor with its zero point, i.e. real 0.0), so nnc's border is checked against the zero point
    and only the interior against ArmNN."""
    ok_all = True
    rng = np.random.default_rng(a.seed)
    for model in a.model:
        orig = open(model, "rb").read()
        root = _Fb(orig, struct.unpack_from("<I", orig, 0)[0])
        codes = [max(c.scalar(0, "b"), c.scalar(3, "i")) for c in root.tables(1)]  # deprecated/new builtin code
        buffers = root.tables(4)
        sg = root.tables(2)[0]
        tensors, ops = sg.tables(0), sg.tables(3)
        (in_vec, _), (out_vec, _), (op_vec, _) = sg.vector(1), sg.vector(2), sg.vector(3)
        const = lambda t: buffers[tensors[t].scalar(2, "I")].vector(0)[1] > 0
        for k, op in enumerate(ops):
            code, ins, outs = codes[op.scalar(0, "I")], op.ints(1), op.ints(2)
            acts = [int(t) for t in ins if t >= 0 and not const(int(t))]
            name = f"{os.path.basename(model)} operator {k} ({_OP_NAMES.get(code, f'builtin {code}')})"
            if len(outs) != 1 or len(acts) not in (1, 2) or (len(acts) == 2 and code != 0) or op.pos <= op_vec:
                print(f"FAIL {name}: cannot be cut out alone ({len(acts)} non-constant inputs, {len(outs)} outputs)")
                ok_all = False
                continue
            t_in, t_out = acts[0], int(outs[0])
            b = bytearray(orig)
            struct.pack_into("<I", b, in_vec - 4, 1)
            struct.pack_into("<i", b, in_vec, t_in)
            struct.pack_into("<I", b, out_vec - 4, 1)
            struct.pack_into("<i", b, out_vec, t_out)
            struct.pack_into("<I", b, op_vec - 4, 1)
            struct.pack_into("<I", b, op_vec, op.pos - op_vec)
            if len(acts) == 2:
                struct.pack_into("<ii", b, op.vector(1)[0], t_in, t_in)
            ten = tensors[t_in]
            dtype = _INT_TYPES.get(ten.scalar(1, "b"))
            if dtype is None:
                print(f"FAIL {name}: input tensor type {ten.scalar(1, 'b')} is not int8/uint8/int16")
                ok_all = False
                continue
            info = np.iinfo(dtype)
            x = rng.integers(info.min, info.max + 1, size=tuple(int(d) for d in ten.ints(0))).astype(dtype)
            with tempfile.TemporaryDirectory() as work:
                cut = os.path.join(work, "cut.tflite")
                with open(cut, "wb") as f:
                    f.write(b)
                got = nnc_run(a.tool, cut, [x], os.path.join(work, "nnc"))[0]
                want = armnn_run(cut, [x])[0]
            got = got.reshape(want.shape) if got.size == want.size else got
            extra, ok_border = "", True
            if code == 34 and got.shape == want.shape:  # PAD
                pads = buffers[tensors[int(ins[1])].scalar(2, "I")].ints(0, "<i4").reshape(-1, 2)
                inner = tuple(slice(int(lo), int(n - hi)) for (lo, hi), n in zip(pads, got.shape))
                border = np.ones(got.shape, bool)
                border[inner] = False
                qp = tensors[t_out].table(4)
                zp = int(qp.ints(3, "<i8")[0]) if qp and qp.vector(3)[1] else 0
                bad = int((got[border] != zp).sum())
                ok_border = bad == 0 and border.any()
                extra = f"; border: {bad}/{int(border.sum())} values differ from the zero point {zp}"
                got, want = got[inner], want[inner]
                name += " interior"
            ok, text = compare(name, got, want, a.lsb, a.rtol)
            if np.issubdtype(want.dtype, np.integer):
                exact = 100.0 * float((got == want).mean()) if want.size else 100.0
                ok = ok and exact >= a.min_exact
            ok = ok and ok_border
            text += extra
            print(("OK   " if ok else "FAIL ") + text, flush=True)
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
    ap.add_argument("command", choices=["armnn", "armnn-per-op", "rewrite", "person", "mnist", "ort"])
    ap.add_argument("--ort-setup")
    ap.add_argument("--tool", required=True)
    ap.add_argument("--model", action="append", default=[])
    ap.add_argument("--dir")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--rtol", type=float, default=1e-4)
    ap.add_argument("--lsb", type=int, default=1)
    ap.add_argument("--min-exact", type=float, default=99.9, help="armnn-per-op: least %% of values equal to ArmNN's")
    a = ap.parse_args()
    return {"armnn": cmd_armnn, "armnn-per-op": cmd_armnn_per_op, "rewrite": cmd_rewrite, "person": cmd_person, "mnist": cmd_mnist, "ort": cmd_ort}[a.command](a)


if __name__ == "__main__":
    sys.exit(main())
