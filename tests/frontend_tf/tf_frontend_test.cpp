// nnc tests/frontend_tf: unit tests of the TensorFlow importer: checkpoint reader, subgraph extraction, op conversion, errors.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "graph.pb.h"
#include "nnc/executor.h"
#include "tf_checkpoint.h"
#include "tf_import_detail.h"
#include "tf_importer.h"

namespace nnc::tf_frontend {
namespace {

namespace tfp = nnc::tfproto;
const std::string kShared = NNC_SHARED_DIR;
const std::string kMetaDir = kShared + "/realmodels/tf_meta/fashion_mnist_qat_mlp";

tfp::NodeDef* add(tfp::GraphDef& g, const std::string& name, const std::string& op, std::vector<std::string> inputs = {}) {
  auto* n = g.add_node();
  n->set_name(name);
  n->set_op(op);
  for (auto& i : inputs) n->add_input(i);
  (*n->mutable_attr())["T"].set_type(tfp::DT_FLOAT);
  return n;
}

void set_const(tfp::NodeDef* n, std::vector<float> v, std::vector<int64_t> shape) {
  auto* t = (*n->mutable_attr())["value"].mutable_tensor();
  t->set_dtype(tfp::DT_FLOAT);
  for (int64_t d : shape) t->mutable_tensor_shape()->add_dim()->set_size(d);
  for (float x : v) t->add_float_val(x);
  (*n->mutable_attr())["dtype"].set_type(tfp::DT_FLOAT);
}

tfp::NodeDef* placeholder(tfp::GraphDef& g, const std::string& name, std::vector<int64_t> shape, int type = tfp::DT_FLOAT) {
  auto* n = add(g, name, "Placeholder");
  (*n->mutable_attr())["dtype"].set_type(static_cast<tfp::DataType>(type));
  auto* s = (*n->mutable_attr())["shape"].mutable_shape();
  for (int64_t d : shape) s->add_dim()->set_size(d);
  return n;
}

Expected<Graph> import(const tfp::GraphDef& g, ImportOptions opts = {}) {
  std::string bytes;
  g.SerializeToString(&bytes);
  ModelSource src;
  src.path = "unit.pb";
  return import_tf_bytes(bytes, src, opts, nullptr);
}

std::map<std::string, Tensor> run(const Graph& g, std::map<std::string, Tensor> in) {
  auto ex = ReferenceExecutor::create(g);
  EXPECT_TRUE(ex) << ex.error().to_string();
  auto out = (*ex)->run(in);
  EXPECT_TRUE(out) << out.error().to_string();
  return *out;
}

TEST(TfCheckpoint, Crc32cKnownValue) { EXPECT_EQ(crc32c("123456789"), 0xE3069283u); }

TEST(TfCheckpoint, ReadsRealBundle) {
  auto r = CheckpointReader::open(kMetaDir + "/checkpoints");
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_TRUE(r->contains("dense/kernel"));
  auto t = r->read("dense/kernel");
  ASSERT_TRUE(t) << t.error().to_string();
  EXPECT_EQ(t->dtype(), DType::kF32);
  ASSERT_EQ(t->shape().size(), 2u);
  EXPECT_EQ(t->shape()[0], 784);
}

TEST(TfCheckpoint, TruncatedIndexIsAnError) {
  std::ifstream in(kMetaDir + "/checkpoints.index", std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string bytes = ss.str();
  for (size_t cut : {size_t{0}, size_t{10}, bytes.size() / 2, bytes.size() - 1}) {
    auto t = read_sstable(std::string_view(bytes).substr(0, cut), "x.index");
    ASSERT_FALSE(t);
    EXPECT_NE(t.error().message().find("x.index"), std::string::npos) << t.error().message();
  }
  std::string flipped = bytes;
  flipped[100] ^= 0x10;
  auto t = read_sstable(flipped, "x.index");
  ASSERT_FALSE(t);
  EXPECT_NE(t.error().message().find("CRC"), std::string::npos) << t.error().message();
}

TEST(TfCheckpoint, MissingFilesAreNamed) {
  auto r = CheckpointReader::open("/nonexistent/model.ckpt");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("/nonexistent/model.ckpt.index"), std::string::npos);
  EXPECT_EQ(checkpoint_prefix_of("a/m.ckpt.index"), std::filesystem::path("a/m.ckpt"));
  EXPECT_EQ(checkpoint_prefix_of("a/m.ckpt.data-00000-of-00001"), std::filesystem::path("a/m.ckpt"));
}

TEST(TfRefs, Parse) {
  bool control = false;
  auto r = detail::parse_ref("a/b:2", &control);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->node, "a/b");
  EXPECT_EQ(r->index, 2);
  EXPECT_FALSE(control);
  r = detail::parse_ref("^init", &control);
  ASSERT_TRUE(r);
  EXPECT_TRUE(control);
  EXPECT_FALSE(detail::parse_ref(""));
  EXPECT_EQ(detail::ref_name({"x", 0}), "x");
  EXPECT_EQ(detail::ref_name({"x", 3}), "x:3");
}

TEST(TfImport, DenseLayerComputesAsTensorFlow) {
  tfp::GraphDef g;
  placeholder(g, "x", {-1, 2});
  set_const(add(g, "w", "Const"), {1, -2, 3, 0.5f, 4, -1}, {2, 3});
  set_const(add(g, "b", "Const"), {0.25f, 0, -7}, {3});
  add(g, "w/read", "Identity", {"w"});
  add(g, "mm", "MatMul", {"x", "w/read"});
  add(g, "ba", "BiasAdd", {"mm", "b"});
  add(g, "r6", "Relu6", {"ba"});
  auto graph = import(g);
  ASSERT_TRUE(graph) << graph.error().to_string();
  ASSERT_EQ(graph->inputs().size(), 1u);
  EXPECT_EQ(graph->inputs()[0]->shape().str(), "[1, 2]");  // batch option fills the open dim
  ASSERT_EQ(graph->outputs().size(), 1u);
  EXPECT_EQ(graph->outputs()[0]->name(), "r6");
  auto out = run(*graph, {{"x", Tensor::from_vector<float>({2, 1}, {1, 2})}});
  auto y = out.at("r6").data<float>();
  // x @ w = [2*1 + 1*0.5, 2*-2 + 1*4, 2*3 + 1*-1] = [2.5, 0, 5]; + b = [2.75, 0, -2]; relu6
  EXPECT_FLOAT_EQ(y[0], 2.75f);
  EXPECT_FLOAT_EQ(y[1], 0.f);
  EXPECT_FLOAT_EQ(y[2], 0.f);
}

TEST(TfImport, ConstantPredicateSelectsTheLiveBranch) {
  tfp::GraphDef g;
  placeholder(g, "x", {1, 3});
  auto* def = add(g, "is_training/input", "Const");
  auto* t = (*def->mutable_attr())["value"].mutable_tensor();
  t->set_dtype(tfp::DT_BOOL);
  t->add_bool_val(false);
  auto* pwd = add(g, "is_training", "PlaceholderWithDefault", {"is_training/input"});
  (*pwd->mutable_attr())["dtype"].set_type(tfp::DT_BOOL);
  add(g, "sw", "Switch", {"x", "is_training"});
  add(g, "train_path", "Relu", {"sw:1"});
  add(g, "infer_path", "Neg", {"sw"});
  add(g, "merge", "Merge", {"train_path", "infer_path"});
  add(g, "out", "Identity", {"merge"});
  auto graph = import(g);
  ASSERT_TRUE(graph) << graph.error().to_string();
  ASSERT_EQ(graph->inputs().size(), 1u);  // is_training folded to its default
  auto out = run(*graph, {{"x", Tensor::from_vector<float>({1, -2, 3}, {1, 3})}});
  auto y = out.at("out").data<float>();
  EXPECT_FLOAT_EQ(y[0], -1.f);
  EXPECT_FLOAT_EQ(y[1], 2.f);
  EXPECT_FLOAT_EQ(y[2], -3.f);
}

TEST(TfImport, Conv2dSamePaddingNhwc) {
  tfp::GraphDef g;
  placeholder(g, "x", {1, 3, 3, 1});
  set_const(add(g, "k", "Const"), {1, 1, 1, 1}, {2, 2, 1, 1});  // HWIO
  auto* c = add(g, "conv", "Conv2D", {"x", "k"});
  (*c->mutable_attr())["padding"].set_s("SAME");
  for (int i = 0; i < 4; ++i) (*c->mutable_attr())["strides"].mutable_list()->add_i(1);
  auto graph = import(g);
  ASSERT_TRUE(graph) << graph.error().to_string();
  auto out = run(*graph, {{"x", Tensor::from_vector<float>({1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 3, 3, 1})}});
  const Tensor& y = out.at("conv");
  ASSERT_EQ(y.shape(), (std::vector<int64_t>{1, 3, 3, 1}));
  // TF SAME pads at the end: y[0,0] = 1+2+4+5, y[2,2] = 9, y[1,2] = 6+9
  EXPECT_FLOAT_EQ(y.data<float>()[0], 12.f);
  EXPECT_FLOAT_EQ(y.data<float>()[8], 9.f);
  EXPECT_FLOAT_EQ(y.data<float>()[5], 15.f);
}

TEST(TfImport, UnsupportedOpsAreListedAtOnce) {
  tfp::GraphDef g;
  placeholder(g, "x", {1, 4});
  add(g, "a", "FancyOp", {"x"});
  add(g, "b", "NonMaxSuppressionV3", {"a"});
  add(g, "c", "OtherFancyOp", {"b"});
  auto graph = import(g);
  ASSERT_FALSE(graph);
  const std::string m = graph.error().message();
  EXPECT_NE(m.find("FancyOp"), std::string::npos) << m;
  EXPECT_NE(m.find("OtherFancyOp"), std::string::npos) << m;
  EXPECT_NE(m.find("NonMaxSuppressionV3"), std::string::npos) << m;
  EXPECT_NE(m.find("post-processing"), std::string::npos) << m;
  EXPECT_NE(m.find("unit.pb"), std::string::npos) << m;
}

TEST(TfImport, OutputsOptionNamesUnknownNode) {
  tfp::GraphDef g;
  placeholder(g, "x", {1, 4});
  add(g, "relu", "Relu", {"x"});
  ImportOptions o;
  o.outputs = "rleu";
  auto graph = import(g, o);
  ASSERT_FALSE(graph);
  EXPECT_NE(graph.error().message().find("did you mean 'relu'"), std::string::npos) << graph.error().message();
  o.outputs = "relu";
  o.input_shapes = "4;4";
  graph = import(g, o);
  ASSERT_FALSE(graph);
  EXPECT_NE(graph.error().message().find("1 input(s)"), std::string::npos) << graph.error().message();
}

TEST(TfImport, InputShapesAreChannelLast) {
  tfp::GraphDef g;
  placeholder(g, "img", {-1, -1, -1, 3});
  add(g, "relu", "Relu", {"img"});
  ImportOptions o;
  o.input_shapes = "32,48,3";
  auto graph = import(g, o);
  ASSERT_TRUE(graph) << graph.error().to_string();
  EXPECT_EQ(graph->inputs()[0]->shape().str(), "[1, 32, 48, 3]");
  o.input_shapes = "32,48,4";
  EXPECT_FALSE(import(g, o));
}

TEST(TfImport, GarbageBytesAreParseErrors) {
  ModelSource src;
  src.path = "junk.pb";
  for (std::string bytes : {std::string(), std::string("\xff\xff\xff\xff", 4), std::string(1000, '\x0a')}) {
    auto g = import_tf_bytes(bytes, src, {}, nullptr);
    ASSERT_FALSE(g);
    EXPECT_NE(g.error().message().find("junk.pb"), std::string::npos) << g.error().message();
  }
}

TEST(TfImport, MetaWithoutCheckpointNamesTheFilesLookedFor) {
  ModelSource src;
  src.path = kMetaDir + "/checkpoints.meta";
  src.extra_paths = {"/nonexistent/ckpt.index"};
  auto g = import_tf_file(src, {}, nullptr);
  ASSERT_FALSE(g);
  const std::string m = g.error().message();
  EXPECT_NE(m.find("/nonexistent/ckpt.index"), std::string::npos) << m;
  EXPECT_NE(m.find("dense/kernel"), std::string::npos) << m;
}


std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Damaged real files: every truncation point class and random bit flips give a value or a Status
// naming the file, never a crash (run under ASan too).
TEST(TfImport, DamagedRealFilesNeverCrash) {
  const std::vector<std::string> files = {kShared + "/realmodels/tf_pb/mobilenet_v1_0.25_128/quantized_graph.pb",
                                          kMetaDir + "/checkpoints.meta"};
  uint64_t seed = 12345;
  auto rnd = [&] { return seed = seed * 6364136223846793005ull + 1442695040888963407ull, seed >> 33; };
  for (const auto& f : files) {
    const std::string bytes = slurp(f);
    ASSERT_FALSE(bytes.empty()) << f;
    ModelSource src;
    src.path = f;
    for (int k = 0; k < 24; ++k) {
      std::string b = bytes;
      if (k % 3 == 0) b.resize(rnd() % b.size());
      else
        for (int i = 0; i < 8; ++i) b[rnd() % b.size()] ^= static_cast<char>(1u << (rnd() % 8));
      auto g = import_tf_bytes(b, src, {}, nullptr);
      if (!g) EXPECT_NE(g.error().message().find(src.path.filename().string()), std::string::npos) << g.error().message();
    }
  }
}

}  // namespace
}  // namespace nnc::tf_frontend
