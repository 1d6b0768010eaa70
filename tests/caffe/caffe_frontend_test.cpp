// nnc tests: the Caffe frontend: real SSD file, SSD layers (PriorBox, DetectionOutput), Interp/Upsample, options, bad input.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <random>
#include <sstream>

#include "caffe_import_detail.h"
#include "caffe_importer.h"
#include "nnc/executor.h"
#include "nnc_caffe.pb.h"

namespace fs = std::filesystem;
using namespace nnc;
using namespace nnc::caffe_frontend;

namespace {

const fs::path kRealDir = fs::path(NNC_SHARED_DIR) / "realmodels/caffe/yufacedetectnet_v2_ssd";
const fs::path kRealProto = kRealDir / "yufacedetectnet-open-v2.prototxt";
const fs::path kRealWeights = kRealDir / "yufacedetectnet-open-v2.caffemodel";

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class CaffeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("nnc_caffe_" + std::to_string(::getpid()) + "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  fs::path write(const std::string& name, const std::string& bytes) {
    fs::path p = dir_ / name;
    std::ofstream(p, std::ios::binary) << bytes;
    return p;
  }
  Expected<Graph> load(const fs::path& proto, const std::vector<fs::path>& weights = {}, ImportOptions o = {}) {
    ModelSource src;
    src.path = proto;
    src.extra_paths = weights;
    return import_caffe(src, o, &diag_);
  }
  static std::map<std::string, Tensor> run(const Graph& g, const std::map<std::string, Tensor>& in) {
    auto exec = ReferenceExecutor::create(g);
    EXPECT_TRUE(exec) << exec.status().to_string();
    auto out = (*exec)->run(in);
    EXPECT_TRUE(out) << out.status().to_string();
    return out ? *out : std::map<std::string, Tensor>{};
  }
  fs::path dir_;
  DiagnosticSink diag_{[](const Diagnostic&) {}};
};

bool has_warning(const DiagnosticSink& d, const std::string& text, int line) {
  for (const Diagnostic& x : d.diagnostics())
    if (x.severity == Severity::kWarning && x.message.find(text) != std::string::npos && x.location.line == line)
      return true;
  return false;
}

// ------------------------------------------------------------------------------------------ real file

TEST_F(CaffeTest, RealSsdLoadsWarnsAboutVisualizeAndRuns) {
  auto g = load(kRealProto, {kRealWeights});
  ASSERT_TRUE(g) << g.status().to_string();
  // `visualize: false` (line 1075) and `visualize_threshold` (1076): warnings at their positions.
  EXPECT_TRUE(has_warning(diag_, "visualize", 1075));
  EXPECT_TRUE(has_warning(diag_, "visualize_threshold", 1076));
  ASSERT_EQ(g->inputs().size(), 1u);
  EXPECT_EQ(g->inputs()[0]->name(), "data");
  EXPECT_EQ(g->inputs()[0]->shape(), Shape::of({1, 3, 240, 320}));
  ASSERT_EQ(g->outputs().size(), 1u);
  EXPECT_EQ(g->outputs()[0]->name(), "detection_out");
  int detection_nodes = 0;
  for (const Node* n : g->nodes()) detection_nodes += n->domain() == "nnc" && n->op_type() == "DetectionOutput";
  EXPECT_EQ(detection_nodes, 1);
  Tensor x(DType::kF32, {1, 3, 240, 320});
  auto v = x.mutable_data<float>();
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> u(0.f, 255.f);
  for (float& f : v) f = u(rng);
  auto out = run(*g, {{"data", x}});
  ASSERT_EQ(out.count("detection_out"), 1u);
  const Tensor& d = out["detection_out"];
  ASSERT_EQ(d.rank(), 4);
  EXPECT_EQ(d.shape()[3], 7);
  EXPECT_LE(d.shape()[2], 50);  // keep_top_k
}

