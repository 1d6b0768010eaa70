// nnc frontend_keras: HDF5 reading through the C++ API, with HDF5 exceptions and error stacks turned into Status.
#include "h5_file.h"

#include <H5Cpp.h>

#include <cstring>
#include <optional>
#include <system_error>

namespace nnc::keras_frontend {
namespace {

/// The most specific message on HDF5's current error stack ("truncated file: eof = ...").
herr_t collect_error(unsigned /*n*/, const H5E_error2_t* err, void* data) {
  auto* out = static_cast<std::vector<std::string>*>(data);
  if (err && err->desc && *err->desc) out->push_back(err->desc);
  return 0;
}

std::string hdf5_reason(const H5::Exception& e) {
  std::vector<std::string> msgs;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, collect_error, &msgs);
  H5Eclear2(H5E_DEFAULT);
  std::string detail = e.getDetailMsg();
  if (!msgs.empty()) return msgs.back() + " (" + detail + ")";
  return detail;
}

Status h5_error(const std::string& file, const std::string& what, const std::string& reason,
                ErrorCode code = ErrorCode::kParseError) {
  return make_error(code, what + ": " + reason, Location{file},
                    "check that the file is a complete Keras HDF5 file (re-save it with model.save('x.h5'))");
}

/// Splits "/a/b/c:0" into components, ignoring empty ones.
std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  std::string cur;
  for (char c : path) {
    if (c == '/') {
      if (!cur.empty()) parts.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) parts.push_back(cur);
  return parts;
}

/// True when every link along `path` exists (H5Lexists needs each intermediate link to exist).
bool links_exist(hid_t file, const std::string& path) {
  std::string prefix;
  for (const std::string& part : split_path(path)) {
    prefix += "/" + part;
    htri_t ok = H5Lexists(file, prefix.c_str(), H5P_DEFAULT);
    if (ok <= 0) {
      H5Eclear2(H5E_DEFAULT);
      return false;
    }
  }
  return true;
}

H5O_type_t object_type(hid_t file, const std::string& path) {
  if (path.empty() || path == "/") return H5O_TYPE_GROUP;
  if (!links_exist(file, path)) return H5O_TYPE_UNKNOWN;
  H5O_info_t info;
  if (H5Oget_info_by_name(file, path.c_str(), &info, H5P_DEFAULT) < 0) {
    H5Eclear2(H5E_DEFAULT);
    return H5O_TYPE_UNKNOWN;
  }
  return info.type;
}

std::string display(const std::string& path) { return path.empty() ? "/" : path; }

/// A group or a dataset, opened for attribute access (H5Object's destructor is protected: hold the concrete type).
struct Object {
  std::optional<H5::Group> group;
  std::optional<H5::DataSet> dataset;
  H5::H5Object* operator->() {
    if (group) return &*group;
    return &*dataset;
  }
  explicit operator bool() const { return group || dataset; }
};

Object open_object(H5::H5File& f, const std::string& path) {
  Object o;
  H5O_type_t t = object_type(f.getId(), path);
  if (t == H5O_TYPE_GROUP) o.group.emplace(f.openGroup(path.empty() ? "/" : path));
  if (t == H5O_TYPE_DATASET) o.dataset.emplace(f.openDataSet(path));
  return o;
}

Expected<std::vector<std::string>> read_string_list(const H5::Attribute& attr, const std::string& file,
                                                    const std::string& what) {
  H5::DataType type = attr.getDataType();
  H5::DataSpace space = attr.getSpace();
  hssize_t n = space.getSimpleExtentNpoints();
  if (n < 0 || n > (1 << 24)) return h5_error(file, what, "implausible element count " + std::to_string(n));
  if (type.getClass() != H5T_STRING) {
    if (n == 0) return std::vector<std::string>{};  // h5py writes an empty list as an empty float64 array
    return h5_error(file, what, "is not a list of strings", ErrorCode::kParseError);
  }
  H5::StrType st = attr.getStrType();
  std::vector<std::string> out;
  if (st.isVariableStr()) {
    std::vector<char*> ptrs(static_cast<size_t>(n), nullptr);
    attr.read(st, ptrs.data());
    for (char* p : ptrs) {
      out.emplace_back(p ? p : "");
      if (p) H5free_memory(p);
    }
    return out;
  }
  size_t size = st.getSize();
  if (size == 0 || size > (1u << 20)) return h5_error(file, what, "implausible string size " + std::to_string(size));
  std::vector<char> buf(size * static_cast<size_t>(n), '\0');
  attr.read(st, buf.data());
  for (hssize_t i = 0; i < n; ++i) {
    const char* p = buf.data() + static_cast<size_t>(i) * size;
    out.emplace_back(p, strnlen(p, size));
  }
  return out;
}

}  // namespace

