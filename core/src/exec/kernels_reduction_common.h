// nnc core (internal): line helpers and per-file tables of the reduction group (Reduce*, Arg*, Softmax, TopK).
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "exec/kernel.h"
#include "exec/kernels_elementwise_common.h"  // half_as_f32, dispatch_float, required_input
#include "exec/tensor_util.h"

namespace nnc::exec::reduction_ops {

using elementwise_ops::check_output_slot;
using elementwise_ops::dispatch_float;
using elementwise_ops::half_as_f32;
using elementwise_ops::required_input;

/// Elements per parallel chunk.
inline constexpr int64_t kMinChunk = 16384;

/// A tensor seen as [outer, n, inner] around one axis: line (o, i) holds the n elements at
/// o * n * inner + i + k * inner.
struct AxisLines {
  int64_t outer = 1;
  int64_t n = 1;
  int64_t inner = 1;
  int64_t line_count() const { return outer * inner; }
  /// Offset of the first element of line `line` (0 <= line < line_count()).
  int64_t base(int64_t line) const { return (line / inner) * n * inner + line % inner; }
};

/// Lines around `axis` (already normalised) of `shape`.
inline AxisLines lines_around(const std::vector<int64_t>& shape, int64_t axis) {
  AxisLines l;
  for (int64_t d = 0; d < static_cast<int64_t>(shape.size()); ++d) {
    if (d < axis)
      l.outer *= shape[d];
    else if (d == axis)
      l.n = shape[d];
    else
      l.inner *= shape[d];
  }
  return l;
}

/// Runs fn(line_begin, line_end) over the lines in parallel chunks of about kMinChunk elements.
template <typename Fn>
void parallel_lines(const AxisLines& lines, ThreadPool& pool, Fn&& fn) {
  if (lines.line_count() == 0) return;
  pool.parallel_for(lines.line_count(), fn, std::max<int64_t>(1, kMinChunk / std::max<int64_t>(lines.n, 1)));
}

/// Table rows of each file of the group; kernels_reduction.cpp concatenates them.
std::span<const KernelEntry> reduce_entries();  ///< kernels_reduction.cpp (Reduce*)
std::span<const KernelEntry> axis_entries();    ///< kernels_reduction_axis.cpp (Arg*, Softmax family, CumSum, TopK)

}  // namespace nnc::exec::reduction_ops