TEST_F(CaffeTest, SiblingCaffemodelIsFoundAndAbsentOneIsAClearError) {
  fs::copy_file(kRealProto, dir_ / "net.prototxt");
  auto missing = load(dir_ / "net.prototxt");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.status().code(), ErrorCode::kNotFound);
  EXPECT_NE(missing.status().to_string().find("no sibling .caffemodel"), std::string::npos) << missing.status().to_string();
  EXPECT_NE(missing.status().to_string().find("conv1_1"), std::string::npos);
  fs::copy_file(kRealWeights, dir_ / "net.caffemodel");
  auto g = load(dir_ / "net.prototxt");
  EXPECT_TRUE(g) << g.status().to_string();
  auto from_weights = load(dir_ / "net.caffemodel");  // the .caffemodel as model: sibling prototxt
  EXPECT_TRUE(from_weights) << from_weights.status().to_string();
}

TEST_F(CaffeTest, InputShapesOptionResizesTheNetAndItsPriors) {
  ImportOptions o;
  o.input_shapes = "120,160,3";
  o.outputs = {"mbox_priorbox", "mbox_loc"};
  auto g = load(kRealProto, {kRealWeights}, o);
  ASSERT_TRUE(g) << g.status().to_string();
  EXPECT_EQ(g->inputs()[0]->shape(), Shape::of({1, 3, 120, 160}));
  const Value* pri = g->find_value("mbox_priorbox");
  ASSERT_TRUE(pri);
  // Priors: (15*20)*3 + (8*10)*2 + (4*5)*2 + (2*3)*3 at 120x160 (strides 8, 16, 32, 64).
  const int64_t priors = 15 * 20 * 3 + 8 * 10 * 2 + 4 * 5 * 2 + 2 * 3 * 3;
  EXPECT_EQ(pri->shape(), Shape::of({1, 2, priors * 4}));
  EXPECT_EQ(g->find_value("mbox_loc")->shape(), Shape::of({1, priors * 4}));
}

TEST_F(CaffeTest, UnknownOutputBlobIsAnError) {
  ImportOptions o;
  o.outputs = {"no_such_blob"};
  auto g = load(kRealProto, {kRealWeights}, o);
  ASSERT_FALSE(g);
  EXPECT_NE(g.status().message().find("'no_such_blob' is not a blob"), std::string::npos);
}

// ------------------------------------------------------------------------------------------ bad input

TEST_F(CaffeTest, SyntaxErrorReportsLineAndColumn) {
  auto p = write("bad.prototxt", "name: \"x\"\ninput: \"data\"\nlayer { name: \"a\" type: \"ReLU\" bottom: \"data\" top: \"a\" \n"
                                 "  relu_param { negative_slope 0.1 }\n}\n");
  auto g = load(p);
  ASSERT_FALSE(g);
  EXPECT_EQ(g.status().code(), ErrorCode::kParseError);
  EXPECT_EQ(g.status().location().file, p.string());
  EXPECT_EQ(g.status().location().line, 4);
  EXPECT_GT(g.status().location().column, 0);
  EXPECT_NE(g.status().to_string().find("bad.prototxt:4:"), std::string::npos) << g.status().to_string();
}

TEST_F(CaffeTest, UnknownEnumValueIsAnError) {
  auto p = write("enum.prototxt", "input: \"data\"\ninput_shape { dim: 1 dim: 1 dim: 4 dim: 4 }\n"
                                  "layer { name: \"p\" type: \"Pooling\" bottom: \"data\" top: \"p\"\n"
                                  "  pooling_param { pool: MEDIAN kernel_size: 2 } }\n");
  auto g = load(p);
  ASSERT_FALSE(g);
  EXPECT_EQ(g.status().location().line, 4);
  EXPECT_NE(g.status().message().find("MEDIAN"), std::string::npos) << g.status().to_string();
}

TEST_F(CaffeTest, MissingAndEmptyFilesAreClearErrors) {
  auto missing = load(dir_ / "nope.prototxt");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.status().code(), ErrorCode::kNotFound);
  EXPECT_NE(missing.status().to_string().find("nope.prototxt"), std::string::npos);
  auto empty = load(write("empty.prototxt", ""));
  ASSERT_FALSE(empty);
  EXPECT_NE(empty.status().message().find("empty"), std::string::npos);
  auto empty_weights = load(kRealProto, {write("w.caffemodel", "")});
  ASSERT_FALSE(empty_weights);
  EXPECT_NE(empty_weights.status().to_string().find("w.caffemodel"), std::string::npos);
}

