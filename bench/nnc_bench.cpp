// nnc bench: times the reference executor on one ONNX model; prints the median latency as JSON (like ort_run.js).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "nnc/executor.h"
#include "nnc/graph.h"
#include "nnc/npy.h"
#include "onnx_importer.h"

namespace {

int usage(const std::string& msg) {
  if (!msg.empty()) std::cerr << "nnc_bench: " << msg << "\n";
  std::cerr << "usage: nnc_bench MODEL.onnx -i NAME=file.npy [-i ...] [--threads N] [--bench RUNS] [--warmup W]\n";
  return 2;
}

/// A "VmRSS"/"VmHWM" field of /proc/self/status in bytes (0 when unavailable).
size_t proc_status_bytes(const char* field) {
  FILE* f = std::fopen("/proc/self/status", "r");
  if (!f) return 0;
  char line[256];
  size_t kb = 0;
  const size_t len = std::strlen(field);
  while (std::fgets(line, sizeof line, f))
    if (std::strncmp(line, field, len) == 0 && line[len] == ':') kb = std::strtoull(line + len + 1, nullptr, 10);
  std::fclose(f);
  return kb * 1024;
}

/// Restarts the kernel's peak-RSS counter (VmHWM) at the current RSS; false when not permitted.
bool reset_peak_rss() {
  FILE* f = std::fopen("/proc/self/clear_refs", "w");
  if (!f) return false;
  bool ok = std::fputs("5", f) >= 0;
  return std::fclose(f) == 0 && ok;
}

/// Runs a Conv and a MatMul (so BLAS, the thread pool and allocator state exist) and returns RssAnon.
size_t warm_libraries_and_measure_rss(int threads) {
  nnc::Graph g("warm_up");
  g.opsets()[""] = 13;
  nnc::Value* x = g.add_value("x", nnc::DType::kF32, nnc::Shape::of({1, 16, 32, 32}));
  nnc::Value* w = g.add_constant("w", nnc::Tensor(nnc::DType::kF32, {16, 16, 3, 3}));
  nnc::Node* conv = g.add_node("Conv", {x, w}, {"y"}, "conv");
  conv->set_attribute("pads", std::vector<int64_t>{1, 1, 1, 1});
  conv->outputs()[0]->set_dtype(nnc::DType::kF32);
  conv->outputs()[0]->set_shape(nnc::Shape::of({1, 16, 32, 32}));
  // A row vector times a matrix: the GEMV path of the BLAS library (its buffers are per process).
  nnc::Value* v = g.add_value("v", nnc::DType::kF32, nnc::Shape::of({1, 256}));
  nnc::Value* m = g.add_constant("m", nnc::Tensor(nnc::DType::kF32, {256, 256}));
  nnc::Node* mm = g.add_node("MatMul", {v, m}, {"z"}, "matmul");
  mm->outputs()[0]->set_dtype(nnc::DType::kF32);
  mm->outputs()[0]->set_shape(nnc::Shape::of({1, 256}));
  g.add_input(x);
  g.add_input(v);
  g.add_output(conv->outputs()[0]);
  g.add_output(mm->outputs()[0]);
  if (auto exec = nnc::ReferenceExecutor::create(g, nnc::ExecutorOptions{threads})) {
    std::map<std::string, nnc::Tensor> in;
    in.emplace("x", nnc::Tensor(nnc::DType::kF32, {1, 16, 32, 32}));
    in.emplace("v", nnc::Tensor(nnc::DType::kF32, {1, 256}));
    for (int i = 0; i < 3; ++i) (void)(*exec)->run(in);
  }
  return proc_status_bytes("RssAnon");
}

double mib(size_t bytes) { return static_cast<double>(bytes) / (1024.0 * 1024.0); }

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

  // Baseline: anonymous memory of the libraries' run-time state (BLAS buffers, thread pool), measured
  // after running a two-node model, before the real model is loaded.
  const size_t rss_baseline = warm_libraries_and_measure_rss(threads);
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
  const size_t peak_rss_load = proc_status_bytes("VmHWM");
  std::vector<double> ms;
  bool peak_reset = false;
  for (int i = 0; i < warmup + runs; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    auto out = (*exec)->run(inputs);
    double dt = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (!out) return fail(out.error());
    if (i >= warmup) ms.push_back(dt);
    if (i + 1 == std::max(warmup, 1)) peak_reset = reset_peak_rss();  // steady state: the plan is in place
  }
  std::sort(ms.begin(), ms.end());
  double median = ms.size() % 2 ? ms[ms.size() / 2] : (ms[ms.size() / 2 - 1] + ms[ms.size() / 2]) / 2;
  // Memory: the inference peak (counter restarted after loading), less the process's own code and
  // libraries, against the memory plan's bound 1.5 x weights + largest set of live activations.
  // The peak counter covers all resident pages; code pages of the libraries (file-backed) are not the
  // model's memory, so the file-backed RSS now is taken off the peak: what remains is anonymous memory.
  const size_t peak_rss_run = proc_status_bytes("VmHWM");
  const size_t file_rss = proc_status_bytes("RssFile") + proc_status_bytes("RssShmem");
  const size_t peak_anon_run = peak_rss_run > file_rss ? peak_rss_run - file_rss : 0;
  const size_t weights = (*exec)->weight_bytes(), live = (*exec)->activation_peak_live_bytes();
  const double model_rss = mib(peak_anon_run > rss_baseline ? peak_anon_run - rss_baseline : 0);
  const double bound = 1.5 * mib(weights) + mib(live);
  std::printf("{\"model\":\"%s\",\"threads\":%d,\"runs\":%d,\"median_ms\":%.3f,\"min_ms\":%.3f,\"max_ms\":%.3f,"
              "\"weights_mib\":%.1f,\"peak_live_activations_mib\":%.1f,\"activation_arena_mib\":%.1f,"
              "\"baseline_anon_rss_mib\":%.1f,\"peak_rss_load_mib\":%.1f,\"peak_rss_run_mib\":%.1f%s,"
              "\"run_anon_rss_over_baseline_mib\":%.1f,\"memory_bound_mib\":%.1f,\"memory_ratio\":%.2f}\n",
              model.c_str(), (*exec)->threads(), runs, median, ms.front(), ms.back(), mib(weights), mib(live),
              mib((*exec)->activation_arena_bytes()), mib(rss_baseline), mib(peak_rss_load), mib(peak_rss_run),
              peak_reset ? "" : ",\"peak_rss_run_includes_load\":true", model_rss, bound,
              bound > 0 ? model_rss / bound : 0.0);
  return 0;
}
