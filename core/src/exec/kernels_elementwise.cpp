// nnc core: the elementwise-group op table (unary math, activations, binary broadcasting, compare, logic, Cast, Where).
#include <vector>

#include "exec/kernels_elementwise_common.h"

namespace nnc::exec {

std::span<const KernelEntry> elementwise_kernels() {
  static const std::vector<KernelEntry> table = [] {
    std::vector<KernelEntry> t;
    for (auto part : {elementwise_ops::unary_entries(), elementwise_ops::activation_entries(),
                      elementwise_ops::binary_entries(), elementwise_ops::conversion_entries()})
      t.insert(t.end(), part.begin(), part.end());
    return t;
  }();
  return table;
}

}  // namespace nnc::exec
