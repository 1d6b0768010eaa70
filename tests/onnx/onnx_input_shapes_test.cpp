// nnc tests: the frontend's mx_nc-style input_shapes option: parsing, layout mapping, and import of symbolic models.
#include <gtest/gtest.h>

#include "input_shape_spec.h"
#include "nnc/onnx_writer.h"
#include "onnx_importer.h"
#include "onnx_test_util.h"

namespace nnc::onnx_test {
namespace {

using onnx_frontend::DeclaredDim;
using onnx_frontend::DeclaredInput;
using onnx_frontend::MappedLayout;
using onnx_frontend::map_channel_last_shape;
using onnx_frontend::parse_input_shapes_spec;

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

/// Declared input from a compact list: numbers are fixed dims, names symbols, "?" unknown.
DeclaredInput decl(const std::string& name, const std::vector<std::string>& dims) {
  DeclaredInput in{name, std::vector<DeclaredDim>{}};
  for (const auto& d : dims) {
    DeclaredDim dd;
    if (!d.empty() && std::isdigit(static_cast<unsigned char>(d[0]))) dd.value = std::stoll(d);
    else if (d != "?") dd.symbol = d;
    in.dims->push_back(dd);
  }
  return in;
}

Expected<onnx_frontend::MappedShape> map(const DeclaredInput& in, const std::string& text, int64_t batch = 1) {
  auto spec = parse_input_shapes_spec(text, "test");
  EXPECT_TRUE(spec.has_value()) << spec.error().to_string();
  EXPECT_EQ(spec->per_input.size(), 1u);
  return map_channel_last_shape(in, *spec->per_input[0], text, batch, "m.onnx");
}

// ---- parsing ----

TEST(InputShapesSpec, ParsesAutoShapesAndPerInputEntries) {
  auto a = parse_input_shapes_spec(" auto ", "w");
  ASSERT_TRUE(a.has_value());
  EXPECT_TRUE(a->all_auto);
  EXPECT_TRUE(a->per_input.empty());

  auto one = parse_input_shapes_spec("224, 224,3", "w");
  ASSERT_TRUE(one.has_value()) << one.error().to_string();
  EXPECT_FALSE(one->all_auto);
  ASSERT_EQ(one->per_input.size(), 1u);
  EXPECT_EQ(*one->per_input[0], (std::vector<int64_t>{224, 224, 3}));

  auto two = parse_input_shapes_spec("auto;300,300,3", "w");
  ASSERT_TRUE(two.has_value()) << two.error().to_string();
  ASSERT_EQ(two->per_input.size(), 2u);
  EXPECT_FALSE(two->per_input[0].has_value());
  EXPECT_EQ(*two->per_input[1], (std::vector<int64_t>{300, 300, 3}));
  EXPECT_EQ(two->texts[1], "300,300,3");
}

TEST(InputShapesSpec, BadStringsAreClearErrors) {
  struct Case {
    const char* text;
    const char* says;
  };
  for (const Case& c : {Case{"224,x,3", "'x' in '224,x,3' is not a whole number"}, Case{"", "empty"},
                        Case{"  ", "empty"}, Case{"224,-3,3", "dim -3 in '224,-3,3' is not positive"},
                        Case{"0,1", "dim 0"}, Case{"1,,2", "empty dim"}, Case{"224,224,3;", "entry 2 is empty"},
                        Case{"99999999999999999999", "not a whole number"}, Case{"1.5", "not a whole number"},
                        Case{"224x224x3", "not a whole number"}}) {
    auto r = parse_input_shapes_spec(c.text, "frontend option input_shapes");
    ASSERT_FALSE(r.has_value()) << c.text;
    EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_TRUE(contains(r.error().message(), c.says)) << c.text << ": " << r.error().message();
    EXPECT_TRUE(contains(r.error().message(), "frontend option input_shapes '" + std::string(c.text) + "'"))
        << r.error().message();
    EXPECT_TRUE(contains(r.error().hint(), "224,224,3")) << r.error().hint();
  }
}

// ---- mapping ----

TEST(InputShapesMapping, ChannelFirstModelGetsNchw) {
  auto m = map(decl("x", {"N", "3", "H", "W"}), "224,200,3");
  ASSERT_TRUE(m.has_value()) << m.error().to_string();
  EXPECT_EQ(m->dims, (std::vector<int64_t>{1, 3, 224, 200}));
  EXPECT_EQ(m->layout, MappedLayout::kChannelFirst);
  EXPECT_TRUE(m->note.empty());

  auto fixed = map(decl("x", {"1", "3", "224", "224"}), "224,224,3");
  ASSERT_TRUE(fixed.has_value()) << fixed.error().to_string();
  EXPECT_EQ(fixed->dims, (std::vector<int64_t>{1, 3, 224, 224}));
}

TEST(InputShapesMapping, ChannelLastModelGetsNhwc) {
  auto m = map(decl("img", {"N", "224", "224", "3"}), "224,224,3");
  ASSERT_TRUE(m.has_value()) << m.error().to_string();
  EXPECT_EQ(m->dims, (std::vector<int64_t>{1, 224, 224, 3}));
  EXPECT_EQ(m->layout, MappedLayout::kChannelLast);

  auto sym = map(decl("img", {"N", "H", "W", "3"}), "100,120,3");
  ASSERT_TRUE(sym.has_value()) << sym.error().to_string();
  EXPECT_EQ(sym->dims, (std::vector<int64_t>{1, 100, 120, 3}));
}

TEST(InputShapesMapping, AmbiguousLayoutUsesSymbolNamesElseChannelFirstWithNote) {
  auto named_last = map(decl("x", {"batch", "height", "width", "channels"}), "32,48,3");
  ASSERT_TRUE(named_last.has_value());
  EXPECT_EQ(named_last->dims, (std::vector<int64_t>{1, 32, 48, 3}));
  EXPECT_TRUE(named_last->note.empty());

  auto named_first = map(decl("x", {"N", "C", "H", "W"}), "32,48,3");
  ASSERT_TRUE(named_first.has_value());
  EXPECT_EQ(named_first->dims, (std::vector<int64_t>{1, 3, 32, 48}));
  EXPECT_TRUE(named_first->note.empty());

  auto anon = map(decl("x", {"?", "?", "?", "?"}), "32,48,3");
  ASSERT_TRUE(anon.has_value());
  EXPECT_EQ(anon->dims, (std::vector<int64_t>{1, 3, 32, 48}));
  EXPECT_TRUE(contains(anon->note, "either layout")) << anon->note;
  EXPECT_TRUE(contains(anon->note, "input 'x'")) << anon->note;

  // Equal sizes make both layouts the same: no guess, no note.
  auto cube = map(decl("x", {"?", "?", "?", "?"}), "3,3,3");
  ASSERT_TRUE(cube.has_value());
  EXPECT_TRUE(cube->note.empty());
}

TEST(InputShapesMapping, BatchComesFromTheModelOrTheBatchOption) {
  auto four = map(decl("x", {"N", "3", "H", "W"}), "8,8,3", 4);
  ASSERT_TRUE(four.has_value());
  EXPECT_EQ(four->dims, (std::vector<int64_t>{4, 3, 8, 8}));
  auto fixed = map(decl("x", {"2", "3", "H", "W"}), "8,8,3", 4);
  ASSERT_TRUE(fixed.has_value());
  EXPECT_EQ(fixed->dims, (std::vector<int64_t>{2, 3, 8, 8}));
  auto unset = map(decl("x", {"N", "3", "H", "W"}), "8,8,3", 0);
  ASSERT_TRUE(unset.has_value());
  EXPECT_EQ(unset->dims, (std::vector<int64_t>{1, 3, 8, 8}));
}

TEST(InputShapesMapping, RankOneTwoAndThree) {
  auto r1 = map(decl("v", {"10"}), "10");
  ASSERT_TRUE(r1.has_value());
  EXPECT_EQ(r1->dims, (std::vector<int64_t>{10}));
  auto r2 = map(decl("f", {"N", "F"}), "7");
  ASSERT_TRUE(r2.has_value());
  EXPECT_EQ(r2->dims, (std::vector<int64_t>{1, 7}));
  auto seq = map(decl("tokens", {"N", "T", "768"}), "128,768");
  ASSERT_TRUE(seq.has_value());
  EXPECT_EQ(seq->dims, (std::vector<int64_t>{1, 128, 768}));
  EXPECT_EQ(seq->layout, MappedLayout::kChannelLast);
  auto ncl = map(decl("signal", {"N", "3", "L"}), "100,3");
  ASSERT_TRUE(ncl.has_value());
  EXPECT_EQ(ncl->dims, (std::vector<int64_t>{1, 3, 100}));
  EXPECT_EQ(ncl->layout, MappedLayout::kChannelFirst);

  auto bad2 = map(decl("f", {"N", "10"}), "11");
  ASSERT_FALSE(bad2.has_value());
  EXPECT_TRUE(contains(bad2.error().message(), "input 'f'")) << bad2.error().message();
  EXPECT_TRUE(contains(bad2.error().message(), "[N, 10]")) << bad2.error().message();
  EXPECT_TRUE(contains(bad2.error().hint(), "\"10\"")) << bad2.error().hint();
}

TEST(InputShapesMapping, ContradictionsAndWrongCountsNameInputDimsAndText) {
  auto wrong_c = map(decl("x", {"1", "3", "224", "224"}), "224,224,4");
  ASSERT_FALSE(wrong_c.has_value());
  const std::string msg = wrong_c.error().message();
  EXPECT_TRUE(contains(msg, "'224,224,4'")) << msg;
  EXPECT_TRUE(contains(msg, "input 'x' of 'm.onnx'")) << msg;
  EXPECT_TRUE(contains(msg, "[1, 3, 224, 224]")) << msg;
  EXPECT_EQ(wrong_c.error().location().object, "input 'x'");
  EXPECT_TRUE(contains(wrong_c.error().hint(), "\"224,224,3\"")) << wrong_c.error().hint();

  auto nhwc_fixed = map(decl("x", {"1", "224", "224", "3"}), "224,224,4");
  ASSERT_FALSE(nhwc_fixed.has_value());
  EXPECT_TRUE(contains(nhwc_fixed.error().hint(), "\"224,224,3\"")) << nhwc_fixed.error().hint();

  auto count = map(decl("x", {"N", "3", "H", "W"}), "224,224");
  ASSERT_FALSE(count.has_value());
  EXPECT_TRUE(contains(count.error().message(), "3 are expected")) << count.error().message();
  EXPECT_TRUE(contains(count.error().hint(), "\"H,W,3\"")) << count.error().hint();

  auto with_batch = map(decl("x", {"N", "3", "H", "W"}), "1,224,224,3");
  ASSERT_FALSE(with_batch.has_value());
  EXPECT_TRUE(contains(with_batch.error().message(), "without the batch")) << with_batch.error().message();

  auto repeated = map(decl("x", {"N", "3", "S", "S"}), "224,320,3");
  ASSERT_FALSE(repeated.has_value());
  EXPECT_TRUE(contains(repeated.error().message(), "[N, 3, S, S]")) << repeated.error().message();

  DeclaredInput scalar{"s", std::vector<DeclaredDim>{}};
  auto sc = map(scalar, "1");
  ASSERT_FALSE(sc.has_value());
  EXPECT_TRUE(contains(sc.error().message(), "scalar")) << sc.error().message();
}

TEST(InputShapesMapping, UnknownRankIsReadChannelLastAndMappedChannelFirst) {
  auto m = map(DeclaredInput{"x", std::nullopt}, "32,48,3");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->dims, (std::vector<int64_t>{1, 3, 32, 48}));
  EXPECT_TRUE(contains(m->note, "declares no rank")) << m->note;
}

// ---- import of models with symbolic inputs ----

/// x[N,3,H,W] -> Conv(4x3x3x3, pad 1) -> y[N,4,H,W] -> GlobalAveragePool -> z[N,4,1,1]
Graph symbolic_nchw_graph() {
  Graph g("sym_nchw");
  g.opsets()[""] = 17;
  Value* x = g.add_value("x", DType::kF32, Shape{Dim::symbolic("N"), 3, Dim::symbolic("H"), Dim::symbolic("W")});
  g.add_input(x);
  std::vector<float> w(4 * 3 * 3 * 3);
  for (size_t i = 0; i < w.size(); ++i) w[i] = 0.01f * static_cast<float>(i % 7);
  Value* wv = g.add_constant("w", Tensor::from_vector<float>(w, {4, 3, 3, 3}));
  Node* conv = g.add_node("Conv", {x, wv}, {"y"}, "conv");
  conv->set_attribute("pads", std::vector<int64_t>{1, 1, 1, 1});
  conv->set_attribute("kernel_shape", std::vector<int64_t>{3, 3});
  conv->output(0)->set_dtype(DType::kF32);
  conv->output(0)->set_shape(Shape{Dim::symbolic("N"), 4, Dim::symbolic("H"), Dim::symbolic("W")});
  Node* gap = g.add_node("GlobalAveragePool", {conv->output(0)}, {"z"}, "gap");
  gap->output(0)->set_dtype(DType::kF32);
  gap->output(0)->set_shape(Shape{Dim::symbolic("N"), 4, 1, 1});
  g.add_output(gap->output(0));
  return g;
}

/// img[N,H,W,3] -> Transpose(0,3,1,2) -> t -> Relu -> y;  feat[N,F] -> Relu -> f
Graph symbolic_nhwc_two_input_graph() {
  Graph g("sym_nhwc");
  g.opsets()[""] = 17;
  Value* img = g.add_value("img", DType::kF32, Shape{Dim::symbolic("N"), Dim::symbolic("H"), Dim::symbolic("W"), 3});
  Value* feat = g.add_value("feat", DType::kF32, Shape{Dim::symbolic("N"), Dim::symbolic("F")});
  g.add_input(img);
  g.add_input(feat);
  Node* tr = g.add_node("Transpose", {img}, {"t"}, "to_nchw");
  tr->set_attribute("perm", std::vector<int64_t>{0, 3, 1, 2});
  tr->output(0)->set_dtype(DType::kF32);
  Node* relu = g.add_node("Relu", {tr->output(0)}, {"y"}, "relu");
  relu->output(0)->set_dtype(DType::kF32);
  Node* relu2 = g.add_node("Relu", {feat}, {"f"}, "relu2");
  relu2->output(0)->set_dtype(DType::kF32);
  g.add_output(relu->output(0));
  g.add_output(relu2->output(0));
  return g;
}

void expect_all_static(const Graph& g) {
  for (const Value* v : g.values())
    EXPECT_TRUE(v->shape().has_rank() && v->shape().is_static()) << v->name() << " " << v->shape().str();
}

Expected<Graph> import_with(const fs::path& p, const std::string& shapes, int64_t batch = 1,
                            DiagnosticSink* diag = nullptr) {
  onnx_frontend::ImportOptions o;
  o.input_shapes = shapes;
  o.batch = batch;
  return import_file(p, o, {}, diag);
}

TEST(OnnxInputShapes, SymbolicNchwModelGetsConcreteShapesEverywhere) {
  TempDir dir;
  ASSERT_TRUE(write_onnx(symbolic_nchw_graph(), dir / "m.onnx").is_ok());
  auto g = import_with(dir / "m.onnx", "32,48,3");
  ASSERT_TRUE(g.has_value()) << g.error().to_string();
  EXPECT_EQ(g->inputs()[0]->shape(), Shape::of({1, 3, 32, 48}));
  EXPECT_EQ(g->find_value("y")->shape(), Shape::of({1, 4, 32, 48}));
  EXPECT_EQ(g->outputs()[0]->shape(), Shape::of({1, 4, 1, 1}));
  expect_all_static(*g);

  auto b2 = import_with(dir / "m.onnx", "16,16,3", 2);
  ASSERT_TRUE(b2.has_value()) << b2.error().to_string();
  EXPECT_EQ(b2->find_value("y")->shape(), Shape::of({2, 4, 16, 16}));

  // "auto" leaves H and W symbolic (only the batch option applies).
  auto kept = import_with(dir / "m.onnx", "auto");
  ASSERT_TRUE(kept.has_value());
  EXPECT_EQ(kept->inputs()[0]->shape(), (Shape{1, 3, Dim::symbolic("H"), Dim::symbolic("W")}));

  auto bad = import_with(dir / "m.onnx", "32,48,4");
  ASSERT_FALSE(bad.has_value());
  EXPECT_TRUE(contains(bad.error().message(), "'32,48,4'")) << bad.error().message();
  EXPECT_TRUE(contains(bad.error().message(), "[N, 3, H, W]")) << bad.error().message();
  EXPECT_TRUE(contains(bad.error().message(), "input 'x'")) << bad.error().message();

  auto junk = import_with(dir / "m.onnx", "32,x,3");
  ASSERT_FALSE(junk.has_value());
  EXPECT_TRUE(contains(junk.error().message(), "frontend option input_shapes '32,x,3'")) << junk.error().message();
  EXPECT_EQ(junk.error().location().file, (dir / "m.onnx").string());
}

TEST(OnnxInputShapes, MultiInputModelTakesOneEntryPerInputInOrder) {
  TempDir dir;
  ASSERT_TRUE(write_onnx(symbolic_nhwc_two_input_graph(), dir / "two.onnx").is_ok());
  auto g = import_with(dir / "two.onnx", "20,24,3;10");
  ASSERT_TRUE(g.has_value()) << g.error().to_string();
  EXPECT_EQ(g->find_value("img")->shape(), Shape::of({1, 20, 24, 3}));
  EXPECT_EQ(g->find_value("t")->shape(), Shape::of({1, 3, 20, 24}));
  EXPECT_EQ(g->find_value("f")->shape(), Shape::of({1, 10}));
  expect_all_static(*g);

  auto half = import_with(dir / "two.onnx", "auto;10");
  ASSERT_TRUE(half.has_value()) << half.error().to_string();
  EXPECT_EQ(half->find_value("feat")->shape(), Shape::of({1, 10}));
  EXPECT_FALSE(half->find_value("img")->shape().is_static());

  auto one = import_with(dir / "two.onnx", "20,24,3");
  ASSERT_FALSE(one.has_value());
  EXPECT_TRUE(contains(one.error().message(), "gives 1 shape(s)")) << one.error().message();
  EXPECT_TRUE(contains(one.error().message(), "2 input(s) 'img', 'feat'")) << one.error().message();

  // A by-name override ([[models]] input_shapes / --input-shape) and an entry for the same input clash.
  onnx_frontend::ImportOptions o;
  o.input_shapes = "20,24,3;10";
  auto both = import_file(dir / "two.onnx", o, {{"feat", {1, 10}}});
  ASSERT_FALSE(both.has_value());
  EXPECT_TRUE(contains(both.error().message(), "input 'feat'")) << both.error().message();
  o.input_shapes = "20,24,3;auto";
  auto split = import_file(dir / "two.onnx", o, {{"feat", {1, 10}}});
  ASSERT_TRUE(split.has_value()) << split.error().to_string();
  EXPECT_EQ(split->find_value("t")->shape(), Shape::of({1, 3, 20, 24}));
}

TEST(OnnxInputShapes, AmbiguousLayoutWarnsThroughTheSink) {
  Graph g("anon");
  g.opsets()[""] = 17;
  Value* x = g.add_value("x", DType::kF32, Shape{Dim::symbolic("a"), Dim::symbolic("b"), Dim::symbolic("c"), Dim::symbolic("d")});
  g.add_input(x);
  Node* r = g.add_node("Relu", {x}, {"y"}, "relu");
  r->output(0)->set_dtype(DType::kF32);
  g.add_output(r->output(0));
  TempDir dir;
  ASSERT_TRUE(write_onnx(g, dir / "anon.onnx").is_ok());
  std::vector<std::string> warnings;
  DiagnosticSink sink([&](const Diagnostic& d) {
    if (d.severity == Severity::kWarning) warnings.push_back(d.message);
  });
  auto m = import_with(dir / "anon.onnx", "8,6,3", 1, &sink);
  ASSERT_TRUE(m.has_value()) << m.error().to_string();
  EXPECT_EQ(m->outputs()[0]->shape(), Shape::of({1, 3, 8, 6}));
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_TRUE(contains(warnings[0], "either layout")) << warnings[0];
}

TEST(OnnxInputShapes, FrontendReadsTheOption) {
  TempDir dir;
  ASSERT_TRUE(write_onnx(symbolic_nchw_graph(), dir / "m.onnx").is_ok());
  Options options;
  options.set("input_shapes", std::string("10,12,3"));
  options.set("batch", int64_t{1});
  DiagnosticSink sink([](const Diagnostic&) {});
  Context ctx;
  ctx.diagnostics = &sink;
  ModelSource src;
  src.path = dir / "m.onnx";
  auto g = onnx_frontend::OnnxFrontend().load(src, options, ctx);
  ASSERT_TRUE(g.has_value()) << g.error().to_string();
  EXPECT_EQ(g->outputs()[0]->shape(), Shape::of({1, 4, 1, 1}));
  EXPECT_EQ(g->find_value("y")->shape(), Shape::of({1, 4, 10, 12}));
}

}  // namespace
}  // namespace nnc::onnx_test
