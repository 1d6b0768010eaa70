// nnc frontend_caffe: reading NetParameter from .prototxt (text) and .caffemodel (binary), V1 upgrade.
#include "caffe_parse.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>

#include <fstream>
#include <map>
#include <sstream>

namespace nnc::caffe_frontend {
namespace {

/// Collects text-format errors and warnings with their positions (protobuf gives 0-based ones).
class Collector final : public google::protobuf::io::ErrorCollector {
 public:
  Collector(std::string file, DiagnosticSink* diag) : file_(std::move(file)), diag_(diag) {}
  void AddError(int line, int column, const std::string& message) override {
    if (!has_error_) {
      has_error_ = true;
      error_ = make_error(ErrorCode::kParseError, "syntax error in Caffe network definition: " + message,
                          Location{file_, line + 1, column + 1},
                          "fix the prototxt at this line and column (protobuf text format, caffe.proto fields)");
    }
  }
  void AddWarning(int line, int column, const std::string& message) override {
    if (diag_)
      diag_->warning("ignored: " + message + " (nnc's caffe.proto lacks it; it does not affect inference in known forks)",
                     Location{file_, line + 1, column + 1});
  }
  bool has_error() const { return has_error_; }
  const Status& error() const { return error_; }

 private:
  std::string file_;
  DiagnosticSink* diag_;
  bool has_error_ = false;
  Status error_;
};

}  // namespace

Expected<std::string> read_file_bytes(const std::filesystem::path& path, const std::string& what) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    return make_error(ErrorCode::kNotFound, "Caffe " + what + " file does not exist", Location{path.string()},
                      "check the path");
  if (std::filesystem::is_directory(path, ec))
    return make_error(ErrorCode::kIoError, "Caffe " + what + " path is a directory, not a file",
                      Location{path.string()}, "give the file inside it");
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return make_error(ErrorCode::kIoError, "cannot open Caffe " + what + " file", Location{path.string()},
                      "check its permissions");
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string bytes = ss.str();
  if (bytes.empty())
    return make_error(ErrorCode::kParseError, "Caffe " + what + " file is empty", Location{path.string()},
                      "regenerate or re-download the file");
  return bytes;
}

Expected<caffe::NetParameter> parse_net_text(std::string_view text, const std::string& file, DiagnosticSink* diag) {
  caffe::NetParameter net;
  Collector collector(file, diag);
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&collector);
  parser.AllowUnknownField(true);
  parser.SetRecursionLimit(64);
  if (text.size() > static_cast<size_t>(std::numeric_limits<int>::max()))
    return make_error(ErrorCode::kParseError, "Caffe network definition is larger than 2 GiB", Location{file},
                      "a prototxt holds the layer list only; put weights in the .caffemodel");
  google::protobuf::io::ArrayInputStream stream(text.data(), static_cast<int>(text.size()));
  bool ok = parser.Parse(&stream, &net);
  if (collector.has_error()) return collector.error();
  if (!ok)
    return make_error(ErrorCode::kParseError, "cannot parse the Caffe network definition", Location{file},
                      "check that it is a protobuf text NetParameter (.prototxt)");
  return net;
}

Expected<caffe::NetParameter> parse_net_binary(std::string_view bytes, const std::string& file) {
  caffe::NetParameter net;
  if (bytes.size() > static_cast<size_t>(std::numeric_limits<int>::max()))
    return make_error(ErrorCode::kUnsupported, "Caffe weights file is larger than 2 GiB (protobuf's limit)",
                      Location{file}, "split the model");
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(bytes.data()),
                                            static_cast<int>(bytes.size()));
  in.SetTotalBytesLimit(std::numeric_limits<int>::max());
  in.SetRecursionLimit(64);
  if (!net.ParseFromCodedStream(&in) || !in.ConsumedEntireMessage())
    return make_error(ErrorCode::kParseError,
                      "cannot parse the Caffe weights: not a binary NetParameter, or truncated/corrupt",
                      Location{file}, "give the .caffemodel that belongs to the prototxt (binary protobuf); re-download it");
  return net;
}

