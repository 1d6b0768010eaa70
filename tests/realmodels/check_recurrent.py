#!/usr/bin/python3
# nnc realmodels: a torch speech/text-style recurrent stack (LSTM, GRU, RNN) exported to ONNX, run by nnc vs torch and ORT.
"""Exports a seeded 2-layer bidirectional batch-first LSTM -> GRU -> ReLU RNN (opset 14; torch emits LSTM/GRU/RNN
nodes with initial states and the Slice/Squeeze/Transpose glue) and checks `host exec` against torch's outputs and,
when available, ONNX Runtime's. Exit 77 (skip) without torch; 1 on a mismatch."""
import argparse
import os
import sys
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

try:
    import numpy as np
    import torch
except ImportError:
    print("SKIP: /usr/bin/python3 lacks torch/numpy (scripts/install-deps.sh installs python3-torch)")
    sys.exit(77)

from check_model import deviation, nnc_exec, ort_exec, setup_ort  # noqa: E402

TOLERANCE = 1e-4  # max|got - ref| / max|ref|


class Stack(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = torch.nn.LSTM(40, 64, num_layers=2, bidirectional=True, batch_first=True)
        self.gru = torch.nn.GRU(128, 48, batch_first=True)
        self.rnn = torch.nn.RNN(48, 16, nonlinearity="relu")

    def forward(self, x):
        y, _ = self.lstm(x)
        y, h = self.gru(y)
        z, _ = self.rnn(y.transpose(0, 1))
        return z, h


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", required=True)
    ap.add_argument("--ort-setup", required=True)
    ap.add_argument("--work", required=True)
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    torch.manual_seed(0)
    model = Stack().eval()
    x = torch.randn(3, 30, 40)
    path = os.path.join(args.work, "recurrent.onnx")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (x,), path, input_names=["x"], output_names=["z", "h"], opset_version=14)
    with torch.no_grad():
        ref = [t.numpy() for t in model(x)]
    xf = os.path.join(args.work, "x.npy")
    np.save(xf, x.numpy())
    got = nnc_exec(args.host, path, {"x": xf}, os.path.join(args.work, "nnc"))
    dev_torch = deviation([got["z"], got["h"]], ref)
    print(f"nnc vs torch: relative deviation {dev_torch:.3g} (tolerance {TOLERANCE})")
    ok = dev_torch <= TOLERANCE
    ort_dir = setup_ort(args.ort_setup)
    if ort_dir is None:
        print("ONNX Runtime unavailable: compared with torch only")
    else:
        ort = ort_exec(ort_dir, path, {"x": xf}, os.path.join(args.work, "ort"), ["z", "h"])
        dev_ort = deviation([got["z"], got["h"]], [ort["z"], ort["h"]])
        print(f"nnc vs ONNX Runtime: relative deviation {dev_ort:.3g}")
        ok = ok and dev_ort <= TOLERANCE
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
