#include "ops/reduce_stats.h"

#include <cmath>
#include <limits>

#include "ops/binary.h"
#include "ops/complex.h"
#include "ops/gather.h"
#include "ops/layout.h"
#include "ops/linalg_norm.h"
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

// torch's scale_grad_by_count: g shared evenly among the positions equal to
// the reduced value (a NaN result matches nothing, so its gradient is NaN).
Tensor scale_by_count(const Tensor& g, const Tensor& self, const Tensor& result,
                      const std::vector<int>& axes, bool keepdim) {
  Tensor mask = eq(self, expand_reduced(result, self.sizes(), axes, keepdim));
  std::vector<int64_t> d64(axes.begin(), axes.end());
  Tensor count = sum(to_dtype(mask, g.dtype()), d64, true);
  Tensor share = div(expand_reduced(g, self.sizes(), axes, keepdim), count);
  return mul(share, mask);
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
    return TensorList{scale_by_count(gs[0], n.saved(0), n.saved(1), axes, keepdim)};
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

namespace {

// The reduction a var/std call makes: the reduced axes and whether it covers
// every element (torch's var_backward treats that case apart).
struct VarDims {
  std::vector<int> axes;
  bool all = false;
};

VarDims var_dims(const Tensor& self, const OptDims& dims, const char* name) {
  MLXC_CHECK(is_floating(self.dtype()) || is_complex(self.dtype()), Runtime, name,
             " only support floating point and complex dtypes");
  return {reduce_axes(self, dims), !dims || dims->empty() || self.dim() == 0};
}

// mean((x - mean)^2) * n / (n - correction), evaluated without history.
Tensor var_value(const Tensor& self, const VarDims& vd, double correction, bool keepdim) {
  AutoGradMode no_grad(false);
  const int64_t n = count_over(self, vd.axes);
  std::vector<int64_t> d64(vd.axes.begin(), vd.axes.end());
  Tensor centered = sub(self, mean(self, d64, true));
  // |x - mean|^2: real for complex inputs, as torch's var.
  Tensor sq = is_complex(self.dtype())
                  ? add(mul(real(centered), real(centered)), mul(imag(centered), imag(centered)))
                  : mul(centered, centered);
  Tensor total = vd.axes.empty() ? sq : sum(sq, d64, keepdim);
  const double denom = std::max(0.0, static_cast<double>(n) - correction);
  return div(total, denom);
}

// torch's var_backward: 2 / (n - correction) * g * (x - mean(x)).
Tensor var_backward(const Tensor& grad, const Tensor& self, const VarDims& vd, double correction,
                    bool keepdim) {
  if (vd.all) {
    const double dof = static_cast<double>(self.numel()) - correction;
    if (dof <= 0) {
      // 2 / dof is infinite: NaN where x equals its mean, inf elsewhere.
      const ScalarType rt = is_complex(self.dtype()) ? ScalarType::Float32 : self.dtype();
      Tensor fill =
          where(eq(self, mean(self)), scalar_tensor(std::numeric_limits<double>::quiet_NaN(), rt),
                scalar_tensor(std::numeric_limits<double>::infinity(), rt));
      return mul(grad, fill);
    }
    return mul(mul(grad, 2.0 / dof), sub(self, mean(self)));
  }
  std::vector<int64_t> d64(vd.axes.begin(), vd.axes.end());
  const double n = static_cast<double>(count_over(self, vd.axes));
  Tensor g = expand_reduced(grad, self.sizes(), vd.axes, keepdim);
  return mul(mul(g, 2.0 / (n - correction)), sub(self, mean(self, d64, true)));
}

// torch's std_backward: var_backward of g / (2 std), zero where std is zero.
Tensor std_backward(const Tensor& grad, const Tensor& result, const Tensor& self, const VarDims& vd,
                    double correction, bool keepdim) {
  Tensor gv = div(grad, mul(result, 2.0));
  gv = masked_fill(gv, eq(result, wrapped_scalar(0.0)), wrapped_scalar(0.0));
  return var_backward(gv, self, vd, correction, keepdim);
}

// The mean's share of var_mean / std_mean's gradient.
Tensor mean_share(const Tensor& grad, const Tensor& self, const VarDims& vd, bool keepdim) {
  const double n = static_cast<double>(count_over(self, vd.axes));
  return expand_reduced(div(grad, n), self.sizes(), vd.axes, keepdim);
}

Tensor detached_mean(const Tensor& self, const OptDims& dims, bool keepdim) {
  AutoGradMode no_grad(false);
  return mean(self, dims, keepdim);
}

// var_mean and std_mean: one node with two outputs (the statistic, the mean).
std::pair<Tensor, Tensor> stat_mean(const Tensor& self, const OptDims& dims, double correction,
                                    bool keepdim, bool is_std) {
  const VarDims vd = var_dims(self, dims, is_std ? "std_mean" : "var_mean");
  Tensor stat = var_value(self, vd, correction, keepdim);
  if (is_std) {
    AutoGradMode no_grad(false);
    stat = sqrt(stat);
  }
  Tensor m = detached_mean(self, dims, keepdim);
  stat = make_result(stat.value(), stat.dtype(), {&self});
  m = make_result(m.value(), m.dtype(), {&self});
  if (!needs_grad({&self})) return {stat, m};
  auto node = make_node(is_std ? "StdMeanBackward0" : "VarMeanBackward0", {&self},
                        [vd, correction, keepdim, is_std](FnNode& n, TensorList& gs) {
                          const Tensor x = n.saved(0);
                          Tensor r;
                          if (!gs.empty() && gs[0].defined()) {
                            r = is_std ? std_backward(gs[0], n.saved(1), x, vd, correction, keepdim)
                                       : var_backward(gs[0], x, vd, correction, keepdim);
                          }
                          if (gs.size() > 1 && gs[1].defined()) {
                            Tensor aux = mean_share(gs[1], x, vd, keepdim);
                            r = r.defined() ? add(r, aux) : aux;
                          }
                          return TensorList{r};
                        });
  node->num_outputs = 2;
  set_history(stat, node, 0);
  set_history(m, node, 1);
  node->save(self);
  node->save(stat, true);
  return {stat, m};
}

}  // namespace

Tensor var(const Tensor& self, const OptDims& dims, double correction, bool keepdim) {
  const VarDims vd = var_dims(self, dims, "std and var");
  Tensor v = var_value(self, vd, correction, keepdim);
  Tensor result = make_result(v.value(), v.dtype(), {&self});
  if (!needs_grad({&self})) return result;
  auto node =
      make_node("VarBackward0", {&self}, [vd, correction, keepdim](FnNode& n, TensorList& gs) {
        return TensorList{var_backward(gs[0], n.saved(0), vd, correction, keepdim)};
      });
  node->save(self);
  return with_history(result, node);
}

Tensor std_dev(const Tensor& self, const OptDims& dims, double correction, bool keepdim) {
  const VarDims vd = var_dims(self, dims, "std and var");
  Tensor v = var_value(self, vd, correction, keepdim);
  {
    AutoGradMode no_grad(false);
    v = sqrt(v);
  }
  Tensor result = make_result(v.value(), v.dtype(), {&self});
  if (!needs_grad({&self})) return result;
  auto node =
      make_node("StdBackward0", {&self}, [vd, correction, keepdim](FnNode& n, TensorList& gs) {
        return TensorList{std_backward(gs[0], n.saved(1), n.saved(0), vd, correction, keepdim)};
      });
  node->save(self);
  with_history(result, node);
  node->save(result, true);
  return result;
}

std::pair<Tensor, Tensor> var_mean(const Tensor& self, const OptDims& dims, double correction,
                                   bool keepdim) {
  return stat_mean(self, dims, correction, keepdim, false);
}

std::pair<Tensor, Tensor> std_mean(const Tensor& self, const OptDims& dims, double correction,
                                   bool keepdim) {
  return stat_mean(self, dims, correction, keepdim, true);
}

// torch.norm with a numeric p (or "fro") is linalg.vector_norm.
Tensor norm(const Tensor& self, double p, const OptDims& dims, bool keepdim,
            std::optional<ScalarType> dtype) {
  return linalg_vector_norm(self, p, dims, keepdim, dtype);
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
  Tensor v;
  {
    AutoGradMode no_grad(false);
    Tensor x = self;
    if (is_floating(self.dtype())) x = where(isnan(self), zeros_like(self), self);
    v = sum(x, dims, keepdim, dtype);
  }
  Tensor result = make_result(v.value(), v.dtype(), {&self});
  if (!needs_grad({&self})) return result;
  auto axes = reduce_axes(self, dims);
  auto node = make_node("NansumBackward0", {&self}, [axes, keepdim](FnNode& n, TensorList& gs) {
    const Tensor x = n.saved(0);
    Tensor g = expand_reduced(to_dtype(gs[0], x.dtype()), x.sizes(), axes, keepdim);
    return TensorList{mul(g, logical_not(isnan(x)))};
  });
  node->save(self);
  return with_history(result, node);
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

std::pair<Tensor, Tensor> aminmax(const Tensor& self, const OptDims& dim, bool keepdim) {
  MLXC_CHECK(!is_complex(self.dtype()), NotImplemented,
             "\"aminmax_cpu\" not implemented for 'ComplexFloat'");
  MLXC_CHECK(dim || self.numel() > 0, Runtime,
             "aminmax(): cannot compute aminmax over an empty dimension as the operation has no "
             "identity.");
  auto axes = reduce_axes(self, dim);
  for (int a : axes) {
    MLXC_CHECK(self.sizes()[a] > 0, Index, "aminmax: Expected reduction dim ", a,
               " to have non-zero size.");
  }
  mx::array x = self.value();
  Tensor lo = make_result(axes.empty() ? x : mx::min(x, axes, keepdim), self.dtype(), {&self});
  Tensor hi = make_result(axes.empty() ? x : mx::max(x, axes, keepdim), self.dtype(), {&self});
  if (!needs_grad({&self})) return {lo, hi};
  auto node = make_node("AminmaxBackward0", {&self}, [axes, keepdim](FnNode& n, TensorList& gs) {
    const Tensor x = n.saved(0);
    Tensor r;
    for (size_t i = 0; i < 2 && i < gs.size(); ++i) {
      if (!gs[i].defined()) continue;
      Tensor part = scale_by_count(gs[i], x, n.saved(1 + i), axes, keepdim);
      r = r.defined() ? add(r, part) : part;
    }
    return TensorList{r};
  });
  node->num_outputs = 2;
  set_history(lo, node, 0);
  set_history(hi, node, 1);
  node->save(self);
  node->save(lo, true);
  node->save(hi, true);
  return {lo, hi};
}

}  // namespace mlxc