TEST_F(CaffeTest, TruncatedRandomAndBitFlippedCaffemodelsNeverCrash) {
  const std::string bytes = slurp(kRealWeights);
  ASSERT_GT(bytes.size(), 1000u);
  for (size_t len : {size_t{1}, size_t{7}, size_t{100}, bytes.size() / 3, bytes.size() / 2, bytes.size() - 1}) {
    auto p = write("trunc.caffemodel", bytes.substr(0, len));
    auto g = load(kRealProto, {p});
    ASSERT_FALSE(g) << "prefix of " << len << " bytes loaded";
    EXPECT_NE(g.status().to_string().find("trunc.caffemodel"), std::string::npos) << g.status().to_string();
  }
  std::mt19937 rng(7);
  std::string noise(4096, '\0');
  for (char& c : noise) c = static_cast<char>(rng() & 0xff);
  auto r = load(kRealProto, {write("random.caffemodel", noise)});
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().to_string().find("random.caffemodel"), std::string::npos);
  // Bit flips: either a clear error naming a file or a graph; never a crash.
  for (int i = 0; i < 40; ++i) {
    std::string flipped = bytes;
    const size_t at = rng() % std::min<size_t>(flipped.size(), 20000);  // headers and first layers
    flipped[at] = static_cast<char>(flipped[at] ^ (1 << (rng() % 8)));
    auto g = load(kRealProto, {write("flip.caffemodel", flipped)});
    if (!g) EXPECT_FALSE(g.status().location().file.empty()) << g.status().to_string();
  }
  // A prototxt of random bytes.
  auto t = load(write("random.prototxt", noise));
  ASSERT_FALSE(t);
  EXPECT_NE(t.status().to_string().find("random.prototxt"), std::string::npos);
}

TEST_F(CaffeTest, BlobShapeDisagreeingWithThePrototxtIsAnError) {
  caffe::NetParameter net;
  ASSERT_TRUE(net.ParseFromString(slurp(kRealWeights)));
  bool changed = false;
  for (auto& l : *net.mutable_layer()) {
    if (l.name() != "conv2_1" || l.blobs_size() == 0) continue;
    auto* shape = l.mutable_blobs(0)->mutable_shape();
    shape->set_dim(0, shape->dim(0) + 1);
    changed = true;
  }
  ASSERT_TRUE(changed);
  auto p = write("wrong.caffemodel", net.SerializeAsString());
  auto g = load(kRealProto, {p});
  ASSERT_FALSE(g);
  const std::string msg = g.status().to_string();
  EXPECT_NE(msg.find("wrong.caffemodel"), std::string::npos) << msg;
  EXPECT_NE(msg.find("conv2_1"), std::string::npos) << msg;
  EXPECT_NE(msg.find("but the prototxt implies"), std::string::npos) << msg;
}

TEST_F(CaffeTest, UnsupportedLayersAreListedAtOnce) {
  auto p = write("u.prototxt", "input: \"data\"\ninput_shape { dim: 1 dim: 2 dim: 4 dim: 4 }\n"
                               "layer { name: \"m1\" type: \"MVN\" bottom: \"data\" top: \"m1\" }\n"
                               "layer { name: \"m2\" type: \"MVN\" bottom: \"m1\" top: \"m2\" }\n"
                               "layer { name: \"x\" type: \"Exotic\" bottom: \"m2\" top: \"x\" }\n"
                               "layer { name: \"train\" type: \"Accuracy\" bottom: \"x\" top: \"acc\" include { phase: TRAIN } }\n");
  auto g = load(p);
  ASSERT_FALSE(g);
  EXPECT_EQ(g.status().code(), ErrorCode::kUnsupported);
  EXPECT_NE(g.status().message().find("Exotic (x); MVN (m1, m2)"), std::string::npos) << g.status().to_string();
  EXPECT_EQ(g.status().message().find("Accuracy"), std::string::npos);  // TRAIN-only layers are skipped
}

