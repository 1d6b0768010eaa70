// nnc tests: Keras frontend on the real files under ../shared/realmodels/keras, bad input and input shapes.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "keras_importer.h"
#include "nnc/executor.h"

namespace fs = std::filesystem;
using nnc::keras_frontend::import_keras_file;
using nnc::keras_frontend::ImportOptions;

namespace {

const fs::path kKeras = fs::path(NNC_SHARED_DIR) / "realmodels" / "keras";
const fs::path kResnet = kKeras / "mlperf_tiny_resnet8_cifar10" / "pretrainedResnet.h5";
const fs::path kVww = kKeras / "mlperf_tiny_vww_mobilenet" / "vww_96.h5";
const fs::path kMnistJson = kKeras / "mnist_cnn_json_weights" / "model_struct.json";
const fs::path kMnistWeights = kKeras / "mnist_cnn_json_weights" / "model_weights.h5";

nnc::Expected<nnc::Graph> load(const fs::path& p, std::vector<fs::path> extra = {}, ImportOptions o = {}) {
  nnc::ModelSource src;
  src.path = p;
  src.extra_paths = std::move(extra);
  return import_keras_file(src, o, nullptr);
}

fs::path temp_dir(const std::string& name) {
  fs::path d = fs::temp_directory_path() / ("nnc_keras_test_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

void write_all(const fs::path& p, const std::string& s) {
  std::ofstream out(p, std::ios::binary);
  out << s;
}

/// Runs the graph on a constant input and returns the first output.
nnc::Tensor run_once(const nnc::Graph& g) {
  auto ex = nnc::ReferenceExecutor::create(g);
  EXPECT_TRUE(ex) << ex.error().to_string();
  std::map<std::string, nnc::Tensor> in;
  for (nnc::Value* v : g.inputs()) {
    nnc::Tensor t(nnc::DType::kF32, v->shape().sizes());
    auto d = t.mutable_data<float>();
    for (size_t i = 0; i < d.size(); ++i) d[i] = static_cast<float>((i * 37) % 101) / 101.f;
    in[v->name()] = t;
  }
  auto out = (*ex)->run(in);
  EXPECT_TRUE(out) << out.error().to_string();
  return out->at(g.outputs()[0]->name());
}

TEST(KerasRealModels, Resnet8LoadsAndRuns) {
  auto g = load(kResnet);
  ASSERT_TRUE(g) << g.error().to_string();
  ASSERT_EQ(g->inputs().size(), 1u);
  EXPECT_EQ(g->inputs()[0]->name(), "input_1");
  EXPECT_EQ(g->inputs()[0]->shape().sizes(), (std::vector<int64_t>{1, 32, 32, 3}));
  ASSERT_EQ(g->outputs().size(), 1u);
  EXPECT_EQ(g->outputs()[0]->shape().sizes(), (std::vector<int64_t>{1, 10}));
  EXPECT_EQ(g->parameter_count(), 78666);  // every weight, BN statistics included
  nnc::Tensor y = run_once(*g);
  double sum = 0;
  for (float v : y.data<float>()) sum += v;
  EXPECT_NEAR(sum, 1.0, 1e-4);  // softmax output
}

TEST(KerasRealModels, VwwMobilenetLoadsAndRuns) {
  auto g = load(kVww);
  ASSERT_TRUE(g) << g.error().to_string();
  EXPECT_EQ(g->inputs()[0]->shape().sizes(), (std::vector<int64_t>{1, 96, 96, 3}));
  EXPECT_EQ(g->outputs()[0]->shape().sizes(), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(g->parameter_count(), 221794);
  nnc::Tensor y = run_once(*g);
  EXPECT_EQ(y.shape(), (std::vector<int64_t>{1, 2}));
}

TEST(KerasRealModels, MnistJsonPlusWeights) {
  auto g = load(kMnistJson, {kMnistWeights});
  ASSERT_TRUE(g) << g.error().to_string();
  EXPECT_EQ(g->inputs()[0]->name(), "conv2d_1_input");
  EXPECT_EQ(g->inputs()[0]->shape().sizes(), (std::vector<int64_t>{1, 1, 28, 28}));
  EXPECT_EQ(g->outputs()[0]->shape().sizes(), (std::vector<int64_t>{1, 10}));
  EXPECT_EQ(g->parameter_count(), 746538);
  run_once(*g);
}

TEST(KerasRealModels, MnistJsonFindsSiblingWeights) {
  auto g = load(kMnistJson);  // model_struct.json -> model_weights.h5
  ASSERT_TRUE(g) << g.error().to_string();
  EXPECT_EQ(g->parameter_count(), 746538);
}

TEST(KerasInputShapes, IsOptionAndBatch) {
  ImportOptions o;
  o.input_shapes = "28,28,1";  // channel-last, mapped onto the channels_first input
  o.batch = 3;
  auto g = load(kMnistJson, {kMnistWeights}, o);
  ASSERT_TRUE(g) << g.error().to_string();
  EXPECT_EQ(g->inputs()[0]->shape().sizes(), (std::vector<int64_t>{3, 1, 28, 28}));
  o.input_shapes = "30,30,3";
  auto bad = load(kResnet, {}, o);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("input_1"), std::string::npos) << bad.error().to_string();
}

TEST(KerasBadInput, MissingAndEmptyFiles) {
  auto g = load(kKeras / "nope.h5");
  ASSERT_FALSE(g);
  EXPECT_EQ(g.error().code(), nnc::ErrorCode::kNotFound);
  fs::path d = temp_dir("empty");
  write_all(d / "e.h5", "");
  auto e = load(d / "e.h5");
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().to_string().find("e.h5"), std::string::npos);
  EXPECT_NE(e.error().message().find("empty"), std::string::npos);
  fs::remove_all(d);
}

TEST(KerasBadInput, WeightsOnlyH5AsModel) {
  auto g = load(kMnistWeights);
  ASSERT_FALSE(g);
  EXPECT_NE(g.error().message().find("model_config"), std::string::npos) << g.error().to_string();
  EXPECT_NE(g.error().hint().find("--weights"), std::string::npos);
}

TEST(KerasBadInput, JsonWithoutWeights) {
  fs::path d = temp_dir("nojson");
  fs::copy_file(kMnistJson, d / "model_struct.json");
  auto g = load(d / "model_struct.json");
  ASSERT_FALSE(g);
  EXPECT_EQ(g.error().code(), nnc::ErrorCode::kNotFound);
  EXPECT_NE(g.error().to_string().find("model_struct.json"), std::string::npos);
  EXPECT_NE(g.error().message().find("weights"), std::string::npos);
  auto missing = load(d / "model_struct.json", {d / "gone.h5"});
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().to_string().find("gone.h5"), std::string::npos);
  fs::remove_all(d);
}

TEST(KerasBadInput, JsonWithMismatchedWeights) {
  // Wrong layer count: the MNIST architecture with the ResNet-8 weights.
  auto count = load(kMnistJson, {kResnet});
  ASSERT_FALSE(count);
  EXPECT_NE(count.error().message().find("layers with weights"), std::string::npos) << count.error().to_string();
  // Wrong shape: dense_1 with 64 units instead of 128.
  fs::path d = temp_dir("shape");
  std::string js = read_all(kMnistJson);
  auto pos = js.find("\"units\": 128");
  ASSERT_NE(pos, std::string::npos);
  js.replace(pos, 12, "\"units\": 64");
  write_all(d / "m.json", js);
  auto shape = load(d / "m.json", {kMnistWeights});
  ASSERT_FALSE(shape);
  const std::string msg = shape.error().to_string();
  EXPECT_NE(msg.find("dense_1"), std::string::npos) << msg;
  EXPECT_NE(msg.find("[5760, 128]"), std::string::npos) << msg;
  EXPECT_NE(msg.find("[5760, 64]"), std::string::npos) << msg;
  // Broken JSON: line and column.
  write_all(d / "broken.json", js.substr(0, js.size() / 2));
  auto broken = load(d / "broken.json", {kMnistWeights});
  ASSERT_FALSE(broken);
  EXPECT_GT(broken.error().location().column, 0);
  EXPECT_NE(broken.error().message().find("JSON"), std::string::npos);
  fs::remove_all(d);
}

TEST(KerasBadInput, UnsupportedLayersListedAtOnceAndUnknownActivation) {
  fs::path d = temp_dir("unsupported");
  std::string js = read_all(kMnistJson);
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"\"class_name\": \"MaxPooling2D\"", "\"class_name\": \"Lambda\""},
           {"\"class_name\": \"Flatten\"", "\"class_name\": \"LSTM\""}}) {
    auto pos = js.find(from);
    ASSERT_NE(pos, std::string::npos);
    js.replace(pos, from.size(), to);
  }
  write_all(d / "u.json", js);
  auto g = load(d / "u.json", {kMnistWeights});
  ASSERT_FALSE(g);
  EXPECT_EQ(g.error().code(), nnc::ErrorCode::kUnsupported);
  EXPECT_NE(g.error().message().find("LSTM (flatten_1)"), std::string::npos) << g.error().to_string();
  EXPECT_NE(g.error().message().find("Lambda (max_pooling2d_1)"), std::string::npos) << g.error().to_string();

  js = read_all(kMnistJson);
  auto pos = js.find("\"activation\": \"relu\"");
  ASSERT_NE(pos, std::string::npos);
  js.replace(pos, 20, "\"activation\": \"crelu\"");
  write_all(d / "a.json", js);
  auto a = load(d / "a.json", {kMnistWeights});
  ASSERT_FALSE(a);
  EXPECT_NE(a.error().message().find("layer 'conv2d_1': activation 'crelu' is not supported"), std::string::npos)
      << a.error().to_string();
  fs::remove_all(d);
}

