// nnc frontend_tflite: IR -> .tflite writer: NHWC Conv/pool patterns folded back, float32 tensors, one flatbuffer.
#include "tflite_writer.h"

#include <cstring>
#include <map>
#include <set>

#include "nnc/executor.h"
#include "nnc/graph_algorithms.h"
#include "nnc/npy.h"
#include "nnc/suggest.h"
#include "tflite_ops.h"
#include "tflite_schema_generated.h"

namespace nnc::tflite_frontend {
namespace {

namespace fb = ::nnc::tflite_fb;
using BO = fb::BuiltinOperator;

bool is_transpose(const Node* n, const std::vector<int64_t>& perm) {
  return n && n->op_type() == "Transpose" && n->domain().empty() && n->ints_attribute("perm") == perm;
}

/// The value's constant contents as float32 (f32 constants, or DequantizeLinear of an integer constant).
std::optional<Tensor> float_constant(const Value* v) {
  if (const Tensor* c = v->constant()) {
    if (c->dtype() != DType::kF32) return std::nullopt;
    return *c;
  }
  const Node* n = v->producer();
  if (!n || n->op_type() != "DequantizeLinear" || !n->input(0) || !n->input(1) || !n->input(0)->constant() ||
      !n->input(1)->constant()) {
    return std::nullopt;
  }
  const Tensor& q = *n->input(0)->constant();
  const Tensor& s = *n->input(1)->constant();
  const Tensor* zp = n->input(2) && n->input(2)->constant() ? n->input(2)->constant() : nullptr;
  if (s.dtype() != DType::kF32) return std::nullopt;
  Tensor out(DType::kF32, q.shape());
  auto d = out.mutable_data<float>();
  int64_t axis = n->int_attribute("axis", 1);
  if (axis < 0) axis += q.rank();
  const bool per_axis = s.element_count() > 1;
  int64_t stride = 1, dim = 1;
  if (per_axis) {
    if (axis < 0 || axis >= q.rank()) return std::nullopt;
    for (int64_t a = axis + 1; a < q.rank(); ++a) stride *= q.shape()[static_cast<size_t>(a)];
    dim = q.shape()[static_cast<size_t>(axis)];
    if (dim != s.element_count()) return std::nullopt;
  }
  for (size_t i = 0; i < d.size(); ++i) {
    const size_t ch = per_axis ? static_cast<size_t>((static_cast<int64_t>(i) / stride) % dim) : 0;
    const double z = zp ? zp->value_as_double(static_cast<int64_t>(ch)) : 0.0;
    d[i] = static_cast<float>((q.value_as_double(static_cast<int64_t>(i)) - z) * s.data<float>()[ch]);
  }
  return out;
}

Tensor permute(const Tensor& t, const std::vector<int64_t>& perm) {
  std::vector<int64_t> od;
  for (int64_t p : perm) od.push_back(t.shape()[static_cast<size_t>(p)]);
  Tensor out(DType::kF32, od);
  const size_t r = perm.size();
  std::vector<int64_t> st(r, 1), idx(r, 0);
  for (size_t i = r; i-- > 1;) st[i - 1] = st[i] * t.shape()[i];
  auto src = t.data<float>();
  auto dst = out.mutable_data<float>();
  for (size_t o = 0; o < dst.size(); ++o) {
    int64_t off = 0;
    for (size_t i = 0; i < r; ++i) off += idx[i] * st[static_cast<size_t>(perm[i])];
    dst[o] = src[static_cast<size_t>(off)];
    for (size_t i = r; i-- > 0;) {
      if (++idx[i] < od[i]) break;
      idx[i] = 0;
    }
  }
  return out;
}

/// A Conv/pool node written as one NHWC TFLite op: its NHWC input, optional fused activation and
/// the back-Transposes whose outputs are the op's NHWC result.
struct LayoutPlan {
  Value* nhwc_in = nullptr;
  Node* act = nullptr;
  fb::ActivationFunctionType act_type = fb::ActivationFunctionType::NONE;
  std::vector<Node*> back;
};

class Writer {
 public:
  explicit Writer(const Graph& g) : g_(g) {}

