#include "ops/linalg_solve.h"

#include <algorithm>
#include <cmath>

#include "mlx/linalg.h"
#include "ops/layout.h"
#include "ops/linalg.h"
#include "ops/linalg_decomp.h"
#include "ops/pointwise.h"
#include "ops/reduce.h"
#include "ops/reduce_stats.h"
#include "ops/scan.h"
#include "ops/shape.h"
#include "ops/view.h"

namespace mlxc {

using namespace linalg;

namespace {

double eps_of(ScalarType st) {
  return st == ScalarType::Float64 ? 2.220446049250313e-16 : 1.1920928955078125e-07;
}

void check_same_dtype(const Tensor& A, const Tensor& B, const char* fn, const char* a = "A",
                      const char* b = "B") {
  MLXC_CHECK(A.dtype() == B.dtype(), Runtime, fn, ": Expected ", a, " and ", b,
             " to have the same dtype, but found ", a, " of type ", scalar_type_name(A.dtype()),
             " and ", b, " of type ", scalar_type_name(B.dtype()), " instead.");
}

// Broadcast batch shapes of a (..., r1, c1) and b (..., r2, c2); returns both full shapes.
std::pair<IntArray, IntArray> batch_broadcast(const Tensor& a, const Tensor& b) {
  IntArray ba(a.sizes().begin(), a.sizes().end() - 2), bb(b.sizes().begin(), b.sizes().end() - 2);
  IntArray batch = broadcast_sizes(ba, bb);
  IntArray sa = batch, sb = batch;
  sa.push_back(a.size(-2));
  sa.push_back(a.size(-1));
  sb.push_back(b.size(-2));
  sb.push_back(b.size(-1));
  return {sa, sb};
}

mx::array bcast(const mx::array& v, const IntArray& s) { return mx::broadcast_to(v, to_shape(s)); }

// The triangle solve reads: upper/lower part, optionally with a unit diagonal.
mx::array triangle_of(const mx::array& a, bool upper, bool unit) {
  mx::array t = upper ? mx::triu(a, unit ? 1 : 0) : mx::tril(a, unit ? -1 : 0);
  if (!unit) return t;
  const int n = a.shape().back();
  return mx::add(t, mx::eye(n, a.dtype()));
}

// 1-based index of the first zero diagonal entry of each LU factor (LAPACK's getrf info).
mx::array singular_info(const mx::array& a) { return lu_info(lu_factor_copied(a).first); }

// The matrices whose info is nonzero replaced by the identity, so MLX's kernels never fail on them.
mx::array replace_singular(const mx::array& a, const mx::array& info) {
  mx::array bad = mx::expand_dims(mx::not_equal(info, mx::array(0, mx::int32)), {-1, -2});
  const int n = a.shape().back();
  return mx::where(bad, mx::eye(n, a.dtype()), a);
}

Tensor diag_of(const Tensor& g, int64_t n) {
  IntArray s = g.sizes();
  s.push_back(n);
  return diag_embed(expand(unsqueeze(g, -1), s), 0, -2, -1);
}

Tensor pinv_backward(const Tensor& grad, const Tensor& pinvA, const Tensor& A) {
  const int64_t m = A.size(-2), n = A.size(-1);
  Tensor pinvAh = mH(pinvA), gradh = mH(grad);
  if (m <= n) {
    Tensor K = matmul(gradh, pinvA);
    Tensor KpinvAh = matmul(K, pinvAh);
    Tensor r = add(neg(mH(matmul(pinvA, K))), KpinvAh);
    r = sub(r, matmul(matmul(A, pinvA), KpinvAh));
    return add(r, matmul(matmul(pinvAh, pinvA), sub(gradh, matmul(K, A))));
  }
  Tensor K = matmul(pinvA, gradh);
  Tensor pinvAhK = matmul(pinvAh, K);
  Tensor r = neg(mH(matmul(K, pinvA)));
  r = add(r, matmul(matmul(sub(gradh, matmul(A, K)), pinvA), pinvAh));
  return sub(add(r, pinvAhK), matmul(matmul(pinvAhK, pinvA), A));
}

// Product of all entries but one along the last dim, for each entry (zeros handled exactly).
Tensor prod_others(const Tensor& S) {
  const int64_t k = S.size(-1);
  IntArray os = S.sizes();
  os.back() = 1;
  Tensor one = ones_like(narrow(S, -1, 0, std::min<int64_t>(k, 1)));
  if (k == 0) return S;
  Tensor left = cat({one, narrow(cumprod(S, -1), -1, 0, k - 1)}, -1);
  Tensor rev = flip(S, {-1});
  Tensor right = flip(cat({one, narrow(cumprod(rev, -1), -1, 0, k - 1)}, -1), {-1});
  return mul(left, right);
}

Tensor det_backward(const Tensor& g, const Tensor& det, const Tensor& A) {
  if (!g.defined()) return Tensor();
  if (A.numel() == 0) return zeros_like(A);
  const int64_t n = A.size(-1);
  const double eps = eps_of(A.dtype());
  Tensor near_singular;
  {
    AutoGradMode off(false);
    near_singular = any(lt(abs(det), wrapped_scalar(100.0 * eps)), std::nullopt, false);
  }
  if (item_double(near_singular.value()) == 0.0) {
    return linalg_solve(mH(A), diag_of(mul(g, det), n), true);
  }
  // The adjugate through the SVD, valid for singular matrices too.
  auto [U, S, Vh] = linalg_svd(A, true);
  Tensor alpha = mul(mul(linalg_det(U), linalg_det(Vh)), g);
  Tensor D = mul(unsqueeze(alpha, -1), prod_others(S));
  return matmul(mul(U, unsqueeze(D, -2)), Vh);
}

}  // namespace

Tensor linalg_solve_triangular(const Tensor& A, const Tensor& B, bool upper, bool left,
                               bool unitriangular) {
  const char* fn = "linalg.solve_triangular";
  check_matrix(A, fn, "A");
  check_matrix(B, fn, "B");
  check_floating(A, fn);
  check_same_dtype(A, B, fn);
  check_square(A, fn);
  const int64_t n = A.size(-1);
  MLXC_CHECK(left ? B.size(-2) == n : B.size(-1) == n, Runtime, fn,
             ": Incompatible shapes of A and B for the equation ", left ? "AX = B" : "XA = B", " (",
             A.size(-2), "x", n, " and ", B.size(-2), "x", B.size(-1), ")");
  const ScalarType st = A.dtype();
  auto [sa, sb] = batch_broadcast(A, B);
  mx::array X = mx::zeros(to_shape(sb), to_mlx(st));
  if (n > 0 && B.numel() > 0) {
    mx::array a = triangle_of(bcast(A.value(), sa), upper, unitriangular);
    mx::array b = bcast(B.value(), sb);
    // MLX's kernel fails on a zero pivot; such systems get NaN (torch's substitution gives
    // inf/NaN there) and an identity in their place.
    mx::array zero = mx::equal(mx::diagonal(a, 0, -2, -1), mx::zeros({}, a.dtype()));
    mx::array bad = mx::expand_dims(mx::any(zero, -1), {-1, -2});
    a = mx::where(bad, mx::eye(static_cast<int>(n), a.dtype()), a);
    if (left) {
      X = mx::linalg::solve_triangular(a, b, upper, cpu());
    } else {
      mx::array xt = mx::linalg::solve_triangular(mx::swapaxes(a, -1, -2), mx::swapaxes(b, -1, -2),
                                                  !upper, cpu());
      X = mx::swapaxes(xt, -1, -2);
    }
    X = mx::where(bad, mx::array(NAN, X.dtype()), X);
  }
  Tensor out = make_result(X, st, {&A, &B});
  if (!needs_grad({&A, &B})) return out;
  auto node = make_node(
      "LinalgSolveTriangularBackward0", {&A, &B},
      [upper, left, unitriangular, as = A.sizes(), bs = B.sizes()](FnNode& nd, TensorList& gs) {
        if (gs.empty() || !gs[0].defined()) return TensorList{Tensor(), Tensor()};
        Tensor A = nd.saved(0), X = nd.saved(1);
        Tensor GB = linalg_solve_triangular(mH(A), gs[0], !upper, left, unitriangular);
        Tensor GA;
        if (nd.needs_input_grad(0)) {
          GA = left ? neg(matmul(GB, mH(X))) : neg(matmul(mH(X), GB));
          GA = upper ? triu(GA, unitriangular ? 1 : 0) : tril(GA, unitriangular ? -1 : 0);
          GA = sum_to(GA, as);
        }
        return TensorList{GA, nd.needs_input_grad(1) ? sum_to(GB, bs) : Tensor()};
      });
  set_history(out, node);
  node->save(A);
  node->save(out, true);
  return out;
}

std::pair<Tensor, Tensor> triangular_solve(const Tensor& b, const Tensor& A, bool upper,
                                           bool transpose, bool unitriangular) {
  MLXC_CHECK(b.dim() >= 2, Runtime,
             "torch.triangular_solve: Expected b to have at least 2 dimensions, but it has ",
             b.dim(), " dimensions instead");
  MLXC_CHECK(A.dim() >= 2, Runtime,
             "torch.triangular_solve: Expected A to have at least 2 dimensions, but it has ",
             A.dim(), " dimensions instead");
  Tensor a = transpose ? mH(A) : A;
  Tensor x = linalg_solve_triangular(a, b, upper != transpose, true, unitriangular);
  TensorList r = as_node("TriangularSolveBackward0", {x, clone(A)});
  return {r[0], r[1]};
}

std::pair<Tensor, Tensor> linalg_inv_ex(const Tensor& A, bool check_errors) {
  const char* fn = "linalg.inv";
  check_square(A, fn);
  check_floating(A, fn);
  const ScalarType st = A.dtype();
  IntArray batch = batch_sizes(A);
  mx::array inv = mx::zeros(to_shape(A.sizes()), to_mlx(st));
  mx::array info = mx::zeros(to_shape(batch), mx::int32);
  if (A.numel() > 0) {
    mx::array a = A.value();
    info = singular_info(a);
    inv = mx::linalg::inv(replace_singular(a, info), cpu());
  }
  Tensor out = make_result(inv, st, {&A});
  Tensor inf = make_result(info, ScalarType::Int32, {});
  if (check_errors) {
    raise_for_info(inf, fn, [](int64_t i) {
      return str("The diagonal element ", i,
                 " is zero, the inversion could not be completed because the input matrix is "
                 "singular.");
    });
  }
  if (needs_grad({&A})) {
    auto node = make_node("LinalgInvExBackward0", {&A}, [](FnNode& nd, TensorList& gs) {
      if (gs.empty() || !gs[0].defined()) return TensorList{Tensor()};
      Tensor invh = mH(nd.saved(0));
      return TensorList{neg(matmul(invh, matmul(gs[0], invh)))};
    });
    set_history(out, node);
    node->save(out, true);
  }
  return {out, inf};
}

Tensor linalg_inv(const Tensor& A) { return linalg_inv_ex(A, true).first; }

std::pair<Tensor, Tensor> linalg_solve_ex(const Tensor& A, const Tensor& B, bool left,
                                          bool check_errors) {
  const char* fn = "linalg.solve";
  check_square(A, fn);
  check_floating(A, fn);
  check_same_dtype(A, B, fn);
  const int64_t n = A.size(-1);
  const bool vector_case =
      B.dim() == 1 ||
      (A.dim() - 1 == B.dim() && IntArray(A.sizes().begin(), A.sizes().end() - 1) == B.sizes());
  MLXC_CHECK(!(vector_case && !left), Runtime, fn,
             ": Vector broadcasting of the left hand side is not supported for left=False. In "
             "this case linalg.solve is equivalent to B / A.squeeze(-1)");
  Tensor Bm = vector_case ? unsqueeze(B, -1) : B;
  MLXC_CHECK(left ? Bm.size(-2) == n : Bm.size(-1) == n, Runtime, fn,
             ": Incompatible shapes of A and B for the equation ", left ? "AX = B" : "XA = B", " (",
             A.size(-2), "x", n, " and ", Bm.size(-2), "x", Bm.size(-1), ")");
  const ScalarType st = A.dtype();
  auto [sa, sb] = batch_broadcast(A, Bm);
  IntArray batch(sa.begin(), sa.end() - 2);
  mx::array X = mx::zeros(to_shape(sb), to_mlx(st));
  mx::array info = mx::zeros(to_shape(batch), mx::int32);
  if (n > 0 && A.numel() > 0) {
    mx::array a = bcast(A.value(), sa);
    info = singular_info(a);
    mx::array safe = replace_singular(a, info);
    if (Bm.numel() > 0) {
      mx::array b = bcast(Bm.value(), sb);
      X = left ? mx::linalg::solve(safe, b, cpu())
               : mx::swapaxes(
                     mx::linalg::solve(mx::swapaxes(safe, -1, -2), mx::swapaxes(b, -1, -2), cpu()),
                     -1, -2);
    }
  }
  if (vector_case) X = mx::squeeze(X, -1);
  Tensor out = make_result(X, st, {&A, &B});
  Tensor inf = make_result(info, ScalarType::Int32, {});
  if (check_errors) {
    raise_for_info(inf, "torch.linalg.solve", [](int64_t) {
      return std::string("The solver failed because the input matrix is singular.");
    });
  }
  if (needs_grad({&A, &B})) {
    auto node =
        make_node("LinalgSolveExBackward0", {&A, &B},
                  [left, vector_case, as = A.sizes(), bs = B.sizes()](FnNode& nd, TensorList& gs) {
                    if (gs.empty() || !gs[0].defined()) return TensorList{Tensor(), Tensor()};
                    Tensor A = nd.saved(0), X = nd.saved(1), gX = gs[0];
                    if (vector_case) {
                      X = unsqueeze(X, -1);
                      gX = unsqueeze(gX, -1);
                    }
                    Tensor gB = linalg_solve(mH(A), gX, left);
                    Tensor gA;
                    if (nd.needs_input_grad(0)) {
                      gA = sum_to(left ? neg(matmul(gB, mH(X))) : neg(matmul(mH(X), gB)), as);
                    }
                    if (vector_case) gB = squeeze(gB, std::vector<int64_t>{-1});
                    return TensorList{gA, nd.needs_input_grad(1) ? sum_to(gB, bs) : Tensor()};
                  });
    set_history(out, node);
    node->save(A);
    node->save(out, true);
  }
  return {out, inf};
}

Tensor linalg_solve(const Tensor& A, const Tensor& B, bool left) {
  return linalg_solve_ex(A, B, left, true).first;
}

Tensor linalg_det(const Tensor& A) {
  const char* fn = "linalg.det";
  check_square(A, fn);
  check_floating(A, fn);
  const ScalarType st = A.dtype();
  IntArray batch = batch_sizes(A);
  mx::array d = mx::ones(to_shape(batch), to_mlx(st));
  if (A.numel() > 0 && st == ScalarType::Float64) {
    // MLX's det is exp(logabsdet) with its float32-grade exp; use the accurate one.
    auto [sign, lad] = mx::linalg::slogdet(A.value(), cpu());
    d = mx::multiply(sign, exp_accurate(lad));
  } else if (A.numel() > 0) {
    d = mx::linalg::det(A.value(), cpu());
  }
  Tensor out = make_result(d, st, {&A});
  if (!needs_grad({&A})) return out;
  auto node = make_node("LinalgDetBackward0", {&A}, [](FnNode& nd, TensorList& gs) {
    if (gs.empty() || !gs[0].defined()) return TensorList{Tensor()};
    return TensorList{det_backward(gs[0], nd.saved(1), nd.saved(0))};
  });
  set_history(out, node);
  node->save(A);
  node->save(out, true);
  return out;
}

std::pair<Tensor, Tensor> linalg_slogdet(const Tensor& A) {
  const char* fn = "linalg.slogdet";
  check_square(A, fn);
  check_floating(A, fn);
  const ScalarType st = A.dtype();
  IntArray batch = batch_sizes(A);
  mx::array sign = mx::ones(to_shape(batch), to_mlx(st));
  mx::array lad = mx::zeros(to_shape(batch), to_mlx(st));
  if (A.numel() > 0) {
    auto [s, l] = mx::linalg::slogdet(A.value(), cpu());
    sign = s;
    lad = l;
  }
  Tensor s = make_result(sign, st, {&A}), l = make_result(lad, st, {&A});
  if (needs_grad({&A})) {
    const int64_t n = A.size(-1);
    auto node = make_node("LinalgSlogdetBackward0", {&A}, [n](FnNode& nd, TensorList& gs) {
      if (gs.size() < 2 || !gs[1].defined()) return TensorList{Tensor()};
      return TensorList{linalg_solve(mH(nd.saved(0)), diag_of(gs[1], n), true)};
    });
    node->num_outputs = 2;
    set_history(s, node, 0);
    set_history(l, node, 1);
    node->save(A);
  }
  return {s, l};
}

Tensor logdet(const Tensor& A) {
  auto [sign, lad] = linalg_slogdet(A);
  Tensor neg_one = scalar_tensor(-1.0, sign.dtype());
  return where(eq(sign, neg_one), scalar_tensor(NAN, lad.dtype()), lad);
}

Tensor linalg_lu_solve(const Tensor& LU, const Tensor& pivots, const Tensor& B, bool left,
                       bool adjoint) {
  const char* fn = "linalg.lu_solve";
  check_square(LU, fn, "LU");
  check_matrix(B, fn, "B");
  check_floating(LU, fn);
  check_same_dtype(LU, B, fn, "LU", "B");
  MLXC_CHECK(pivots.dtype() == ScalarType::Int32, Runtime, fn,
             ": pivots should be a Tensor of scalar type torch.int32");
  const int64_t n = LU.size(-1);
  MLXC_CHECK(left ? B.size(-2) == n : B.size(-1) == n, Runtime, fn,
             ": Incompatible shapes of A and B for the equation ", left ? "AX = B" : "XA = B", " (",
             n, "x", n, " and ", B.size(-2), "x", B.size(-1), ")");
  // X = A^{-1} B with A = P L U, through the triangular factors; the right-hand forms solve
  // the adjoint system for B^H.
  Tensor b = left ? B : mH(B);
  const bool adj = left ? adjoint : !adjoint;
  auto [P, L, U] = lu_unpack(LU, pivots, true, true);
  Tensor X;
  if (!adj) {
    Tensor y = linalg_solve_triangular(L, matmul(mH(P), b), false, true, true);
    X = linalg_solve_triangular(U, y, true, true, false);
  } else {
    Tensor y = linalg_solve_triangular(mH(U), b, false, true, false);
    X = matmul(P, linalg_solve_triangular(mH(L), y, true, true, true));
  }
  return as_node("LinalgLuSolveBackward0", {left ? X : mH(X)})[0];
}

Tensor cholesky_solve(const Tensor& B, const Tensor& L, bool upper) {
  const char* fn = "cholesky_solve";
  MLXC_CHECK(B.dim() >= 2, Runtime, "b should have at least 2 dimensions, but has ", B.dim(),
             " dimensions instead");
  MLXC_CHECK(L.dim() >= 2, Runtime, "u should have at least 2 dimensions, but has ", L.dim(),
             " dimensions instead");
  check_floating(L, fn);
  check_same_dtype(B, L, fn, "b", "u");
  Tensor X;
  {
    AutoGradMode off(false);
    Tensor y = linalg_solve_triangular(upper ? mH(L) : L, B, false, true, false);
    X = linalg_solve_triangular(upper ? L : mH(L), y, true, true, false);
  }
  if (!needs_grad({&B, &L})) return X;
  X = detach_alias(X);
  auto node = make_node("CholeskySolveBackward0", {&B, &L},
                        [upper, bs = B.sizes(), ls = L.sizes()](FnNode& nd, TensorList& gs) {
                          if (gs.empty() || !gs[0].defined()) return TensorList{Tensor(), Tensor()};
                          Tensor L = nd.saved(0), X = nd.saved(1);
                          Tensor gB = cholesky_solve(gs[0], L, upper);
                          Tensor gL;
                          if (nd.needs_input_grad(1)) {
                            Tensor common = matmul(gB, mH(X));
                            common = add(common, mH(common));
                            gL =
                                sum_to(upper ? neg(matmul(L, common)) : neg(matmul(common, L)), ls);
                          }
                          return TensorList{nd.needs_input_grad(0) ? sum_to(gB, bs) : Tensor(), gL};
                        });
  set_history(X, node);
  node->save(L);
  node->save(X, true);
  return X;
}

Tensor cholesky_inverse(const Tensor& L, bool upper) {
  const char* fn = "cholesky_inverse";
  MLXC_CHECK(L.dim() >= 2, Runtime,
             "cholesky_inverse: The input tensor input must have at least 2 dimensions.");
  check_square(L, fn, "input");
  check_floating(L, fn);
  Tensor out;
  {
    AutoGradMode off(false);
    const int64_t n = L.size(-1);
    Tensor eye = eye_of(n, batch_sizes(L), L.dtype());
    // A = L L^H (lower) or U^H U (upper); A^{-1} = L^{-H} L^{-1} or U^{-1} U^{-H}.
    Tensor inv = linalg_solve_triangular(L, eye, upper, true, false);
    out = upper ? matmul(inv, mH(inv)) : matmul(mH(inv), inv);
  }
  if (!needs_grad({&L})) return out;
  out = detach_alias(out);
  auto node = make_node("CholeskyInverseBackward0", {&L}, [upper](FnNode& nd, TensorList& gs) {
    if (gs.empty() || !gs[0].defined()) return TensorList{Tensor()};
    Tensor L = nd.saved(0), inv = nd.saved(1);
    Tensor common = matmul(inv, matmul(add(gs[0], mH(gs[0])), inv));
    return TensorList{upper ? neg(matmul(L, common)) : neg(matmul(common, L))};
  });
  set_history(out, node);
  node->save(L);
  node->save(out, true);
  return out;
}

namespace {

// torch's tolerance rule: max(atol, rtol * largest), rtol defaulting to eps * max(m, n)
// (or to zero when a positive atol is given). Values have shape (..., 1).
mx::array tolerance(const Tensor& A, const std::optional<Tensor>& atol,
                    const std::optional<Tensor>& rtol, const mx::array& largest) {
  const mx::Dtype dt = to_mlx(A.dtype());
  const double def = eps_of(A.dtype()) * static_cast<double>(std::max(A.size(-1), A.size(-2)));
  mx::array a = atol ? mx::astype(atol->value(), dt) : mx::zeros({}, dt);
  mx::array r = mx::array(def, dt);
  if (rtol) {
    r = mx::astype(rtol->value(), dt);
  } else if (atol) {
    r = mx::where(mx::greater(a, mx::zeros({}, dt)), mx::zeros({}, dt), r);
  }
  return mx::maximum(mx::expand_dims(a, -1), mx::multiply(mx::expand_dims(r, -1), largest));
}

}  // namespace

Tensor linalg_pinv(const Tensor& A, const std::optional<Tensor>& atol,
                   const std::optional<Tensor>& rtol, bool hermitian) {
  const char* fn = "linalg.pinv";
  check_matrix(A, fn, "input");
  check_floating(A, fn);
  const ScalarType st = A.dtype();
  const mx::Dtype dt = to_mlx(st);
  IntArray rs = batch_sizes(A);
  rs.push_back(A.size(-1));
  rs.push_back(A.size(-2));
  mx::array P = mx::zeros(to_shape(rs), dt);
  if (A.numel() > 0) {
    mx::array a = A.value(), zero = mx::zeros({}, dt);
    if (hermitian) {
      auto [w, v] = mx::linalg::eigh(from_triangle(a, false), "L", cpu());
      mx::array aw = mx::abs(w);
      mx::array tol = tolerance(A, atol, rtol, mx::max(aw, -1, true));
      mx::array winv = mx::where(mx::greater(aw, tol), mx::reciprocal(w), zero);
      P = mx::matmul(mx::multiply(v, mx::expand_dims(winv, -2)), mx::swapaxes(v, -1, -2));
    } else {
      const int k = static_cast<int>(std::min(A.size(-1), A.size(-2)));
      auto r = mx::linalg::svd(a, true, cpu());
      mx::Shape start(a.ndim(), 0), ustop = r[0].shape(), vstop = r[2].shape();
      ustop.back() = k;
      vstop[vstop.size() - 2] = k;
      mx::array U = mx::slice(r[0], start, ustop), S = r[1], Vh = mx::slice(r[2], start, vstop);
      mx::Shape s0(S.ndim(), 0), s1 = S.shape();
      s1.back() = 1;
      mx::array tol = tolerance(A, atol, rtol, mx::slice(S, s0, s1));
      mx::array sinv = mx::where(mx::greater(S, tol), mx::reciprocal(S), zero);
      P = mx::matmul(mx::multiply(mx::swapaxes(Vh, -1, -2), mx::expand_dims(sinv, -2)),
                     mx::swapaxes(U, -1, -2));
    }
  }
  Tensor out = make_result(P, st, {&A});
  if (!needs_grad({&A})) return out;
  auto node = make_node("LinalgPinvBackward0", {&A}, [](FnNode& nd, TensorList& gs) {
    if (gs.empty() || !gs[0].defined()) return TensorList{Tensor()};
    return TensorList{pinv_backward(gs[0], nd.saved(1), nd.saved(0))};
  });
  set_history(out, node);
  node->save(A);
  node->save(out, true);
  return out;
}

Tensor linalg_matrix_rank(const Tensor& A, const std::optional<Tensor>& atol,
                          const std::optional<Tensor>& rtol, bool hermitian) {
  const char* fn = "linalg.matrix_rank";
  check_matrix(A, fn, "input");
  check_floating(A, fn);
  IntArray batch = batch_sizes(A);
  if (A.numel() == 0) return zeros_of(batch, ScalarType::Int64);
  mx::array a = A.value();
  mx::array S = hermitian ? mx::abs(mx::linalg::eigvalsh(from_triangle(a, false), "L", cpu()))
                          : mx::linalg::svd(a, false, cpu())[0];
  mx::array tol = tolerance(A, atol, rtol, mx::max(S, -1, true));
  mx::array rank = mx::sum(mx::astype(mx::greater(S, tol), mx::int64), -1);
  return make_result(rank, ScalarType::Int64, {&A});
}

std::tuple<Tensor, Tensor, Tensor, Tensor> linalg_lstsq(const Tensor& A, const Tensor& B,
                                                        std::optional<double> rcond,
                                                        std::optional<std::string> driver) {
  const char* fn = "torch.linalg.lstsq";
  MLXC_CHECK(A.dim() >= 2, Runtime, fn, ": input must have at least 2 dimensions.");
  MLXC_CHECK(B.dim() >= 1, Runtime, fn, ": other must have at least 1 dimension.");
  check_floating(A, fn);
  MLXC_CHECK(A.dtype() == B.dtype(), Runtime, fn,
             ": Expected input and other to have the same dtype, but got input's dtype ",
             scalar_type_name(A.dtype()), " and other's dtype ", scalar_type_name(B.dtype()));
  const bool vector_case = B.dim() == A.dim() - 1;
  Tensor Bm = vector_case ? unsqueeze(B, -1) : B;
  MLXC_CHECK(A.size(-2) == Bm.size(-2), Runtime, fn, ": input.size(-2) should match other.size(",
             vector_case ? "-1" : "-2", ")");
  const std::string drv = driver.value_or("gelsy");
  MLXC_CHECK(drv == "gels" || drv == "gelsy" || drv == "gelsd" || drv == "gelss", Runtime, fn,
             ": parameter `driver` should be one of (gels, gelsy, gelsd, gelss)");
  const ScalarType st = A.dtype();
  const int64_t m = A.size(-2), n = A.size(-1);
  const double rc = rcond && *rcond > 0 ? *rcond : eps_of(st) * static_cast<double>(std::max(m, n));
  Tensor rtol = scalar_tensor(rc, st), atol = scalar_tensor(0.0, st);
  Tensor X = matmul(linalg_pinv(A, atol, rtol, false), Bm);
  Tensor rank = zeros_of({0}, ScalarType::Int64);
  if (drv != "gels") rank = linalg_matrix_rank(A, atol, rtol, false);
  Tensor sv = zeros_of({0}, st);
  if (drv == "gelsd" || drv == "gelss") {
    AutoGradMode off(false);
    sv = linalg_svdvals(A);
  }
  // An empty residuals tensor still takes part in the graph, as torch's does.
  Tensor residuals = mul(zeros_of({0}, st), mul(sum(X, std::nullopt, false), 0.0));
  if (m > n && drv != "gelsy") {
    bool full = true;
    if (drv != "gels" && rank.numel() > 0) {
      AutoGradMode off(false);
      full = item_double(all(eq(rank, scalar_tensor(static_cast<double>(n), ScalarType::Int64)),
                             std::nullopt, false)
                             .value()) != 0.0;
    }
    if (full) {
      Tensor r = sub(matmul(A, X), Bm);
      residuals = sum(mul(r, r), std::vector<int64_t>{-2}, false);
      if (vector_case) residuals = squeeze(residuals, std::vector<int64_t>{-1});
    }
  }
  if (vector_case) X = squeeze(X, std::vector<int64_t>{-1});
  TensorList r = as_node("LinalgLstsqBackward0", {X, residuals});
  return {r[0], r[1], rank, sv};
}

Tensor linalg_matrix_power(const Tensor& A, int64_t n) {
  const char* fn = "linalg.matrix_power";
  check_square(A, fn);
  if (n == 0) {
    // The identity copied over a clone of A, as torch builds it: A's history
    // gets a zero gradient through torch's CopyBackwards.
    Tensor c = clone(A);
    Tensor eye = eye_of(A.size(-1), batch_sizes(A), A.dtype());
    Tensor r = make_result(mx::broadcast_to(eye.value(), A.shape()), A.dtype(), {});
    if (!needs_grad({&c})) return r;
    return with_history(r, make_node("CopyBackwards", {&c}, [](FnNode&, TensorList& gs) {
                          return TensorList{zeros_like(gs[0])};
                        }));
  }
  Tensor a = A;
  const bool inverted = n < 0;
  if (inverted) {
    a = linalg_inv(A);
    n = -n;
  }
  if (n == 1) return inverted ? a : clone(a);
  if (n == 2) return matmul(a, a);
  if (n == 3) return matmul(matmul(a, a), a);
  Tensor z, result;
  while (n > 0) {
    const int64_t bit = n % 2;
    n /= 2;
    z = z.defined() ? matmul(z, z) : a;
    if (bit == 1) result = result.defined() ? matmul(result, z) : z;
  }
  return result;
}

Tensor linalg_tensorinv(const Tensor& A, int64_t ind) {
  MLXC_CHECK(ind > 0, Runtime, "Expected a strictly positive integer for 'ind', but got ", ind);
  MLXC_CHECK(ind <= A.dim(), Runtime, "Expected a strictly positive integer for 'ind', but got ",
             ind);
  IntArray head(A.sizes().begin(), A.sizes().begin() + ind);
  IntArray tail(A.sizes().begin() + ind, A.sizes().end());
  int64_t ph = 1, pt = 1;
  for (auto s : head) ph *= s;
  for (auto s : tail) pt *= s;
  MLXC_CHECK(ph == pt, Runtime,
             "Expected self to satisfy the requirement prod(self.shape[ind:]) == "
             "prod(self.shape[:ind]), but got ",
             pt, " != ", ph);
  Tensor inv = linalg_inv(reshape(A, {ph, pt}));
  IntArray out = tail;
  out.insert(out.end(), head.begin(), head.end());
  return reshape(inv, out);
}

Tensor linalg_tensorsolve(const Tensor& A, const Tensor& B,
                          const std::optional<std::vector<int64_t>>& dims) {
  Tensor a = A;
  if (dims && !dims->empty()) {
    std::vector<int64_t> dest;
    for (size_t i = 0; i < dims->size(); ++i) dest.push_back(A.dim() - dims->size() + i);
    a = movedim(A, *dims, dest);
  }
  IntArray result_shape(a.sizes().begin() + std::min<int64_t>(B.dim(), a.dim()), a.sizes().end());
  int64_t rp = 1, bp = B.numel();
  for (auto s : result_shape) rp *= s;
  int64_t lead = 1;
  for (int64_t i = 0; i < std::min<int64_t>(B.dim(), a.dim()); ++i) lead *= a.size(i);
  MLXC_CHECK(rp == bp && lead == bp, Runtime,
             "Expected self to satisfy the requirement prod(self.shape[other.ndim:]) == "
             "prod(self.shape[:other.ndim]), but got ",
             rp, " != ", lead);
  Tensor x = linalg_solve(reshape(a, {bp, rp}), flatten(B, 0, -1), true);
  return reshape(x, result_shape);
}

}  // namespace mlxc
