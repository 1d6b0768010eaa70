// nnc tests: `nnc_onnx_rewrite IN.onnx OUT.onnx [--inputs A,B --outputs C] [--external-data]`: ONNX -> nnc IR -> ONNX.
// Used by writer_proof.py to check nnc's ONNX writer with onnx.checker, ONNX Runtime and nnc itself.
#include <cstdio>
#include <string>
#include <vector>

#include "nnc/graph_algorithms.h"
#include "nnc/onnx_writer.h"
#include "onnx_importer.h"

namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(sep, start);
    if (end == std::string::npos) end = s.size();
    if (end > start) parts.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

int fail(const nnc::Status& s) {
  std::fprintf(stderr, "%s\n", s.to_string().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> positional;
  std::string cut_inputs, cut_outputs;
  nnc::OnnxWriteOptions write_options;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--inputs" && i + 1 < argc) cut_inputs = argv[++i];
    else if (a == "--outputs" && i + 1 < argc) cut_outputs = argv[++i];
    else if (a == "--external-data") write_options.large_constants_external = true;
    else positional.push_back(a);
  }
  if (positional.size() != 2 || cut_inputs.empty() != cut_outputs.empty()) {
    std::fprintf(stderr, "usage: %s IN.onnx OUT.onnx [--inputs IN1,IN2 --outputs OUT1,OUT2] [--external-data]\n"
                 "  --inputs/--outputs: write only the subgraph between these values (nnc::extract_subgraph)\n", argv[0]);
    return 2;
  }
  nnc::DiagnosticSink diag;
  nnc::ModelSource src;
  src.path = positional[0];
  nnc::Expected<nnc::Graph> g = nnc::onnx_frontend::import_onnx_file(src, {}, &diag);
  if (!g) return fail(g.error());
  nnc::Graph out = std::move(*g);
  if (!cut_outputs.empty()) {
    nnc::Expected<nnc::Graph> sub = nnc::extract_subgraph(out, split(cut_inputs, ','), split(cut_outputs, ','));
    if (!sub) return fail(sub.error());
    out = std::move(*sub);
  }
  if (nnc::Status s = nnc::write_onnx(out, positional[1], write_options); !s.is_ok()) return fail(s);
  std::printf("wrote %s: %zu nodes, %zu inputs, %zu outputs\n", positional[1].c_str(), out.node_count(),
              out.inputs().size(), out.outputs().size());
  return 0;
}
