#include "ops/reduce_stats.h"

#include <cmath>

#include "ops/binary.h"
#include "ops/complex.h"
#include "ops/gather.h"
#include "ops/layout.h"
#include "ops/pointwise.h"
#include "ops/scan.h"
#include "ops/shape.h"
#include "ops/view.h"

namespace mlxc {

namespace {

ScalarType sum_dtype(ScalarType t, std::optional<ScalarType> dtype) {
  if (dtype) return *dtype;
  return is_integral(t, true) ? ScalarType::Int64 : t;
}

// Product along `axis` of all elements except each one (exclusive on both sides),
// well defined with zeros; built from cumprod so double backward works.
Tensor prod_except(const Tensor& x, int64_t axis) {
  const int64_t n = x.size(axis);
  if (n == 0) return x;
  Tensor one = ones_like(narrow(x, axis, 0, 1));
  Tensor left = cat({one, narrow(cumprod(x, axis), axis, 0, n - 1)}, axis);
  Tensor rev = flip(x, {axis});
  Tensor right = flip(cat({one, narrow(cumprod(rev, axis), axis, 0, n - 1)}, axis), {axis});
  return mul(left, right);
}

// Evenly splits g among the positions where self equals the reduced value.
Tensor even_split(const Tensor& g, const Tensor& self, const Tensor& result,
                  const std::vector<int>& axes, bool keepdim) {
  Tensor r = expand_reduced(result, self.sizes(), axes, keepdim);
  Tensor mask = logical_or(eq(self, r), logical_and(isnan(self), isnan(r)));
  Tensor count =
      sum(to_dtype(mask, g.dtype()), std::vector<int64_t>(axes.begin(), axes.end()), true);
  Tensor share = div(expand_reduced(g, self.sizes(), axes, keepdim), count);
  return where(mask, share, zeros_like(share));
}

mx::array argext_axis(const mx::array& x, int axis, bool keepdim, bool is_min) {
  mx::array idx = is_min ? mx::argmin(x, axis, keepdim) : mx::argmax(x, axis, keepdim);
  if (mx::issubdtype(x.dtype(), mx::inexact)) {
    mx::array nan = mx::isnan(x);
    idx = mx::where(mx::any(nan, axis, keepdim), mx::argmax(nan, axis, keepdim), idx);
  }
  return mx::astype(idx, mx::int64);
}

Tensor extremum_reduce(const Tensor& self, const OptDims& dims, bool keepdim, bool is_min,
                       const char* name) {
  MLXC_CHECK(!is_complex(self.dtype()), NotImplemented, is_min ? "\"min" : "\"max",
             "_values_cpu\" not implemented for 'ComplexFloat'");
  auto axes = reduce_axes(self, dims);
  for (int a : axes) {
    MLXC_CHECK(self.sizes()[a] > 0, Index, is_min ? "amin" : "amax", "(): Expected reduction dim ",
               a, " to have non-zero size.");
  }
  mx::array x = self.value();
  mx::array out =
      axes.empty() ? x : (is_min ? mx::min(x, axes, keepdim) : mx::max(x, axes, keepdim));
  Tensor result = make_result(out, self.dtype(), {&self});
  if (!needs_grad({&self})) return result;
  auto node = make_node(name, {&self}, [axes, keepdim](FnNode& n, TensorList& gs) {
    return TensorList{even_split(gs[0], n.saved(0), n.saved(1), axes, keepdim)};
  });
  node->save(self);
  node->save(result, true);
  return with_history(result, node);
}

// Scatters g into zeros of `sizes` at `indices` along dim (value-selecting backward).
Tensor select_back(const Tensor& g, const Tensor& indices, int64_t dim, const IntArray& sizes,
                   bool keepdim) {
  Tensor gk = keepdim ? g : unsqueeze(g, dim);
  Tensor ik = keepdim ? indices : unsqueeze(indices, dim);
  return scatter_add_into_zeros(sizes, dim, ik, gk);
}

Tensor bool_reduce(const Tensor& self, const OptDims& dims, bool keepdim, bool is_all) {
  auto axes = reduce_axes(self, dims);
  mx::array v = self.value();
  mx::array b = v.dtype() == mx::bool_ ? v : mx::not_equal(v, mx::zeros({}, v.dtype()));
  mx::array out =
      axes.empty() ? b : (is_all ? mx::all(b, axes, keepdim) : mx::any(b, axes, keepdim));
  // torch keeps uint8 for uint8 inputs, bool otherwise.
  const ScalarType st = self.dtype() == ScalarType::UInt8 ? ScalarType::UInt8 : ScalarType::Bool;
  return make_result(mx::astype(out, to_mlx(st)), st, {&self});
}

}  // namespace

Tensor prod(const Tensor& self, std::optional<int64_t> dim, bool keepdim,
            std::optional<ScalarType> dtype) {
  const ScalarType st = sum_dtype(self.dtype(), dtype);
  Tensor x = dtype || st != self.dtype() ? to_dtype(self, st) : self;
  if (!dim) {
    Tensor flat = reshape(x, {-1});
    Tensor result = make_result(mx::prod(flat.value()), st, {&x});
    if (!needs_grad({&x})) return result;
    auto node = make_node("ProdBackward0", {&x}, [sizes = x.sizes()](FnNode& n, TensorList& gs) {
      Tensor f = reshape(n.saved(0), {-1});
      return TensorList{reshape(mul(gs[0], conj_if_complex(prod_except(f, 0))), sizes)};
    });
    node->save(x);
    return with_history(result, node);
  }
  const int64_t d = wrap_dim(*dim, x.dim());
  mx::array v = x.value();
  mx::array out = x.dim() == 0 ? v : mx::prod(v, static_cast<int>(d), keepdim);
  Tensor result = make_result(out, st, {&x});
  if (!needs_grad({&x})) return result;
  auto node = make_node("ProdBackward1", {&x}, [d, keepdim](FnNode& n, TensorList& gs) {
    Tensor self = n.saved(0);
    if (self.dim() == 0) return TensorList{gs[0]};
    Tensor g = expand_reduced(gs[0], self.sizes(), {static_cast<int>(d)}, keepdim);
    return TensorList{mul(g, conj_if_complex(prod_except(self, d)))};
  });
  node->save(x);
  return with_history(result, node);
}

Tensor var(const Tensor& self, const OptDims& dims, double correction, bool keepdim) {
  MLXC_CHECK(is_floating(self.dtype()) || is_complex(self.dtype()), Runtime,
             "std and var only support floating point and complex dtypes");
  auto axes = reduce_axes(self, dims);
  const int64_t n = count_over(self, axes);
  std::vector<int64_t> d64(axes.begin(), axes.end());
  // mean((x - mean)^2) * n / (n - correction), composed so gradients follow.
  Tensor centered = sub(self, mean(self, d64, true));
  // |x - mean|^2: real for complex inputs, as torch's var.
  Tensor sq = is_complex(self.dtype())
                  ? add(mul(real(centered), real(centered)), mul(imag(centered), imag(centered)))
                  : mul(centered, centered);
  Tensor total = axes.empty() ? sq : sum(sq, d64, keepdim);
  const double denom = std::max(0.0, static_cast<double>(n) - correction);
  Tensor result = div(total, denom);
  return result;
}

Tensor std_dev(const Tensor& self, const OptDims& dims, double correction, bool keepdim) {
  return sqrt(var(self, dims, correction, keepdim));
}

Tensor norm(const Tensor& self, double p, const OptDims& dims, bool keepdim,
            std::optional<ScalarType> dtype) {
  MLXC_CHECK(is_floating(self.dtype()) || is_complex(self.dtype()) || dtype, Runtime,
             "linalg.vector_norm: Expected a floating point or complex tensor as input. Got ",
             scalar_type_name(self.dtype()));
  Tensor x = dtype ? to_dtype(self, *dtype) : self;
  Tensor a = abs(x);
  auto axes = reduce_axes(x, dims);
  std::vector<int64_t> d64(axes.begin(), axes.end());
  if (std::isinf(p)) return p > 0 ? amax(a, d64, keepdim) : amin(a, d64, keepdim);
  if (p == 0) {
    // The count of non-zeros; its gradient is zero everywhere.
    Tensor count = sum(to_dtype(ne(a, wrapped_scalar(0.0)), a.dtype()), d64, keepdim);
    if (!needs_grad({&x})) return count;
    auto node = make_node("NormBackward1", {&x}, [](FnNode& n, TensorList&) {
      return TensorList{zeros_like(n.saved(0))};
    });
    node->save(x);
    return with_history(detach_alias(count), node);
  }
  if (p == 1) return sum(a, d64, keepdim);
  if (p == 2) return sqrt(sum(mul(a, a), d64, keepdim));
  return pow(sum(pow(a, wrapped_scalar(p)), d64, keepdim), wrapped_scalar(1.0 / p));
}

Tensor all(const Tensor& self, const OptDims& dims, bool keepdim) {
  return bool_reduce(self, dims, keepdim, true);
}

Tensor any(const Tensor& self, const OptDims& dims, bool keepdim) {
  return bool_reduce(self, dims, keepdim, false);
}

Tensor count_nonzero(const Tensor& self, const OptDims& dims) {
  mx::array v = self.value();
  mx::array nz = mx::astype(mx::not_equal(v, mx::zeros({}, v.dtype())), mx::int64);
  auto axes = reduce_axes(self, dims);
  return make_result(axes.empty() ? nz : mx::sum(nz, axes, false), ScalarType::Int64, {&self});
}

Tensor nansum(const Tensor& self, const OptDims& dims, bool keepdim,
              std::optional<ScalarType> dtype) {
  MLXC_CHECK(!is_complex(self.dtype()), Runtime, "nansum on CPU does not support complex inputs");
  Tensor x = self;
  if (is_floating(self.dtype())) x = where(isnan(self), zeros_like(self), self);
  return sum(x, dims, keepdim, dtype);
}

Tensor nanmean(const Tensor& self, const OptDims& dims, bool keepdim,
               std::optional<ScalarType> dtype) {
  MLXC_CHECK(is_floating(self.dtype()) || is_complex(self.dtype()), Runtime,
             "nanmean(): expected input to have floating point or complex dtype but got ",
             scalar_type_name(self.dtype()));
  Tensor keep = logical_not(isnan(self));
  Tensor count = sum(to_dtype(keep, self.dtype()), dims, keepdim);
  return div(nansum(self, dims, keepdim, dtype), count);
}

Tensor amax(const Tensor& self, const OptDims& dims, bool keepdim) {
  return extremum_reduce(self, dims, keepdim, false, "AmaxBackward0");
}

Tensor amin(const Tensor& self, const OptDims& dims, bool keepdim) {
  return extremum_reduce(self, dims, keepdim, true, "AminBackward0");
}

Tensor min(const Tensor& self) {
  MLXC_CHECK(!is_complex(self.dtype()), NotImplemented,
             "\"min_all\" not implemented for 'ComplexFloat'");
  MLXC_CHECK(self.numel() > 0, Runtime,
             "min(): Expected reduction dim to be specified for input.numel() == 0. Specify the "
             "reduction dim with the 'dim' argument.");
  Tensor result = make_result(mx::min(self.value()), self.dtype(), {&self});
  if (!needs_grad({&self})) return result;
  std::vector<int> axes;
  for (int i = 0; i < static_cast<int>(self.dim()); ++i) axes.push_back(i);
  auto node = make_node("MinBackward1", {&self}, [axes](FnNode& n, TensorList& gs) {
    return TensorList{even_split(gs[0], n.saved(0), n.saved(1), axes, false)};
  });
  node->save(self);
  node->save(result, true);
  return with_history(result, node);
}

std::pair<Tensor, Tensor> min_dim(const Tensor& self, int64_t dim, bool keepdim) {
  MLXC_CHECK(!is_complex(self.dtype()), Runtime, "min(): does not support complex input");
  const int64_t d = wrap_dim(dim, self.dim());
  if (self.dim() == 0) {
    return {clone(self), make_result(mx::zeros({}, mx::int64), ScalarType::Int64, {})};
  }
  MLXC_CHECK(self.sizes()[d] > 0, Index, "min(): Expected reduction dim ", d,
             " to have non-zero size.");
  mx::array x = self.value();
  mx::array idx = argext_axis(x, static_cast<int>(d), true, true);
  mx::array vals = mx::take_along_axis(x, idx, static_cast<int>(d));
  if (!keepdim) {
    vals = mx::squeeze(vals, static_cast<int>(d));
    idx = mx::squeeze(idx, static_cast<int>(d));
  }
  Tensor values = make_result(vals, self.dtype(), {&self});
  Tensor indices = make_result(idx, ScalarType::Int64, {&self});
  if (!needs_grad({&self})) return {values, indices};
  auto node = make_node("MinBackward0", {&self},
                        [d, keepdim, sizes = self.sizes(), indices](FnNode&, TensorList& gs) {
                          return TensorList{select_back(gs[0], indices, d, sizes, keepdim)};
                        });
  set_history(values, node);
  return {values, indices};
}

Tensor argmin(const Tensor& self, std::optional<int64_t> dim, bool keepdim) {
  MLXC_CHECK(!is_complex(self.dtype()), Runtime, "argmin(): does not support complex input");
  if (!dim) {
    MLXC_CHECK(self.numel() > 0, Runtime,
               "argmin(): Expected reduction dim to be specified for input.numel() == 0.");
    mx::array idx = argext_axis(mx::reshape(self.value(), {-1}), 0, false, true);
    if (keepdim) idx = mx::reshape(idx, mx::Shape(self.dim(), 1));
    return make_result(idx, ScalarType::Int64, {&self});
  }
  const int64_t d = wrap_dim(*dim, self.dim());
  if (self.dim() == 0) return make_result(mx::zeros({}, mx::int64), ScalarType::Int64, {});
  MLXC_CHECK(self.sizes()[d] > 0, Index, "argmin(): Expected reduction dim ", d,
             " to have non-zero size.");
  return make_result(argext_axis(self.value(), static_cast<int>(d), keepdim, true),
                     ScalarType::Int64, {&self});
}

}  // namespace mlxc
