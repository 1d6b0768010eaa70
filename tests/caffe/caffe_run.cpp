// nnc tests: caffe_run: imports a Caffe model with chosen output blobs and runs it on .npy inputs (for the OpenCV comparisons).
#include <cstdio>
#include <string>
#include <vector>

#include "caffe_importer.h"
#include "nnc/executor.h"
#include "nnc/npy.h"

// Usage: nnc_caffe_run MODEL.prototxt WEIGHTS.caffemodel|- "blob1,blob2|-" OUTDIR NAME=x.npy...
// Writes OUTDIR/<blob>.npy for each graph output; prints warnings and errors to stderr.
int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: %s MODEL.prototxt WEIGHTS|- OUTPUTS|- OUTDIR NAME=x.npy...\n", argv[0]);
    return 2;
  }
  nnc::ModelSource src;
  src.path = argv[1];
  if (std::string(argv[2]) != "-") src.extra_paths.emplace_back(argv[2]);
  nnc::caffe_frontend::ImportOptions options;
  if (std::string(argv[3]) != "-") {
    std::string list = argv[3];
    size_t start = 0;
    while (start <= list.size()) {
      size_t comma = list.find(',', start);
      if (comma == std::string::npos) comma = list.size();
      if (comma > start) options.outputs.push_back(list.substr(start, comma - start));
      start = comma + 1;
    }
  }
  nnc::DiagnosticSink diag;
  auto graph = nnc::caffe_frontend::import_caffe(src, options, &diag);
  if (!graph) {
    std::fprintf(stderr, "%s\n", graph.status().to_string().c_str());
    return 1;
  }
  std::map<std::string, nnc::Tensor> inputs;
  for (int i = 5; i < argc; ++i) {
    std::string arg = argv[i];
    size_t eq = arg.find('=');
    if (eq == std::string::npos) {
      std::fprintf(stderr, "bad input '%s' (NAME=file.npy)\n", argv[i]);
      return 2;
    }
    auto t = nnc::read_npy(arg.substr(eq + 1));
    if (!t) {
      std::fprintf(stderr, "%s\n", t.status().to_string().c_str());
      return 1;
    }
    inputs[arg.substr(0, eq)] = *t;
  }
  auto exec = nnc::ReferenceExecutor::create(*graph);
  if (!exec) {
    std::fprintf(stderr, "%s\n", exec.status().to_string().c_str());
    return 1;
  }
  auto outputs = (*exec)->run(inputs);
  if (!outputs) {
    std::fprintf(stderr, "%s\n", outputs.status().to_string().c_str());
    return 1;
  }
  for (const auto& [name, t] : *outputs) {
    nnc::Status s = nnc::write_npy(std::filesystem::path(argv[4]) / (name + ".npy"), t);
    if (!s.is_ok()) {
      std::fprintf(stderr, "%s\n", s.to_string().c_str());
      return 1;
    }
    std::printf("%s %s\n", name.c_str(), t.description().c_str());
  }
  return 0;
}
