// nnc frontend_tf: builds the nnc graph from the pruned TF subgraph: inputs (-is), constants, checkpoint variables, outputs.
#include "tf_convert.h"

#include <algorithm>
#include <cstring>

#include "input_shape_spec.h"
#include "nnc/executor.h"
#include "nnc/suggest.h"
#include "tf_tensor.h"

namespace nnc::tf_frontend::detail {
namespace {

std::string dims_str(const std::vector<int64_t>& d) {
  std::string s = "[";
  for (size_t i = 0; i < d.size(); ++i) s += (i ? ", " : "") + (d[i] < 0 ? std::string("?") : std::to_string(d[i]));
  return s + "]";
}

/// Declared dims of the tensor a node produces: Placeholder "shape", else "_output_shapes"[k].
bool declared_dims(const NodeDef& n, int k, std::vector<int64_t>& dims) {
  auto it = n.attr().find("shape");
  if (n.op() == "Placeholder" && it != n.attr().end()) return shape_from_proto(it->second.shape(), dims);
  auto os = n.attr().find("_output_shapes");
  if (os != n.attr().end() && k < os->second.list().shape_size()) return shape_from_proto(os->second.list().shape(k), dims);
  return false;
}

int declared_type(const NodeDef& n) {
  for (const char* a : {"dtype", "T", "out_type", "DstT", "output_type"})
    if (int t = attr_type(n, a)) return t;
  return 0;
}

}  // namespace

Tensor transpose_tensor(const Tensor& t, const std::vector<int64_t>& perm) {
  const auto& in = t.shape();
  const size_t r = in.size();
  std::vector<int64_t> out_shape(r);
  for (size_t i = 0; i < r; ++i) out_shape[i] = in[static_cast<size_t>(perm[i])];
  Tensor out(t.dtype(), out_shape);
  const size_t es = static_cast<size_t>(dtype_bits(t.dtype()) / 8);
  std::vector<int64_t> in_strides(r, 1);
  for (size_t i = r; i-- > 1;) in_strides[i - 1] = in_strides[i] * in[i];
  const int64_t n = t.element_count();
  std::vector<int64_t> idx(r, 0);
  const std::byte* src = t.raw_data();
  std::byte* dst = out.mutable_raw_data();
  for (int64_t o = 0; o < n; ++o) {
    int64_t off = 0;
    for (size_t i = 0; i < r; ++i) off += idx[i] * in_strides[static_cast<size_t>(perm[i])];
    std::memcpy(dst + static_cast<size_t>(o) * es, src + static_cast<size_t>(off) * es, es);
    for (size_t i = r; i-- > 0;) {
      if (++idx[i] < out_shape[i]) break;
      idx[i] = 0;
    }
  }
  return out;
}

Status Converter::fail(const NodeDef& n, const std::string& msg, const std::string& hint, ErrorCode code) const {
  return make_error(code, "'" + file_ + "': node '" + n.name() + "' (" + n.op() + "): " + msg,
                    Location{file_, 0, 0, "node '" + n.name() + "'"}, hint);
}

void Converter::set_out(const NodeDef& n, int k, Value* v) { vals_[ref_name(TfRef{n.name(), k})] = v; }

Value* Converter::op(const std::string& type, const std::vector<Value*>& ins, const std::string& base, DType dt,
                     const std::map<std::string, Attribute>& attrs) {
  return op_multi(type, ins, base, 1, dt, attrs).front();
}

std::vector<Value*> Converter::op_multi(const std::string& type, const std::vector<Value*>& ins, const std::string& base,
                                        size_t count, DType dt, const std::map<std::string, Attribute>& attrs) {
  std::vector<std::string> names;
  for (size_t i = 0; i < count; ++i) {
    std::string want = count == 1 ? base : base + ":" + std::to_string(i);
    names.push_back(g_.find_value(want) ? g_.unique_value_name(want) : want);
  }
  Node* n = g_.add_node(type, ins, names, g_.unique_node_name(base));
  for (const auto& [k, a] : attrs) n->set_attribute(k, a);
  std::vector<Value*> outs(n->outputs().begin(), n->outputs().end());
  for (Value* v : outs) v->set_dtype(dt);
  return outs;
}

Value* Converter::constant(const std::string& base, Tensor t) {
  return g_.add_constant(g_.find_value(base) ? g_.unique_value_name(base) : base, std::move(t));
}

Value* Converter::i64s(const std::string& base, const std::vector<int64_t>& v) {
  return constant(base, Tensor::from_vector<int64_t>(v, {static_cast<int64_t>(v.size())}));
}

Value* Converter::f32_scalar(const std::string& base, float v) { return constant(base, Tensor::scalar<float>(v)); }

Expected<std::vector<int64_t>> Converter::const_ints(const NodeDef& n, Value* v, const std::string& what) const {
  const Tensor* t = v ? v->constant() : nullptr;
  if (!t)
    return fail(n, what + " must be a constant, but it is computed at run time ('" + (v ? v->name() : "?") + "')",
                "freeze the graph so that " + what + " is a Const, or cut the graph before this node (option outputs)");
  std::vector<int64_t> out;
  if (t->dtype() == DType::kI32) {
    for (int32_t x : t->data<int32_t>()) out.push_back(x);
  } else if (t->dtype() == DType::kI64) {
    for (int64_t x : t->data<int64_t>()) out.push_back(x);
  } else {
    return fail(n, what + " has type " + dtype_name(t->dtype()) + ", expected int32 or int64", "", ErrorCode::kParseError);
  }
  return out;
}

Value* Converter::transpose(Value* x, const std::vector<int64_t>& perm, const std::string& base) {
  if (const Tensor* t = x->constant(); t && static_cast<size_t>(t->rank()) == perm.size())
    return constant(base, transpose_tensor(*t, perm));
  Value* y = op("Transpose", {x}, base, x->dtype(), {{"perm", perm}});
  if (x->shape().has_rank() && x->shape().rank() == perm.size()) {
    std::vector<Dim> d;
    for (int64_t p : perm) d.push_back(x->shape()[static_cast<size_t>(p)]);
    y->set_shape(Shape(d));
  }
  return y;
}

Value* Converter::to_nchw(Value* x, const std::string& base) { return transpose(x, {0, 3, 1, 2}, base + "::nchw"); }
Value* Converter::to_nhwc(Value* x, const std::string& base) { return transpose(x, {0, 2, 3, 1}, base); }

Status Converter::check_support(const PreparedGraph& pg) {
  std::map<std::string, std::vector<std::string>> post, other;
  std::vector<std::string> cut_points;
  std::vector<std::string> missing;
  const auto& table = op_handlers();
  for (const auto& it : pg.items) {
    if (it.kind == PreparedGraph::Kind::kVariable) {
      if (!vars_.contains || !vars_.contains(it.checkpoint_key)) missing.push_back(it.checkpoint_key);
      continue;
    }
    if (it.kind != PreparedGraph::Kind::kOp || table.count(it.node->op())) continue;
    (is_postprocessing_op(it.node->op()) ? post : other)[it.node->op()].push_back(it.node->name());
  }
  if (post.empty() && other.empty() && missing.empty()) return Status::ok();
  auto describe = [](const std::map<std::string, std::vector<std::string>>& m) {
    std::string s;
    for (const auto& [op, nodes] : m) {
      s += (s.empty() ? "" : "; ") + op + " x" + std::to_string(nodes.size()) + " (" + quoted_list(nodes, 3) + ")";
    }
    return s;
  };
  std::string msg = "'" + file_ + "': ";
  std::string hint;
  if (!missing.empty()) {
    msg += "the inference subgraph reads " + std::to_string(missing.size()) + " variable(s) that no checkpoint provides: " +
           quoted_list(missing, 1000000) + "; checkpoint: " +
           (vars_.open_error ? vars_.open_error->message() : vars_.description.empty() ? std::string("none (a frozen graph has no variables)") : vars_.description);
    hint = "pass the V2 checkpoint with --weights PREFIX.index (pipeline: weights = [\"PREFIX.index\"]), or freeze the graph into a .pb";
  }
  if (!post.empty()) {
    msg += std::string(missing.empty() ? "" : "; also, ") +
           "it contains post-processing / control flow that nnc does not import (crop it off): " + describe(post);
    // Suggest cut points: the non-post-processing tensors those nodes read.
    std::set<std::string> post_nodes;
    for (const auto& [op, nodes] : post) post_nodes.insert(nodes.begin(), nodes.end());
    std::set<std::string> seen;
    for (const auto& it : pg.items) {
      if (it.kind != PreparedGraph::Kind::kOp || !post_nodes.count(it.node->name())) continue;
      for (const auto& in : it.inputs) {
        const auto* producer = std::find_if(pg.items.begin(), pg.items.end(), [&](const auto& x) { return x.node && x.node->name() == in.node; }) != pg.items.end() ? &in : nullptr;
        if (producer && !post_nodes.count(in.node) && seen.insert(ref_name(in)).second) cut_points.push_back(ref_name(in));
      }
    }
    if (hint.empty()) hint = "cut the graph before them with the frontend option outputs (and inputs)";
    else hint += "; and cut the post-processing off with the frontend options outputs/inputs";
    if (!cut_points.empty()) hint += ", e.g. around " + quoted_list(cut_points, 8);
  }
  if (!other.empty()) {
    msg += std::string(missing.empty() && post.empty() ? "" : "; also, ") + "it uses TensorFlow ops nnc does not import: " + describe(other);
    if (hint.empty()) hint = "cut the graph before these nodes with the frontend options inputs/outputs, or ask for the op in nnc's TF frontend";
  }
  return make_error(missing.empty() ? ErrorCode::kUnsupported : ErrorCode::kNotFound, msg, Location{file_}, hint);
}

Status Converter::add_input(const PreparedGraph::Item& item, size_t position) {
  const NodeDef& n = *item.node;
  const std::string name = ref_name(item.ref);
  int tf_type = n.op() == "Placeholder" ? attr_type(n, "dtype") : declared_type(n);
  if (tf_type == 0) {
    tf_type = nnc::tfproto::DT_FLOAT;
    if (diag_) diag_->warning("input '" + name + "': its type is not recorded in '" + file_ + "'; assuming float", Location{file_});
  }
  NNC_ASSIGN_OR_RETURN(DType dt, to_nnc_dtype(tf_type, "input '" + name + "'"));
  std::vector<int64_t> dims;
  const bool ranked = declared_dims(n, item.ref.index, dims);
  const Location loc{file_, 0, 0, "input '" + name + "'"};
  std::optional<std::vector<int64_t>> fixed;
  if (auto it = overrides_.find(name); it != overrides_.end()) {
    if (ranked && it->second.size() != dims.size())
      return make_error(ErrorCode::kInvalidArgument,
                        "input-shape override for '" + name + "' has rank " + std::to_string(it->second.size()) + " " +
                            dims_str(it->second) + ", but input '" + name + "' of '" + file_ + "' has rank " +
                            std::to_string(dims.size()) + " " + dims_str(dims),
                        loc, "give all " + std::to_string(dims.size()) + " dims of the input");
    for (size_t i = 0; ranked && i < dims.size(); ++i)
      if (dims[i] >= 0 && dims[i] != it->second[i])
        return make_error(ErrorCode::kInvalidArgument,
                          "input-shape override " + dims_str(it->second) + " for '" + name + "' contradicts its declared shape " +
                              dims_str(dims) + " in '" + file_ + "'", loc, "keep the fixed dims as the model declares them");
    fixed = it->second;
  } else if (spec_.has_value() && !spec_->all_auto && position < spec_->per_input.size() && spec_->per_input[position]) {
    const auto& given = *spec_->per_input[position];
    if (!ranked) {
      fixed = std::vector<int64_t>{std::max<int64_t>(opts_.batch, 1)};
      fixed->insert(fixed->end(), given.begin(), given.end());
    } else {
      nnc::onnx_frontend::DeclaredInput di{name, std::vector<nnc::onnx_frontend::DeclaredDim>{}};
      for (int64_t d : dims) {
        nnc::onnx_frontend::DeclaredDim dd;
        if (d >= 0) dd.value = d;
        di.dims->push_back(dd);
      }
      // TensorFlow images are NHWC: an open last dim is the channel dim.
      if (dims.size() >= 3 && dims.back() < 0) di.dims->back().symbol = "channels";
      NNC_ASSIGN_OR_RETURN(nnc::onnx_frontend::MappedShape m,
                           nnc::onnx_frontend::map_channel_last_shape(di, given, spec_->texts[position], opts_.batch, file_));
      if (!m.note.empty() && diag_) diag_->warning(m.note, loc);
      fixed = m.dims;
    }
  }
  Shape shape;
  if (fixed) {
    shape = Shape::of(*fixed);
  } else if (ranked) {
    std::vector<Dim> d;
    for (size_t i = 0; i < dims.size(); ++i) {
      if (dims[i] >= 0) d.emplace_back(dims[i]);
      else if (i == 0 && opts_.batch >= 1) d.emplace_back(opts_.batch);
      else d.emplace_back();
    }
    shape = Shape(d);
  }
  Value* v = g_.add_value(name, dt, shape);
  g_.add_input(v);
  vals_[name] = v;
  return Status::ok();
}

Expected<Graph> Converter::run(const PreparedGraph& pg, const std::map<std::string, std::vector<int64_t>>& overrides) {
  pg_ = &pg;
  overrides_ = overrides;
  NNC_RETURN_IF_ERROR(check_support(pg));
  const std::string where = "frontend option input_shapes";
  auto spec = nnc::onnx_frontend::parse_input_shapes_spec(opts_.input_shapes, where);
  if (!spec) return spec.error().with_location(Location{file_});
  spec_ = *spec;
  if (!spec_->all_auto && spec_->per_input.size() != pg.input_names.size())
    return make_error(ErrorCode::kInvalidArgument,
                      where + " '" + opts_.input_shapes + "' gives " + std::to_string(spec_->per_input.size()) +
                          " shape(s), but the graph imported from '" + file_ + "' has " + std::to_string(pg.input_names.size()) +
                          " input(s) " + quoted_list(pg.input_names),
                      Location{file_}, "give one entry per input in this order, separated by ';' (\"auto\" keeps an input's declared shape)");
  for (const auto& [name, dims] : overrides_)
    if (std::find(pg.input_names.begin(), pg.input_names.end(), name) == pg.input_names.end())
      return make_error(ErrorCode::kNotFound,
                        "input-shape override names '" + name + "', which is not an input of the graph imported from '" + file_ +
                            "'" + did_you_mean(name, pg.input_names) + "; its inputs are " + quoted_list(pg.input_names),
                        Location{file_, 0, 0, "input '" + name + "'"}, "use one of the graph's input names");
  const auto& table = op_handlers();
  for (const auto& item : pg.items) {
    const NodeDef& n = *item.node;
    switch (item.kind) {
      case PreparedGraph::Kind::kInput: {
        const std::string name = ref_name(item.ref);
        const size_t pos = static_cast<size_t>(std::find(pg.input_names.begin(), pg.input_names.end(), name) - pg.input_names.begin());
        NNC_RETURN_IF_ERROR(add_input(item, pos));
        break;
      }
      case PreparedGraph::Kind::kConst: {
        auto it = n.attr().find("value");
        if (it == n.attr().end()) return fail(n, "has no value attribute", "the file is damaged; re-export it", ErrorCode::kParseError);
        auto t = tensor_from_proto(it->second.tensor(), "constant '" + n.name() + "'");
        if (!t) return t.error().with_context("'" + file_ + "'").with_location(Location{file_, 0, 0, "node '" + n.name() + "'"});
        vals_[n.name()] = constant(n.name(), std::move(*t));
        break;
      }
      case PreparedGraph::Kind::kVariable: {
        auto t = vars_.read(item.checkpoint_key);
        if (!t) return t.error().with_location(Location{file_});
        NNC_ASSIGN_OR_RETURN(DType want, to_nnc_dtype(attr_type(n, "dtype"), "variable '" + n.name() + "'"));
        if (t->dtype() != want)
          return fail(n, std::string("the checkpoint holds '") + item.checkpoint_key + "' as " + dtype_name(t->dtype()) +
                             " but the graph declares " + dtype_name(want), "use the checkpoint saved with this graph",
                      ErrorCode::kInvalidArgument);
        vals_[n.name()] = constant(n.name(), std::move(*t));
        if (diag_) diag_->log(LogLevel::kDebug, "variable '" + n.name() + "' <- checkpoint '" + item.checkpoint_key + "'");
        break;
      }
      case PreparedGraph::Kind::kOp: {
        std::vector<Value*> ins;
        for (const auto& r : item.inputs) {
          auto it = vals_.find(ref_name(r));
          if (it == vals_.end())
            return fail(n, "reads '" + ref_name(r) + "', which nnc did not compute (an output nnc does not import, or a cycle)",
                        "cut the graph before this node with the frontend option outputs");
          ins.push_back(it->second);
        }
        NNC_RETURN_IF_ERROR(table.at(n.op())(*this, item, ins));
        break;
      }
    }
  }
  std::set<std::string> done;
  for (const auto& [name, ref] : pg.outputs) {
    auto it = vals_.find(ref_name(ref));
    if (it == vals_.end())
      return make_error(ErrorCode::kUnsupported, "'" + file_ + "': output '" + name + "' (" + ref_name(ref) + ") was not computed",
                        Location{file_}, "name another output with the frontend option outputs");
    Value* v = it->second;
    if (v->name() != name || v->is_constant() || g_.is_graph_input(v)) {
      if (!g_.find_value(name)) v = op("Identity", {v}, name, v->dtype());
    }
    if (done.insert(v->name()).second) g_.add_output(v);
  }
  g_.opsets()[""] = 13;
  g_.metadata()["tf.source"] = file_;
  return std::move(g_);
}

}  // namespace nnc::tf_frontend::detail
