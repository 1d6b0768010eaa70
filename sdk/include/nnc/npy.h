// nnc SDK: NumPy .npy / .npz reading and writing (inputs, outputs, calibration data).
#pragma once

#include <filesystem>
#include <map>
#include <set>
#include <string>

#include "nnc/status.h"
#include "nnc/tensor.h"

namespace nnc {

/// Reads a .npy file (format versions 1.0, 2.0 and 3.0; little- or big-endian; C or Fortran order,
/// Fortran arrays are transposed into row-major). Supported dtypes: f2 f4 f8 i1 i2 i4 i8 u1 b1.
/// Errors name the file and the problem (bad magic, truncated data, unsupported dtype, object
/// arrays...).
Expected<Tensor> read_npy(const std::filesystem::path& path);
/// Parses .npy bytes held in memory; `origin` names them in errors.
Expected<Tensor> parse_npy(const std::byte* data, size_t size, const std::string& origin);
/// Serialises a tensor as .npy (version 1.0, little-endian, C order).
Expected<std::string> serialize_npy(const Tensor& t);
/// Writes a .npy file atomically (temporary file in the same directory, then rename).
Status write_npy(const std::filesystem::path& path, const Tensor& t);

/// Reads every array of a .npz archive (stored or deflated members, zip64 too), keyed by the
/// member name without ".npy".
Expected<std::map<std::string, Tensor>> read_npz(const std::filesystem::path& path);
/// Writes a .npz archive (stored members, like numpy.savez) atomically.
Status write_npz(const std::filesystem::path& path, const std::map<std::string, Tensor>& arrays);

/// A file-system-safe stem for a tensor name (e.g. an output written as <stem>.npy): [A-Za-z0-9._-]
/// kept, the rest '_'; "output" for an empty name or "."/".."; made unique within `taken` (suffix _1,
/// _2...) and added to it.
std::string sanitized_file_stem(const std::string& name, std::set<std::string>& taken);

/// Writes `bytes` to `path` atomically: a temporary file beside it, fsync, then rename, so readers
/// never see a half-written file. Used by every writer in nnc.
Status write_file_atomically(const std::filesystem::path& path, const std::string& bytes);

}  // namespace nnc