TEST_F(CaffeTest, BadLayerParametersNameTheLayer) {
  auto p = write("c.prototxt", "input: \"data\"\ninput_shape { dim: 1 dim: 3 dim: 4 dim: 4 }\n"
                               "layer { name: \"conv\" type: \"Convolution\" bottom: \"data\" top: \"c\"\n"
                               "  convolution_param { num_output: 4 kernel_size: 3 group: 2 } }\n");
  auto g = load(p);
  ASSERT_FALSE(g);
  EXPECT_NE(g.status().to_string().find("layer 'conv' (Convolution)"), std::string::npos) << g.status().to_string();
  EXPECT_NE(g.status().message().find("group 2"), std::string::npos);
  auto q = write("b.prototxt", "input: \"data\"\ninput_shape { dim: 1 dim: 3 dim: 4 dim: 4 }\n"
                               "layer { name: \"r\" type: \"ReLU\" bottom: \"nothing\" top: \"r\" }\n");
  auto h = load(q);
  ASSERT_FALSE(h);
  EXPECT_NE(h.status().message().find("bottom 'nothing'"), std::string::npos) << h.status().to_string();
}

TEST_F(CaffeTest, AbsurdInputShapesAreErrorsNotAllocations) {
  auto p = write("huge.prototxt", "input: \"data\"\ninput_shape { dim: 1 dim: 3 dim: 100000 dim: 100000 }\n"
                                  "layer { name: \"r\" type: \"ReLU\" bottom: \"data\" top: \"r\" }\n");
  auto g = load(p);
  ASSERT_FALSE(g);
  EXPECT_NE(g.status().message().find("more than 2^31 elements"), std::string::npos) << g.status().to_string();
  auto q = write("neg.prototxt", "input: \"data\"\ninput_shape { dim: 1 dim: -3 dim: 4 dim: 4 }\n"
                                 "layer { name: \"r\" type: \"ReLU\" bottom: \"data\" top: \"r\" }\n");
  auto h = load(q);
  ASSERT_FALSE(h);
  EXPECT_NE(h.status().message().find("non-positive dim"), std::string::npos) << h.status().to_string();
}

TEST_F(CaffeTest, V1NetIsUpgradedAndPoolsLikeCaffe) {
  auto p = write("v1.prototxt", "input: \"data\"\ninput_dim: 1 input_dim: 1 input_dim: 4 input_dim: 4\n"
                                "layers { name: \"relu\" type: RELU bottom: \"data\" top: \"r\" }\n"
                                "layers { name: \"pool\" type: POOLING bottom: \"r\" top: \"p\" "
                                "pooling_param { pool: AVE kernel_size: 3 stride: 2 pad: 1 } }\n");
  auto g = load(p);
  ASSERT_TRUE(g) << g.status().to_string();
  // Caffe AVE pooling with ceil rounding: 4 -> 3 (the last window starts at 3 < 4 + 1).
  EXPECT_EQ(g->outputs()[0]->shape(), Shape::of({1, 1, 3, 3}));
  std::vector<float> x(16, 1.f);
  auto out = run(*g, {{"data", Tensor::from_vector<float>(x, {1, 1, 4, 4})}});
  // Caffe divides by the window clipped to image + pad: first window rows/cols -1..1: 4 ones / 9; last
  // window rows/cols 3..5 clipped to 3..4 (one pixel, one pad row/col): 1 one / 4.
  EXPECT_NEAR(out["p"].data<float>()[0], 4.f / 9.f, 1e-6);
  EXPECT_NEAR(out["p"].data<float>()[8], 0.25f, 1e-6);
}

// ------------------------------------------------------------------------------------------ layers

