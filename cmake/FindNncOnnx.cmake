# nnc: FindNncOnnx: locates Debian's libonnx-dev (libonnx, libonnx_proto, headers) and protobuf
# without ONNX's own CMake config, whose target file references libonnxifi.so that may be absent.
#
# Defines the GLOBAL imported targets (usable from any directory of the build):
#   nnc::onnx_proto  - libonnx_proto + libprotobuf, headers, ONNX_NAMESPACE=onnx, ONNX_ML=1
#                      (enough to read and write ModelProto)
#   nnc::onnx        - libonnx (checker, shape inference, schemas) + nnc::onnx_proto
# and NncOnnx_FOUND. Debian 12 packages: libonnx-dev, libprotobuf-dev.
include_guard(GLOBAL)

find_package(Protobuf QUIET)
# Protobuf's imported target is directory-scoped; link its files directly so the GLOBAL targets
# below work everywhere.
if(NOT Protobuf_LIBRARY)
  find_library(Protobuf_LIBRARY NAMES protobuf)
endif()
if(NOT Protobuf_INCLUDE_DIR)
  find_path(Protobuf_INCLUDE_DIR google/protobuf/message.h)
endif()

find_path(NNC_ONNX_INCLUDE_DIR onnx/onnx_pb.h)
find_library(NNC_ONNX_LIBRARY NAMES onnx)
find_library(NNC_ONNX_PROTO_LIBRARY NAMES onnx_proto)

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(NncOnnx
  REQUIRED_VARS NNC_ONNX_LIBRARY NNC_ONNX_PROTO_LIBRARY NNC_ONNX_INCLUDE_DIR Protobuf_LIBRARY Protobuf_INCLUDE_DIR
  REASON_FAILURE_MESSAGE "install the Debian packages libonnx-dev and libprotobuf-dev")

if(NncOnnx_FOUND AND NOT TARGET nnc::onnx_proto)
  add_library(nnc::onnx_proto UNKNOWN IMPORTED GLOBAL)
  set_target_properties(nnc::onnx_proto PROPERTIES
    IMPORTED_LOCATION "${NNC_ONNX_PROTO_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${NNC_ONNX_INCLUDE_DIR};${Protobuf_INCLUDE_DIR}"
    INTERFACE_COMPILE_DEFINITIONS "ONNX_NAMESPACE=onnx;ONNX_ML=1"
    INTERFACE_LINK_LIBRARIES "${Protobuf_LIBRARY}")
  add_library(nnc::onnx UNKNOWN IMPORTED GLOBAL)
  set_target_properties(nnc::onnx PROPERTIES
    IMPORTED_LOCATION "${NNC_ONNX_LIBRARY}"
    INTERFACE_LINK_LIBRARIES nnc::onnx_proto)
endif()
mark_as_advanced(NNC_ONNX_INCLUDE_DIR NNC_ONNX_LIBRARY NNC_ONNX_PROTO_LIBRARY)
