// nnc tests: broken plugin: its descriptor has a null plugin name.
#include "broken_plugin_parts.h"

NNC_BROKEN_DESCRIPTOR(sizeof(nnc_plugin_descriptor), NNC_SDK_VERSION_MAJOR, NNC_SDK_VERSION_MINOR, NNC_ABI_TAG,
                      nullptr, "broken_null_name")
