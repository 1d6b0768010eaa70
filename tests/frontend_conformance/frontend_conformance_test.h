// nnc tests: the parameterised fixture of the frontend conformance suite, for instantiation files.
#pragma once

#include <gtest/gtest.h>

#include "frontend_conformance.h"
#include "nnc/diagnostics.h"
#include "nnc/graph.h"
#include "nnc/status.h"
#include "nnc/compile_job.h"

namespace nnc::conformance {

class FrontendConformance : public ::testing::TestWithParam<FrontendCase> {};

/// Loads `source` as host does (nnc::load_model: the named frontend plugin from the build's plugin
/// directory with default options, then the IR verifier).
Expected<Graph> load_with(const std::string& frontend, const ModelSource& source, DiagnosticSink& diag);

}  // namespace nnc::conformance
