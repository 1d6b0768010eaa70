#!/usr/bin/python3
"""nnc tests: Caffe frontend vs OpenCV 4.6 dnn (cv2.dnn.readNetFromCaffe) on the same files and inputs.

Modes:
  realmodel  the YuFaceDetectNet SSD: raw outputs before DetectionOutput (random input and the real
             test image) within 1e-4 relative error; `host exec` end to end (DetectionOutput included)
             finds the faces OpenCV finds.
  selfmade   small nets written here (prototxt + caffemodel built with python protobuf from nnc's
             caffe.proto via protoc) covering the layers the real file lacks, compared output by output.
Relative error = max|nnc - opencv| / max(max|opencv|, 1e-6) per output.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

try:
    import numpy as np
except ImportError:
    sys.exit("python3-numpy is missing: apt-get install python3-numpy")
try:
    import cv2
except ImportError:
    sys.exit("python3-opencv is missing: apt-get install python3-opencv")

TOL = 1e-4
FAILURES = []


def check(cond, msg):
    print(("ok   " if cond else "FAIL ") + msg)
    if not cond:
        FAILURES.append(msg)


def rel_err(a, b):
    a = np.asarray(a, np.float64)
    b = np.asarray(b, np.float64)
    if a.shape != b.shape:
        return float("inf")
    return float(np.max(np.abs(a - b)) / max(float(np.max(np.abs(b))), 1e-6)) if b.size else 0.0


def run_nnc(tool, prototxt, weights, outputs, inputs, work):
    out_dir = tempfile.mkdtemp(dir=work)
    args = [tool, prototxt, weights or "-", ",".join(outputs) if outputs else "-", out_dir]
    for name, arr in inputs.items():
        p = os.path.join(out_dir, "in_" + name + ".npy")
        np.save(p, arr.astype(np.float32))
        args.append(name + "=" + p)
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("nnc_caffe_run failed: " + r.stderr.strip())
    return {f[:-4]: np.load(os.path.join(out_dir, f)) for f in os.listdir(out_dir)
            if f.endswith(".npy") and not f.startswith("in_")}, r.stderr


def run_opencv(prototxt, weights, outputs, inputs):
    """OpenCV's forward() takes layer names: every compared blob here is named like its producing layer."""
    net = cv2.dnn.readNetFromCaffe(prototxt, weights)
    net.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
    net.setPreferableTarget(cv2.dnn.DNN_TARGET_CPU)
    for name, arr in inputs.items():
        net.setInput(arr.astype(np.float32), name)
    res = net.forward(outputs)
    return dict(zip(outputs, res))


def iou(a, b):
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    ua = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / ua if ua > 0 else 0.0


def same_detections(nnc_det, cv_det, min_conf, what):
    """Every OpenCV detection above min_conf has an nnc one of the same label with IoU >= 0.95 and a score
    within 1e-3, and the counts agree."""
    a = [r for r in nnc_det.reshape(-1, 7) if r[2] > min_conf]
    b = [r for r in cv_det.reshape(-1, 7) if r[2] > min_conf]
    check(len(a) == len(b), "%s: %d detections with conf > %.2f (OpenCV %d)" % (what, len(a), min_conf, len(b)))
    used = set()
    for rb in b:
        best, best_i = 0.0, -1
        for i, ra in enumerate(a):
            if i in used or ra[1] != rb[1] or abs(ra[2] - rb[2]) > 1e-3:
                continue
            o = iou(ra[3:], rb[3:])
            if o > best:
                best, best_i = o, i
        check(best >= 0.95, "%s: OpenCV detection label %d score %.4f box %s matched by nnc (IoU %.4f)"
              % (what, rb[1], rb[2], np.round(rb[3:], 4).tolist(), best))
        used.add(best_i)
    return len(b)


# ----------------------------------------------------------------------------------------- real model

