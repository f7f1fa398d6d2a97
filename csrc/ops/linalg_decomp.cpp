#include "ops/linalg_decomp.h"

#include <algorithm>
#include <cctype>

#include "core/eval.h"
#include "mlx/linalg.h"
#include "ops/layout.h"
#include "ops/linalg.h"
#include "ops/linalg_solve.h"
#include "ops/pointwise.h"
#include "ops/reduce.h"
#include "ops/shape.h"
#include "ops/view.h"

namespace mlxc {

namespace linalg {

void check_floating(const Tensor& t, const char* fn, const char*) {
  const ScalarType st = t.dtype();
  MLXC_CHECK(is_floating(st) || is_complex(st), Runtime, fn,
             ": Expected a floating point or complex tensor as input. Got ", scalar_type_name(st));
  MLXC_CHECK(!is_complex(st), Runtime, fn, ": complex inputs are not supported");
  MLXC_CHECK(st == ScalarType::Float32 || st == ScalarType::Float64, Runtime, fn,
             ": Low precision dtypes not supported. Got ", scalar_type_name(st));
}

void check_matrix(const Tensor& t, const char* fn, const char* arg) {
  MLXC_CHECK(t.dim() >= 2, Runtime, fn, ": The input tensor ", arg,
             " must have at least 2 dimensions.");
}

void check_square(const Tensor& t, const char* fn, const char* arg) {
  check_matrix(t, fn, arg);
  MLXC_CHECK(t.size(-1) == t.size(-2), Runtime, fn, ": ", arg,
             " must be batches of square matrices, but they are ", t.size(-2), " by ", t.size(-1),
             " matrices");
}

Tensor mH(const Tensor& t) { return transpose(t, -2, -1); }

IntArray batch_sizes(const Tensor& t) { return IntArray(t.sizes().begin(), t.sizes().end() - 2); }

mx::array from_triangle(const mx::array& a, bool upper) {
  mx::array half = upper ? mx::triu(a, 0) : mx::tril(a, 0);
  mx::array strict = upper ? mx::triu(a, 1) : mx::tril(a, -1);
  return mx::add(half, mx::swapaxes(strict, -1, -2));
}

Tensor zeros_of(const IntArray& sizes, ScalarType dtype) {
  return Tensor::from_array(mx::zeros(to_shape(sizes), to_mlx(dtype)), dtype);
}

Tensor eye_of(int64_t n, const IntArray& batch, ScalarType dtype) {
  IntArray s = batch;
  s.push_back(n);
  s.push_back(n);
  mx::array e = mx::eye(static_cast<int>(n), to_mlx(dtype));
  return Tensor::from_array(mx::broadcast_to(e, to_shape(s)), dtype);
}

TensorList as_node(const char* name, const TensorList& outs) {
  bool any = false;
  for (const Tensor& t : outs) any = any || (t.defined() && t.requires_grad());
  if (!any || !GradMode::is_enabled()) return outs;
  std::vector<std::pair<IntArray, ScalarType>> meta;
  for (const Tensor& t : outs) {
    meta.emplace_back(t.defined() ? t.sizes() : IntArray{},
                      t.defined() ? t.dtype() : ScalarType::Float32);
  }
  // An output without gradient passes zeros on: the ops below expect defined gradients.
  auto node = std::make_shared<FnNode>(name, [meta](FnNode& nd, TensorList& gs) {
    TensorList r(meta.size());
    for (size_t i = 0; i < meta.size(); ++i) {
      if (i < gs.size() && gs[i].defined()) {
        r[i] = gs[i];
      } else if (nd.needs_input_grad(i)) {
        r[i] = zeros_of(meta[i].first, meta[i].second);
      }
    }
    return r;
  });
  TensorList res;
  for (size_t i = 0; i < outs.size(); ++i) {
    const Tensor& t = outs[i];
    const bool diff = t.defined() && t.requires_grad();
    node->next_edges.push_back(diff ? gradient_edge(t) : Edge{});
    node->input_dtypes.push_back(t.defined() ? t.dtype() : ScalarType::Float32);
    if (!diff) {
      res.push_back(t);
      continue;
    }
    Tensor r = detach_alias(t);
    set_history(r, node, static_cast<uint32_t>(i));
    res.push_back(r);
  }
  node->num_outputs = static_cast<uint32_t>(outs.size());
  return res;
}

std::optional<std::pair<int64_t, int64_t>> first_failure(const Tensor& info) {
  mx::array v = mx::astype(mx::reshape(info.value(), {-1}), mx::int32);
  eval_arrays({v});
  const int32_t* p = v.data<int32_t>();
  for (size_t i = 0; i < v.size(); ++i) {
    if (p[i] != 0) return std::make_pair(static_cast<int64_t>(i), static_cast<int64_t>(p[i]));
  }
  return std::nullopt;
}

}  // namespace linalg

using namespace linalg;

namespace {

// The first `len` entries of axis `axis`.
mx::array prefix(const mx::array& a, int axis, int len) {
  const int nd = static_cast<int>(a.ndim());
  axis = axis < 0 ? axis + nd : axis;
  mx::Shape start(nd, 0), stop = a.shape();
  stop[axis] = len;
  return mx::slice(a, start, stop);
}

// 1-based index of the first true entry along the last axis, 0 if none (LAPACK's info).
mx::array first_true(const mx::array& bad) {
  if (bad.shape().back() == 0) {
    mx::Shape s(bad.shape().begin(), bad.shape().end() - 1);
    return mx::zeros(s, mx::int32);
  }
  mx::array idx = mx::astype(mx::argmax(bad, -1), mx::int32);
  return mx::where(mx::any(bad, -1), mx::add(idx, mx::array(1, mx::int32)),
                   mx::array(0, mx::int32));
}

mx::array shape_zeros(IntArray s, ScalarType st) { return mx::zeros(to_shape(s), to_mlx(st)); }

// A rectangular identity (rows x cols) broadcast over `batch`.
mx::array eye_rect(const IntArray& batch, int64_t rows, int64_t cols, ScalarType st) {
  IntArray s = batch;
  s.push_back(rows);
  s.push_back(cols);
  mx::array e = mx::eye(static_cast<int>(rows), static_cast<int>(cols), 0, to_mlx(st));
  return mx::broadcast_to(e, to_shape(s));
}

Tensor cholesky_backward(Tensor gL, bool upper, Tensor L) {
  if (upper) {
    L = mH(L);
    gL = mH(gL);
  }
  Tensor gA = tril(matmul(mH(L), gL), 0);
  gA = mul(add(gA, mH(tril(gA, -1))), 0.5);
  gA = linalg_solve_triangular(mH(L), gA, /*upper=*/true, /*left=*/true, false);
  return linalg_solve_triangular(L, gA, /*upper=*/false, /*left=*/false, false);
}

std::pair<Tensor, Tensor> cholesky_impl(const Tensor& A, bool upper, bool check_errors,
                                        const char* fn, const char* node_name) {
  check_square(A, fn);
  check_floating(A, fn);
  const ScalarType st = A.dtype();
  IntArray batch = batch_sizes(A);
  mx::array L = shape_zeros(A.sizes(), st), info = shape_zeros(batch, ScalarType::Int32);
  if (A.numel() > 0) {
    L = mx::linalg::cholesky(from_triangle(A.value(), false), false, cpu());
    mx::array d = mx::diagonal(L, 0, -2, -1);
    info = first_true(mx::logical_or(mx::less_equal(d, mx::zeros({}, d.dtype())), mx::isnan(d)));
  }
  Tensor out = make_result(upper ? mx::swapaxes(L, -1, -2) : L, st, {&A});
  Tensor inf = make_result(info, ScalarType::Int32, {});
  if (check_errors) {
    raise_for_info(inf, fn, [](int64_t i) {
      return str(
          "The factorization could not be completed because the input is not positive-definite "
          "(the leading minor of order ",
          i, " is not positive-definite).");
    });
  }
  if (needs_grad({&A})) {
    auto node = make_node(node_name, {&A}, [upper](FnNode& n, TensorList& gs) {
      if (gs.empty() || !gs[0].defined()) return TensorList{Tensor()};
      return TensorList{cholesky_backward(gs[0], upper, n.saved(0))};
    });
    set_history(out, node);
    node->save(out, true);
  }
  return {out, inf};
}

Tensor qr_backward(const Tensor& gQ, const Tensor& gR, const Tensor& Q, const Tensor& R,
                   const std::string& mode) {
  MLXC_CHECK(mode != "r", Runtime,
             "The derivative of linalg.qr depends on Q, which is not computed when mode='r'. "
             "Please use linalg.qr(A, mode='reduced') if you are going to differentiate through "
             "linalg.qr.");
  const int64_t m = Q.size(-2), n = R.size(-1);
  MLXC_CHECK(mode != "complete" || m <= n, Runtime,
             "The QR decomposition is not differentiable when mode='complete' and nrows > ncols.");
  if (!gQ.defined() && !gR.defined()) return Tensor();
  Tensor gA;
  if (gQ.defined()) {
    gA = gR.defined() ? sub(matmul(gR, mH(R)), matmul(mH(Q), gQ)) : neg(matmul(mH(Q), gQ));
  } else {
    gA = matmul(gR, mH(R));
  }
  if (m >= n) {
    Tensor t = triu(gA, 0);
    // X + X^H with the diagonal counted once.
    Tensor sym = sub(add(t, mH(t)), diag_embed(diagonal(t, 0, -2, -1), 0, -2, -1));
    gA = matmul(Q, sym);
    if (gQ.defined()) gA = add(gA, gQ);
    return linalg_solve_triangular(mH(R), gA, /*upper=*/false, /*left=*/false, false);
  }
  Tensor ng = neg(gA);
  gA = matmul(Q, tril(sub(ng, mH(ng)), 0));
  gA = linalg_solve_triangular(mH(narrow(R, -1, 0, m)), gA, /*upper=*/false, /*left=*/false, false);
  IntArray zs = R.sizes();
  zs.back() = n - m;
  gA = cat({gA, zeros_of(zs, gA.dtype())}, -1);
  if (gR.defined()) gA = add(gA, matmul(Q, gR));
  return gA;
}

Tensor svd_backward(const Tensor& gU, const Tensor& gS, const Tensor& gVh, const Tensor& U,
                    const Tensor& S, const Tensor& Vh) {
  if (!gS.defined() && !gU.defined() && !gVh.defined()) return Tensor();
  const int64_t m = U.size(-2), n = Vh.size(-1);
  if (!gU.defined() && !gVh.defined()) {
    return m >= n ? matmul(U, mul(unsqueeze(gS, -1), Vh)) : matmul(mul(U, unsqueeze(gS, -2)), Vh);
  }
  auto skew = [](const Tensor& X) { return sub(X, mH(X)); };
  Tensor UhgU = gU.defined() ? skew(matmul(mH(U), gU)) : Tensor();
  Tensor VhgV = gVh.defined() ? skew(matmul(Vh, mH(gVh))) : Tensor();
  Tensor S2 = mul(S, S);
  Tensor E = sub(unsqueeze(S2, -2), unsqueeze(S2, -1));
  E = add(E, diag_embed(ones_like(S), 0, -2, -1));  // the diagonal of E is zero: make it one
  Tensor gA;
  if (gU.defined() && gVh.defined()) {
    gA = div(add(mul(UhgU, unsqueeze(S, -2)), mul(unsqueeze(S, -1), VhgV)), E);
  } else if (gU.defined()) {
    gA = mul(div(UhgU, E), unsqueeze(S, -2));
  } else {
    gA = mul(unsqueeze(S, -1), div(VhgV, E));
  }
  if (gS.defined()) gA = add(gA, diag_embed(gS, 0, -2, -1));
  if (m > n && gU.defined()) {
    gA = matmul(U, gA);
    Tensor gUSinv = div(gU, unsqueeze(S, -2));
    gA = sub(add(gA, gUSinv), matmul(U, matmul(mH(U), gUSinv)));
    return matmul(gA, Vh);
  }
  if (m < n && gVh.defined()) {
    gA = matmul(gA, Vh);
    Tensor SinvgVh = div(gVh, unsqueeze(S, -1));
    gA = sub(add(gA, SinvgVh), matmul(matmul(SinvgVh, mH(Vh)), Vh));
    return matmul(U, gA);
  }
  return m >= n ? matmul(U, matmul(gA, Vh)) : matmul(matmul(U, gA), Vh);
}

Tensor eigh_backward(const Tensor& gL, const Tensor& gV, const Tensor& L, const Tensor& V) {
  if (!gL.defined() && !gV.defined()) return Tensor();
  if (!gV.defined()) return matmul(mul(V, unsqueeze(gL, -2)), mH(V));
  Tensor VhgV = matmul(mH(V), gV);
  VhgV = mul(sub(VhgV, mH(VhgV)), 0.5);
  Tensor E = sub(unsqueeze(L, -2), unsqueeze(L, -1));
  E = add(E, diag_embed(ones_like(L), 0, -2, -1));
  Tensor gA = div(VhgV, E);  // zero diagonal
  if (gL.defined()) gA = add(gA, diag_embed(gL, 0, -2, -1));
  return matmul(V, matmul(gA, mH(V)));
}

Tensor lu_backward(const Tensor& gL, const Tensor& gU, const Tensor& P, const Tensor& L,
                   const Tensor& U, bool pivot) {
  const int64_t m = L.size(-2), n = U.size(-1), k = std::min(m, n);
  Tensor gA;
  if (m == n) {
    if (gL.defined()) gA = tril(matmul(mH(L), gL), -1);
    if (gU.defined()) {
      Tensor t = triu(matmul(gU, mH(U)), 0);
      gA = gA.defined() ? add(gA, t) : t;
    }
    gA = linalg_solve_triangular(mH(U), gA, false, /*left=*/false, false);
    gA = linalg_solve_triangular(mH(L), gA, true, /*left=*/true, true);
  } else if (m < n) {
    Tensor U1 = narrow(U, -1, 0, k);
    if (gL.defined()) gA = matmul(mH(L), gL);
    if (gU.defined()) {
      Tensor t = matmul(triu(gU, 0), mH(U));
      gA = gA.defined() ? sub(gA, t) : neg(t);
    }
    gA = linalg_solve_triangular(mH(U1), tril(gA, -1), false, /*left=*/false, false);
    if (gU.defined()) {
      gA = cat({add(gA, triu(narrow(gU, -1, 0, k), 0)), narrow(gU, -1, k, n - k)}, -1);
    }
    gA = linalg_solve_triangular(mH(L), gA, true, /*left=*/true, true);
    if (!gU.defined()) {
      IntArray zs = U.sizes();
      zs.back() = n - k;
      gA = cat({gA, zeros_of(zs, gA.dtype())}, -1);
    }
  } else {
    Tensor L1 = narrow(L, -2, 0, k);
    if (gU.defined()) gA = matmul(gU, mH(U));
    if (gL.defined()) {
      Tensor t = matmul(mH(L), tril(gL, -1));
      gA = gA.defined() ? sub(gA, t) : neg(t);
    }
    gA = linalg_solve_triangular(mH(L1), triu(gA, 0), true, /*left=*/true, true);
    if (gL.defined()) {
      gA = cat({add(gA, tril(narrow(gL, -2, 0, k), -1)), narrow(gL, -2, k, m - k)}, -2);
    }
    gA = linalg_solve_triangular(mH(U), gA, false, /*left=*/false, false);
    if (!gL.defined()) {
      IntArray zs = L.sizes();
      zs[zs.size() - 2] = m - k;
      gA = cat({gA, zeros_of(zs, gA.dtype())}, -2);
    }
  }
  return pivot ? matmul(P, gA) : gA;
}

}  // namespace

namespace linalg {

std::pair<mx::array, mx::array> lu_factor_copied(const mx::array& a) {
  auto [lu, piv] = mx::linalg::lu_factor(a, cpu());
  return {mx::contiguous(lu, false, cpu()), piv};  // Note [MLX LU output]
}

mx::array lu_info(const mx::array& lu) {
  mx::array d = mx::diagonal(lu, 0, -2, -1);
  return first_true(mx::equal(d, mx::zeros({}, d.dtype())));
}

}  // namespace linalg

std::pair<Tensor, Tensor> linalg_cholesky_ex(const Tensor& A, bool upper, bool check_errors,
                                             const char* fn) {
  return cholesky_impl(A, upper, check_errors, fn, "LinalgCholeskyExBackward0");
}

Tensor linalg_cholesky(const Tensor& A, bool upper) {
  return linalg_cholesky_ex(A, upper, true).first;
}

Tensor cholesky(const Tensor& A, bool upper) {
  return cholesky_impl(A, upper, true, "cholesky", "CholeskyBackward0").first;
}

std::pair<Tensor, Tensor> linalg_qr(const Tensor& A, const std::string& mode) {
  const char* fn = "linalg.qr";
  MLXC_CHECK(mode == "reduced" || mode == "complete" || mode == "r", Runtime,
             "qr received unrecognized mode '", mode,
             "' but expected one of 'reduced' (default), 'r', or 'complete'");
  check_matrix(A, fn);
  check_floating(A, fn);
  const ScalarType st = A.dtype();
  const int64_t m = A.size(-2), n = A.size(-1), k = std::min(m, n);
  IntArray batch = batch_sizes(A);
  const bool complete = mode == "complete" && m > n;
  const int64_t qcols = complete ? m : k;
  mx::array Q = eye_rect(batch, m, qcols, st);
  IntArray rs = batch;
  rs.push_back(complete ? m : k);
  rs.push_back(n);
  mx::array R = shape_zeros(rs, st);
  if (A.numel() > 0) {
    mx::array a = A.value();
    if (complete) {
      // Zero columns add identity reflectors: Q is then LAPACK's complete Q.
      IntArray zs = batch;
      zs.push_back(m);
      zs.push_back(m - n);
      auto [q, r] = mx::linalg::qr(mx::concatenate({a, shape_zeros(zs, st)}, -1), cpu());
      Q = q;
      R = prefix(r, -1, static_cast<int>(n));
    } else {
      auto [q, r] = mx::linalg::qr(a, cpu());
      Q = q;
      R = r;
    }
  }
  Tensor q = make_result(Q, st, {&A}), r = make_result(R, st, {&A});
  if (needs_grad({&A})) {
    auto node = make_node("LinalgQrBackward0", {&A}, [mode](FnNode& nd, TensorList& gs) {
      Tensor gQ = gs.size() > 0 ? gs[0] : Tensor(), gR = gs.size() > 1 ? gs[1] : Tensor();
      return TensorList{qr_backward(gQ, gR, nd.saved(0), nd.saved(1), mode)};
    });
    node->num_outputs = 2;
    set_history(q, node, 0);
    set_history(r, node, 1);
    node->save(q, true);
    node->save(r, true);
  }
  if (mode == "r") q = zeros_of({0}, st);
  return {q, r};
}

std::tuple<Tensor, Tensor, Tensor> linalg_svd(const Tensor& A, bool full_matrices, const char* fn) {
  check_matrix(A, fn);
  check_floating(A, fn);
  const ScalarType st = A.dtype();
  const int64_t m = A.size(-2), n = A.size(-1), k = std::min(m, n);
  IntArray batch = batch_sizes(A);
  mx::array U = eye_rect(batch, m, full_matrices ? m : k, st);
  mx::array Vh = eye_rect(batch, full_matrices ? n : k, n, st);
  IntArray ss = batch;
  ss.push_back(k);
  mx::array S = shape_zeros(ss, st);
  if (A.numel() > 0) {
    auto r = mx::linalg::svd(A.value(), true, cpu());
    U = full_matrices ? r[0] : prefix(r[0], -1, static_cast<int>(k));
    S = r[1];
    Vh = full_matrices ? r[2] : prefix(r[2], -2, static_cast<int>(k));
  }
  Tensor u = make_result(U, st, {&A}), s = make_result(S, st, {&A}), vh = make_result(Vh, st, {&A});
  if (needs_grad({&A})) {
    auto node =
        make_node("LinalgSvdBackward0", {&A}, [full_matrices, k](FnNode& nd, TensorList& gs) {
          auto g = [&gs](size_t i) { return i < gs.size() ? gs[i] : Tensor(); };
          Tensor gU = g(0), gS = g(1), gVh = g(2);
          Tensor U = nd.saved(0), S = nd.saved(1), Vh = nd.saved(2);
          if (full_matrices) {
            if (gU.defined()) gU = narrow(gU, -1, 0, k);
            if (gVh.defined()) gVh = narrow(gVh, -2, 0, k);
            U = narrow(U, -1, 0, k);
            Vh = narrow(Vh, -2, 0, k);
          }
          return TensorList{svd_backward(gU, gS, gVh, U, S, Vh)};
        });
    node->num_outputs = 3;
    set_history(u, node, 0);
    set_history(s, node, 1);
    set_history(vh, node, 2);
    node->save(u, true);
    node->save(s, true);
    node->save(vh, true);
  }
  return {u, s, vh};
}

Tensor linalg_svdvals(const Tensor& A) {
  const char* fn = "linalg.svdvals";
  if (needs_grad({&A})) return std::get<1>(linalg_svd(A, false, fn));
  check_matrix(A, fn);
  check_floating(A, fn);
  if (A.numel() == 0) {
    IntArray ss = batch_sizes(A);
    ss.push_back(std::min(A.size(-2), A.size(-1)));
    return zeros_of(ss, A.dtype());
  }
  return make_result(mx::linalg::svd(A.value(), false, cpu())[0], A.dtype(), {&A});
}

std::tuple<Tensor, Tensor, Tensor> svd(const Tensor& A, bool some, bool compute_uv) {
  if (!compute_uv) {
    Tensor s = linalg_svdvals(A);
    IntArray us = batch_sizes(A), vs = batch_sizes(A);
    us.push_back(A.size(-2));
    us.push_back(A.size(-2));
    vs.push_back(A.size(-1));
    vs.push_back(A.size(-1));
    return {zeros_of(us, A.dtype()), s, zeros_of(vs, A.dtype())};
  }
  auto [u, s, vh] = linalg_svd(A, !some, "svd");
  return {u, s, mH(vh)};
}

namespace {

std::string upper_uplo(const std::string& uplo) {
  std::string u = uplo;
  for (auto& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  MLXC_CHECK(u == "L" || u == "U", Runtime, "Expected UPLO argument to be 'L' or 'U', but got ",
             uplo);
  return u;
}

}  // namespace

std::pair<Tensor, Tensor> linalg_eigh(const Tensor& A, const std::string& uplo) {
  const char* fn = "linalg.eigh";
  const std::string u = upper_uplo(uplo);
  check_square(A, fn);
  check_floating(A, fn);
  const ScalarType st = A.dtype();
  const int64_t n = A.size(-1);
  IntArray ls = batch_sizes(A);
  ls.push_back(n);
  mx::array L = shape_zeros(ls, st), V = shape_zeros(A.sizes(), st);
  if (A.numel() > 0) {
    auto [w, v] = mx::linalg::eigh(from_triangle(A.value(), u == "U"), "L", cpu());
    L = w;
    V = v;
  }
  Tensor l = make_result(L, st, {&A}), vv = make_result(V, st, {&A});
  if (needs_grad({&A})) {
    auto node = make_node("LinalgEighBackward0", {&A}, [](FnNode& nd, TensorList& gs) {
      Tensor gL = gs.size() > 0 ? gs[0] : Tensor(), gV = gs.size() > 1 ? gs[1] : Tensor();
      return TensorList{eigh_backward(gL, gV, nd.saved(0), nd.saved(1))};
    });
    node->num_outputs = 2;
    set_history(l, node, 0);
    set_history(vv, node, 1);
    node->save(l, true);
    node->save(vv, true);
  }
  return {l, vv};
}

Tensor linalg_eigvalsh(const Tensor& A, const std::string& uplo) {
  const char* fn = "linalg.eigvalsh";
  if (needs_grad({&A})) return linalg_eigh(A, uplo).first;
  const std::string u = upper_uplo(uplo);
  check_square(A, fn);
  check_floating(A, fn);
  if (A.numel() == 0) {
    IntArray ls = batch_sizes(A);
    ls.push_back(A.size(-1));
    return zeros_of(ls, A.dtype());
  }
  mx::array w = mx::linalg::eigvalsh(from_triangle(A.value(), u == "U"), "L", cpu());
  return make_result(w, A.dtype(), {&A});
}

std::tuple<Tensor, Tensor, Tensor> linalg_lu_factor_ex(const Tensor& A, bool pivot,
                                                       bool check_errors, const char* fn) {
  check_matrix(A, fn);
  check_floating(A, fn);
  MLXC_CHECK(pivot, Runtime, fn, ": LU without pivoting is not implemented on the CPU");
  const ScalarType st = A.dtype();
  const int64_t m = A.size(-2), n = A.size(-1), k = std::min(m, n);
  IntArray batch = batch_sizes(A);
  IntArray ps = batch;
  ps.push_back(k);
  mx::array LU = shape_zeros(A.sizes(), st);
  mx::array piv = mx::broadcast_to(mx::arange(1, static_cast<int>(k) + 1, mx::int32), to_shape(ps));
  mx::array info = shape_zeros(batch, ScalarType::Int32);
  if (A.numel() > 0) {
    auto [lu, p] = lu_factor_copied(A.value());
    LU = lu;
    piv = mx::add(mx::astype(p, mx::int32), mx::array(1, mx::int32));
    info = lu_info(lu);
  }
  Tensor lu = make_result(LU, st, {&A});
  Tensor pv = make_result(piv, ScalarType::Int32, {});
  Tensor inf = make_result(info, ScalarType::Int32, {});
  if (check_errors) {
    raise_for_info(
        inf, fn,
        [](int64_t i) {
          return str(
              "U[", i, ",", i,
              "] is zero and using it on lu_solve would result in a division by zero. If you "
              "still want to perform the factorization, consider calling linalg.lu(A, pivot) "
              "or linalg.lu_factor_ex(A, pivot)");
        },
        /*linalg_error=*/false);
  }
  if (needs_grad({&A})) {
    auto node =
        make_node("LinalgLuFactorExBackward0", {&A}, [k, pivot](FnNode& nd, TensorList& gs) {
          if (gs.empty() || !gs[0].defined()) return TensorList{Tensor()};
          Tensor LU = nd.saved(0), piv = nd.saved(1);
          auto [P, L, U] = lu_unpack(LU, piv, true, pivot);
          return TensorList{
              lu_backward(narrow(gs[0], -1, 0, k), narrow(gs[0], -2, 0, k), P, L, U, pivot)};
        });
    set_history(lu, node);
    node->save(lu, true);
    node->save(pv);
  }
  return {lu, pv, inf};
}

std::pair<Tensor, Tensor> linalg_lu_factor(const Tensor& A, bool pivot) {
  auto [lu, piv, info] = linalg_lu_factor_ex(A, pivot, true, "torch.linalg.lu_factor");
  return {lu, piv};
}

Tensor pivots_to_perm(const Tensor& pivots, int64_t m) {
  mx::array piv = mx::subtract(mx::astype(pivots.value(), mx::int32), mx::array(1, mx::int32));
  const int k = static_cast<int>(pivots.size(-1));
  mx::Shape ps = piv.shape();
  ps.back() = static_cast<int>(m);
  mx::array rows = mx::arange(static_cast<int>(m), mx::int32);
  mx::array perm = mx::broadcast_to(rows, ps);
  for (int i = 0; i < k; ++i) {
    mx::array col = mx::array({i}, mx::int32);
    mx::array j = mx::take(piv, col, -1);
    mx::array pi = mx::take(perm, col, -1);
    mx::array pj = mx::take_along_axis(perm, j, -1);
    mx::array at_i = mx::equal(rows, mx::array(i, mx::int32));
    perm = mx::where(at_i, pj, mx::where(mx::equal(rows, j), pi, perm));
  }
  return make_result(mx::astype(perm, mx::int64), ScalarType::Int64, {&pivots});
}

std::tuple<Tensor, Tensor, Tensor> lu_unpack(const Tensor& LU, const Tensor& pivots,
                                             bool unpack_data, bool unpack_pivots) {
  MLXC_CHECK(LU.dim() >= 2, Runtime,
             "torch.lu_unpack: Expected tensor with 2 or more dimensions. Got size: ",
             sizes_str(LU.sizes()), " instead");
  MLXC_CHECK(pivots.dtype() == ScalarType::Int32, Runtime,
             "torch.lu_unpack: LU_pivots is expected to be a contiguous tensor of torch.int32 "
             "dtype. Note: this function is intended to be used with the output produced by "
             "torch.linalg.lu_factor");
  const ScalarType st = LU.dtype();
  const int64_t m = LU.size(-2), n = LU.size(-1), k = std::min(m, n);
  Tensor P = zeros_of({0}, st), L = zeros_of({0}, st), U = zeros_of({0}, st);
  if (unpack_data) {
    Tensor eye =
        Tensor::from_array(mx::eye(static_cast<int>(m), static_cast<int>(k), 0, to_mlx(st)), st);
    L = add(tril(narrow(LU, -1, 0, k), -1), eye);
    U = triu(narrow(LU, -2, 0, k), 0);
  }
  if (unpack_pivots) {
    Tensor perm = pivots_to_perm(pivots, m);
    mx::array rows =
        mx::reshape(mx::arange(static_cast<int>(m), mx::int64), {static_cast<int>(m), 1});
    mx::array p = mx::equal(rows, mx::expand_dims(perm.value(), -2));
    P = make_result(mx::astype(p, to_mlx(st)), st, {&pivots});
  }
  TensorList r = as_node("LuUnpackBackward0", {P, L, U});
  return {r[0], r[1], r[2]};
}

std::tuple<Tensor, Tensor, Tensor> linalg_lu(const Tensor& A, bool pivot) {
  auto [lu, piv, info] = linalg_lu_factor_ex(A, pivot, false, "linalg.lu");
  auto [P, L, U] = lu_unpack(lu, piv, true, true);
  TensorList r = as_node("LinalgLuBackward0", {P, L, U});
  return {r[0], r[1], r[2]};
}

namespace {

// H_i X (left) or X H_i, with H_i = I - tau_i v_i v_i^H and v_i the i-th Householder vector
// stored below the diagonal of A's column i (unit at row i).
Tensor apply_reflector(const Tensor& X, const Tensor& A, const Tensor& tau, int64_t i, bool left) {
  const ScalarType st = A.dtype();
  mx::array rows = mx::arange(static_cast<int>(A.size(-2)), mx::int32);
  mx::array ii = mx::array(static_cast<int>(i), mx::int32);
  Tensor below = Tensor::from_array(mx::astype(mx::greater(rows, ii), to_mlx(st)), st);
  Tensor unit = Tensor::from_array(mx::astype(mx::equal(rows, ii), to_mlx(st)), st);
  Tensor v = add(mul(select(A, -1, i), below), unit);
  Tensor t = unsqueeze(unsqueeze(select(tau, -1, i), -1), -1);
  if (left) return sub(X, mul(t, matmul(unsqueeze(v, -1), matmul(unsqueeze(v, -2), X))));
  return sub(X, mul(t, matmul(matmul(X, unsqueeze(v, -1)), unsqueeze(v, -2))));
}

}  // namespace

Tensor linalg_householder_product(const Tensor& A, const Tensor& tau) {
  const char* fn = "torch.linalg.householder_product";
  MLXC_CHECK(A.dim() >= 2, Runtime, fn, ": input must have at least 2 dimensions.");
  MLXC_CHECK(tau.dim() >= 1, Runtime, fn, ": tau must have at least 1 dimension.");
  MLXC_CHECK(A.size(-2) >= A.size(-1), Runtime, fn,
             ": input.shape[-2] must be greater than or equal to input.shape[-1]");
  MLXC_CHECK(A.size(-1) >= tau.size(-1), Runtime, fn,
             ": input.shape[-1] must be greater than or equal to tau.shape[-1]");
  MLXC_CHECK(A.dim() - tau.dim() == 1, Runtime, fn,
             ": Expected tau to have one dimension less than input, but got tau.ndim equal to ",
             tau.dim(), " and input.ndim is equal to ", A.dim());
  MLXC_CHECK(A.dtype() == tau.dtype(), Runtime, fn, ": tau dtype ", scalar_type_name(tau.dtype()),
             " does not match input dtype ", scalar_type_name(A.dtype()));
  check_floating(A, fn);
  const ScalarType st = A.dtype();
  const int64_t m = A.size(-2), n = A.size(-1), k = tau.size(-1);
  Tensor Q = Tensor::from_array(eye_rect(batch_sizes(A), m, n, st), st);
  for (int64_t i = k - 1; i >= 0; --i) Q = apply_reflector(Q, A, tau, i, true);
  if (k == 0) {
    // No reflectors: the identity, still connected to the inputs as torch's result is.
    Tensor zero = add(sum(A, std::nullopt, false), sum(tau, std::nullopt, false));
    Q = add(Q, mul(zero, 0.0));
  }
  return as_node("LinalgHouseholderProductBackward0", {Q})[0];
}

Tensor ormqr(const Tensor& A, const Tensor& tau, const Tensor& C, bool left, bool transpose) {
  const char* fn = "torch.ormqr";
  MLXC_CHECK(A.dim() >= 2, Runtime, fn, ": input must have at least 2 dimensions.");
  MLXC_CHECK(C.dim() >= 2, Runtime, fn, ": other must have at least 2 dimensions.");
  MLXC_CHECK(tau.dim() >= 1, Runtime, fn, ": tau must have at least 1 dimension.");
  const int64_t m = left ? C.size(-2) : C.size(-1);
  MLXC_CHECK(A.size(-2) == m, Runtime, fn, ": other.shape[", left ? -2 : -1,
             "] must be equal to input.shape[-2]");
  const int64_t other_k = left ? C.size(-2) : C.size(-1);
  MLXC_CHECK(tau.size(-1) == std::min(other_k, A.size(-1)), Runtime, fn,
             ": tau.shape[-1] must be equal to min(other.shape[", left ? -2 : -1,
             "], input.shape[-1])");
  MLXC_CHECK(A.dim() - tau.dim() == 1, Runtime, fn,
             ": Expected tau to have one dimension less than input, but got tau.ndim equal to ",
             tau.dim(), " and input.ndim is equal to ", A.dim());
  MLXC_CHECK(A.dim() == C.dim(), Runtime, fn,
             ": Expected other to have the same number of dimensions as input, but got "
             "other.ndim equal to ",
             C.dim(), " and input.ndim is equal to ", A.dim());
  MLXC_CHECK(A.dtype() == tau.dtype() && A.dtype() == C.dtype(), Runtime, fn,
             ": Expected input, tau and other to have the same dtype, but got ",
             scalar_type_name(A.dtype()), ", ", scalar_type_name(tau.dtype()), " and ",
             scalar_type_name(C.dtype()));
  check_floating(A, fn);
  const int64_t k = tau.size(-1);
  // Q = H_0 H_1 ... H_{k-1}: Q C applies the reflectors last first, Q^T C first first; on the
  // right the order flips.
  const bool forward = left == transpose;
  Tensor X = C;
  for (int64_t j = 0; j < k; ++j) X = apply_reflector(X, A, tau, forward ? j : k - 1 - j, left);
  if (k == 0)
    X = add(clone(C), mul(add(sum(A, std::nullopt, false), sum(tau, std::nullopt, false)), 0.0));
  return as_node("OrmqrBackward0", {X})[0];
}

std::pair<Tensor, Tensor> geqrf(const Tensor& A) {
  const char* fn = "geqrf";
  MLXC_CHECK(A.dim() >= 2, Runtime, "torch.geqrf: input must have at least 2 dimensions.");
  check_floating(A, fn);
  const ScalarType st = A.dtype();
  const mx::Dtype dt = to_mlx(st);
  const int m = static_cast<int>(A.size(-2)), n = static_cast<int>(A.size(-1));
  const int k = std::min(m, n);
  mx::array R = A.value();
  mx::array rows = mx::reshape(mx::arange(m, mx::int32), {m, 1});
  mx::array cols = mx::reshape(mx::arange(n, mx::int32), {1, n});
  std::vector<mx::array> taus;
  mx::array zero = mx::zeros({}, dt), one = mx::ones({}, dt);
  for (int j = 0; j < k && A.numel() > 0; ++j) {
    mx::array jj = mx::array(j, mx::int32);
    mx::array col = mx::take(R, mx::array({j}, mx::int32), -1);      // (..., m, 1)
    mx::array alpha = mx::take(col, mx::array({j}, mx::int32), -2);  // (..., 1, 1)
    mx::array below = mx::where(mx::greater(rows, jj), col, zero);
    mx::array xnorm = mx::sqrt(mx::sum(mx::square(below), -2, true));
    mx::array norm = mx::sqrt(mx::add(mx::square(alpha), mx::square(xnorm)));
    mx::array sgn = mx::where(mx::less(alpha, zero), mx::negative(one), one);
    mx::array trivial = mx::equal(xnorm, zero);
    mx::array beta = mx::where(trivial, alpha, mx::negative(mx::multiply(sgn, norm)));
    mx::array safe = mx::where(trivial, one, beta);
    mx::array tau = mx::where(trivial, zero, mx::divide(mx::subtract(beta, alpha), safe));
    mx::array scale = mx::where(trivial, zero,
                                mx::reciprocal(mx::where(trivial, one, mx::subtract(alpha, beta))));
    mx::array v = mx::add(mx::multiply(below, scale), mx::astype(mx::equal(rows, jj), dt));
    mx::array w = mx::sum(mx::multiply(v, R), -2, true);  // v^T R: (..., 1, n)
    mx::array updated = mx::subtract(R, mx::multiply(tau, mx::multiply(v, w)));
    R = mx::where(mx::greater(cols, jj), updated, R);
    mx::array newcol =
        mx::where(mx::equal(rows, jj), beta, mx::where(mx::greater(rows, jj), v, col));
    R = mx::where(mx::equal(cols, jj), newcol, R);
    taus.push_back(mx::reshape(tau, mx::Shape(tau.shape().begin(), tau.shape().end() - 1)));
  }
  IntArray ts = batch_sizes(A);
  ts.push_back(k);
  mx::array tau = taus.empty() ? shape_zeros(ts, st) : mx::concatenate(taus, -1);
  return {make_result(R, st, {}), make_result(tau, st, {})};
}

}  // namespace mlxc
