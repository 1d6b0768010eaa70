// nnc frontend_tflite: loading and verifying .tflite bytes: flatbuffers Verifier, then every index and buffer size.
#include "tflite_model.h"

#include <fstream>
#include <limits>
#include <system_error>

namespace nnc::tflite_frontend {
namespace {

constexpr const char* kCorruptHint = "the file is damaged or not a TFLite model: re-export or re-download it";

Status corrupt(const std::string& file, const std::string& why, const std::string& object = {}) {
  return make_error(ErrorCode::kParseError, "not a valid TFLite model: " + why, Location{file, 0, 0, object},
                    kCorruptHint);
}

}  // namespace

size_t tflite_type_size(fb::TensorType type) noexcept {
  switch (type) {
    case fb::TensorType::FLOAT32: case fb::TensorType::INT32: case fb::TensorType::UINT32: return 4;
    case fb::TensorType::FLOAT16: case fb::TensorType::INT16: case fb::TensorType::UINT16: return 2;
    case fb::TensorType::UINT8: case fb::TensorType::INT8: case fb::TensorType::BOOL: return 1;
    case fb::TensorType::INT64: case fb::TensorType::FLOAT64: case fb::TensorType::UINT64: return 8;
    default: return 0;
  }
}

Expected<std::unique_ptr<TfliteModel>> TfliteModel::load_file(const std::filesystem::path& path) {
  const std::string file = path.string();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return make_error(ErrorCode::kNotFound, "model file not found", Location{file}, "check the path");
  }
  if (std::filesystem::is_directory(path, ec)) {
    return make_error(ErrorCode::kInvalidArgument, "is a directory, not a .tflite file", Location{file},
                      "give the .tflite file inside it");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::kIoError, "cannot open the model file", Location{file}, "check its permissions");
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return make_error(ErrorCode::kIoError, "read error", Location{file});
  return load_bytes(bytes, file);
}

Expected<std::unique_ptr<TfliteModel>> TfliteModel::load_bytes(std::string_view bytes, const std::string& name) {
  std::unique_ptr<TfliteModel> m(new TfliteModel());
  m->file_ = name;
  if (bytes.empty()) return corrupt(name, "the file is empty");
  if (bytes.size() < 8) return corrupt(name, "the file is " + std::to_string(bytes.size()) + " bytes, too short for a flatbuffer");
  if (bytes.size() >= static_cast<size_t>(FLATBUFFERS_MAX_BUFFER_SIZE)) {
    return make_error(ErrorCode::kUnsupported, "files of 2 GiB or more are not supported", Location{name});
  }
  m->storage_ = std::make_shared<std::vector<std::byte>>(bytes.size());
  std::memcpy(m->storage_->data(), bytes.data(), bytes.size());
  const auto* data = reinterpret_cast<const uint8_t*>(m->storage_->data());
  if (!flatbuffers::BufferHasIdentifier(data, fb::ModelIdentifier())) {
    std::string id(bytes.substr(4, 4));
    for (char& c : id) if (static_cast<unsigned char>(c) < 32 || static_cast<unsigned char>(c) > 126) c = '?';
    return corrupt(name, "the file identifier is '" + id + "', not 'TFL3'");
  }
  // The model proper may be followed by large buffers (Buffer.offset/size); the verifier sees it all.
  flatbuffers::Verifier::Options vopts;
  vopts.max_depth = 64;
  vopts.max_tables = 10'000'000;
  flatbuffers::Verifier verifier(data, bytes.size(), vopts);
  if (!fb::VerifyModelBuffer(verifier)) return corrupt(name, "the flatbuffers verifier rejected it (corrupt or truncated)");
  m->model_ = fb::GetModel(data);
  NNC_RETURN_IF_ERROR(m->validate());
  return m;
}