Expected<H5Reader> H5Reader::open(const std::filesystem::path& path) {
  H5::Exception::dontPrint();
  H5Reader r;
  r.file_ = path.string();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    return make_error(ErrorCode::kNotFound, "file not found", Location{r.file_}, "check the path");
  if (std::filesystem::is_directory(path, ec))
    return make_error(ErrorCode::kInvalidArgument, "is a directory, not an HDF5 file", Location{r.file_},
                      "give the .h5 file itself");
  r.file_size_ = std::filesystem::file_size(path, ec);
  if (ec || r.file_size_ == 0)
    return make_error(ErrorCode::kParseError, "the file is empty", Location{r.file_},
                      "give a Keras .h5 file saved with model.save() or model.save_weights()");
  htri_t is_h5 = H5Fis_hdf5(r.file_.c_str());
  H5Eclear2(H5E_DEFAULT);
  if (is_h5 <= 0)
    return make_error(ErrorCode::kParseError, "not an HDF5 file (no HDF5 signature)", Location{r.file_},
                      "give a Keras .h5 file saved with model.save() or model.save_weights()");
  try {
    r.h5_ = std::make_shared<H5::H5File>(r.file_, H5F_ACC_RDONLY);
  } catch (const H5::Exception& e) {
    return h5_error(r.file_, "cannot open the HDF5 file", hdf5_reason(e));
  }
  return r;
}

bool H5Reader::has_group(const std::string& path) const {
  return object_type(h5_->getId(), path) == H5O_TYPE_GROUP;
}

bool H5Reader::has_dataset(const std::string& path) const {
  return object_type(h5_->getId(), path) == H5O_TYPE_DATASET;
}

bool H5Reader::has_attribute(const std::string& path, const std::string& name) const {
  try {
    auto obj = open_object(*h5_, path);
    if (!obj) return false;
    return obj->attrExists(name);
  } catch (const H5::Exception&) {
    H5Eclear2(H5E_DEFAULT);
    return false;
  }
}

Expected<std::string> H5Reader::string_attribute(const std::string& path, const std::string& name) const {
  const std::string what = "attribute '" + name + "' of '" + display(path) + "'";
  try {
    auto obj = open_object(*h5_, path);
    if (!obj || !obj->attrExists(name))
      return make_error(ErrorCode::kNotFound, what + " does not exist", Location{file_});
    H5::Attribute attr = obj->openAttribute(name);
    if (attr.getDataType().getClass() != H5T_STRING) return h5_error(file_, what, "is not a string");
    if (attr.getSpace().getSimpleExtentNpoints() != 1) return h5_error(file_, what, "is not a single string");
    H5::StrType st = attr.getStrType();
    if (!st.isVariableStr() && st.getSize() > (size_t{1} << 30)) return h5_error(file_, what, "implausible size");
    std::string value;
    attr.read(st, value);
    // Fixed-length strings may carry trailing NULs.
    while (!value.empty() && value.back() == '\0') value.pop_back();
    return value;
  } catch (const H5::Exception& e) {
    return h5_error(file_, "cannot read " + what, hdf5_reason(e));
  } catch (const std::bad_alloc&) {
    return h5_error(file_, "cannot read " + what, "out of memory (corrupt size?)");
  }
}

