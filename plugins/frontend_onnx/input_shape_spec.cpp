// nnc frontend_onnx: parses the `input_shapes` option and maps channel-last shapes onto model inputs.
#include "input_shape_spec.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>

namespace nnc::onnx_frontend {
namespace {

constexpr const char* kForm =
    "write \"auto\" or channel-last dims without the batch, one entry per model input separated by ';', "
    "e.g. \"224,224,3\" or \"auto;300,300,3\"";

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

std::string join(const std::vector<int64_t>& dims, const char* sep) {
  std::string s;
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? sep : "") + std::to_string(dims[i]);
  return s;
}

std::string dim_text(const DeclaredDim& d) {
  if (d.value) return std::to_string(*d.value);
  return d.symbol.empty() ? "?" : d.symbol;
}

bool is_channel_symbol(const std::string& s) {
  std::string l;
  for (char c : s) l += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return l == "c" || l == "ch" || l == "channel" || l == "channels" || l == "num_channels";
}

/// True when `dims` agree with every fixed dim of `decl` and give one size to each repeated symbol.
bool agrees(const std::vector<DeclaredDim>& decl, const std::vector<int64_t>& dims) {
  if (decl.size() != dims.size()) return false;
  std::map<std::string, int64_t> symbols;
  for (size_t i = 0; i < decl.size(); ++i) {
    if (decl[i].value && *decl[i].value != dims[i]) return false;
    if (!decl[i].value && !decl[i].symbol.empty()) {
      auto [it, inserted] = symbols.emplace(decl[i].symbol, dims[i]);
      if (!inserted && it->second != dims[i]) return false;
    }
  }
  return true;
}

/// The channel-last form the model expects, from its declared dims ("H,W,3"), for fix hints.
std::string expected_form(const std::vector<DeclaredDim>& d) {
  if (d.size() <= 1) return d.empty() ? "" : dim_text(d[0]);
  std::vector<std::string> parts;
  // Which dim is the channel: a "C"-like symbol, else the fixed one, else the smaller fixed one.
  bool channel_first = false;
  if (d.size() >= 3) {
    const bool first_c = d[1].value || is_channel_symbol(d[1].symbol);
    const bool last_c = d.back().value || is_channel_symbol(d.back().symbol);
    if (is_channel_symbol(d[1].symbol) || is_channel_symbol(d.back().symbol)) channel_first = is_channel_symbol(d[1].symbol);
    else if (first_c && last_c) channel_first = *d[1].value <= *d.back().value;
    else channel_first = first_c;
  }
  if (channel_first) {
    for (size_t i = 2; i < d.size(); ++i) parts.push_back(dim_text(d[i]));
    parts.push_back(dim_text(d[1]));
  } else {
    for (size_t i = 1; i < d.size(); ++i) parts.push_back(dim_text(d[i]));
  }
  std::string s;
  for (size_t i = 0; i < parts.size(); ++i) s += (i ? "," : "") + parts[i];
  return s;
}

}  // namespace

std::string declared_dims_str(const DeclaredInput& input) {
  if (!input.dims) return "[*]";
  std::string s = "[";
  for (size_t i = 0; i < input.dims->size(); ++i) s += (i ? ", " : "") + dim_text((*input.dims)[i]);
  return s + "]";
}

Expected<InputShapesSpec> parse_input_shapes_spec(std::string_view text, const std::string& where) {
  InputShapesSpec spec;
  const std::string all = trim(text);
  if (all == "auto") return spec;
  auto bad = [&](const std::string& why) {
    return make_error(ErrorCode::kInvalidArgument, where + " '" + std::string(text) + "': " + why, {}, kForm);
  };
  if (all.empty()) return bad("the shape string is empty");
  spec.all_auto = false;
  size_t start = 0;
  while (true) {
    const size_t semi = all.find(';', start);
    const std::string entry = trim(std::string_view(all).substr(start, semi == std::string::npos ? std::string::npos : semi - start));
    spec.texts.push_back(entry);
    if (entry.empty()) return bad("entry " + std::to_string(spec.texts.size()) + " is empty");
    if (entry == "auto") {
      spec.per_input.emplace_back(std::nullopt);
    } else {
      std::vector<int64_t> dims;
      size_t p = 0;
      while (true) {
        const size_t comma = entry.find(',', p);
        const std::string tok = trim(std::string_view(entry).substr(p, comma == std::string::npos ? std::string::npos : comma - p));
        int64_t v = 0;
        const auto [ptr, ec] = std::from_chars(tok.data(), tok.data() + tok.size(), v);
        if (tok.empty()) return bad("'" + entry + "' has an empty dim");
        if (ec != std::errc() || ptr != tok.data() + tok.size())
          return bad("'" + tok + "' in '" + entry + "' is not a whole number");
        if (v <= 0) return bad("dim " + tok + " in '" + entry + "' is not positive");
        dims.push_back(v);
        if (comma == std::string::npos) break;
        p = comma + 1;
      }
      spec.per_input.emplace_back(std::move(dims));
    }
    if (semi == std::string::npos) break;
    start = semi + 1;
  }
  return spec;
}

