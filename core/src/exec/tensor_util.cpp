// nnc core: helpers shared by kernels: attributes, axes, broadcasting, integer/float value reads.
#include "exec/tensor_util.h"

#include <cstring>

namespace nnc::exec {

Status KernelArgs::error(const std::string& message) const {
  return make_error(ErrorCode::kInvalidArgument, message, Location{"", 0, 0, node.describe()});
}

Status KernelArgs::unsupported(const std::string& message) const {
  return make_error(ErrorCode::kUnsupported, message, Location{"", 0, 0, node.describe()});
}

int64_t product(const std::vector<int64_t>& dims) {
  int64_t p = 1;
  for (int64_t d : dims) p *= d;
  return p;
}

std::vector<int64_t> strides_of(const std::vector<int64_t>& dims) {
  std::vector<int64_t> s(dims.size(), 1);
  for (int64_t i = static_cast<int64_t>(dims.size()) - 2; i >= 0; --i) s[i] = s[i + 1] * dims[i + 1];
  return s;
}

Expected<int64_t> normalize_axis(int64_t axis, int64_t rank, const KernelArgs& args) {
  int64_t a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= std::max<int64_t>(rank, 1)) {
    return args.error("axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
  }
  return a;
}

namespace {
std::string dims_str(const std::vector<int64_t>& d) { return Shape::of(d).str(); }
}  // namespace

Expected<std::vector<int64_t>> broadcast_shapes(const std::vector<int64_t>& a, const std::vector<int64_t>& b,
                                                const KernelArgs& args) {
  size_t rank = std::max(a.size(), b.size());
  std::vector<int64_t> out(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1)
      return args.error("shapes " + dims_str(a) + " and " + dims_str(b) + " cannot be broadcast together");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

std::vector<int64_t> broadcast_strides(const std::vector<int64_t>& in, const std::vector<int64_t>& out) {
  std::vector<int64_t> s(out.size(), 0);
  std::vector<int64_t> in_strides = strides_of(in);
  size_t offset = out.size() - in.size();
  for (size_t i = 0; i < in.size(); ++i) s[offset + i] = in[i] == 1 ? 0 : in_strides[i];
  return s;
}

Expected<std::vector<int64_t>> read_int_values(const Tensor& t, const KernelArgs& args, const char* what) {
  std::vector<int64_t> out(static_cast<size_t>(t.element_count()));
  if (t.dtype() == DType::kI64) {
    if (!out.empty()) std::memcpy(out.data(), t.raw_data(), out.size() * sizeof(int64_t));
  } else if (t.dtype() == DType::kI32) {
    auto d = t.data<int32_t>();
    for (size_t i = 0; i < out.size(); ++i) out[i] = d[i];
  } else {
    return args.error(std::string(what) + " must be an int64 or int32 tensor, got " + t.description());
  }
  return out;
}

std::vector<double> read_double_values(const Tensor& t) {
  std::vector<double> out(static_cast<size_t>(t.element_count()));
  for (size_t i = 0; i < out.size(); ++i) out[i] = t.value_as_double(static_cast<int64_t>(i));
  return out;
}

int64_t attr_int(const Node& n, const char* name, int64_t fallback) { return n.int_attribute(name, fallback); }

float attr_float(const Node& n, const char* name, float fallback) {
  return static_cast<float>(n.float_attribute(name, fallback));
}

std::string attr_string(const Node& n, const char* name, const std::string& fallback) {
  return n.string_attribute(name, fallback);
}

std::vector<int64_t> attr_ints(const Node& n, const char* name, const std::vector<int64_t>& fallback) {
  const Attribute* a = n.attribute(name);
  if (!a) return fallback;
  if (a->holds<std::vector<int64_t>>()) return a->get<std::vector<int64_t>>();
  if (a->holds<int64_t>()) return {a->get<int64_t>()};
  return fallback;
}

std::vector<float> attr_floats(const Node& n, const char* name) {
  const Attribute* a = n.attribute(name);
  std::vector<float> out;
  if (!a) return out;
  if (a->holds<std::vector<double>>())
    for (double d : a->get<std::vector<double>>()) out.push_back(static_cast<float>(d));
  else if (a->holds<double>())
    out.push_back(static_cast<float>(a->get<double>()));
  return out;
}

bool has_attr(const Node& n, const char* name) { return n.has_attribute(name); }

Status expect_dtype(const Tensor& t, DType want, const KernelArgs& args, const char* what) {
  if (t.dtype() == want) return Status::ok();
  return args.error(std::string(what) + " must be " + dtype_name(want) + ", got " + t.description());
}

}  // namespace nnc::exec