def realmodel(a):
    d = a.model_dir
    proto = os.path.join(d, "yufacedetectnet-open-v2.prototxt")
    weights = os.path.join(d, "yufacedetectnet-open-v2.caffemodel")
    # OpenCV's caffe.proto lacks the Caffe-SSD `visualize*` fields: strip them in a temp copy only.
    stripped = os.path.join(a.work, "yuface_no_visualize.prototxt")
    with open(proto) as f:
        text = f.read()
    with open(stripped, "w") as f:
        f.write(re.sub(r"^\s*visualize(_threshold)?:.*$", "", text, flags=re.M))
    raw = ["mbox_loc", "mbox_conf_flatten", "mbox_priorbox"]
    img = cv2.imread(a.image)
    check(img is not None, "read test image " + a.image)
    if img.shape[:2] != (240, 320):
        img = cv2.resize(img, (320, 240))
    real = img.transpose(2, 0, 1)[None].astype(np.float32)  # BGR, no mean, as the corpus check did
    rnd = np.random.default_rng(0).uniform(0, 255, (1, 3, 240, 320)).astype(np.float32)
    for label, x in (("random input", rnd), ("test.jpg", real)):
        ours, log = run_nnc(a.tool, proto, weights, raw, {"data": x}, a.work)
        check("visualize" in log, "nnc warns about the unknown field 'visualize' (%s)" % label)
        ref = run_opencv(stripped, weights, raw, {"data": x})
        for name in raw:
            e = rel_err(ours[name], ref[name])
            check(e <= TOL, "%s %s %s: relative error %.3g (<= %g)" % (label, name, list(ref[name].shape), e, TOL))
    # End to end on the host, DetectionOutput included, on the original prototxt.
    x_path = os.path.join(a.work, "yuface_test_input.npy")
    np.save(x_path, real)
    out_dir = os.path.join(a.work, "yuface_exec")
    r = subprocess.run([a.host, "exec", proto, "--weights", weights, "-i", "data=" + x_path, "-o", out_dir],
                       capture_output=True, text=True)
    check(r.returncode == 0, "host exec on the original prototxt: rc %d %s" % (r.returncode, r.stderr.strip()[-300:]))
    if r.returncode != 0:
        return
    det = np.load(os.path.join(out_dir, "detection_out.npy"))
    ref = run_opencv(stripped, weights, ["detection_out"], {"data": real})["detection_out"]
    faces = same_detections(det, ref, 0.5, "test.jpg faces")
    check(faces >= 1, "OpenCV finds %d faces with conf > 0.5 on test.jpg (expected some)" % faces)
    same_detections(det, ref, 0.01, "test.jpg all detections")


# ----------------------------------------------------------------------------------------- self-made nets

