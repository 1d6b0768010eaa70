#!/usr/bin/python3
# nnc tests: proves nnc's ONNX writer on real models: ONNX -> nnc IR -> written .onnx, then onnx.checker
# (full_check) and ONNX Runtime + nnc on the written file against ONNX Runtime on the original.
"""For every model (and extracted subgraph) given:

  1. nnc_onnx_rewrite imports it into the nnc IR and writes it back as ONNX (optionally a subgraph
     cut with nnc::extract_subgraph);
  2. onnx.checker.check_model(written, full_check=True) must accept the written file;
  3. a seeded input is made from the written model's (concrete) input shapes;
  4. reference = ONNX Runtime on the original model (for a subgraph: on onnx.utils.extract_model's cut of
     the original with the same input/output names);
  5. ONNX Runtime on the written model must match the reference within 1e-5 (relative to max|ref|);
     nnc (`host exec`) on the written model must match nnc on the original within 1e-6 and the reference
     within 1e-3. When nnc cannot run a model at all, it must fail the same way on the original (an op
     nnc lacks), which is reported, not hidden.

Exits 77 (ctest SKIP) only when /usr/bin/python3 has no onnx/numpy or `node` is missing.
"""
import argparse
import glob
import os
import re
import shutil
import subprocess
import sys

SKIP = 77
ORT_TOL = 1e-5        # ORT on the written model vs ORT on the original
NNC_SAME_TOL = 1e-6   # nnc on the written model vs nnc on the original
NNC_TOL = 1e-3        # nnc on the written model vs ORT on the original (float summation order differs)

try:
    import numpy as np
    import onnx
    import onnx.utils
    from onnx import mapping
except ImportError as e:
    print(f"SKIP: /usr/bin/python3 lacks {e.name} (apt-get install python3-onnx python3-numpy)")
    sys.exit(SKIP)
if shutil.which("node") is None:
    print("SKIP: `node` is not installed, so ONNX Runtime (../shared/tools/ort) cannot run (apt-get install nodejs)")
    sys.exit(SKIP)


# The helpers shared with the real-model checks (same host exec parsing and deviation measure).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "realmodels"))
from check_model import deviation, nnc_exec, run, sanitize  # noqa: E402


def io_names(model_path):
    m = onnx.load(model_path, load_external_data=False)
    inits = {i.name for i in m.graph.initializer}
    ins = [i for i in m.graph.input if i.name not in inits]
    return ins, [o.name for o in m.graph.output]


def make_inputs(model_path, out_dir, seed=1234):
    """Seeded inputs from the model's declared input types; symbolic or unknown dims become 1."""
    ins, _ = io_names(model_path)
    rng = np.random.default_rng(seed)
    files = {}
    for i, vi in enumerate(ins):
        tt = vi.type.tensor_type
        shape = [d.dim_value if d.dim_value > 0 else 1 for d in tt.shape.dim]
        dtype = mapping.TENSOR_TYPE_TO_NP_TYPE[tt.elem_type]
        if np.issubdtype(dtype, np.floating):
            x = rng.standard_normal(shape).astype(dtype)
        elif dtype == np.bool_:
            x = rng.integers(0, 2, shape).astype(dtype)
        else:
            x = rng.integers(0, 4, shape).astype(dtype)
        f = os.path.join(out_dir, f"input_{i}.npy")
        np.save(f, x)
        files[vi.name] = f
    return files


def ort_exec(ort_dir, model, inputs, out_dir, names):
    cmd = ["node", os.path.join(ort_dir, "ort_run.js"), model, "-o", out_dir] + \
          [a for n, f in inputs.items() for a in ("-i", f"{n}={f}")]
    run(cmd, "ONNX Runtime")
    return [np.load(os.path.join(out_dir, sanitize(n) + ".npy")) for n in names]


