// nnc tests: broken plugin: declares another toolchain ABI tag ("other-abi"), which the host must refuse.
#include "broken_plugin_parts.h"

NNC_BROKEN_DESCRIPTOR(sizeof(nnc_plugin_descriptor), NNC_SDK_VERSION_MAJOR, NNC_SDK_VERSION_MINOR, "other-abi",
                      "broken_abi_tag", "broken_abi_tag")
