#!/usr/bin/python3
# nnc e2e: runs the README's main job and checks what it prints and writes against torch's own outputs.
"""Usage: main_job_vs_torch.py HOST PIPELINE OUT_DIR REFERENCE_DIR

Runs `HOST run PIPELINE -o OUT_DIR`; REFERENCE_DIR is the generator's folder (meta.json, output_<k>.npy).
For every output of meta.json: the written OUT_DIR/model_0.<name>.npy must match torch's within
max|nnc - torch| / max|torch| <= 1e-4, the printed min/max/mean must match torch's, and the printed
top-k indices must be torch's top-k. Exits non-zero with the reason otherwise.
"""
import json
import os
import re
import subprocess
import sys

import numpy as np

TOL = 1e-4


def fail(msg):
    print(f"main_job_vs_torch: FAIL: {msg}")
    sys.exit(1)


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    host, pipeline, out_dir, ref_dir = sys.argv[1:]
    run = subprocess.run([host, "run", pipeline, "-o", out_dir], capture_output=True, text=True)
    print(run.stdout, end="")
    print(run.stderr, end="", file=sys.stderr)
    if run.returncode != 0:
        fail(f"host run exited with {run.returncode}")
    with open(os.path.join(ref_dir, "meta.json")) as f:
        meta = json.load(f)
    lines = run.stdout.splitlines()
    for out in meta["outputs"]:
        name = out["name"]
        ref = np.load(os.path.join(ref_dir, out["file"])).astype(np.float64)
        got = np.load(os.path.join(out_dir, f"model_0.{name}.npy")).astype(np.float64)
        if got.shape != ref.shape:
            fail(f"output '{name}': nnc shape {got.shape}, torch {ref.shape}")
        scale = float(np.max(np.abs(ref)))
        rel = float(np.max(np.abs(got - ref))) / scale
        print(f"output '{name}': max|nnc - torch| / max|torch| = {rel:.3g} (limit {TOL:g})")
        if not rel <= TOL:
            fail(f"output '{name}' differs from torch: {rel:.3g} > {TOL:g}")

        # The printed summary line: "output 'NAME' f32[dims] min A max B mean C".
        pat = re.compile(rf"output '{re.escape(name)}' f32\[([0-9, ]*)\] min (\S+) max (\S+) mean (\S+)")
        found = [m for m in map(pat.search, lines) if m]
        if len(found) != 1:
            fail(f"expected one printed summary for output '{name}', found {len(found)}")
        m = found[0]
        dims = tuple(int(d) for d in m.group(1).split(",") if d.strip())
        if dims != ref.shape:
            fail(f"printed shape {dims} of '{name}' is not torch's {ref.shape}")
        for label, printed, want in (("min", m.group(2), ref.min()), ("max", m.group(3), ref.max()),
                                     ("mean", m.group(4), ref.mean())):
            if abs(float(printed) - want) > TOL * scale + 1e-5 * abs(want):
                fail(f"printed {label} of '{name}' is {printed}, torch's is {want:.6g}")

        # The printed top-k line right after the summary: "top-K: i (v) j (v) ...".
        idx = lines.index(m.string)
        top = re.match(r"\s*top-(\d+):((?: \d+ \(\S+\))+)$", lines[idx + 1]) if idx + 1 < len(lines) else None
        if top is None:
            fail(f"no top-k line after the summary of '{name}'")
        k = int(top.group(1))
        printed_idx = [int(i) for i in re.findall(r"(\d+) \(", top.group(2))]
        flat = ref.reshape(-1)
        torch_idx = [int(i) for i in np.argsort(-flat, kind="stable")[:k]]
        print(f"output '{name}': printed top-{k} {printed_idx}, torch's {torch_idx}")
        if printed_idx != torch_idx:
            fail(f"printed top-{k} of '{name}' {printed_idx} is not torch's {torch_idx}")
    print("main_job_vs_torch: OK")


if __name__ == "__main__":
    main()
