// nnc core (internal): kernels of the nn group (pooling in kernels_pool.cpp, normalizations in kernels_norm.cpp).
#pragma once

#include "exec/kernel.h"

namespace nnc::exec::nn {

Status max_pool(KernelArgs& args);
Status average_pool(KernelArgs& args);
Status lp_pool(KernelArgs& args);
Status global_average_pool(KernelArgs& args);
Status global_max_pool(KernelArgs& args);
Status global_lp_pool(KernelArgs& args);
Status max_unpool(KernelArgs& args);

Status batch_normalization(KernelArgs& args);
Status instance_normalization(KernelArgs& args);
Status layer_normalization(KernelArgs& args);
Status lrn(KernelArgs& args);
Status mean_variance_normalization(KernelArgs& args);

}  // namespace nnc::exec::nn
