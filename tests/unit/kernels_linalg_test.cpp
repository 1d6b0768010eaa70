// nnc tests: Conv, ConvTranspose, Gemm, MatMul and Einsum kernels against naive reference loops.
#include <gtest/gtest.h>

#include "exec/linalg_blas.h"
#include "kernel_test_util.h"

namespace nnc {
namespace {

using testing::expect_close;
using testing::numel;
using testing::random_tensor;
using testing::ravel;
using testing::run_kernel;
using testing::unravel;

struct ConvCase {
  std::vector<int64_t> x_shape, kernel;
  int64_t c_out = 1, group = 1;
  std::vector<int64_t> strides, dilations, pads;  // pads: begin..., end...
  std::string auto_pad = "NOTSET";
  bool bias = true;
};

std::vector<int64_t> tail(const std::vector<int64_t>& v, size_t from) { return {v.begin() + from, v.end()}; }

/// Output dims and begin pads following the ONNX Conv rules.
void conv_geometry(const ConvCase& c, std::vector<int64_t>& out, std::vector<int64_t>& pb) {
  const size_t r = c.kernel.size();
  out.assign(r, 0);
  pb.assign(r, 0);
  for (size_t d = 0; d < r; ++d) {
    int64_t in = c.x_shape[d + 2], s = c.strides[d], ek = (c.kernel[d] - 1) * c.dilations[d] + 1;
    if (c.auto_pad == "NOTSET") {
      pb[d] = c.pads[d];
      out[d] = (in + c.pads[d] + c.pads[r + d] - ek) / s + 1;
    } else if (c.auto_pad == "VALID") {
      out[d] = (in - ek) / s + 1;
    } else {
      out[d] = (in + s - 1) / s;
      int64_t total = std::max<int64_t>(0, (out[d] - 1) * s + ek - in);
      pb[d] = c.auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
    }
  }
}

Tensor conv_reference(const ConvCase& c, const Tensor& x, const Tensor& w, const Tensor* b) {
  std::vector<int64_t> out, pb;
  conv_geometry(c, out, pb);
  const int64_t n_batch = c.x_shape[0], c_in = c.x_shape[1], cg = c_in / c.group, mg = c.c_out / c.group;
  const std::vector<int64_t> in = tail(c.x_shape, 2);
  std::vector<int64_t> y_shape{n_batch, c.c_out};
  y_shape.insert(y_shape.end(), out.begin(), out.end());
  Tensor y(DType::kF32, y_shape);
  auto xd = x.data<float>();
  auto wd = w.data<float>();
  const int64_t os = numel(out), ks = numel(c.kernel);
  for (int64_t n = 0; n < n_batch; ++n)
    for (int64_t m = 0; m < c.c_out; ++m)
      for (int64_t oi = 0; oi < os; ++oi) {
        std::vector<int64_t> o = unravel(oi, out);
        double acc = b ? b->data<float>()[m] : 0.0;
        int64_t g = m / mg;
        for (int64_t cl = 0; cl < cg; ++cl)
          for (int64_t ki = 0; ki < ks; ++ki) {
            std::vector<int64_t> k = unravel(ki, c.kernel), i(k.size());
            bool inside = true;
            for (size_t d = 0; d < k.size(); ++d) {
              i[d] = o[d] * c.strides[d] - pb[d] + k[d] * c.dilations[d];
              inside = inside && i[d] >= 0 && i[d] < in[d];
            }
            if (!inside) continue;
            acc += double(xd[(n * c_in + g * cg + cl) * numel(in) + ravel(i, in)]) * wd[(m * cg + cl) * ks + ki];
          }
        y.mutable_data<float>()[(n * c.c_out + m) * os + oi] = static_cast<float>(acc);
      }
  return y;
}

void check_conv(const ConvCase& c, std::mt19937& rng, int threads, const std::string& what) {
  std::vector<int64_t> w_shape{c.c_out, c.x_shape[1] / c.group};
  w_shape.insert(w_shape.end(), c.kernel.begin(), c.kernel.end());
  Tensor x = random_tensor(rng, c.x_shape), w = random_tensor(rng, w_shape);
  Tensor b = random_tensor(rng, {c.c_out});
  std::map<std::string, Attribute> attrs{{"group", c.group}, {"strides", c.strides}, {"dilations", c.dilations},
                                         {"auto_pad", c.auto_pad}, {"kernel_shape", c.kernel}};
  if (c.auto_pad == "NOTSET") attrs["pads"] = c.pads;
  std::vector<Tensor> inputs{x, w};
  if (c.bias) inputs.push_back(b);
  auto run = run_kernel("Conv", inputs, attrs, 1, 17, threads);
  ASSERT_TRUE(run.status.is_ok()) << what << ": " << run.status.to_string();
  expect_close(run.outputs[0], conv_reference(c, x, w, c.bias ? &b : nullptr), 1e-4, 1e-4, what);
}

TEST(ConvKernel, MatchesNaiveLoopsOnRandomShapes) {
  std::mt19937 rng(7);
  auto pick = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  const char* modes[] = {"NOTSET", "NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID"};
  for (int t = 0; t < 60; ++t) {
    ConvCase c;
    const size_t r = static_cast<size_t>(pick(1, 3));
    int64_t group = pick(1, 3);
    const bool depthwise = t % 5 == 0;
    int64_t cin = depthwise ? pick(2, 5) : group * pick(1, 3);
    if (depthwise) group = cin;
    c.group = group;
    c.c_out = depthwise ? cin * pick(1, 2) : group * pick(1, 3);
    c.x_shape = {pick(1, 2), cin};
    c.auto_pad = modes[pick(0, 4)];
    for (size_t d = 0; d < r; ++d) {
      c.kernel.push_back(pick(1, 3));
      c.strides.push_back(pick(1, 3));
      c.dilations.push_back(pick(1, 2));
      c.x_shape.push_back(pick(r == 3 ? 3 : 4, r == 3 ? 6 : 11));
    }
    for (size_t d = 0; d < 2 * r; ++d) c.pads.push_back(pick(0, 2));
    for (size_t d = 0; d < r; ++d)  // keep the window inside the (padded) input
      if (c.x_shape[d + 2] < (c.kernel[d] - 1) * c.dilations[d] + 1) c.dilations[d] = 1;
    c.bias = t % 3 != 0;
    check_conv(c, rng, t % 2 ? 2 : 1, "case " + std::to_string(t));
  }
}

TEST(ConvKernel, LargerShapesHitTiledPointwiseDepthwiseAndSplitPaths) {
  std::mt19937 rng(11);
  struct Named {
    const char* what;
    ConvCase c;
  };
  std::vector<Named> cases = {
      {"3x3 tiled im2col", {{1, 16, 40, 36}, {3, 3}, 24, 1, {1, 1}, {1, 1}, {1, 1, 1, 1}}},
      {"1x1 pointwise", {{2, 32, 15, 17}, {1, 1}, 20, 1, {1, 1}, {1, 1}, {0, 0, 0, 0}}},
      {"1x1 stride 2", {{1, 16, 15, 17}, {1, 1}, 8, 1, {2, 2}, {1, 1}, {0, 0, 0, 0}}},
      {"split by rows (small image, many channels)", {{1, 64, 5, 5}, {3, 3}, 96, 1, {1, 1}, {1, 1}, {1, 1, 1, 1}}},
      {"depthwise stride 1", {{1, 8, 19, 23}, {3, 3}, 8, 8, {1, 1}, {1, 1}, {1, 1, 1, 1}}},
      {"depthwise stride 2 asym pads", {{2, 6, 20, 21}, {3, 3}, 6, 6, {2, 2}, {1, 1}, {0, 1, 1, 0}}},
      {"depthwise 5x5 dilated multiplier", {{1, 4, 17, 18}, {5, 5}, 8, 4, {1, 2}, {2, 1}, {2, 2, 3, 1}}},
      {"depthwise 3x3 dilated", {{1, 4, 17, 18}, {3, 3}, 4, 4, {1, 1}, {2, 2}, {2, 2, 2, 2}}},
      {"grouped 2 batch 3", {{3, 8, 12, 12}, {3, 3}, 12, 2, {1, 1}, {1, 1}, {1, 1, 1, 1}}},
      {"7x7 stride 2", {{1, 3, 30, 30}, {7, 7}, 16, 1, {2, 2}, {1, 1}, {3, 3, 3, 3}}},
  };
  for (auto& [what, c] : cases) {
    check_conv(c, rng, 2, std::string(what) + " (2 threads)");
    check_conv(c, rng, 1, std::string(what) + " (1 thread)");
  }
}

TEST(ConvKernel, ZeroBatchAndErrors) {
  std::mt19937 rng(3);
  auto run = run_kernel("Conv", {Tensor(DType::kF32, {0, 2, 5, 5}), random_tensor(rng, {4, 2, 3, 3})}, {});
  ASSERT_TRUE(run.status.is_ok()) << run.status.to_string();
  EXPECT_EQ(run.outputs[0].shape(), (std::vector<int64_t>{0, 4, 3, 3}));
  auto bad = run_kernel("Conv", {random_tensor(rng, {1, 3, 5, 5}), random_tensor(rng, {4, 2, 3, 3})}, {});
  EXPECT_FALSE(bad.status.is_ok());
  EXPECT_NE(bad.status.message().find("input channels"), std::string::npos) << bad.status.message();
  auto too_big = run_kernel("Conv", {random_tensor(rng, {1, 2, 2, 2}), random_tensor(rng, {4, 2, 3, 3})}, {});
  EXPECT_FALSE(too_big.status.is_ok());
  auto f16 = run_kernel("Conv", {Tensor(DType::kF16, {1, 2, 3, 3}), Tensor(DType::kF16, {1, 2, 1, 1})}, {});
  EXPECT_EQ(f16.status.code(), ErrorCode::kUnsupported);
}

TEST(ConvKernel, DoubleMatchesFloatPath) {
  std::mt19937 rng(5);
  Tensor x = random_tensor(rng, {1, 4, 9, 9}), w = random_tensor(rng, {4, 1, 3, 3});
  Tensor xd = random_tensor<double>(rng, {1, 4, 9, 9}), wd = random_tensor<double>(rng, {4, 1, 3, 3});
  for (int64_t i = 0; i < x.element_count(); ++i) xd.mutable_data<double>()[i] = x.data<float>()[i];
  for (int64_t i = 0; i < w.element_count(); ++i) wd.mutable_data<double>()[i] = w.data<float>()[i];
  std::map<std::string, Attribute> attrs{{"group", int64_t{4}}, {"pads", std::vector<int64_t>{1, 0, 0, 1}},
                                         {"strides", std::vector<int64_t>{2, 1}}};
  auto f = run_kernel("Conv", {x, w}, attrs);
  auto d = run_kernel("Conv", {xd, wd}, attrs);
  ASSERT_TRUE(f.status.is_ok() && d.status.is_ok());
  for (int64_t i = 0; i < f.outputs[0].element_count(); ++i)
    EXPECT_NEAR(f.outputs[0].data<float>()[i], d.outputs[0].data<double>()[i], 1e-5);
}

// --- ConvTranspose ---------------------------------------------------------------------------------

Tensor conv_transpose_reference(const Tensor& x, const Tensor& w, const Tensor* b, int64_t group,
                                const std::vector<int64_t>& s, const std::vector<int64_t>& dil,
                                const std::vector<int64_t>& pb, const std::vector<int64_t>& out) {
  const auto& xs = x.shape();
  const int64_t n_batch = xs[0], c_in = xs[1], cg = c_in / group, mg = w.shape()[1], c_out = mg * group;
  const std::vector<int64_t> in = tail(xs, 2), kernel = tail(w.shape(), 2);
  std::vector<int64_t> y_shape{n_batch, c_out};
  y_shape.insert(y_shape.end(), out.begin(), out.end());
  std::vector<double> acc(static_cast<size_t>(numel(y_shape)), 0.0);
  const int64_t os = numel(out), is = numel(in), ks = numel(kernel);
  for (int64_t n = 0; n < n_batch; ++n)
    for (int64_t c = 0; c < c_in; ++c)
      for (int64_t ii = 0; ii < is; ++ii)
        for (int64_t ml = 0; ml < mg; ++ml)
          for (int64_t ki = 0; ki < ks; ++ki) {
            std::vector<int64_t> i = unravel(ii, in), k = unravel(ki, kernel), o(i.size());
            bool inside = true;
            for (size_t d = 0; d < i.size(); ++d) {
              o[d] = i[d] * s[d] - pb[d] + k[d] * dil[d];
              inside = inside && o[d] >= 0 && o[d] < out[d];
            }
            if (!inside) continue;
            int64_t m = (c / cg) * mg + ml;
            acc[(n * c_out + m) * os + ravel(o, out)] +=
                double(x.data<float>()[(n * c_in + c) * is + ii]) * w.data<float>()[(c * mg + ml) * ks + ki];
          }
  Tensor y(DType::kF32, y_shape);
  for (int64_t i = 0; i < y.element_count(); ++i)
    y.mutable_data<float>()[i] = static_cast<float>(acc[i] + (b ? b->data<float>()[(i / os) % c_out] : 0.0));
  return y;
}

TEST(ConvTransposeKernel, MatchesNaiveLoopsOnRandomShapes) {
  std::mt19937 rng(17);
  auto pick = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  for (int t = 0; t < 40; ++t) {
    const size_t r = static_cast<size_t>(pick(1, 3));
    const int64_t group = pick(1, 2), cin = group * pick(1, 3), mg = pick(1, 3);
    std::vector<int64_t> xs{pick(1, 2), cin}, ws{cin, mg}, s, dil, pads, out_pad, pb, out;
    for (size_t d = 0; d < r; ++d) {
      xs.push_back(pick(1, r == 3 ? 3 : 6));
      ws.push_back(pick(1, 3));
      s.push_back(pick(1, 3));
      dil.push_back(pick(1, 2));
    }
    for (size_t d = 0; d < 2 * r; ++d) pads.push_back(pick(0, 1));
    for (size_t d = 0; d < r; ++d) {
      out_pad.push_back(pick(0, std::max(s[d], dil[d]) - 1));
      if (s[d] * (xs[d + 2] - 1) + (ws[d + 2] - 1) * dil[d] + 1 <= pads[d] + pads[r + d]) pads[d] = pads[r + d] = 0;
      pb.push_back(pads[d]);
      out.push_back(s[d] * (xs[d + 2] - 1) + out_pad[d] + (ws[d + 2] - 1) * dil[d] + 1 - pads[d] - pads[r + d]);
    }
    Tensor x = random_tensor(rng, xs), w = random_tensor(rng, ws), b = random_tensor(rng, {mg * group});
    std::map<std::string, Attribute> attrs{{"group", group}, {"strides", s}, {"dilations", dil}, {"pads", pads},
                                           {"output_padding", out_pad}};
    auto run = run_kernel("ConvTranspose", {x, w, b}, attrs, 1, 17, t % 2 ? 2 : 1);
    ASSERT_TRUE(run.status.is_ok()) << run.status.to_string();
    expect_close(run.outputs[0], conv_transpose_reference(x, w, &b, group, s, dil, pb, out), 1e-4, 1e-4,
                 "case " + std::to_string(t));
  }
}

TEST(ConvTransposeKernel, OutputShapeAndAutoPad) {
  std::mt19937 rng(19);
  Tensor x = random_tensor(rng, {1, 2, 3, 3}), w = random_tensor(rng, {2, 3, 3, 3});
  // output_shape larger than the natural 9x9 along H and smaller along W: pads go at the end.
  auto run = run_kernel("ConvTranspose", {x, w},
                        {{"strides", std::vector<int64_t>{3, 2}}, {"output_shape", std::vector<int64_t>{10, 6}}});
  ASSERT_TRUE(run.status.is_ok()) << run.status.to_string();
  expect_close(run.outputs[0], conv_transpose_reference(x, w, nullptr, 1, {3, 2}, {1, 1}, {0, 0}, {10, 6}));
  // SAME_UPPER: output = input * stride; total padding 1 goes at the end.
  auto same = run_kernel("ConvTranspose", {x, w}, {{"strides", std::vector<int64_t>{2, 2}}, {"auto_pad", "SAME_UPPER"}});
  ASSERT_TRUE(same.status.is_ok()) << same.status.to_string();
  expect_close(same.outputs[0], conv_transpose_reference(x, w, nullptr, 1, {2, 2}, {1, 1}, {0, 0}, {6, 6}));
  auto lower = run_kernel("ConvTranspose", {x, w}, {{"strides", std::vector<int64_t>{2, 2}}, {"auto_pad", "SAME_LOWER"}});
  ASSERT_TRUE(lower.status.is_ok()) << lower.status.to_string();
  expect_close(lower.outputs[0], conv_transpose_reference(x, w, nullptr, 1, {2, 2}, {1, 1}, {1, 1}, {6, 6}));
}

// --- Gemm / MatMul -------------------------------------------------------------------------------

TEST(GemmKernel, AttributesAndBroadcastC) {
  std::mt19937 rng(23);
  const int64_t m = 37, k = 29, n = 41;
  std::vector<std::vector<int64_t>> c_shapes = {{}, {n}, {1, n}, {m, 1}, {m, n}, {1}, {1, 1}};
  int t = 0;
  for (bool ta : {false, true})
    for (bool tb : {false, true})
      for (const auto& cs : c_shapes) {
        Tensor a = random_tensor(rng, ta ? std::vector<int64_t>{k, m} : std::vector<int64_t>{m, k});
        Tensor b = random_tensor(rng, tb ? std::vector<int64_t>{n, k} : std::vector<int64_t>{k, n});
        Tensor c = random_tensor(rng, cs);
        const double alpha = t % 3 == 0 ? 1.0 : 0.5 + t % 3, beta = t % 4 == 3 ? 0.0 : -1.5;
        auto run = run_kernel("Gemm", {a, b, c},
                              {{"transA", int64_t{ta}}, {"transB", int64_t{tb}}, {"alpha", alpha}, {"beta", beta}},
                              1, 13, t % 2 ? 2 : 1);
        ASSERT_TRUE(run.status.is_ok()) << run.status.to_string();
        Tensor want(DType::kF32, {m, n});
        for (int64_t i = 0; i < m; ++i)
          for (int64_t j = 0; j < n; ++j) {
            double s = 0;
            for (int64_t p = 0; p < k; ++p)
              s += double(a.data<float>()[ta ? p * m + i : i * k + p]) * b.data<float>()[tb ? j * k + p : p * n + j];
            int64_t ci = cs.size() == 2 ? (cs[0] == 1 ? 0 : i) * cs[1] + (cs[1] == 1 ? 0 : j)
                                        : (cs.size() == 1 && cs[0] == n ? j : 0);
            want.mutable_data<float>()[i * n + j] = static_cast<float>(alpha * s + beta * c.data<float>()[ci]);
          }
        expect_close(run.outputs[0], want, 1e-4, 1e-4, "gemm case " + std::to_string(t++));
      }
}

TEST(GemmKernel, OptionalCIntegersAndErrors) {
  auto run = run_kernel("Gemm", {Tensor::from_vector<int32_t>({1, 2, 3, 4, 5, 6}, {2, 3}),
                                 Tensor::from_vector<int32_t>({1, 0, 0, 1, 1, 1}, {3, 2})}, {});
  ASSERT_TRUE(run.status.is_ok()) << run.status.to_string();
  auto y = run.outputs[0].data<int32_t>();
  EXPECT_EQ(std::vector<int32_t>(y.begin(), y.end()), (std::vector<int32_t>{4, 5, 10, 11}));
  auto old = run_kernel("Gemm", {Tensor(DType::kF32, {2, 3}), Tensor(DType::kF32, {3, 2})}, {}, 1, 9);
  EXPECT_FALSE(old.status.is_ok());
  auto mismatch = run_kernel("Gemm", {Tensor(DType::kF32, {2, 3}), Tensor(DType::kF32, {2, 2})}, {});
  EXPECT_FALSE(mismatch.status.is_ok());
  auto empty = run_kernel("Gemm", {Tensor(DType::kF32, {2, 0}), Tensor(DType::kF32, {0, 3}),
                                   Tensor::from_vector<float>({1, 2, 3}, {3})}, {});
  ASSERT_TRUE(empty.status.is_ok()) << empty.status.to_string();
  EXPECT_EQ(empty.outputs[0].data<float>()[5], 3.0f);
}

Tensor matmul_reference(const Tensor& a, const Tensor& b, std::vector<int64_t> out_shape) {
  // Both operands already at rank >= 2 and broadcast by the caller's shapes.
  const auto& as = a.shape();
  const auto& bs = b.shape();
  const int64_t m = as[as.size() - 2], k = as.back(), n = bs.back();
  Tensor y(DType::kF32, out_shape);
  std::vector<int64_t> batch(out_shape.begin(), out_shape.end() - 2);
  for (int64_t bi = 0; bi < numel(batch); ++bi) {
    std::vector<int64_t> idx = unravel(bi, batch);
    auto offset = [&](const std::vector<int64_t>& shape) {
      std::vector<int64_t> own(shape.begin(), shape.end() - 2), oi(own.size());
      for (size_t d = 0; d < own.size(); ++d) oi[d] = own[d] == 1 ? 0 : idx[idx.size() - own.size() + d];
      return ravel(oi, own);
    };
    int64_t oa = offset(as), ob = offset(bs);
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double s = 0;
        for (int64_t p = 0; p < k; ++p) s += double(a.data<float>()[(oa * m + i) * k + p]) * b.data<float>()[(ob * k + p) * n + j];
        y.mutable_data<float>()[(bi * m + i) * n + j] = static_cast<float>(s);
      }
  }
  return y;
}

TEST(MatMulKernel, BroadcastingBatchesAndVectors) {
  std::mt19937 rng(29);
  struct Case {
    std::vector<int64_t> a, b, y;
  };
  std::vector<Case> cases = {{{3, 4}, {4, 5}, {3, 5}},
                             {{2, 1, 3, 4}, {5, 4, 6}, {2, 5, 3, 6}},
                             {{7, 3, 4}, {4, 6}, {7, 3, 6}},
                             {{3, 4}, {2, 4, 6}, {2, 3, 6}},
                             {{70, 64}, {64, 90}, {70, 90}},
                             {{2, 3, 40, 33}, {2, 3, 33, 50}, {2, 3, 40, 50}}};
  for (const auto& c : cases) {
    Tensor a = random_tensor(rng, c.a), b = random_tensor(rng, c.b);
    auto run = run_kernel("MatMul", {a, b}, {});
    ASSERT_TRUE(run.status.is_ok()) << run.status.to_string();
    expect_close(run.outputs[0], matmul_reference(a, b, c.y));
  }
  // 1-D operands: [4] x [4, 5] -> [5]; [3, 4] x [4] -> [3]; [4] x [4] -> [].
  Tensor v = random_tensor(rng, {4}), m = random_tensor(rng, {4, 5}), m2 = random_tensor(rng, {3, 4});
  auto vm = run_kernel("MatMul", {v, m}, {});
  ASSERT_TRUE(vm.status.is_ok());
  EXPECT_EQ(vm.outputs[0].shape(), (std::vector<int64_t>{5}));
  expect_close(*vm.outputs[0].reshaped({1, 5}), matmul_reference(*v.reshaped({1, 4}), m, {1, 5}));
  auto mv = run_kernel("MatMul", {m2, v}, {});
  ASSERT_TRUE(mv.status.is_ok());
  EXPECT_EQ(mv.outputs[0].shape(), (std::vector<int64_t>{3}));
  expect_close(*mv.outputs[0].reshaped({3, 1}), matmul_reference(m2, *v.reshaped({4, 1}), {3, 1}));
  auto vv = run_kernel("MatMul", {v, v}, {});
  ASSERT_TRUE(vv.status.is_ok());
  EXPECT_EQ(vv.outputs[0].rank(), 0);
  auto bad = run_kernel("MatMul", {random_tensor(rng, {2, 3, 4}), random_tensor(rng, {3, 4, 5})}, {});
  EXPECT_FALSE(bad.status.is_ok());
  auto ints = run_kernel("MatMul", {Tensor::from_vector<int64_t>({1, 2}, {1, 2}), Tensor::from_vector<int64_t>({3, 4}, {2, 1})}, {});
  ASSERT_TRUE(ints.status.is_ok());
  EXPECT_EQ(ints.outputs[0].data<int64_t>()[0], 11);
}

TEST(BlasGemm, EdgeShapesStridesAndBeta) {
  // Remainder rows and columns, several reduction chunks and column blocks, packed (wide rows) and
  // direct B, beta 0 and 1, transposes (OpenBLAS / portable path); single- and multi-threaded.
  std::mt19937 rng(37);
  exec::ThreadPool pool(2);
  struct Shape {
    int64_t m, n, k, ldb_extra;
  };
  std::vector<Shape> shapes = {{1, 8, 1, 0},      {13, 17, 5, 0},   {25, 33, 513, 3}, {7, 600, 70, 0},
                               {12, 520, 1030, 0}, {30, 47, 9, 700}, {64, 49, 600, 0}, {5, 3, 4, 0},
                               {1, 5, 40, 2},      {1, 300, 64, 0}};
  int t = 0;
  for (const auto& sh : shapes)
    for (float beta : {0.0f, 1.0f})
      for (bool trans : {false, true}) {
        const int64_t ldb = sh.n + sh.ldb_extra;
        Tensor a = random_tensor(rng, {sh.m, sh.k}), b = random_tensor(rng, {sh.k, ldb});
        Tensor c0 = random_tensor(rng, {sh.m, sh.n}), bias = random_tensor(rng, {sh.m});
        Tensor c = c0.clone();
        const bool with_bias = t % 3 == 1;
        Tensor at(DType::kF32, {sh.k, sh.m});  // A transposed, for the trans_a case
        for (int64_t i = 0; i < sh.m; ++i)
          for (int64_t p = 0; p < sh.k; ++p) at.mutable_data<float>()[p * sh.m + i] = a.data<float>()[i * sh.k + p];
        exec::blas::Gemm<float> g;
        g.trans_a = trans;
        g.m = sh.m;
        g.n = sh.n;
        g.k = sh.k;
        g.a = trans ? at.data<float>().data() : a.data<float>().data();
        g.lda = trans ? sh.m : sh.k;
        g.b = b.data<float>().data();
        g.ldb = ldb;
        g.beta = beta;
        g.c = c.mutable_data<float>().data();
        g.ldc = sh.n;
        if (with_bias) g.row_bias = bias.data<float>().data();
        if (t % 2)
          exec::blas::gemm_parallel(pool, g);
        else
          exec::blas::gemm(g);
        Tensor want(DType::kF32, {sh.m, sh.n});
        for (int64_t i = 0; i < sh.m; ++i)
          for (int64_t j = 0; j < sh.n; ++j) {
            double s = beta * c0.data<float>()[i * sh.n + j] + (with_bias ? bias.data<float>()[i] : 0.0);
            for (int64_t p = 0; p < sh.k; ++p) s += double(a.data<float>()[i * sh.k + p]) * b.data<float>()[p * ldb + j];
            want.mutable_data<float>()[i * sh.n + j] = static_cast<float>(s);
          }
        expect_close(c, want, 2e-4, 1e-4, "gemm case " + std::to_string(t++));
      }
}

// --- Einsum --------------------------------------------------------------------------------------

TEST(EinsumKernel, CommonEquations) {
  std::mt19937 rng(31);
  Tensor a = random_tensor(rng, {3, 4}), b = random_tensor(rng, {4, 5}), sq = random_tensor(rng, {4, 4});
  Tensor ba = random_tensor(rng, {2, 3, 4}), bb = random_tensor(rng, {2, 4, 5});
  auto einsum = [](const std::string& eq, const std::vector<Tensor>& in) {
    auto run = run_kernel("Einsum", in, {{"equation", eq}});
    EXPECT_TRUE(run.status.is_ok()) << eq << ": " << run.status.to_string();
    return run.outputs.empty() ? Tensor() : run.outputs[0];
  };
  expect_close(einsum("ij,jk->ik", {a, b}), matmul_reference(a, b, {3, 5}), 1e-5, 1e-5, "ij,jk->ik");
  expect_close(einsum("ij,jk", {a, b}), matmul_reference(a, b, {3, 5}), 1e-5, 1e-5, "implicit ij,jk");
  expect_close(einsum("bij,bjk->bik", {ba, bb}), matmul_reference(ba, bb, {2, 3, 5}), 1e-5, 1e-5, "bij,bjk->bik");
  expect_close(einsum("...ij,...jk->...ik", {ba, bb}), matmul_reference(ba, bb, {2, 3, 5}), 1e-5, 1e-5, "ellipsis matmul");
  // Ellipsis broadcasting: [2,3,4] x [4,5] (no batch) -> [2,3,5].
  expect_close(einsum("...ij,jk->...ik", {ba, b}), matmul_reference(ba, b, {2, 3, 5}), 1e-5, 1e-5, "ellipsis bcast");
  Tensor diag = einsum("ii->i", {sq});
  ASSERT_EQ(diag.shape(), (std::vector<int64_t>{4}));
  for (int64_t i = 0; i < 4; ++i) EXPECT_FLOAT_EQ(diag.data<float>()[i], sq.data<float>()[i * 5]);
  Tensor trace = einsum("ii", {sq});
  ASSERT_EQ(trace.rank(), 0);
  EXPECT_NEAR(trace.data<float>()[0], sq.data<float>()[0] + sq.data<float>()[5] + sq.data<float>()[10] + sq.data<float>()[15], 1e-5);
  Tensor tr = einsum("...ij->...ji", {ba});
  ASSERT_EQ(tr.shape(), (std::vector<int64_t>{2, 4, 3}));
  EXPECT_EQ(tr.data<float>()[(1 * 4 + 2) * 3 + 1], ba.data<float>()[(1 * 3 + 1) * 4 + 2]);
  Tensor sum = einsum("ij->", {a});
  double s = 0;
  for (float v : a.data<float>()) s += v;
  EXPECT_NEAR(sum.data<float>()[0], s, 1e-5);
  Tensor outer = einsum("i,j->ij", {*a.reshaped({12}), *b.reshaped({20})});
  ASSERT_EQ(outer.shape(), (std::vector<int64_t>{12, 20}));
  EXPECT_FLOAT_EQ(outer.data<float>()[5 * 20 + 7], a.data<float>()[5] * b.data<float>()[7]);
  Tensor dot = einsum("i,i", {*a.reshaped({12}), *a.reshaped({12})});
  double d = 0;
  for (float v : a.data<float>()) d += double(v) * v;
  EXPECT_NEAR(dot.data<float>()[0], d, 1e-5);
  // Three operands and a label summed inside one operand: sum_j a_ij * b_jk * c_k -> i.
  Tensor c = random_tensor(rng, {5});
  Tensor three = einsum("ij,jk,k->i", {a, b, c});
  Tensor ab = matmul_reference(a, b, {3, 5});
  for (int64_t i = 0; i < 3; ++i) {
    double want = 0;
    for (int64_t k = 0; k < 5; ++k) want += double(ab.data<float>()[i * 5 + k]) * c.data<float>()[k];
    EXPECT_NEAR(three.data<float>()[i], want, 1e-5);
  }
  auto bad = run_kernel("Einsum", {a, b}, {{"equation", "ij,jk->iq"}});
  EXPECT_FALSE(bad.status.is_ok());
  auto mismatch = run_kernel("Einsum", {a, a}, {{"equation", "ij,jk->ik"}});
  EXPECT_FALSE(mismatch.status.is_ok());
}

}  // namespace
}  // namespace nnc
