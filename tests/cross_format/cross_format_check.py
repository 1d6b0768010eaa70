#!/usr/bin/python3
"""nnc tests: the same network in two formats gives the same outputs through `host exec` (issues 8 and 9).

  keras-tflite  MLPerf Tiny .h5 (Keras) vs its float .tflite (relative error <= 1e-4, same top-1), and the
                full-int8 .tflite vs the float .h5 on crops of real photos: the gap in output LSB is printed
                (the int8 model's own quantization error; nnc's int8 run is compared with ArmNN's integer
                kernels on the same inputs, a limit with --armnn-lsb), and top-1 must agree wherever the
                float lead is more than twice that sample's gap.
  tf-tflite     The Fashion-MNIST QAT frozen .pb (FakeQuant -> QDQ) vs its uint8 .tflite (TOCO), on MNIST digit
                images and seeded random images; the .pb is also run by a numpy interpreter written here
                (protobuf-parsed GraphDef, TF's documented op semantics), since OpenCV cannot read this file.
  onnx-tflite   UltraFace RFB-320 as ONNX (NCHW) vs as float .tflite (NHWC): every output within 1e-4.

Every number measured is printed; a missing Python module is a failure naming its Debian package.
"""
import argparse
import importlib
import os
import shutil
import subprocess
import sys
import tempfile


def need(module, package):
    try:
        return importlib.import_module(module)
    except ImportError:
        print(f"FAIL: Python module '{module}' is missing (fix: apt-get install {package})", file=sys.stderr)
        sys.exit(1)


np = need("numpy", "python3-numpy")


def host_exec(ns, model, inputs, extra=()):
    """Runs `host exec MODEL -i NAME=x.npy ... -o DIR`; returns {output file stem: array} in name order."""
    d = tempfile.mkdtemp(prefix="nnc_xfmt_")
    try:
        args = [ns.host, "exec", model, "-o", os.path.join(d, "out")] + list(extra)
        for i, (name, arr) in enumerate(inputs.items()):
            f = os.path.join(d, f"in{i}.npy")
            np.save(f, arr)
            args += ["-i", f"{name}={f}"]
        p = subprocess.run(args, capture_output=True, text=True, timeout=300)
        if p.returncode != 0:
            sys.exit(f"FAIL: {' '.join(args)} -> rc {p.returncode}\n{p.stdout}\n{p.stderr}")
        od = os.path.join(d, "out")
        return {f[:-4]: np.load(os.path.join(od, f)) for f in sorted(os.listdir(od)) if f.endswith(".npy")}
    finally:
        shutil.rmtree(d, ignore_errors=True)


def only(outs, what):
    if len(outs) != 1:
        sys.exit(f"FAIL: {what}: expected one output, got {list(outs)}")
    return next(iter(outs.values()))


def tflite_quant(ns, model, which):
    """[(scale, zero point, dtype name)] of subgraph 0's inputs ("quant") or outputs ("outquant"), read straight from
    the flatbuffer (TFLite schema: Model.subgraphs=2, SubGraph.tensors=0/inputs=1/outputs=2, Tensor.type=1/
    quantization=4, QuantizationParameters.scale=2/zero_point=3), independently of nnc's reader."""
    import struct
    buf = open(model, "rb").read()
    u32 = lambda p: struct.unpack_from("<I", buf, p)[0]

    def field(t, slot):
        vt = t - struct.unpack_from("<i", buf, t)[0]
        vo = 4 + 2 * slot
        if vo >= struct.unpack_from("<H", buf, vt)[0]:
            return None
        off = struct.unpack_from("<H", buf, vt + vo)[0]
        return t + off if off else None

    def table(t, slot):
        p = field(t, slot)
        return p + u32(p) if p is not None else None

    def vector(t, slot, fmt=None):
        p = field(t, slot)
        if p is None:
            return []
        v = p + u32(p)
        n = u32(v)
        if fmt is None:  # tables
            return [v + 4 + 4 * i + u32(v + 4 + 4 * i) for i in range(n)]
        size = struct.calcsize("<" + fmt)
        return [struct.unpack_from("<" + fmt, buf, v + 4 + size * i)[0] for i in range(n)]

    names = {0: "FLOAT32", 2: "INT32", 3: "UINT8", 7: "INT16", 9: "INT8"}
    sg = vector(u32(0), 2)[0]
    tensors = vector(sg, 0)
    out = []
    for t in vector(sg, 1 if which == "quant" else 2, "i"):
        ten = tensors[t]
        tp = field(ten, 1)
        dtype = names.get(buf[tp] if tp is not None else 0, "other")
        q = table(ten, 4)
        scale = vector(q, 2, "f") if q is not None else []
        zp = vector(q, 3, "q") if q is not None else []
        out.append((scale[0] if len(scale) == 1 else 1.0, zp[0] if len(zp) == 1 else 0, dtype))
    return out