  Expected<std::string> run() {
    NNC_ASSIGN_OR_RETURN(std::vector<Node*> order, topological_order(g_));
    NNC_RETURN_IF_ERROR(probe_shapes());
    plan(order);
    std::vector<std::string> problems;
    for (Node* n : order) {
      if (skipped_.count(n)) continue;
      Status s = emit(n);
      if (!s.is_ok()) problems.push_back(n->describe() + ": " + s.message());
    }
    if (!problems.empty()) {
      return make_error(ErrorCode::kUnsupported,
                        "cannot write graph '" + g_.name() + "' as TFLite: " + std::to_string(problems.size()) +
                            " node(s) not expressible: " + quoted_list(problems, 8),
                        Location{}, "write this section as ONNX (write.onnx) or crop it to the supported ops");
    }
    std::vector<int32_t> ins, outs;
    for (Value* v : g_.inputs()) {
      NNC_ASSIGN_OR_RETURN(int32_t t, tensor(v));
      ins.push_back(t);
    }
    for (Value* v : g_.outputs()) {
      NNC_ASSIGN_OR_RETURN(int32_t t, tensor(v));
      outs.push_back(t);
    }
    std::vector<flatbuffers::Offset<fb::OperatorCode>> codes;
    for (BO c : code_list_) {
      const int8_t dep = static_cast<int32_t>(c) < 127 ? static_cast<int8_t>(c) : int8_t{127};
      codes.push_back(fb::CreateOperatorCode(fbb_, dep, 0, 1, c));
    }
    auto sg = fb::CreateSubGraph(fbb_, fbb_.CreateVector(tensors_), fbb_.CreateVector(ins), fbb_.CreateVector(outs),
                                 fbb_.CreateVector(ops_), fbb_.CreateString(g_.name()));
    std::vector<flatbuffers::Offset<fb::SubGraph>> sgs{sg};
    auto model = fb::CreateModel(fbb_, 3, fbb_.CreateVector(codes), fbb_.CreateVector(sgs),
                                 fbb_.CreateString("nnc tflite writer"), fbb_.CreateVector(buffers_));
    fbb_.Finish(model, fb::ModelIdentifier());
    return std::string(reinterpret_cast<const char*>(fbb_.GetBufferPointer()), fbb_.GetSize());
  }

 private:
  void plan(const std::vector<Node*>& order) {
    for (Node* n : order) {
      const std::string& op = n->op_type();
      if (op != "Conv" && op != "MaxPool" && op != "AveragePool") continue;
      Node* in_t = n->input(0) ? n->input(0)->producer() : nullptr;
      if (!is_transpose(in_t, kToNchw)) continue;
      LayoutPlan p;
      p.nhwc_in = in_t->input(0);
      Value* v = n->output(0);
      if (v->uses().size() == 1 && !g_.is_graph_output(v)) {
        Node* u = v->uses()[0].node;
        fb::ActivationFunctionType a = activation_of(u);
        if (a != fb::ActivationFunctionType::NONE) {
          p.act = u, p.act_type = a;
          v = u->output(0);
        }
      }
      if (g_.is_graph_output(v) || v->uses().empty()) continue;
      bool all_back = true;
      for (const Use& u : v->uses()) all_back = all_back && is_transpose(u.node, kToNhwc);
      if (!all_back) continue;
      for (const Use& u : v->uses()) p.back.push_back(u.node);
      plans_[n] = p;
      if (p.act) skipped_.insert(p.act);
      for (Node* b : p.back) skipped_.insert(b);
    }
    for (Node* n : order) {  // forward Transposes used only by planned ops disappear
      if (!is_transpose(n, kToNchw) || g_.is_graph_output(n->output(0))) continue;
      bool all = !n->output(0)->uses().empty();
      for (const Use& u : n->output(0)->uses()) all = all && plans_.count(u.node);
      if (all) skipped_.insert(n);
    }
  }

