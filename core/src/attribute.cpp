// nnc core: attribute kinds and compact printing.
#include "nnc/attribute.h"

#include <sstream>

#include "nnc/graph.h"

namespace nnc {

const char* attribute_kind_name(AttributeKind kind) noexcept {
  switch (kind) {
    case AttributeKind::kInt: return "int";
    case AttributeKind::kFloat: return "float";
    case AttributeKind::kString: return "string";
    case AttributeKind::kInts: return "ints";
    case AttributeKind::kFloats: return "floats";
    case AttributeKind::kStrings: return "strings";
    case AttributeKind::kTensor: return "tensor";
    case AttributeKind::kGraph: return "graph";
  }
  return "int";
}

namespace {
std::string format_double(double v) {
  std::ostringstream os;
  os.precision(9);
  os << v;
  return os.str();
}
}  // namespace

std::string Attribute::str() const {
  switch (kind()) {
    case AttributeKind::kInt: return std::to_string(get<int64_t>());
    case AttributeKind::kFloat: return format_double(get<double>());
    case AttributeKind::kString: return "\"" + get<std::string>() + "\"";
    case AttributeKind::kInts: {
      std::string out = "[";
      const auto& v = get<std::vector<int64_t>>();
      for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + std::to_string(v[i]);
      return out + "]";
    }
    case AttributeKind::kFloats: {
      std::string out = "[";
      const auto& v = get<std::vector<double>>();
      for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + format_double(v[i]);
      return out + "]";
    }
    case AttributeKind::kStrings: {
      std::string out = "[";
      const auto& v = get<std::vector<std::string>>();
      for (size_t i = 0; i < v.size(); ++i) out += (i ? ", \"" : "\"") + v[i] + "\"";
      return out + "]";
    }
    case AttributeKind::kTensor: return "<tensor " + get<Tensor>().description() + ">";
    case AttributeKind::kGraph: {
      const auto& g = get<std::shared_ptr<Graph>>();
      return "<graph " + (g ? g->name() : std::string("null")) + ">";
    }
  }
  return "?";
}

}  // namespace nnc