Status TfliteModel::validate() {
  const fb::Model& md = *model_;
  if (md.version() != 3) {
    return make_error(ErrorCode::kVersionMismatch,
                      "schema version " + std::to_string(md.version()) + " (nnc reads version 3)", Location{file_},
                      "convert the model with a current TensorFlow Lite converter");
  }
  if (!md.subgraphs() || md.subgraphs()->size() == 0) return corrupt(file_, "it has no subgraph");
  const uint32_t n_buffers = md.buffers() ? md.buffers()->size() : 0;
  const uint32_t n_codes = md.operator_codes() ? md.operator_codes()->size() : 0;
  const size_t file_size = storage_->size();
  for (uint32_t b = 0; b < n_buffers; ++b) {
    const fb::Buffer* buf = md.buffers()->Get(b);
    if (buf && buf->offset() > 1) {
      if (buf->offset() > file_size || buf->size() > file_size - buf->offset()) {
        return corrupt(file_, "buffer " + std::to_string(b) + " points past the end of the file (offset " +
                                  std::to_string(buf->offset()) + ", size " + std::to_string(buf->size()) + ")");
      }
    }
  }
  for (uint32_t s = 0; s < md.subgraphs()->size(); ++s) {
    const fb::SubGraph* sg = md.subgraphs()->Get(s);
    const std::string where = "subgraph " + std::to_string(s);
    if (!sg) return corrupt(file_, "subgraph " + std::to_string(s) + " is missing");
    const int64_t n_tensors = sg->tensors() ? sg->tensors()->size() : 0;
    auto check_index = [&](int32_t idx, bool optional, const std::string& what) -> Status {
      if (optional && idx == -1) return Status::ok();
      if (idx < 0 || idx >= n_tensors) {
        return corrupt(file_, what + " refers to tensor " + std::to_string(idx) + " but there are " +
                                  std::to_string(n_tensors) + " tensors", where);
      }
      return Status::ok();
    };
    for (int64_t t = 0; t < n_tensors; ++t) {
      const fb::Tensor* ten = sg->tensors()->Get(static_cast<uint32_t>(t));
      const std::string tobj = where + " tensor " + std::to_string(t);
      if (!ten) return corrupt(file_, "tensor is missing", tobj);
      if (ten->buffer() >= n_buffers && !(ten->buffer() == 0 && n_buffers == 0)) {
        return corrupt(file_, "buffer index " + std::to_string(ten->buffer()) + " out of range (" +
                                  std::to_string(n_buffers) + " buffers)", tobj);
      }
      int64_t count = 1;
      if (ten->shape()) {
        for (int32_t d : *ten->shape()) {
          if (d < 0) return corrupt(file_, "negative dim " + std::to_string(d) + " in its shape", tobj);
          if (d > 0 && count > std::numeric_limits<int64_t>::max() / 4 / d) return corrupt(file_, "shape too large", tobj);
          count *= d;
        }
      }
      if (ten->quantization()) {
        const auto* q = ten->quantization();
        const size_t ns = q->scale() ? q->scale()->size() : 0, nz = q->zero_point() ? q->zero_point()->size() : 0;
        if (ns > 0 && nz > 0 && ns != nz) {
          return corrupt(file_, std::to_string(ns) + " scales but " + std::to_string(nz) + " zero points", tobj);
        }
        if (ns > 1) {
          const int32_t qd = q->quantized_dimension();
          const int64_t rank = ten->shape() ? ten->shape()->size() : 0;
          // TOCO writes per-axis depthwise biases (rank 1) with the filter's quantized_dimension 3;
          // TFLite reads them along dim 0, and so does nnc (ImportContext::quant).
          const int32_t eff = rank == 1 ? 0 : qd;
          if (eff < 0 || eff >= rank || ten->shape()->Get(static_cast<uint32_t>(eff)) != static_cast<int32_t>(ns)) {
            return corrupt(file_, std::to_string(ns) + " per-axis scales do not match quantized_dimension " +
                                      std::to_string(qd) + " of its shape", tobj);
          }
        }
      }
      const auto bytes = buffer_bytes(ten->buffer());
      if (!bytes.empty()) {
        if (ten->type() == fb::TensorType::STRING) continue;  // variable-length: not read as a constant
        const size_t es = tflite_type_size(ten->type());
        if (es == 0) continue;  // reported by the importer when a node reads it
        if (static_cast<uint64_t>(count) * es != bytes.size()) {
          return corrupt(file_, "buffer " + std::to_string(ten->buffer()) + " holds " + std::to_string(bytes.size()) +
                                    " bytes but the tensor's shape needs " + std::to_string(count * es), tobj);
        }
      }
    }
    if (sg->inputs()) for (int32_t i : *sg->inputs()) NNC_RETURN_IF_ERROR(check_index(i, false, "a subgraph input"));
    if (sg->outputs()) for (int32_t i : *sg->outputs()) NNC_RETURN_IF_ERROR(check_index(i, false, "a subgraph output"));
    if (sg->operators()) {
      for (uint32_t o = 0; o < sg->operators()->size(); ++o) {
        const fb::Operator* op = sg->operators()->Get(o);
        const std::string oobj = where + " operator " + std::to_string(o);
        if (!op) return corrupt(file_, "operator is missing", oobj);
        if (op->opcode_index() >= n_codes) {
          return corrupt(file_, "opcode index " + std::to_string(op->opcode_index()) + " out of range (" +
                                    std::to_string(n_codes) + " operator codes)", oobj);
        }
        if (op->inputs()) for (int32_t i : *op->inputs()) NNC_RETURN_IF_ERROR(check_index(i, true, oobj + " input"));
        if (op->outputs()) for (int32_t i : *op->outputs()) NNC_RETURN_IF_ERROR(check_index(i, false, oobj + " output"));
        if (op->intermediates()) for (int32_t i : *op->intermediates()) NNC_RETURN_IF_ERROR(check_index(i, true, oobj + " intermediate"));
      }
    }
  }
  for (uint32_t c = 0; c < n_codes; ++c) {
    if (!md.operator_codes()->Get(c)) return corrupt(file_, "operator code " + std::to_string(c) + " is missing");
  }
  return Status::ok();
}