NET_A = """
name: "nnc_selfmade_a"
input: "data"
input_shape { dim: 1 dim: 3 dim: 20 dim: 24 }
layer { name: "conv1" type: "Convolution" bottom: "data" top: "c1"
  convolution_param { num_output: 8 kernel_size: 3 pad: 1 } }
layer { name: "bn1" type: "BatchNorm" bottom: "c1" top: "c1" batch_norm_param { eps: 0.001 } }
layer { name: "sc1" type: "Scale" bottom: "c1" top: "c1" scale_param { bias_term: true } }
layer { name: "prelu1" type: "PReLU" bottom: "c1" top: "c1" }
layer { name: "convg" type: "Convolution" bottom: "c1" top: "cg"
  convolution_param { num_output: 8 kernel_size: 3 pad: 2 dilation: 2 group: 4 } }
layer { name: "leaky" type: "ReLU" bottom: "cg" top: "cg" relu_param { negative_slope: 0.1 } }
layer { name: "pool_ave" type: "Pooling" bottom: "cg" top: "pa" pooling_param { pool: AVE kernel_size: 3 stride: 2 pad: 1 } }
layer { name: "pm" type: "Pooling" bottom: "cg" top: "pm" pooling_param { pool: MAX kernel_size: 3 stride: 2 } }
layer { name: "slice" type: "Slice" bottom: "pa" top: "s1" top: "s2" slice_param { axis: 1 slice_point: 3 } }
layer { name: "sig" type: "Sigmoid" bottom: "s1" top: "s1s" }
layer { name: "tanh" type: "TanH" bottom: "s2" top: "s2t" }
layer { name: "cat" type: "Concat" bottom: "s1s" bottom: "s2t" top: "cat" }
layer { name: "split" type: "Split" bottom: "cat" top: "cat_a" top: "cat_b" }
layer { name: "esum" type: "Eltwise" bottom: "cat_a" bottom: "cat_b" top: "es" eltwise_param { operation: SUM coeff: 0.5 coeff: -2 } }
layer { name: "eprod" type: "Eltwise" bottom: "es" bottom: "cat" top: "ep" eltwise_param { operation: PROD } }
layer { name: "emax" type: "Eltwise" bottom: "ep" bottom: "cat_b" top: "em" eltwise_param { operation: MAX } }
layer { name: "deconv" type: "Deconvolution" bottom: "em" top: "dc"
  convolution_param { num_output: 4 kernel_size: 4 stride: 2 pad: 1 } }
layer { name: "crop" type: "Crop" bottom: "dc" bottom: "data" top: "cr" crop_param { axis: 2 offset: 1 } }
layer { name: "norm_all" type: "Normalize" bottom: "cr" top: "nm"
  norm_param { across_spatial: true channel_shared: true } }
layer { name: "norm_ch" type: "Normalize" bottom: "cr" top: "nm2"
  norm_param { across_spatial: false channel_shared: false } }
layer { name: "gap" type: "Pooling" bottom: "nm" top: "gp" pooling_param { pool: AVE global_pooling: true } }
layer { name: "gmp" type: "Pooling" bottom: "nm2" top: "gm" pooling_param { pool: MAX global_pooling: true } }
layer { name: "f1" type: "Flatten" bottom: "gp" top: "f1" }
layer { name: "fc" type: "InnerProduct" bottom: "gm" top: "fc" inner_product_param { num_output: 5 } }
layer { name: "drop" type: "Dropout" bottom: "fc" top: "fc" dropout_param { dropout_ratio: 0.3 } }
layer { name: "prob" type: "Softmax" bottom: "fc" top: "prob" }
layer { name: "perm" type: "Permute" bottom: "nm2" top: "pr" permute_param { order: 0 order: 2 order: 3 order: 1 } }
layer { name: "rsh" type: "Reshape" bottom: "pr" top: "rsh" reshape_param { shape { dim: 0 dim: -1 dim: 4 } } }
"""

