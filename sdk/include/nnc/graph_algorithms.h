// nnc SDK: graph queries: topological order, reachability, subgraph extraction, op histogram.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "nnc/graph.h"

namespace nnc {

/// Names of the values `g` reads from enclosing graphs: a subgraph's (If/Loop/Scan body's)
/// references to outer-scope values, which the ONNX importer holds as outer-scope reference values (no
/// producer, not a graph input, not a constant), plus those its own nested subgraphs read and `g`
/// does not define. First-use order, no duplicates; empty for a self-contained graph.
std::vector<std::string> outer_scope_names(const Graph& g);

/// Outer-scope names read by the subgraph attributes of `n` (the union of outer_scope_names over
/// them, in attribute order): values of n's graph that `n` depends on without listing them as inputs.
std::vector<std::string> implicit_input_names(const Node& n);

/// Nodes in an order where every producer comes before its consumers, including consumers that read
/// a value only inside a subgraph attribute (implicit_input_names). A cycle is an error naming
/// the nodes on it.
Expected<std::vector<Node*>> topological_order(const Graph& g);

/// Nodes whose outputs some node in `targets` (transitively, implicit subgraph inputs included)
/// depends on, plus the targets' producers.
std::vector<Node*> nodes_feeding(const Graph& g, const std::vector<Value*>& targets);

/// Copies the part of `g` between the named values into a new graph: `input_names` become graph
/// inputs (cutting whatever produced them), `output_names` graph outputs. Constants used inside are
/// copied. Fails with the unknown names (and close matches), or when an output depends on a graph
/// input that is not among `input_names` (the cut does not separate the graph).
Expected<Graph> extract_subgraph(const Graph& g, const std::vector<std::string>& input_names,
                                 const std::vector<std::string>& output_names);

/// Count of nodes per op type ("Conv" -> 53), domain-qualified for non-default domains.
std::map<std::string, int> op_histogram(const Graph& g);

/// Removes nodes none of whose outputs reach a graph output, and constants/values nobody uses
/// (a value read inside a live node's subgraph counts as used).
/// Returns how many nodes were removed.
int remove_dead_nodes(Graph& g);

}  // namespace nnc
