// nnc core: input/attribute checks of RNN, GRU and LSTM (shapes, layout, activations, sequence_lens) and output layout.
#include <algorithm>
#include <cctype>
#include <cstring>

#include "exec/kernels_rnn.h"
#include "exec/kernels_shape_common.h"

namespace nnc::exec::rnn {
namespace {

using shape_ops::dims_text;
using shape_ops::new_output;
using shape_ops::required_input;

struct ActivationSpec {
  const char* name;
  Activation::Kind kind;
  bool takes_alpha, takes_beta;
  double alpha, beta;  ///< defaults (those of the matching ONNX operators)
};

constexpr ActivationSpec kActivations[] = {
    {"relu", Activation::Kind::kRelu, false, false, 0, 0},
    {"tanh", Activation::Kind::kTanh, false, false, 0, 0},
    {"sigmoid", Activation::Kind::kSigmoid, false, false, 0, 0},
    {"affine", Activation::Kind::kAffine, true, true, 1.0, 0.0},
    {"leakyrelu", Activation::Kind::kLeakyRelu, true, false, 0.01, 0},
    {"thresholdedrelu", Activation::Kind::kThresholdedRelu, true, false, 1.0, 0},
    {"scaledtanh", Activation::Kind::kScaledTanh, true, true, 1.0, 1.0},
    {"hardsigmoid", Activation::Kind::kHardSigmoid, true, true, 0.2, 0.5},
    {"elu", Activation::Kind::kElu, true, false, 1.0, 0},
    {"softsign", Activation::Kind::kSoftsign, false, false, 0, 0},
    {"softplus", Activation::Kind::kSoftplus, false, false, 0, 0},
};

/// The activations attribute (defaults per cell kind), with activation_alpha/beta consumed in order by the
/// functions that take them (as ONNX Runtime does); one set per direction.
Expected<std::vector<Activation>> activations_of(const KernelArgs& args, CellKind kind, int64_t dirs,
                                                 int64_t per_direction) {
  std::vector<std::string> names;
  if (const Attribute* a = args.node.attribute("activations")) {
    if (a->holds<std::vector<std::string>>())
      names = a->get<std::vector<std::string>>();
    else if (a->holds<std::string>())
      names = {a->get<std::string>()};
    else
      return args.error("attribute 'activations' must be a list of strings");
  }
  if (names.empty()) {
    switch (kind) {
      case CellKind::kRnn:
        names = {"Tanh"};
        break;
      case CellKind::kGru:
        names = {"Sigmoid", "Tanh"};
        break;
      case CellKind::kLstm:
        names = {"Sigmoid", "Tanh", "Tanh"};
        break;
    }
  }
  if (static_cast<int64_t>(names.size()) == per_direction && dirs == 2) {
    std::vector<std::string> twice = names;
    names.insert(names.end(), twice.begin(), twice.end());
  }
  if (static_cast<int64_t>(names.size()) != per_direction * dirs)
    return args.error("activations lists " + std::to_string(names.size()) + " functions; this node needs " +
                      std::to_string(per_direction) + " per direction (" + std::to_string(per_direction * dirs) +
                      " in all)");
  const std::vector<float> alphas = attr_floats(args.node, "activation_alpha");
  const std::vector<float> betas = attr_floats(args.node, "activation_beta");
  size_t next_alpha = 0, next_beta = 0;
  std::vector<Activation> out;
  for (const std::string& name : names) {
    std::string lower;
    for (char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const ActivationSpec* spec = nullptr;
    for (const auto& s : kActivations)
      if (lower == s.name) spec = &s;
    if (!spec)
      return args.unsupported("activation '" + name +
                              "' (expected Relu, Tanh, Sigmoid, Affine, LeakyRelu, ThresholdedRelu, ScaledTanh, "
                              "HardSigmoid, Elu, Softsign or Softplus)");
    Activation act{spec->kind, spec->alpha, spec->beta};
    if (spec->takes_alpha && next_alpha < alphas.size()) act.alpha = alphas[next_alpha++];
    if (spec->takes_beta && next_beta < betas.size()) act.beta = betas[next_beta++];
    out.push_back(act);
  }
  return out;
}

/// Copies an optional float input of layout-0 shape `want` (layout 1: dims 0 and 1 swapped) into `dst`
/// in layout 0; leaves `dst` zero-filled when the input is absent.
template <typename T>
Status read_state(const KernelArgs& args, size_t i, const char* what, std::vector<int64_t> want, int64_t layout,
                  DType dtype, std::vector<T>& dst) {
  dst.assign(static_cast<size_t>(product(want)), T(0));
  const Tensor* t = args.input(i);
  if (!t) return Status::ok();
  std::vector<int64_t> stored = want;
  if (layout == 1 && stored.size() == 3) std::swap(stored[0], stored[1]);
  if (t->dtype() != dtype || t->shape() != stored)
    return args.error(std::string(what) + " " + t->description() + " must be " + dtype_name(dtype) + dims_text(stored));
  auto src = t->data<T>();
  if (layout == 1 && stored.size() == 3) {
    for (int64_t a = 0; a < want[0]; ++a)
      for (int64_t b = 0; b < want[1]; ++b)
        std::copy_n(src.data() + (b * want[0] + a) * want[2], want[2], dst.data() + (a * want[1] + b) * want[2]);
  } else {
    std::copy(src.begin(), src.end(), dst.begin());
  }
  return Status::ok();
}

}  // namespace

template <typename T>
Expected<Setup<T>> make_setup(const KernelArgs& args, CellKind kind) {
  Setup<T> s;
  s.gates = kind == CellKind::kRnn ? 1 : (kind == CellKind::kGru ? 3 : 4);
  s.per_direction = kind == CellKind::kRnn ? 1 : (kind == CellKind::kGru ? 2 : 3);
  NNC_ASSIGN_OR_RETURN(const Tensor* x, required_input(args, 0, "X"));
  NNC_ASSIGN_OR_RETURN(const Tensor* w, required_input(args, 1, "W"));
  NNC_ASSIGN_OR_RETURN(const Tensor* r, required_input(args, 2, "R"));
  const DType dt = x->dtype();
  s.layout = attr_int(args.node, "layout", 0);
  if (s.layout != 0 && s.layout != 1) return args.error("layout " + std::to_string(s.layout) + " must be 0 or 1");
  if (s.layout == 1 && args.opset < 14)
    return args.error("layout=1 needs opset 14 (the model declares opset " + std::to_string(args.opset) + ")");
  const std::string direction = attr_string(args.node, "direction", "forward");
  if (direction != "forward" && direction != "reverse" && direction != "bidirectional")
    return args.error("direction '" + direction + "' must be forward, reverse or bidirectional");
  s.dirs = direction == "bidirectional" ? 2 : 1;
  s.reverse_only = direction == "reverse";
  if (x->rank() != 3) return args.error("X " + x->description() + " must be 3-D");
  s.seq = x->shape()[s.layout == 0 ? 0 : 1];
  s.batch = x->shape()[s.layout == 0 ? 1 : 0];
  s.input = x->shape()[2];
  if (r->rank() != 3)
    return args.error("R " + r->description() + " must be 3-D [num_directions, gates*hidden, hidden]");
  s.hidden = attr_int(args.node, "hidden_size", r->shape()[2]);
  if (s.hidden <= 0) return args.error("hidden_size " + std::to_string(s.hidden) + " must be positive");
  const int64_t gh = s.gates * s.hidden;
  if (w->dtype() != dt || w->shape() != std::vector<int64_t>{s.dirs, gh, s.input})
    return args.error("W " + w->description() + " must be " + dtype_name(dt) + dims_text({s.dirs, gh, s.input}) +
                      " for X " + x->description() + ", hidden_size " + std::to_string(s.hidden) + ", direction " +
                      direction);
  if (r->dtype() != dt || r->shape() != std::vector<int64_t>{s.dirs, gh, s.hidden})
    return args.error("R " + r->description() + " must be " + dtype_name(dt) + dims_text({s.dirs, gh, s.hidden}));
  s.w = w->data<T>().data();
  s.r = r->data<T>().data();
  // X in layout 0.
  s.x.resize(static_cast<size_t>(s.seq * s.batch * s.input));
  auto xs = x->data<T>();
  if (s.layout == 0) {
    std::copy(xs.begin(), xs.end(), s.x.begin());
  } else {
    for (int64_t b = 0; b < s.batch; ++b)
      for (int64_t t = 0; t < s.seq; ++t)
        std::copy_n(xs.data() + (b * s.seq + t) * s.input, s.input, s.x.data() + (t * s.batch + b) * s.input);
  }
  s.bias.assign(static_cast<size_t>(s.dirs * 2 * gh), T(0));
  if (const Tensor* b = args.input(3)) {
    if (b->dtype() != dt || b->shape() != std::vector<int64_t>{s.dirs, 2 * gh})
      return args.error("B " + b->description() + " must be " + dtype_name(dt) + dims_text({s.dirs, 2 * gh}));
    std::copy(b->data<T>().begin(), b->data<T>().end(), s.bias.begin());
  }
  s.lens.assign(static_cast<size_t>(s.batch), s.seq);
  if (const Tensor* l = args.input(4)) {
    NNC_ASSIGN_OR_RETURN(s.lens, read_int_values(*l, args, "sequence_lens"));
    if (l->rank() != 1 || static_cast<int64_t>(s.lens.size()) != s.batch)
      return args.error("sequence_lens " + l->description() + " must be 1-D with one length per batch entry (" +
                        std::to_string(s.batch) + ")");
    for (int64_t b = 0; b < s.batch; ++b)
      if (s.lens[b] < 0 || s.lens[b] > s.seq)
        return args.error("sequence_lens[" + std::to_string(b) + "] = " + std::to_string(s.lens[b]) +
                          " is out of range for a sequence of length " + std::to_string(s.seq) + " (valid: 0.." +
                          std::to_string(s.seq) + ")");
  }
  const std::vector<int64_t> state_shape{s.dirs, s.batch, s.hidden};
  NNC_RETURN_IF_ERROR(read_state(args, 5, "initial_h", state_shape, s.layout, dt, s.h0));
  if (kind == CellKind::kLstm) {
    NNC_RETURN_IF_ERROR(read_state(args, 6, "initial_c", state_shape, s.layout, dt, s.c0));
    if (const Tensor* p = args.input(7)) {
      if (p->dtype() != dt || p->shape() != std::vector<int64_t>{s.dirs, 3 * s.hidden})
        return args.error("P " + p->description() + " must be " + dtype_name(dt) + dims_text({s.dirs, 3 * s.hidden}));
      s.peephole.assign(p->data<T>().begin(), p->data<T>().end());
    }
    s.input_forget = attr_int(args.node, "input_forget", 0) != 0;
  }
  if (kind == CellKind::kGru) s.linear_before_reset = attr_int(args.node, "linear_before_reset", 0) != 0;
  if (has_attr(args.node, "clip")) {
    const float clip = attr_float(args.node, "clip", 0.0f);
    if (!(clip > 0)) return args.error("clip " + std::to_string(clip) + " must be positive");
    s.clip = static_cast<T>(clip);
  }
  NNC_ASSIGN_OR_RETURN(s.acts, activations_of(args, kind, s.dirs, s.per_direction));
  return s;
}

template <typename T>
Status write_outputs(KernelArgs& args, const Setup<T>& s, const std::vector<T>& y, const std::vector<T>& yh,
                     const std::vector<T>& yc) {
  const DType dt = dtype_of<T>();
  const int64_t S = s.seq, D = s.dirs, B = s.batch, H = s.hidden;
  if (args.output_count() > 0) {
    std::vector<int64_t> shape = s.layout == 0 ? std::vector<int64_t>{S, D, B, H} : std::vector<int64_t>{B, S, D, H};
    NNC_ASSIGN_OR_RETURN(Tensor * out, new_output(args, 0, dt, shape));
    T* o = out->mutable_data<T>().data();
    if (s.layout == 0) {
      std::copy(y.begin(), y.end(), o);
    } else {
      for (int64_t t = 0; t < S; ++t)
        for (int64_t d = 0; d < D; ++d)
          for (int64_t b = 0; b < B; ++b)
            std::copy_n(y.data() + ((t * D + d) * B + b) * H, H, o + ((b * S + t) * D + d) * H);
    }
  }
  auto write_state = [&](size_t slot, const std::vector<T>& st) -> Status {
    if (slot >= args.output_count()) return Status::ok();
    std::vector<int64_t> shape = s.layout == 0 ? std::vector<int64_t>{D, B, H} : std::vector<int64_t>{B, D, H};
    NNC_ASSIGN_OR_RETURN(Tensor * out, new_output(args, slot, dt, shape));
    T* o = out->mutable_data<T>().data();
    for (int64_t d = 0; d < D; ++d)
      for (int64_t b = 0; b < B; ++b)
        std::copy_n(st.data() + (d * B + b) * H, H, o + (s.layout == 0 ? (d * B + b) : (b * D + d)) * H);
    return Status::ok();
  };
  NNC_RETURN_IF_ERROR(write_state(1, yh));
  if (!yc.empty()) NNC_RETURN_IF_ERROR(write_state(2, yc));
  return Status::ok();
}

template Expected<Setup<float>> make_setup<float>(const KernelArgs&, CellKind);
template Expected<Setup<double>> make_setup<double>(const KernelArgs&, CellKind);
template Status write_outputs<float>(KernelArgs&, const Setup<float>&, const std::vector<float>&,
                                     const std::vector<float>&, const std::vector<float>&);
template Status write_outputs<double>(KernelArgs&, const Setup<double>&, const std::vector<double>&,
                                      const std::vector<double>&, const std::vector<double>&);

}  // namespace nnc::exec::rnn