TEST_F(CaffeTest, PriorBoxMatchesHandComputedSsdBoxes) {
  caffe::PriorBoxParameter p;
  p.add_min_size(4);
  p.add_max_size(9);
  p.add_aspect_ratio(2);
  p.set_flip(true);
  p.set_clip(true);
  p.add_variance(0.1f);
  auto boxes = compute_prior_boxes(p, 1, 2, 8, 16, "pb");  // feature 1x2, image 8x16: step 8
  ASSERT_TRUE(boxes) << boxes.status().to_string();
  // Per location: min (4x4), sqrt(4*9)=6 (6x6), ar 2 (4*sqrt2 x 4/sqrt2), ar 1/2.
  ASSERT_EQ(boxes->size(), 2u * 2 * 4 * 4);
  const float cx = 4, cy = 4, r2 = std::sqrt(2.f);
  const float expect[4][4] = {{cx - 2, cy - 2, cx + 2, cy + 2},
                              {cx - 3, cy - 3, cx + 3, cy + 3},
                              {cx - 2 * r2, cy - 2 / r2, cx + 2 * r2, cy + 2 / r2},
                              {cx - 2 / r2, cy - 2 * r2, cx + 2 / r2, cy + 2 * r2}};
  for (int k = 0; k < 4; ++k) {
    EXPECT_NEAR((*boxes)[k * 4 + 0], std::clamp(expect[k][0] / 16, 0.f, 1.f), 1e-6) << k;
    EXPECT_NEAR((*boxes)[k * 4 + 1], std::clamp(expect[k][1] / 8, 0.f, 1.f), 1e-6) << k;
    EXPECT_NEAR((*boxes)[k * 4 + 2], std::clamp(expect[k][2] / 16, 0.f, 1.f), 1e-6) << k;
    EXPECT_NEAR((*boxes)[k * 4 + 3], std::clamp(expect[k][3] / 8, 0.f, 1.f), 1e-6) << k;
  }
  EXPECT_NEAR((*boxes)[16], (12.f - 2) / 16, 1e-6);  // second location: cx = 12
  for (size_t i = boxes->size() / 2; i < boxes->size(); ++i) EXPECT_FLOAT_EQ((*boxes)[i], 0.1f);
  caffe::PriorBoxParameter bad;
  EXPECT_FALSE(compute_prior_boxes(bad, 1, 1, 8, 8, "pb"));  // no min_size
}

/// nnc.DetectionOutput on hand-made inputs: CENTER_SIZE decoding, NMS, background and keep_top_k.
TEST_F(CaffeTest, DetectionOutputKernelDecodesSuppressesAndKeepsTopK) {
  Graph g("det");
  g.opsets()[""] = 17;
  // Three priors: two overlapping heavily, one apart. Loc zero except prior 2 shifted right by 0.1 * 0.2 width.
  std::vector<float> prior = {0.1f, 0.1f, 0.3f, 0.3f, 0.11f, 0.11f, 0.31f, 0.31f, 0.6f, 0.6f, 0.8f, 0.8f};
  for (int i = 0; i < 3; ++i) prior.insert(prior.end(), {0.1f, 0.1f, 0.2f, 0.2f});
  std::vector<float> loc(12, 0.f);
  loc[8] = 1.f;  // prior 2: dx = 0.1 * 1 * 0.2 = 0.02
  // 3 classes (0 background): prior 0 class 1 0.9, prior 1 class 1 0.8 (suppressed), prior 2 class 2 0.7.
  std::vector<float> conf = {0.1f, 0.9f, 0.0f, 0.2f, 0.8f, 0.0f, 0.3f, 0.0f, 0.7f};
  Value* l = g.add_constant("loc", Tensor::from_vector<float>(loc, {1, 12}));
  Value* c = g.add_constant("conf", Tensor::from_vector<float>(conf, {1, 9}));
  Value* p = g.add_constant("prior", Tensor::from_vector<float>(prior, {1, 2, 12}));
  Node* n = g.add_node("DetectionOutput", {l, c, p}, {"out"}, "det", "nnc");
  n->set_attribute("num_classes", int64_t{3});
  n->set_attribute("nms_threshold", 0.45);
  n->set_attribute("code_type", int64_t{2});
  n->set_attribute("confidence_threshold", 0.05);
  n->set_attribute("keep_top_k", int64_t{10});
  g.add_output(n->output(0));
  auto out = run(g, {});
  const Tensor& t = out["out"];
  ASSERT_EQ(t.shape(), (std::vector<int64_t>{1, 1, 2, 7}));
  auto d = t.data<float>();
  EXPECT_FLOAT_EQ(d[1], 1.f);
  EXPECT_FLOAT_EQ(d[2], 0.9f);
  EXPECT_NEAR(d[3], 0.1f, 1e-6);
  EXPECT_FLOAT_EQ(d[8], 2.f);
  EXPECT_FLOAT_EQ(d[9], 0.7f);
  EXPECT_NEAR(d[10], 0.62f, 1e-6);
  EXPECT_NEAR(d[12], 0.82f, 1e-6);
  // keep_top_k 1 keeps the best; a threshold above every score gives Caffe's [i, -1, ...] row.
  n->set_attribute("keep_top_k", int64_t{1});
  auto top1 = run(g, {});
  ASSERT_EQ(top1["out"].shape(), (std::vector<int64_t>{1, 1, 1, 7}));
  EXPECT_FLOAT_EQ(top1["out"].data<float>()[2], 0.9f);
  n->set_attribute("confidence_threshold", 0.95);
  auto none = run(g, {});
  ASSERT_EQ(none["out"].shape(), (std::vector<int64_t>{1, 1, 1, 7}));
  EXPECT_FLOAT_EQ(none["out"].data<float>()[0], 0.f);
  EXPECT_FLOAT_EQ(none["out"].data<float>()[1], -1.f);
}