# PriorBox variants (max_size, flip, clip, steps, one variance) and DetectionOutput (CORNER coding).
NET_B = """
name: "nnc_selfmade_b"
layer { name: "input" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 64 dim: 96 } } }
layer { name: "feat" type: "Convolution" bottom: "data" top: "feat"
  convolution_param { num_output: 6 kernel_size: 8 stride: 8 } }
layer { name: "feat2" type: "Convolution" bottom: "feat" top: "feat2"
  convolution_param { num_output: 6 kernel_size: 2 stride: 2 } }
layer { name: "pb1" type: "PriorBox" bottom: "feat" bottom: "data" top: "pb1"
  prior_box_param { min_size: 12 max_size: 30 aspect_ratio: 2 aspect_ratio: 3 flip: true clip: true
    variance: 0.1 variance: 0.1 variance: 0.2 variance: 0.2 offset: 0.5 } }
layer { name: "pb2" type: "PriorBox" bottom: "feat2" bottom: "data" top: "pb2"
  prior_box_param { min_size: 30 min_size: 40 aspect_ratio: 2 flip: false clip: false variance: 0.15
    step_h: 16 step_w: 20 offset: 0.25 } }
layer { name: "loc1" type: "Convolution" bottom: "feat" top: "loc1" convolution_param { num_output: 24 kernel_size: 1 } }
layer { name: "loc1p" type: "Permute" bottom: "loc1" top: "loc1p" permute_param { order: 0 order: 2 order: 3 order: 1 } }
layer { name: "loc1f" type: "Flatten" bottom: "loc1p" top: "loc1f" }
layer { name: "loc2" type: "Convolution" bottom: "feat2" top: "loc2" convolution_param { num_output: 16 kernel_size: 1 } }
layer { name: "loc2p" type: "Permute" bottom: "loc2" top: "loc2p" permute_param { order: 0 order: 2 order: 3 order: 1 } }
layer { name: "loc2f" type: "Flatten" bottom: "loc2p" top: "loc2f" }
layer { name: "conf1" type: "Convolution" bottom: "feat" top: "conf1" convolution_param { num_output: 18 kernel_size: 1 } }
layer { name: "conf1p" type: "Permute" bottom: "conf1" top: "conf1p" permute_param { order: 0 order: 2 order: 3 order: 1 } }
layer { name: "conf1f" type: "Flatten" bottom: "conf1p" top: "conf1f" }
layer { name: "conf2" type: "Convolution" bottom: "feat2" top: "conf2" convolution_param { num_output: 12 kernel_size: 1 } }
layer { name: "conf2p" type: "Permute" bottom: "conf2" top: "conf2p" permute_param { order: 0 order: 2 order: 3 order: 1 } }
layer { name: "conf2f" type: "Flatten" bottom: "conf2p" top: "conf2f" }
layer { name: "loc" type: "Concat" bottom: "loc1f" bottom: "loc2f" top: "loc" concat_param { axis: 1 } }
layer { name: "conf" type: "Concat" bottom: "conf1f" bottom: "conf2f" top: "conf" concat_param { axis: 1 } }
layer { name: "conf_r" type: "Reshape" bottom: "conf" top: "conf_r" reshape_param { shape { dim: 0 dim: -1 dim: 3 } } }
layer { name: "conf_s" type: "Softmax" bottom: "conf_r" top: "conf_s" softmax_param { axis: 2 } }
layer { name: "conf_f" type: "Flatten" bottom: "conf_s" top: "conf_f" }
layer { name: "prior" type: "Concat" bottom: "pb1" bottom: "pb2" top: "prior" concat_param { axis: 2 } }
layer { name: "det" type: "DetectionOutput" bottom: "loc" bottom: "conf_f" bottom: "prior" top: "det"
  detection_output_param { num_classes: 3 share_location: true background_label_id: 0
    nms_param { nms_threshold: 0.45 top_k: 40 } code_type: CORNER keep_top_k: 15 confidence_threshold: 0.3 } }
"""

# (Interp is not in OpenCV's caffe.proto: the C++ tests cover it.)
# Legacy V1 `layers` format with input_dim and 4-D legacy blobs.
NET_C = """
name: "nnc_selfmade_v1"
input: "data"
input_dim: 1 input_dim: 2 input_dim: 9 input_dim: 9
layers { name: "conv" type: CONVOLUTION bottom: "data" top: "conv" convolution_param { num_output: 4 kernel_size: 3 stride: 2 } }
layers { name: "relu" type: RELU bottom: "conv" top: "conv" }
layers { name: "pool" type: POOLING bottom: "conv" top: "pool" pooling_param { pool: MAX kernel_size: 2 stride: 2 } }
layers { name: "fc" type: INNER_PRODUCT bottom: "pool" top: "fc" inner_product_param { num_output: 3 } }
layers { name: "prob" type: SOFTMAX bottom: "fc" top: "prob" }
"""


