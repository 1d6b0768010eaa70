// nnc tests: TFLite test helpers (model builder, real-model listing, import + run).
#include "tflite_test_util.h"

#include <algorithm>
#include <cstring>

#include "nnc/executor.h"
#include "tflite_importer.h"

namespace nnc::tflite_test {

ModelBuilder::ModelBuilder() : fbb_(4096) { buffers_.push_back(fb::CreateBuffer(fbb_)); }

int ModelBuilder::tensor(const std::string& name, const std::vector<int32_t>& dims, fb::TensorType type,
                         const std::vector<uint8_t>& data, const std::vector<float>& scales,
                         const std::vector<int64_t>& zero_points, int32_t quantized_dim) {
  uint32_t buffer = 0;
  if (!data.empty()) {
    fbb_.ForceVectorAlignment(data.size(), 1, 16);
    auto vec = fbb_.CreateVector(data);
    buffers_.push_back(fb::CreateBuffer(fbb_, vec));
    buffer = static_cast<uint32_t>(buffers_.size() - 1);
  }
  flatbuffers::Offset<fb::QuantizationParameters> q = 0;
  if (!scales.empty()) {
    q = fb::CreateQuantizationParameters(fbb_, 0, 0, fbb_.CreateVector(scales), fbb_.CreateVector(zero_points),
                                         fb::QuantizationDetails::NONE, 0, quantized_dim);
  }
  tensors_.push_back(fb::CreateTensor(fbb_, fbb_.CreateVector(dims), type, buffer, fbb_.CreateString(name), q));
  return static_cast<int>(tensors_.size() - 1);
}

std::vector<uint8_t> bytes_of(const std::vector<float>& v) {
  std::vector<uint8_t> b(v.size() * 4);
  std::memcpy(b.data(), v.data(), b.size());
  return b;
}

int ModelBuilder::float_const(const std::string& name, const std::vector<int32_t>& dims, const std::vector<float>& values) {
  return tensor(name, dims, fb::TensorType::FLOAT32, bytes_of(values));
}

int ModelBuilder::int32_const(const std::string& name, const std::vector<int32_t>& values) {
  std::vector<uint8_t> b(values.size() * 4);
  std::memcpy(b.data(), values.data(), b.size());
  return tensor(name, {static_cast<int32_t>(values.size())}, fb::TensorType::INT32, b);
}

void ModelBuilder::op(fb::BuiltinOperator code, const std::vector<int32_t>& inputs, const std::vector<int32_t>& outputs,
                      fb::BuiltinOptions options_type, flatbuffers::Offset<void> options, const std::string& custom) {
  const auto key = std::make_pair(code, custom);
  auto it = std::find(codes_.begin(), codes_.end(), key);
  if (it == codes_.end()) it = codes_.insert(codes_.end(), key);
  const auto index = static_cast<uint32_t>(it - codes_.begin());
  ops_.push_back(fb::CreateOperator(fbb_, index, fbb_.CreateVector(inputs), fbb_.CreateVector(outputs), options_type, options));
}

std::string ModelBuilder::finish(const std::vector<int32_t>& inputs, const std::vector<int32_t>& outputs) {
  std::vector<flatbuffers::Offset<fb::OperatorCode>> codes;
  for (const auto& [code, custom] : codes_) {
    const int8_t dep = static_cast<int32_t>(code) < 127 ? static_cast<int8_t>(code) : int8_t{127};
    codes.push_back(fb::CreateOperatorCode(fbb_, dep, custom.empty() ? 0 : fbb_.CreateString(custom), 1, code));
  }
  auto sg = fb::CreateSubGraph(fbb_, fbb_.CreateVector(tensors_), fbb_.CreateVector(inputs), fbb_.CreateVector(outputs),
                               fbb_.CreateVector(ops_), fbb_.CreateString("main"));
  std::vector<flatbuffers::Offset<fb::SubGraph>> sgs{sg};
  auto model = fb::CreateModel(fbb_, 3, fbb_.CreateVector(codes), fbb_.CreateVector(sgs), fbb_.CreateString("test"),
                               fbb_.CreateVector(buffers_));
  fbb_.Finish(model, fb::ModelIdentifier());
  return std::string(reinterpret_cast<const char*>(fbb_.GetBufferPointer()), fbb_.GetSize());
}

std::filesystem::path realmodels_dir() { return std::filesystem::path(NNC_SHARED_DIR) / "realmodels" / "tflite"; }

std::vector<std::filesystem::path> real_tflite_files() {
  std::vector<std::filesystem::path> out;
  std::error_code ec;
  if (!std::filesystem::exists(realmodels_dir(), ec)) return out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(realmodels_dir(), ec)) {
    if (e.path().extension() == ".tflite") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

Expected<std::vector<Tensor>> run_graph(const Graph& g, const std::vector<Tensor>& inputs) {
  NNC_ASSIGN_OR_RETURN(auto exec, ReferenceExecutor::create(g));
  std::map<std::string, Tensor> in;
  for (size_t i = 0; i < inputs.size() && i < g.inputs().size(); ++i) in[g.inputs()[i]->name()] = inputs[i];
  NNC_ASSIGN_OR_RETURN(auto out, exec->run(in));
  std::vector<Tensor> res;
  for (Value* v : g.outputs()) res.push_back(out.at(v->name()));
  return res;
}

Expected<std::vector<Tensor>> import_and_run(const std::string& bytes, const std::vector<Tensor>& inputs) {
  NNC_ASSIGN_OR_RETURN(Graph g, tflite_frontend::import_tflite_bytes(bytes, "test.tflite", {}, nullptr));
  return run_graph(g, inputs);
}

}  // namespace nnc::tflite_test
