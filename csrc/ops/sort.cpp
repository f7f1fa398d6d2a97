#include "ops/sort.h"

#include <algorithm>
#include <map>
#include <numeric>

#include "core/eval.h"
#include "ops/binary.h"
#include "ops/gather.h"
#include "ops/pointwise.h"
#include "ops/reduce.h"
#include "ops/shape.h"
#include "ops/view.h"
#include "ops/view_inplace.h"

namespace mlxc {

namespace {

// Stable argsort along axis with torch's order: ascending puts NaN last,
// descending puts NaN first; ties keep their original order.
mx::array order(const mx::array& x, int axis, bool descending) {
  if (!descending) return mx::argsort(x, axis);
  mx::array key = x;
  if (x.dtype() == mx::bool_) {
    key = mx::logical_not(x);
  } else if (mx::issubdtype(x.dtype(), mx::integer)) {
    key = mx::bitwise_invert(x);  // reverses the order without overflow
  } else {
    key = mx::where(mx::isnan(x), mx::full(x.shape(), -INFINITY, x.dtype()), mx::negative(x));
    // Stable two-pass sort: by key, then NaN first.
    mx::array first = mx::argsort(key, axis);
    mx::array nan_sorted = mx::take_along_axis(mx::logical_not(mx::isnan(x)), first, axis);
    mx::array second = mx::argsort(mx::astype(nan_sorted, mx::int32), axis);
    return mx::take_along_axis(first, second, axis);
  }
  return mx::argsort(key, axis);
}

// Scatters g back to the positions `indices` selected along dim.
Tensor selected_backward(const Tensor& g, const Tensor& indices, int64_t dim, const IntArray& sizes,
                         bool keepdim) {
  Tensor gk = keepdim || g.dim() == static_cast<int64_t>(sizes.size()) ? g : unsqueeze(g, dim);
  Tensor ik = keepdim || indices.dim() == static_cast<int64_t>(sizes.size())
                  ? indices
                  : unsqueeze(indices, dim);
  return scatter_add_into_zeros(sizes, dim, ik, gk);
}

std::pair<Tensor, Tensor> with_selection_grad(const Tensor& self, mx::array vals, mx::array idx,
                                              int64_t dim, bool keepdim, const char* name) {
  Tensor values = make_result(vals, self.dtype(), {&self});
  Tensor indices = make_result(mx::astype(idx, mx::int64), ScalarType::Int64, {&self});
  if (!needs_grad({&self})) return {values, indices};
  auto node = make_node(name, {&self},
                        [dim, keepdim, sizes = self.sizes(), indices](FnNode&, TensorList& gs) {
                          return TensorList{selected_backward(gs[0], indices, dim, sizes, keepdim)};
                        });
  set_history(values, node);
  return {values, indices};
}

std::vector<double> host_values(const Tensor& t) {
  mx::array a = mx::contiguous(mx::astype(mx::reshape(t.value(), {-1}), mx::float64));
  eval_arrays({a});
  const double* p = a.data<double>();
  return std::vector<double>(p, p + a.size());
}

// unique over slices along dim: rows compared lexicographically on the host.
std::tuple<Tensor, Tensor, Tensor> unique_dim(const Tensor& self, int64_t dim, bool return_inverse,
                                              bool return_counts, bool consecutive) {
  const int64_t d = wrap_dim(dim, self.dim());
  const int64_t rows = self.sizes()[d];
  Tensor moved = contiguous(movedim(self, {d}, {0}));
  std::vector<double> v = host_values(moved);
  const int64_t width = rows ? static_cast<int64_t>(v.size()) / rows : 0;
  auto row_less = [&](int64_t a, int64_t b) {
    for (int64_t k = 0; k < width; ++k) {
      const double x = v[a * width + k], y = v[b * width + k];
      if (x != y) return x < y;
    }
    return false;
  };
  auto row_eq = [&](int64_t a, int64_t b) { return !row_less(a, b) && !row_less(b, a); };
  std::vector<int64_t> ord(rows);
  std::iota(ord.begin(), ord.end(), 0);
  if (!consecutive) std::stable_sort(ord.begin(), ord.end(), row_less);
  std::vector<int64_t> keep, inverse(rows), counts;
  for (int64_t k = 0; k < rows; ++k) {
    const int64_t r = ord[k];
    if (keep.empty() || !row_eq(keep.back(), r)) {
      keep.push_back(r);
      counts.push_back(0);
    }
    counts.back()++;
    inverse[r] = static_cast<int64_t>(keep.size()) - 1;
  }
  mx::array idx(keep.begin(), mx::Shape{static_cast<int32_t>(keep.size())}, mx::int64);
  mx::array picked = mx::take(moved.value(), idx, 0);
  Tensor values = movedim(make_result(picked, self.dtype(), {&self}), {0}, {d});
  values = contiguous(values);
  Tensor inv, cnt;
  if (return_inverse) {
    inv = make_result(mx::array(inverse.begin(), mx::Shape{static_cast<int32_t>(rows)}, mx::int64),
                      ScalarType::Int64, {});
  }
  if (return_counts) {
    cnt = make_result(
        mx::array(counts.begin(), mx::Shape{static_cast<int32_t>(counts.size())}, mx::int64),
        ScalarType::Int64, {});
  }
  return {values, inv, cnt};
}

}  // namespace

std::pair<Tensor, Tensor> sort(const Tensor& self, int64_t dim, bool descending, bool) {
  if (self.dim() == 0) {
    return {clone(self), make_result(mx::zeros({}, mx::int64), ScalarType::Int64, {})};
  }
  const int64_t d = wrap_dim(dim, self.dim());
  mx::array x = self.value();
  mx::array idx =
      self.numel() ? order(x, static_cast<int>(d), descending) : mx::zeros(x.shape(), mx::uint32);
  mx::array vals = self.numel() ? mx::take_along_axis(x, idx, static_cast<int>(d)) : x;
  return with_selection_grad(self, vals, idx, d, true, "SortBackward0");
}

Tensor argsort(const Tensor& self, int64_t dim, bool descending, bool stable) {
  return sort(self, dim, descending, stable).second;
}

std::pair<Tensor, Tensor> topk(const Tensor& self, int64_t k, int64_t dim, bool largest, bool) {
  const int64_t d = wrap_dim(dim, self.dim());
  const int64_t n = self.dim() ? self.sizes()[d] : 1;
  MLXC_CHECK(k >= 0 && k <= n, Runtime, "selected index k out of range");
  if (self.dim() == 0) {
    return {clone(self), make_result(mx::zeros({}, mx::int64), ScalarType::Int64, {})};
  }
  mx::array x = self.value();
  mx::array idx =
      self.numel() ? order(x, static_cast<int>(d), largest) : mx::zeros(x.shape(), mx::uint32);
  mx::Shape lo(self.dim(), 0), hi = self.shape();
  hi[d] = static_cast<int32_t>(k);
  idx = mx::slice(idx, lo, hi);
  mx::array vals =
      self.numel() ? mx::take_along_axis(x, idx, static_cast<int>(d)) : mx::slice(x, lo, hi);
  return with_selection_grad(self, vals, idx, d, true, "TopkBackward0");
}

std::pair<Tensor, Tensor> kthvalue(const Tensor& self, int64_t k, int64_t dim, bool keepdim) {
  const int64_t d = wrap_dim(dim, self.dim());
  const int64_t n = self.dim() ? self.sizes()[d] : 1;
  MLXC_CHECK(k >= 1 && k <= n, Index, "kthvalue(): selected number k out of range for dimension ",
             d);
  if (self.dim() == 0) {
    return {clone(self), make_result(mx::zeros({}, mx::int64), ScalarType::Int64, {})};
  }
  mx::array x = self.value();
  mx::array idx = order(x, static_cast<int>(d), false);
  mx::Shape lo(self.dim(), 0), hi = self.shape();
  lo[d] = static_cast<int32_t>(k - 1);
  hi[d] = static_cast<int32_t>(k);
  idx = mx::slice(idx, lo, hi);
  mx::array vals = mx::take_along_axis(x, idx, static_cast<int>(d));
  if (!keepdim) {
    vals = mx::squeeze(vals, static_cast<int>(d));
    idx = mx::squeeze(idx, static_cast<int>(d));
  }
  return with_selection_grad(self, vals, idx, d, keepdim, "KthvalueBackward0");
}

std::pair<Tensor, Tensor> mode(const Tensor& self, int64_t dim, bool keepdim) {
  const int64_t d = wrap_dim(dim, self.dim());
  if (self.dim() == 0) {
    return {clone(self), make_result(mx::zeros({}, mx::int64), ScalarType::Int64, {})};
  }
  const int64_t n = self.sizes()[d];
  MLXC_CHECK(n > 0, Index, "mode(): Expected reduction dim ", d, " to have non-zero size.");
  const int ax = static_cast<int>(d);
  mx::array x = self.value();
  mx::array idx = order(x, ax, false);
  mx::array s = mx::take_along_axis(x, idx, ax);
  // Runs of equal values in sorted order: at each position, how many of its
  // run's elements end there. The first position reaching the largest count
  // ends the smallest most frequent value's run (torch's tie rule), and holds
  // its last occurrence.
  mx::Shape pshape(self.dim(), 1);
  pshape[d] = static_cast<int32_t>(n);
  mx::array pos = mx::broadcast_to(mx::reshape(mx::arange(0, n, mx::int64), pshape), s.shape());
  mx::Shape lo(self.dim(), 0), hi = s.shape();
  hi[d] = static_cast<int32_t>(n - 1);
  mx::Shape lo1(self.dim(), 0), hi1 = s.shape();
  lo1[d] = 1;
  mx::array differs = mx::not_equal(mx::slice(s, lo1, hi1), mx::slice(s, lo, hi));
  mx::Shape one = s.shape();
  one[d] = 1;
  mx::array starts = mx::concatenate({mx::ones(one, mx::bool_), differs}, ax);
  mx::array run_start = mx::cummax(mx::where(starts, pos, mx::zeros_like(pos)), ax);
  mx::array count = mx::subtract(pos, run_start);
  mx::array best = mx::expand_dims(mx::argmax(count, ax), ax);
  mx::array vals = mx::take_along_axis(s, best, ax);
  mx::array at = mx::take_along_axis(idx, best, ax);
  if (!keepdim) {
    vals = mx::squeeze(vals, ax);
    at = mx::squeeze(at, ax);
  }
  return with_selection_grad(self, vals, mx::astype(at, mx::int64), d, keepdim, "ModeBackward0");
}

Tensor quantile(const Tensor& self, const Tensor& q, std::optional<int64_t> dim, bool keepdim,
                const std::string& interpolation, bool ignore_nan) {
  const char* name = ignore_nan ? "nanquantile()" : "quantile()";
  MLXC_CHECK(self.numel() > 0, Runtime, name, " input tensor must be non-empty");
  MLXC_CHECK(q.dim() <= 1, Runtime, name, " q must be a scalar or 1D tensor");
  MLXC_CHECK(self.dtype() == ScalarType::Float32 || self.dtype() == ScalarType::Float64, Runtime,
             name, " input tensor must be either float or double dtype");
  MLXC_CHECK(q.dtype() == self.dtype(), Runtime, name,
             " q tensor must be same dtype as the input tensor");
  const std::vector<std::string> modes{"linear", "lower", "higher", "midpoint", "nearest"};
  MLXC_CHECK(std::find(modes.begin(), modes.end(), interpolation) != modes.end(), Runtime, name,
             " interpolation must be one of linear, lower, higher, midpoint or nearest. Got ",
             interpolation);
  MLXC_CHECK(host_all(mx::logical_and(mx::greater_equal(q.value(), mx::array(0.0)),
                                      mx::less_equal(q.value(), mx::array(1.0)))),
             Runtime, name, " q values must be in the range [0, 1]");
  // Sort along the reduced dim, moved last.
  Tensor x = dim && self.dim() > 0 ? movedim(self, {wrap_dim(*dim, self.dim())}, {-1})
                                   : reshape(self, {-1});
  Tensor sorted = sort(x, -1, false, false).first;
  const int64_t n = sorted.sizes().back();
  // As torch, the sorted rows take the result's shape (kept dims as 1) before
  // the quantiles are picked from them.
  IntArray rows_shape;
  if (dim && self.dim() > 0) {
    const int64_t d = wrap_dim(*dim, self.dim());
    rows_shape = self.sizes();
    if (keepdim) {
      rows_shape[d] = 1;
    } else {
      rows_shape.erase(rows_shape.begin() + d);
    }
  } else if (keepdim) {
    rows_shape = IntArray(self.dim(), 1);
  }
  rows_shape.push_back(n);
  sorted = view(sorted, rows_shape);
  MLXC_CHECK(n <= (int64_t{1} << 24), Runtime, name, " input tensor is too large");
  // Ranks in [0, n): NaN rows pick the last (NaN) element unless NaNs are ignored.
  // Built with tensor ops so q's gradient flows through the interpolation weights.
  const mx::Dtype ft = to_mlx(self.dtype());
  const Tensor q1 = reshape(q, {-1});
  mx::array nan_count = mx::sum(mx::astype(mx::isnan(sorted.value()), ft), -1, true);
  Tensor ranks;
  if (ignore_nan) {
    Tensor valid_minus_1 = make_result(
        mx::subtract(mx::array(static_cast<double>(n - 1), ft), nan_count), self.dtype(), {});
    ranks = mul(q1, valid_minus_1);
    ranks = where(lt(ranks, wrapped_scalar(0.0)), zeros_like(ranks), ranks);
  } else {
    Tensor has_nan = make_result(mx::greater(nan_count, mx::array(0.0, ft)), ScalarType::Bool, {});
    ranks = where(has_nan, wrapped_scalar(static_cast<double>(n - 1)),
                  mul(q1, static_cast<double>(n - 1)));
    if (ranks.dim() < sorted.dim()) {
      IntArray shape = sorted.sizes();
      shape.back() = q1.numel();
      ranks = expand(ranks, shape);
    }
  }
  if (interpolation == "lower") ranks = floor(ranks);
  if (interpolation == "higher") ranks = ceil(ranks);
  if (interpolation == "nearest") ranks = round_decimals(ranks, 0);
  const Tensor below_t = to_dtype(ranks, ScalarType::Int64);
  Tensor values = gather(sorted, -1, below_t);
  if (interpolation == "linear" || interpolation == "midpoint") {
    Tensor w = interpolation == "midpoint"
                   ? make_result(mx::full(ranks.shape(), 0.5, ft), self.dtype(), {})
                   : sub(ranks, to_dtype(below_t, self.dtype()));
    Tensor above = gather(sorted, -1, to_dtype(ceil(ranks), ScalarType::Int64));
    values = lerp(values, above, w);
  }
  // q's dim last to first in place, as torch (its strides and nodes).
  if (q.dim() == 1) {
    unsqueeze_(values, 0);
    transpose_(values, 0, -1);
  }
  squeeze_(values, std::vector<int64_t>{-1}, true);
  return values;
}

Tensor median(const Tensor& self, bool ignore_nan) {
  MLXC_CHECK(self.numel() > 0, Runtime, "median() input tensor cannot be empty");
  Tensor flat = reshape(self, {-1});
  auto [vals, idx] = median_dim(flat, 0, false, ignore_nan);
  Tensor out = make_result(vals.value(), self.dtype(), {&self});
  if (!needs_grad({&self})) return out;
  // torch splits the gradient evenly among the elements equal to the median.
  auto node = make_node(ignore_nan ? "NanmedianBackward0" : "MedianBackward0", {&self},
                        [](FnNode& n, TensorList& gs) {
                          Tensor x = n.saved(0), r = n.saved(1);
                          Tensor mask = logical_or(eq(x, r), logical_and(isnan(x), isnan(r)));
                          Tensor cnt = sum(to_dtype(mask, gs[0].dtype()));
                          return TensorList{where(mask, div(gs[0], cnt), zeros_like(x))};
                        });
  node->save(self);
  node->save(out, true);
  return with_history(out, node);
}

std::pair<Tensor, Tensor> median_dim(const Tensor& self, int64_t dim, bool keepdim,
                                     bool ignore_nan) {
  const int64_t d = wrap_dim(dim, self.dim());
  if (self.dim() == 0) {
    return {clone(self), make_result(mx::zeros({}, mx::int64), ScalarType::Int64, {})};
  }
  MLXC_CHECK(self.sizes()[d] > 0, Index, "median(): Expected reduction dim ", d,
             " to have non-zero size.");
  mx::array x = self.value();
  const int a = static_cast<int>(d);
  mx::array idx = order(x, a, false);  // NaN last
  mx::array sorted = mx::take_along_axis(x, idx, a);
  const int64_t n = self.sizes()[d];
  mx::array pos = mx::zeros({}, mx::int64);
  if (mx::issubdtype(x.dtype(), mx::inexact)) {
    mx::array nans = mx::sum(mx::astype(mx::isnan(x), mx::int64), a, true);
    if (ignore_nan) {
      // Lower median of the non-NaN values (all NaN: the first NaN).
      mx::array valid = mx::subtract(mx::array(n), nans);
      pos = mx::maximum(
          mx::floor_divide(mx::subtract(valid, mx::array(int64_t{1})), mx::array(int64_t{2})),
          mx::array(int64_t{0}));
    } else {
      // Any NaN: the median is NaN (the first NaN after sorting).
      mx::array lower = mx::full(nans.shape(), (n - 1) / 2, mx::int64);
      pos = mx::where(mx::greater(nans, mx::array(int64_t{0})), mx::subtract(mx::array(n), nans),
                      lower);
    }
  } else {
    mx::Shape s = x.shape();
    s[a] = 1;
    pos = mx::full(s, (n - 1) / 2, mx::int64);
  }
  mx::array vals = mx::take_along_axis(sorted, pos, a);
  mx::array ids = mx::take_along_axis(idx, mx::astype(pos, idx.dtype()), a);
  if (!keepdim) {
    vals = mx::squeeze(vals, a);
    ids = mx::squeeze(ids, a);
  }
  return with_selection_grad(self, vals, ids, d, keepdim,
                             ignore_nan ? "NanmedianBackward1" : "MedianBackward1");
}

Tensor searchsorted(const Tensor& sorted, const Tensor& values, bool out_int32, bool right) {
  MLXC_CHECK(sorted.dim() >= 1, Runtime,
             "torch.searchsorted(): boundaries tensor should have positive dimension");
  const ScalarType st = promote_types(sorted.dtype(), values.dtype());
  mx::array s = cast(sorted, st), v = cast(values, st);
  mx::array out = mx::zeros({}, mx::int64);
  if (sorted.dim() == 1) {
    out = mx::searchsorted(s, v, right ? "right" : "left");
  } else {
    MLXC_CHECK(values.dim() == sorted.dim(), Runtime,
               "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
               "dimensions of boundaries tensor and input value tensor must match");
    // Row-wise: count boundaries below each value (n^2 per row, fine for typical sizes).
    mx::array b = mx::expand_dims(s, -2);  // [..., 1, m]
    mx::array q = mx::expand_dims(v, -1);  // [..., k, 1]
    mx::array below = right ? mx::less_equal(b, q) : mx::less(b, q);
    out = mx::sum(mx::astype(below, mx::int64), -1);
  }
  const ScalarType ot = out_int32 ? ScalarType::Int32 : ScalarType::Int64;
  return make_result(mx::astype(out, to_mlx(ot)), ot, {&sorted, &values});
}

std::tuple<Tensor, Tensor, Tensor> unique(const Tensor& self, bool, bool return_inverse,
                                          bool return_counts, std::optional<int64_t> dim,
                                          bool consecutive) {
  if (dim) return unique_dim(self, *dim, return_inverse, return_counts, consecutive);
  // Data-dependent output size: computed on the host.
  std::vector<double> v = host_values(self);
  const size_t n = v.size();
  std::vector<double> uniq;
  std::vector<int64_t> inverse(n), counts;
  if (consecutive) {
    for (size_t i = 0; i < n; ++i) {
      if (uniq.empty() || !(v[i] == uniq.back() || (std::isnan(v[i]) && std::isnan(uniq.back())))) {
        uniq.push_back(v[i]);
        counts.push_back(0);
      }
      counts.back()++;
      inverse[i] = static_cast<int64_t>(uniq.size()) - 1;
    }
  } else {
    std::vector<size_t> ord(n);
    std::iota(ord.begin(), ord.end(), 0);
    auto less = [&](size_t a, size_t b) {
      const double x = v[a], y = v[b];
      if (std::isnan(x)) return false;
      if (std::isnan(y)) return true;
      return x < y;
    };
    std::stable_sort(ord.begin(), ord.end(), less);
    for (size_t k = 0; k < n; ++k) {
      const size_t i = ord[k];
      // NaNs are each unique, as torch treats them.
      if (uniq.empty() || std::isnan(v[i]) || v[i] != uniq.back()) {
        uniq.push_back(v[i]);
        counts.push_back(0);
      }
      counts.back()++;
      inverse[i] = static_cast<int64_t>(uniq.size()) - 1;
    }
  }
  mx::array u(uniq.begin(), mx::Shape{static_cast<int32_t>(uniq.size())}, mx::float64);
  Tensor values = make_result(mx::astype(u, to_mlx(self.dtype())), self.dtype(), {&self});
  Tensor inv, cnt;
  if (return_inverse) {
    inv = make_result(mx::array(inverse.begin(), self.shape(), mx::int64), ScalarType::Int64, {});
  }
  if (return_counts) {
    cnt = make_result(
        mx::array(counts.begin(), mx::Shape{static_cast<int32_t>(counts.size())}, mx::int64),
        ScalarType::Int64, {});
  }
  return {values, inv, cnt};
}

Tensor histc(const Tensor& self, int64_t bins, double min, double max) {
  MLXC_CHECK(bins > 0, Runtime, "torch.histc(): bins must be > 0, but got ", bins, " for bins");
  MLXC_CHECK(is_floating(self.dtype()), NotImplemented, "\"histogram_cpu\" not implemented for '",
             scalar_type_name(self.dtype()), "'");
  std::vector<double> v = host_values(self);
  double lo = min, hi = max;
  if (lo == hi && !v.empty()) {
    lo = *std::min_element(v.begin(), v.end());
    hi = *std::max_element(v.begin(), v.end());
  }
  if (lo == hi) {
    lo -= 1;
    hi += 1;
  }
  MLXC_CHECK(lo < hi, Runtime, "torch.histc(): max must be larger than min");
  std::vector<double> h(bins, 0.0);
  for (double x : v) {
    if (std::isnan(x) || x < lo || x > hi) continue;
    int64_t b = static_cast<int64_t>((x - lo) * static_cast<double>(bins) / (hi - lo));
    if (b == bins) b = bins - 1;
    h[b] += 1;
  }
  mx::array a(h.begin(), mx::Shape{static_cast<int32_t>(bins)}, mx::float64);
  return make_result(mx::astype(a, to_mlx(self.dtype())), self.dtype(), {&self});
}

Tensor bincount(const Tensor& self, const std::optional<Tensor>& weights, int64_t minlength) {
  MLXC_CHECK(self.dim() == 1 && is_integral(self.dtype(), false), Runtime,
             "bincount only supports 1-d non-negative integral inputs.");
  MLXC_CHECK(minlength >= 0, Runtime, "minlength should be >= 0");
  std::vector<double> v = host_values(self);
  int64_t len = minlength;
  for (double x : v) {
    MLXC_CHECK(x >= 0, Runtime, "bincount only supports 1-d non-negative integral inputs.");
    len = std::max<int64_t>(len, static_cast<int64_t>(x) + 1);
  }
  std::vector<double> w = weights ? host_values(*weights) : std::vector<double>(v.size(), 1.0);
  MLXC_CHECK(w.size() == v.size(), Runtime,
             "weights should be 1-d and have the same length as input");
  std::vector<double> out(len, 0.0);
  for (size_t i = 0; i < v.size(); ++i) out[static_cast<int64_t>(v[i])] += w[i];
  const ScalarType st = weights ? (weights->dtype() == ScalarType::Float32 ? ScalarType::Float32
                                                                           : ScalarType::Float64)
                                : ScalarType::Int64;
  mx::array a(out.begin(), mx::Shape{static_cast<int32_t>(len)}, mx::float64);
  return make_result(mx::astype(a, to_mlx(st)), st, {&self});
}

}  // namespace mlxc