TEST_F(CaffeTest, InterpIsAlignedCornersBilinearAndUpsampleIsNearest) {
  auto p = write("i.prototxt",
                 "layer { name: \"in\" type: \"Input\" top: \"data\" input_param { shape { dim: 1 dim: 1 dim: 2 dim: 2 } } }\n"
                 "layer { name: \"interp\" type: \"Interp\" bottom: \"data\" top: \"ip\" interp_param { zoom_factor: 3 } }\n"
                 "layer { name: \"up\" type: \"Upsample\" bottom: \"data\" top: \"up\" upsample_param { scale: 2 } }\n");
  auto g = load(p);
  ASSERT_TRUE(g) << g.status().to_string();
  auto out = run(*g, {{"data", Tensor::from_vector<float>({0.f, 3.f, 6.f, 9.f}, {1, 1, 2, 2})}});
  // zoom 3: 2 -> 2 + 1*2 = 4; corners aligned: row 0 = 0, 1, 2, 3.
  ASSERT_EQ(out["ip"].shape(), (std::vector<int64_t>{1, 1, 4, 4}));
  auto ip = out["ip"].data<float>();
  for (int x = 0; x < 4; ++x) EXPECT_NEAR(ip[x], static_cast<float>(x), 1e-5);
  for (int y = 0; y < 4; ++y) EXPECT_NEAR(ip[y * 4], 2.f * static_cast<float>(y), 1e-5);
  ASSERT_EQ(out["up"].shape(), (std::vector<int64_t>{1, 1, 4, 4}));
  auto up = out["up"].data<float>();
  EXPECT_FLOAT_EQ(up[0], 0.f);
  EXPECT_FLOAT_EQ(up[1], 0.f);
  EXPECT_FLOAT_EQ(up[2], 3.f);
  EXPECT_FLOAT_EQ(up[15], 9.f);
}

TEST_F(CaffeTest, InPlaceLayersKeepPlainNamesForTheFinalBlob) {
  auto p = write("inplace.prototxt",
                 "input: \"data\"\ninput_shape { dim: 1 dim: 2 dim: 1 dim: 1 }\n"
                 "layer { name: \"relu\" type: \"ReLU\" bottom: \"data\" top: \"data\" }\n"
                 "layer { name: \"sig\" type: \"Sigmoid\" bottom: \"data\" top: \"out\" }\n"
                 "layer { name: \"tanh\" type: \"TanH\" bottom: \"out\" top: \"out\" }\n");
  auto g = load(p);
  ASSERT_TRUE(g) << g.status().to_string();
  EXPECT_EQ(g->inputs()[0]->name(), "data");
  ASSERT_EQ(g->outputs().size(), 1u);
  EXPECT_EQ(g->outputs()[0]->name(), "out");
  auto out = run(*g, {{"data", Tensor::from_vector<float>({-1.f, 2.f}, {1, 2, 1, 1})}});
  EXPECT_NEAR(out["out"].data<float>()[0], std::tanh(0.5f), 1e-6);
  EXPECT_NEAR(out["out"].data<float>()[1], std::tanh(1.f / (1.f + std::exp(-2.f))), 1e-6);
}

}  // namespace
