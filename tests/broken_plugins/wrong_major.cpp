// nnc tests: broken plugin: built against the next SDK major version, which the host must refuse.
#include "broken_plugin_parts.h"

NNC_BROKEN_DESCRIPTOR(sizeof(nnc_plugin_descriptor), NNC_SDK_VERSION_MAJOR + 1, NNC_SDK_VERSION_MINOR, NNC_ABI_TAG,
                      "broken_wrong_major", "broken_wrong_major")