QMIN = {"INT8": -128, "UINT8": 0}
QTYPE = {"INT8": np.int8, "UINT8": np.uint8}


def rel_err(got, want):
    return float(np.abs(got - want).max() / max(float(np.abs(want).max()), 1e-30))


# ---------------------------------------------------------------------------------------------------------------
# Inputs: deterministic crops of real photos (varied content, so top-1 is not the same class everywhere).

def photo_crops(images, n, h, w, channels):
    cv2 = need("cv2", "python3-opencv")
    pics = []
    for path in images:
        img = cv2.imread(path, cv2.IMREAD_COLOR)
        if img is None:
            sys.exit(f"FAIL: cannot read image {path}")
        pics.append(img[:, :, ::-1])  # RGB
    out = []
    for i in range(n):
        img = pics[i % len(pics)]
        ih, iw = img.shape[:2]
        frac = 0.35 + 0.65 * ((i * 7) % 11) / 10.0
        ch, cw = max(8, int(ih * frac)), max(8, int(iw * frac))
        y = ((i * 37) % 13) * (ih - ch) // 12
        x = ((i * 53) % 17) * (iw - cw) // 16
        crop = cv2.resize(np.ascontiguousarray(img[y:y + ch, x:x + cw]), (w, h), interpolation=cv2.INTER_AREA)
        if channels == 1:
            crop = crop.mean(axis=2, keepdims=True).round()
        out.append(crop.astype(np.uint8))
    return out


def log_prob_gap(a, b, floor=1e-6):
    """max |log a - log b| over entries where both probabilities are >= floor (logit differences, shift-free)."""
    m = (a >= floor) & (b >= floor)
    return float(np.abs(np.log(a[m].astype(np.float64)) - np.log(b[m].astype(np.float64))).max(initial=0))


def armnn_run(model, x):
    """ArmNN 22 (Debian python3-pyarmnn) CpuRef on a one-input .tflite: the independent integer reference."""
    ann = need("pyarmnn", "python3-pyarmnn")
    parser = ann.ITfLiteParser()
    network = parser.CreateNetworkFromBinaryFile(model)
    in_info = parser.GetNetworkInputBindingInfo(0, parser.GetSubgraphInputTensorNames(0)[0])
    runtime = ann.IRuntime(ann.CreationOptions())
    if "CpuRef" not in str(runtime.GetDeviceSpec()):
        sys.exit("FAIL: ArmNN has no CpuRef backend (fix: apt-get install libarmnn-cpuref-backend22)")
    opt, _ = ann.Optimize(network, [ann.BackendId("CpuRef")], runtime.GetDeviceSpec(), ann.OptimizerOptions())
    net_id, _ = runtime.LoadNetwork(opt)
    in_tensors = ann.make_input_tensors([in_info], [np.ascontiguousarray(x)])
    out_info = [parser.GetNetworkOutputBindingInfo(0, n) for n in parser.GetSubgraphOutputTensorNames(0)]
    out_tensors = ann.make_output_tensors(out_info)
    runtime.EnqueueWorkload(net_id, in_tensors, out_tensors)
    return ann.workload_tensors_to_ndarray(out_tensors)[0]


