// nnc core: Einsum: equation parsing (ellipsis, implicit output), diagonals, sums, pairwise batched-GEMM contraction.
#include <algorithm>
#include <cctype>
#include <memory>

#include "exec/kernels_linalg.h"
#include "exec/linalg_blas.h"
#include "exec/tensor_util.h"

namespace nnc::exec::linalg {
namespace {

constexpr int kEllipsisBase = 52;  // label ids: 0-25 'a'-'z', 26-51 'A'-'Z', 52+ ellipsis dims

struct Equation {
  std::vector<std::vector<int>> inputs;  // label ids per input axis
  std::vector<int> output;
};

int label_id(char c) { return std::islower(static_cast<unsigned char>(c)) ? c - 'a' : 26 + (c - 'A'); }

/// Parses one term into labels; "..." expands to `ell` ellipsis ids (right-aligned to `ell_max`).
/// Returns false on a malformed term.
bool parse_term(const std::string& term, int64_t rank, bool is_output, int64_t ell_max, std::vector<int>& labels,
                int64_t& ell_rank, std::string& why) {
  labels.clear();
  ell_rank = 0;
  size_t letters = 0;
  bool seen_ellipsis = false;
  size_t ellipsis_at = 0;  // label position where "..." expands
  for (size_t i = 0; i < term.size(); ++i) {
    char c = term[i];
    if (c == '.') {
      if (seen_ellipsis || term.compare(i, 3, "...") != 0) return why = "malformed ellipsis in '" + term + "'", false;
      seen_ellipsis = true;
      i += 2;
      ellipsis_at = labels.size();
    } else if (std::isalpha(static_cast<unsigned char>(c))) {
      labels.push_back(label_id(c));
      ++letters;
    } else {
      return why = std::string("invalid character '") + c + "' in '" + term + "'", false;
    }
  }
  if (!is_output) {
    ell_rank = rank - static_cast<int64_t>(letters);
    if (ell_rank < 0 || (!seen_ellipsis && ell_rank != 0))
      return why = "term '" + term + "' does not match an input of rank " + std::to_string(rank), false;
  } else {
    ell_rank = seen_ellipsis ? ell_max : 0;
  }
  if (seen_ellipsis) {
    std::vector<int> ell;
    for (int64_t j = ell_max - ell_rank; j < ell_max; ++j) ell.push_back(kEllipsisBase + static_cast<int>(j));
    labels.insert(labels.begin() + static_cast<std::ptrdiff_t>(ellipsis_at), ell.begin(), ell.end());
  }
  return true;
}

Expected<Equation> parse_equation(const KernelArgs& args, std::string eq, const std::vector<int64_t>& ranks) {
  eq.erase(std::remove_if(eq.begin(), eq.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); }),
           eq.end());
  size_t arrow = eq.find("->");
  std::string lhs = eq.substr(0, arrow);
  std::vector<std::string> terms;
  for (size_t start = 0;;) {
    size_t comma = lhs.find(',', start);
    terms.push_back(lhs.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (terms.size() != ranks.size())
    return args.error("equation '" + eq + "' names " + std::to_string(terms.size()) + " inputs, the node has " +
                      std::to_string(ranks.size()));
  Equation e;
  std::string why;
  int64_t ell_max = 0;
  std::vector<int64_t> ell_ranks(terms.size());
  for (size_t i = 0; i < terms.size(); ++i) {  // first pass: ellipsis ranks
    std::vector<int> tmp;
    if (!parse_term(terms[i], ranks[i], false, 0, tmp, ell_ranks[i], why)) return args.error(why);
    ell_max = std::max(ell_max, ell_ranks[i]);
  }
  e.inputs.resize(terms.size());
  bool any_ellipsis = false;
  for (size_t i = 0; i < terms.size(); ++i) {
    int64_t er;
    if (!parse_term(terms[i], ranks[i], false, ell_max, e.inputs[i], er, why)) return args.error(why);
    any_ellipsis = any_ellipsis || terms[i].find("...") != std::string::npos;
  }
  if (arrow != std::string::npos) {
    int64_t er;
    if (!parse_term(eq.substr(arrow + 2), 0, true, ell_max, e.output, er, why)) return args.error(why);
    std::vector<int> sorted = e.output;
    std::sort(sorted.begin(), sorted.end());
    if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end())
      return args.error("output of '" + eq + "' repeats a label");
  } else {  // implicit output: ellipsis dims, then labels used once, in alphabetical (ASCII) order
    int count[kEllipsisBase] = {};
    for (const auto& in : e.inputs)
      for (int l : in)
        if (l < kEllipsisBase) ++count[l];
    if (any_ellipsis)
      for (int64_t j = 0; j < ell_max; ++j) e.output.push_back(kEllipsisBase + static_cast<int>(j));
    for (int l = 26; l < 52; ++l)  // 'A'-'Z' sort before 'a'-'z'
      if (count[l] == 1) e.output.push_back(l);
    for (int l = 0; l < 26; ++l)
      if (count[l] == 1) e.output.push_back(l);
  }
  return e;
}

/// A labelled dense operand; `data` points into `store` or at a kernel input.
template <typename T>
struct Operand {
  std::vector<int> labels;
  std::vector<int64_t> dims;
  std::shared_ptr<std::vector<T>> store;
  const T* data = nullptr;
};

/// Copies src (read with per-output-axis strides, 0 = broadcast) into a dense tensor of dims `out`.
template <typename T>
void gather(const T* src, const std::vector<int64_t>& out, const std::vector<int64_t>& strides, T* dst) {
  const int64_t total = product(out);
  if (total == 0) return;
  if (out.empty()) {
    dst[0] = src[0];
    return;
  }
  const size_t r = out.size();
  std::vector<int64_t> idx(r, 0);
  const int64_t inner = out[r - 1], inner_stride = strides[r - 1];
  int64_t off = 0;
  for (int64_t i = 0; i < total; i += inner) {
    for (int64_t j = 0; j < inner; ++j) dst[i + j] = src[off + j * inner_stride];
    for (int64_t d = static_cast<int64_t>(r) - 2; d >= 0; --d) {
      off += strides[d];
      if (++idx[d] < out[d]) break;
      off -= strides[d] * out[d];
      idx[d] = 0;
    }
  }
}

/// Rearranges `x` to the label order `order`, each label with size `sizes[label]` (broadcasting size-1
/// axes) and summing repeated labels as diagonals and labels of x missing from `order`.
template <typename T>
Operand<T> arrange(const Operand<T>& x, const std::vector<int>& order, const std::vector<int64_t>& sizes) {
  std::vector<int64_t> xs = strides_of(x.dims);
  std::vector<int> summed;  // labels of x not in order
  for (int l : x.labels)
    if (std::find(order.begin(), order.end(), l) == order.end() && std::find(summed.begin(), summed.end(), l) == summed.end())
      summed.push_back(l);
  std::vector<int> all = order;
  all.insert(all.end(), summed.begin(), summed.end());
  std::vector<int64_t> dims, strides;
  for (int l : all) {
    int64_t stride = 0, size = sizes[l];
    for (size_t a = 0; a < x.labels.size(); ++a)
      if (x.labels[a] == l && x.dims[a] != 1) stride += xs[a];  // repeated labels: diagonal
    dims.push_back(size);
    strides.push_back(stride);
  }
  bool identity = summed.empty() && x.labels == order && dims == x.dims;
  Operand<T> out;
  out.labels = order;
  out.dims.assign(dims.begin(), dims.begin() + static_cast<std::ptrdiff_t>(order.size()));
  if (identity) {
    out.store = x.store;
    out.data = x.data;
    return out;
  }
  auto full = std::make_shared<std::vector<T>>(static_cast<size_t>(product(dims)));
  gather(x.data, dims, strides, full->data());
  if (summed.empty()) {
    out.store = full;
  } else {
    const int64_t kept = product(out.dims), block = product(dims) / std::max<int64_t>(kept, 1);
    out.store = std::make_shared<std::vector<T>>(static_cast<size_t>(kept));
    for (int64_t i = 0; i < kept; ++i) {
      T s = T(0);
      for (int64_t j = 0; j < block; ++j) s += (*full)[static_cast<size_t>(i * block + j)];
      (*out.store)[static_cast<size_t>(i)] = s;
    }
  }
  out.data = out.store->data();
  return out;
}

bool contains(const std::vector<int>& v, int l) { return std::find(v.begin(), v.end(), l) != v.end(); }

/// Contracts x and y into the labels of `keep` they carry: [batch, x-only, y-only].
template <typename T>
Operand<T> contract(ThreadPool& pool, const Operand<T>& x, const Operand<T>& y, const std::vector<int>& keep,
                    const std::vector<int64_t>& sizes) {
  std::vector<int> batch, xonly, yonly, inner;
  auto add_unique = [](std::vector<int>& v, int l) {
    if (!contains(v, l)) v.push_back(l);
  };
  for (int l : x.labels) {
    bool in_y = contains(y.labels, l), kept = contains(keep, l);
    if (in_y && kept) add_unique(batch, l);
    else if (in_y) add_unique(inner, l);
    else if (kept) add_unique(xonly, l);
  }
  for (int l : y.labels)
    if (!contains(x.labels, l) && contains(keep, l)) add_unique(yonly, l);
  std::vector<int> xorder = batch, yorder = batch;
  xorder.insert(xorder.end(), xonly.begin(), xonly.end());
  xorder.insert(xorder.end(), inner.begin(), inner.end());
  yorder.insert(yorder.end(), inner.begin(), inner.end());
  yorder.insert(yorder.end(), yonly.begin(), yonly.end());
  Operand<T> xa = arrange(x, xorder, sizes), ya = arrange(y, yorder, sizes);
  auto size_of = [&](const std::vector<int>& ls) {
    int64_t p = 1;
    for (int l : ls) p *= sizes[l];
    return p;
  };
  const int64_t nb = size_of(batch), m = size_of(xonly), n = size_of(yonly), k = size_of(inner);
  Operand<T> r;
  r.labels = batch;
  r.labels.insert(r.labels.end(), xonly.begin(), xonly.end());
  r.labels.insert(r.labels.end(), yonly.begin(), yonly.end());
  for (int l : r.labels) r.dims.push_back(sizes[l]);
  r.store = std::make_shared<std::vector<T>>(static_cast<size_t>(nb * m * n));
  r.data = r.store->data();
  blas::Gemm<T> g;
  g.m = m;
  g.n = n;
  g.k = k;
  g.lda = k;
  g.ldb = n;
  g.ldc = n;
  auto one = [&](int64_t b, bool parallel) {
    blas::Gemm<T> s = g;
    s.a = xa.data + b * m * k;
    s.b = ya.data + b * k * n;
    s.c = r.store->data() + b * m * n;
    if (parallel)
      blas::gemm_parallel(pool, s);
    else
      blas::gemm(s);
  };
  if (nb >= pool.size()) {
    pool.parallel_for(nb, [&](int64_t lo, int64_t hi) {
      for (int64_t b = lo; b < hi; ++b) one(b, false);
    });
  } else {
    for (int64_t b = 0; b < nb; ++b) one(b, true);
  }
  return r;
}

template <typename T>
Status run(KernelArgs& args, const Equation& eq) {
  std::vector<int64_t> sizes(static_cast<size_t>(kEllipsisBase + 64), 1);
  std::vector<bool> seen(sizes.size(), false);
  std::vector<Operand<T>> ops;
  for (size_t i = 0; i < eq.inputs.size(); ++i) {
    const Tensor& t = *args.inputs[i];
    Operand<T> op;
    op.labels = eq.inputs[i];
    op.dims = t.shape();
    op.data = t.data<T>().data();
    for (size_t a = 0; a < op.labels.size(); ++a) {
      int l = op.labels[a];
      if (l >= static_cast<int>(sizes.size())) return args.unsupported("too many ellipsis dims");
      int64_t d = op.dims[a];
      if (seen[l] && sizes[l] != d && sizes[l] != 1 && d != 1)
        return args.error("label sizes disagree: " + std::to_string(sizes[l]) + " vs " + std::to_string(d) + " (input " +
                          std::to_string(i) + ", axis " + std::to_string(a) + ")");
      if (!seen[l] || sizes[l] == 1) sizes[l] = d;
      seen[l] = true;
    }
    ops.push_back(std::move(op));
  }
  for (int l : eq.output)
    if (l >= static_cast<int>(seen.size()) || !seen[l]) return args.error("an output label does not appear in any input");
  Operand<T> acc = ops[0];
  for (size_t i = 1; i < ops.size(); ++i) {
    std::vector<int> keep = eq.output;
    for (size_t j = i + 1; j < ops.size(); ++j) keep.insert(keep.end(), ops[j].labels.begin(), ops[j].labels.end());
    acc = contract(args.pool, acc, ops[i], keep, sizes);
  }
  Operand<T> result = arrange(acc, eq.output, sizes);
  Tensor y(args.inputs[0]->dtype(), result.dims);
  std::copy(result.data, result.data + y.element_count(), y.mutable_data<T>().data());
  args.outputs[0] = std::move(y);
  return Status::ok();
}

}  // namespace