TEST(KerasBadInput, WeightNamesMatchedByOrder) {
  // Rename the layers in the JSON: weights are then matched by the file's layer order (as Keras does).
  fs::path d = temp_dir("order");
  std::string js = read_all(kMnistJson);
  for (const std::string n : {"conv2d_1", "conv2d_2", "dense_1", "dense_2"}) {
    auto pos = js.find("\"name\": \"" + n + "\"");
    ASSERT_NE(pos, std::string::npos);
    js.replace(pos, n.size() + 10, "\"name\": \"renamed_" + n + "\"");
  }
  write_all(d / "m.json", js);
  auto g = load(d / "m.json", {kMnistWeights});
  ASSERT_TRUE(g) << g.error().to_string();
  EXPECT_EQ(g->parameter_count(), 746538);
  fs::remove_all(d);
}

TEST(KerasBadInput, TruncatedBitFlippedAndRandomFilesNeverCrash) {
  fs::path d = temp_dir("fuzz");
  const std::string bytes = read_all(kResnet);
  int errors = 0, loaded = 0;
  for (size_t cut : {size_t{0} + 8, size_t{512}, size_t{2048}, bytes.size() / 3, bytes.size() / 2, bytes.size() - 100}) {
    write_all(d / "t.h5", bytes.substr(0, cut));
    auto g = load(d / "t.h5");
    ASSERT_FALSE(g) << "truncated at " << cut;
    EXPECT_NE(g.error().to_string().find("t.h5"), std::string::npos) << g.error().to_string();
    ++errors;
  }
  std::mt19937 rng(7);
  for (int i = 0; i < 40; ++i) {
    std::string flipped = bytes;
    for (int k = 0; k < 8; ++k) flipped[rng() % flipped.size()] ^= static_cast<char>(1 << (rng() % 8));
    write_all(d / "f.h5", flipped);
    auto g = load(d / "f.h5");
    if (g) ++loaded;
    else {
      EXPECT_NE(g.error().to_string().find("f.h5"), std::string::npos) << g.error().to_string();
      ++errors;
    }
  }
  std::string random(4096, '\0');
  for (char& c : random) c = static_cast<char>(rng());
  write_all(d / "r.h5", random);
  auto r = load(d / "r.h5");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("HDF5"), std::string::npos);
  write_all(d / "r.json", random);
  auto rj = load(d / "r.json", {kMnistWeights});
  ASSERT_FALSE(rj);
  EXPECT_GT(errors, 0);
  fs::remove_all(d);
}

}  // namespace