# ---------------------------------------------------------------------------------------------------------------

def cmd_keras_tflite(ns):
    (in_s, in_zp, in_t), = tflite_quant(ns, ns.tflite_int8, "quant")
    (out_s, out_zp, out_t), = tflite_quant(ns, ns.tflite_int8, "outquant")
    if in_t not in QMIN or out_t not in QMIN:
        sys.exit(f"FAIL: {ns.tflite_int8}: expected 8-bit input/output, got {in_t}/{out_t}")
    h, w, c = (int(v) for v in ns.hwc.split(","))
    pixels = photo_crops(ns.image, ns.samples, h, w, c)
    name_h5, name_f, name_q = ns.input_names.split(",")
    print(f"int8 input: float = (q - {in_zp}) * {in_s:.9g}; int8 output LSB = {out_s:.9g} (zero point {out_zp})")
    worst_rel = worst_lp = worst_lsb = worst_arm = lsb_sum = 0.0
    top_float = top_int8 = 0
    unsure = arm_differ = 0
    for i, k in enumerate(pixels):
        q = (k.astype(np.int32) + QMIN[in_t]).clip(np.iinfo(QTYPE[in_t]).min, np.iinfo(QTYPE[in_t]).max)
        x = ((q - in_zp).astype(np.float32) * np.float32(in_s))[None]  # the float image the int8 input represents
        p_h5 = only(host_exec(ns, ns.h5, {name_h5: x}), ns.h5).reshape(-1)
        p_fl = only(host_exec(ns, ns.tflite, {name_f: x}), ns.tflite).reshape(-1)
        yq = only(host_exec(ns, ns.tflite_int8, {name_q: q.astype(QTYPE[in_t])[None]}), ns.tflite_int8)
        if yq.dtype != QTYPE[out_t]:
            sys.exit(f"FAIL: int8 model output dtype {yq.dtype}, file says {out_t}")
        arm = armnn_run(ns.tflite_int8, q.astype(QTYPE[in_t])[None]).reshape(-1)
        arm_lsb = int(np.abs(arm.astype(np.int64) - yq.reshape(-1).astype(np.int64)).max())
        p_q = ((yq.reshape(-1).astype(np.float64) - out_zp) * out_s)
        rel, lp = rel_err(p_h5, p_fl), log_prob_gap(p_h5, p_fl)
        lsb = float(np.abs(p_q - p_h5).max() / out_s)
        srt = np.sort(p_h5)[::-1]
        margin_lsb = float((srt[0] - srt[1]) / out_s)
        top_float += int(p_h5.argmax() == p_fl.argmax())
        same_q = int(p_q.argmax() == p_h5.argmax())
        top_int8 += same_q
        # The int8 model may only change the class where the float lead is within twice its measured gap there.
        if not same_q and margin_lsb <= 2 * lsb:
            unsure += 1
        print(f"sample {i}: top-1 h5 {p_h5.argmax()} ({srt[0]:.4f}) tflite {p_fl.argmax()} int8 {p_q.argmax()}; "
              f"h5 vs float tflite: rel {rel:.3g}, max|dlog p| {lp:.3g}; int8 vs h5: {lsb:.2f} LSB "
              f"(float top-1 lead {margin_lsb:.1f} LSB); nnc int8 vs ArmNN int8: {arm_lsb} LSB")
        worst_rel, worst_lp, worst_lsb = max(worst_rel, rel), max(worst_lp, lp), max(worst_lsb, lsb)
        worst_arm, lsb_sum, arm_differ = max(worst_arm, arm_lsb), lsb_sum + lsb, arm_differ + int(arm_lsb > 0)
    n = len(pixels)
    print(f"SUMMARY {os.path.basename(ns.h5)} vs {os.path.basename(ns.tflite)}: max rel error {worst_rel:.3g} "
          f"(limit {ns.tol:g}), max |dlog p| {worst_lp:.3g} (limit {ns.logp_tol:g}), top-1 agreement {top_float}/{n}")
    print(f"SUMMARY {os.path.basename(ns.tflite_int8)} vs {os.path.basename(ns.h5)} (informational): max gap {worst_lsb:.2f} "
          f"output LSB, mean of per-sample max {lsb_sum / n:.2f} LSB; top-1 agreement {top_int8}/{n} "
          f"({unsure} disagreement(s) where the float lead is within twice the gap)")
    limit = "informational" if ns.armnn_lsb is None else f"limit {ns.armnn_lsb:g}"
    print(f"SUMMARY nnc vs ArmNN on {os.path.basename(ns.tflite_int8)}: max {worst_arm:g} LSB, {arm_differ}/{n} samples "
          f"differ ({limit})")
    ok = worst_rel <= ns.tol and worst_lp <= ns.logp_tol and top_float == n
    ok &= top_int8 + unsure == n and (ns.armnn_lsb is None or worst_arm <= ns.armnn_lsb)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


