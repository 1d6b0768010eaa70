// nnc core: CompileJob model bookkeeping.
#include "nnc/compile_job.h"

namespace nnc {

Model& CompileJob::add_model(ModelSource source, std::string frontend, Graph graph) {
  Model m;
  m.id = "model_" + std::to_string(models_.size());
  m.source = std::move(source);
  m.frontend = std::move(frontend);
  m.graph = std::move(graph);
  models_.push_back(std::move(m));
  return models_.back();
}

}  // namespace nnc
