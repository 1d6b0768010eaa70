// nnc SDK: version numbers and the ABI tag that host and plugins must agree on.
#pragma once

/// Major version of the plugin SDK. A plugin built against another major is refused.
#define NNC_SDK_VERSION_MAJOR 1
/// Minor version of the plugin SDK. A plugin's minor must be <= the host's minor.
/// 1.1: DType gained kU16, kU32, kU64 (appended; earlier values unchanged) and is_unsigned().
/// 1.2: QuantParams and the fixed-point requantization rule (nnc/quant.h), Value::quant(),
///      ExecutorOptions::observer, cancel_inverse_transposes (nnc/layout_rewrite.h).
#define NNC_SDK_VERSION_MINOR 2

#define NNC_STRINGIFY_IMPL(x) #x
#define NNC_STRINGIFY(x) NNC_STRINGIFY_IMPL(x)

#if defined(__clang__)
#define NNC_COMPILER_TAG "clang" NNC_STRINGIFY(__clang_major__)
#elif defined(__GNUC__)
#define NNC_COMPILER_TAG "gcc" NNC_STRINGIFY(__GNUC__)
#else
#define NNC_COMPILER_TAG "unknown-compiler"
#endif

#if defined(_GLIBCXX_USE_CXX11_ABI)
#define NNC_STDLIB_TAG "libstdc++cxx11abi" NNC_STRINGIFY(_GLIBCXX_USE_CXX11_ABI)
#elif defined(_LIBCPP_VERSION)
#define NNC_STDLIB_TAG "libc++"
#else
#define NNC_STDLIB_TAG "unknown-stdlib"
#endif

/// ABI tag: C++ objects (Graph, Status, std::string...) cross the plugin boundary, which is only
/// safe when host, core and plugin were built by a compatible toolchain. The loader compares tags.
#define NNC_ABI_TAG NNC_COMPILER_TAG "-" NNC_STDLIB_TAG "-cxx20"

namespace nnc {
/// Version of the nnc product (host, core and built-in plugins), e.g. "0.1.0".
const char* product_version() noexcept;
}  // namespace nnc
