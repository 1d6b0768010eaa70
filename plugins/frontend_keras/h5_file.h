// nnc frontend_keras: a small read-only view of an HDF5 file (HDF5 C++ API) whose failures are Status values.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "nnc/status.h"
#include "nnc/tensor.h"

namespace H5 {
class H5File;
}

namespace nnc::keras_frontend {

/// An open HDF5 file. Paths are HDF5 object paths ("/", "/model_weights/conv2d"). Every call catches the
/// HDF5 library's exceptions and returns them as Status values naming the file and the object; HDF5's own
/// error printing to stderr is switched off.
class H5Reader {
 public:
  /// Opens `path` read-only. A missing, truncated or non-HDF5 file is an error naming the file.
  static Expected<H5Reader> open(const std::filesystem::path& path);

  const std::string& file() const noexcept { return file_; }

  /// True when `path` names an existing group.
  bool has_group(const std::string& path) const;
  /// True when the object at `path` has the attribute `name`.
  bool has_attribute(const std::string& path, const std::string& name) const;
  /// A scalar string attribute (fixed or variable length).
  Expected<std::string> string_attribute(const std::string& path, const std::string& name) const;
  /// A string-array attribute; an empty numeric array (h5py's way of storing an empty list) gives {}.
  /// Keras splits long lists into `name0`, `name1`...: those are joined when `name` itself is absent.
  Expected<std::vector<std::string>> string_list_attribute(const std::string& path, const std::string& name) const;
  /// Names of the direct children of the group at `path`, in HDF5's name order.
  Expected<std::vector<std::string>> children(const std::string& path) const;
  /// True when `path` names an existing dataset.
  bool has_dataset(const std::string& path) const;
  /// Reads a numeric dataset as float32 (HDF5 converts float64/float16/integers).
  Expected<Tensor> read_f32(const std::string& path) const;

 private:
  std::string file_;
  std::shared_ptr<H5::H5File> h5_;
  uint64_t file_size_ = 0;
};

}  // namespace nnc::keras_frontend
