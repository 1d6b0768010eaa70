// nnc tests: pooling, BatchNormalization, InstanceNormalization, LayerNormalization and LRN kernels vs naive loops.
#include <gtest/gtest.h>

#include <limits>

#include "kernel_test_util.h"

namespace nnc {
namespace {

using testing::expect_close;
using testing::numel;
using testing::random_tensor;
using testing::ravel;
using testing::run_kernel;
using testing::unravel;

struct PoolCase {
  std::vector<int64_t> x_shape, kernel, strides, dilations, pads;
  bool ceil_mode = false, include_pad = false;
};

/// Naive pooling following the ONNX reference (PyTorch) rules; `max` selects MaxPool. Also returns
/// row-major argmax indices.
Tensor pool_reference(const PoolCase& c, const Tensor& x, bool max, Tensor* indices) {
  const size_t r = c.kernel.size();
  std::vector<int64_t> in(c.x_shape.begin() + 2, c.x_shape.end()), out(r);
  for (size_t d = 0; d < r; ++d) {
    int64_t ek = (c.kernel[d] - 1) * c.dilations[d] + 1, room = in[d] + c.pads[d] + c.pads[r + d] - ek;
    out[d] = c.ceil_mode ? (room + c.strides[d] - 1) / c.strides[d] + 1 : room / c.strides[d] + 1;
    if (c.ceil_mode && (out[d] - 1) * c.strides[d] >= in[d] + c.pads[d]) --out[d];
  }
  std::vector<int64_t> y_shape{c.x_shape[0], c.x_shape[1]};
  y_shape.insert(y_shape.end(), out.begin(), out.end());
  Tensor y(DType::kF32, y_shape);
  if (indices) *indices = Tensor(DType::kI64, y_shape);
  const int64_t planes = c.x_shape[0] * c.x_shape[1], is = numel(in), os = numel(out), ks = numel(c.kernel);
  for (int64_t p = 0; p < planes; ++p)
    for (int64_t oi = 0; oi < os; ++oi) {
      std::vector<int64_t> o = unravel(oi, out);
      double best = -std::numeric_limits<double>::infinity(), sum = 0;
      int64_t count = 0, arg = -1;
      for (int64_t ki = 0; ki < ks; ++ki) {
        std::vector<int64_t> k = unravel(ki, c.kernel), i(r);
        bool inside = true, in_padded = true;
        for (size_t d = 0; d < r; ++d) {
          i[d] = o[d] * c.strides[d] - c.pads[d] + k[d] * c.dilations[d];
          inside = inside && i[d] >= 0 && i[d] < in[d];
          in_padded = in_padded && i[d] >= -c.pads[d] && i[d] < in[d] + c.pads[r + d];
        }
        if (c.include_pad && in_padded) ++count;
        if (!inside) continue;
        double v = x.data<float>()[p * is + ravel(i, in)];
        if (!c.include_pad) ++count;
        sum += v;
        if (v > best) {
          best = v;
          arg = p * is + ravel(i, in);
        }
      }
      y.mutable_data<float>()[p * os + oi] = static_cast<float>(max ? best : sum / count);
      if (indices) indices->mutable_data<int64_t>()[p * os + oi] = arg;
    }
  return y;
}

std::map<std::string, Attribute> pool_attrs(const PoolCase& c, bool max) {
  std::map<std::string, Attribute> a{{"kernel_shape", c.kernel}, {"strides", c.strides}, {"pads", c.pads},
                                     {"ceil_mode", int64_t{c.ceil_mode}}};
  if (max) a["dilations"] = c.dilations;
  else a["count_include_pad"] = int64_t{c.include_pad};
  return a;
}

TEST(PoolKernels, MaxAndAverageMatchNaiveLoops) {
  std::mt19937 rng(41);
  auto pick = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  for (int t = 0; t < 80; ++t) {
    PoolCase c;
    const size_t r = static_cast<size_t>(pick(1, 3));
    const bool max = t % 2 == 0;
    c.x_shape = {pick(1, 2), pick(1, 3)};
    for (size_t d = 0; d < r; ++d) {
      c.kernel.push_back(pick(1, 3));
      c.strides.push_back(pick(1, 3));
      c.dilations.push_back(max ? pick(1, 2) : 1);
      c.x_shape.push_back(pick(5, r == 3 ? 7 : 12));
    }
    for (size_t d = 0; d < 2 * r; ++d) c.pads.push_back(pick(0, c.kernel[d % r] - 1));
    c.ceil_mode = pick(0, 1) == 1;
    c.include_pad = pick(0, 1) == 1;
    Tensor x = random_tensor(rng, c.x_shape), want_idx;
    Tensor want = pool_reference(c, x, max, &want_idx);
    auto run = run_kernel(max ? "MaxPool" : "AveragePool", {x}, pool_attrs(c, max), max ? 2 : 1, 12, t % 3 ? 2 : 1);
    ASSERT_TRUE(run.status.is_ok()) << run.status.to_string();
    expect_close(run.outputs[0], want, 1e-5, 1e-5, "case " + std::to_string(t));
    if (max) expect_close(run.outputs[1], want_idx, 0, 0, "indices of case " + std::to_string(t));
    if (max) {  // the f32 fast path (no Indices output) must agree too
      auto fast = run_kernel("MaxPool", {x}, pool_attrs(c, true), 1, 12);
      ASSERT_TRUE(fast.status.is_ok());
      expect_close(fast.outputs[0], want, 1e-6, 1e-6, "fast case " + std::to_string(t));
    }
  }
}

TEST(PoolKernels, AutoPadStorageOrderAndIntegers) {
  Tensor x = Tensor::from_vector<float>({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, {1, 1, 4, 4});
  // SAME_UPPER 3x3 stride 1: output 4x4, each output the max of its neighbourhood.
  auto same = run_kernel("MaxPool", {x}, {{"kernel_shape", std::vector<int64_t>{3, 3}}, {"auto_pad", "SAME_UPPER"}});
  ASSERT_TRUE(same.status.is_ok());
  EXPECT_EQ(same.outputs[0].shape(), (std::vector<int64_t>{1, 1, 4, 4}));
  EXPECT_EQ(same.outputs[0].data<float>()[0], 6.0f);
  EXPECT_EQ(same.outputs[0].data<float>()[15], 16.0f);
  // SAME_LOWER 2x2 stride 2 average without pad counting.
  auto lower = run_kernel("AveragePool", {x}, {{"kernel_shape", std::vector<int64_t>{2, 2}},
                                               {"strides", std::vector<int64_t>{2, 2}}, {"auto_pad", "SAME_LOWER"}});
  ASSERT_TRUE(lower.status.is_ok());
  EXPECT_EQ(lower.outputs[0].shape(), (std::vector<int64_t>{1, 1, 2, 2}));
  EXPECT_FLOAT_EQ(lower.outputs[0].data<float>()[0], 3.5f);
  // Column-major indices: the max of the 2x2 window at (1,1) is 16 at h=3, w=3 -> 3 + 3*4.
  auto idx = run_kernel("MaxPool", {x}, {{"kernel_shape", std::vector<int64_t>{2, 2}},
                                         {"strides", std::vector<int64_t>{2, 2}}, {"storage_order", int64_t{1}}}, 2);
  ASSERT_TRUE(idx.status.is_ok());
  EXPECT_EQ(idx.outputs[1].data<int64_t>()[3], 15);
  EXPECT_EQ(idx.outputs[1].data<int64_t>()[1], 1 + 3 * 4);  // window (0,1): max 8 at h=1, w=3
  auto u8 = run_kernel("MaxPool", {Tensor::from_vector<uint8_t>({1, 200, 3, 4}, {1, 1, 2, 2})},
                       {{"kernel_shape", std::vector<int64_t>{2, 2}}});
  ASSERT_TRUE(u8.status.is_ok());
  EXPECT_EQ(u8.outputs[0].data<uint8_t>()[0], 200);
  auto empty = run_kernel("MaxPool", {Tensor(DType::kF32, {0, 3, 4, 4})}, {{"kernel_shape", std::vector<int64_t>{2, 2}}});
  ASSERT_TRUE(empty.status.is_ok());
  EXPECT_EQ(empty.outputs[0].shape(), (std::vector<int64_t>{0, 3, 3, 3}));
  auto no_kernel = run_kernel("MaxPool", {x}, {});
  EXPECT_FALSE(no_kernel.status.is_ok());
}

TEST(PoolKernels, GlobalPools) {
  std::mt19937 rng(43);
  Tensor x = random_tensor(rng, {2, 3, 5, 7});
  auto avg = run_kernel("GlobalAveragePool", {x}, {});
  auto mx = run_kernel("GlobalMaxPool", {x}, {});
  ASSERT_TRUE(avg.status.is_ok() && mx.status.is_ok());
  ASSERT_EQ(avg.outputs[0].shape(), (std::vector<int64_t>{2, 3, 1, 1}));
  for (int64_t p = 0; p < 6; ++p) {
    double s = 0, m = -1e9;
    for (int64_t i = 0; i < 35; ++i) {
      s += x.data<float>()[p * 35 + i];
      m = std::max<double>(m, x.data<float>()[p * 35 + i]);
    }
    EXPECT_NEAR(avg.outputs[0].data<float>()[p], s / 35, 1e-6);
    EXPECT_EQ(mx.outputs[0].data<float>()[p], static_cast<float>(m));
  }
}

TEST(NormKernels, BatchNormalizationInferenceAndTraining) {
  std::mt19937 rng(47);
  Tensor x = random_tensor(rng, {2, 3, 4, 5}), scale = random_tensor(rng, {3}), b = random_tensor(rng, {3});
  Tensor mean = random_tensor(rng, {3}), var = Tensor::from_vector<float>({0.5f, 1.0f, 2.0f}, {3});
  auto run = run_kernel("BatchNormalization", {x, scale, b, mean, var}, {{"epsilon", 1e-3}}, 1, 15);
  ASSERT_TRUE(run.status.is_ok()) << run.status.to_string();
  Tensor want(DType::kF32, x.shape());
  for (int64_t i = 0; i < x.element_count(); ++i) {
    int64_t c = (i / 20) % 3;
    want.mutable_data<float>()[i] = static_cast<float>((x.data<float>()[i] - mean.data<float>()[c]) /
                                                           std::sqrt(var.data<float>()[c] + 1e-3) * scale.data<float>()[c] +
                                                       b.data<float>()[c]);
  }
  expect_close(run.outputs[0], want, 1e-5, 1e-5);
  auto train = run_kernel("BatchNormalization", {x, scale, b, mean, var},
                          {{"training_mode", int64_t{1}}, {"momentum", 0.8}}, 3, 15);
  ASSERT_TRUE(train.status.is_ok()) << train.status.to_string();
  for (int64_t c = 0; c < 3; ++c) {
    double s = 0, s2 = 0;
    for (int64_t n = 0; n < 2; ++n)
      for (int64_t i = 0; i < 20; ++i) s += x.data<float>()[(n * 3 + c) * 20 + i];
    double m = s / 40;
    for (int64_t n = 0; n < 2; ++n)
      for (int64_t i = 0; i < 20; ++i) s2 += std::pow(x.data<float>()[(n * 3 + c) * 20 + i] - m, 2);
    EXPECT_NEAR(train.outputs[1].data<float>()[c], mean.data<float>()[c] * 0.8 + m * 0.2, 1e-5);
    EXPECT_NEAR(train.outputs[2].data<float>()[c], var.data<float>()[c] * 0.8 + s2 / 40 * 0.2, 1e-5);
    double y0 = (x.data<float>()[c * 20] - m) / std::sqrt(s2 / 40 + 1e-5) * scale.data<float>()[c] + b.data<float>()[c];
    EXPECT_NEAR(train.outputs[0].data<float>()[c * 20], y0, 1e-4);
  }
}

TEST(NormKernels, InstanceAndLayerNormalization) {
  std::mt19937 rng(53);
  Tensor x = random_tensor(rng, {2, 3, 4, 5}), scale = random_tensor(rng, {3}), b = random_tensor(rng, {3});
  auto inst = run_kernel("InstanceNormalization", {x, scale, b}, {{"epsilon", 1e-2}});
  ASSERT_TRUE(inst.status.is_ok());
  for (int64_t p = 0; p < 6; ++p) {
    double s = 0, s2 = 0;
    for (int64_t i = 0; i < 20; ++i) s += x.data<float>()[p * 20 + i];
    double m = s / 20;
    for (int64_t i = 0; i < 20; ++i) s2 += std::pow(x.data<float>()[p * 20 + i] - m, 2);
    double want = (x.data<float>()[p * 20 + 7] - m) / std::sqrt(s2 / 20 + 1e-2) * scale.data<float>()[p % 3] + b.data<float>()[p % 3];
    EXPECT_NEAR(inst.outputs[0].data<float>()[p * 20 + 7], want, 1e-5);
  }
  // LayerNormalization over the last two axes, Scale broadcast from [5], with Mean and InvStdDev.
  Tensor ls = random_tensor(rng, {5}), lb = random_tensor(rng, {4, 5});
  auto ln = run_kernel("LayerNormalization", {x, ls, lb}, {{"axis", int64_t{-2}}, {"epsilon", 1e-3}}, 3);
  ASSERT_TRUE(ln.status.is_ok()) << ln.status.to_string();
  ASSERT_EQ(ln.outputs[1].shape(), (std::vector<int64_t>{2, 3, 1, 1}));
  for (int64_t r = 0; r < 6; ++r) {
    double s = 0, s2 = 0;
    for (int64_t i = 0; i < 20; ++i) s += x.data<float>()[r * 20 + i];
    double m = s / 20;
    for (int64_t i = 0; i < 20; ++i) s2 += std::pow(x.data<float>()[r * 20 + i] - m, 2);
    double inv = 1 / std::sqrt(s2 / 20 + 1e-3);
    EXPECT_NEAR(ln.outputs[1].data<float>()[r], m, 1e-6);
    EXPECT_NEAR(ln.outputs[2].data<float>()[r], inv, 1e-4);
    for (int64_t i = 0; i < 20; ++i)
      EXPECT_NEAR(ln.outputs[0].data<float>()[r * 20 + i],
                  (x.data<float>()[r * 20 + i] - m) * inv * ls.data<float>()[i % 5] + lb.data<float>()[i], 1e-5);
  }
  auto bad = run_kernel("LayerNormalization", {x, random_tensor(rng, {3})}, {});
  EXPECT_FALSE(bad.status.is_ok());
}

TEST(NormKernels, LocalResponseNormalization) {
  std::mt19937 rng(59);
  Tensor x = random_tensor(rng, {1, 6, 2, 3});
  auto run = run_kernel("LRN", {x}, {{"size", int64_t{4}}, {"alpha", 0.01}, {"beta", 0.6}, {"bias", 2.0}});
  ASSERT_TRUE(run.status.is_ok());
  for (int64_t c = 0; c < 6; ++c)
    for (int64_t i = 0; i < 6; ++i) {
      double sq = 0;
      for (int64_t k = std::max<int64_t>(0, c - 1); k <= std::min<int64_t>(5, c + 2); ++k)
        sq += std::pow(x.data<float>()[k * 6 + i], 2);
      double want = x.data<float>()[c * 6 + i] / std::pow(2.0 + 0.01 / 4 * sq, 0.6);
      EXPECT_NEAR(run.outputs[0].data<float>()[c * 6 + i], want, 1e-6);
    }
}

}  // namespace
}  // namespace nnc
