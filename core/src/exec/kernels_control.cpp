// nnc core: control-flow kernels (If, Loop, Scan): run subgraph attributes through SubgraphRunner.
#include <cstring>
#include <optional>

#include "exec/kernels_shape_common.h"
#include "exec/subgraph_runner.h"

namespace nnc::exec {
namespace {

using shape_ops::movable_element_bytes;
using shape_ops::required_input;

/// The single boolean a condition input holds.
Expected<bool> read_condition(const Tensor& t, const KernelArgs& args, const char* what) {
  if (t.dtype() != DType::kBool || t.element_count() != 1)
    return args.error(std::string(what) + " must be a single bool, got " + t.description());
  return t.data<bool>()[0];
}

/// Slice `index` of `t` along `axis`, with that axis removed.
Expected<Tensor> slice_along(const Tensor& t, int64_t axis, int64_t index, const KernelArgs& args) {
  NNC_ASSIGN_OR_RETURN(size_t elem, movable_element_bytes(t, args));
  const auto& s = t.shape();
  std::vector<int64_t> out_shape(s.begin(), s.begin() + axis);
  out_shape.insert(out_shape.end(), s.begin() + axis + 1, s.end());
  Tensor out(t.dtype(), out_shape);
  const int64_t outer = product(std::vector<int64_t>(s.begin(), s.begin() + axis));
  const size_t inner = static_cast<size_t>(product(out_shape) / std::max<int64_t>(outer, 1)) * elem;
  if (inner == 0 || outer == 0) return out;
  const std::byte* src = t.raw_data();
  std::byte* dst = out.mutable_raw_data();
  for (int64_t o = 0; o < outer; ++o)
    std::memcpy(dst + static_cast<size_t>(o) * inner, src + static_cast<size_t>(o * s[axis] + index) * inner, inner);
  return out;
}

/// Stacks per-iteration tensors along a new axis `axis` (iteration j lands at position j, or at
/// n-1-j when `reverse`). With no iterations the result is empty, shaped from `empty_shape`.
Expected<Tensor> stack_along(const std::vector<Tensor>& parts, int64_t axis, bool reverse, DType empty_dtype,
                             const std::vector<int64_t>& empty_shape, const KernelArgs& args, const char* what) {
  if (parts.empty()) {
    if (empty_dtype == DType::kUndefined)
      return args.unsupported(std::string(what) + " ran zero iterations and its element type is not declared");
    std::vector<int64_t> shape = empty_shape;
    shape.insert(shape.begin() + std::min<int64_t>(axis, static_cast<int64_t>(shape.size())), 0);
    return Tensor(empty_dtype, shape);
  }
  const Tensor& first = parts.front();
  for (size_t j = 1; j < parts.size(); ++j)
    if (parts[j].dtype() != first.dtype() || parts[j].shape() != first.shape())
      return args.error(std::string(what) + " changes from " + first.description() + " in iteration 0 to " +
                        parts[j].description() + " in iteration " + std::to_string(j) +
                        "; scan outputs must keep one shape");
  NNC_ASSIGN_OR_RETURN(size_t elem, movable_element_bytes(first, args));
  const auto& s = first.shape();
  const auto n = static_cast<int64_t>(parts.size());
  std::vector<int64_t> out_shape(s.begin(), s.begin() + axis);
  out_shape.push_back(n);
  out_shape.insert(out_shape.end(), s.begin() + axis, s.end());
  Tensor out(first.dtype(), out_shape);
  const int64_t outer = product(std::vector<int64_t>(s.begin(), s.begin() + axis));
  const size_t inner = static_cast<size_t>(product(std::vector<int64_t>(s.begin() + axis, s.end()))) * elem;
  if (inner == 0 || outer == 0) return out;
  std::byte* dst = out.mutable_raw_data();
  for (int64_t j = 0; j < n; ++j) {
    const std::byte* src = parts[static_cast<size_t>(j)].raw_data();
    const int64_t pos = reverse ? n - 1 - j : j;
    for (int64_t o = 0; o < outer; ++o)
      std::memcpy(dst + static_cast<size_t>(o * n + pos) * inner, src + static_cast<size_t>(o) * inner, inner);
  }
  return out;
}

/// Declared dtype and static shape of body output i (for empty scan outputs).
std::pair<DType, std::vector<int64_t>> declared_slice(const Graph& body, size_t i, const KernelArgs& args,
                                                      size_t node_output) {
  const Value* v = body.outputs()[i];
  DType dtype = v->dtype();
  if (dtype == DType::kUndefined && args.node.output(node_output)) dtype = args.node.output(node_output)->dtype();
  std::vector<int64_t> shape;
  if (v->shape().is_static()) shape = v->shape().sizes();
  return {dtype, shape};
}

Status if_kernel(KernelArgs& args) {
  NNC_ASSIGN_OR_RETURN(const Tensor* cond_in, required_input(args, 0, "cond"));
  NNC_ASSIGN_OR_RETURN(bool cond, read_condition(*cond_in, args, "cond"));
  NNC_ASSIGN_OR_RETURN(OuterValues outer, outer_values_of(args));
  NNC_ASSIGN_OR_RETURN(SubgraphRunner branch, SubgraphRunner::create(args, cond ? "then_branch" : "else_branch"));
  NNC_ASSIGN_OR_RETURN(std::vector<Tensor> results, branch.run({}, outer, args.pool));
  if (results.size() < args.output_count())
    return args.error(branch.where() + " has " + std::to_string(results.size()) + " output(s); the node has " +
                      std::to_string(args.output_count()));
  for (size_t i = 0; i < args.output_count(); ++i) args.outputs[i] = std::move(results[i]);
  return Status::ok();
}

Status loop_kernel(KernelArgs& args) {
  const size_t own = args.node.inputs().size();
  if (own < 2) return args.error("Loop needs the inputs M, cond and the loop-carried values (use '' for omitted)");
  const size_t carried = own - 2;
  std::optional<int64_t> trip_count;
  if (const Tensor* m = args.input(0)) {
    if (m->dtype() != DType::kI64 || m->element_count() != 1)
      return args.error("trip count M must be a single i64, got " + m->description());
    trip_count = m->data<int64_t>()[0];
  }
  const bool has_cond = args.input(1) != nullptr;
  bool cond = true;
  if (has_cond) {
    NNC_ASSIGN_OR_RETURN(cond, read_condition(*args.input(1), args, "cond"));
  }
  if (!trip_count && !has_cond)
    return args.unsupported("Loop with neither a trip count nor a condition never ends");

  NNC_ASSIGN_OR_RETURN(OuterValues outer, outer_values_of(args));
  NNC_ASSIGN_OR_RETURN(SubgraphRunner body, SubgraphRunner::create(args, "body"));
  const size_t body_inputs = body.graph().inputs().size(), body_outputs = body.graph().outputs().size();
  if (body_inputs != 2 + carried || body_outputs < 1 + carried)
    return args.error(body.where() + " has " + std::to_string(body_inputs) + " input(s) and " +
                      std::to_string(body_outputs) + " output(s); with " + std::to_string(carried) +
                      " loop-carried value(s) it needs " + std::to_string(2 + carried) + " inputs and at least " +
                      std::to_string(1 + carried) + " outputs");
  const size_t scans = body_outputs - 1 - carried;
  if (args.output_count() > carried + scans)
    return args.error("the node has " + std::to_string(args.output_count()) + " outputs but the body yields " +
                      std::to_string(carried) + " loop-carried and " + std::to_string(scans) + " scan output(s)");

  std::vector<Tensor> state;
  for (size_t i = 0; i < carried; ++i) {
    const Tensor* v = args.input(2 + i);
    if (!v) return args.unsupported("omitted loop-carried input " + std::to_string(2 + i) + " (optional values)");
    state.push_back(*v);
  }
  std::vector<std::vector<Tensor>> scan_parts(scans);
  std::vector<Tensor> feed(2 + carried);
  for (int64_t i = 0; (!trip_count || i < *trip_count) && cond; ++i) {
    feed[0] = Tensor::scalar<int64_t>(i);
    feed[1] = Tensor::scalar<bool>(cond);
    for (size_t k = 0; k < carried; ++k) feed[2 + k] = std::move(state[k]);
    NNC_ASSIGN_OR_RETURN(std::vector<Tensor> out, body.run(feed, outer, args.pool));
    if (has_cond) {
      NNC_ASSIGN_OR_RETURN(cond, read_condition(out[0], args, "the body's condition output"));
    }
    for (size_t k = 0; k < carried; ++k) state[k] = std::move(out[1 + k]);
    for (size_t k = 0; k < scans; ++k) scan_parts[k].push_back(std::move(out[1 + carried + k]));
  }
  for (size_t i = 0; i < args.output_count(); ++i) {
    if (i < carried) {
      args.outputs[i] = std::move(state[i]);
      continue;
    }
    const size_t k = i - carried;
    auto [dtype, shape] = declared_slice(body.graph(), 1 + carried + k, args, i);
    const std::string what = "scan output " + std::to_string(k) + " of the Loop body";
    NNC_ASSIGN_OR_RETURN(args.outputs[i], stack_along(scan_parts[k], 0, false, dtype, shape, args, what.c_str()));
  }
  return Status::ok();
}

/// A per-input or per-output integer attribute list of Scan (default `fallback` each).
Expected<std::vector<int64_t>> scan_attr(const KernelArgs& args, const char* name, size_t count) {
  std::vector<int64_t> v = attr_ints(args.node, name);
  if (v.empty()) return std::vector<int64_t>(count, 0);
  if (v.size() != count)
    return args.error(std::string("attribute '") + name + "' has " + std::to_string(v.size()) + " entries for " +
                      std::to_string(count) + " scan values");
  return v;
}

/// Runs the Scan body for `length` steps: `state` is carried (updated in place), scan input j is
/// sliced along axes[j] (from the end when dirs[j] != 0), and each step's scan outputs are appended
/// to `parts`.
Status scan_steps(const KernelArgs& args, SubgraphRunner& body, const OuterValues& outer, std::vector<Tensor>& state,
                  const std::vector<const Tensor*>& inputs, const std::vector<int64_t>& axes,
                  const std::vector<int64_t>& dirs, int64_t length, std::vector<std::vector<Tensor>>& parts) {
  const size_t states = state.size();
  std::vector<Tensor> feed(states + inputs.size());
  for (int64_t t = 0; t < length; ++t) {
    for (size_t i = 0; i < states; ++i) feed[i] = std::move(state[i]);
    for (size_t j = 0; j < inputs.size(); ++j) {
      const int64_t at = dirs[j] != 0 ? length - 1 - t : t;
      NNC_ASSIGN_OR_RETURN(feed[states + j], slice_along(*inputs[j], axes[j], at, args));
    }
    NNC_ASSIGN_OR_RETURN(std::vector<Tensor> out, body.run(feed, outer, args.pool));
    for (size_t i = 0; i < states; ++i) state[i] = std::move(out[i]);
    for (size_t k = 0; k < parts.size(); ++k) parts[k].push_back(std::move(out[states + k]));
  }
  return Status::ok();
}

/// `t` ([len, ...]) zero-padded to [n, ...].
Expected<Tensor> pad_steps(const Tensor& t, int64_t n, const KernelArgs& args) {
  if (t.shape().empty() || t.shape()[0] >= n) return t;
  NNC_ASSIGN_OR_RETURN(size_t elem, movable_element_bytes(t, args));
  std::vector<int64_t> shape = t.shape();
  shape[0] = n;
  Tensor out(t.dtype(), shape);
  if (t.element_count() > 0)
    std::memcpy(out.mutable_raw_data(), t.raw_data(), static_cast<size_t>(t.element_count()) * elem);
  return out;
}

/// Scan-8: input 0 is the optional sequence_lens, every state and scan value has a leading batch
/// axis, scan inputs and outputs step along axis 1; steps past a batch entry's length are zeros.
Status scan8_kernel(KernelArgs& args, int64_t m) {
  const size_t own = args.node.inputs().size();
  if (m < 1 || own < 1 + static_cast<size_t>(m))
    return args.error("num_scan_inputs " + std::to_string(m) + " does not fit the " + std::to_string(own) +
                      " inputs (sequence_lens, states, scan inputs) of Scan-8");
  const size_t scan_in = static_cast<size_t>(m), states = own - 1 - scan_in;
  NNC_ASSIGN_OR_RETURN(OuterValues outer, outer_values_of(args));
  NNC_ASSIGN_OR_RETURN(SubgraphRunner body, SubgraphRunner::create(args, "body"));
  const size_t body_inputs = body.graph().inputs().size(), body_outputs = body.graph().outputs().size();
  if (body_inputs != states + scan_in || body_outputs < states)
    return args.error(body.where() + " has " + std::to_string(body_inputs) + " input(s) and " +
                      std::to_string(body_outputs) + " output(s); the node has " + std::to_string(states) +
                      " state and " + std::to_string(scan_in) + " scan input(s)");
  const size_t scan_out = body_outputs - states;
  NNC_ASSIGN_OR_RETURN(auto dirs, scan_attr(args, "directions", scan_in));
  std::vector<const Tensor*> all;
  for (size_t i = 0; i < states + scan_in; ++i) {
    NNC_ASSIGN_OR_RETURN(const Tensor* v, required_input(args, 1 + i, i < states ? "initial state" : "scan input"));
    all.push_back(v);
  }
  const Tensor& first_scan = *all[states];
  if (first_scan.rank() < 2) return args.error("Scan-8 scan input " + first_scan.description() + " needs [batch, steps, ...]");
  const int64_t batch = first_scan.shape()[0], max_len = first_scan.shape()[1];
  for (size_t i = 0; i < all.size(); ++i) {
    const bool is_scan = i >= states;
    if (all[i]->rank() < (is_scan ? 2 : 1) || all[i]->shape()[0] != batch || (is_scan && all[i]->shape()[1] != max_len))
      return args.error("Scan-8 value " + all[i]->description() + " does not match batch " + std::to_string(batch) +
                        (is_scan ? " and " + std::to_string(max_len) + " steps" : std::string()));
  }
  std::vector<int64_t> lens(static_cast<size_t>(batch), max_len);
  if (const Tensor* sl = args.input(0)) {
    NNC_ASSIGN_OR_RETURN(lens, read_int_values(*sl, args, "sequence_lens"));
    if (static_cast<int64_t>(lens.size()) != batch)
      return args.error("sequence_lens " + sl->description() + " needs one entry per batch entry (" +
                        std::to_string(batch) + ")");
    for (int64_t len : lens)
      if (len < 0 || len > max_len)
        return args.error("sequence length " + std::to_string(len) + " is outside [0, " + std::to_string(max_len) + "]");
  }
  std::vector<std::vector<Tensor>> final_states(states), batch_outs(scan_out);
  const std::vector<int64_t> axes(scan_in, 0);
  for (int64_t b = 0; b < batch; ++b) {
    std::vector<Tensor> state(states), rows(scan_in);
    std::vector<const Tensor*> row_ptrs(scan_in);
    for (size_t i = 0; i < states; ++i) {
      NNC_ASSIGN_OR_RETURN(state[i], slice_along(*all[i], 0, b, args));
    }
    for (size_t j = 0; j < scan_in; ++j) {
      NNC_ASSIGN_OR_RETURN(rows[j], slice_along(*all[states + j], 0, b, args));
      row_ptrs[j] = &rows[j];
    }
    std::vector<std::vector<Tensor>> parts(scan_out);
    NNC_RETURN_IF_ERROR(scan_steps(args, body, outer, state, row_ptrs, axes, dirs, lens[static_cast<size_t>(b)], parts));
    for (size_t i = 0; i < states; ++i) final_states[i].push_back(std::move(state[i]));
    for (size_t k = 0; k < scan_out; ++k) {
      auto [dtype, shape] = declared_slice(body.graph(), states + k, args, states + k);
      NNC_ASSIGN_OR_RETURN(Tensor steps, stack_along(parts[k], 0, false, dtype, shape, args, "a Scan-8 scan output"));
      NNC_ASSIGN_OR_RETURN(steps, pad_steps(steps, max_len, args));
      batch_outs[k].push_back(std::move(steps));
    }
  }
  for (size_t i = 0; i < args.output_count(); ++i) {
    const bool is_state = i < states;
    const std::vector<Tensor>& per_batch = is_state ? final_states[i] : batch_outs[i - states];
    NNC_ASSIGN_OR_RETURN(args.outputs[i], stack_along(per_batch, 0, false, DType::kUndefined, {}, args,
                                                      is_state ? "a Scan-8 final state" : "a Scan-8 scan output"));
  }
  return Status::ok();
}

Status scan_kernel(KernelArgs& args) {
  if (!has_attr(args.node, "num_scan_inputs")) return args.error("missing attribute 'num_scan_inputs'");
  const int64_t m = attr_int(args.node, "num_scan_inputs", 0);
  if (args.opset < 9) return scan8_kernel(args, m);
  const size_t own = args.node.inputs().size();
  if (m < 1 || static_cast<size_t>(m) > own)
    return args.error("num_scan_inputs " + std::to_string(m) + " must be in [1, " + std::to_string(own) + "]");
  const size_t scan_in = static_cast<size_t>(m), states = own - scan_in;
  NNC_ASSIGN_OR_RETURN(OuterValues outer, outer_values_of(args));
  NNC_ASSIGN_OR_RETURN(SubgraphRunner body, SubgraphRunner::create(args, "body"));
  const size_t body_inputs = body.graph().inputs().size(), body_outputs = body.graph().outputs().size();
  if (body_inputs != own || body_outputs < states)
    return args.error(body.where() + " has " + std::to_string(body_inputs) + " input(s) and " +
                      std::to_string(body_outputs) + " output(s); the node has " + std::to_string(states) +
                      " state and " + std::to_string(scan_in) + " scan input(s)");
  const size_t scan_out = body_outputs - states;
  NNC_ASSIGN_OR_RETURN(auto in_dirs, scan_attr(args, "scan_input_directions", scan_in));
  NNC_ASSIGN_OR_RETURN(auto in_axes, scan_attr(args, "scan_input_axes", scan_in));
  NNC_ASSIGN_OR_RETURN(auto out_dirs, scan_attr(args, "scan_output_directions", scan_out));
  NNC_ASSIGN_OR_RETURN(auto out_axes, scan_attr(args, "scan_output_axes", scan_out));

  std::vector<Tensor> state;
  for (size_t i = 0; i < states; ++i) {
    NNC_ASSIGN_OR_RETURN(const Tensor* v, required_input(args, i, "initial state"));
    state.push_back(*v);
  }
  int64_t length = -1;
  std::vector<const Tensor*> inputs(scan_in);
  for (size_t j = 0; j < scan_in; ++j) {
    NNC_ASSIGN_OR_RETURN(inputs[j], required_input(args, states + j, "scan input"));
    if (inputs[j]->rank() == 0) return args.error("scan input " + std::to_string(j) + " is a scalar");
    NNC_ASSIGN_OR_RETURN(in_axes[j], normalize_axis(in_axes[j], inputs[j]->rank(), args));
    const int64_t len = inputs[j]->shape()[in_axes[j]];
    if (length >= 0 && len != length)
      return args.error("scan input " + std::to_string(j) + " " + inputs[j]->description() + " has " +
                        std::to_string(len) + " steps along axis " + std::to_string(in_axes[j]) + "; scan input 0 has " +
                        std::to_string(length));
    length = len;
  }
  std::vector<std::vector<Tensor>> parts(scan_out);
  NNC_RETURN_IF_ERROR(scan_steps(args, body, outer, state, inputs, in_axes, in_dirs, length, parts));
  for (size_t i = 0; i < args.output_count(); ++i) {
    if (i < states) {
      args.outputs[i] = std::move(state[i]);
      continue;
    }
    const size_t k = i - states;
    auto [dtype, shape] = declared_slice(body.graph(), states + k, args, i);
    const int64_t slice_rank = parts[k].empty() ? static_cast<int64_t>(shape.size()) : parts[k].front().rank();
    int64_t axis = out_axes[k] < 0 ? out_axes[k] + slice_rank + 1 : out_axes[k];
    if (axis < 0 || axis > slice_rank)
      return args.error("scan_output_axes entry " + std::to_string(out_axes[k]) + " is out of range for a rank-" +
                        std::to_string(slice_rank + 1) + " scan output");
    const std::string what = "scan output " + std::to_string(k) + " of the Scan body";
    NNC_ASSIGN_OR_RETURN(args.outputs[i],
                         stack_along(parts[k], axis, out_dirs[k] != 0, dtype, shape, args, what.c_str()));
  }
  return Status::ok();
}

}  // namespace

std::span<const KernelEntry> control_kernels() {
  static const KernelEntry table[] = {
      {"", "If", 1, if_kernel, "tensor outputs only (no sequence/optional branches)"},
      {"", "Loop", 1, loop_kernel, "tensor loop-carried values and scan outputs only (no sequences)"},
      {"", "Scan", 8, scan_kernel, "Scan-8 batch form (sequence_lens, batch axis 0) before opset 9"},
  };
  return table;
}

}  // namespace nnc::exec