def conv_shapes(co, ci, k, group=1, bias=True):
    s = [[co, ci // group, k, k]]
    return s + [[co]] if bias else s


BLOBS_A = {
    "conv1": conv_shapes(8, 3, 3), "bn1": [[8], [8], [1]], "sc1": [[8], [8]], "prelu1": [[8]],
    "convg": conv_shapes(8, 8, 3, 4), "deconv": [[8, 4, 4, 4], [4]], "norm_all": [[1]], "norm_ch": [[4]],
    "fc": [[5, 4], [5]],
}
BLOBS_B = {"feat": conv_shapes(6, 3, 8), "feat2": conv_shapes(6, 6, 2), "loc1": conv_shapes(24, 6, 1),
           "loc2": conv_shapes(16, 6, 1), "conf1": conv_shapes(18, 6, 1), "conf2": conv_shapes(12, 6, 1)}
BLOBS_C = {"conv": conv_shapes(4, 2, 3), "fc": [[3, 16], [3]]}


def build_caffemodel(pb, blobs, path, rng, v1=False, std=0.5):
    net = pb.NetParameter()
    for name, shapes in blobs.items():
        layer = net.layers.add() if v1 else net.layer.add()
        layer.name = name
        if v1:
            layer.type = pb.V1LayerParameter.CONVOLUTION if name == "conv" else pb.V1LayerParameter.INNER_PRODUCT
        for i, shape in enumerate(shapes):
            b = layer.blobs.add()
            if name == "bn1":
                vals = [rng.normal(0, 1, shape), rng.uniform(0.5, 2, shape), np.array([2.0])][i]
            elif name.startswith("norm"):
                vals = rng.uniform(1, 10, shape)
            else:
                vals = rng.normal(0, std, shape)
            if v1:
                dims = [1] * (4 - len(shape)) + list(shape)
                b.num, b.channels, b.height, b.width = dims
            else:
                b.shape.dim.extend(shape)
            b.data.extend(np.asarray(vals, np.float32).ravel().tolist())
    with open(path, "wb") as f:
        f.write(net.SerializeToString())


def selfmade(a):
    gen = os.path.join(a.work, "pyproto")
    os.makedirs(gen, exist_ok=True)
    proto_dir = os.path.dirname(a.proto)
    subprocess.run(["protoc", "-I", proto_dir, "--python_out", gen, a.proto], check=True)
    sys.path.insert(0, gen)
    import nnc_caffe_pb2 as pb  # noqa: E402

    rng = np.random.default_rng(1)
    cases = [("a", NET_A, BLOBS_A, False, {"data": rng.normal(0, 1, (1, 3, 20, 24))},
              ["prob", "rsh", "f1", "pm"]),
             ("b", NET_B, BLOBS_B, False, {"data": rng.uniform(0, 1, (1, 3, 64, 96))},
              ["pb1", "pb2", "loc", "conf_f"]),
             ("v1", NET_C, BLOBS_C, True, {"data": rng.normal(0, 1, (1, 2, 9, 9))}, ["prob"])]
    for tag, text, blobs, v1, inputs, outputs in cases:
        proto = os.path.join(a.work, "selfmade_%s.prototxt" % tag)
        weights = os.path.join(a.work, "selfmade_%s.caffemodel" % tag)
        with open(proto, "w") as f:
            f.write(text)
        build_caffemodel(pb, blobs, weights, rng, v1, 0.1 if tag == "b" else 0.5)
        ours, _ = run_nnc(a.tool, proto, weights, outputs, inputs, a.work)
        ref = run_opencv(proto, weights, outputs, inputs)
        for name in outputs:
            e = rel_err(ours[name], ref[name])
            check(e <= TOL, "net %s output %s %s: relative error %.3g (<= %g)" % (tag, name, list(ref[name].shape), e, TOL))
        if tag == "b":
            ours, _ = run_nnc(a.tool, proto, weights, ["det"], inputs, a.work)
            ref = run_opencv(proto, weights, ["det"], inputs)
            n = same_detections(ours["det"], ref["det"], 0.3, "net b DetectionOutput")
            check(n >= 1, "net b: OpenCV finds %d detections (the comparison needs some)" % n)


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("mode", choices=["realmodel", "selfmade"])
    p.add_argument("--tool", required=True, help="nnc_caffe_run")
    p.add_argument("--host", help="host binary (realmodel)")
    p.add_argument("--model-dir", help="realmodels/caffe/yufacedetectnet_v2_ssd")
    p.add_argument("--image", help="test image with faces")
    p.add_argument("--proto", help="nnc_caffe.proto (selfmade)")
    p.add_argument("--work", required=True)
    a = p.parse_args()
    os.makedirs(a.work, exist_ok=True)
    print("OpenCV", cv2.__version__)
    realmodel(a) if a.mode == "realmodel" else selfmade(a)
    if FAILURES:
        print("%d check(s) failed" % len(FAILURES))
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