Status upgrade_v1_layers(caffe::NetParameter& net, const std::string& file, bool weights_only) {
  using V1 = caffe::V1LayerParameter;
  static const std::map<int, const char*> names = {
      {V1::ABSVAL, "AbsVal"},       {V1::ACCURACY, "Accuracy"},     {V1::ARGMAX, "ArgMax"},
      {V1::BNLL, "BNLL"},           {V1::CONCAT, "Concat"},         {V1::CONTRASTIVE_LOSS, "ContrastiveLoss"},
      {V1::CONVOLUTION, "Convolution"}, {V1::DATA, "Data"},         {V1::DECONVOLUTION, "Deconvolution"},
      {V1::DROPOUT, "Dropout"},     {V1::DUMMY_DATA, "DummyData"},  {V1::EUCLIDEAN_LOSS, "EuclideanLoss"},
      {V1::ELTWISE, "Eltwise"},     {V1::EXP, "Exp"},               {V1::FLATTEN, "Flatten"},
      {V1::HDF5_DATA, "HDF5Data"},  {V1::HDF5_OUTPUT, "HDF5Output"}, {V1::HINGE_LOSS, "HingeLoss"},
      {V1::IM2COL, "Im2col"},       {V1::IMAGE_DATA, "ImageData"},  {V1::INFOGAIN_LOSS, "InfogainLoss"},
      {V1::INNER_PRODUCT, "InnerProduct"}, {V1::LRN, "LRN"},        {V1::MEMORY_DATA, "MemoryData"},
      {V1::MULTINOMIAL_LOGISTIC_LOSS, "MultinomialLogisticLoss"},   {V1::MVN, "MVN"},
      {V1::POOLING, "Pooling"},     {V1::POWER, "Power"},           {V1::RELU, "ReLU"},
      {V1::SIGMOID, "Sigmoid"},     {V1::SIGMOID_CROSS_ENTROPY_LOSS, "SigmoidCrossEntropyLoss"},
      {V1::SILENCE, "Silence"},     {V1::SOFTMAX, "Softmax"},       {V1::SOFTMAX_LOSS, "SoftmaxWithLoss"},
      {V1::SPLIT, "Split"},         {V1::SLICE, "Slice"},           {V1::TANH, "TanH"},
      {V1::WINDOW_DATA, "WindowData"}, {V1::THRESHOLD, "Threshold"}};
  if (net.layers_size() == 0) return Status::ok();
  if (net.layer_size() != 0)
    return make_error(ErrorCode::kParseError, "the net mixes V1 'layers' and current 'layer' entries",
                      Location{file}, "use one of the two forms (upgrade the file with Caffe's upgrade_net_proto_text)");
  for (const V1& v1 : net.layers()) {
    caffe::LayerParameter* l = net.add_layer();
    auto it = names.find(v1.type());
    if (it == names.end() && !weights_only)
      return make_error(ErrorCode::kUnsupported, "V1 layer type " + std::to_string(v1.type()) + " is unknown",
                        Location{file, 0, 0, "layer '" + v1.name() + "'"}, "use a known Caffe V1 layer type");
    l->set_name(v1.name());
    l->set_type(it == names.end() ? "" : it->second);
    *l->mutable_bottom() = v1.bottom();
    *l->mutable_top() = v1.top();
    *l->mutable_include() = v1.include();
    *l->mutable_exclude() = v1.exclude();
    *l->mutable_blobs() = v1.blobs();
    if (v1.has_concat_param()) *l->mutable_concat_param() = v1.concat_param();
    if (v1.has_convolution_param()) *l->mutable_convolution_param() = v1.convolution_param();
    if (v1.has_dropout_param()) *l->mutable_dropout_param() = v1.dropout_param();
    if (v1.has_eltwise_param()) *l->mutable_eltwise_param() = v1.eltwise_param();
    if (v1.has_inner_product_param()) *l->mutable_inner_product_param() = v1.inner_product_param();
    if (v1.has_lrn_param()) *l->mutable_lrn_param() = v1.lrn_param();
    if (v1.has_pooling_param()) *l->mutable_pooling_param() = v1.pooling_param();
    if (v1.has_power_param()) *l->mutable_power_param() = v1.power_param();
    if (v1.has_relu_param()) *l->mutable_relu_param() = v1.relu_param();
    if (v1.has_sigmoid_param()) *l->mutable_sigmoid_param() = v1.sigmoid_param();
    if (v1.has_softmax_param()) *l->mutable_softmax_param() = v1.softmax_param();
    if (v1.has_slice_param()) *l->mutable_slice_param() = v1.slice_param();
    if (v1.has_tanh_param()) *l->mutable_tanh_param() = v1.tanh_param();
    if (v1.has_argmax_param()) *l->mutable_argmax_param() = v1.argmax_param();
  }
  net.clear_layers();
  return Status::ok();
}

}  // namespace nnc::caffe_frontend
