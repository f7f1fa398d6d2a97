#include "ops/scan.h"

#include <cfloat>
#include <cmath>

#include "ops/complex.h"
#include "ops/gather.h"
#include "ops/layout.h"
#include "ops/pointwise.h"
#include "ops/reduce.h"
#include "ops/shape.h"
#include "ops/view.h"

namespace mlxc {

namespace {

int scan_axis(const Tensor& self, int64_t dim) {
  return static_cast<int>(wrap_dim(dim, self.dim()));
}

// Index (along axis) of the element holding each running extreme; ties and NaN
// take the latest position, as torch.
mx::array running_index(const mx::array& x, const mx::array& run, int axis) {
  mx::Shape shape(x.ndim(), 1);
  shape[axis] = x.shape()[axis];
  mx::array pos =
      mx::broadcast_to(mx::reshape(mx::arange(0, x.shape()[axis], mx::int64), shape), x.shape());
  mx::array hit = mx::equal(x, run);
  if (mx::issubdtype(x.dtype(), mx::inexact)) hit = mx::logical_or(hit, mx::isnan(x));
  mx::array c = mx::where(hit, pos, mx::full(x.shape(), int64_t{-1}));
  return mx::cummax(c, axis);
}

std::pair<Tensor, Tensor> cum_extreme(const Tensor& self, int64_t dim, bool is_max) {
  if (self.dim() == 0) {
    return {clone(self), make_result(mx::zeros({}, mx::int64), ScalarType::Int64, {})};
  }
  const int a = scan_axis(self, dim);
  mx::array x = self.value();
  mx::array run = x;
  if (self.numel() == 0) {
    run = x;
  } else if (mx::issubdtype(x.dtype(), mx::inexact)) {
    // NaN propagates from its position on: scan with NaN as the extreme.
    mx::array nan_seen = mx::cummax(mx::astype(mx::isnan(x), mx::int32), a);
    mx::array filled = mx::where(mx::isnan(x), mx::zeros_like(x), x);
    run = is_max ? mx::cummax(filled, a) : mx::cummin(filled, a);
    run = mx::where(mx::astype(nan_seen, mx::bool_), mx::full(x.shape(), NAN, x.dtype()), run);
  } else {
    mx::array xv = x.dtype() == mx::bool_ ? mx::astype(x, mx::int32) : x;
    run = is_max ? mx::cummax(xv, a) : mx::cummin(xv, a);
    run = mx::astype(run, x.dtype());
  }
  mx::array idx = self.numel() == 0
                      ? mx::zeros(x.shape(), mx::int64)
                      : running_index(x.dtype() == mx::bool_ ? mx::astype(x, mx::int32) : x,
                                      x.dtype() == mx::bool_ ? mx::astype(run, mx::int32) : run, a);
  Tensor values = make_result(run, self.dtype(), {&self});
  Tensor indices = make_result(idx, ScalarType::Int64, {&self});
  if (!needs_grad({&self})) return {values, indices};
  auto node = make_node(is_max ? "CummaxBackward0" : "CumminBackward0", {&self},
                        [a, sizes = self.sizes(), indices](FnNode&, TensorList& gs) {
                          return TensorList{scatter_add_into_zeros(sizes, a, indices, gs[0])};
                        });
  set_history(values, node);
  return {values, indices};
}

// grad_i = sum_{k >= i} g_k * prod_{j <= k, j != i} x_j, exact with zeros and
// built from recorded ops (differentiable again): row i of a [len, len] table
// is the running product of x with x_i replaced by 1.
Tensor cumprod_backward(const Tensor& g, const Tensor& self, int a) {
  Tensor x = conj_if_complex(movedim(self, {a}, {-1}));  // torch's conjugate convention
  Tensor gv = movedim(g, {a}, {-1});
  const int len = static_cast<int>(x.sizes().back());
  mx::array i = mx::reshape(mx::arange(len), {len, 1});
  mx::array j = mx::reshape(mx::arange(len), {1, len});
  Tensor diag = make_result(mx::equal(i, j), ScalarType::Bool, {});
  Tensor upper = make_result(mx::greater_equal(j, i), ScalarType::Bool, {});  // k >= i
  Tensor rows = cumprod(where(diag, wrapped_scalar(1.0), unsqueeze(x, -2)), -1);
  Tensor terms = where(upper, mul(rows, unsqueeze(gv, -2)), wrapped_scalar(0.0));
  return movedim(sum(terms, std::vector<int64_t>{-1}), {-1}, {a});
}

// Running logaddexp by doubling strides (log2(n) accurate logaddexp steps), for
// float64, whose MLX scan is float32-grade.
mx::array logcumsumexp_f64(const mx::array& x, int a) {
  const int n = x.shape()[a];
  mx::array y = x;
  for (int s = 1; s < n; s *= 2) {
    mx::Shape pad_shape = x.shape();
    pad_shape[a] = s;
    mx::Shape lo(x.ndim(), 0), hi = x.shape();
    hi[a] = n - s;
    mx::array shifted =
        mx::concatenate({mx::full(pad_shape, -INFINITY, x.dtype()), mx::slice(y, lo, hi)}, a);
    y = logaddexp_accurate(y, shifted);
  }
  return y;
}

// torch's logcumsumexp_backward, with recorded ops: the gradient's positive and
// negative parts are summed separately in log space (reversed scans).
Tensor logcumsumexp_backward(const Tensor& g, const Tensor& self, const Tensor& result,
                             int64_t dim) {
  auto rev_lcse = [dim](const Tensor& t) { return flip(logcumsumexp(flip(t, {dim}), dim), {dim}); };
  if (is_complex(g.dtype())) {
    // grad_i = conj(sum_{k >= i} conj(g_k) exp(x_i - out_k)), with the complex log of g.
    return conj_if_complex(exp(add(rev_lcse(sub(log(conj_if_complex(g)), result)), self)));
  }
  const double lowest = g.dtype() == ScalarType::Float64 ? -DBL_MAX : -FLT_MAX;
  Tensor floor_v = scalar_tensor(lowest, g.dtype());
  Tensor log_abs = log(abs(g));
  Tensor zero = wrapped_scalar(0.0);
  Tensor pos = where(gt(g, zero), log_abs, floor_v);
  Tensor neg = where(lt(g, zero), log_abs, floor_v);
  Tensor out_pos = exp(add(rev_lcse(sub(pos, result)), self));
  Tensor out_neg = exp(add(rev_lcse(sub(neg, result)), self));
  return sub(out_pos, out_neg);
}

}  // namespace

Tensor cumsum(const Tensor& self, int64_t dim, std::optional<ScalarType> dtype, bool reverse) {
  const ScalarType st =
      dtype ? *dtype : (is_integral(self.dtype(), true) ? ScalarType::Int64 : self.dtype());
  mx::array x = cast(self, st);
  const int a = self.dim() == 0 ? 0 : scan_axis(self, dim);
  Tensor result = make_result(self.dim() == 0 ? x : mx::cumsum(x, a, reverse, true), st, {&self});
  if (!needs_grad({&self})) return result;
  auto node = make_node("CumsumBackward0", {&self}, [dim, reverse](FnNode& n, TensorList& gs) {
    (void)n;
    if (gs[0].dim() == 0) return TensorList{gs[0]};
    return TensorList{cumsum(gs[0], dim, std::nullopt, !reverse)};
  });
  return with_history(result, node);
}

Tensor cumprod(const Tensor& self, int64_t dim, std::optional<ScalarType> dtype) {
  const ScalarType st =
      dtype ? *dtype : (is_integral(self.dtype(), true) ? ScalarType::Int64 : self.dtype());
  Tensor x = st == self.dtype() ? self : to_dtype(self, st);
  const int a = x.dim() == 0 ? 0 : scan_axis(x, dim);
  mx::array v = x.value();
  Tensor result = make_result(x.dim() == 0 ? v : mx::cumprod(v, a, false, true), st, {&x});
  if (!needs_grad({&x})) return result;
  auto node = make_node("CumprodBackward0", {&x}, [a](FnNode& n, TensorList& gs) {
    Tensor self = n.saved(0);
    if (self.dim() == 0) return TensorList{gs[0]};
    return TensorList{cumprod_backward(gs[0], self, a)};
  });
  node->save(x);
  return with_history(result, node);
}

std::pair<Tensor, Tensor> cummax(const Tensor& self, int64_t dim) {
  return cum_extreme(self, dim, true);
}

std::pair<Tensor, Tensor> cummin(const Tensor& self, int64_t dim) {
  return cum_extreme(self, dim, false);
}

Tensor logcumsumexp(const Tensor& self, int64_t dim) {
  const ScalarType st = to_float_dtype(self.dtype());
  mx::array x = cast(self, st);
  const int a = self.dim() == 0 ? 0 : scan_axis(self, dim);
  mx::array out = x;
  if (self.dim() > 0 && self.numel() > 0) {
    out = x.dtype() == mx::float64 ? logcumsumexp_f64(x, a) : mx::logcumsumexp(x, a);
  }
  Tensor result = make_result(out, st, {&self});
  if (!needs_grad({&self})) return result;
  auto node = make_node("LogcumsumexpBackward0", {&self}, [a](FnNode& n, TensorList& gs) {
    Tensor self = n.saved(0), out = n.saved(1);
    if (self.dim() == 0) return TensorList{gs[0]};
    return TensorList{logcumsumexp_backward(gs[0], self, out, a)};
  });
  node->save(self);
  node->save(result, true);
  return with_history(result, node);
}

}  // namespace mlxc
