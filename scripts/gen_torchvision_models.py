#!/usr/bin/python3
# nnc: exports seeded, input-sensitive torchvision models to ONNX with torch's own outputs as references.
"""Writes <out>/<name>/{model.onnx, input_0.npy, output_<k>.npy, meta.json} per model.

Weights are random (seeded) but conditioned so the outputs depend on the input: BatchNorm running
statistics are re-estimated on seeded random inputs, and classifier heads are centred and rescaled
so logits spread over a few units. Run with Debian's Python (python3-torch, python3-torchvision).
"""
import argparse
import json
import os
import sys
import time
import warnings

import numpy as np
import torch
import torchvision

CALIB_BATCHES, CALIB_BATCH = 4, 8   # BatchNorm re-estimation: 32 seeded random images
CHECK_INPUTS = 6                   # random inputs used to prove top-1 depends on the input
LOGIT_STD = 3.0                    # target spread of classifier logits

# name: (constructor, input size, opset, head modules getter)
MODELS = {
    "resnet50": (lambda: torchvision.models.resnet50(), 224, 13, lambda m: [m.fc]),
    "mobilenet_v2": (lambda: torchvision.models.mobilenet_v2(), 224, 13, lambda m: [m.classifier[-1]]),
    "efficientnet_b0": (lambda: torchvision.models.efficientnet_b0(), 224, 13, lambda m: [m.classifier[-1]]),
    "squeezenet1_1": (lambda: torchvision.models.squeezenet1_1(), 224, 13, lambda m: [m.classifier[1]]),
    "ssdlite320_mobilenet_v3_large": (
        lambda: torchvision.models.detection.ssdlite320_mobilenet_v3_large(weights=None, weights_backbone=None),
        320, 11, lambda m: [seq[-1] for seq in m.head.classification_head.module_list]),
    "vit_b_16": (lambda: torchvision.models.vit_b_16(), 224, 13, lambda m: [m.heads.head]),
}
DETECTORS = {"ssdlite320_mobilenet_v3_large"}


def random_images(n, size, gen, detector):
    """Image-like inputs: [0,1) pixels for detectors (they normalise inside), N(0,1) for classifiers."""
    shape = (n, 3, size, size)
    return torch.rand(shape, generator=gen) if detector else torch.randn(shape, generator=gen)


def run(model, x, detector):
    """Flat list of output tensors, in the order the ONNX export emits them."""
    if detector:
        return [t for d in model(x) for t in (d["boxes"], d["scores"], d["labels"])]
    return [model(x)]


