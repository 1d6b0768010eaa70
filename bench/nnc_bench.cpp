// nnc bench: times the reference executor on one ONNX model; prints the median latency as JSON (like ort_run.js).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "nnc/executor.h"
#include "nnc/npy.h"
#include "onnx_importer.h"

namespace {

int usage(const std::string& msg) {
  if (!msg.empty()) std::cerr << "nnc_bench: " << msg << "\n";
  std::cerr << "usage: nnc_bench MODEL.onnx -i NAME=file.npy [-i ...] [--threads N] [--bench RUNS] [--warmup W]\n";
  return 2;
}

int fail(const nnc::Status& s) {
  std::cerr << "nnc_bench: " << s.to_string() << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string model;
  std::map<std::string, std::string> input_files;
  int threads = 1, runs = 20, warmup = 3;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "-i") {
      std::string v = next();
      auto eq = v.find('=');
      if (eq == std::string::npos || eq == 0) return usage("-i takes NAME=file.npy, got '" + v + "'");
      input_files[v.substr(0, eq)] = v.substr(eq + 1);
    } else if (a == "--threads") threads = std::atoi(next().c_str());
    else if (a == "--bench") runs = std::atoi(next().c_str());
    else if (a == "--warmup") warmup = std::atoi(next().c_str());
    else if (a.starts_with("-")) return usage("unknown option " + a);
    else if (model.empty()) model = a;
    else return usage("unexpected argument " + a);
  }
  if (model.empty()) return usage("no model given");
  if (runs < 1 || threads < 0 || warmup < 0) return usage("--bench must be >= 1, --threads and --warmup >= 0");

  nnc::ModelSource src;
  src.path = model;
  auto graph = nnc::onnx_frontend::import_onnx_file(src, {}, nullptr);
  if (!graph) return fail(graph.error());
  std::map<std::string, nnc::Tensor> inputs;
  for (const auto& [name, file] : input_files) {
    auto t = nnc::read_npy(file);
    if (!t) return fail(t.error());
    inputs.emplace(name, std::move(*t));
  }
  auto exec = nnc::ReferenceExecutor::create(*graph, nnc::ExecutorOptions{threads});
  if (!exec) return fail(exec.error());

  std::vector<double> ms;
  for (int i = 0; i < warmup + runs; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    auto out = (*exec)->run(inputs);
    double dt = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (!out) return fail(out.error());
    if (i >= warmup) ms.push_back(dt);
  }
  std::sort(ms.begin(), ms.end());
  double median = ms.size() % 2 ? ms[ms.size() / 2] : (ms[ms.size() / 2 - 1] + ms[ms.size() / 2]) / 2;
  std::printf("{\"model\":\"%s\",\"threads\":%d,\"runs\":%d,\"median_ms\":%.3f,\"min_ms\":%.3f,\"max_ms\":%.3f}\n",
              model.c_str(), (*exec)->threads(), runs, median, ms.front(), ms.back());
  return 0;
}
