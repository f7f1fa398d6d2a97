#include "ops/linalg_norm.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "ops/binary.h"
#include "ops/complex.h"
#include "ops/linalg.h"
#include "ops/linalg_decomp.h"
#include "ops/linalg_solve.h"
#include "ops/numeric.h"
#include "ops/pointwise.h"
#include "ops/products.h"
#include "ops/reduce.h"
#include "ops/reduce_stats.h"
#include "ops/scan.h"
#include "ops/shape.h"
#include "ops/view.h"

namespace mlxc {

namespace {

std::string ord_str(double ord) {
  if (std::isinf(ord)) return ord > 0 ? "inf" : "-inf";
  return str(ord);
}

// g with the reduced axes put back as size-1 dims (when keepdim was false).
Tensor restore_dims(const Tensor& g, const std::vector<int>& axes, int64_t ndim, bool keepdim) {
  if (keepdim || ndim == 0 || static_cast<int64_t>(axes.size()) == ndim) return g;
  std::vector<int> sorted = axes;
  std::sort(sorted.begin(), sorted.end());
  Tensor r = g;
  for (int a : sorted) r = unsqueeze(r, a);
  return r;
}

}  // namespace

Tensor norm_backward(const Tensor& grad, const Tensor& x, double p, const Tensor& norm_in,
                     const std::vector<int>& axes, bool keepdim) {
  const int64_t nd = x.dim();
  Tensor g = restore_dims(grad, axes, nd, keepdim);
  Tensor norm = restore_dims(norm_in, axes, nd, keepdim);
  const ScalarType st = x.dtype();
  Tensor zero = scalar_tensor(0.0, st);
  if (p == 0.0) return Tensor();  // torch gives no gradient through the count
  if (p == 1.0) return mul(sgn(x), g);
  if (p == 2.0) return mul(g, where(eq(norm, zero), zero, div(x, norm)));
  if (std::isinf(p)) {
    Tensor ax = abs(x);
    Tensor mask = to_dtype(logical_or(eq(ax, norm), isnan(ax)), st);
    std::vector<int64_t> d64(axes.begin(), axes.end());
    Tensor count = sum(mask, d64, true);
    return mul(sgn(x), mul(div(g, count), mask));
  }
  Tensor ax = abs(x);
  if (p < 1.0) {
    Tensor scaled = mul(sgn(x), where(eq(x, zero), zero, pow(ax, wrapped_scalar(p - 1))));
    return mul(mul(scaled, g), pow(norm, wrapped_scalar(1 - p)));
  }
  Tensor scaled = p < 2.0 ? mul(sgn(x), pow(ax, wrapped_scalar(p - 1)))
                          : mul(x, pow(ax, wrapped_scalar(p - 2)));
  Tensor scale = where(eq(norm, zero), zero, div(g, pow(norm, wrapped_scalar(p - 1))));
  return mul(scaled, scale);
}

Tensor linalg_vector_norm(const Tensor& self, double ord, const OptIntList& dim, bool keepdim,
                          std::optional<ScalarType> dtype) {
  const char* fn = "linalg.vector_norm";
  MLXC_CHECK(is_floating(self.dtype()) || is_complex(self.dtype()), Runtime, fn,
             ": Expected a floating point or complex tensor as input. Got ",
             scalar_type_name(self.dtype()));
  if (dtype) {
    MLXC_CHECK(is_floating(*dtype) || is_complex(*dtype), Runtime, fn,
               ": dtype should be floating point or complex, but got ", scalar_type_name(*dtype));
  }
  Tensor x = dtype && *dtype != self.dtype() ? to_dtype(self, *dtype) : self;
  // The norm of a complex tensor is real.
  const ScalarType st = is_complex(x.dtype()) ? ScalarType::Float32 : x.dtype();
  std::vector<int> axes = reduce_axes(x, dim);
  if (x.numel() == 0 && (ord < 0 || std::isinf(ord))) {
    MLXC_CHECK(dim && !dim->empty(), Runtime, "linalg.vector_norm cannot compute the ",
               ord_str(ord),
               " norm on an empty tensor because the operation does not have an "
               "identity");
    for (int a : axes) {
      MLXC_CHECK(x.size(a) != 0, Runtime, "linalg.vector_norm cannot compute the ", ord_str(ord),
                 " norm on the dimension ", a,
                 "because this dimension is empty and the operation does not have an identity");
    }
  }
  mx::array v = x.value();
  mx::array a = mx::abs(v);
  const bool all_axes = axes.empty() && x.dim() > 0;
  std::vector<int> ax = axes;
  if (all_axes || x.dim() == 0) {
    ax.clear();
    for (int i = 0; i < static_cast<int>(x.dim()); ++i) ax.push_back(i);
  }
  mx::array r = a;
  if (ord == 0.0) {
    r = mx::sum(mx::astype(mx::not_equal(a, mx::zeros({}, a.dtype())), a.dtype()), ax, keepdim);
  } else if (std::isinf(ord)) {
    r = ord > 0 ? mx::max(a, ax, keepdim) : mx::min(a, ax, keepdim);
  } else if (ord == 1.0) {
    r = mx::sum(a, ax, keepdim);
  } else if (ord == 2.0) {
    r = mx::sqrt(mx::sum(mx::square(a), ax, keepdim));
  } else {
    mx::array p = mx::array(ord, a.dtype());
    r = mx::power(mx::sum(mx::power(a, p), ax, keepdim), mx::array(1.0 / ord, a.dtype()));
  }
  Tensor out = make_result(r, st, {&x});
  if (!needs_grad({&x})) return out;
  auto node =
      make_node("LinalgVectorNormBackward0", {&x}, [ord, ax, keepdim](FnNode& n, TensorList& gs) {
        if (gs.empty() || !gs[0].defined()) return TensorList{Tensor()};
        return TensorList{norm_backward(gs[0], n.saved(0), ord, n.saved(1), ax, keepdim)};
      });
  set_history(out, node);
  node->save(x);
  node->save(out, true);
  return out;
}

namespace {

// A with dims d0, d1 moved to the end (in that order), as torch's backshift permutation.
Tensor backshift(const Tensor& A, int64_t d0, int64_t d1) {
  std::vector<int64_t> perm;
  for (int64_t i = 0; i < A.dim(); ++i) {
    if (i != d0 && i != d1) perm.push_back(i);
  }
  perm.push_back(d0);
  perm.push_back(d1);
  return permute(A, perm);
}

// The reduced (..., 1) result of a backshifted matrix norm with the two dims restored in place.
Tensor keep_dims_back(const Tensor& r, int64_t d0, int64_t d1, int64_t ndim) {
  std::vector<int64_t> perm;
  for (int64_t i = 0; i < ndim; ++i) {
    if (i != d0 && i != d1) perm.push_back(i);
  }
  perm.push_back(d0);
  perm.push_back(d1);
  std::vector<int64_t> inverse(ndim);
  for (int64_t i = 0; i < ndim; ++i) inverse[perm[i]] = i;
  return permute(unsqueeze(r, -1), inverse);
}

}  // namespace

Tensor linalg_matrix_norm(const Tensor& A, const NormOrd& ord, const std::vector<int64_t>& dim,
                          bool keepdim, std::optional<ScalarType> dtype) {
  const char* fn = "linalg.matrix_norm";
  MLXC_CHECK(A.dim() >= 2, Runtime, fn, ": The input tensor A must have at least 2 dimensions.");
  if (dim.size() != 2) {
    std::string got;
    for (size_t i = 0; i < dim.size(); ++i) got += str(i ? " " : "", dim[i]);
    fail(ErrorKind::Runtime, fn, ": dim must be a 2-tuple. Got ", got);
  }
  const int64_t d0 = wrap_dim(dim[0], A.dim()), d1 = wrap_dim(dim[1], A.dim());
  MLXC_CHECK(d0 != d1, Runtime, fn, ": dims must be different. Got (", dim[0], ", ", dim[1], ")");
  if (const auto* s = std::get_if<std::string>(&ord)) {
    MLXC_CHECK(*s == "fro" || *s == "nuc", Runtime, fn, ": Order ", *s, " not supported.");
    if (*s == "fro")
      return linalg_vector_norm(A, 2.0, std::vector<int64_t>{d0, d1}, keepdim, dtype);
    linalg::check_floating(A, fn);
    Tensor x = dtype && *dtype != A.dtype() ? to_dtype(A, *dtype) : A;
    Tensor r = sum(linalg_svdvals(backshift(x, d0, d1)), std::vector<int64_t>{-1}, keepdim);
    return keepdim ? keep_dims_back(r, d0, d1, A.dim()) : r;
  }
  const double o = std::get<double>(ord);
  const double ao = std::abs(o);
  MLXC_CHECK(ao == 2.0 || ao == 1.0 || std::isinf(ao), Runtime, fn, ": Order ", ord_str(o),
             " not supported.");
  if (ao == 2.0) {
    linalg::check_floating(A, fn);
    Tensor x = dtype && *dtype != A.dtype() ? to_dtype(A, *dtype) : A;
    Tensor s = linalg_svdvals(backshift(x, d0, d1));
    std::vector<int64_t> last{-1};
    Tensor r = o > 0 ? amax(s, last, keepdim) : amin(s, last, keepdim);
    return keepdim ? keep_dims_back(r, d0, d1, A.dim()) : r;
  }
  int64_t a = d0, b = d1;
  if (std::isinf(ao)) std::swap(a, b);
  if (!keepdim && a < b) --b;
  Tensor r = linalg_vector_norm(A, 1.0, std::vector<int64_t>{a}, keepdim, dtype);
  std::vector<int64_t> bd{b};
  return o > 0 ? amax(r, bd, keepdim) : amin(r, bd, keepdim);
}

Tensor linalg_norm(const Tensor& A, const std::optional<NormOrd>& ord, const OptIntList& dim,
                   bool keepdim, std::optional<ScalarType> dtype) {
  if (dim) {
    MLXC_CHECK(dim->size() == 1 || dim->size() == 2, Runtime,
               "linalg.norm: If dim is specified, it must be of length 1 or 2. Got ",
               sizes_str(IntArray(dim->begin(), dim->end())));
  } else if (ord) {
    MLXC_CHECK(A.dim() == 1 || A.dim() == 2, Runtime,
               "linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got ",
               A.dim(), "D.");
  }
  const bool is_str = ord && std::holds_alternative<std::string>(*ord);
  if (is_str || (ord && ((dim && dim->size() == 2) || (!dim && A.dim() == 2)))) {
    std::vector<int64_t> d = dim ? *dim : std::vector<int64_t>{0, 1};
    return linalg_matrix_norm(A, *ord, d, keepdim, dtype);
  }
  const double p = ord ? std::get<double>(*ord) : 2.0;
  return linalg_vector_norm(A, p, dim, keepdim, dtype);
}

Tensor linalg_cond(const Tensor& A, const std::optional<NormOrd>& p) {
  const char* fn = "linalg.cond";
  MLXC_CHECK(A.dim() >= 2, Runtime, fn, ": The input tensor A must have at least 2 dimensions.");
  bool two = !p;
  double pv = 2.0;
  if (p) {
    if (const auto* s = std::get_if<std::string>(&*p)) {
      MLXC_CHECK(*s == "fro" || *s == "nuc", Runtime, "linalg.cond got an invalid norm type: ", *s);
    } else {
      pv = std::get<double>(*p);
      const double a = std::abs(pv);
      MLXC_CHECK(a == 1.0 || a == 2.0 || std::isinf(a), Runtime,
                 "linalg.cond got an invalid norm type: ", ord_str(pv));
      two = a == 2.0;
    }
  }
  if (!two) linalg::check_square(A, fn);
  linalg::check_floating(A, fn);
  if (A.numel() == 0) return linalg::zeros_of(linalg::batch_sizes(A), A.dtype());
  if (two) {
    Tensor s = linalg_svdvals(A);
    Tensor smax = narrow(s, -1, 0, 1), smin = narrow(s, -1, s.size(-1) - 1, 1);
    Tensor r = pv < 0 ? div(smin, smax) : div(smax, smin);
    return squeeze(r, std::vector<int64_t>{-1});
  }
  auto [inv, info] = linalg_inv_ex(A, false);
  Tensor bad = unsqueeze(unsqueeze(gt(info, scalar_tensor(0.0, ScalarType::Int32)), -1), -1);
  inv = where(bad, scalar_tensor(INFINITY, inv.dtype()), inv);
  std::vector<int64_t> d{-2, -1};
  Tensor r = mul(linalg_matrix_norm(A, *p, d, false, std::nullopt),
                 linalg_matrix_norm(inv, *p, d, false, std::nullopt));
  return nan_to_num(r, INFINITY, INFINITY, -INFINITY);
}

Tensor linalg_vecdot(const Tensor& x, const Tensor& y, int64_t dim) {
  MLXC_CHECK(is_floating(x.dtype()) || is_complex(x.dtype()), Runtime,
             "linalg.vecdot: Expected a floating point or complex tensor as input. Got ",
             scalar_type_name(x.dtype()));
  MLXC_CHECK(x.dtype() == y.dtype(), Runtime,
             "linalg.vecdot: Expected x and y to have the same dtype, but found x of type ",
             scalar_type_name(x.dtype()), " and y of type ", scalar_type_name(y.dtype()),
             " instead");
  // As torch: two vectors go through vdot (dim unused), else sum(conj(x) y, dim).
  if (x.dim() == 1 && y.dim() == 1) return vdot(x, y);
  return sum(mul(conj_if_complex(x), y), std::vector<int64_t>{dim}, false);
}

namespace {

// Multiplies ts[i..j] in the order the matrix-chain table s chose.
Tensor chain(const TensorList& ts, const std::vector<std::vector<size_t>>& s, size_t i, size_t j) {
  if (i == j) return ts[i];
  return matmul(chain(ts, s, i, s[i][j]), chain(ts, s, s[i][j] + 1, j));
}

}  // namespace

Tensor linalg_multi_dot(const TensorList& tensors) {
  const size_t n = tensors.size();
  MLXC_CHECK(n >= 2, Runtime, "multi_dot(): expected at least 2 tensors but got ", n);
  const int64_t first_dim = tensors[0].dim(), last_dim = tensors[n - 1].dim();
  MLXC_CHECK(first_dim == 1 || first_dim == 2, Runtime,
             "multi_dot(): the first tensor must be 1D or 2D but got ", first_dim, "D");
  MLXC_CHECK(last_dim == 1 || last_dim == 2, Runtime,
             "multi_dot(): the last tensor must be 1D or 2D but got ", last_dim, "D");
  for (size_t i = 1; i + 1 < n; ++i) {
    MLXC_CHECK(tensors[i].dim() == 2, Runtime, "multi_dot(): tensor ", i, " must be 2D but got ",
               tensors[i].dim(), "D");
  }
  for (size_t i = 1; i < n; ++i) {
    MLXC_CHECK(tensors[i].dtype() == tensors[0].dtype(), Runtime,
               "multi_dot(): all tensors must have be the same dtype but tensor 0 is ",
               scalar_type_name(tensors[0].dtype()), " and tensor ", i, " is ",
               scalar_type_name(tensors[i].dtype()));
  }
  TensorList ts = tensors;
  if (first_dim == 1) ts[0] = unsqueeze(ts[0], 0);
  if (last_dim == 1) ts[n - 1] = unsqueeze(ts[n - 1], -1);
  for (size_t i = 1; i < n; ++i) {
    MLXC_CHECK(ts[i - 1].size(-1) == ts[i].size(0), Runtime, "multi_dot(): tensors ", i - 1,
               " and ", i, " with shapes ", sizes_str(ts[i - 1].sizes()), " and ",
               sizes_str(ts[i].sizes()), " cannot be multiplied");
  }
  Tensor r;
  if (n == 2) {
    r = matmul(ts[0], ts[1]);
  } else if (n == 3) {
    const int64_t a = ts[0].size(0), b = ts[1].size(0), c = ts[2].size(0), d = ts[2].size(1);
    const int64_t cost1 = (a * c) * (b + d), cost2 = (b * d) * (a + c);
    r = cost1 > cost2 ? matmul(ts[0], matmul(ts[1], ts[2])) : matmul(matmul(ts[0], ts[1]), ts[2]);
  } else {
    std::vector<int64_t> p;
    for (size_t i = 0; i < n; ++i) p.push_back(ts[i].size(0));
    p.push_back(ts[n - 1].size(1));
    std::vector<std::vector<int64_t>> m(n, std::vector<int64_t>(n, 0));
    std::vector<std::vector<size_t>> s(n, std::vector<size_t>(n, 0));
    for (size_t l = 1; l < n; ++l) {
      for (size_t i = 0; i + l < n; ++i) {
        const size_t j = i + l;
        m[i][j] = std::numeric_limits<int64_t>::max();
        for (size_t k = i; k < j; ++k) {
          const int64_t q = m[i][k] + m[k + 1][j] + p[i] * p[k + 1] * p[j + 1];
          if (q < m[i][j]) {
            m[i][j] = q;
            s[i][j] = k;
          }
        }
      }
    }
    r = chain(ts, s, 0, n - 1);
  }
  IntArray out;
  if (first_dim == 2) out.push_back(r.size(0));
  if (last_dim == 2) out.push_back(r.size(-1));
  return view(r, out);
}

Tensor linalg_vander(const Tensor& x_in, std::optional<int64_t> N) {
  const Tensor x = x_in.dim() == 0 ? reshape(x_in, {1}) : x_in;
  const int64_t n = N.value_or(x.size(-1));
  MLXC_CHECK(n > 1, Runtime, "N must be greater than 1.");
  IntArray shape = x.sizes();
  shape.push_back(n - 1);
  Tensor powers = cumprod(expand(unsqueeze(x, -1), shape), -1);
  shape.back() = 1;
  Tensor ones = Tensor::from_array(mx::ones(to_shape(shape), to_mlx(x.dtype())), x.dtype());
  return cat({ones, powers}, -1);
}

}  // namespace mlxc