Expected<MappedShape> map_channel_last_shape(const DeclaredInput& input, const std::vector<int64_t>& given,
                                             const std::string& given_text, int64_t batch, const std::string& model) {
  const std::string who = "input '" + input.name + "' of '" + model + "'";
  const Location at{model, 0, 0, "input '" + input.name + "'"};
  const size_t k = given.size();
  MappedShape out;
  auto channel_first = [&](int64_t b) {
    std::vector<int64_t> d{b};
    if (k >= 2) d.push_back(given[k - 1]);
    for (size_t i = 0; i + (k >= 2 ? 1 : 0) < k; ++i) d.push_back(given[i]);
    return d;
  };
  auto channel_last = [&](int64_t b) {
    std::vector<int64_t> d{b};
    d.insert(d.end(), given.begin(), given.end());
    return d;
  };
  if (!input.dims) {
    out.dims = channel_first(batch >= 1 ? batch : 1);
    out.layout = k >= 2 ? MappedLayout::kChannelFirst : MappedLayout::kAsGiven;
    out.note = who + " declares no rank; '" + given_text + "' was read as channel-last without batch and mapped to [" +
               join(out.dims, ", ") + "] (batch, channel first)";
    return out;
  }
  const std::vector<DeclaredDim>& decl = *input.dims;
  const size_t r = decl.size();
  const std::string model_dims = declared_dims_str(input);
  if (r == 0) {
    return make_error(ErrorCode::kInvalidArgument,
                      "input shape '" + given_text + "' given for " + who + ", which is a scalar (dims [])", at,
                      "write \"auto\" for this input");
  }
  if (r == 1) {
    if (k != 1 || !agrees(decl, given)) {
      return make_error(ErrorCode::kInvalidArgument,
                        "input shape '" + given_text + "' does not fit " + who + " with dims " + model_dims +
                            " (a rank-1 input has no batch dim)",
                        at, "give its one dim, e.g. \"" + expected_form(decl) + "\", or \"auto\"");
    }
    out.dims = given;
    return out;
  }
  if (k != r - 1) {
    return make_error(ErrorCode::kInvalidArgument,
                      "input shape '" + given_text + "' has " + std::to_string(k) + " dim(s), but " + who +
                          " has dims " + model_dims + ", so " + std::to_string(r - 1) +
                          " are expected (channel-last, without the batch)",
                      at, "write \"" + expected_form(decl) + "\" with its sizes, or \"auto\"");
  }
  const int64_t b = decl[0].value ? *decl[0].value : (batch >= 1 ? batch : 1);
  const std::vector<int64_t> last = channel_last(b);
  const bool last_ok = agrees(decl, last);
  if (r == 2) {
    if (!last_ok) {
      return make_error(ErrorCode::kInvalidArgument,
                        "input shape '" + given_text + "' contradicts " + who + " with dims " + model_dims +
                            " (mapped to [" + join(last, ", ") + "])",
                        at, "write \"" + expected_form(decl) + "\", or \"auto\"");
    }
    out.dims = last;
    return out;
  }
  const std::vector<int64_t> first = channel_first(b);
  const bool first_ok = agrees(decl, first);
  if (!first_ok && !last_ok) {
    return make_error(ErrorCode::kInvalidArgument,
                      "input shape '" + given_text + "' contradicts " + who + " with dims " + model_dims +
                          ": neither channel-first [" + join(first, ", ") + "] nor channel-last [" + join(last, ", ") +
                          "] fits its fixed dims",
                      at, "give the shape channel-last without the batch: \"" + expected_form(decl) + "\", or \"auto\"");
  }
  if (first_ok && (!last_ok || first == last)) {
    out.dims = first;
    out.layout = MappedLayout::kChannelFirst;
  } else if (last_ok && !first_ok) {
    out.dims = last;
    out.layout = MappedLayout::kChannelLast;
  } else if (is_channel_symbol(decl.back().symbol) && !is_channel_symbol(decl[1].symbol)) {
    out.dims = last;
    out.layout = MappedLayout::kChannelLast;
  } else {
    out.dims = first;
    out.layout = MappedLayout::kChannelFirst;
    if (!is_channel_symbol(decl[1].symbol)) {
      out.note = who + " has dims " + model_dims + ", which fit either layout; '" + given_text +
                 "' was mapped channel-first to [" + join(first, ", ") +
                 "] (ONNX convention); use [[models]] input_shapes = { " + input.name +
                 " = [...] } to give the exact dims";
    }
  }
  return out;
}

}  // namespace nnc::onnx_frontend
