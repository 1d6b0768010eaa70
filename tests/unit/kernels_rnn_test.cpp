// nnc tests: RNN, GRU and LSTM kernels against a naive per-batch, per-gate loop written from the ONNX equations.
#include <gtest/gtest.h>

#include <cmath>
#include <optional>
#include <random>

#include "kernel_run_helpers.h"

namespace nnc {
namespace {

using kernel_test::i64;
using kernel_test::run_error;
using kernel_test::run_op;

enum class Kind { kRnn, kGru, kLstm };

struct Act {
  std::string name;
  /// Passed through activation_alpha/beta when set. Those lists are consumed in order by the functions that take
  /// a parameter, so a function taking one before another that sets it must set it too.
  std::optional<float> alpha, beta;
};

struct Case {
  Kind kind = Kind::kLstm;
  int64_t seq = 3, batch = 2, input = 4, hidden = 3;
  std::string direction = "forward";
  bool bias = true, initial = true, peephole = false;
  std::vector<int64_t> lens;  ///< empty: no sequence_lens input
  std::vector<Act> acts;      ///< empty: defaults
  std::optional<float> clip;
  bool linear_before_reset = false, input_forget = false;
  int64_t layout = 0;
  bool f64 = false;
};

int gates_of(Kind k) { return k == Kind::kRnn ? 1 : (k == Kind::kGru ? 3 : 4); }
const char* op_of(Kind k) { return k == Kind::kRnn ? "RNN" : (k == Kind::kGru ? "GRU" : "LSTM"); }

double apply(const Act& a, double x) {
  auto alpha = [&](double fallback) { return a.alpha ? static_cast<double>(*a.alpha) : fallback; };
  auto beta = [&](double fallback) { return a.beta ? static_cast<double>(*a.beta) : fallback; };
  const std::string& n = a.name;
  if (n == "Sigmoid") return 1 / (1 + std::exp(-x));
  if (n == "Tanh") return std::tanh(x);
  if (n == "Relu") return std::max(0.0, x);
  if (n == "HardSigmoid") return std::clamp(alpha(0.2) * x + beta(0.5), 0.0, 1.0);
  if (n == "LeakyRelu") return x >= 0 ? x : alpha(0.01) * x;
  if (n == "Affine") return alpha(1.0) * x + beta(0.0);
  if (n == "ScaledTanh") return alpha(1.0) * std::tanh(beta(1.0) * x);
  if (n == "Softsign") return x / (1 + std::fabs(x));
  if (n == "Elu") return x >= 0 ? x : alpha(1.0) * (std::exp(x) - 1);
  ADD_FAILURE() << "test reference lacks " << n;
  return 0;
}

struct Reference {
  std::vector<double> y, yh, yc;  ///< layout 0
};

/// The ONNX equations, one batch entry and one gate at a time. Inputs are layout 0 doubles.
Reference reference(const Case& c, const std::vector<double>& x, const std::vector<double>& w,
                    const std::vector<double>& r, const std::vector<double>& bias, const std::vector<double>& h0,
                    const std::vector<double>& c0, const std::vector<double>& p) {
  const int64_t S = c.seq, B = c.batch, I = c.input, H = c.hidden, G = gates_of(c.kind);
  const int64_t D = c.direction == "bidirectional" ? 2 : 1;
  const int64_t per_dir = c.kind == Kind::kRnn ? 1 : (c.kind == Kind::kGru ? 2 : 3);
  std::vector<Act> acts = c.acts;
  if (acts.empty()) {
    if (c.kind == Kind::kRnn) acts = {{"Tanh"}};
    if (c.kind == Kind::kGru) acts = {{"Sigmoid"}, {"Tanh"}};
    if (c.kind == Kind::kLstm) acts = {{"Sigmoid"}, {"Tanh"}, {"Tanh"}};
  }
  if (static_cast<int64_t>(acts.size()) == per_dir && D == 2) {
    const std::vector<Act> once = acts;
    acts.insert(acts.end(), once.begin(), once.end());
  }
  Reference out;
  out.y.assign(static_cast<size_t>(S * D * B * H), 0.0);
  out.yh.assign(static_cast<size_t>(D * B * H), 0.0);
  out.yc.assign(static_cast<size_t>(D * B * H), 0.0);
  auto clip = [&](double v) { return c.clip ? std::clamp(v, -double(*c.clip), double(*c.clip)) : v; };
  for (int64_t d = 0; d < D; ++d) {
    const bool rev = c.direction == "reverse" || d == 1;
    const Act* f = &acts[d * per_dir];
    for (int64_t b = 0; b < B; ++b) {
      std::vector<double> h(h0.begin() + (d * B + b) * H, h0.begin() + (d * B + b + 1) * H);
      std::vector<double> cs(c0.begin() + (d * B + b) * H, c0.begin() + (d * B + b + 1) * H);
      const int64_t len = c.lens.empty() ? S : c.lens[b];
      for (int64_t s = 0; s < len; ++s) {
        const int64_t t = rev ? len - 1 - s : s;
        auto xw = [&](int64_t g, int64_t j) {
          double v = bias[d * 2 * G * H + g * H + j];
          for (int64_t k = 0; k < I; ++k) v += x[(t * B + b) * I + k] * w[(d * G * H + g * H + j) * I + k];
          return v;
        };
        auto hr = [&](int64_t g, int64_t j, const std::vector<double>& hv) {
          double v = bias[d * 2 * G * H + G * H + g * H + j];
          for (int64_t k = 0; k < H; ++k) v += hv[k] * r[(d * G * H + g * H + j) * H + k];
          return v;
        };
        std::vector<double> hn(H), cn(H);
        if (c.kind == Kind::kRnn) {
          for (int64_t j = 0; j < H; ++j) hn[j] = apply(f[0], clip(xw(0, j) + hr(0, j, h)));
        } else if (c.kind == Kind::kGru) {
          std::vector<double> z(H), rg(H), rh(H);
          for (int64_t j = 0; j < H; ++j) {
            z[j] = apply(f[0], clip(xw(0, j) + hr(0, j, h)));
            rg[j] = apply(f[0], clip(xw(1, j) + hr(1, j, h)));
            rh[j] = rg[j] * h[j];
          }
          for (int64_t j = 0; j < H; ++j) {
            double pre = c.linear_before_reset ? xw(2, j) + rg[j] * hr(2, j, h) : xw(2, j) + hr(2, j, rh);
            hn[j] = (1 - z[j]) * apply(f[1], clip(pre)) + z[j] * h[j];
          }
        } else {
          for (int64_t j = 0; j < H; ++j) {
            auto peep = [&](int64_t g, double cv) { return p.empty() ? 0.0 : p[d * 3 * H + g * H + j] * cv; };
            double i = apply(f[0], clip(xw(0, j) + hr(0, j, h) + peep(0, cs[j])));
            double fg = c.input_forget ? 1 - i : apply(f[0], clip(xw(2, j) + hr(2, j, h) + peep(2, cs[j])));
            double cc = apply(f[1], clip(xw(3, j) + hr(3, j, h)));
            cn[j] = fg * cs[j] + i * cc;
            double o = apply(f[0], clip(xw(1, j) + hr(1, j, h) + peep(1, cn[j])));
            hn[j] = o * apply(f[2], cn[j]);
          }
          cs = cn;
        }
        h = hn;
        for (int64_t j = 0; j < H; ++j) out.y[((t * D + d) * B + b) * H + j] = h[j];
      }
      for (int64_t j = 0; j < H; ++j) {  // an empty sequence ends in zero states (ONNX Runtime's choice)
        out.yh[(d * B + b) * H + j] = len ? h[j] : 0.0;
        out.yc[(d * B + b) * H + j] = len ? cs[j] : 0.0;
      }
    }
  }
  return out;
}

std::vector<double> random_values(std::mt19937& rng, int64_t n) {
  std::uniform_real_distribution<double> dist(-1.0, 1.0);
  std::vector<double> v(static_cast<size_t>(n));
  for (auto& e : v) e = static_cast<double>(static_cast<float>(dist(rng)));
  return v;
}

Tensor make(const std::vector<double>& v, std::vector<int64_t> shape, bool f64) {
  if (f64) return Tensor::from_vector<double>(v, std::move(shape));
  std::vector<float> f(v.begin(), v.end());
  return Tensor::from_vector<float>(f, std::move(shape));
}

/// Swaps the two leading dims of a [a, b, rest] array.
std::vector<double> swap01(const std::vector<double>& v, int64_t a, int64_t b, int64_t rest) {
  std::vector<double> out(v.size());
  for (int64_t i = 0; i < a; ++i)
    for (int64_t j = 0; j < b; ++j)
      for (int64_t k = 0; k < rest; ++k) out[(j * a + i) * rest + k] = v[(i * b + j) * rest + k];
  return out;
}

void check(const Case& c, uint32_t seed = 1) {
  std::mt19937 rng(seed);
  const int64_t S = c.seq, B = c.batch, I = c.input, H = c.hidden, G = gates_of(c.kind);
  const int64_t D = c.direction == "bidirectional" ? 2 : 1;
  auto x = random_values(rng, S * B * I), w = random_values(rng, D * G * H * I), r = random_values(rng, D * G * H * H);
  auto bias = c.bias ? random_values(rng, D * 2 * G * H) : std::vector<double>(D * 2 * G * H, 0.0);
  auto h0 = c.initial ? random_values(rng, D * B * H) : std::vector<double>(D * B * H, 0.0);
  auto c0 = c.initial ? random_values(rng, D * B * H) : std::vector<double>(D * B * H, 0.0);
  auto p = c.peephole ? random_values(rng, D * 3 * H) : std::vector<double>();
  const Reference want = reference(c, x, w, r, bias, h0, c0, p);

  const bool l1 = c.layout == 1;
  std::vector<std::optional<Tensor>> in{l1 ? make(swap01(x, S, B, I), {B, S, I}, c.f64) : make(x, {S, B, I}, c.f64),
                                        make(w, {D, G * H, I}, c.f64), make(r, {D, G * H, H}, c.f64)};
  in.push_back(c.bias ? std::optional<Tensor>(make(bias, {D, 2 * G * H}, c.f64)) : std::nullopt);
  in.push_back(c.lens.empty() ? std::nullopt
                              : std::optional<Tensor>(Tensor::from_vector<int32_t>(
                                    std::vector<int32_t>(c.lens.begin(), c.lens.end()), {B})));
  auto state = [&](const std::vector<double>& v) {
    return l1 ? make(swap01(v, D, B, H), {B, D, H}, c.f64) : make(v, {D, B, H}, c.f64);
  };
  in.push_back(c.initial ? std::optional<Tensor>(state(h0)) : std::nullopt);
  if (c.kind == Kind::kLstm) {
    in.push_back(c.initial ? std::optional<Tensor>(state(c0)) : std::nullopt);
    in.push_back(c.peephole ? std::optional<Tensor>(make(p, {D, 3 * H}, c.f64)) : std::nullopt);
  }
  std::map<std::string, Attribute> attrs{{"hidden_size", H}, {"direction", c.direction}};
  if (c.layout) attrs["layout"] = c.layout;
  if (c.clip) attrs["clip"] = static_cast<double>(*c.clip);
  if (c.linear_before_reset) attrs["linear_before_reset"] = 1;
  if (c.input_forget) attrs["input_forget"] = 1;
  if (!c.acts.empty()) {
    std::vector<std::string> names;
    std::vector<double> alphas, betas;
    for (const Act& a : c.acts) {
      names.push_back(a.name);
      if (a.alpha) alphas.push_back(*a.alpha);
      if (a.beta) betas.push_back(*a.beta);
    }
    attrs["activations"] = names;
    if (!alphas.empty()) attrs["activation_alpha"] = alphas;
    if (!betas.empty()) attrs["activation_beta"] = betas;
  }
  const size_t outputs = c.kind == Kind::kLstm ? 3 : 2;
  auto got = run_op(op_of(c.kind), in, attrs, 14, outputs);
  ASSERT_TRUE(got.has_value()) << got.error().to_string();
  std::vector<double> y_want = want.y;  // [S, D, B, H]; layout 1 wants [B, S, D, H]
  if (l1) {
    for (int64_t t = 0; t < S; ++t)
      for (int64_t d = 0; d < D; ++d)
        for (int64_t b = 0; b < B; ++b)
          for (int64_t j = 0; j < H; ++j) y_want[((b * S + t) * D + d) * H + j] = want.y[((t * D + d) * B + b) * H + j];
  }
  const DType dt = c.f64 ? DType::kF64 : DType::kF32;
  const double tol = c.f64 ? 1e-10 : 2e-5;
  kernel_test::expect_tensor((*got)[0], dt, l1 ? std::vector<int64_t>{B, S, D, H} : std::vector<int64_t>{S, D, B, H},
                             y_want, tol);
  const std::vector<int64_t> state_shape = l1 ? std::vector<int64_t>{B, D, H} : std::vector<int64_t>{D, B, H};
  kernel_test::expect_tensor((*got)[1], dt, state_shape, l1 ? swap01(want.yh, D, B, H) : want.yh, tol);
  if (c.kind == Kind::kLstm)
    kernel_test::expect_tensor((*got)[2], dt, state_shape, l1 ? swap01(want.yc, D, B, H) : want.yc, tol);
}

TEST(RnnKernel, DirectionsWithDefaults) {
  for (const char* dir : {"forward", "reverse", "bidirectional"}) {
    SCOPED_TRACE(dir);
    Case c;
    c.kind = Kind::kRnn;
    c.direction = dir;
    check(c);
  }
}

TEST(RnnKernel, SequenceLensNoBiasNoInitialStateLayout1) {
  Case c;
  c.kind = Kind::kRnn;
  c.direction = "bidirectional";
  c.seq = 5;
  c.batch = 3;
  c.lens = {5, 2, 0};
  c.bias = c.initial = false;
  c.layout = 1;
  check(c);
}

TEST(RnnKernel, ActivationsWithAlphaBetaAndClip) {
  Case c;
  c.kind = Kind::kRnn;
  c.direction = "bidirectional";
  c.acts = {{"HardSigmoid", 0.3f, 0.4f}, {"LeakyRelu", 0.05f, std::nullopt}};
  c.clip = 0.5f;
  check(c);
}

TEST(GruKernel, BothResetPlacementsAllDirections) {
  for (bool lbr : {false, true})
    for (const char* dir : {"forward", "reverse", "bidirectional"}) {
      SCOPED_TRACE(std::string(dir) + (lbr ? " linear_before_reset" : ""));
      Case c;
      c.kind = Kind::kGru;
      c.direction = dir;
      c.linear_before_reset = lbr;
      check(c, 7);
    }
}

TEST(GruKernel, SequenceLensLayoutClipAndF64) {
  Case c;
  c.kind = Kind::kGru;
  c.direction = "bidirectional";
  c.seq = 4;
  c.batch = 3;
  c.lens = {1, 4, 3};
  c.layout = 1;
  c.clip = 0.7f;
  c.f64 = true;
  c.acts = {{"Affine", 0.5f, 0.1f}, {"ScaledTanh", 1.5f, 0.8f}, {"Sigmoid"}, {"Softsign"}};
  check(c, 3);
}

TEST(LstmKernel, DirectionsPeepholesAndInputForget) {
  for (const char* dir : {"forward", "reverse", "bidirectional"}) {
    SCOPED_TRACE(dir);
    Case c;
    c.direction = dir;
    c.peephole = true;
    check(c, 11);
    c.input_forget = true;
    check(c, 12);
  }
}

TEST(LstmKernel, SequenceLensLayoutActivationsF64) {
  Case c;
  c.direction = "bidirectional";
  c.seq = 6;
  c.batch = 4;
  c.hidden = 5;
  c.lens = {6, 3, 1, 0};
  c.layout = 1;
  c.peephole = true;
  c.f64 = true;
  c.clip = 0.9f;
  c.acts = {{"HardSigmoid", 0.25f, 0.45f}, {"Elu", 0.7f, std::nullopt}, {"Tanh"}, {"Sigmoid"}, {"Relu"}, {"Softsign"}};
  check(c, 5);
}

TEST(LstmKernel, LargerShapesUseTheGemmPath) {
  Case c;
  c.seq = 7;
  c.batch = 9;
  c.input = 33;
  c.hidden = 40;
  c.bias = c.initial = true;
  check(c, 21);
}

std::vector<std::optional<Tensor>> small_lstm_inputs(std::vector<int64_t> w_shape = {1, 8, 3}) {
  Tensor x(DType::kF32, {2, 1, 3}), w(DType::kF32, w_shape), r(DType::kF32, {1, 8, 2});
  return {x, w, r};
}

TEST(LstmKernel, BadInputsAreErrorsNamingTheProblem) {
  const std::map<std::string, Attribute> h2{{"hidden_size", 2}};
  Status s = run_error("LSTM", small_lstm_inputs({1, 8, 4}), h2);
  EXPECT_NE(s.to_string().find("W f32[1, 8, 4] must be f32[1, 8, 3]"), std::string::npos) << s.to_string();
  auto lens_bad = small_lstm_inputs();
  lens_bad.push_back(std::nullopt);
  lens_bad.push_back(Tensor::from_vector<int32_t>({3}, {1}));
  s = run_error("LSTM", lens_bad, h2);
  EXPECT_NE(s.to_string().find("sequence_lens[0] = 3"), std::string::npos) << s.to_string();
  EXPECT_NE(s.to_string().find("'n'"), std::string::npos) << s.to_string();
  s = run_error("LSTM", small_lstm_inputs(),
                {{"hidden_size", 2}, {"activations", std::vector<std::string>{"Gelu", "Tanh", "Tanh"}}});
  EXPECT_EQ(s.code(), ErrorCode::kUnsupported);
  EXPECT_NE(s.to_string().find("activation 'Gelu'"), std::string::npos) << s.to_string();
  s = run_error("LSTM", small_lstm_inputs(), {{"hidden_size", 2}, {"activations", std::vector<std::string>{"Tanh"}}});
  EXPECT_NE(s.to_string().find("3 per direction"), std::string::npos) << s.to_string();
  s = run_error("LSTM", small_lstm_inputs(), {{"hidden_size", 2}, {"direction", std::string("sideways")}});
  EXPECT_NE(s.to_string().find("direction 'sideways'"), std::string::npos) << s.to_string();
  s = run_error("LSTM", small_lstm_inputs(), {{"hidden_size", 2}, {"layout", 1}}, 13);
  EXPECT_NE(s.to_string().find("opset 14"), std::string::npos) << s.to_string();
  s = run_error("RNN",
                {Tensor(DType::kI32, {1, 1, 1}), Tensor(DType::kI32, {1, 1, 1}), Tensor(DType::kI32, {1, 1, 1})});
  EXPECT_EQ(s.code(), ErrorCode::kUnsupported);
}

}  // namespace
}  // namespace nnc
