// nnc tests: the ONNX importer on broken input: every failure is a Status naming the file, nothing crashes.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <random>

#include "nnc/onnx_writer.h"
#include "nnc/verifier.h"
#include "onnx_test_util.h"

namespace nnc::onnx_test {
namespace {

/// Expects an error of `code` whose message names `file` (by its file name).
void expect_error_naming(const Expected<Graph>& g, ErrorCode code, const fs::path& file) {
  ASSERT_FALSE(g.has_value()) << "import of " << file << " unexpectedly succeeded";
  EXPECT_EQ(g.error().code(), code) << g.error().to_string();
  EXPECT_NE(g.error().message().find(file.filename().string()), std::string::npos) << g.error().to_string();
}

/// A minimal valid model: x[2] -> Relu -> y, built directly in protobuf so tests can break it.
onnx::ModelProto relu_model() {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(17);
  auto* g = m.mutable_graph();
  g->set_name("g");
  auto add_vi = [](onnx::ValueInfoProto* vi, const std::string& name) {
    vi->set_name(name);
    auto* tt = vi->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(onnx::TensorProto::FLOAT);
    tt->mutable_shape()->add_dim()->set_dim_value(2);
  };
  add_vi(g->add_input(), "x");
  add_vi(g->add_output(), "y");
  auto* n = g->add_node();
  n->set_op_type("Relu");
  n->add_input("x");
  n->add_output("y");
  return m;
}

fs::path save(const TempDir& dir, const std::string& name, const onnx::ModelProto& m) {
  write_bytes(dir / name, m.SerializeAsString());
  return dir / name;
}

TEST(OnnxBadInput, MissingFileAndDirectory) {
  TempDir dir;
  expect_error_naming(import_file(dir / "absent.onnx"), ErrorCode::kNotFound, dir / "absent.onnx");
  fs::create_directories(dir / "adir.onnx");
  expect_error_naming(import_file(dir / "adir.onnx"), ErrorCode::kInvalidArgument, dir / "adir.onnx");
}

TEST(OnnxBadInput, EmptyFile) {
  TempDir dir;
  write_bytes(dir / "empty.onnx", "");
  auto g = import_file(dir / "empty.onnx");
  expect_error_naming(g, ErrorCode::kParseError, dir / "empty.onnx");
  EXPECT_NE(g.error().message().find("not a valid ONNX model"), std::string::npos);
  EXPECT_FALSE(g.error().hint().empty());
}

TEST(OnnxBadInput, TruncatedFile) {
  TempDir dir;
  const std::string bytes = read_bytes(tiny_cnn_path());
  ASSERT_GT(bytes.size(), 100u);
  for (size_t keep : {bytes.size() / 2, bytes.size() - 3, size_t{7}}) {
    write_bytes(dir / "cut.onnx", bytes.substr(0, keep));
    auto g = import_file(dir / "cut.onnx");
    expect_error_naming(g, ErrorCode::kParseError, dir / "cut.onnx");
    EXPECT_NE(g.error().to_string().find("re-export the model"), std::string::npos) << g.error().to_string();
  }
}

TEST(OnnxBadInput, RandomBytes) {
  TempDir dir;
  std::mt19937 gen(1234);
  for (int round = 0; round < 20; ++round) {
    std::string junk(64 + static_cast<size_t>(round) * 97, '\0');
    for (char& c : junk) c = static_cast<char>(gen() & 0xff);
    write_bytes(dir / "junk.onnx", junk);
    expect_error_naming(import_file(dir / "junk.onnx"), ErrorCode::kParseError, dir / "junk.onnx");
  }
  write_bytes(dir / "text.onnx", "this is a text file, not a model\n");
  expect_error_naming(import_file(dir / "text.onnx"), ErrorCode::kParseError, dir / "text.onnx");
}

TEST(OnnxBadInput, ModelWithoutGraph) {
  TempDir dir;
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.set_producer_name("nothing");
  auto g = import_file(save(dir, "nograph.onnx", m));
  expect_error_naming(g, ErrorCode::kParseError, dir / "nograph.onnx");
  EXPECT_NE(g.error().message().find("no graph"), std::string::npos);
}

TEST(OnnxBadInput, UndefinedNodeInput) {
  TempDir dir;
  onnx::ModelProto m = relu_model();
  m.mutable_graph()->mutable_node(0)->set_input(0, "xx");
  m.mutable_graph()->mutable_node(0)->set_name("the_relu");
  DiagnosticSink sink([](const Diagnostic&) {});
  auto g = import_file(save(dir, "undef.onnx", m), {}, {}, &sink);
  expect_error_naming(g, ErrorCode::kParseError, dir / "undef.onnx");
  const std::string msg = g.error().message();
  EXPECT_NE(msg.find("'the_relu'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'xx'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("did you mean 'x'"), std::string::npos) << msg;
}

TEST(OnnxBadInput, UndefinedGraphOutputAndDuplicateDefinition) {
  TempDir dir;
  onnx::ModelProto m = relu_model();
  m.mutable_graph()->mutable_output(0)->set_name("z");
  expect_error_naming(import_file(save(dir, "out.onnx", m)), ErrorCode::kParseError, dir / "out.onnx");

  onnx::ModelProto twice = relu_model();
  *twice.mutable_graph()->add_node() = twice.graph().node(0);  // y produced twice
  auto g = import_file(save(dir, "twice.onnx", twice));
  expect_error_naming(g, ErrorCode::kParseError, dir / "twice.onnx");
  EXPECT_NE(g.error().message().find("defined twice"), std::string::npos) << g.error().message();
}

TEST(OnnxBadInput, CycleImportsAndIsLeftToTheVerifier) {
  TempDir dir;
  onnx::ModelProto m = relu_model();
  auto* g = m.mutable_graph();
  // y = Add(x, b); b = Relu(y): a cycle, nodes not in topological order.
  g->mutable_node(0)->set_op_type("Add");
  g->mutable_node(0)->add_input("b");
  auto* n2 = g->add_node();
  n2->set_op_type("Relu");
  n2->add_input("y");
  n2->add_output("b");
  DiagnosticSink sink([](const Diagnostic&) {});
  auto imported = import_file(save(dir, "cycle.onnx", m), {}, {}, &sink);
  ASSERT_TRUE(imported.has_value()) << imported.error().to_string();
  EXPECT_EQ(imported->node_count(), 2u);
  EXPECT_FALSE(verify_graph(*imported).is_ok());
  EXPECT_TRUE(serialize_onnx(*imported).has_value());  // written in insertion order, no crash
}

TEST(OnnxBadInput, UnsupportedInitializerTypesNameTheTensor) {
  TempDir dir;
  for (auto type : {onnx::TensorProto::COMPLEX128, onnx::TensorProto::COMPLEX64, onnx::TensorProto::STRING}) {
    onnx::ModelProto m = relu_model();
    auto* t = m.mutable_graph()->add_initializer();
    t->set_name("odd_weight");
    t->set_data_type(type);
    t->add_dims(1);
    t->set_raw_data(std::string(16, '\0'));
    auto g = import_file(save(dir, "odd.onnx", m));
    expect_error_naming(g, ErrorCode::kUnsupported, dir / "odd.onnx");
    EXPECT_NE(g.error().message().find("'odd_weight'"), std::string::npos) << g.error().message();
  }
}

TEST(OnnxBadInput, TensorDataSizeMismatch) {
  TempDir dir;
  onnx::ModelProto m = relu_model();
  auto* t = m.mutable_graph()->add_initializer();
  t->set_name("w");
  t->set_data_type(onnx::TensorProto::FLOAT);
  t->add_dims(4);
  t->set_raw_data(std::string(12, '\0'));  // 3 floats, not 4
  expect_error_naming(import_file(save(dir, "short.onnx", m)), ErrorCode::kParseError, dir / "short.onnx");
  t->clear_raw_data();
  t->add_float_data(1.0f);
  expect_error_naming(import_file(save(dir, "typed.onnx", m)), ErrorCode::kParseError, dir / "typed.onnx");
  t->clear_float_data();
  t->set_dims(0, -4);
  expect_error_naming(import_file(save(dir, "neg.onnx", m)), ErrorCode::kParseError, dir / "neg.onnx");
}

TEST(OnnxBadInput, TypedFieldsAndDoubleImport) {
  TempDir dir;
  onnx::ModelProto m = relu_model();
  auto* d = m.mutable_graph()->add_initializer();
  d->set_name("d");
  d->set_data_type(onnx::TensorProto::DOUBLE);
  d->add_dims(2);
  d->add_double_data(1.5);
  d->add_double_data(-2.0);
  auto* h = m.mutable_graph()->add_initializer();
  h->set_name("h");
  h->set_data_type(onnx::TensorProto::FLOAT16);
  h->add_dims(1);
  h->add_int32_data(0x3c00);  // 1.0 in half precision
  auto g = import_file(save(dir, "typed.onnx", m));
  ASSERT_TRUE(g.has_value()) << g.error().to_string();
  const Tensor* dt = g->find_value("d")->constant();
  EXPECT_EQ(dt->dtype(), DType::kF64);
  EXPECT_EQ(dt->data<double>()[0], 1.5);
  EXPECT_EQ(dt->data<double>()[1], -2.0);
  EXPECT_EQ(g->find_value("h")->constant()->data<uint16_t>()[0], 0x3c00);
}

/// UINT16 lives in int32_data, UINT32 and UINT64 in uint64_data (values beyond int64 included).
TEST(OnnxBadInput, TypedUnsignedFields) {
  TempDir dir;
  onnx::ModelProto m = relu_model();
  auto add = [&](const char* name, onnx::TensorProto::DataType type) {
    auto* t = m.mutable_graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(type);
    t->add_dims(2);
    return t;
  };
  auto* u16 = add("u16", onnx::TensorProto::UINT16);
  u16->add_int32_data(65535);
  u16->add_int32_data(7);
  auto* u32 = add("u32", onnx::TensorProto::UINT32);
  u32->add_uint64_data(4294967295u);
  u32->add_uint64_data(1);
  auto* u64 = add("u64", onnx::TensorProto::UINT64);
  u64->add_uint64_data(18446744073709551615ull);
  u64->add_uint64_data(9223372036854775808ull);
  auto g = import_file(save(dir, "unsigned.onnx", m));
  ASSERT_TRUE(g.has_value()) << g.error().to_string();
  const Tensor* a = g->find_value("u16")->constant();
  EXPECT_EQ(a->dtype(), DType::kU16);
  EXPECT_EQ(a->data<uint16_t>()[0], 65535);
  EXPECT_EQ(a->data<uint16_t>()[1], 7);
  const Tensor* b = g->find_value("u32")->constant();
  EXPECT_EQ(b->dtype(), DType::kU32);
  EXPECT_EQ(b->data<uint32_t>()[0], 4294967295u);
  const Tensor* c = g->find_value("u64")->constant();
  EXPECT_EQ(c->dtype(), DType::kU64);
  EXPECT_EQ(c->data<uint64_t>()[0], 18446744073709551615ull);
  EXPECT_EQ(c->data<uint64_t>()[1], 9223372036854775808ull);
  // Too few typed values is a parse error naming the file, as for the other dtypes.
  u64->clear_uint64_data();
  u64->add_uint64_data(1);
  expect_error_naming(import_file(save(dir, "short_u64.onnx", m)), ErrorCode::kParseError, dir / "short_u64.onnx");
}

/// A sequence / optional graph input or output is a clear error naming the value and its kind.
TEST(OnnxBadInput, NonTensorValuesNameTheirType) {
  TempDir dir;
  onnx::ModelProto m = relu_model();
  auto* in = m.mutable_graph()->mutable_input(0);
  in->mutable_type()->mutable_sequence_type()->mutable_elem_type()->mutable_tensor_type()->set_elem_type(
      onnx::TensorProto::FLOAT);
  auto g = import_file(save(dir, "seq.onnx", m));
  expect_error_naming(g, ErrorCode::kUnsupported, dir / "seq.onnx");
  EXPECT_NE(g.error().message().find("input 'x'"), std::string::npos) << g.error().message();
  EXPECT_NE(g.error().message().find("has type seq(tensor(FLOAT)); nnc's IR holds tensors only"), std::string::npos) << g.error().message();

  onnx::ModelProto o = relu_model();
  o.mutable_graph()->mutable_output(0)->mutable_type()->mutable_optional_type()->mutable_elem_type()
      ->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
  auto go = import_file(save(dir, "opt.onnx", o));
  expect_error_naming(go, ErrorCode::kUnsupported, dir / "opt.onnx");
  EXPECT_NE(go.error().message().find("output 'y'"), std::string::npos) << go.error().message();
  EXPECT_NE(go.error().message().find("has type optional(tensor(FLOAT))"), std::string::npos) << go.error().message();

  onnx::ModelProto s = relu_model();
  s.mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::STRING);
  auto gs = import_file(save(dir, "str.onnx", s));
  expect_error_naming(gs, ErrorCode::kUnsupported, dir / "str.onnx");
  EXPECT_NE(gs.error().message().find("input 'x'"), std::string::npos) << gs.error().message();
  EXPECT_NE(gs.error().message().find("STRING"), std::string::npos) << gs.error().message();
}

TEST(OnnxBadInput, MissingOrShortExternalData) {
  TempDir dir;
  OnnxWriteOptions opts;
  opts.large_constants_external = true;
  ASSERT_TRUE(write_onnx(make_feature_graph(), dir / "ext.onnx", opts).is_ok());
  const std::string data = read_bytes(dir / "ext.onnx.data");
  write_bytes(dir / "ext.onnx.data", data.substr(0, data.size() / 2));
  auto short_data = import_file(dir / "ext.onnx", exact_options());
  expect_error_naming(short_data, ErrorCode::kParseError, dir / "ext.onnx");
  EXPECT_NE(short_data.error().message().find("'big_f32'"), std::string::npos) << short_data.error().message();
  EXPECT_NE(short_data.error().message().find("ext.onnx.data"), std::string::npos);

  fs::remove(dir / "ext.onnx.data");
  auto missing = import_file(dir / "ext.onnx", exact_options());
  expect_error_naming(missing, ErrorCode::kNotFound, dir / "ext.onnx");
  EXPECT_NE(missing.error().message().find("'big_f32'"), std::string::npos) << missing.error().message();
  EXPECT_NE(missing.error().message().find("ext.onnx.data"), std::string::npos);
}

TEST(OnnxBadInput, ExternalDataOutsideTheModelDirectoryIsRefused) {
  TempDir dir;
  onnx::ModelProto m = relu_model();
  auto* t = m.mutable_graph()->add_initializer();
  t->set_name("w");
  t->set_data_type(onnx::TensorProto::FLOAT);
  t->add_dims(1);
  t->set_data_location(onnx::TensorProto::EXTERNAL);
  auto* kv = t->add_external_data();
  kv->set_key("location");
  kv->set_value("../../etc/passwd");
  auto g = import_file(save(dir, "escape.onnx", m));
  expect_error_naming(g, ErrorCode::kInvalidArgument, dir / "escape.onnx");
}

TEST(OnnxBadInput, ShapeInferenceFailureIsAWarning) {
  TempDir dir;
  onnx::ModelProto m = relu_model();
  // Declared output shape conflicts with what inference computes ([2] vs [5]).
  m.mutable_graph()->mutable_output(0)->mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim(0)->set_dim_value(5);
  int warnings = 0;
  DiagnosticSink sink([&](const Diagnostic& d) { warnings += d.severity == Severity::kWarning; });
  auto g = import_file(save(dir, "conflict.onnx", m), {}, {}, &sink);
  ASSERT_TRUE(g.has_value()) << g.error().to_string();
  EXPECT_EQ(sink.warning_count(), 1);
  EXPECT_EQ(g->outputs()[0]->shape(), Shape::of({5}));  // the model's declaration is kept
}

}  // namespace
}  // namespace nnc::onnx_test
