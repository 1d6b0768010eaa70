// nnc tests: ONNX import of the bundled example model, input-shape overrides, batch option, the plugin entry.
#include <dlfcn.h>
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <cstdlib>

#include "nnc/graph_algorithms.h"
#include "nnc/onnx_writer.h"
#include "nnc/plugin.h"
#include "nnc/registry.h"
#include "onnx_importer.h"
#include "onnx_test_util.h"

namespace nnc::onnx_test {
namespace {

std::vector<std::string> op_types(const Graph& g) {
  std::vector<std::string> ops;
  auto order = topological_order(g);
  for (const Node* n : order.has_value() ? *order : g.nodes()) ops.push_back(n->op_type());
  return ops;
}

TEST(OnnxImport, TinyCnnExample) {
  DiagnosticSink sink([](const Diagnostic&) {});
  auto g = import_file(tiny_cnn_path(), {}, {}, &sink);
  ASSERT_TRUE(g.has_value()) << g.error().to_string();
  EXPECT_EQ(sink.warning_count(), 0);
  EXPECT_EQ(g->name(), "tiny_cnn");
  EXPECT_EQ(g->node_count(), 11u);
  EXPECT_EQ(op_types(*g), (std::vector<std::string>{"Conv", "Relu", "Dropout", "MaxPool", "Conv", "Relu", "Identity",
                                                    "GlobalAveragePool", "Flatten", "Gemm", "Softmax"}));
  EXPECT_EQ(g->parameter_count(), 8 * 3 * 9 + 8 + 16 * 8 * 9 + 16 + 10 * 16 + 10);
  ASSERT_EQ(g->inputs().size(), 1u);
  EXPECT_EQ(g->inputs()[0]->name(), "image");
  EXPECT_EQ(g->inputs()[0]->dtype(), DType::kF32);
  EXPECT_EQ(g->inputs()[0]->shape(), Shape::of({1, 3, 32, 32}));
  ASSERT_EQ(g->outputs().size(), 1u);
  EXPECT_EQ(g->outputs()[0]->shape(), Shape::of({1, 10}));
  EXPECT_EQ(g->find_value("pool1_out")->shape(), Shape::of({1, 8, 16, 16}));
  EXPECT_EQ(g->find_value("gap_out")->shape(), Shape::of({1, 16, 1, 1}));
  const Node* conv1 = g->find_node("conv1");
  ASSERT_NE(conv1, nullptr);
  EXPECT_EQ(conv1->ints_attribute("pads"), (std::vector<int64_t>{1, 1, 1, 1}));
  EXPECT_EQ(conv1->ints_attribute("kernel_shape"), (std::vector<int64_t>{3, 3}));
  EXPECT_EQ(g->opsets().at(""), 17);
  EXPECT_NE(g->metadata().at("onnx.doc_string").find("synthetic"), std::string::npos);
  EXPECT_EQ(g->metadata().at("onnx.producer_name"), "nnc");
}

/// Model bytes without producer_version (which changes with every nnc release).
std::string without_producer_version(const std::string& bytes) {
  onnx::ModelProto m;
  if (!m.ParseFromString(bytes)) return "unparsable";
  m.clear_producer_version();
  return m.SerializeAsString();
}

TEST(OnnxImport, TinyCnnIsReproducible) {
  // The committed file is what the generator writes, and import -> export reproduces it.
  TempDir dir;
  const std::string cmd = std::string(NNC_GEN_EXAMPLE_MODEL) + " " + (dir / "regen.onnx").string() + " > /dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  const std::string committed = without_producer_version(read_bytes(tiny_cnn_path()));
  EXPECT_EQ(without_producer_version(read_bytes(dir / "regen.onnx")), committed)
      << "examples/models/tiny_cnn.onnx is stale: regenerate it with nnc_gen_example_model";
  auto g = import_file(tiny_cnn_path(), exact_options());
  ASSERT_TRUE(g.has_value()) << g.error().to_string();
  auto bytes = serialize_onnx(*g);
  ASSERT_TRUE(bytes.has_value()) << bytes.error().to_string();
  EXPECT_EQ(without_producer_version(*bytes), committed);
  EXPECT_LT(bytes->size(), 16u * 1024u);
}

TEST(OnnxImport, InputShapeOverride) {
  auto g = import_file(tiny_cnn_path(), {}, {{"image", {4, 3, 64, 64}}});
  ASSERT_TRUE(g.has_value()) << g.error().to_string();
  EXPECT_EQ(g->inputs()[0]->shape(), Shape::of({4, 3, 64, 64}));
  // Stale declared shapes are dropped and re-inferred.
  EXPECT_EQ(g->find_value("conv1_out")->shape(), Shape::of({4, 8, 64, 64}));
  EXPECT_EQ(g->outputs()[0]->shape(), Shape::of({4, 10}));

  auto no_infer = exact_options();
  auto g2 = import_file(tiny_cnn_path(), no_infer, {{"image", {4, 3, 64, 64}}});
  ASSERT_TRUE(g2.has_value()) << g2.error().to_string();
  EXPECT_EQ(g2->inputs()[0]->shape(), Shape::of({4, 3, 64, 64}));
  EXPECT_FALSE(g2->find_value("conv1_out")->shape().has_rank());
  EXPECT_EQ(g2->find_value("conv1_out")->dtype(), DType::kF32);
}

TEST(OnnxImport, InputShapeOverrideUnknownName) {
  auto g = import_file(tiny_cnn_path(), {}, {{"imag", {1, 3, 32, 32}}});
  ASSERT_FALSE(g.has_value());
  EXPECT_EQ(g.error().code(), ErrorCode::kNotFound);
  const std::string msg = g.error().message();
  EXPECT_NE(msg.find("'imag'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("did you mean 'image'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("tiny_cnn.onnx"), std::string::npos) << msg;
}

TEST(OnnxImport, InputShapeOverrideRankMismatch) {
  auto g = import_file(tiny_cnn_path(), {}, {{"image", {1, 3, 32}}});
  ASSERT_FALSE(g.has_value());
  EXPECT_EQ(g.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(g.error().message().find("rank 3"), std::string::npos) << g.error().message();
  EXPECT_NE(g.error().message().find("rank 4"), std::string::npos) << g.error().message();

  auto neg = import_file(tiny_cnn_path(), {}, {{"image", {1, -3, 32, 32}}});
  ASSERT_FALSE(neg.has_value());
  EXPECT_EQ(neg.error().code(), ErrorCode::kInvalidArgument);
}

/// A model with symbolic batch "N": x[N, 4] -> Relu -> y[N, 4].
Graph symbolic_batch_graph() {
  Graph g("sym");
  g.opsets()[""] = 17;
  Value* x = g.add_value("x", DType::kF32, Shape{Dim::symbolic("N"), 4});
  g.add_input(x);
  Node* r = g.add_node("Relu", {x}, {"y"}, "relu");
  r->output(0)->set_dtype(DType::kF32);
  r->output(0)->set_shape(Shape{Dim::symbolic("N"), 4});
  g.add_output(r->output(0));
  return g;
}

TEST(OnnxImport, BatchOptionFixesSymbolicLeadingDim) {
  TempDir dir;
  ASSERT_TRUE(write_onnx(symbolic_batch_graph(), dir / "sym.onnx").is_ok());
  onnx_frontend::ImportOptions opts;
  opts.batch = 3;
  opts.shape_inference = false;  // the symbol is substituted in declared shapes too
  auto g = import_file(dir / "sym.onnx", opts);
  ASSERT_TRUE(g.has_value()) << g.error().to_string();
  EXPECT_EQ(g->inputs()[0]->shape(), Shape::of({3, 4}));
  EXPECT_EQ(g->outputs()[0]->shape(), Shape::of({3, 4}));

  opts.batch = 0;  // leave symbols alone
  auto kept = import_file(dir / "sym.onnx", opts);
  ASSERT_TRUE(kept.has_value());
  EXPECT_EQ(kept->inputs()[0]->shape(), (Shape{Dim::symbolic("N"), 4}));

  // An explicit override wins over the batch option.
  opts.batch = 3;
  opts.shape_inference = true;
  auto over = import_file(dir / "sym.onnx", opts, {{"x", {7, 4}}});
  ASSERT_TRUE(over.has_value()) << over.error().to_string();
  EXPECT_EQ(over->inputs()[0]->shape(), Shape::of({7, 4}));
  EXPECT_EQ(over->outputs()[0]->shape(), Shape::of({7, 4}));
}

TEST(OnnxImport, PluginRegistersFrontendAndLoads) {
  void* handle = dlopen(NNC_FRONTEND_ONNX_PLUGIN, RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(handle, nullptr) << dlerror();  // never dlclose'd: graphs may hold plugin code
  using DescriptorFn = const nnc_plugin_descriptor* (*)();
  auto fn = reinterpret_cast<DescriptorFn>(dlsym(handle, NNC_PLUGIN_ENTRY_POINT));
  ASSERT_NE(fn, nullptr);
  const nnc_plugin_descriptor* d = fn();
  EXPECT_STREQ(d->name, "frontend_onnx");
  PluginRegistrar registrar(d->name);
  ASSERT_EQ(d->register_fn(&registrar), 0) << registrar.failure().to_string();
  Registry registry;
  ASSERT_TRUE(registrar.commit(registry).is_ok());
  const FrontendEntry* entry = registry.frontend_for_extension(".onnx");
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->info.name, "onnx");
  ASSERT_EQ(entry->info.options.size(), 4u);  // shape_inference, batch, input_shapes, check_ops

  auto options = validate_options(entry->info.options, {{"batch", int64_t{2}}}, "frontend.onnx");
  ASSERT_TRUE(options.has_value()) << options.error().to_string();
  DiagnosticSink sink([](const Diagnostic&) {});
  Context ctx;
  ctx.diagnostics = &sink;
  ctx.base_dir = tiny_cnn_path().parent_path();
  ModelSource src;
  src.path = "tiny_cnn.onnx";  // relative: resolved against ctx.base_dir
  auto g = entry->create()->load(src, *options, ctx);
  ASSERT_TRUE(g.has_value()) << g.error().to_string();
  EXPECT_EQ(g->node_count(), 11u);

  src.path = "no_such_model.onnx";
  auto missing = entry->create()->load(src, *options, ctx);
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(missing.error().message().find("no_such_model.onnx"), std::string::npos);
}

TEST(OnnxImport, FrontendListsEveryUnsupportedOpAtOnce) {
  // tiny_cnn with two ops nnc cannot run, written to a temp file and loaded through the frontend.
  auto g = import_file(tiny_cnn_path());
  ASSERT_TRUE(g.has_value()) << g.error().to_string();
  Value* image = g->find_value("image");
  g->add_node("FancyOp", {image}, {"f1"}, "fancy_a");
  g->add_node("FancyOp", {image}, {"f2"}, "fancy_b");
  g->add_node("Mystery", {image}, {"m"}, "mystery");
  std::filesystem::path file = std::filesystem::temp_directory_path() / ("nnc_unsupported_" + std::to_string(::getpid()) + ".onnx");
  ASSERT_TRUE(write_onnx(*g, file).is_ok());
  onnx_frontend::OnnxFrontend frontend;
  Options options;
  DiagnosticSink sink([](const Diagnostic&) {});
  Context ctx;
  ctx.diagnostics = &sink;
  auto loaded = frontend.load(ModelSource{file, {}, {}}, options, ctx);
  std::filesystem::remove(file);
  ASSERT_FALSE(loaded.has_value());
  const std::string text = loaded.error().to_string();
  EXPECT_EQ(loaded.error().code(), ErrorCode::kUnsupported);
  EXPECT_NE(text.find("FancyOp (nodes 'fancy_a', 'fancy_b')"), std::string::npos) << text;
  EXPECT_NE(text.find("Mystery (node 'mystery')"), std::string::npos) << text;
  EXPECT_NE(text.find("opset ai.onnx"), std::string::npos) << text;
}

}  // namespace
}  // namespace nnc::onnx_test