# ---------------------------------------------------------------------------------------------------------------
# A numpy interpreter for frozen GraphDefs of the few ops a Keras/QAT MLP uses, with TF's own semantics.

def load_graphdef(ns, path, work):
    need("google.protobuf", "python3-protobuf")
    if not shutil.which("protoc"):
        sys.exit("FAIL: protoc is missing (fix: apt-get install protobuf-compiler)")
    out = os.path.join(work, "pb2")
    os.makedirs(out, exist_ok=True)
    protos = sorted(f for f in os.listdir(ns.proto_dir) if f.endswith(".proto"))
    subprocess.run(["protoc", "-I", ns.proto_dir, "--python_out", out] + protos, check=True)
    sys.path.insert(0, out)
    graph_pb2 = importlib.import_module("graph_pb2")
    g = graph_pb2.GraphDef()
    g.ParseFromString(open(path, "rb").read())
    return g


def tensor_value(t):
    dt = {1: np.float32, 3: np.int32, 9: np.int64}.get(t.dtype)
    if dt is None:
        sys.exit(f"FAIL: numpy reference: Const dtype {t.dtype} not handled")
    shape = [d.size for d in t.tensor_shape.dim]
    if t.tensor_content:
        return np.frombuffer(t.tensor_content, dtype=dt).reshape(shape).copy()
    vals = {np.float32: t.float_val, np.int32: t.int_val, np.int64: t.int64_val}[dt]
    n = int(np.prod(shape)) if shape else 1
    v = np.array(list(vals) or [0], dtype=dt)
    return (np.full(n, v[-1], dtype=dt) if v.size < n else v[:n]).reshape(shape)


def fake_quant(x, lo, hi, num_bits, narrow):
    """tf.quantization.fake_quant_with_min_max_vars (kernels/fake_quant_ops_functor.h): nudged range, round half up."""
    qmin, qmax = (1 if narrow else 0), (1 << num_bits) - 1
    lo, hi = np.float32(lo), np.float32(hi)
    scale = (hi - lo) / np.float32(qmax - qmin)
    zp_from_min = np.float32(qmin) - lo / scale
    zp = qmin if zp_from_min < qmin else qmax if zp_from_min > qmax else np.round(zp_from_min)
    nmin, nmax = (np.float32(qmin) - zp) * scale, (np.float32(qmax) - zp) * scale
    c = np.clip(x, nmin, nmax)
    return (np.floor((c - nmin) / scale + np.float32(0.5)) * scale + nmin).astype(np.float32)