  fb::ActivationFunctionType activation_of(const Node* u) const {
    if (u->op_type() == "Relu") return fb::ActivationFunctionType::RELU;
    if (u->op_type() == "Tanh") return fb::ActivationFunctionType::TANH;
    if (u->op_type() == "Clip") {
      auto bound = [&](size_t k) -> std::optional<float> {
        const Value* b = u->input(k);
        if (!b || !b->constant() || b->constant()->dtype() != DType::kF32 || b->constant()->element_count() != 1) return std::nullopt;
        return b->constant()->data<float>()[0];
      };
      auto lo = bound(1), hi = bound(2);
      if (lo && hi && *lo == 0.0f && *hi == 6.0f) return fb::ActivationFunctionType::RELU6;
      if (lo && hi && *lo == -1.0f && *hi == 1.0f) return fb::ActivationFunctionType::RELU_N1_TO_1;
    }
    return fb::ActivationFunctionType::NONE;
  }

  uint32_t opcode(BO c) {
    auto it = std::find(code_list_.begin(), code_list_.end(), c);
    if (it != code_list_.end()) return static_cast<uint32_t>(it - code_list_.begin());
    code_list_.push_back(c);
    return static_cast<uint32_t>(code_list_.size() - 1);
  }

  uint32_t add_buffer(const void* data, size_t bytes) {
    if (buffers_.empty()) buffers_.push_back(fb::CreateBuffer(fbb_));  // buffer 0: the empty buffer
    fbb_.ForceVectorAlignment(bytes, 1, 16);
    auto vec = fbb_.CreateVector(static_cast<const uint8_t*>(data), bytes);
    buffers_.push_back(fb::CreateBuffer(fbb_, vec));
    return static_cast<uint32_t>(buffers_.size() - 1);
  }

  int32_t new_tensor(const std::string& name, const std::vector<int64_t>& dims, fb::TensorType type, uint32_t buffer) {
    if (buffers_.empty()) buffers_.push_back(fb::CreateBuffer(fbb_));
    std::vector<int32_t> d(dims.begin(), dims.end());
    tensors_.push_back(fb::CreateTensor(fbb_, fbb_.CreateVector(d), type, buffer, fbb_.CreateString(name)));
    return static_cast<int32_t>(tensors_.size() - 1);
  }

  int32_t const_tensor(const std::string& name, const Tensor& t) {
    const fb::TensorType type = t.dtype() == DType::kI32 ? fb::TensorType::INT32
                                : t.dtype() == DType::kI64 ? fb::TensorType::INT64 : fb::TensorType::FLOAT32;
    return new_tensor(name, t.shape(), type, add_buffer(t.raw_data(), t.storage_bytes()));
  }

  int32_t const_i32(const std::string& name, const std::vector<int64_t>& v) {
    std::vector<int32_t> w(v.begin(), v.end());
    return const_tensor(name, Tensor::from_vector<int32_t>(w, {static_cast<int64_t>(w.size())}));
  }

  /// Concrete shapes of every value: one reference run of a copy whose outputs are all node results
  /// (dynamic input dims taken as 1), since imported graphs leave many intermediate shapes unknown.
  Status probe_shapes() {
    Graph probe = g_.clone();
    std::vector<Value*> outs;
    for (Node* n : probe.nodes()) {
      for (Value* v : n->outputs()) if (v) outs.push_back(v);
    }
    probe.set_outputs(outs);
    std::map<std::string, Tensor> inputs;
    for (Value* v : probe.inputs()) {
      std::vector<int64_t> dims;
      if (!v->shape().has_rank()) return make_error(ErrorCode::kUnsupported, "input '" + v->name() + "' has no known rank");
      for (const Dim& d : v->shape().dims()) dims.push_back(d.is_static() ? d.size() : 1);
      inputs[v->name()] = Tensor(v->dtype(), dims);
    }
    NNC_ASSIGN_OR_RETURN(auto exec, ReferenceExecutor::create(probe));
    NNC_ASSIGN_OR_RETURN(auto results, exec->run(inputs));
    for (auto& [name, t] : results) shapes_[name] = t.shape();
    for (auto& [name, t] : inputs) shapes_[name] = t.shape();
    return Status::ok();
  }

