// nnc SDK: readable text and JSON dumps of a graph.
#pragma once

#include <string>

#include "nnc/graph.h"

namespace nnc {

/// Human-readable dump, one node per line in topological order:
///   graph "name" (%x: f32[1, 3, 224, 224]) -> (%y: f32[1, 1000])
///     %conv_out: f32[...] = Conv(%x, %w) {kernel_shape = [3, 3]}  # conv1
std::string dump_text(const Graph& g);

/// JSON dump (nodes, values with dtype/shape, attributes, constants' dtype/shape but not their
/// bytes unless `include_constant_data` is set). Stable key order, for diffs and tooling.
std::string dump_json(const Graph& g, bool include_constant_data = false, int indent = 2);

}  // namespace nnc