def run_graphdef(g, feeds, output):
    nodes = {n.name: n for n in g.node}
    memo = dict(feeds)

    def val(ref):
        name = ref.split(":")[0].lstrip("^")
        if name in memo:
            return memo[name]
        n = nodes[name]
        ins = [val(i) for i in n.input if not i.startswith("^")]
        a = n.attr
        op = n.op
        if op == "Const":
            r = tensor_value(a["value"].tensor)
        elif op == "Identity":
            r = ins[0]
        elif op == "Shape":
            r = np.array(ins[0].shape, dtype=np.int32)
        elif op == "StridedSlice":
            x, b, e, s = ins
            if x.ndim != 1 or a["ellipsis_mask"].i or a["new_axis_mask"].i:
                sys.exit(f"FAIL: numpy reference: StridedSlice form of {name} not handled")
            lo = None if a["begin_mask"].i & 1 else int(b[0])
            hi = None if a["end_mask"].i & 1 else int(e[0])
            r = x[int(b[0])] if a["shrink_axis_mask"].i & 1 else x[lo:hi:int(s[0])]
        elif op == "Pack":
            r = np.stack([np.asarray(v) for v in ins], axis=a["axis"].i)
        elif op == "Reshape":
            r = ins[0].reshape([int(v) for v in np.asarray(ins[1]).reshape(-1)])
        elif op == "MatMul":
            x, y = ins
            x = x.T if a["transpose_a"].b else x
            y = y.T if a["transpose_b"].b else y
            r = (x.astype(np.float64) @ y.astype(np.float64)).astype(np.float32)
        elif op in ("BiasAdd", "Add", "AddV2"):
            r = (ins[0] + ins[1]).astype(np.float32)
        elif op == "Sub":
            r = (ins[0] - ins[1]).astype(np.float32)
        elif op == "Mul":
            r = (ins[0] * ins[1]).astype(np.float32)
        elif op == "Rsqrt":
            r = (1.0 / np.sqrt(ins[0].astype(np.float64))).astype(np.float32)
        elif op == "Relu":
            r = np.maximum(ins[0], 0)
        elif op == "Softmax":
            z = ins[0].astype(np.float64)
            ez = np.exp(z - z.max(axis=-1, keepdims=True))
            r = (ez / ez.sum(axis=-1, keepdims=True)).astype(np.float32)
        elif op == "FakeQuantWithMinMaxVars":
            r = fake_quant(ins[0], float(ins[1]), float(ins[2]), a["num_bits"].i or 8, a["narrow_range"].b)
        else:
            sys.exit(f"FAIL: numpy reference: op {op} ({name}) not handled")
        memo[name] = r
        return r

    return val(output)


