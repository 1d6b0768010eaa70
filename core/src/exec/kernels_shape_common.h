// nnc core (internal): helpers and kernel declarations shared by the shape/data-movement kernel files.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "exec/kernel.h"
#include "exec/tensor_util.h"

namespace nnc::exec::shape_ops {

/// "[2, 3]".
std::string dims_text(const std::vector<int64_t>& dims);
/// Bytes per element for dtypes that move as whole elements; 0 for packed (i4) and undefined.
size_t element_bytes(DType t);
/// Element size of `t`, or an unsupported() error for dtypes that cannot be moved element-wise.
Expected<size_t> movable_element_bytes(const Tensor& t, const KernelArgs& args);
/// Input i, or an error naming it when the node does not have it.
Expected<const Tensor*> required_input(const KernelArgs& args, size_t i, const char* what);
/// Allocates output i (zero-filled) after checking the shape; returns a pointer into args.outputs.
Expected<Tensor*> new_output(KernelArgs& args, size_t i, DType dtype, std::vector<int64_t> shape);
/// Integer list from input `input_index` when present, else from attribute `attr` when present.
Expected<std::optional<std::vector<int64_t>>> ints_from_input_or_attr(const KernelArgs& args, size_t input_index,
                                                                      const char* attr);

/// Stores `value` converted to `dtype` (rounding floats, truncating ints like numpy astype) at dst.
void store_double(DType dtype, double value, std::byte* dst);
/// Reads element i of raw storage of `dtype` as double.
double load_double(DType dtype, const std::byte* base, int64_t i);
uint16_t float_to_half_bits(float f);
float half_bits_to_float(uint16_t h);

/// dst[i] = src[offset + sum_d coord_d(i) * src_strides[d]] for every coordinate of out_shape
/// (strides in elements, may be 0 or negative). Parallel over rows.
void strided_copy(const std::byte* src, std::byte* dst, size_t elem_bytes, std::vector<int64_t> out_shape,
                  std::vector<int64_t> src_strides, int64_t src_offset, ThreadPool& pool);
/// Permutes the axes of a dense tensor: out.shape[i] = in_shape[perm[i]].
void permute_copy(const std::byte* src, std::byte* dst, size_t elem_bytes, const std::vector<int64_t>& in_shape,
                  const std::vector<int64_t>& perm, ThreadPool& pool);

// Kernels (each file defines its group; kernels_shape.cpp holds the table).
Status reshape(KernelArgs& args);
Status flatten(KernelArgs& args);
Status squeeze(KernelArgs& args);
Status unsqueeze(KernelArgs& args);
Status shape_of(KernelArgs& args);
Status size_of(KernelArgs& args);
Status constant(KernelArgs& args);
Status constant_of_shape(KernelArgs& args);
Status range(KernelArgs& args);
Status non_zero(KernelArgs& args);

Status transpose(KernelArgs& args);
Status expand(KernelArgs& args);
Status tile(KernelArgs& args);
Status slice(KernelArgs& args);
Status depth_to_space(KernelArgs& args);
Status space_to_depth(KernelArgs& args);

Status concat(KernelArgs& args);
Status split(KernelArgs& args);
Status gather(KernelArgs& args);
Status gather_elements(KernelArgs& args);
Status gather_nd(KernelArgs& args);
Status pad(KernelArgs& args);

Status resize(KernelArgs& args);
Status upsample(KernelArgs& args);

Status non_max_suppression(KernelArgs& args);
/// nnc.DetectionOutput (Caffe-SSD post-processing), kernels_detection_output.cpp.
Status detection_output(KernelArgs& args);

}  // namespace nnc::exec::shape_ops