  Expected<std::vector<int64_t>> static_dims(const Value* v) const {
    if (auto it = shapes_.find(v->name()); it != shapes_.end()) return it->second;
    if (!v->shape().has_rank()) return make_error(ErrorCode::kUnsupported, "value '" + v->name() + "' has no known shape");
    std::vector<int64_t> d;
    for (const Dim& x : v->shape().dims()) {
      if (!x.is_static()) return make_error(ErrorCode::kUnsupported, "value '" + v->name() + "' has a dynamic shape " + v->shape().str());
      d.push_back(x.size());
    }
    return d;
  }

  /// The TFLite tensor holding `v` (created on first use: graph inputs, constants, op results).
  Expected<int32_t> tensor(Value* v) {
    if (auto it = tensor_of_.find(v); it != tensor_of_.end()) return it->second;
    if (std::optional<Tensor> c = float_constant(v)) {
      const int32_t t = const_tensor(v->name(), *c);
      tensor_of_[v] = t;
      return t;
    }
    if (const Tensor* c = v->constant(); c && (c->dtype() == DType::kI32 || c->dtype() == DType::kI64)) {
      const int32_t t = const_tensor(v->name(), *c);
      tensor_of_[v] = t;
      return t;
    }
    if (v->dtype() != DType::kF32 && v->dtype() != DType::kI32 && v->dtype() != DType::kI64) {
      return make_error(ErrorCode::kUnsupported, std::string("value '") + v->name() + "' is " + dtype_name(v->dtype()) +
                                                     " (the writer emits float32 graphs)");
    }
    if (v->producer() == nullptr && !g_.is_graph_input(v)) {
      return make_error(ErrorCode::kUnsupported, "value '" + v->name() + "' is neither an input, a constant nor computed");
    }
    NNC_ASSIGN_OR_RETURN(std::vector<int64_t> d, static_dims(v));
    const fb::TensorType type = v->dtype() == DType::kI32 ? fb::TensorType::INT32
                                : v->dtype() == DType::kI64 ? fb::TensorType::INT64 : fb::TensorType::FLOAT32;
    const int32_t t = new_tensor(v->name(), d, type, 0);
    tensor_of_[v] = t;
    return t;
  }

  void add_op(BO code, const std::vector<int32_t>& ins, const std::vector<int32_t>& outs, fb::BuiltinOptions type = fb::BuiltinOptions::NONE,
              flatbuffers::Offset<void> options = 0) {
    ops_.push_back(fb::CreateOperator(fbb_, opcode(code), fbb_.CreateVector(ins), fbb_.CreateVector(outs), type, options));
  }

  Status simple(Node* n, BO code, size_t n_inputs, fb::BuiltinOptions type = fb::BuiltinOptions::NONE,
                flatbuffers::Offset<void> options = 0) {
    std::vector<int32_t> ins;
    for (size_t k = 0; k < n_inputs; ++k) {
      if (!n->input(k)) return make_error(ErrorCode::kUnsupported, "missing input " + std::to_string(k));
      NNC_ASSIGN_OR_RETURN(int32_t t, tensor(n->input(k)));
      ins.push_back(t);
    }
    NNC_ASSIGN_OR_RETURN(int32_t out, tensor(n->output(0)));
    add_op(code, ins, {out}, type, options);
    return Status::ok();
  }

  Expected<fb::Padding> window_padding(Node* n, const std::vector<int64_t>& in_nhwc, int64_t kh, int64_t kw,
                                       const std::vector<int64_t>& strides, const std::vector<int64_t>& dil) {
    std::vector<int64_t> pads = n->ints_attribute("pads");
    const std::string auto_pad = n->string_attribute("auto_pad", "NOTSET");
    if (auto_pad == "SAME_UPPER") return fb::Padding::SAME;
    if (auto_pad == "VALID" || pads.empty() || std::all_of(pads.begin(), pads.end(), [](int64_t p) { return p == 0; })) {
      if (auto_pad == "SAME_LOWER") return make_error(ErrorCode::kUnsupported, "auto_pad SAME_LOWER");
      return fb::Padding::VALID;
    }
    auto [t, b] = tf_same_pads(in_nhwc[1], kh, strides[0], dil[0]);
    auto [l, r] = tf_same_pads(in_nhwc[2], kw, strides[1], dil[1]);
    if (pads == std::vector<int64_t>{t, l, b, r}) return fb::Padding::SAME;
    return make_error(ErrorCode::kUnsupported, "pads " + Shape::of(pads).str() + " are neither TF SAME nor VALID");
  }