def cmd_tf_tflite(ns):
    (in_s, in_zp, in_t), = tflite_quant(ns, ns.tflite, "quant")
    (out_s, out_zp, out_t), = tflite_quant(ns, ns.tflite, "outquant")
    if in_t not in QMIN or out_t not in QMIN:
        sys.exit(f"FAIL: {ns.tflite}: expected 8-bit input/output, got {in_t}/{out_t}")
    work = tempfile.mkdtemp(prefix="nnc_xfmt_pb_")
    g = load_graphdef(ns, ns.pb, work)
    # cv2 only after the GraphDef modules: OpenCV's own protobuf files clash with them in the default pool.
    cv2 = need("cv2", "python3-opencv")
    nodes = {n.name: n for n in g.node}
    fq = [n for n in g.node if n.op == "FakeQuantWithMinMaxVars"]
    # The bound: both files quantize the logits (the Softmax input) on the same grid of step s_l, and a logit that
    # moves by one step moves each probability by at most s_l / 4. The files differ by more than rounding (TOCO
    # quantizes the batch-norm multiplier and offset, which the .pb keeps in float), so allow --logit-lsb steps.
    sm = nodes[ns.pb_output.split(":")[0]]
    fq_in = nodes.get(sm.input[0].split(":")[0]) if sm.op == "Softmax" else None
    if fq_in is None or fq_in.op != "FakeQuantWithMinMaxVars":
        sys.exit(f"FAIL: {ns.pb_output} is not a Softmax of a FakeQuantWithMinMaxVars; the logit grid is unknown")
    def const_of(ref):  # through Identity (the frozen variables' /read nodes)
        n = nodes[ref.split(":")[0]]
        while n.op == "Identity":
            n = nodes[n.input[0].split(":")[0]]
        if n.op != "Const":
            sys.exit(f"FAIL: {ref} is not a constant")
        return float(tensor_value(n.attr["value"].tensor))

    lo, hi = const_of(fq_in.input[1]), const_of(fq_in.input[2])
    s_l = (hi - lo) / ((1 << (fq_in.attr["num_bits"].i or 8)) - 1)
    bound = ns.logit_lsb * s_l / 4 / out_s
    print(f"{os.path.basename(ns.pb)}: {len(g.node)} nodes, {len(fq)} FakeQuantWithMinMaxVars, logit step {s_l:.4g}; "
          f"{os.path.basename(ns.tflite)}: input {in_t} scale {in_s:.9g} zp {in_zp}, output {out_t} LSB {out_s:.9g} zp {out_zp}")
    images = []
    for d in range(10):
        img = cv2.imread(os.path.join(ns.digits, f"sample{d}.png"), cv2.IMREAD_GRAYSCALE)
        if img is None:
            sys.exit(f"FAIL: cannot read sample{d}.png in {ns.digits}")
        images.append(("digit%d" % d, img))
    rng = np.random.default_rng(ns.seed)
    for i in range(ns.samples):
        # Smooth random blobs (clothing-like silhouettes) and plain noise.
        if i % 2 == 0:
            yy, xx = np.mgrid[0:28, 0:28]
            cy, cx, ry, rx = rng.uniform(8, 20), rng.uniform(8, 20), rng.uniform(4, 12), rng.uniform(4, 12)
            img = (255 * np.exp(-(((yy - cy) / ry) ** 4 + ((xx - cx) / rx) ** 4))).round()
        else:
            img = rng.integers(0, 256, size=(28, 28))
        images.append((f"random{i}", img.astype(np.uint8)))
    worst_ref = worst_lsb = 0.0
    lsb_sum = 0.0
    top_ok = top_ref_ok = 0
    for tag, k in images:
        q = (k.astype(np.int32) + QMIN[in_t]).reshape(1, 28, 28)
        x = ((q - in_zp).astype(np.float32) * np.float32(in_s))
        p_pb = only(host_exec(ns, ns.pb, {ns.pb_input: x}), ns.pb).reshape(-1)
        p_np = run_graphdef(g, {ns.pb_input: x}, ns.pb_output).reshape(-1)
        yq = only(host_exec(ns, ns.tflite, {ns.tflite_input: q.astype(QTYPE[in_t])}), ns.tflite)
        p_tl = (yq.reshape(-1).astype(np.float64) - out_zp) * out_s
        r = rel_err(p_pb, p_np)
        lsb = float(np.abs(p_tl - p_pb).max() / out_s)
        top_ok += int(p_tl.argmax() == p_pb.argmax())
        top_ref_ok += int(p_np.argmax() == p_pb.argmax())
        print(f"{tag}: top-1 pb {p_pb.argmax()} ({p_pb.max():.3f}) numpy {p_np.argmax()} tflite {p_tl.argmax()}; "
              f"nnc(pb) vs numpy(pb) rel {r:.3g}; tflite vs pb {lsb:.2f} LSB")
        worst_ref, worst_lsb, lsb_sum = max(worst_ref, r), max(worst_lsb, lsb), lsb_sum + lsb
    n = len(images)
    print(f"SUMMARY nnc({os.path.basename(ns.pb)}) vs numpy reference: max rel error {worst_ref:.3g} (limit {ns.tol:g}), "
          f"top-1 {top_ref_ok}/{n}")
    print(f"SUMMARY {os.path.basename(ns.tflite)} vs {os.path.basename(ns.pb)}: max gap {worst_lsb:.2f} output LSB "
          f"(= {worst_lsb * out_s * 4 / s_l:.2f} logit steps), mean of per-sample max {lsb_sum / n:.2f} LSB "
          f"(limit {bound:.1f} LSB = {ns.logit_lsb:g} logit steps), top-1 agreement {top_ok}/{n}")
    shutil.rmtree(work, ignore_errors=True)
    ok = worst_ref <= ns.tol and top_ref_ok == n and worst_lsb <= bound and top_ok == n
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


