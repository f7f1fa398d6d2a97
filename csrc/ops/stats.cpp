#include "ops/stats.h"

#include <cmath>

#include "core/eval.h"
#include "ops/binary.h"
#include "ops/complex.h"
#include "ops/creation.h"
#include "ops/gather.h"
#include "ops/layout.h"
#include "ops/linalg.h"
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

// Sample points x viewed so they broadcast against y along dim (torch's rule).
Tensor spacing_of(const Tensor& y, const Tensor& x, int64_t dim) {
  Tensor xv = x;
  if (x.dim() == 1) {
    MLXC_CHECK(x.sizes()[0] == y.sizes()[dim], Runtime,
               "trapezoid: There must be one `x` value for each sample point");
    IntArray shape(y.dim(), 1);
    shape[dim] = x.sizes()[0];
    xv = view(x, shape);
  } else if (x.dim() < y.dim()) {
    IntArray shape(y.dim() - x.dim(), 1);
    shape.insert(shape.end(), x.sizes().begin(), x.sizes().end());
    xv = view(x, shape);
  }
  const int64_t n = xv.sizes()[dim];
  return sub(slice(xv, dim, 1, n, 1), slice(xv, dim, 0, n - 1, 1));
}

// The trapezoids' doubled areas along dim: dx * (y[1:] + y[:-1]).
Tensor pair_sums(const Tensor& y, int64_t dim) {
  const int64_t n = y.sizes()[dim];
  return add(slice(y, dim, 1, n, 1), slice(y, dim, 0, n - 1, 1));
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
  return div(sum(mul(spacing_of(y, x, d), pair_sums(y, d)), std::vector<int64_t>{d}), 2.0);
}

Tensor trapezoid(const Tensor& y, double dx, int64_t dim) {
  const int64_t d = wrap_dim(dim, y.dim());
  if (y.sizes()[d] == 0) return zeros_without(y, d);
  const Tensor ends = add(select(y, d, 0), select(y, d, -1));
  return mul(sub(sum(y, std::vector<int64_t>{d}), mul(ends, 0.5)), dx);
}

Tensor cumulative_trapezoid(const Tensor& y, const Tensor& x, int64_t dim) {
  const int64_t d = wrap_dim(dim, y.dim());
  if (y.sizes()[d] == 0) return y;
  return cumsum(mul(div(spacing_of(y, x, d), 2.0), pair_sums(y, d)), d);
}

Tensor cumulative_trapezoid(const Tensor& y, double dx, int64_t dim) {
  const int64_t d = wrap_dim(dim, y.dim());
  if (y.sizes()[d] == 0) return y;
  return cumsum(mul(pair_sums(y, d), dx / 2.0), d);
}

Tensor dist(const Tensor& a, const Tensor& b, double p) {
  return norm(sub(a, b), p, std::nullopt, false);
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
  if (p == 2.0 && use_mm) return euclidean_dist(x1, x2);
  // Every pair's difference, then the p-norm over the feature dim.
  const Tensor diff = sub(unsqueeze(x1, -2), unsqueeze(x2, -3));
  return norm(diff, p, std::vector<int64_t>{-1}, false);
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
  const Tensor n = norm(self, p, others, true);
  const Tensor factor = where(gt(n, wrapped_scalar(maxnorm)),
                              div(wrapped_scalar(maxnorm), add(n, 1e-7)), ones_like(n));
  return mul(self, factor);
}

}  // namespace mlxc
