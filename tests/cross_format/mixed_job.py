#!/usr/bin/python3
"""nnc tests: one `host run` job mixing all five frameworks (ONNX, TF .pb and .meta + checkpoint, Caffe, TFLite,
Keras .h5 and .json + weights): passes verified after every stage, each model run by exec.reference and written
as ONNX; the same network given twice (MLPerf Tiny vww as .h5 and as float .tflite) must agree within 1e-4."""
import argparse
import os
import shutil
import subprocess
import sys

try:
    import numpy as np
except ImportError:
    sys.exit("FAIL: Python module 'numpy' is missing (fix: apt-get install python3-numpy)")


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--host", required=True)
    ap.add_argument("--src", required=True, help="the nnc source tree (examples/models/tiny_cnn.onnx)")
    ap.add_argument("--realmodels", required=True)
    ap.add_argument("--work", required=True)
    ns = ap.parse_args()
    shutil.rmtree(ns.work, ignore_errors=True)
    os.makedirs(ns.work)
    R = ns.realmodels
    models = [  # (path, weights, input name, input shape)
        (f"{ns.src}/examples/models/tiny_cnn.onnx", None, "image", (1, 3, 32, 32)),
        (f"{R}/tf_pb/mobilenet_v1_0.25_128/frozen_graph.pb", None, "input", (1, 128, 128, 3)),
        (f"{R}/tf_meta/fashion_mnist_qat_mlp/checkpoints.meta", f"{R}/tf_meta/fashion_mnist_qat_mlp/checkpoints.index",
         "flatten_input", (1, 28, 28)),
        (f"{R}/caffe/yufacedetectnet_v2_ssd/yufacedetectnet-open-v2.prototxt",
         f"{R}/caffe/yufacedetectnet_v2_ssd/yufacedetectnet-open-v2.caffemodel", "data", (1, 3, 240, 320)),
        (f"{R}/keras/mlperf_tiny_vww_mobilenet/vww_96.h5", None, "input_1", (1, 96, 96, 3)),
        (f"{R}/tflite/mlperf_tiny_vww_mobilenet/vww_96_float.tflite", None, "input_1", (1, 96, 96, 3)),
        (f"{R}/keras/mnist_cnn_json_weights/model_struct.json", f"{R}/keras/mnist_cnn_json_weights/model_weights.h5",
         "conv2d_1_input", (1, 1, 28, 28)),
    ]
    rng = np.random.default_rng(3)
    inputs = {}
    for _, _, name, shape in models:
        if name not in inputs:
            f = os.path.join(ns.work, name + ".npy")
            np.save(f, rng.uniform(0, 1, size=shape).astype(np.float32))
            inputs[name] = f
    out = os.path.join(ns.work, "out")
    toml = os.path.join(ns.work, "mixed.toml")
    with open(toml, "w") as t:
        t.write("[job]\nverify_each = true\n")
        for path, weights, _, _ in models:
            t.write(f'\n[[models]]\npath = "{path}"\n')
            if weights:
                t.write(f'weights = ["{weights}"]\n')
        t.write('\n[[stage]]\nplugin = "pass.remove_identity"\nops = ["Identity", "Dropout"]\n')
        t.write('\n[[stage]]\nplugin = "exec.reference"\ninputs = { ' +
                ", ".join(f'{n} = "{f}"' for n, f in inputs.items()) + " }\n")
        t.write('\n[[stage]]\nplugin = "write.onnx"\nfile = "{model}.onnx"\n')
        t.write(f'\n[outputs]\ndir = "{out}"\n')
    p = subprocess.run([ns.host, "run", toml], capture_output=True, text=True, timeout=600)
    print(p.stdout[-3000:])
    print(p.stderr[-3000:], file=sys.stderr)
    if p.returncode != 0:
        sys.exit(f"FAIL: host run {toml} -> rc {p.returncode}")
    ok = True
    for i in range(len(models)):
        npys = [f for f in os.listdir(out) if f.startswith(f"model_{i}.") and f.endswith(".npy")]
        onnx = os.path.join(out, f"model_{i}.onnx")
        print(f"model_{i} ({os.path.basename(models[i][0])}): outputs {sorted(npys)}, ONNX written: {os.path.exists(onnx)}")
        ok &= bool(npys) and os.path.exists(onnx)
    a = [f for f in os.listdir(out) if f.startswith("model_4.") and f.endswith(".npy")]
    b = [f for f in os.listdir(out) if f.startswith("model_5.") and f.endswith(".npy")]
    if len(a) == 1 and len(b) == 1:
        ya, yb = np.load(os.path.join(out, a[0])), np.load(os.path.join(out, b[0]))
        rel = float(np.abs(ya - yb).max() / max(float(np.abs(yb).max()), 1e-30))
        print(f"vww_96.h5 vs vww_96_float.tflite in one job: max rel error {rel:.3g} (limit 1e-4)")
        ok &= rel <= 1e-4
    else:
        ok = False
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
