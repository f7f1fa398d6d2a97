#include "ops/stats.h"

#include <algorithm>
#include <cmath>

#include "core/eval.h"
#include "ops/binary.h"
#include "ops/complex.h"
#include "ops/creation.h"
#include "ops/gather.h"
#include "ops/layout.h"
#include "ops/linalg.h"
#include "ops/linalg_norm.h"
#include "ops/pointwise.h"
#include "ops/reduce.h"
#include "ops/reduce_stats.h"
#include "ops/scan.h"
#include "ops/shape.h"
#include "ops/view.h"

namespace mlxc {

namespace {

void check_weights(const Tensor& w, int64_t num_obs, const char* name, bool integral) {
  MLXC_CHECK(w.dim() <= 1, Runtime, "cov(): expected ", name,
             " to have one or fewer dimensions but got ", name, " with ", w.dim(), " dimensions");
  MLXC_CHECK(w.numel() == num_obs, Runtime, "cov(): expected ", name,
             " to have the same numel as there are observations in the input but got ", w.numel(),
             " != ", num_obs);
  MLXC_CHECK(!integral || is_integral(w.dtype(), false), Runtime, "cov(): expected ", name,
             " to have integral dtype but got ", name, " with ", scalar_type_name(w.dtype()),
             " dtype");
  MLXC_CHECK(integral || is_floating(w.dtype()), Runtime, "cov(): expected ", name,
             " to have floating point dtype but got ", name, " with ", scalar_type_name(w.dtype()),
             " dtype");
  MLXC_CHECK(!host_any(lt(w, wrapped_scalar(int64_t{0})).value()), Runtime, "cov(): ", name,
             " cannot be negative");
}

// y's size along dim with the other sizes kept (the shape of an empty integral).
Tensor zeros_without(const Tensor& y, int64_t dim) {
  IntArray sizes = y.sizes();
  sizes.erase(sizes.begin() + dim);
  const ScalarType st =
      is_floating(y.dtype()) || is_complex(y.dtype()) ? y.dtype() : default_float_dtype();
  return zeros(sizes, TensorOptions{st, Device{}, false});
}

// y's samples along dim without the last one (left ends) or the first (right ends).
Tensor left_ends(const Tensor& y, int64_t dim) {
  return narrow(y, dim, 0, std::max<int64_t>(y.sizes()[dim] - 1, 0));
}
Tensor right_ends(const Tensor& y, int64_t dim) {
  const int64_t n = y.sizes()[dim];
  return narrow(y, dim, std::min<int64_t>(n, 1), std::max<int64_t>(n - 1, 0));
}

// The spacings of sample points x, viewed so they broadcast against y along dim
// (torch's rule).
Tensor spacing_of(const Tensor& y, const Tensor& x, int64_t dim, const char* name) {
  Tensor xv = x;
  if (x.dim() == 1) {
    MLXC_CHECK(x.sizes()[0] == y.sizes()[dim], Runtime, name,
               ": There must be one `x` value for each sample point");
    IntArray shape(y.dim(), 1);
    shape[dim] = x.sizes()[0];
    xv = view(x, shape);
  } else if (x.dim() < y.dim()) {
    IntArray shape(y.dim() - x.dim(), 1);
    shape.insert(shape.end(), x.sizes().begin(), x.sizes().end());
    xv = view(x, shape);
  }
  return sub(right_ends(xv, dim), left_ends(xv, dim));
}

// The trapezoids' doubled heights along dim: y[:-1] + y[1:].
Tensor pair_sums(const Tensor& y, int64_t dim) {
  return add(left_ends(y, dim), right_ends(y, dim));
}

void check_not_bool(const Tensor& y, const Tensor* x, const char* name) {
  MLXC_CHECK(y.dtype() != ScalarType::Bool && (!x || x->dtype() != ScalarType::Bool), Runtime, name,
             ": received a bool input for ", x ? "`x` or `y`" : "`y`",
             ", but bool is not supported");
}

// t * s and t / s for a Python number s, recorded as torch records its Scalar
// overloads (MulBackward1, DivBackward1).
Tensor scalar_op(const Tensor& t, double s, bool is_div) {
  Tensor v;
  {
    AutoGradMode no_grad(false);
    v = is_div ? div(t, s) : mul(t, s);
  }
  Tensor result = make_result(v.value(), v.dtype(), {&t});
  if (!needs_grad({&t})) return result;
  auto node = make_node(is_div ? "DivBackward1" : "MulBackward1", {&t},
                        [s, is_div](FnNode&, TensorList& gs) {
                          return TensorList{is_div ? div(gs[0], s) : mul(gs[0], s)};
                        });
  return with_history(result, node);
}

std::vector<int> all_axes(int64_t ndim) {
  std::vector<int> axes(ndim);
  for (int i = 0; i < static_cast<int>(ndim); ++i) axes[i] = i;
  return axes;
}

// One term of torch's _cdist_backward for every (row of x1, row of x2, feature):
// diff = x1_i - x2_j, g and dist broadcast over the feature dim.
Tensor cdist_term(const Tensor& diff, const Tensor& g, const Tensor& dist, double p) {
  const ScalarType st = diff.dtype();
  const Tensor zero = scalar_tensor(0.0, st), one = scalar_tensor(1.0, st);
  if (p == 1.0) return mul(g, sgn(diff));
  if (std::isinf(p)) return mul(mul(g, sgn(diff)), eq(abs(diff), dist));
  const Tensor at_zero = eq(dist, zero);
  const Tensor safe_dist = where(at_zero, one, dist);
  Tensor t;
  if (p == 2.0) {
    t = div(mul(g, diff), safe_dist);
  } else if (p < 2.0) {
    Tensor ad = abs(diff);
    Tensor skip = at_zero;
    if (p < 1.0) {
      const Tensor d0 = eq(diff, zero);
      skip = logical_or(at_zero, d0);
      ad = where(d0, one, ad);
    }
    t = div(mul(mul(sgn(diff), pow(ad, wrapped_scalar(p - 1))), g),
            pow(safe_dist, wrapped_scalar(p - 1)));
    return where(skip, zero, t);
  } else {
    t = div(mul(mul(diff, pow(abs(diff), wrapped_scalar(p - 2))), g),
            pow(safe_dist, wrapped_scalar(p - 1)));
  }
  return where(at_zero, zero, t);
}

// torch's _euclidean_dist: distances from one matrix product, with its own
// gradient (EuclideanDistBackward0).
Tensor euclidean_dist(const Tensor& x1, const Tensor& x2) {
  Tensor a = detach_alias(x1), b = detach_alias(x2);
  const Tensor a_norm = sum(mul(a, a), std::vector<int64_t>{-1}, true);
  const Tensor b_norm = sum(mul(b, b), std::vector<int64_t>{-1}, true);
  const Tensor a_ = cat({mul(a, -2.0), a_norm, ones_like(a_norm)}, -1);
  const Tensor b_ = cat({b, ones_like(b_norm), b_norm}, -1);
  const Tensor d2 = matmul(a_, transpose(b_, -2, -1));
  Tensor result = sqrt(clamp(d2, wrapped_scalar(0.0), std::nullopt));
  if (!needs_grad({&x1, &x2})) return result;
  auto node = make_node(
      "EuclideanDistBackward0", {&x1, &x2},
      [a, b, res = detach_alias(result)](FnNode&, TensorList& gs) {
        Tensor ratio = div(gs[0], res);
        ratio = masked_fill(ratio, eq(res, wrapped_scalar(0.0)), wrapped_scalar(0.0));
        Tensor ga = sub(mul(a, sum(ratio, std::vector<int64_t>{-1}, true)), matmul(ratio, b));
        Tensor gb = sub(mul(b, unsqueeze(sum(ratio, std::vector<int64_t>{-2}, false), -1)),
                        matmul(transpose(ratio, -2, -1), a));
        return TensorList{sum_to(ga, a.sizes()), sum_to(gb, b.sizes())};
      });
  return with_history(result, node);
}

}  // namespace

Tensor cov(const Tensor& input, int64_t correction, const std::optional<Tensor>& fweights,
           const std::optional<Tensor>& aweights) {
  MLXC_CHECK(input.dim() <= 2, Runtime,
             "cov(): expected input to have two or fewer dimensions but got an input with ",
             input.dim(), " dimensions");
  Tensor x = input.dim() < 2 ? view(input, {1, -1}) : input;
  const int64_t num_obs = x.sizes()[1];
  std::optional<Tensor> w;
  if (fweights) {
    check_weights(*fweights, num_obs, "fweights", true);
    w = *fweights;
  }
  if (aweights) {
    check_weights(*aweights, num_obs, "aweights", false);
    w = w ? mul(*w, *aweights) : *aweights;
  }
  const Tensor w_sum =
      w ? sum(*w)
        : full({}, wrapped_scalar(num_obs), TensorOptions{ScalarType::Int64, Device{}, false});
  const Tensor avg = div(sum(w ? mul(x, *w) : x, std::vector<int64_t>{1}), w_sum);
  Tensor norm_factor;
  if (w && correction != 0 && aweights) {
    norm_factor =
        sub(w_sum, div(mul(sum(mul(*w, *aweights)), static_cast<double>(correction)), w_sum));
  } else {
    norm_factor = sub(w_sum, wrapped_scalar(correction));
  }
  // Non-positive degrees of freedom give inf/nan, as torch's zeroed factor does.
  norm_factor =
      where(le(norm_factor, wrapped_scalar(int64_t{0})), zeros_like(norm_factor), norm_factor);
  x = sub(x, unsqueeze(avg, 1));
  const Tensor c = mm(x, conj(t(w ? mul(x, *w) : x)));
  return squeeze(div(c, norm_factor));
}

Tensor corrcoef(const Tensor& input) {
  MLXC_CHECK(input.dim() <= 2, Runtime,
             "corrcoef(): expected input to have two or fewer dimensions but got an input with ",
             input.dim(), " dimensions");
  Tensor c = cov(input, 1, std::nullopt, std::nullopt);
  if (c.dim() == 0) return div(c, c);
  const Tensor d = diag(c, 0);
  const Tensor stddev = sqrt(d);
  c = div(c, unsqueeze(stddev, 1));
  c = div(c, unsqueeze(stddev, 0));
  return clamp(c, wrapped_scalar(-1.0), wrapped_scalar(1.0));
}

Tensor trapezoid(const Tensor& y, const Tensor& x, int64_t dim) {
  const int64_t d = wrap_dim(dim, y.dim());
  if (y.sizes()[d] == 0) return zeros_without(y, d);
  check_not_bool(y, &x, "trapezoid");
  const Tensor dx = spacing_of(y, x, d, "trapezoid");
  return scalar_op(sum(mul(pair_sums(y, d), dx), std::vector<int64_t>{d}), 2.0, true);
}

Tensor trapezoid(const Tensor& y, double dx, int64_t dim) {
  const int64_t d = wrap_dim(dim, y.dim());
  if (y.sizes()[d] == 0) return zeros_without(y, d);
  check_not_bool(y, nullptr, "trapezoid");
  const Tensor ends = add(select(y, d, 0), select(y, d, -1));
  return scalar_op(sub(sum(y, std::vector<int64_t>{d}), scalar_op(ends, 0.5, false)), dx, false);
}

Tensor cumulative_trapezoid(const Tensor& y, const Tensor& x, int64_t dim) {
  const int64_t d = wrap_dim(dim, y.dim());
  check_not_bool(y, &x, "cumulative_trapezoid");
  const Tensor dx = spacing_of(y, x, d, "cumulative_trapezoid");
  return scalar_op(cumsum(mul(pair_sums(y, d), dx), d), 2.0, true);
}

Tensor cumulative_trapezoid(const Tensor& y, double dx, int64_t dim) {
  const int64_t d = wrap_dim(dim, y.dim());
  check_not_bool(y, nullptr, "cumulative_trapezoid");
  return cumsum(mul(pair_sums(y, d), dx / 2.0), d);
}

Tensor dist(const Tensor& a, const Tensor& b, double p) {
  Tensor v;
  {
    AutoGradMode no_grad(false);
    const Tensor diff = sub(a, b);
    MLXC_CHECK(is_floating(diff.dtype()) || is_complex(diff.dtype()), Runtime,
               "norm(): input dtype should be either floating point or complex. Got ",
               scalar_type_name(diff.dtype()), " instead.");
    v = norm(diff, p, std::nullopt, false);
  }
  Tensor result = make_result(v.value(), v.dtype(), {&a, &b});
  if (!needs_grad({&a, &b})) return result;
  auto node = make_node(
      "DistBackward0", {&a, &b}, [p, as = a.sizes(), bs = b.sizes()](FnNode& n, TensorList& gs) {
        const Tensor diff = sub(n.saved(0), n.saved(1));
        const Tensor nb = norm_backward(gs[0], diff, p, n.saved(2), all_axes(diff.dim()), false);
        if (!nb.defined()) return TensorList{Tensor(), Tensor()};  // p = 0
        TensorList r(2);
        if (n.needs_input_grad(0)) r[0] = sum_to(nb, as);
        if (n.needs_input_grad(1)) r[1] = sum_to(neg(nb), bs);
        return r;
      });
  node->save(a);
  node->save(b);
  with_history(result, node);
  node->save(result, true);
  return result;
}

Tensor cdist(const Tensor& x1, const Tensor& x2, double p, const std::string& compute_mode) {
  MLXC_CHECK(x1.dim() >= 2, Runtime, "cdist only supports at least 2D tensors, X1 got: ", x1.dim(),
             "D");
  MLXC_CHECK(x2.dim() >= 2, Runtime, "cdist only supports at least 2D tensors, X2 got: ", x2.dim(),
             "D");
  MLXC_CHECK(x1.sizes().back() == x2.sizes().back(), Runtime,
             "X1 and X2 must have the same number of columns. X1: ", x1.sizes().back(),
             " X2: ", x2.sizes().back());
  MLXC_CHECK(is_floating(x1.dtype()) && is_floating(x2.dtype()), Runtime,
             "cdist only supports floating-point dtypes, X1 got: ", scalar_type_name(x1.dtype()));
  MLXC_CHECK(p >= 0, Runtime, "cdist only supports non-negative p values");
  // torch's default compute mode switches p=2 to the matrix-product form
  // (|a|^2 + |b|^2 - 2ab) once either side has more than 25 rows.
  const int64_t r1 = x1.sizes()[x1.dim() - 2], r2 = x2.sizes()[x2.dim() - 2];
  MLXC_CHECK(compute_mode == "use_mm_for_euclid_dist_if_necessary" ||
                 compute_mode == "use_mm_for_euclid_dist" ||
                 compute_mode == "donot_use_mm_for_euclid_dist",
             Value, compute_mode, " is not a valid value for compute_mode");
  const bool use_mm =
      compute_mode == "use_mm_for_euclid_dist" ||
      (compute_mode == "use_mm_for_euclid_dist_if_necessary" && (r1 > 25 || r2 > 25));
  const bool empty = x1.numel() == 0 || x2.numel() == 0;
  if (p == 2.0 && use_mm && !empty) {
    // torch views the matrix-product result to the output shape.
    const Tensor r = euclidean_dist(x1, x2);
    return view(r, r.sizes());
  }
  // Every pair's difference, then the p-norm over the feature dim.
  Tensor v;
  {
    AutoGradMode no_grad(false);
    v = norm(sub(unsqueeze(x1, -2), unsqueeze(x2, -3)), p, std::vector<int64_t>{-1}, false);
  }
  Tensor result = make_result(v.value(), v.dtype(), {&x1, &x2});
  if (!needs_grad({&x1, &x2})) return result;
  auto node = make_node("CdistBackward0", {&x1, &x2},
                        [p, s1 = x1.sizes(), s2 = x2.sizes()](FnNode& n, TensorList& gs) {
                          const Tensor a = n.saved(0), b = n.saved(1);
                          TensorList r(2);
                          if (p == 0.0) {
                            r[0] = zeros_like(a);
                            r[1] = zeros_like(b);
                            return r;
                          }
                          const Tensor diff = sub(unsqueeze(a, -2), unsqueeze(b, -3));
                          const Tensor t =
                              cdist_term(diff, unsqueeze(gs[0], -1), unsqueeze(n.saved(2), -1), p);
                          if (n.needs_input_grad(0))
                            r[0] = sum_to(sum(t, std::vector<int64_t>{-2}), s1);
                          if (n.needs_input_grad(1))
                            r[1] = sum_to(neg(sum(t, std::vector<int64_t>{-3})), s2);
                          return r;
                        });
  node->save(x1);
  node->save(x2);
  with_history(result, node);
  node->save(result, true);
  return result;
}

Tensor renorm(const Tensor& self, double p, int64_t dim, double maxnorm) {
  MLXC_CHECK(p > 0, Runtime, "renorm: non-positive-norm not supported");
  MLXC_CHECK(maxnorm >= 0, Runtime, "renorm: expected maxnorm to be >= 0 but got ", maxnorm);
  MLXC_CHECK(self.dim() > 1, Runtime, "renorm: input needs at least 2 dimensions, got ", self.dim(),
             " dimensions");
  const int64_t d = wrap_dim(dim, self.dim());
  std::vector<int64_t> others;
  for (int64_t i = 0; i < self.dim(); ++i)
    if (i != d) others.push_back(i);
  Tensor v;
  {
    AutoGradMode no_grad(false);
    const Tensor n = norm(self, p, others, true);
    const Tensor factor = where(gt(n, wrapped_scalar(maxnorm)),
                                div(wrapped_scalar(maxnorm), add(n, 1e-7)), ones_like(n));
    v = mul(self, factor);
  }
  Tensor result = make_result(v.value(), v.dtype(), {&self});
  if (!needs_grad({&self})) return result;
  // torch's renorm_backward: where the slice was rescaled, the gradient of
  // x * maxnorm / (|x| + 1e-7); the incoming gradient elsewhere.
  auto node =
      make_node("RenormBackward0", {&self}, [p, maxnorm, others](FnNode& n, TensorList& gs) {
        const Tensor x = n.saved(0), g = gs[0];
        const Tensor nrm = norm(x, p, others, true);
        Tensor go = mul(conj(x), g);
        if (is_complex(go.dtype())) go = real(go);
        go = sum(go, others, true);
        const std::vector<int> axes(others.begin(), others.end());
        const Tensor nb = norm_backward(go, x, p, nrm, axes, true);
        const Tensor invnorm = reciprocal(add(nrm, 1e-7));
        const Tensor scaled = mul(mul(invnorm, maxnorm), sub(g, mul(invnorm, nb)));
        return TensorList{where(gt(nrm, wrapped_scalar(maxnorm)), scaled, g)};
      });
  node->save(self);
  return with_history(result, node);
}

}  // namespace mlxc
