// nnc tests: TFLite importer on synthetic models: TF SAME padding, depthwise multiplier, FC keep_num_dims, slices, QDQ, errors.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "nnc/executor.h"
#include "tflite_importer.h"
#include "tflite_ops.h"
#include "tflite_test_util.h"

namespace nnc::tflite_test {
namespace {

using BO = fb::BuiltinOperator;

std::vector<float> random_values(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

/// Naive NHWC convolution with TF SAME/VALID padding (pads: top, left), for checking the import.
std::vector<float> naive_conv(const std::vector<float>& x, int h, int w, int c, const std::vector<float>& wt, int o, int kh,
                              int kw, int stride, bool same, int oh, int ow, int pt, int pl, const std::vector<float>& bias,
                              bool depthwise, int mult) {
  (void)same;
  std::vector<float> y(static_cast<size_t>(oh * ow * o), 0.0f);
  for (int i = 0; i < oh; ++i)
    for (int j = 0; j < ow; ++j)
      for (int oc = 0; oc < o; ++oc) {
        double acc = bias.empty() ? 0.0 : bias[static_cast<size_t>(oc)];
        for (int a = 0; a < kh; ++a)
          for (int b = 0; b < kw; ++b) {
            const int yi = i * stride + a - pt, xj = j * stride + b - pl;
            if (yi < 0 || yi >= h || xj < 0 || xj >= w) continue;
            if (depthwise) {
              const int ic = oc / mult;
              acc += x[static_cast<size_t>((yi * w + xj) * c + ic)] * wt[static_cast<size_t>((a * kw + b) * o + oc)];
            } else {
              for (int ic = 0; ic < c; ++ic)
                acc += x[static_cast<size_t>((yi * w + xj) * c + ic)] * wt[static_cast<size_t>(((oc * kh + a) * kw + b) * c + ic)];
            }
          }
        y[static_cast<size_t>((i * ow + j) * o + oc)] = static_cast<float>(acc);
      }
  return y;
}

void expect_close(const Tensor& got, const std::vector<float>& want, float tol = 1e-5f) {
  ASSERT_EQ(got.element_count(), static_cast<int64_t>(want.size()));
  auto g = got.data<float>();
  for (size_t i = 0; i < want.size(); ++i) ASSERT_NEAR(g[i], want[i], tol) << "element " << i;
}

TEST(TfliteImport, TfSamePadsPutTheOddPixelAtTheEnd) {
  EXPECT_EQ(tflite_frontend::tf_same_pads(5, 3, 2, 1), (std::pair<int64_t, int64_t>{1, 1}));
  EXPECT_EQ(tflite_frontend::tf_same_pads(6, 3, 2, 1), (std::pair<int64_t, int64_t>{0, 1}));
  EXPECT_EQ(tflite_frontend::tf_same_pads(96, 3, 2, 1), (std::pair<int64_t, int64_t>{0, 1}));
  EXPECT_EQ(tflite_frontend::tf_same_pads(7, 3, 1, 2), (std::pair<int64_t, int64_t>{2, 2}));
}

TEST(TfliteImport, ConvSameStride2Relu6MatchesNaiveNhwc) {
  const int h = 5, w = 6, c = 2, o = 3, k = 3;
  std::vector<float> x = random_values(h * w * c, 1), wt = random_values(o * k * k * c, 2), b = random_values(o, 3);
  for (float& v : wt) v *= 4.0f;  // large enough that RELU6 clamps somewhere
  ModelBuilder m;
  int in = m.tensor("x", {1, h, w, c});
  int wi = m.float_const("w", {o, k, k, c}, wt);
  int bi = m.float_const("b", {o}, b);
  int out = m.tensor("y", {1, 3, 3, o});
  auto opt = fb::CreateConv2DOptions(m.fbb(), fb::Padding::SAME, 2, 2, fb::ActivationFunctionType::RELU6);
  m.op(BO::CONV_2D, {in, wi, bi}, {out}, fb::BuiltinOptions::Conv2DOptions, opt.Union());
  auto res = import_and_run(m.finish({in}, {out}), {Tensor::from_vector<float>(x, {1, h, w, c})});
  ASSERT_TRUE(res) << res.error().to_string();
  // TF SAME: H 5 -> 3 (pads 1,1), W 6 -> 3 (pads 0,1: the odd pixel at the end).
  std::vector<float> want = naive_conv(x, h, w, c, wt, o, k, k, 2, true, 3, 3, 1, 0, b, false, 1);
  bool clamped = false;
  for (float& v : want) {
    clamped = clamped || v > 6.0f || v < 0.0f;
    v = std::min(6.0f, std::max(0.0f, v));
  }
  EXPECT_TRUE(clamped);
  expect_close((*res)[0], want);
  EXPECT_EQ((*res)[0].shape(), (std::vector<int64_t>{1, 3, 3, o}));
}

TEST(TfliteImport, DepthwiseMultiplierComesFromTheFilter) {
  const int h = 4, w = 4, c = 2, mult = 2, o = c * mult, k = 3;
  std::vector<float> x = random_values(h * w * c, 4), wt = random_values(k * k * o, 5), b = random_values(o, 6);
  ModelBuilder m;
  int in = m.tensor("x", {1, h, w, c});
  int wi = m.float_const("w", {1, k, k, o}, wt);
  int bi = m.float_const("b", {o}, b);
  int out = m.tensor("y", {1, 2, 2, o});
  // depth_multiplier deliberately 0 (some converters write it so); the filter says 2.
  auto opt = fb::CreateDepthwiseConv2DOptions(m.fbb(), fb::Padding::VALID, 1, 1, 0);
  m.op(BO::DEPTHWISE_CONV_2D, {in, wi, bi}, {out}, fb::BuiltinOptions::DepthwiseConv2DOptions, opt.Union());
  auto res = import_and_run(m.finish({in}, {out}), {Tensor::from_vector<float>(x, {1, h, w, c})});
  ASSERT_TRUE(res) << res.error().to_string();
  expect_close((*res)[0], naive_conv(x, h, w, c, wt, o, k, k, 1, false, 2, 2, 0, 0, b, true, mult));
}

TEST(TfliteImport, FullyConnectedKeepNumDimsAndFlattening) {
  for (bool keep : {true, false}) {
    std::vector<float> x = random_values(2 * 3 * 4, 7), wt = random_values(5 * 4, 8);
    ModelBuilder m;
    int in = m.tensor("x", {2, 3, 4});
    int wi = m.float_const("w", {5, 4}, wt);
    int out = keep ? m.tensor("y", {2, 3, 5}) : m.tensor("y", {6, 5});
    auto opt = fb::CreateFullyConnectedOptions(m.fbb(), fb::ActivationFunctionType::RELU,
                                               fb::FullyConnectedOptionsWeightsFormat::DEFAULT, keep);
    m.op(BO::FULLY_CONNECTED, {in, wi, -1}, {out}, fb::BuiltinOptions::FullyConnectedOptions, opt.Union());
    auto res = import_and_run(m.finish({in}, {out}), {Tensor::from_vector<float>(x, {2, 3, 4})});
    ASSERT_TRUE(res) << res.error().to_string();
    std::vector<float> want(30);
    for (int r = 0; r < 6; ++r)
      for (int u = 0; u < 5; ++u) {
        float acc = 0;
        for (int i = 0; i < 4; ++i) acc += x[static_cast<size_t>(r * 4 + i)] * wt[static_cast<size_t>(u * 4 + i)];
        want[static_cast<size_t>(r * 5 + u)] = std::max(acc, 0.0f);
      }
    expect_close((*res)[0], want);
    EXPECT_EQ((*res)[0].shape(), keep ? (std::vector<int64_t>{2, 3, 5}) : (std::vector<int64_t>{6, 5}));
  }
}

TEST(TfliteImport, StridedSliceMasksAndShrink) {
  std::vector<float> x(24);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i);
  ModelBuilder m;
  int in = m.tensor("x", {2, 3, 4});
  int b = m.int32_const("begin", {1, 1, 2});
  int e = m.int32_const("end", {0, 3, 0});
  int s = m.int32_const("strides", {1, 1, 1});
  int out = m.tensor("y", {2, 2});
  // begin_mask on axis 0 (start at 0), end_mask on axis 0 (to the end), shrink axis 2 at index 2: x[:, 1:3, 2].
  auto opt = fb::CreateStridedSliceOptions(m.fbb(), 1, 1, 0, 0, 4);
  m.op(BO::STRIDED_SLICE, {in, b, e, s}, {out}, fb::BuiltinOptions::StridedSliceOptions, opt.Union());
  auto res = import_and_run(m.finish({in}, {out}), {Tensor::from_vector<float>(x, {2, 3, 4})});
  ASSERT_TRUE(res) << res.error().to_string();
  expect_close((*res)[0], {6, 10, 18, 22});
}

TEST(TfliteImport, SpaceToBatchThenBatchToSpaceIsIdentity) {
  std::vector<float> x = random_values(1 * 6 * 5 * 2, 9);
  ModelBuilder m;
  int in = m.tensor("x", {1, 6, 5, 2});
  int block = m.int32_const("block", {2, 2});
  int pads = m.tensor("pads", {2, 2}, fb::TensorType::INT32, [] {
    std::vector<int32_t> p{1, 1, 2, 1};
    std::vector<uint8_t> b(16);
    std::memcpy(b.data(), p.data(), 16);
    return b;
  }());
  int mid = m.tensor("mid", {4, 4, 4, 2});
  int out = m.tensor("y", {1, 6, 5, 2});
  m.op(BO::SPACE_TO_BATCH_ND, {in, block, pads}, {mid});
  m.op(BO::BATCH_TO_SPACE_ND, {mid, block, pads}, {out});
  auto res = import_and_run(m.finish({in}, {out}), {Tensor::from_vector<float>(x, {1, 6, 5, 2})});
  ASSERT_TRUE(res) << res.error().to_string();
  expect_close((*res)[0], x, 0.0f);
}

TEST(TfliteImport, QuantizedConvBecomesQdqWithPerAxisWeights) {
  ModelBuilder m;
  int in = m.tensor("x", {1, 3, 3, 1}, fb::TensorType::INT8, {}, {0.5f}, {-1});
  std::vector<uint8_t> w(2 * 1 * 1 * 1);
  w[0] = static_cast<uint8_t>(int8_t{3});
  w[1] = static_cast<uint8_t>(int8_t{-2});
  int wi = m.tensor("w", {2, 1, 1, 1}, fb::TensorType::INT8, w, {0.25f, 0.125f}, {0, 0}, 0);
  std::vector<uint8_t> bias(8, 0);
  int bi = m.tensor("b", {2}, fb::TensorType::INT32, bias, {0.125f, 0.0625f}, {0, 0}, 0);
  int out = m.tensor("y", {1, 3, 3, 2}, fb::TensorType::INT8, {}, {0.1f}, {2});
  auto opt = fb::CreateConv2DOptions(m.fbb(), fb::Padding::VALID, 1, 1);
  m.op(BO::CONV_2D, {in, wi, bi}, {out}, fb::BuiltinOptions::Conv2DOptions, opt.Union());
  auto g = tflite_frontend::import_tflite_bytes(m.finish({in}, {out}), "q.tflite", {}, nullptr);
  ASSERT_TRUE(g) << g.error().to_string();
  EXPECT_EQ(g->inputs()[0]->dtype(), DType::kI8);
  EXPECT_EQ(g->outputs()[0]->dtype(), DType::kI8);
  ASSERT_NE(g->outputs()[0]->producer(), nullptr);
  EXPECT_EQ(g->outputs()[0]->producer()->op_type(), "QuantizeLinear");
  int per_axis = 0, dq = 0;
  for (Node* n : g->nodes()) {
    if (n->op_type() != "DequantizeLinear") continue;
    ++dq;
    if (n->has_attribute("axis")) {
      ++per_axis;
      EXPECT_EQ(n->int_attribute("axis", -1), 0);  // OHWI dim 0 stays dim 0 of OIHW
    }
  }
  EXPECT_EQ(dq, 3);        // input, weights, bias
  EXPECT_EQ(per_axis, 2);  // weights and bias
  ASSERT_TRUE(reference_supports("", "DequantizeLinear") && reference_supports("", "QuantizeLinear"));
  std::vector<int8_t> xv{-1, 0, 1, 2, 3, 4, 5, 6, 7};
  auto res = run_graph(*g, {Tensor::from_vector<int8_t>(xv, {1, 3, 3, 1})});
  ASSERT_TRUE(res) << res.error().to_string();
  auto y = (*res)[0].data<int8_t>();
  for (size_t i = 0; i < 9; ++i) {
    const float xf = 0.5f * static_cast<float>(xv[i] + 1);
    const float ch0 = xf * 0.75f, ch1 = xf * -0.25f;
    EXPECT_EQ(y[2 * i], static_cast<int8_t>(std::clamp<long>(std::lrint(ch0 / 0.1f) + 2, -128, 127)));
    EXPECT_EQ(y[2 * i + 1], static_cast<int8_t>(std::clamp<long>(std::lrint(ch1 / 0.1f) + 2, -128, 127)));
  }
}

// Regression (issue 8, int8 mobilenet_v2): a quantized PAD fills with the output zero point (real 0.0), as
// TFLite and tflite-micro do, not with the raw integer 0 (ArmNN 20.08's result); PADV2 fills with its
// quantized constant. The zero point is non-zero so the two readings differ.
TEST(TfliteImport, QuantizedPadFillsWithTheZeroPoint) {
  for (bool v2 : {false, true}) {
    SCOPED_TRACE(v2 ? "PADV2" : "PAD");
    ModelBuilder m;
    int in = m.tensor("x", {1, 2, 2, 1}, fb::TensorType::INT8, {}, {0.5f}, {-14});
    int pads = m.int32_const("pads", {0, 0, 1, 1, 1, 1, 0, 0});
    int out = m.tensor("y", {1, 4, 4, 1}, fb::TensorType::INT8, {}, {0.5f}, {-14});
    std::vector<int32_t> ins{in, pads};
    if (v2) ins.push_back(m.tensor("value", {1}, fb::TensorType::INT8, {static_cast<uint8_t>(int8_t{5})}, {0.5f}, {-14}));
    m.op(v2 ? BO::PADV2 : BO::PAD, ins, {out});
    auto g = tflite_frontend::import_tflite_bytes(m.finish({in}, {out}), "pad.tflite", {}, nullptr);
    ASSERT_TRUE(g) << g.error().to_string();
    const std::vector<int8_t> xv{-128, -14, 0, 127};
    auto res = run_graph(*g, {Tensor::from_vector<int8_t>(xv, {1, 2, 2, 1})});
    ASSERT_TRUE(res) << res.error().to_string();
    auto y = (*res)[0].data<int8_t>();
    ASSERT_EQ(y.size(), 16u);
    const int8_t fill = v2 ? 5 : -14;
    for (int i = 0; i < 4; ++i)
      for (int j = 0; j < 4; ++j) {
        const bool inner = i >= 1 && i <= 2 && j >= 1 && j <= 2;
        const int8_t want = inner ? xv[static_cast<size_t>((i - 1) * 2 + (j - 1))] : fill;
        EXPECT_EQ(y[static_cast<size_t>(i * 4 + j)], want) << "at (" << i << ", " << j << ")";
      }
  }
}

TEST(TfliteImport, UnsupportedOperatorsAreListedAtOnce) {
  ModelBuilder m;
  int in = m.tensor("x", {1, 4});
  int a = m.tensor("a", {1, 4});
  int b = m.tensor("b", {1, 4});
  int c = m.tensor("c", {1, 4});
  m.op(BO::HASHTABLE_LOOKUP, {in}, {a});
  m.op(BO::CUSTOM, {a}, {b}, fb::BuiltinOptions::NONE, 0, "TFLite_Detection_PostProcess");
  m.op(BO::HASHTABLE_LOOKUP, {b}, {c});
  auto g = tflite_frontend::import_tflite_bytes(m.finish({in}, {c}), "det.tflite", {}, nullptr);
  ASSERT_FALSE(g);
  const std::string msg = g.error().to_string();
  EXPECT_EQ(g.error().code(), ErrorCode::kUnsupported);
  EXPECT_NE(msg.find("det.tflite"), std::string::npos) << msg;
  EXPECT_NE(msg.find("2 unsupported TFLite operator type(s)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("HASHTABLE_LOOKUP (operators '0', '2')"), std::string::npos) << msg;
  EXPECT_NE(msg.find("TFLite_Detection_PostProcess"), std::string::npos) << msg;
  EXPECT_NE(msg.find("post-processing"), std::string::npos) << msg;
  EXPECT_NE(msg.find("crop the model before TFLite_Detection_PostProcess"), std::string::npos) << msg;
}

TEST(TfliteImport, OutOfRangeTensorIndexIsAnError) {
  ModelBuilder m;
  int in = m.tensor("x", {1, 4});
  int out = m.tensor("y", {1, 4});
  m.op(BO::RELU, {42}, {out});
  auto g = tflite_frontend::import_tflite_bytes(m.finish({in}, {out}), "bad_index.tflite", {}, nullptr);
  ASSERT_FALSE(g);
  EXPECT_EQ(g.error().code(), ErrorCode::kParseError);
  EXPECT_NE(g.error().to_string().find("bad_index.tflite"), std::string::npos);
  EXPECT_NE(g.error().to_string().find("tensor 42"), std::string::npos) << g.error().to_string();
}

TEST(TfliteImport, BufferSmallerThanItsShapeIsAnError) {
  ModelBuilder m;
  int in = m.tensor("x", {1, 4});
  int w = m.float_const("w", {2, 4}, {1, 2, 3});  // 3 floats for 8 elements
  int out = m.tensor("y", {1, 2});
  m.op(BO::FULLY_CONNECTED, {in, w, -1}, {out});
  auto g = tflite_frontend::import_tflite_bytes(m.finish({in}, {out}), "short.tflite", {}, nullptr);
  ASSERT_FALSE(g);
  EXPECT_NE(g.error().to_string().find("holds 12 bytes but the tensor's shape needs 32"), std::string::npos)
      << g.error().to_string();
}

TEST(TfliteImport, OperatorReadingAnUnproducedTensorIsAnError) {
  ModelBuilder m;
  int in = m.tensor("x", {1, 4});
  int ghost = m.tensor("ghost", {1, 4});
  int out = m.tensor("y", {1, 4});
  m.op(BO::ADD, {in, ghost}, {out});
  auto g = tflite_frontend::import_tflite_bytes(m.finish({in}, {out}), "ghost.tflite", {}, nullptr);
  ASSERT_FALSE(g);
  EXPECT_NE(g.error().to_string().find("'ghost'"), std::string::npos) << g.error().to_string();
  EXPECT_NE(g.error().to_string().find("operator 0 (ADD)"), std::string::npos) << g.error().to_string();
}

TEST(TfliteImport, InputShapesMustMatchTheStaticShape) {
  ModelBuilder m;
  int in = m.tensor("x", {1, 8, 8, 3});
  int out = m.tensor("y", {1, 8, 8, 3});
  m.op(BO::RELU, {in}, {out});
  const std::string bytes = m.finish({in}, {out});
  tflite_frontend::ImportOptions ok;
  ok.input_shapes = "8,8,3";
  EXPECT_TRUE(tflite_frontend::import_tflite_bytes(bytes, "s.tflite", ok, nullptr));
  tflite_frontend::ImportOptions bad;
  bad.input_shapes = "16,16,3";
  auto g = tflite_frontend::import_tflite_bytes(bytes, "s.tflite", bad, nullptr);
  ASSERT_FALSE(g);
  EXPECT_NE(g.error().to_string().find("input 'x'"), std::string::npos) << g.error().to_string();
  EXPECT_NE(g.error().to_string().find("16,16,3"), std::string::npos) << g.error().to_string();
  bad.input_shapes = "8,x,3";
  EXPECT_FALSE(tflite_frontend::import_tflite_bytes(bytes, "s.tflite", bad, nullptr));
}

}  // namespace
}  // namespace nnc::tflite_test
