// nnc tests: broken plugin: built against a newer SDK minor version than the host's, which must be refused.
#include "broken_plugin_parts.h"

NNC_BROKEN_DESCRIPTOR(sizeof(nnc_plugin_descriptor), NNC_SDK_VERSION_MAJOR, NNC_SDK_VERSION_MINOR + 1, NNC_ABI_TAG,
                      "broken_newer_minor", "broken_newer_minor")
