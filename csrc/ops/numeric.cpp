#include "ops/numeric.h"

#include <cmath>
#include <complex>
#include <limits>

#include "core/grad_mode.h"
#include "ops/binary.h"
#include "ops/complex.h"
#include "ops/nn_misc.h"
#include "ops/pointwise.h"
#include "ops/reduce.h"
#include "ops/reduce_stats.h"
#include "ops/shape.h"
#include "ops/view.h"

namespace mlxc {

Tensor isclose(const Tensor& self, const Tensor& other, double rtol, double atol, bool equal_nan) {
  MLXC_CHECK(self.dtype() == other.dtype(), Runtime, legacy_type_name(self.dtype()),
             " did not match ", legacy_type_name(other.dtype()));
  MLXC_CHECK(rtol >= 0, Runtime, "rtol must be greater than or equal to zero, but got ", rtol);
  MLXC_CHECK(atol >= 0, Runtime, "atol must be greater than or equal to zero, but got ", atol);
  AutoGradMode off(false);
  Tensor close = eq(self, other);
  if (equal_nan && is_floating(self.dtype())) {
    close = logical_or(close, logical_and(isnan(self), isnan(other)));
  }
  if (self.dtype() == ScalarType::Bool || (rtol == 0 && atol == 0)) return close;
  Tensor a = self, b = other;
  if (!is_floating(a.dtype())) {
    a = to_dtype(a, default_float_dtype());
    b = to_dtype(b, default_float_dtype());
  }
  Tensor allowed = add(abs(mul(b, rtol)), atol);
  Tensor actual = abs(sub(a, b));
  return logical_or(close, logical_and(isfinite(actual), le(actual, allowed)));
}

bool allclose(const Tensor& self, const Tensor& other, double rtol, double atol, bool equal_nan) {
  AutoGradMode off(false);
  Tensor r = all(isclose(self, other, rtol, atol, equal_nan), std::nullopt, false);
  return item_double(r.value()) != 0.0;
}

bool equal(const Tensor& self, const Tensor& other) {
  if (self.sizes() != other.sizes()) return false;
  AutoGradMode off(false);
  Tensor r = all(eq(self, other), std::nullopt, false);
  return item_double(r.value()) != 0.0;
}

namespace {

double max_of(ScalarType t) {
  switch (t) {
    case ScalarType::Float16:
      return 65504.0;
    case ScalarType::BFloat16:
      return 3.3895313892515355e38;
    case ScalarType::Float32:
      return std::numeric_limits<float>::max();
    default:
      return std::numeric_limits<double>::max();
  }
}

}  // namespace

Tensor nan_to_num(const Tensor& self, std::optional<double> nan, std::optional<double> posinf,
                  std::optional<double> neginf) {
  if (!is_floating(self.dtype())) return clone(self);
  const ScalarType st = self.dtype();
  const double big = max_of(st);
  Tensor result = [&] {
    AutoGradMode no_grad(false);
    Tensor r = where(isnan(self), scalar_tensor(nan.value_or(0.0), st), self);
    r = where(isposinf(self), scalar_tensor(posinf.value_or(big), st), r);
    return where(isneginf(self), scalar_tensor(neginf.value_or(-big), st), r);
  }();
  if (!needs_grad({&self})) return result;
  result = make_result(result.value(), st, {});
  // The gradient passes where the input is finite.
  auto node = make_node("NanToNumBackward0", {&self}, [](FnNode& n, TensorList& gs) {
    return TensorList{mul(gs[0], isfinite(n.saved(0)))};
  });
  node->save(self);
  return with_history(result, node);
}

Tensor logit(const Tensor& self, std::optional<double> eps) {
  Tensor x = is_floating(self.dtype()) ? self : to_dtype(self, default_float_dtype());
  Tensor result = [&] {
    AutoGradMode no_grad(false);
    Tensor c = eps ? clamp(x, wrapped_scalar(*eps), wrapped_scalar(1.0 - *eps)) : x;
    return log(div(c, rsub(c, wrapped_scalar(1.0))));
  }();
  result = make_result(result.value(), result.dtype(), {});
  if (!needs_grad({&x})) return result;
  // torch's logit_backward: g / (x (1 - x)); zero where eps clamped x, NaN
  // outside [0, 1] without eps.
  auto node = make_node("LogitBackward0", {&x}, [eps](FnNode& n, TensorList& gs) {
    const Tensor x = n.saved(0);
    const Tensor d = div(gs[0], mul(x, rsub(x, wrapped_scalar(1.0))));
    const double lo = eps ? *eps : 0.0, hi = eps ? 1.0 - *eps : 1.0;
    const Tensor out = logical_or(lt(x, wrapped_scalar(lo)), gt(x, wrapped_scalar(hi)));
    const double fill = eps ? 0.0 : std::numeric_limits<double>::quiet_NaN();
    return TensorList{where(out, scalar_tensor(fill, d.dtype()), d)};
  });
  node->save(x);
  return with_history(result, node);
}

Tensor heaviside(const Tensor& self, const Tensor& values) {
  MLXC_CHECK(self.dtype() == values.dtype(), Runtime,
             "heaviside is not yet implemented for tensors with different dtypes.");
  MLXC_CHECK(!is_complex(self.dtype()), Runtime,
             "heaviside is not yet implemented for complex tensors.");
  const ScalarType st = self.dtype();
  AutoGradMode off(false);
  Tensor pos = to_dtype(gt(self, scalar_tensor(0.0, st)), st);
  return where(eq(self, scalar_tensor(0.0, st)), values, pos);
}

Tensor diff(const Tensor& self, int64_t n, int64_t dim, const std::optional<Tensor>& prepend,
            const std::optional<Tensor>& append) {
  MLXC_CHECK(self.dim() >= 1, Runtime, "diff expects input to be at least one-dimensional");
  MLXC_CHECK(n >= 0, Runtime, "order must be non-negative but got ", n);
  const int64_t d = wrap_dim(dim, self.dim());
  if (n == 0) {
    // torch returns a copy and ignores prepend/append then.
    Tensor out = zeros_like(self);
    copy_(out, self);
    return out;
  }
  TensorList parts;
  if (prepend) parts.push_back(*prepend);
  parts.push_back(self);
  if (append) parts.push_back(*append);
  Tensor x = parts.size() > 1 ? cat(parts, d) : self;
  for (int64_t i = 0; i < n && x.sizes()[d] > 0; ++i) {
    const int64_t len = x.sizes()[d] - 1;
    Tensor hi = narrow(x, d, 1, len), lo = narrow(x, d, 0, len);
    x = x.dtype() == ScalarType::Bool ? logical_xor(hi, lo) : sub(hi, lo);
  }
  return x;
}

Tensor cross(const Tensor& self, const Tensor& other, std::optional<int64_t> dim,
             const char* name) {
  MLXC_CHECK(self.dim() == other.dim(), Runtime, name,
             ": inputs must have the same number of dimensions.");
  int64_t d = 0;
  if (dim) {
    d = wrap_dim(*dim, self.dim());
  } else {
    d = -1;
    for (int64_t i = 0; i < self.dim(); ++i) {
      if (self.sizes()[i] == 3) {
        d = i;
        break;
      }
    }
    MLXC_CHECK(d >= 0, Runtime, "no dimension of size 3 in input");
  }
  MLXC_CHECK(self.sizes()[d] == 3 && other.sizes()[d] == 3, Runtime, name, ": inputs dimension ",
             dim ? *dim : d, " must have length 3. Got ", self.sizes()[d], " and ",
             other.sizes()[d]);
  Tensor result = [&] {
    AutoGradMode no_grad(false);
    auto c = [d](const Tensor& t, int64_t i) { return narrow(t, d, i, 1); };
    Tensor x = sub(mul(c(self, 1), c(other, 2)), mul(c(self, 2), c(other, 1)));
    Tensor y = sub(mul(c(self, 2), c(other, 0)), mul(c(self, 0), c(other, 2)));
    Tensor z = sub(mul(c(self, 0), c(other, 1)), mul(c(self, 1), c(other, 0)));
    return cat({x, y, z}, d);
  }();
  if (!needs_grad({&self, &other})) return result;
  result = make_result(result.value(), result.dtype(), {});
  // torch's linalg_cross backward: cross(conj(other), g) and cross(g, conj(self)),
  // summed back over broadcast dimensions.
  auto node = make_node("LinalgCrossBackward0", {&self, &other},
                        [d, sa = self.sizes(), sb = other.sizes()](FnNode& n, TensorList& gs) {
                          const Tensor a = n.saved(0), b = n.saved(1);
                          TensorList r(2);
                          if (n.needs_input_grad(0)) {
                            r[0] = sum_to(cross(conj_if_complex(b), gs[0], d, "linalg.cross"), sa);
                          }
                          if (n.needs_input_grad(1)) {
                            r[1] = sum_to(cross(gs[0], conj_if_complex(a), d, "linalg.cross"), sb);
                          }
                          return r;
                        });
  node->save(self);
  node->save(other);
  return with_history(result, node);
}

namespace {

// torch's block_diag_backward: each input's block cut out of g (its real part
// for a real input). As torch, an empty 1-D input takes no rows from g.
TensorList block_diag_backward(FnNode& n, const Tensor& g, const std::vector<IntArray>& sizes,
                               const std::vector<ScalarType>& dtypes) {
  TensorList r(sizes.size());
  const Tensor g_real = is_complex(g.dtype()) ? real(g) : Tensor();
  int64_t row = 0, col = 0;
  for (size_t i = 0; i < sizes.size(); ++i) {
    const Tensor& gv = g_real.defined() && !is_complex(dtypes[i]) ? g_real : g;
    const IntArray& s = sizes[i];
    if (s.size() == 1 && s[0] == 0) {
      if (n.needs_input_grad(i))
        r[i] = make_result(mx::zeros({0}, to_mlx(gv.dtype())), gv.dtype(), {});
      continue;
    }
    const int64_t h = s.size() == 2 ? s[0] : 1;
    const int64_t w = s.size() == 2 ? s[1] : (s.size() == 1 ? s[0] : 1);
    if (n.needs_input_grad(i)) {
      r[i] = reshape(narrow(narrow(gv, 0, row, h), 1, col, w), s);
    }
    row += h;
    col += w;
  }
  return r;
}

}  // namespace

Tensor block_diag(const TensorList& tensors) {
  TensorList blocks;
  int64_t cols = 0;
  ScalarType st = ScalarType::Bool;
  bool first = true;
  for (const Tensor& t : tensors) {
    MLXC_CHECK(t.dim() <= 2, Runtime,
               "torch.block_diag: Input tensors must have 2 or fewer dimensions. Input ",
               blocks.size(), " has ", t.dim(), " dimensions");
    Tensor b = t.dim() == 2 ? t : reshape(t, {1, t.numel()});
    cols += b.sizes()[1];
    st = first ? b.dtype() : promote_types(st, b.dtype());
    first = false;
    blocks.push_back(b);
  }
  if (blocks.empty()) return Tensor::from_array(mx::zeros({1, 0}, to_mlx(default_float_dtype())));
  Tensor result = [&] {
    AutoGradMode no_grad(false);
    TensorList rows;
    int64_t left = 0;
    for (const Tensor& b : blocks) {
      const int64_t w = b.sizes()[1];
      Tensor cb = b.dtype() == st ? b : to_dtype(b, st);
      rows.push_back(constant_pad_nd(cb, {left, cols - left - w}, wrapped_scalar(0.0)));
      left += w;
    }
    return cat(rows, 0);
  }();
  bool any_grad = false;
  for (const Tensor& t : tensors) any_grad = any_grad || t.requires_grad();
  if (!(GradMode::is_enabled() && any_grad)) return result;
  result = make_result(result.value(), result.dtype(), {});
  std::vector<IntArray> sizes;
  std::vector<ScalarType> dtypes;
  for (const Tensor& t : tensors) {
    sizes.push_back(t.sizes());
    dtypes.push_back(t.dtype());
  }
  auto node =
      std::make_shared<FnNode>("BlockDiagBackward0", [sizes, dtypes](FnNode& n, TensorList& gs) {
        return block_diag_backward(n, gs[0], sizes, dtypes);
      });
  for (const Tensor& t : tensors) {
    node->next_edges.push_back(gradient_edge(t));
    node->input_dtypes.push_back(t.dtype());
  }
  return with_history(result, node);
}

Tensor angle(const Tensor& self) {
  const bool cplx = is_complex(self.dtype());
  Tensor result = [&] {
    AutoGradMode off(false);
    if (cplx) return atan2(imag(self), real(self));
    Tensor x = is_floating(self.dtype()) ? self : to_dtype(self, default_float_dtype());
    const ScalarType st = x.dtype();
    Tensor r =
        where(lt(x, scalar_tensor(0.0, st)), scalar_tensor(M_PI, st), scalar_tensor(0.0, st));
    return where(isnan(x), x, r);
  }();
  if (!needs_grad({&self})) return result;
  result = make_result(result.value(), result.dtype(), {});
  // torch's angle_backward: zero for real inputs; g i z / |z|^2 for complex
  // ones (zero at z = 0).
  auto node = make_node("AngleBackward0", {&self}, [cplx](FnNode& n, TensorList& gs) {
    if (!cplx) return TensorList{zeros_like(gs[0])};
    const Tensor z = n.saved(0);
    const Tensor d = mul(div(mul(gs[0], z), pow(abs(z), wrapped_scalar(int64_t{2}))),
                         wrapped_scalar(std::complex<double>(0.0, 1.0)));
    return TensorList{where(eq(z, wrapped_scalar(0.0)), zeros_like(d), d)};
  });
  if (cplx) node->save(self);
  return with_history(result, node);
}

Tensor fill(const Tensor& self, const Tensor& value) {
  Tensor out = clone(self);
  fill_(out, value);
  return out;
}

}  // namespace mlxc
