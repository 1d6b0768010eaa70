// nnc frontend_tflite: ImportContext: tensors to IR values, QuantizeLinear/DequantizeLinear around quantized tensors.
#include "tflite_import_context.h"

#include <cmath>
#include <cstring>
#include <limits>

namespace nnc::tflite_frontend {
namespace {

float half_to_float(uint16_t h) {
  const uint32_t sign = (h & 0x8000u) << 16, exp = (h >> 10) & 0x1f, mant = h & 0x3ffu;
  uint32_t bits;
  if (exp == 0) {
    if (mant == 0) {
      bits = sign;
    } else {  // subnormal
      float f = std::ldexp(static_cast<float>(mant), -24);
      std::memcpy(&bits, &f, 4);
      bits |= sign;
    }
  } else if (exp == 31) {
    bits = sign | 0x7f800000u | (mant << 13);
  } else {
    bits = sign | ((exp + 112) << 23) | (mant << 13);
  }
  float out;
  std::memcpy(&out, &bits, 4);
  return out;
}

Shape shape_from(const fb::Tensor& t) {
  std::vector<Dim> dims;
  if (!t.shape()) return Shape();
  for (uint32_t i = 0; i < t.shape()->size(); ++i) {
    const bool dynamic = t.shape_signature() && i < t.shape_signature()->size() && t.shape_signature()->Get(i) < 0;
    dims.push_back(dynamic ? Dim() : Dim(t.shape()->Get(i)));
  }
  return Shape(std::move(dims));
}

}  // namespace

std::optional<DType> dtype_of_tflite(fb::TensorType type) noexcept {
  switch (type) {
    case fb::TensorType::FLOAT32: return DType::kF32;
    case fb::TensorType::FLOAT16: return DType::kF16;
    case fb::TensorType::FLOAT64: return DType::kF64;
    case fb::TensorType::INT32: return DType::kI32;
    case fb::TensorType::UINT8: return DType::kU8;
    case fb::TensorType::INT64: return DType::kI64;
    case fb::TensorType::BOOL: return DType::kBool;
    case fb::TensorType::INT16: return DType::kI16;
    case fb::TensorType::INT8: return DType::kI8;
    case fb::TensorType::UINT16: return DType::kU16;
    case fb::TensorType::UINT32: return DType::kU32;
    case fb::TensorType::UINT64: return DType::kU64;
    default: return std::nullopt;
  }
}

ImportContext::ImportContext(const TfliteModel& model, Graph& graph, DiagnosticSink* diag)
    : model_(model), graph_(graph), diag_(diag) {}

void ImportContext::begin_operator(uint32_t index) {
  op_index_ = index;
  op_ = model_.subgraph().operators()->Get(index);
}

std::string ImportContext::op_label() const {
  if (!op_) return "subgraph 0";
  std::string s = "operator " + std::to_string(op_index_) + " (" + model_.op_name(op_->opcode_index()) + ")";
  if (op_->outputs() && op_->outputs()->size() > 0) s += " -> '" + model_.tensor_name(op_->outputs()->Get(0)) + "'";
  return s;
}

Location ImportContext::at() const { return Location{model_.file(), 0, 0, op_label()}; }

Status ImportContext::error(ErrorCode code, const std::string& message, const std::string& hint) const {
  return make_error(code, message, at(), hint);
}

Status ImportContext::unsupported(const std::string& what, const std::string& hint) const {
  return error(ErrorCode::kUnsupported, what + " is not supported",
               hint.empty() ? "crop this operator off the model or convert it without this feature" : hint);
}

void ImportContext::warn(const std::string& message) const {
  if (diag_) diag_->warning(message, at());
}

void ImportContext::verbose(const std::string& message) const {
  if (diag_) diag_->log(LogLevel::kVerbose, model_.file() + ": " + message);
}

size_t ImportContext::input_count() const { return op_->inputs() ? op_->inputs()->size() : 0; }

bool ImportContext::has_input(size_t k) const { return k < input_count() && op_->inputs()->Get(static_cast<uint32_t>(k)) >= 0; }

int32_t ImportContext::input_tensor(size_t k) const {
  return has_input(k) ? op_->inputs()->Get(static_cast<uint32_t>(k)) : -1;
}

int32_t ImportContext::output_tensor(size_t k) const {
  return op_->outputs() && k < op_->outputs()->size() ? op_->outputs()->Get(static_cast<uint32_t>(k)) : -1;
}

const fb::Tensor& ImportContext::tensor(int32_t index) const {
  return *model_.subgraph().tensors()->Get(static_cast<uint32_t>(index));
}

std::optional<std::vector<int64_t>> ImportContext::static_dims(int32_t t) const {
  const fb::Tensor& ten = tensor(t);
  if (ten.shape_signature()) {
    for (int32_t d : *ten.shape_signature()) if (d < 0) return std::nullopt;
  }
  return model_.tensor_dims(t);
}

std::optional<QuantInfo> ImportContext::quant(int32_t t) const {
  const fb::Tensor& ten = tensor(t);
  const auto* q = ten.quantization();
  if (!q || !q->scale() || q->scale()->size() == 0) return std::nullopt;
  switch (ten.type()) {
    case fb::TensorType::INT8: case fb::TensorType::UINT8: case fb::TensorType::INT16:
    case fb::TensorType::INT32: case fb::TensorType::INT64: break;
    default: return std::nullopt;  // a float tensor with leftover min/max/scale: not quantized
  }
  QuantInfo info;
  info.scales.assign(q->scale()->begin(), q->scale()->end());
  if (q->zero_point() && q->zero_point()->size() > 0) info.zero_points.assign(q->zero_point()->begin(), q->zero_point()->end());
  else info.zero_points.assign(info.scales.size(), 0);
  info.axis = q->quantized_dimension();
  if (info.per_axis() && ten.shape() && ten.shape()->size() == 1) info.axis = 0;  // TOCO depthwise-bias quirk
  return info;
}

Expected<Tensor> ImportContext::constant_tensor(int32_t t) const {
  const fb::Tensor& ten = tensor(t);
  const std::string name = model_.tensor_name(t);
  std::optional<DType> dt = dtype_of_tflite(ten.type());
  if (!dt) {
    return make_error(ErrorCode::kUnsupported,
                      "tensor '" + name + "' has type " + fb::EnumNameTensorType(ten.type()) + ", which nnc does not read",
                      at(), "convert the model with float32 or int8/int16 tensors");
  }
  const auto bytes = model_.buffer_bytes(ten.buffer());
  std::vector<int64_t> dims = model_.tensor_dims(t);
  if (*dt == DType::kF16) {  // fp16 weights (float16 quantization): widened to f32 at import, exactly
    Tensor out(DType::kF32, dims);
    auto dst = out.mutable_data<float>();
    for (size_t i = 0; i < dst.size(); ++i) {
      uint16_t h;
      std::memcpy(&h, bytes.data() + 2 * i, 2);
      dst[i] = half_to_float(h);
    }
    return out;
  }
  return Tensor(*dt, dims, Buffer::copy_of(bytes));  // sizes were validated at load
}

Expected<Value*> ImportContext::stored_value(int32_t t) {
  if (auto it = stored_.find(t); it != stored_.end()) return it->second;
  const fb::Tensor& ten = tensor(t);
  const std::string name = model_.tensor_name(t);
  if (!model_.buffer_bytes(ten.buffer()).empty()) {
    NNC_ASSIGN_OR_RETURN(Tensor c, constant_tensor(t));
    Value* v = graph_.add_constant(name, std::move(c));
    stored_[t] = v;
    return v;
  }
  if (ten.is_variable()) {  // state tensors (LSTM h/c) start at zero in TFLite
    std::optional<DType> dt = dtype_of_tflite(ten.type());
    if (!dt) return error(ErrorCode::kUnsupported, "variable tensor '" + name + "' has an unsupported type");
    std::optional<std::vector<int64_t>> dims = static_dims(t);
    if (!dims) return error(ErrorCode::kUnsupported, "variable tensor '" + name + "' has a dynamic shape");
    Value* v = graph_.add_constant(name, Tensor(*dt == DType::kF16 ? DType::kF32 : *dt, *dims));
    stored_[t] = v;
    return v;
  }
  return error(ErrorCode::kParseError,
               "reads tensor '" + name + "' (" + std::to_string(t) +
                   "), which is neither a graph input, a constant nor the output of an earlier operator",
               "the model's operators are out of order or the file is damaged: re-export it");
}

Status ImportContext::dq_params(int32_t t, const QuantInfo& q, DType int_type, std::vector<Value*>& extra,
                                std::map<std::string, Attribute>& attrs) {
  const std::string base = model_.tensor_name(t);
  for (float s : q.scales) {
    if (!(s > 0.0f) || !std::isfinite(s)) {
      return error(ErrorCode::kParseError, "tensor '" + base + "' has quantization scale " + std::to_string(s) +
                                               " (must be finite and > 0)", "re-quantize the model");
    }
  }
  std::vector<int64_t> dims;
  if (q.per_axis()) dims = {static_cast<int64_t>(q.scales.size())};
  Tensor scale = Tensor::from_vector<float>(q.scales, dims);
  Tensor zp(int_type, dims);
  for (size_t i = 0; i < q.zero_points.size(); ++i) {
    const int64_t z = q.zero_points[i];
    switch (int_type) {
      case DType::kI8:
        if (z < -128 || z > 127) return error(ErrorCode::kParseError, "tensor '" + base + "': int8 zero point " + std::to_string(z) + " out of range");
        zp.mutable_data<int8_t>()[i] = static_cast<int8_t>(z);
        break;
      case DType::kU8:
        if (z < 0 || z > 255) return error(ErrorCode::kParseError, "tensor '" + base + "': uint8 zero point " + std::to_string(z) + " out of range");
        zp.mutable_data<uint8_t>()[i] = static_cast<uint8_t>(z);
        break;
      case DType::kI16:
        if (z < -32768 || z > 32767) return error(ErrorCode::kParseError, "tensor '" + base + "': int16 zero point " + std::to_string(z) + " out of range");
        zp.mutable_data<int16_t>()[i] = static_cast<int16_t>(z);
        break;
      case DType::kI32:
        if (z < INT32_MIN || z > INT32_MAX) return error(ErrorCode::kParseError, "tensor '" + base + "': int32 zero point out of range");
        zp.mutable_data<int32_t>()[i] = static_cast<int32_t>(z);
        break;
      default: return error(ErrorCode::kUnsupported, "tensor '" + base + "': quantized type " + dtype_name(int_type));
    }
  }
  extra.push_back(graph_.add_constant(base + "/scale", std::move(scale)));
  extra.push_back(graph_.add_constant(base + "/zero_point", std::move(zp)));
  if (q.per_axis()) attrs["axis"] = Attribute(int64_t{q.axis});
  return Status::ok();
}

Expected<Value*> ImportContext::float_view(int32_t t) {
  if (auto it = float_.find(t); it != float_.end()) return it->second;
  NNC_ASSIGN_OR_RETURN(Value * stored, stored_value(t));
  std::optional<QuantInfo> q = quant(t);
  if (!q) {
    float_[t] = stored;
    return stored;
  }
  const std::string name = model_.tensor_name(t);
  Value* src = stored;
  if (stored->dtype() == DType::kI64) {
    // 16x8 models carry int64 biases; ONNX DequantizeLinear reads int32 at most. Narrow when exact.
    const Tensor* c = stored->constant();
    if (!c) return error(ErrorCode::kUnsupported, "int64 quantized activation '" + name + "'");
    bool fits = true;
    for (int64_t x : c->data<int64_t>()) fits = fits && x >= INT32_MIN && x <= INT32_MAX;
    if (!fits || q->zero_points.size() != q->scales.size()) {
      // Values beyond int32: dequantize at import (float constant), saying so.
      Tensor f(DType::kF32, c->shape());
      auto d = f.mutable_data<float>();
      const auto src64 = c->data<int64_t>();
      for (size_t i = 0; i < d.size(); ++i) {
        size_t ch = 0;
        if (q->per_axis()) {
          int64_t stride = 1;
          for (size_t a = static_cast<size_t>(q->axis) + 1; a < c->shape().size(); ++a) stride *= c->shape()[a];
          ch = static_cast<size_t>((static_cast<int64_t>(i) / stride) % c->shape()[static_cast<size_t>(q->axis)]);
        }
        d[i] = static_cast<float>(static_cast<double>(src64[i] - q->zero_points[ch]) * q->scales[ch]);
      }
      warn("int64 quantized constant '" + name + "' exceeds int32; dequantized to float32 at import");
      Value* v = graph_.add_constant(name + "/dq", std::move(f));
      float_[t] = v;
      return v;
    }
    Tensor narrowed(DType::kI32, c->shape());
    auto d = narrowed.mutable_data<int32_t>();
    const auto s = c->data<int64_t>();
    for (size_t i = 0; i < d.size(); ++i) d[i] = static_cast<int32_t>(s[i]);
    src = graph_.add_constant(name + "/i32", std::move(narrowed));
  }
  std::vector<Value*> inputs{src};
  std::map<std::string, Attribute> attrs;
  NNC_RETURN_IF_ERROR(dq_params(t, *q, src->dtype(), inputs, attrs));
  Value* v = add("DequantizeLinear", inputs, name + "/dq", attrs, DType::kF32, stored->shape());
  float_[t] = v;
  return v;
}

Expected<Value*> ImportContext::input(size_t k) {
  if (!has_input(k)) return error(ErrorCode::kParseError, "input " + std::to_string(k) + " is missing", "re-export the model");
  return float_view(input_tensor(k));
}

bool ImportContext::is_constant_input(size_t k) const {
  return has_input(k) && !model_.buffer_bytes(tensor(input_tensor(k)).buffer()).empty();
}

Expected<Tensor> ImportContext::constant_input(size_t k) {
  if (!has_input(k)) return error(ErrorCode::kParseError, "input " + std::to_string(k) + " is missing", "re-export the model");
  if (!is_constant_input(k)) {
    return unsupported("a non-constant input " + std::to_string(k) + " ('" + model_.tensor_name(input_tensor(k)) + "')",
                       "this operator needs that input to be a constant in the file; re-convert with constant folding");
  }
  return constant_tensor(input_tensor(k));
}

Expected<std::vector<int64_t>> ImportContext::constant_ints(size_t k) {
  NNC_ASSIGN_OR_RETURN(Tensor c, constant_input(k));
  std::vector<int64_t> out;
  if (c.dtype() == DType::kI32) for (int32_t x : c.data<int32_t>()) out.push_back(x);
  else if (c.dtype() == DType::kI64) for (int64_t x : c.data<int64_t>()) out.push_back(x);
  else return error(ErrorCode::kParseError, "input " + std::to_string(k) + " must be int32 or int64, not " + dtype_name(c.dtype()));
  return out;
}

std::string ImportContext::out_name(size_t k) const {
  const int32_t t = output_tensor(k);
  const std::string name = model_.tensor_name(t);
  return quant(t) ? name + "/float" : name;
}

std::string ImportContext::tmp(const std::string& what) const {
  return model_.tensor_name(output_tensor(0)) + "/" + what;
}

Status ImportContext::set_output(size_t k, Value* v, bool fresh) {
  const int32_t t = output_tensor(k);
  if (t < 0) return error(ErrorCode::kParseError, "output " + std::to_string(k) + " is missing", "re-export the model");
  if (stored_.count(t)) {
    return error(ErrorCode::kParseError, "tensor '" + model_.tensor_name(t) + "' is written by more than one operator",
                 "the file is damaged: re-export it");
  }
  const fb::Tensor& ten = tensor(t);
  if (!model_.buffer_bytes(ten.buffer()).empty()) {
    return error(ErrorCode::kParseError, "writes tensor '" + model_.tensor_name(t) + "', which is a constant",
                 "the file is damaged: re-export it");
  }
  std::optional<DType> declared = dtype_of_tflite(ten.type());
  if (!declared) return unsupported("output type " + std::string(fb::EnumNameTensorType(ten.type())));
  const std::string name = model_.tensor_name(t);
  std::optional<QuantInfo> q = quant(t);
  if (q) {
    if (q->per_axis()) return unsupported("a per-axis quantized activation ('" + name + "')");
    std::vector<Value*> inputs{v};
    std::map<std::string, Attribute> attrs;
    NNC_RETURN_IF_ERROR(dq_params(t, *q, *declared, inputs, attrs));
    Value* stored = add("QuantizeLinear", inputs, name, attrs, *declared, shape_from(ten));
    stored_[t] = stored;
    return Status::ok();
  }
  if (fresh) {
    v->set_shape(shape_from(ten));
    if (v->dtype() == DType::kUndefined) v->set_dtype(*declared);
    stored_[t] = v;
    return Status::ok();
  }
  stored_[t] = v;
  return Status::ok();
}

Value* ImportContext::add(const std::string& op_type, const std::vector<Value*>& inputs, const std::string& name,
                          std::map<std::string, Attribute> attrs, DType dtype, Shape shape, const std::string& domain) {
  Node* n = graph_.add_node(op_type, inputs, {graph_.unique_value_name(name)}, graph_.unique_node_name(name), domain);
  for (auto& [k, a] : attrs) n->set_attribute(k, std::move(a));
  Value* out = n->output(0);
  out->set_dtype(dtype);
  out->set_shape(std::move(shape));
  return out;
}

Value* ImportContext::const_i64(const std::vector<int64_t>& values, const std::string& base, bool scalar) {
  std::vector<int64_t> dims;
  if (!scalar) dims = {static_cast<int64_t>(values.size())};
  return graph_.add_constant(graph_.unique_value_name(base), Tensor::from_vector<int64_t>(values, dims));
}

Value* ImportContext::const_f32(const std::vector<float>& values, std::vector<int64_t> dims, const std::string& base) {
  return graph_.add_constant(graph_.unique_value_name(base), Tensor::from_vector<float>(values, std::move(dims)));
}

Value* ImportContext::transpose(Value* v, const std::vector<int64_t>& perm, const std::string& name) {
  Shape s;
  if (v->shape().has_rank() && v->shape().rank() == perm.size()) {
    std::vector<Dim> d;
    for (int64_t p : perm) d.push_back(v->shape().dims()[static_cast<size_t>(p)]);
    s = Shape(std::move(d));
  }
  return add("Transpose", {v}, name, {{"perm", Attribute(perm)}}, v->dtype(), std::move(s));
}

Expected<Value*> ImportContext::activation(Value* v, fb::ActivationFunctionType act, const std::string& name) {
  auto clip = [&](float lo, float hi) {
    return add("Clip", {v, const_f32({lo}, {}, name + "/min"), const_f32({hi}, {}, name + "/max")}, name, {},
               v->dtype(), v->shape());
  };
  switch (act) {
    case fb::ActivationFunctionType::NONE: return v;
    case fb::ActivationFunctionType::RELU: return add("Relu", {v}, name, {}, v->dtype(), v->shape());
    case fb::ActivationFunctionType::RELU_N1_TO_1: return clip(-1.0f, 1.0f);
    case fb::ActivationFunctionType::RELU6: return clip(0.0f, 6.0f);
    case fb::ActivationFunctionType::TANH: return add("Tanh", {v}, name, {}, v->dtype(), v->shape());
    default:
      return unsupported("fused activation " + std::string(fb::EnumNameActivationFunctionType(act)));
  }
}

Status ImportContext::create_graph_inputs(const std::vector<std::vector<int64_t>>& input_dims) {
  const fb::SubGraph& sg = model_.subgraph();
  if (!sg.inputs()) return Status::ok();
  for (uint32_t i = 0; i < sg.inputs()->size(); ++i) {
    const int32_t t = sg.inputs()->Get(i);
    const fb::Tensor& ten = tensor(t);
    const std::string name = model_.tensor_name(t);
    std::optional<DType> dt = dtype_of_tflite(ten.type());
    if (!dt || *dt == DType::kF16) {
      return make_error(ErrorCode::kUnsupported,
                        "graph input '" + name + "' has type " + fb::EnumNameTensorType(ten.type()),
                        Location{model_.file(), 0, 0, "input '" + name + "'"}, "convert the model with float32 or int8 inputs");
    }
    if (stored_.count(t)) {
      return make_error(ErrorCode::kParseError, "tensor '" + name + "' is listed twice as a graph input",
                        Location{model_.file()}, "the file is damaged: re-export it");
    }
    Shape shape = i < input_dims.size() && !input_dims[i].empty() ? Shape::of(input_dims[i]) : shape_from(ten);
    Value* v = graph_.add_value(name, *dt, shape);
    graph_.add_input(v);
    stored_[t] = v;
  }
  return Status::ok();
}

Status ImportContext::create_graph_outputs() {
  const fb::SubGraph& sg = model_.subgraph();
  if (!sg.outputs()) return Status::ok();
  for (uint32_t i = 0; i < sg.outputs()->size(); ++i) {
    const int32_t t = sg.outputs()->Get(i);
    op_ = nullptr;
    NNC_ASSIGN_OR_RETURN(Value * v, stored_value(t));
    const std::string name = model_.tensor_name(t);
    if (v->name() != name || graph_.is_graph_input(v) || v->is_constant()) {
      // The output aliases another tensor (DEQUANTIZE of a float, a no-op reshape...): name it as declared.
      v = add("Identity", {v}, name, {}, v->dtype(), v->shape());
      stored_[t] = v;
    }
    graph_.add_output(v);
  }
  return Status::ok();
}

}  // namespace nnc::tflite_frontend