std::span<const std::byte> TfliteModel::buffer_bytes(uint32_t index) const {
  if (!model_->buffers() || index >= model_->buffers()->size()) return {};
  const fb::Buffer* buf = model_->buffers()->Get(index);
  if (!buf) return {};
  if (buf->offset() > 1) return {storage_->data() + buf->offset(), static_cast<size_t>(buf->size())};
  if (!buf->data()) return {};
  return {reinterpret_cast<const std::byte*>(buf->data()->data()), buf->data()->size()};
}

fb::BuiltinOperator TfliteModel::builtin_code(uint32_t opcode_index) const {
  const fb::OperatorCode* c = model_->operator_codes()->Get(opcode_index);
  const int32_t code = std::max<int32_t>(c->deprecated_builtin_code(), static_cast<int32_t>(c->builtin_code()));
  return static_cast<fb::BuiltinOperator>(code);
}

std::string TfliteModel::op_name(uint32_t opcode_index) const {
  const fb::BuiltinOperator code = builtin_code(opcode_index);
  if (code == fb::BuiltinOperator::CUSTOM) {
    const fb::OperatorCode* c = model_->operator_codes()->Get(opcode_index);
    return "CUSTOM '" + (c->custom_code() ? c->custom_code()->str() : std::string("?")) + "'";
  }
  const char* n = fb::EnumNameBuiltinOperator(code);
  return n && *n ? n : "builtin " + std::to_string(static_cast<int32_t>(code));
}

std::vector<int64_t> TfliteModel::tensor_dims(int32_t index) const {
  const fb::Tensor* t = subgraph().tensors()->Get(static_cast<uint32_t>(index));
  std::vector<int64_t> dims;
  if (t->shape()) for (int32_t d : *t->shape()) dims.push_back(d);
  return dims;
}

std::string TfliteModel::tensor_name(int32_t index) const {
  const fb::Tensor* t = subgraph().tensors()->Get(static_cast<uint32_t>(index));
  if (t->name() && t->name()->size() > 0) return t->name()->str();
  return "tensor_" + std::to_string(index);
}

}  // namespace nnc::tflite_frontend
