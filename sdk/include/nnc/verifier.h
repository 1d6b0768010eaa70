// nnc SDK: the IR verifier: dangling values, cycles, broken use lists, dtype/shape mismatches.
#pragma once

#include <string>
#include <vector>

#include "nnc/graph.h"

namespace nnc {

/// One problem the verifier found.
struct VerifyIssue {
  std::string message;  ///< e.g. "input 1 'w' of node 'conv1' (Conv) has no producer ..."
  std::string object;   ///< node or value the problem is about
};

/// Checks structural and type invariants of `g`:
///  - every node input is a graph input, a constant or some node's output (no dangling values);
///  - every graph output is produced, is a constant or is a graph input;
///  - no value is produced twice; use lists and producers agree with node inputs/outputs;
///  - the graph is acyclic;
///  - constants agree with their value's declared dtype and shape;
///  - for ops with known typing rules (elementwise, unary, Identity, Conv, MatMul, Concat...), inputs
///    and outputs whose dtypes/shapes are known agree with the rule.
/// Returns every issue found (empty = valid).
std::vector<VerifyIssue> verify_graph_issues(const Graph& g);

/// verify_graph_issues() as a Status: OK, or kVerifyFailed listing up to 20 issues.
Status verify_graph(const Graph& g);

}  // namespace nnc