def auto_cut(model_path):
    """(input, output) value names inside the graph such that the output depends on no graph input
    except through the input: input at ~1/3 of the nodes, output at ~2/3."""
    m = onnx.load(model_path, load_external_data=False)
    g = m.graph
    producer = {o: n for n in g.node for o in n.output}
    graph_inputs = {i.name for i in g.input} - {i.name for i in g.initializer}
    nodes = list(g.node)
    out = nodes[(2 * len(nodes)) // 3].output[0]

    def separated(cut):
        seen, stack, reached = set(), [out], False
        while stack:
            v = stack.pop()
            if v in seen:
                continue
            seen.add(v)
            if v == cut:
                reached = True
                continue
            if v in graph_inputs:
                return False
            n = producer.get(v)
            if n is not None:
                stack.extend(x for x in n.input if x)
        return reached

    for i in range(len(nodes) // 3, (2 * len(nodes)) // 3):
        cand = nodes[i].output[0]
        if cand != out and separated(cand):
            return cand, out
    raise RuntimeError(f"no separating cut found in {model_path}")


def check_case(args, ort_dir, label, original, cut, work):
    os.makedirs(work, exist_ok=True)
    written = os.path.join(work, "written.onnx")
    cmd = [args.tool, original, written]
    if cut:
        cmd += ["--inputs", ",".join(cut[0]), "--outputs", ",".join(cut[1])]
    run(cmd, "nnc_onnx_rewrite")
    onnx.checker.check_model(written, full_check=True)

    reference_model = original
    if cut:
        reference_model = os.path.join(work, "reference_cut.onnx")
        onnx.utils.extract_model(original, reference_model, cut[0], cut[1])
    _, ref_outs = io_names(reference_model)
    w_ins, w_outs = io_names(written)
    if w_outs != ref_outs:
        raise RuntimeError(f"written outputs {w_outs} differ from the original's {ref_outs}")
    inputs = make_inputs(written, work)
    # A model shipped with its own input (the torchvision exports' input_0.npy) runs on that: random
    # noise makes a detector's near-tied scores reorder its detections between two correct runtimes.
    shipped = os.path.join(os.path.dirname(original), "input_0.npy")
    if not cut and len(inputs) == 1 and os.path.exists(shipped):
        inputs = {next(iter(inputs)): shipped}
    ref = ort_exec(ort_dir, reference_model, inputs, os.path.join(work, "ort_ref"), ref_outs)
    ort = ort_exec(ort_dir, written, inputs, os.path.join(work, "ort_written"), ref_outs)
    ort_dev = deviation(ort, ref)
    if not ort_dev <= ORT_TOL:
        raise RuntimeError(f"ONNX Runtime on the written model deviates {ort_dev:.3g} from the original (> {ORT_TOL})")
    try:
        nnc = nnc_exec(args.host, written, inputs, os.path.join(work, "nnc_written"))
    except RuntimeError as e:
        # Acceptable only when nnc rejects the original the same way (an op it lacks), not the written file.
        err = str(e).splitlines()[-1]
        try:
            nnc_exec(args.host, reference_model, inputs, os.path.join(work, "nnc_original"))
        except RuntimeError as e2:
            err2 = str(e2).splitlines()[-1]
            if "unsupported op" in err and err.split("error: ")[-1] == err2.split("error: ")[-1]:
                return f"{label}: checker ok, ORT written-vs-original {ort_dev:.2e}, nnc n/a (same error on the original: {err[:300]})"
        raise
    nnc_orig = nnc_exec(args.host, reference_model, inputs, os.path.join(work, "nnc_original"))
    same_dev = deviation([nnc[n] for n in ref_outs], [nnc_orig[n] for n in ref_outs])
    if not same_dev <= NNC_SAME_TOL:
        raise RuntimeError(f"nnc on the written model deviates {same_dev:.3g} from nnc on the original (> {NNC_SAME_TOL})")
    nnc_dev = deviation([nnc[n] for n in ref_outs], ref)
    if not nnc_dev <= NNC_TOL:
        raise RuntimeError(f"nnc on the written model deviates {nnc_dev:.3g} from ORT on the original (> {NNC_TOL})")
    return (f"{label}: checker ok, ORT written-vs-original {ort_dev:.2e}, nnc written-vs-original {same_dev:.2e}, "
            f"nnc-vs-ORT {nnc_dev:.2e}, {len(w_ins)} input(s), {len(w_outs)} output(s)")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tool", required=True, help="nnc_onnx_rewrite")
    ap.add_argument("--host", required=True, help="nnc host binary")
    ap.add_argument("--ort-setup", required=True, help="../shared/tools/ort/setup.sh")
    ap.add_argument("--work", required=True, help="scratch directory")
    ap.add_argument("--model", action="append", default=[], help="an .onnx file (repeatable)")
    ap.add_argument("--model-glob", action="append", default=[], help="a glob of .onnx files, may match nothing")
    ap.add_argument("--cut", action="append", default=[],
                    help="MODEL@IN1,IN2@OUT1 subgraph to extract; IN/OUT 'auto' picks a separating cut")
    ap.add_argument("--cut-if-present", action="append", default=[], help="like --cut; ignored when MODEL is absent")
    ap.add_argument("--require", type=int, default=1, help="fail unless at least this many cases ran")
    args = ap.parse_args()

    p = subprocess.run(["bash", args.ort_setup], capture_output=True, text=True)
    if p.returncode != 0:
        print(f"FAIL: ONNX Runtime setup failed: {args.ort_setup}: {p.stderr.strip()[-400:]}")
        return 1
    ort_dir = p.stdout.strip().splitlines()[-1]

    cases = [(os.path.basename(m), m, None) for m in args.model]
    for pattern in args.model_glob:
        for m in sorted(glob.glob(pattern)):
            cases.append((os.path.relpath(m, os.path.dirname(os.path.dirname(m))), m, None))
    present = [c for c in args.cut_if_present if os.path.exists(c.split("@")[0])]
    for spec in args.cut + present:
        model, ins, outs = spec.split("@")
        if ins == "auto" or outs == "auto":
            i, o = auto_cut(model)
            ins, outs = ins if ins != "auto" else i, outs if outs != "auto" else o
        cut = (ins.split(","), outs.split(","))
        cases.append((f"{os.path.basename(model)} subgraph {ins} -> {outs}", model, cut))

    failed = 0
    for k, (label, model, cut) in enumerate(cases):
        try:
            print("ok   " + check_case(args, ort_dir, label, model, cut, os.path.join(args.work, f"case_{k}")), flush=True)
        except Exception as e:  # noqa: BLE001 - every failure is reported with its case
            failed += 1
            print(f"FAIL {label}: {type(e).__name__}: {e}", flush=True)
    print(f"{len(cases) - failed} passed, {failed} failed")
    if len(cases) < args.require:
        print(f"FAIL: only {len(cases)} case(s) found, expected at least {args.require}")
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
