// nnc tests: broken plugin: its descriptor claims a struct_size smaller than the v1 descriptor.
#include "broken_plugin_parts.h"

NNC_BROKEN_DESCRIPTOR(8, NNC_SDK_VERSION_MAJOR, NNC_SDK_VERSION_MINOR, NNC_ABI_TAG, "broken_small_struct",
                      "broken_small_struct")
