// nnc tests: helper binary for the TFLite checks in Python: run a .tflite with nnc, or re-write it with nnc's writer.
//   nnc_tflite_tool run MODEL OUTDIR [IN0.npy ...]   -> OUTDIR/out<i>.npy per graph output (file order)
//   nnc_tflite_tool rewrite IN.tflite OUT.tflite     -> import, then write with nnc's .tflite writer
//   nnc_tflite_tool onnx IN.tflite OUT.onnx         -> import, then write the IR (QDQ) as ONNX
//   nnc_tflite_tool quant MODEL -                    -> "<scale> <zero point> <dtype>" per graph input (1.0 0 for float)
#include <cstdio>
#include <iostream>
#include <map>

#include "nnc/executor.h"
#include "nnc/npy.h"
#include "nnc/onnx_writer.h"
#include "tflite_importer.h"
#include "tflite_model.h"
#include "tflite_writer.h"

namespace {

int fail(const nnc::Status& s) {
  std::cerr << s.to_string() << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << "usage: nnc_tflite_tool run MODEL OUTDIR [IN.npy ...] | rewrite IN.tflite OUT.tflite\n";
    return 2;
  }
  const std::string cmd = argv[1];
  if (cmd == "names") {  // graph input names, one a line
    auto m = nnc::tflite_frontend::TfliteModel::load_file(argv[2]);
    if (!m) return fail(m.error());
    for (int32_t t : *(*m)->subgraph().inputs()) std::printf("%s\n", (*m)->tensor_name(t).c_str());
    return 0;
  }
  if (cmd == "quant") {
    auto m = nnc::tflite_frontend::TfliteModel::load_file(argv[2]);
    if (!m) return fail(m.error());
    const auto& sg = (*m)->subgraph();
    for (int32_t t : *sg.inputs()) {
      const auto* ten = sg.tensors()->Get(static_cast<uint32_t>(t));
      const auto* q = ten->quantization();
      const bool has = q && q->scale() && q->scale()->size() == 1;
      std::printf("%.9g %lld %s\n", has ? q->scale()->Get(0) : 1.0, has && q->zero_point() ? static_cast<long long>(q->zero_point()->Get(0)) : 0LL,
                  nnc::tflite_fb::EnumNameTensorType(ten->type()));
    }
    return 0;
  }
  nnc::ModelSource src;
  src.path = argv[2];
  nnc::Expected<nnc::Graph> g = nnc::tflite_frontend::import_tflite_file(src, {}, nullptr);
  if (!g) return fail(g.error());
  if (cmd == "rewrite") {
    nnc::Status s = nnc::tflite_frontend::write_tflite(*g, argv[3]);
    return s.is_ok() ? 0 : fail(s);
  }
  if (cmd == "onnx") {
    nnc::Status s = nnc::write_onnx(*g, argv[3]);
    return s.is_ok() ? 0 : fail(s);
  }
  if (cmd != "run") return 2;
  auto exec = nnc::ReferenceExecutor::create(*g);
  if (!exec) return fail(exec.error());
  std::map<std::string, nnc::Tensor> inputs;
  for (size_t i = 0; i < g->inputs().size(); ++i) {
    if (4 + static_cast<int>(i) >= argc) {
      std::cerr << "missing input file for '" << g->inputs()[i]->name() << "'\n";
      return 2;
    }
    auto t = nnc::read_npy(argv[4 + i]);
    if (!t) return fail(t.error());
    inputs[g->inputs()[i]->name()] = std::move(*t);
  }
  auto out = (*exec)->run(inputs);
  if (!out) return fail(out.error());
  for (size_t i = 0; i < g->outputs().size(); ++i) {
    const std::string path = std::string(argv[3]) + "/out" + std::to_string(i) + ".npy";
    nnc::Status s = nnc::write_npy(path, out->at(g->outputs()[i]->name()));
    if (!s.is_ok()) return fail(s);
  }
  return 0;
}