# ---------------------------------------------------------------------------------------------------------------

def cmd_onnx_tflite(ns):
    cv2 = need("cv2", "python3-opencv")
    img = cv2.imread(ns.image[0], cv2.IMREAD_COLOR)
    if img is None:
        sys.exit(f"FAIL: cannot read image {ns.image[0]}")
    h, w, _ = (int(v) for v in ns.hwc.split(","))
    img = cv2.resize(img[:, :, ::-1], (w, h)).astype(np.float32)
    x = ((img - ns.mean) / ns.std)[None]  # NHWC
    a = host_exec(ns, ns.onnx, {ns.onnx_input: np.ascontiguousarray(x.transpose(0, 3, 1, 2))})
    b = host_exec(ns, ns.tflite, {ns.tflite_input: np.ascontiguousarray(x)})
    ok = True
    for pair in ns.pair:
        ka, kb = pair.split("=")
        if ka not in a or kb not in b:
            sys.exit(f"FAIL: outputs {ka}/{kb} not among {list(a)} / {list(b)}")
        if a[ka].shape != b[kb].shape:
            print(f"FAIL {ka} {a[ka].shape} vs {kb} {b[kb].shape}: shapes differ")
            ok = False
            continue
        r = rel_err(b[kb], a[ka])
        print(f"{ka} (onnx) vs {kb} (tflite): shape {list(a[ka].shape)}, max rel error {r:.3g} (limit {ns.tol:g}), "
              f"max abs {float(np.abs(a[ka] - b[kb]).max()):.3g}")
        ok &= r <= ns.tol
        if a[ka].shape[-1] == 2:  # face scores: the same anchors pass the usual 0.7 threshold
            sa, sb = a[ka][..., 1] > 0.7, b[kb][..., 1] > 0.7
            print(f"  anchors with face score > 0.7: onnx {int(sa.sum())}, tflite {int(sb.sum())}, same set: {bool((sa == sb).all())}")
            ok &= bool((sa == sb).all()) and int(sa.sum()) > 0
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=["keras-tflite", "tf-tflite", "onnx-tflite"])
    ap.add_argument("--host", required=True)
    ap.add_argument("--h5")
    ap.add_argument("--tflite")
    ap.add_argument("--tflite-int8")
    ap.add_argument("--onnx")
    ap.add_argument("--pb")
    ap.add_argument("--proto-dir", help="the TensorFlow .proto files (compiled with protoc for the numpy reference)")
    ap.add_argument("--pb-input", default="flatten_input")
    ap.add_argument("--pb-output", default="dense_1/Softmax")
    ap.add_argument("--onnx-input", default="input")
    ap.add_argument("--tflite-input", default="input_1")
    ap.add_argument("--input-names", default="input_1,input_1,input_1_int8", help="h5,float tflite,int8 tflite")
    ap.add_argument("--image", action="append", default=[])
    ap.add_argument("--digits")
    ap.add_argument("--hwc", default="32,32,3")
    ap.add_argument("--mean", type=float, default=127.0)
    ap.add_argument("--std", type=float, default=128.0)
    ap.add_argument("--pair", action="append", default=[], help="ONNX_OUT=TFLITE_OUT output file stems to compare")
    ap.add_argument("--samples", type=int, default=8)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--tol", type=float, default=1e-4)
    ap.add_argument("--logp-tol", type=float, default=1e-3)
    ap.add_argument("--armnn-lsb", type=float, help="limit for nnc vs ArmNN on the int8 .tflite, in output LSB "
                                                     "(default: printed only)")
    ap.add_argument("--logit-lsb", type=float, default=4, help="tf-tflite: limit in steps of the logits' quantization grid")
    ns = ap.parse_args()
    return {"keras-tflite": cmd_keras_tflite, "tf-tflite": cmd_tf_tflite, "onnx-tflite": cmd_onnx_tflite}[ns.command](ns)


if __name__ == "__main__":
    sys.exit(main())