def recalibrate_batchnorm(model, size, gen, detector):
    """Cumulative-average BN statistics over seeded random batches (BN in train mode, rest in eval)."""
    bns = [m for m in model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    for bn in bns:
        bn.reset_running_stats()
        bn.momentum = None
        bn.train()
    with torch.no_grad():
        for _ in range(CALIB_BATCHES):
            model(random_images(CALIB_BATCH, size, gen, detector))
    model.eval()
    return len(bns)


def condition_heads(model, heads, size, gen, detector, pooled):
    """Rescales each head so its outputs vary by ~LOGIT_STD across random inputs, centred per channel.

    pooled: the head is Conv -> ReLU -> global average pool (SqueezeNet); there the conv output is
    shifted positive so the ReLU passes it and the pooled logits differ across images, not classes.
    """
    captured = {}
    hooks = [h.register_forward_hook(lambda mod, inp, out, i=i: captured.setdefault(i, []).append(out.clone()))
             for i, h in enumerate(heads)]
    for h in heads:  # some heads start at zero (ViT): give them seeded random weights first
        if float(h.weight.abs().max()) == 0.0:
            h.weight.data.normal_(0, 0.01, generator=gen)
    with torch.no_grad():
        model(random_images(CALIB_BATCH, size, gen, detector))
        for i, h in enumerate(heads):
            y = torch.cat(captured[i])
            if pooled:  # [N, C, H, W]: per-image spatial means carry the input dependence
                means = y.mean(dim=(2, 3))
                mean, scale = means.mean(dim=0), LOGIT_STD / float((means - means.mean(dim=0)).std())
                floor = float((y - mean[None, :, None, None]).amin()) * scale
                shift = -mean * scale - floor
            else:  # [N, C, ...]: every position is a set of logits
                flat = y.transpose(0, 1).reshape(y.shape[1], -1)
                mean = flat.mean(dim=1)
                scale = LOGIT_STD / float((flat - mean[:, None]).std())
                shift = -mean * scale
            h.weight.data *= scale
            h.bias.data = h.bias.data * scale + shift
    for hook in hooks:
        hook.remove()


def check_input_sensitivity(name, model, size, gen, detector):
    """Fails loudly unless the prediction changes across a few random inputs."""
    with torch.no_grad():
        outs = [run(model, random_images(1, size, gen, detector), detector) for _ in range(CHECK_INPUTS)]
    if detector:
        keys = [tuple(np.round(o[0][0].numpy(), 2)) if len(o[0]) else () for o in outs]  # top box
        what = "top box"
    else:
        keys = [int(o[0].argmax()) for o in outs]
        spread = float(torch.cat([o[0] for o in outs]).std(dim=1).mean())
        what = f"top-1 (logit std {spread:.2f})"
    distinct = len(set(keys))
    print(f"  {name}: {what} over {CHECK_INPUTS} random inputs: {distinct} distinct" + ("" if detector else f": {keys}"))
    if distinct < 2:
        sys.exit(f"gen_torchvision_models: {name}: outputs do not depend on the input ({what} always {keys[0]})")


def generate(name, out_dir, seed):
    ctor, size, opset, heads_of = MODELS[name]
    detector = name in DETECTORS
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    model = ctor().eval()
    nbn = recalibrate_batchnorm(model, size, gen, detector)
    condition_heads(model, heads_of(model), size, gen, detector, pooled=name.startswith("squeezenet"))
    check_input_sensitivity(name, model, size, gen, detector)

    x = random_images(1, size, torch.Generator().manual_seed(seed + 1), detector)
    with torch.no_grad():
        outputs = run(model, x, detector)
    output_names = ["boxes", "scores", "labels"] if detector else ["logits"]
    os.makedirs(out_dir, exist_ok=True)
    onnx_path = os.path.join(out_dir, "model.onnx")
    # Grad stays on: under no_grad nn.MultiheadAttention takes a fused fast path ONNX cannot export.
    torch.onnx.export(model, x, onnx_path, input_names=["input"], output_names=output_names,
                      opset_version=opset, do_constant_folding=True)
    np.save(os.path.join(out_dir, "input_0.npy"), x.numpy().astype(np.float32))
    for k, t in enumerate(outputs):
        np.save(os.path.join(out_dir, f"output_{k}.npy"), t.numpy())
    meta = {
        "model": name, "torch": torch.__version__, "torchvision": torchvision.__version__,
        "opset": opset, "seed": seed, "batchnorm_layers": nbn,
        "inputs": [{"name": "input", "file": "input_0.npy", "shape": list(x.shape), "dtype": "float32"}],
        "outputs": [{"name": n, "file": f"output_{k}.npy", "shape": list(t.shape), "dtype": str(t.dtype).replace("torch.", "")}
                    for k, (n, t) in enumerate(zip(output_names, outputs))],
    }
    with open(os.path.join(out_dir, "meta.json"), "w") as f:  # written last: marks the model complete
        json.dump(meta, f, indent=2)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="build/models", help="output folder (default build/models)")
    ap.add_argument("--force", action="store_true", help="regenerate models that already exist")
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("models", nargs="*", help=f"subset of: {', '.join(MODELS)}")
    args = ap.parse_args()
    warnings.filterwarnings("ignore")  # tracer chatter from torchvision's detection code
    for name in args.models:
        if name not in MODELS:
            sys.exit(f"gen_torchvision_models: unknown model '{name}'; known: {', '.join(MODELS)}")
    print(f"torch {torch.__version__}, torchvision {torchvision.__version__}, {torch.get_num_threads()} thread(s)")
    total = time.time()
    for name in args.models or MODELS:
        out_dir = os.path.join(args.out, name)
        if os.path.exists(os.path.join(out_dir, "meta.json")) and not args.force:
            print(f"{name}: up to date ({out_dir})")
            continue
        start = time.time()
        print(f"{name}: generating ...", flush=True)
        generate(name, out_dir, args.seed)
        size_mb = os.path.getsize(os.path.join(out_dir, "model.onnx")) / 2**20
        print(f"{name}: {out_dir}/model.onnx ({size_mb:.1f} MiB) in {time.time() - start:.1f} s", flush=True)
    print(f"done in {time.time() - total:.1f} s")


if __name__ == "__main__":
    main()
