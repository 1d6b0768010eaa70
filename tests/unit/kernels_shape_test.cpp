// nnc tests: reference shape/data-movement kernels (Reshape ... Resize, NMS) called through the op table.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <optional>

#include "exec/kernel.h"
#include "nnc/graph.h"

namespace nnc {
namespace {

using exec::KernelArgs;
using exec::ThreadPool;

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

/// Runs one op through the table; absent optional inputs are std::nullopt.
Expected<std::vector<Tensor>> run_op(const std::string& op, const std::vector<std::optional<Tensor>>& inputs,
                                     const std::map<std::string, Attribute>& attrs = {}, int64_t opset = 17,
                                     size_t outputs = 1) {
  Graph g("t");
  std::vector<std::string> names;
  for (size_t i = 0; i < outputs; ++i) names.push_back("out" + std::to_string(i));
  Node* n = g.add_node(op, {}, names, "n");
  for (const auto& [k, v] : attrs) n->set_attribute(k, v);
  const exec::KernelEntry* k = exec::find_kernel("", op);
  if (!k) return make_error(ErrorCode::kNotFound, "no kernel for " + op);
  ThreadPool pool(2);
  std::vector<const Tensor*> ptrs;
  for (const auto& t : inputs) ptrs.push_back(t ? &*t : nullptr);
  std::vector<Tensor> outs(outputs);
  KernelArgs args{*n, opset, ptrs, outs, pool};
  Status s = k->fn(args);
  if (!s.is_ok()) return s;
  return outs;
}

Tensor run1(const std::string& op, const std::vector<std::optional<Tensor>>& inputs,
            const std::map<std::string, Attribute>& attrs = {}, int64_t opset = 17) {
  auto r = run_op(op, inputs, attrs, opset);
  EXPECT_TRUE(r.has_value()) << op << ": " << r.error().to_string();
  return r.has_value() ? r->at(0) : Tensor();
}

Status run_error(const std::string& op, const std::vector<std::optional<Tensor>>& inputs,
                 const std::map<std::string, Attribute>& attrs = {}, int64_t opset = 17) {
  auto r = run_op(op, inputs, attrs, opset);
  EXPECT_FALSE(r.has_value()) << op << " unexpectedly succeeded";
  return r.has_value() ? Status::ok() : r.error();
}

void expect_error(const std::string& op, const std::vector<std::optional<Tensor>>& inputs,
                  const std::map<std::string, Attribute>& attrs = {}, int64_t opset = 17) {
  (void)run_error(op, inputs, attrs, opset);
}

template <typename T>
std::vector<T> values(const Tensor& t) {
  auto d = t.data<T>();
  return {d.begin(), d.end()};
}

std::vector<float> iota_f(int64_t n, float start = 0) {
  std::vector<float> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[i] = start + static_cast<float>(i);
  return v;
}

Tensor f32(std::vector<float> v, std::vector<int64_t> shape) { return Tensor::from_vector<float>(v, std::move(shape)); }
Tensor i64(std::vector<int64_t> v) {
  auto n = static_cast<int64_t>(v.size());
  return Tensor::from_vector<int64_t>(v, {n});
}
Tensor i64_scalar(int64_t v) { return Tensor::scalar<int64_t>(v); }

void expect_near(const Tensor& t, const std::vector<float>& want, float tol = 1e-5f) {
  auto got = values<float>(t);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got[i], want[i], tol) << "at " << i;
}

/// f16 tensor from raw bit patterns.
Tensor f16_raw(const std::vector<uint16_t>& bits, std::vector<int64_t> shape) {
  Tensor t(DType::kF16, std::move(shape));
  std::memcpy(t.mutable_raw_data(), bits.data(), bits.size() * 2);
  return t;
}
std::vector<uint16_t> raw16(const Tensor& t) {
  std::vector<uint16_t> v(static_cast<size_t>(t.element_count()));
  std::memcpy(v.data(), t.raw_data(), v.size() * 2);
  return v;
}

// --- Reshape family ---

TEST(ShapeKernels, ReshapeZeroCopiesAndMinusOneInfers) {
  Tensor x = f32(iota_f(24), {2, 3, 4});
  Tensor y = run1("Reshape", {x, i64({0, -1})});
  EXPECT_EQ(y.shape(), (std::vector<int64_t>{2, 12}));
  EXPECT_EQ(values<float>(y), iota_f(24));
  EXPECT_EQ(run1("Reshape", {x, i64({-1, 0, 2})}).shape(), (std::vector<int64_t>{4, 3, 2}));
}

TEST(ShapeKernels, ReshapeAllowZeroKeepsZeroDims) {
  Tensor empty = f32({}, {0, 3, 4});
  Tensor y = run1("Reshape", {empty, i64({3, 4, 0})}, {{"allowzero", int64_t{1}}});
  EXPECT_EQ(y.shape(), (std::vector<int64_t>{3, 4, 0}));
  // allowzero=0: the 0 copies input dim 2 (4) -> element count mismatch.
  Status s = run_error("Reshape", {f32(iota_f(12), {3, 4}), i64({4, 0, 1})});
  EXPECT_NE(s.message().find("[3, 4]"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("[4, 0, 1]"), std::string::npos) << s.message();
}

TEST(ShapeKernels, ReshapeErrorsNameBothShapes) {
  Status s = run_error("Reshape", {f32(iota_f(6), {2, 3}), i64({4, -1})});
  EXPECT_NE(s.message().find("[2, 3]"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("[4, -1]"), std::string::npos) << s.message();
  EXPECT_EQ(run_error("Reshape", {f32(iota_f(6), {2, 3}), i64({-1, -1})}).code(), ErrorCode::kInvalidArgument);
}

TEST(ShapeKernels, ReshapeOpset1UsesShapeAttribute) {
  Tensor y = run1("Reshape", {f32(iota_f(6), {2, 3})}, {{"shape", std::vector<int64_t>{3, 2}}}, 1);
  EXPECT_EQ(y.shape(), (std::vector<int64_t>{3, 2}));
}

TEST(ShapeKernels, FlattenAxes) {
  Tensor x = f32(iota_f(120), {2, 3, 4, 5});
  EXPECT_EQ(run1("Flatten", {x}).shape(), (std::vector<int64_t>{2, 60}));
  EXPECT_EQ(run1("Flatten", {x}, {{"axis", int64_t{0}}}).shape(), (std::vector<int64_t>{1, 120}));
  EXPECT_EQ(run1("Flatten", {x}, {{"axis", int64_t{4}}}).shape(), (std::vector<int64_t>{120, 1}));
  EXPECT_EQ(run1("Flatten", {x}, {{"axis", int64_t{-1}}}).shape(), (std::vector<int64_t>{24, 5}));
  expect_error("Flatten", {x}, {{"axis", int64_t{5}}});
}

TEST(ShapeKernels, SqueezeOpset11AttributeAndOpset13Input) {
  Tensor x = f32(iota_f(6), {1, 2, 1, 3});
  EXPECT_EQ(run1("Squeeze", {x}, {{"axes", std::vector<int64_t>{0, -2}}}, 11).shape(), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(run1("Squeeze", {x, i64({2})}, {}, 13).shape(), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(run1("Squeeze", {x}, {}, 13).shape(), (std::vector<int64_t>{2, 3}));
  Status s = run_error("Squeeze", {x, i64({1})}, {}, 13);
  EXPECT_NE(s.message().find("not 1"), std::string::npos) << s.message();
}

TEST(ShapeKernels, UnsqueezeOpset11AttributeAndOpset13Input) {
  Tensor x = f32(iota_f(6), {2, 3});
  EXPECT_EQ(run1("Unsqueeze", {x}, {{"axes", std::vector<int64_t>{0, -1}}}, 11).shape(),
            (std::vector<int64_t>{1, 2, 3, 1}));
  EXPECT_EQ(run1("Unsqueeze", {x, i64({3, 0})}, {}, 13).shape(), (std::vector<int64_t>{1, 2, 3, 1}));
  EXPECT_EQ(run1("Unsqueeze", {Tensor::scalar<float>(1), i64({0})}, {}, 13).shape(), (std::vector<int64_t>{1}));
  expect_error("Unsqueeze", {x, i64({1, 1})}, {}, 13);
  expect_error("Unsqueeze", {x, i64({4})}, {}, 13);
}

// --- Transpose / Expand / Tile ---

TEST(ShapeKernels, TransposeDefaultReversesAxes) {
  Tensor y = run1("Transpose", {f32(iota_f(6), {2, 3})});
  EXPECT_EQ(y.shape(), (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(values<float>(y), (std::vector<float>{0, 3, 1, 4, 2, 5}));
}

/// Naive reference transpose for comparisons.
std::vector<float> naive_transpose(const std::vector<float>& in, const std::vector<int64_t>& shape,
                                   const std::vector<int64_t>& perm) {
  size_t r = shape.size();
  std::vector<int64_t> out_shape(r), in_strides(r, 1);
  for (size_t i = r - 1; i-- > 0;) in_strides[i] = in_strides[i + 1] * shape[i + 1];
  for (size_t i = 0; i < r; ++i) out_shape[i] = shape[perm[i]];
  std::vector<float> out(in.size());
  std::vector<int64_t> coord(r, 0);
  for (size_t k = 0; k < out.size(); ++k) {
    int64_t off = 0;
    for (size_t i = 0; i < r; ++i) off += coord[i] * in_strides[perm[i]];
    out[k] = in[off];
    for (size_t d = r; d-- > 0 && ++coord[d] == out_shape[d];) coord[d] = 0;
  }
  return out;
}

TEST(ShapeKernels, TransposeFastPathsMatchNaive) {
  struct Case {
    std::vector<int64_t> shape, perm;
  };
  for (const Case& c : {Case{{67, 45}, {1, 0}}, Case{{2, 5, 7, 9}, {0, 2, 3, 1}}, Case{{2, 7, 9, 5}, {0, 3, 1, 2}},
                        Case{{3, 1, 4, 5}, {2, 0, 3, 1}}, Case{{2, 3, 4, 5, 6}, {4, 2, 0, 3, 1}}}) {
    int64_t n = 1;
    for (int64_t d : c.shape) n *= d;
    std::vector<float> in = iota_f(n);
    Tensor y = run1("Transpose", {f32(in, c.shape)}, {{"perm", c.perm}});
    EXPECT_EQ(values<float>(y), naive_transpose(in, c.shape, c.perm));
  }
}

TEST(ShapeKernels, TransposeMovesF16AndBoolBytes) {
  Tensor h = f16_raw({0x3c00, 0x4000, 0x4200, 0x4400, 0x4500, 0x4600}, {2, 3});
  Tensor y = run1("Transpose", {h});
  EXPECT_EQ(y.dtype(), DType::kF16);
  EXPECT_EQ(raw16(y), (std::vector<uint16_t>{0x3c00, 0x4400, 0x4000, 0x4500, 0x4200, 0x4600}));
  Tensor b = Tensor::from_vector<bool>({true, false, false, true, true, false}, {3, 2});
  EXPECT_EQ(values<bool>(run1("Transpose", {b})), (std::vector<bool>{true, false, true, false, true, false}));
  Tensor empty = f32({}, {0, 3});
  EXPECT_EQ(run1("Transpose", {empty}).shape(), (std::vector<int64_t>{3, 0}));
}

/// u16/u32/u64 move through the data-movement kernels bit-exactly (values beyond the signed range).
TEST(ShapeKernels, WideUnsignedDataMovement) {
  const uint64_t top = 0xfedcba9876543210ull;
  Tensor u64 = Tensor::from_vector<uint64_t>({top, 1, 2, 3, 4, 0xffffffffffffffffull}, {2, 3});
  Tensor t = run1("Transpose", {u64});
  EXPECT_EQ(t.dtype(), DType::kU64);
  EXPECT_EQ(values<uint64_t>(t), (std::vector<uint64_t>{top, 3, 1, 4, 2, 0xffffffffffffffffull}));
  Tensor g = run1("Gather", {u64, i64({1})}, {{"axis", int64_t{0}}});
  EXPECT_EQ(values<uint64_t>(g), (std::vector<uint64_t>{3, 4, 0xffffffffffffffffull}));
  Tensor u32 = Tensor::from_vector<uint32_t>({4000000000u, 5}, {2});
  Tensor c = run1("Concat", {u32, u32}, {{"axis", int64_t{0}}});
  EXPECT_EQ(c.dtype(), DType::kU32);
  EXPECT_EQ(values<uint32_t>(c), (std::vector<uint32_t>{4000000000u, 5, 4000000000u, 5}));
  Tensor u16 = Tensor::from_vector<uint16_t>({65535, 1, 2, 3}, {4});
  Tensor s = run1("Slice", {u16, i64({1}), i64({4})});
  EXPECT_EQ(s.dtype(), DType::kU16);
  EXPECT_EQ(values<uint16_t>(s), (std::vector<uint16_t>{1, 2, 3}));
  Tensor r = run1("Reshape", {u16, i64({2, 2})});
  EXPECT_EQ(values<uint16_t>(r), (std::vector<uint16_t>{65535, 1, 2, 3}));
  EXPECT_EQ(values<int64_t>(run1("Shape", {u64})), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(values<int64_t>(run1("Size", {u32})), (std::vector<int64_t>{2}));
}

TEST(ShapeKernels, ExpandBroadcastsBothWays) {
  Tensor y = run1("Expand", {f32({1, 2, 3}, {3, 1}), i64({2, 1, 2})});
  EXPECT_EQ(y.shape(), (std::vector<int64_t>{2, 3, 2}));
  EXPECT_EQ(values<float>(y), (std::vector<float>{1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3}));
  expect_error("Expand", {f32({1, 2, 3}, {3}), i64({2})});
}

TEST(ShapeKernels, TileRepeatsEachAxis) {
  Tensor y = run1("Tile", {Tensor::from_vector<int32_t>({1, 2, 3, 4}, {2, 2}), i64({1, 2})});
  EXPECT_EQ(y.shape(), (std::vector<int64_t>{2, 4}));
  EXPECT_EQ(values<int32_t>(y), (std::vector<int32_t>{1, 2, 1, 2, 3, 4, 3, 4}));
  EXPECT_EQ(run1("Tile", {f32({1, 2}, {2}), i64({0})}).shape(), (std::vector<int64_t>{0}));
}

// --- Concat / Split ---

TEST(ShapeKernels, ConcatNegativeAxisWithEmptyInput) {
  Tensor a = f32({1, 2, 3, 4}, {2, 2});
  Tensor b = f32({5, 6}, {2, 1});
  Tensor e = f32({}, {2, 0});
  Tensor y = run1("Concat", {a, e, b}, {{"axis", int64_t{-1}}});
  EXPECT_EQ(y.shape(), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(values<float>(y), (std::vector<float>{1, 2, 5, 3, 4, 6}));
  Status s = run_error("Concat", {a, f32({1, 2, 3}, {3, 1})}, {{"axis", int64_t{1}}});
  EXPECT_NE(s.message().find("[3, 1]"), std::string::npos) << s.message();
}

TEST(ShapeKernels, SplitEqualByAttributeAndByInput) {
  Tensor x = f32(iota_f(12), {2, 6});
  auto eq = run_op("Split", {x}, {{"axis", int64_t{1}}}, 13, 3);
  ASSERT_TRUE(eq.has_value()) << eq.error().to_string();
  EXPECT_EQ(values<float>(eq->at(1)), (std::vector<float>{2, 3, 8, 9}));
  auto attr = run_op("Split", {x}, {{"axis", int64_t{1}}, {"split", std::vector<int64_t>{1, 5}}}, 11, 2);
  ASSERT_TRUE(attr.has_value()) << attr.error().to_string();
  EXPECT_EQ(attr->at(1).shape(), (std::vector<int64_t>{2, 5}));
  auto input = run_op("Split", {x, i64({4, 0, 2})}, {{"axis", int64_t{-1}}}, 13, 3);
  ASSERT_TRUE(input.has_value()) << input.error().to_string();
  EXPECT_EQ(input->at(1).shape(), (std::vector<int64_t>{2, 0}));
  EXPECT_EQ(values<float>(input->at(2)), (std::vector<float>{4, 5, 10, 11}));
  auto uneven = run_op("Split", {f32(iota_f(7), {7})}, {{"num_outputs", int64_t{3}}}, 18, 3);
  ASSERT_TRUE(uneven.has_value()) << uneven.error().to_string();
  EXPECT_EQ(values<float>(uneven->at(2)), (std::vector<float>{6}));
  EXPECT_FALSE(run_op("Split", {x, i64({1, 2})}, {{"axis", int64_t{1}}}, 13, 2).has_value());
}

// --- Slice ---

TEST(ShapeKernels, SliceNegativeStepsAndClamping) {
  Tensor x = f32(iota_f(10), {10});
  EXPECT_EQ(values<float>(run1("Slice", {x, i64({kMax}), i64({kMin}), i64({0}), i64({-1})})),
            (std::vector<float>{9, 8, 7, 6, 5, 4, 3, 2, 1, 0}));
  EXPECT_EQ(values<float>(run1("Slice", {x, i64({-2}), i64({1}), std::nullopt, i64({-3})})),
            (std::vector<float>{8, 5, 2}));
  EXPECT_EQ(values<float>(run1("Slice", {x, i64({-100}), i64({100})})), iota_f(10));
  EXPECT_EQ(run1("Slice", {x, i64({5}), i64({2})}).shape(), (std::vector<int64_t>{0}));
  EXPECT_EQ(values<float>(run1("Slice", {x, i64({1}), i64({kMax}), i64({-1}), i64({4})})),
            (std::vector<float>{1, 5, 9}));
}

TEST(ShapeKernels, Slice2DAndOpset1Attributes) {
  Tensor x = f32(iota_f(20), {4, 5});
  Tensor y = run1("Slice", {x, i64({1, 0}), i64({3, -1}), i64({0, 1}), i64({1, 2})});
  EXPECT_EQ(y.shape(), (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(values<float>(y), (std::vector<float>{5, 7, 10, 12}));
  Tensor z = run1("Slice", {x},
                  {{"starts", std::vector<int64_t>{1}},
                   {"ends", std::vector<int64_t>{1000}},
                   {"axes", std::vector<int64_t>{1}}},
                  1);
  EXPECT_EQ(z.shape(), (std::vector<int64_t>{4, 4}));
  expect_error("Slice", {x, i64({0}), i64({1}), i64({0}), i64({0})});
}

// --- Gather ---

TEST(ShapeKernels, GatherNegativeIndicesOnAxis1) {
  Tensor x = f32(iota_f(6), {2, 3});
  Tensor idx = Tensor::from_vector<int64_t>({-1, 0, 1, -3}, {2, 2});
  Tensor y = run1("Gather", {x, idx}, {{"axis", int64_t{1}}});
  EXPECT_EQ(y.shape(), (std::vector<int64_t>{2, 2, 2}));
  EXPECT_EQ(values<float>(y), (std::vector<float>{2, 0, 1, 0, 5, 3, 4, 3}));
  Tensor s = run1("Gather", {x, Tensor::scalar<int32_t>(1)});
  EXPECT_EQ(s.shape(), (std::vector<int64_t>{3}));
  EXPECT_EQ(values<float>(s), (std::vector<float>{3, 4, 5}));
  expect_error("Gather", {x, i64({2})});
}

TEST(ShapeKernels, GatherElementsWithNegativeIndices) {
  Tensor x = Tensor::from_vector<int8_t>({1, 2, 3, 4, 5, 6, 7, 8, 9}, {3, 3});
  Tensor idx = Tensor::from_vector<int64_t>({-1, -2, 0, 2, 0, 0}, {2, 3});
  Tensor y = run1("GatherElements", {x, idx}, {{"axis", int64_t{0}}});
  EXPECT_EQ(values<int8_t>(y), (std::vector<int8_t>{7, 5, 3, 7, 2, 3}));
}

// --- Pad ---

TEST(ShapeKernels, PadConstantReflectEdgeWrap) {
  Tensor x = f32({1, 2, 3, 4, 5, 6}, {2, 3});
  Tensor pads = i64({0, 2, 0, 1});
  EXPECT_EQ(values<float>(run1("Pad", {x, pads, Tensor::scalar<float>(9)})),
            (std::vector<float>{9, 9, 1, 2, 3, 9, 9, 9, 4, 5, 6, 9}));
  EXPECT_EQ(values<float>(run1("Pad", {x, pads}, {{"mode", "reflect"}})),
            (std::vector<float>{3, 2, 1, 2, 3, 2, 6, 5, 4, 5, 6, 5}));
  EXPECT_EQ(values<float>(run1("Pad", {x, pads}, {{"mode", "edge"}})),
            (std::vector<float>{1, 1, 1, 2, 3, 3, 4, 4, 4, 5, 6, 6}));
  EXPECT_EQ(values<float>(run1("Pad", {x, pads}, {{"mode", "wrap"}}, 19)),
            (std::vector<float>{2, 3, 1, 2, 3, 1, 5, 6, 4, 5, 6, 4}));
}

TEST(ShapeKernels, PadRowsNegativePadsAndOldAttributes) {
  Tensor x = f32({1, 2, 3, 4, 5, 6}, {3, 2});
  Tensor y = run1("Pad", {x}, {{"pads", std::vector<int64_t>{1, 0, -1, 0}}, {"value", 7.0}}, 2);
  EXPECT_EQ(y.shape(), (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(values<float>(y), (std::vector<float>{7, 7, 1, 2, 3, 4}));
  Tensor r = run1("Pad", {x, i64({2, 0, 0, 0})}, {{"mode", "reflect"}});
  EXPECT_EQ(values<float>(r), (std::vector<float>{5, 6, 3, 4, 1, 2, 3, 4, 5, 6}));
  Tensor axes = run1("Pad", {x, i64({1, 1}), std::nullopt, i64({-1})}, {}, 18);
  EXPECT_EQ(axes.shape(), (std::vector<int64_t>{3, 4}));
  Tensor ints = run1("Pad", {Tensor::from_vector<int64_t>({5}, {1}), i64({1, 1}), i64_scalar(-1)});
  EXPECT_EQ(values<int64_t>(ints), (std::vector<int64_t>{-1, 5, -1}));
}

// --- Resize / Upsample ---

Tensor scales(std::vector<float> v) {
  auto n = static_cast<int64_t>(v.size());
  return f32(std::move(v), {n});
}

TEST(ShapeKernels, ResizeNearestUpsampleScales) {
  Tensor x = f32({1, 2, 3, 4}, {1, 1, 2, 2});
  Tensor y = run1("Resize", {x, std::nullopt, scales({1, 1, 2, 3})}, {{"mode", "nearest"}});
  EXPECT_EQ(y.shape(), (std::vector<int64_t>{1, 1, 4, 6}));
  EXPECT_EQ(values<float>(y), (std::vector<float>{1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2,
                                                  3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4}));
  Tensor down = run1("Resize", {f32(iota_f(8, 1), {1, 1, 2, 4}), std::nullopt, scales({1, 1, 0.6f, 0.6f})});
  EXPECT_EQ(values<float>(down), (std::vector<float>{1, 3}));
}

TEST(ShapeKernels, ResizeLinearHalfPixelAndAlignCorners) {
  Tensor x = f32({1, 2, 3, 4}, {1, 1, 2, 2});
  expect_near(run1("Resize", {x, std::nullopt, scales({1, 1, 2, 2})}, {{"mode", "linear"}}),
              {1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4});
  expect_near(run1("Resize", {x, std::nullopt, scales({1, 1, 2, 2})},
                   {{"mode", "linear"}, {"coordinate_transformation_mode", "align_corners"}}),
              {1, 4 / 3.f, 5 / 3.f, 2, 5 / 3.f, 2, 7 / 3.f, 8 / 3.f, 7 / 3.f, 8 / 3.f, 3, 10 / 3.f, 3, 10 / 3.f,
               11 / 3.f, 4});
  Tensor x8 = f32(iota_f(8, 1), {1, 1, 2, 4});
  expect_near(run1("Resize", {x8, std::nullopt, scales({1, 1, 0.6f, 0.6f})}, {{"mode", "linear"}}),
              {2.6666665f, 4.3333331f});
  expect_near(run1("Resize", {x8, std::nullopt, scales({1, 1, 0.6f, 0.6f})},
                   {{"mode", "linear"}, {"coordinate_transformation_mode", "align_corners"}}),
              {1, 3.142857f});
}

TEST(ShapeKernels, ResizeNearestModesWithSizes) {
  Tensor x = f32(iota_f(16, 1), {1, 1, 4, 4});
  Tensor floor_ac = run1("Resize", {x, std::nullopt, std::nullopt, i64({1, 1, 8, 8})},
                         {{"mode", "nearest"}, {"coordinate_transformation_mode", "align_corners"},
                          {"nearest_mode", "floor"}});
  auto v = values<float>(floor_ac);
  EXPECT_EQ(std::vector<float>(v.begin(), v.begin() + 8), (std::vector<float>{1, 1, 1, 2, 2, 3, 3, 4}));
  EXPECT_EQ(std::vector<float>(v.begin() + 24, v.begin() + 32), (std::vector<float>{5, 5, 5, 6, 6, 7, 7, 8}));
  Tensor ceil_hp = run1("Resize", {x, std::nullopt, std::nullopt, i64({1, 1, 8, 8})},
                        {{"mode", "nearest"}, {"nearest_mode", "ceil"}});
  v = values<float>(ceil_hp);
  EXPECT_EQ(std::vector<float>(v.begin(), v.begin() + 8), (std::vector<float>{1, 2, 2, 3, 3, 4, 4, 4}));
  Tensor prefer_ceil = run1("Resize", {x, std::nullopt, std::nullopt, i64({1, 1, 8, 8})},
                            {{"mode", "nearest"}, {"coordinate_transformation_mode", "asymmetric"},
                             {"nearest_mode", "round_prefer_ceil"}});
  v = values<float>(prefer_ceil);
  EXPECT_EQ(std::vector<float>(v.begin() + 8, v.begin() + 16), (std::vector<float>{5, 6, 6, 7, 7, 8, 8, 8}));
}

TEST(ShapeKernels, ResizeCubicMatchesSpecExample) {
  Tensor x = f32(iota_f(16, 1), {1, 1, 4, 4});
  Tensor y = run1("Resize", {x, std::nullopt, scales({1, 1, 2, 2})}, {{"mode", "cubic"}});
  auto v = values<float>(y);
  ASSERT_EQ(v.size(), 64u);
  const float first_row[] = {0.47265625f, 0.76953125f, 1.24609375f, 1.875f, 2.28125f, 2.91015625f, 3.38671875f,
                             3.68359375f};
  for (int i = 0; i < 8; ++i) EXPECT_NEAR(v[i], first_row[i], 1e-5) << i;
  EXPECT_NEAR(v[63], 16.52734375f, 1e-5);
  Tensor excl = run1("Resize", {x, std::nullopt, scales({1, 1, 2, 2})},
                     {{"mode", "cubic"}, {"cubic_coeff_a", -0.5}, {"exclude_outside", int64_t{1}}});
  EXPECT_EQ(excl.shape(), (std::vector<int64_t>{1, 1, 8, 8}));
}

TEST(ShapeKernels, ResizeTfCropAndResizeWithExtrapolation) {
  Tensor x = f32(iota_f(16, 1), {1, 1, 4, 4});
  Tensor roi = f32({0, 0, 0.4f, 0.6f, 1, 1, 0.6f, 0.8f}, {8});
  expect_near(run1("Resize", {x, roi, std::nullopt, i64({1, 1, 3, 3})},
                   {{"mode", "linear"}, {"coordinate_transformation_mode", "tf_crop_and_resize"}}),
              {7.6f, 7.9f, 8.2f, 8.8f, 9.1f, 9.4f, 10, 10.3f, 10.6f}, 1e-4f);
  Tensor roi2 = f32({0, 0, 0.4f, 0.6f, 1, 1, 1.2f, 1.7f}, {8});
  expect_near(run1("Resize", {x, roi2, std::nullopt, i64({1, 1, 3, 3})},
                   {{"mode", "linear"}, {"coordinate_transformation_mode", "tf_crop_and_resize"},
                    {"extrapolation_value", 10.0}}),
              {7.6f, 10, 10, 12.4f, 10, 10, 10, 10, 10}, 1e-4f);
}

TEST(ShapeKernels, ResizePytorchHalfPixelAndAxes) {
  Tensor x = f32(iota_f(16, 1), {1, 1, 4, 4});
  expect_near(run1("Resize", {x, std::nullopt, std::nullopt, i64({1, 1, 3, 1})},
                   {{"mode", "linear"}, {"coordinate_transformation_mode", "pytorch_half_pixel"}}),
              {1.6666666f, 7, 12.333333f});
  Tensor by_axes = run1("Resize", {x, std::nullopt, scales({2, 2})},
                        {{"axes", std::vector<int64_t>{2, 3}}}, 18);
  EXPECT_EQ(by_axes.shape(), (std::vector<int64_t>{1, 1, 8, 8}));
  Tensor not_larger = run1("Resize", {x, std::nullopt, std::nullopt, i64({7, 8})},
                           {{"axes", std::vector<int64_t>{2, 3}}, {"keep_aspect_ratio_policy", "not_larger"}}, 18);
  EXPECT_EQ(not_larger.shape(), (std::vector<int64_t>{1, 1, 7, 7}));
}

TEST(ShapeKernels, ResizeOpset10AndUpsample) {
  Tensor x = f32({1, 2, 3, 4}, {1, 1, 2, 2});
  Tensor y10 = run1("Resize", {x, scales({1, 1, 2, 3})}, {{"mode", "nearest"}}, 10);
  EXPECT_EQ(y10.shape(), (std::vector<int64_t>{1, 1, 4, 6}));
  Tensor up7 = run1("Upsample", {x}, {{"scales", std::vector<double>{1, 1, 2, 2}}}, 7);
  EXPECT_EQ(values<float>(up7), (std::vector<float>{1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}));
  Tensor up9 = run1("Upsample", {x, scales({1, 1, 2, 2})}, {{"mode", "linear"}}, 9);
  expect_near(up9, {1, 1.5, 2, 2, 2, 2.5, 3, 3, 3, 3.5, 4, 4, 3, 3.5, 4, 4});
}

TEST(ShapeKernels, ResizeKeepsIntegerAndEmptyTensors) {
  Tensor x = Tensor::from_vector<uint8_t>({10, 20}, {1, 2});
  Tensor y = run1("Resize", {x, std::nullopt, scales({1, 2})}, {{"mode", "nearest"}});
  EXPECT_EQ(values<uint8_t>(y), (std::vector<uint8_t>{10, 10, 20, 20}));
  Tensor e = run1("Resize", {f32({}, {0, 2}), std::nullopt, scales({1, 2})});
  EXPECT_EQ(e.shape(), (std::vector<int64_t>{0, 4}));
}

// --- DepthToSpace / SpaceToDepth ---

std::vector<float> depth_input() {
  std::vector<float> v;
  for (int c = 0; c < 8; ++c)
    for (int i = 0; i < 6; ++i) v.push_back(static_cast<float>(c * 9 + i));
  return v;
}

TEST(ShapeKernels, DepthToSpaceDcrAndCrd) {
  Tensor x = f32(depth_input(), {1, 8, 2, 3});
  Tensor dcr = run1("DepthToSpace", {x}, {{"blocksize", int64_t{2}}});
  EXPECT_EQ(dcr.shape(), (std::vector<int64_t>{1, 2, 4, 6}));
  auto d = values<float>(dcr);
  EXPECT_EQ(std::vector<float>(d.begin(), d.begin() + 12),
            (std::vector<float>{0, 18, 1, 19, 2, 20, 36, 54, 37, 55, 38, 56}));
  Tensor crd = run1("DepthToSpace", {x}, {{"blocksize", int64_t{2}}, {"mode", "CRD"}});
  auto c = values<float>(crd);
  EXPECT_EQ(std::vector<float>(c.begin(), c.begin() + 12),
            (std::vector<float>{0, 9, 1, 10, 2, 11, 18, 27, 19, 28, 20, 29}));
  EXPECT_EQ(std::vector<float>(c.begin() + 24, c.begin() + 30), (std::vector<float>{36, 45, 37, 46, 38, 47}));
}

TEST(ShapeKernels, SpaceToDepthInvertsDepthToSpaceDcr) {
  Tensor x = f32(depth_input(), {1, 8, 2, 3});
  Tensor dcr = run1("DepthToSpace", {x}, {{"blocksize", int64_t{2}}});
  Tensor back = run1("SpaceToDepth", {dcr}, {{"blocksize", int64_t{2}}});
  EXPECT_EQ(back.shape(), x.shape());
  EXPECT_EQ(values<float>(back), depth_input());
  expect_error("SpaceToDepth", {f32(iota_f(9), {1, 1, 3, 3})}, {{"blocksize", int64_t{2}}});
}

// --- Shape, Size, constants, Range, NonZero ---

TEST(ShapeKernels, ShapeWithStartEndAndSize) {
  Tensor x = f32(iota_f(24), {2, 3, 4});
  EXPECT_EQ(values<int64_t>(run1("Shape", {x})), (std::vector<int64_t>{2, 3, 4}));
  EXPECT_EQ(values<int64_t>(run1("Shape", {x}, {{"start", int64_t{-2}}}, 15)), (std::vector<int64_t>{3, 4}));
  EXPECT_EQ(values<int64_t>(run1("Shape", {x}, {{"start", int64_t{1}}, {"end", int64_t{-1}}}, 15)),
            (std::vector<int64_t>{3}));
  EXPECT_EQ(run1("Shape", {x}, {{"start", int64_t{10}}}, 15).shape(), (std::vector<int64_t>{0}));
  Tensor size = run1("Size", {x});
  EXPECT_EQ(size.rank(), 0);
  EXPECT_EQ(values<int64_t>(size), (std::vector<int64_t>{24}));
}

TEST(ShapeKernels, ConstantForms) {
  EXPECT_EQ(values<float>(run1("Constant", {}, {{"value", f32({1, 2}, {2})}})), (std::vector<float>{1, 2}));
  EXPECT_EQ(values<float>(run1("Constant", {}, {{"value_float", 2.5}})), (std::vector<float>{2.5}));
  EXPECT_EQ(values<float>(run1("Constant", {}, {{"value_floats", std::vector<double>{1, 2}}})),
            (std::vector<float>{1, 2}));
  EXPECT_EQ(run1("Constant", {}, {{"value_int", int64_t{3}}}).dtype(), DType::kI64);
  EXPECT_EQ(values<int64_t>(run1("Constant", {}, {{"value_ints", std::vector<int64_t>{4, 5}}})),
            (std::vector<int64_t>{4, 5}));
  EXPECT_EQ(run_error("Constant", {}, {{"value_string", "x"}}).code(), ErrorCode::kUnsupported);
}

TEST(ShapeKernels, ConstantOfShapeDefaultAndTypedValue) {
  Tensor zeros = run1("ConstantOfShape", {i64({2, 3})});
  EXPECT_EQ(zeros.dtype(), DType::kF32);
  EXPECT_EQ(values<float>(zeros), std::vector<float>(6, 0.0f));
  Tensor ones = run1("ConstantOfShape", {i64({3})}, {{"value", Tensor::from_vector<int32_t>({7}, {1})}});
  EXPECT_EQ(values<int32_t>(ones), (std::vector<int32_t>{7, 7, 7}));
  EXPECT_EQ(run1("ConstantOfShape", {i64({0})}).element_count(), 0);
  EXPECT_EQ(run1("ConstantOfShape", {Tensor::from_vector<int64_t>({}, {0})}).rank(), 0);
}

TEST(ShapeKernels, RangeFloatAndNegativeIntDelta) {
  expect_near(run1("Range", {Tensor::scalar<float>(1), Tensor::scalar<float>(5), Tensor::scalar<float>(2)}), {1, 3});
  EXPECT_EQ(values<int32_t>(run1("Range", {Tensor::scalar<int32_t>(10), Tensor::scalar<int32_t>(6),
                                           Tensor::scalar<int32_t>(-3)})),
            (std::vector<int32_t>{10, 7}));
  EXPECT_EQ(run1("Range", {Tensor::scalar<int64_t>(5), Tensor::scalar<int64_t>(1), Tensor::scalar<int64_t>(1)})
                .element_count(),
            0);
}

TEST(ShapeKernels, NonZeroCoordinates) {
  Tensor x = f32({1, 0, 0, -0.0f, 2, 3}, {2, 3});
  Tensor y = run1("NonZero", {x});
  EXPECT_EQ(y.shape(), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(values<int64_t>(y), (std::vector<int64_t>{0, 1, 1, 0, 1, 2}));
  EXPECT_EQ(run1("NonZero", {f32({}, {0, 2})}).shape(), (std::vector<int64_t>{2, 0}));
}

// --- NonMaxSuppression ---

TEST(ShapeKernels, NonMaxSuppressionCenterPointBox) {
  Tensor boxes = f32({0.5f, 0.5f, 1, 1, 0.5f, 0.6f, 1, 1, 0.5f, 0.4f, 1, 1, 0.5f, 10.5f, 1, 1, 0.5f, 10.6f, 1, 1,
                      0.5f, 100.5f, 1, 1},
                     {1, 6, 4});
  Tensor scores = f32({0.9f, 0.75f, 0.6f, 0.95f, 0.5f, 0.3f}, {1, 1, 6});
  Tensor y = run1("NonMaxSuppression", {boxes, scores, i64({3}), f32({0.5f}, {1}), f32({0}, {1})},
                  {{"center_point_box", int64_t{1}}});
  EXPECT_EQ(y.shape(), (std::vector<int64_t>{3, 3}));
  EXPECT_EQ(values<int64_t>(y), (std::vector<int64_t>{0, 0, 3, 0, 0, 0, 0, 0, 5}));
}

TEST(ShapeKernels, NonMaxSuppressionCornersScoreThresholdAndClasses) {
  // Corners given flipped; two classes; score threshold drops low scores.
  Tensor boxes = f32({1, 1, 0, 0, 0, 0.1f, 1, 1.1f, 0, 10, 1, 11}, {1, 3, 4});
  Tensor scores = f32({0.9f, 0.8f, 0.7f, 0.1f, 0.2f, 0.95f}, {1, 2, 3});
  Tensor y = run1("NonMaxSuppression", {boxes, scores, i64({2}), f32({0.5f}, {1}), f32({0.15f}, {1})});
  EXPECT_EQ(values<int64_t>(y), (std::vector<int64_t>{0, 0, 0, 0, 0, 2, 0, 1, 2, 0, 1, 1}));
  Tensor none = run1("NonMaxSuppression", {boxes, scores});
  EXPECT_EQ(none.shape(), (std::vector<int64_t>{0, 3}));
}

TEST(ShapeKernels, ZeroSizeTensorsDoNotCrash) {
  Tensor e = f32({}, {2, 0, 3});
  EXPECT_EQ(run1("Transpose", {e}, {{"perm", std::vector<int64_t>{2, 0, 1}}}).shape(), (std::vector<int64_t>{3, 2, 0}));
  EXPECT_EQ(run1("Slice", {e, i64({0}), i64({1}), i64({2})}).shape(), (std::vector<int64_t>{2, 0, 1}));
  EXPECT_EQ(run1("Slice", {e, i64({-1}), i64({kMin}), i64({1}), i64({-1})}).shape(), (std::vector<int64_t>{2, 0, 3}));
  EXPECT_EQ(run1("Gather", {e, i64({1, 0})}, {{"axis", int64_t{2}}}).shape(), (std::vector<int64_t>{2, 0, 2}));
  EXPECT_EQ(run1("Gather", {f32({1, 2}, {2}), Tensor::from_vector<int64_t>({}, {0})}).shape(),
            (std::vector<int64_t>{0}));
  EXPECT_EQ(run1("Pad", {e, i64({0, 1, 0, 0, 1, 0})}).shape(), (std::vector<int64_t>{2, 2, 3}));
  EXPECT_EQ(run1("Expand", {e, i64({2, 1, 1})}).shape(), (std::vector<int64_t>{2, 0, 3}));
  EXPECT_EQ(run1("Tile", {e, i64({2, 2, 2})}).shape(), (std::vector<int64_t>{4, 0, 6}));
  EXPECT_EQ(run1("DepthToSpace", {f32({}, {0, 4, 1, 1})}, {{"blocksize", int64_t{2}}}).shape(),
            (std::vector<int64_t>{0, 1, 2, 2}));
  EXPECT_EQ(run1("Reshape", {e, i64({-1, 3})}).shape(), (std::vector<int64_t>{0, 3}));
  auto parts = run_op("Split", {e}, {{"axis", int64_t{2}}}, 13, 3);
  ASSERT_TRUE(parts.has_value()) << parts.error().to_string();
  EXPECT_EQ(parts->at(2).shape(), (std::vector<int64_t>{2, 0, 1}));
  EXPECT_EQ(run1("GatherElements", {e, Tensor::from_vector<int64_t>({}, {2, 0, 1})}, {{"axis", int64_t{2}}}).shape(),
            (std::vector<int64_t>{2, 0, 1}));
  EXPECT_EQ(run1("NonMaxSuppression", {f32({}, {1, 0, 4}), f32({}, {1, 2, 0}), i64({5})}).shape(),
            (std::vector<int64_t>{0, 3}));
}

/// Runs the data-movement ops on one dtype and checks the element order.
template <typename T>
void check_moves_dtype() {
  Tensor x = Tensor::from_vector<T>({T(1), T(2), T(3), T(4), T(5), T(6)}, {2, 3});
  auto as_int = [](const Tensor& t) {
    std::vector<int> v;
    for (T e : t.data<T>()) v.push_back(static_cast<int>(e));
    return v;
  };
  EXPECT_EQ(as_int(run1("Transpose", {x})), (std::vector<int>{1, 4, 2, 5, 3, 6}));
  EXPECT_EQ(as_int(run1("Slice", {x, i64({-1}), i64({kMin}), i64({1}), i64({-2})})), (std::vector<int>{3, 1, 6, 4}));
  EXPECT_EQ(as_int(run1("Gather", {x, i64({1, 0})})), (std::vector<int>{4, 5, 6, 1, 2, 3}));
  EXPECT_EQ(as_int(run1("Concat", {x, x}, {{"axis", int64_t{1}}})),
            (std::vector<int>{1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6}));
  EXPECT_EQ(as_int(run1("Pad", {x, i64({0, 1, 0, 0})}, {{"mode", "edge"}})),
            (std::vector<int>{1, 1, 2, 3, 4, 4, 5, 6}));
  EXPECT_EQ(as_int(run1("Tile", {x, i64({1, 2})})), (std::vector<int>{1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6}));
  EXPECT_EQ(run1("Expand", {x, i64({2, 2, 3})}).dtype(), dtype_of<T>());
}

TEST(ShapeKernels, DataMovementWorksForEveryDtype) {
  check_moves_dtype<float>();
  check_moves_dtype<double>();
  check_moves_dtype<int64_t>();
  check_moves_dtype<int32_t>();
  check_moves_dtype<int16_t>();
  check_moves_dtype<int8_t>();
  check_moves_dtype<uint8_t>();
  Tensor bf = Tensor(DType::kBF16, {2, 2});
  std::vector<uint16_t> bits{0x3f80, 0x4000, 0x4040, 0x4080};
  std::memcpy(bf.mutable_raw_data(), bits.data(), 8);
  Tensor y = run1("Concat", {bf, bf}, {{"axis", int64_t{0}}});
  EXPECT_EQ(y.dtype(), DType::kBF16);
  EXPECT_EQ(raw16(y), (std::vector<uint16_t>{0x3f80, 0x4000, 0x4040, 0x4080, 0x3f80, 0x4000, 0x4040, 0x4080}));
  Tensor padded = run1("Pad", {f16_raw({0x3c00}, {1})}, {{"pads", std::vector<int64_t>{1, 0}}, {"value", 2.0}}, 2);
  EXPECT_EQ(raw16(padded), (std::vector<uint16_t>{0x4000, 0x3c00}));
  Tensor b = Tensor::from_vector<bool>({true, false}, {2});
  EXPECT_EQ(values<int64_t>(run1("NonZero", {b})), (std::vector<int64_t>{0}));
  EXPECT_EQ(run1("ConstantOfShape", {i64({2})}, {{"value", f16_raw({0x3c00}, {1})}}).dtype(), DType::kF16);
}

TEST(ShapeKernels, TableListsEveryShapeOp) {
  for (const char* op : {"Reshape", "Flatten", "Transpose", "Squeeze", "Unsqueeze", "Expand", "Tile", "Concat", "Split",
                         "Slice", "Gather", "GatherElements", "Pad", "Resize", "Upsample", "DepthToSpace",
                         "SpaceToDepth", "Shape", "Size", "Constant", "ConstantOfShape", "Range", "NonZero",
                         "NonMaxSuppression"})
    EXPECT_NE(exec::find_kernel("", op), nullptr) << op;
}

}  // namespace
}  // namespace nnc