  Status emit_layout_op(Node* n, const LayoutPlan& p) {
    NNC_ASSIGN_OR_RETURN(std::vector<int64_t> in_dims, static_dims(p.nhwc_in));
    NNC_ASSIGN_OR_RETURN(int32_t in, tensor(p.nhwc_in));
    Value* out_v = p.back[0]->output(0);
    NNC_ASSIGN_OR_RETURN(int32_t out, tensor(out_v));
    for (size_t i = 1; i < p.back.size(); ++i) tensor_of_[p.back[i]->output(0)] = out;
    std::vector<int64_t> strides = n->ints_attribute("strides"), dil = n->ints_attribute("dilations");
    if (strides.empty()) strides = {1, 1};
    if (dil.empty()) dil = {1, 1};
    if (strides.size() != 2 || dil.size() != 2) return make_error(ErrorCode::kUnsupported, "only 2-D windows");
    if (n->op_type() == "Conv") {
      std::optional<Tensor> w = n->input(1) ? float_constant(n->input(1)) : std::nullopt;
      if (!w || w->rank() != 4) return make_error(ErrorCode::kUnsupported, "Conv weights must be a rank-4 constant");
      const int64_t group = n->int_attribute("group", 1);
      const int64_t o = w->shape()[0], kh = w->shape()[2], kw = w->shape()[3];
      NNC_ASSIGN_OR_RETURN(fb::Padding pad, window_padding(n, in_dims, kh, kw, strides, dil));
      std::vector<int32_t> ins{in};
      const bool depthwise = group > 1 && group == in_dims[3] && w->shape()[1] == 1;
      if (group != 1 && !depthwise) return make_error(ErrorCode::kUnsupported, "grouped Conv (group " + std::to_string(group) + ")");
      ins.push_back(const_tensor(n->input(1)->name() + (depthwise ? "/ihwo" : "/ohwi"),
                                 permute(*w, depthwise ? std::vector<int64_t>{1, 2, 3, 0} : std::vector<int64_t>{0, 2, 3, 1})));
      if (n->input(2)) {
        std::optional<Tensor> b = float_constant(n->input(2));
        if (!b) return make_error(ErrorCode::kUnsupported, "Conv bias must be a constant");
        ins.push_back(const_tensor(n->input(2)->name(), *b));
      } else {
        ins.push_back(const_tensor(n->name() + "/zero_bias", Tensor(DType::kF32, {o})));
      }
      if (depthwise) {
        auto opt = fb::CreateDepthwiseConv2DOptions(fbb_, pad, static_cast<int32_t>(strides[1]), static_cast<int32_t>(strides[0]),
                                                    static_cast<int32_t>(o / group), p.act_type, static_cast<int32_t>(dil[1]),
                                                    static_cast<int32_t>(dil[0]));
        add_op(BO::DEPTHWISE_CONV_2D, ins, {out}, fb::BuiltinOptions::DepthwiseConv2DOptions, opt.Union());
      } else {
        auto opt = fb::CreateConv2DOptions(fbb_, pad, static_cast<int32_t>(strides[1]), static_cast<int32_t>(strides[0]),
                                           p.act_type, static_cast<int32_t>(dil[1]), static_cast<int32_t>(dil[0]));
        add_op(BO::CONV_2D, ins, {out}, fb::BuiltinOptions::Conv2DOptions, opt.Union());
      }
      return Status::ok();
    }
    std::vector<int64_t> k = n->ints_attribute("kernel_shape");
    if (k.size() != 2) return make_error(ErrorCode::kUnsupported, "only 2-D pooling");
    if (dil != std::vector<int64_t>{1, 1}) return make_error(ErrorCode::kUnsupported, "dilated pooling");
    if (n->int_attribute("ceil_mode", 0) != 0) return make_error(ErrorCode::kUnsupported, "ceil_mode");
    if (n->op_type() == "AveragePool" && n->int_attribute("count_include_pad", 0) != 0) {
      return make_error(ErrorCode::kUnsupported, "count_include_pad=1 (TFLite averages over real pixels)");
    }
    NNC_ASSIGN_OR_RETURN(fb::Padding pad, window_padding(n, in_dims, k[0], k[1], strides, dil));
    auto opt = fb::CreatePool2DOptions(fbb_, pad, static_cast<int32_t>(strides[1]), static_cast<int32_t>(strides[0]),
                                       static_cast<int32_t>(k[1]), static_cast<int32_t>(k[0]), p.act_type);
    add_op(n->op_type() == "MaxPool" ? BO::MAX_POOL_2D : BO::AVERAGE_POOL_2D, {in}, {out}, fb::BuiltinOptions::Pool2DOptions,
           opt.Union());
    return Status::ok();
  }