Status einsum(KernelArgs& args) {
  if (args.inputs.empty()) return args.error("Einsum needs at least one input");
  if (args.output_count() < 1) return args.error("Einsum needs an output");
  if (!has_attr(args.node, "equation")) return args.error("Einsum needs the 'equation' attribute");
  std::vector<int64_t> ranks;
  for (size_t i = 0; i < args.inputs.size(); ++i) {
    if (!args.inputs[i]) return args.error("Einsum input " + std::to_string(i) + " is missing");
    NNC_RETURN_IF_ERROR(expect_dtype(*args.inputs[i], args.inputs[0]->dtype(), args, "every input"));
    ranks.push_back(args.inputs[i]->rank());
  }
  NNC_ASSIGN_OR_RETURN(Equation eq, parse_equation(args, attr_string(args.node, "equation", ""), ranks));
  switch (args.inputs[0]->dtype()) {
    case DType::kF32: return run<float>(args, eq);
    case DType::kF64: return run<double>(args, eq);
    case DType::kI32: return run<int32_t>(args, eq);
    case DType::kI64: return run<int64_t>(args, eq);
    default:
      return args.unsupported(std::string("Einsum on ") + dtype_name(args.inputs[0]->dtype()) +
                              " (f32, f64, i32 and i64 are supported)");
  }
}

}  // namespace nnc::exec::linalg