Expected<std::vector<std::string>> H5Reader::string_list_attribute(const std::string& path,
                                                                  const std::string& name) const {
  const std::string what = "attribute '" + name + "' of '" + display(path) + "'";
  try {
    auto obj = open_object(*h5_, path);
    if (!obj) return make_error(ErrorCode::kNotFound, "'" + display(path) + "' does not exist", Location{file_});
    if (obj->attrExists(name)) return read_string_list(obj->openAttribute(name), file_, what);
    // Keras' save_attributes_to_hdf5_group splits lists longer than the object-header limit into chunks.
    std::vector<std::string> all;
    int chunk = 0;
    while (obj->attrExists(name + std::to_string(chunk))) {
      NNC_ASSIGN_OR_RETURN(std::vector<std::string> part,
                           read_string_list(obj->openAttribute(name + std::to_string(chunk)), file_, what));
      all.insert(all.end(), part.begin(), part.end());
      ++chunk;
    }
    if (chunk == 0) return make_error(ErrorCode::kNotFound, what + " does not exist", Location{file_});
    return all;
  } catch (const H5::Exception& e) {
    return h5_error(file_, "cannot read " + what, hdf5_reason(e));
  } catch (const std::bad_alloc&) {
    return h5_error(file_, "cannot read " + what, "out of memory (corrupt size?)");
  }
}

Expected<std::vector<std::string>> H5Reader::children(const std::string& path) const {
  try {
    if (!has_group(path))
      return make_error(ErrorCode::kNotFound, "group '" + display(path) + "' does not exist", Location{file_});
    H5::Group g = h5_->openGroup(path.empty() ? "/" : path);
    hsize_t n = g.getNumObjs();
    if (n > (1u << 20)) return h5_error(file_, "group '" + display(path) + "'", "implausible member count");
    std::vector<std::string> out;
    for (hsize_t i = 0; i < n; ++i) out.push_back(g.getObjnameByIdx(i));
    return out;
  } catch (const H5::Exception& e) {
    return h5_error(file_, "cannot list group '" + display(path) + "'", hdf5_reason(e));
  }
}

Expected<Tensor> H5Reader::read_f32(const std::string& path) const {
  const std::string what = "dataset '" + path + "'";
  try {
    if (!has_dataset(path)) return make_error(ErrorCode::kNotFound, what + " does not exist", Location{file_});
    H5::DataSet ds = h5_->openDataSet(path);
    H5T_class_t cls = ds.getTypeClass();
    if (cls != H5T_FLOAT && cls != H5T_INTEGER)
      return h5_error(file_, what, "is not numeric (HDF5 type class " + std::to_string(static_cast<int>(cls)) + ")",
                      ErrorCode::kUnsupported);
    H5::DataSpace space = ds.getSpace();
    int rank = space.getSimpleExtentNdims();
    if (rank < 0 || rank > 8) return h5_error(file_, what, "implausible rank " + std::to_string(rank));
    std::vector<hsize_t> dims(static_cast<size_t>(rank));
    if (rank > 0) space.getSimpleExtentDims(dims.data());
    std::vector<int64_t> shape;
    uint64_t count = 1;
    for (hsize_t d : dims) {
      if (d > (uint64_t{1} << 32)) return h5_error(file_, what, "implausible dim " + std::to_string(d));
      shape.push_back(static_cast<int64_t>(d));
      count *= d;
      if (count > (uint64_t{1} << 31)) return h5_error(file_, what, "implausibly large (corrupt dims?)");
    }
    // Uncompressed data cannot be larger than the file; compressed data gets a generous bound.
    if (count * 4 > file_size_ * 1024 + (1u << 20))
      return h5_error(file_, what, std::to_string(count) + " elements cannot fit in a " + std::to_string(file_size_) +
                                       "-byte file");
    Tensor t(DType::kF32, shape);
    if (count > 0) ds.read(t.mutable_raw_data(), H5::PredType::NATIVE_FLOAT);
    return t;
  } catch (const H5::Exception& e) {
    return h5_error(file_, "cannot read " + what, hdf5_reason(e));
  } catch (const std::bad_alloc&) {
    return h5_error(file_, "cannot read " + what, "out of memory (corrupt size?)");
  }
}

}  // namespace nnc::keras_frontend