  Status emit(Node* n) {
    if (auto it = plans_.find(n); it != plans_.end()) return emit_layout_op(n, it->second);
    const std::string& op = n->op_type();
    if (!n->domain().empty()) return make_error(ErrorCode::kUnsupported, "domain '" + n->domain() + "'");
    if (float_constant(n->output(0))) return Status::ok();  // DequantizeLinear of a constant: folded
    if (op == "Identity") {
      NNC_ASSIGN_OR_RETURN(int32_t t, tensor(n->input(0)));
      if (g_.is_graph_output(n->output(0)) && (g_.is_graph_input(n->input(0)) || g_.is_graph_output(n->input(0)))) {
        return make_error(ErrorCode::kUnsupported, "an output that is an input");
      }
      tensor_of_[n->output(0)] = t;
      return Status::ok();
    }
    if (op == "Add") return simple(n, BO::ADD, 2, fb::BuiltinOptions::AddOptions, fb::CreateAddOptions(fbb_).Union());
    if (op == "Sub") return simple(n, BO::SUB, 2, fb::BuiltinOptions::SubOptions, fb::CreateSubOptions(fbb_).Union());
    if (op == "Mul") return simple(n, BO::MUL, 2, fb::BuiltinOptions::MulOptions, fb::CreateMulOptions(fbb_).Union());
    if (op == "Div") return simple(n, BO::DIV, 2, fb::BuiltinOptions::DivOptions, fb::CreateDivOptions(fbb_).Union());
    if (op == "Max" && n->inputs().size() == 2) return simple(n, BO::MAXIMUM, 2);
    if (op == "Min" && n->inputs().size() == 2) return simple(n, BO::MINIMUM, 2);
    if (op == "Relu") return simple(n, BO::RELU, 1);
    if (op == "Sigmoid") return simple(n, BO::LOGISTIC, 1);
    if (op == "Tanh") return simple(n, BO::TANH, 1);
    if (op == "Exp") return simple(n, BO::EXP, 1);
    if (op == "HardSwish") return simple(n, BO::HARD_SWISH, 1);
    if (op == "Clip") {
      const fb::ActivationFunctionType a = activation_of(n);
      if (a == fb::ActivationFunctionType::RELU6) return simple(n, BO::RELU6, 1);
      if (a == fb::ActivationFunctionType::RELU_N1_TO_1) return simple(n, BO::RELU_N1_TO_1, 1);
      return make_error(ErrorCode::kUnsupported, "Clip bounds other than [0, 6] and [-1, 1]");
    }
    if (op == "LeakyRelu") {
      auto opt = fb::CreateLeakyReluOptions(fbb_, static_cast<float>(n->float_attribute("alpha", 0.01)));
      return simple(n, BO::LEAKY_RELU, 1, fb::BuiltinOptions::LeakyReluOptions, opt.Union());
    }
    if (op == "Softmax" || op == "LogSoftmax") {
      const int64_t rank = n->input(0)->shape().has_rank() ? static_cast<int64_t>(n->input(0)->shape().rank()) : -1;
      const int64_t axis = n->int_attribute("axis", -1);
      if (!(axis == -1 || axis == rank - 1)) return make_error(ErrorCode::kUnsupported, "softmax on an axis other than the last");
      if (op == "LogSoftmax") return simple(n, BO::LOG_SOFTMAX, 1);
      return simple(n, BO::SOFTMAX, 1, fb::BuiltinOptions::SoftmaxOptions, fb::CreateSoftmaxOptions(fbb_, 1.0f).Union());
    }
    if (op == "Gemm" || op == "MatMul") return emit_dense(n);
    if (op == "Reshape" || op == "Squeeze" || op == "Unsqueeze" || op == "Flatten") {
      NNC_ASSIGN_OR_RETURN(std::vector<int64_t> od, static_dims(n->output(0)));
      NNC_ASSIGN_OR_RETURN(int32_t in, tensor(n->input(0)));
      NNC_ASSIGN_OR_RETURN(int32_t out, tensor(n->output(0)));
      const int32_t shape = const_i32(n->output(0)->name() + "/shape", od);
      std::vector<int32_t> ns(od.begin(), od.end());
      add_op(BO::RESHAPE, {in, shape}, {out}, fb::BuiltinOptions::ReshapeOptions,
             fb::CreateReshapeOptions(fbb_, fbb_.CreateVector(ns)).Union());
      return Status::ok();
    }
    if (op == "Transpose") {
      NNC_ASSIGN_OR_RETURN(int32_t in, tensor(n->input(0)));
      NNC_ASSIGN_OR_RETURN(int32_t out, tensor(n->output(0)));
      add_op(BO::TRANSPOSE, {in, const_i32(n->output(0)->name() + "/perm", n->ints_attribute("perm"))}, {out});
      return Status::ok();
    }
    if (op == "Concat") {
      std::vector<int32_t> ins;
      for (Value* v : n->inputs()) {
        NNC_ASSIGN_OR_RETURN(int32_t t, tensor(v));
        ins.push_back(t);
      }
      NNC_ASSIGN_OR_RETURN(int32_t out, tensor(n->output(0)));
      add_op(BO::CONCATENATION, ins, {out}, fb::BuiltinOptions::ConcatenationOptions,
             fb::CreateConcatenationOptions(fbb_, static_cast<int32_t>(n->int_attribute("axis", 0))).Union());
      return Status::ok();
    }
    if (op == "Pad") {
      if (n->string_attribute("mode", "constant") != "constant") return make_error(ErrorCode::kUnsupported, "non-constant Pad mode");
      const Value* pv = n->input(1);
      if (!pv || !pv->constant() || pv->constant()->dtype() != DType::kI64) return make_error(ErrorCode::kUnsupported, "Pad pads must be an int64 constant");
      if (n->input(2)) {
        std::optional<Tensor> cv = float_constant(n->input(2));
        if (!cv || cv->data<float>()[0] != 0.0f) return make_error(ErrorCode::kUnsupported, "Pad with a non-zero value");
      }
      if (n->input(3)) return make_error(ErrorCode::kUnsupported, "Pad with axes");
      auto pads = pv->constant()->data<int64_t>();
      const size_t r = pads.size() / 2;
      std::vector<int32_t> tp;
      for (size_t i = 0; i < r; ++i) tp.push_back(static_cast<int32_t>(pads[i])), tp.push_back(static_cast<int32_t>(pads[r + i]));
      NNC_ASSIGN_OR_RETURN(int32_t in, tensor(n->input(0)));
      NNC_ASSIGN_OR_RETURN(int32_t out, tensor(n->output(0)));
      const int32_t pt = const_tensor(n->output(0)->name() + "/paddings", Tensor::from_vector<int32_t>(tp, {static_cast<int64_t>(r), 2}));
      add_op(BO::PAD, {in, pt}, {out});
      return Status::ok();
    }
    if (op == "ReduceMean" || op == "ReduceSum" || op == "ReduceMax") {
      std::vector<int64_t> axes = n->ints_attribute("axes");
      if (n->input(1)) {
        const Tensor* c = n->input(1)->constant();
        if (!c || c->dtype() != DType::kI64) return make_error(ErrorCode::kUnsupported, "reduce axes must be a constant");
        axes.assign(c->data<int64_t>().begin(), c->data<int64_t>().end());
      }
      if (axes.empty()) return make_error(ErrorCode::kUnsupported, "reduction over all axes without an axes list");
      NNC_ASSIGN_OR_RETURN(int32_t in, tensor(n->input(0)));
      NNC_ASSIGN_OR_RETURN(int32_t out, tensor(n->output(0)));
      const BO code = op == "ReduceMean" ? BO::MEAN : op == "ReduceSum" ? BO::SUM : BO::REDUCE_MAX;
      add_op(code, {in, const_i32(n->output(0)->name() + "/axes", axes)}, {out}, fb::BuiltinOptions::ReducerOptions,
             fb::CreateReducerOptions(fbb_, n->int_attribute("keepdims", 1) != 0).Union());
      return Status::ok();
    }
    if (op == "QuantizeLinear" || op == "DequantizeLinear") {
      return make_error(ErrorCode::kUnsupported, "quantized activations (the writer emits float32 graphs)");
    }
    return make_error(ErrorCode::kUnsupported, "no TFLite form for " + op);
  }

