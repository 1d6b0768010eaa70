// nnc core (internal): data-movement kernels of the shape group (scatters, OneHot, Trilu, Compress, Unique...).
#pragma once

#include "exec/kernel.h"

namespace nnc::exec::data_ops {

Status scatter_nd(KernelArgs& args);        ///< kernels_scatter.cpp
Status scatter_elements(KernelArgs& args);  ///< kernels_scatter.cpp (also the opset 9 Scatter alias)

Status one_hot(KernelArgs& args);           ///< kernels_select.cpp
Status trilu(KernelArgs& args);             ///< kernels_select.cpp
Status compress(KernelArgs& args);          ///< kernels_select.cpp
Status eye_like(KernelArgs& args);          ///< kernels_select.cpp
Status reverse_sequence(KernelArgs& args);  ///< kernels_select.cpp

Status unique(KernelArgs& args);  ///< kernels_unique.cpp

}  // namespace nnc::exec::data_ops