  Status emit_dense(Node* n) {
    std::optional<Tensor> w = n->input(1) ? float_constant(n->input(1)) : std::nullopt;
    if (!w || w->rank() != 2) return make_error(ErrorCode::kUnsupported, "weights must be a rank-2 constant");
    const bool gemm = n->op_type() == "Gemm";
    if (gemm && (n->int_attribute("transA", 0) != 0 || n->float_attribute("alpha", 1.0) != 1.0 || n->float_attribute("beta", 1.0) != 1.0)) {
      return make_error(ErrorCode::kUnsupported, "Gemm with transA or alpha/beta != 1");
    }
    const bool trans_b = gemm && n->int_attribute("transB", 0) != 0;
    Tensor wt = trans_b ? *w : permute(*w, {1, 0});  // TFLite wants [units, inputs]
    NNC_ASSIGN_OR_RETURN(std::vector<int64_t> in_dims, static_dims(n->input(0)));
    if (in_dims.size() != 2 && gemm) return make_error(ErrorCode::kUnsupported, "Gemm input of rank != 2");
    NNC_ASSIGN_OR_RETURN(int32_t in, tensor(n->input(0)));
    NNC_ASSIGN_OR_RETURN(int32_t out, tensor(n->output(0)));
    std::vector<int32_t> ins{in, const_tensor(n->input(1)->name() + "/weights", wt)};
    if (gemm && n->input(2)) {
      std::optional<Tensor> b = float_constant(n->input(2));
      if (!b || b->element_count() != wt.shape()[0]) return make_error(ErrorCode::kUnsupported, "Gemm bias must be a constant [units]");
      ins.push_back(const_tensor(n->input(2)->name(), b->reshaped({wt.shape()[0]}).value()));
    } else {
      ins.push_back(-1);
    }
    auto opt = fb::CreateFullyConnectedOptions(fbb_, fb::ActivationFunctionType::NONE, fb::FullyConnectedOptionsWeightsFormat::DEFAULT,
                                               in_dims.size() != 2);
    add_op(BO::FULLY_CONNECTED, ins, {out}, fb::BuiltinOptions::FullyConnectedOptions, opt.Union());
    return Status::ok();
  }

  const Graph& g_;
  flatbuffers::FlatBufferBuilder fbb_{1 << 16};
  std::vector<flatbuffers::Offset<fb::Tensor>> tensors_;
  std::vector<flatbuffers::Offset<fb::Buffer>> buffers_;
  std::vector<flatbuffers::Offset<fb::Operator>> ops_;
  std::vector<BO> code_list_;
  std::map<const Value*, int32_t> tensor_of_;
  std::map<Node*, LayoutPlan> plans_;
  std::set<Node*> skipped_;
  std::map<std::string, std::vector<int64_t>> shapes_;
};

}  // namespace

Expected<std::string> tflite_bytes(const Graph& graph) {
  try {
    return Writer(graph).run();
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal, std::string("TFLite writer failed: ") + e.what());
  }
}

Status write_tflite(const Graph& graph, const std::filesystem::path& path) {
  Expected<std::string> bytes = tflite_bytes(graph);
  if (!bytes) return bytes.error().with_location(Location{path.string()});
  return write_file_atomically(path, *bytes);
}

}  // namespace nnc::tflite_frontend
