#include "ops/common.h"

#include <cmath>

#include "core/eval.h"

namespace mlxc {

namespace {

Tensor make_wrapped(mx::array v, ScalarType st) {
  Tensor t = Tensor::from_array(std::move(v), st);
  t.impl()->wrapped_number = true;
  return t;
}

// torch's combine_categories: merges the result of a higher tier with a lower one.
std::optional<ScalarType> combine(std::optional<ScalarType> higher,
                                  std::optional<ScalarType> lower) {
  if (!higher) return lower;
  if (!lower) return higher;
  if (is_complex(*higher)) return higher;
  if (is_complex(*lower)) {
    if (is_floating(*higher)) return to_complex(*higher);
    return lower;
  }
  if (is_floating(*higher)) return higher;
  if (*higher == ScalarType::Bool || is_floating(*lower)) return promote_types(*higher, *lower);
  return higher;
}

void accumulate(std::optional<ScalarType>& acc, ScalarType t) {
  acc = acc ? promote_types(*acc, t) : t;
}

}  // namespace

Tensor wrapped_scalar(double v) {
  return make_wrapped(mx::array(v, mx::float64), ScalarType::Float64);
}
Tensor wrapped_scalar(int64_t v) {
  return make_wrapped(mx::array(v, mx::int64), ScalarType::Int64);
}
Tensor wrapped_scalar(bool v) { return make_wrapped(mx::array(v, mx::bool_), ScalarType::Bool); }
Tensor wrapped_scalar(std::complex<double> v) {
  return make_wrapped(mx::array(std::complex<float>(v), mx::complex64), ScalarType::Complex64);
}

Tensor scalar_tensor(double v, ScalarType dtype) {
  return Tensor::from_array(mx::astype(mx::array(v, mx::float64), to_mlx(dtype)), dtype);
}

ScalarType result_type(TensorRefs tensors) {
  std::optional<ScalarType> dim_r, zero_r, wrapped_r;
  for (const Tensor* t : tensors) {
    if (!t || !t->defined()) continue;
    ScalarType cur = t->dtype();
    const TensorImpl& impl = *t->impl();
    if (impl.wrapped_number) {
      if (is_complex(cur)) {
        cur = to_complex(default_float_dtype());
      } else if (is_floating(cur)) {
        cur = default_float_dtype();
      }
      accumulate(wrapped_r, cur);
    } else if (t->dim() > 0) {
      accumulate(dim_r, cur);
    } else {
      accumulate(zero_r, cur);
    }
  }
  auto r = combine(dim_r, combine(zero_r, wrapped_r));
  return r ? *r : default_float_dtype();
}

ScalarType to_float_dtype(ScalarType t) { return is_integral(t, true) ? default_float_dtype() : t; }

std::pair<int64_t, int64_t> host_min_max(const mx::array& v) {
  mx::array w = mx::astype(v, mx::int64);
  mx::array lo = mx::min(w), hi = mx::max(w);
  eval_arrays({lo, hi});
  return {lo.item<int64_t>(), hi.item<int64_t>()};
}

bool host_any(const mx::array& cond) {
  mx::array r = mx::any(cond);
  eval_arrays({r});
  return r.item<bool>();
}

bool host_all(const mx::array& cond) {
  mx::array r = mx::all(cond);
  eval_arrays({r});
  return r.item<bool>();
}

double item_double(const mx::array& a) {
  if (a.is_available() && a.size() == 1) {
    // Host constants (wrapped scalars) are read directly: no evaluation.
    const mx::Dtype d = a.dtype();
    if (d == mx::float64) return a.item<double>();
    if (d == mx::float32) return a.item<float>();
    if (d == mx::int64) return static_cast<double>(a.item<int64_t>());
    if (d == mx::int32) return a.item<int32_t>();
    if (d == mx::bool_) return a.item<bool>();
  }
  mx::array f = mx::astype(a, mx::float64);
  eval_arrays({f});
  return f.item<double>();
}

mx::array cast(const Tensor& t, ScalarType dtype) {
  mx::array v = t.value();
  if (t.dtype() == dtype) return v;
  const mx::Dtype target = to_mlx(dtype);
  if (t.impl()->wrapped_number) {
    // The wrapped value is a host constant: rebuild it in the target dtype.
    switch (t.dtype()) {
      case ScalarType::Float64:
        return mx::array(v.item<double>(), target);
      case ScalarType::Int64:
        if (is_floating(dtype)) return mx::array(static_cast<double>(v.item<int64_t>()), target);
        return mx::astype(v, target);
      default:
        break;
    }
  }
  return mx::astype(v, target);
}

Tensor make_result(mx::array v, ScalarType dtype, TensorRefs inputs) {
  uint32_t depth = 0;
  Device device;
  bool first = true;
  for (const Tensor* t : inputs) {
    if (!t || !t->defined()) continue;
    const Storage& s = *t->impl()->storage;
    if (first && !t->impl()->wrapped_number) {
      device = t->device();
      first = false;
    }
    if (s.depth > depth && s.data.status() == mx::array::Status::unscheduled) depth = s.depth;
  }
  Tensor out = Tensor::from_array(std::move(v), dtype, device);
  out.impl()->storage->depth = depth + 1;
  if (depth + 1 > kMaxPendingDepth) eval_tensors({out});
  return out;
}

bool needs_grad(TensorRefs inputs) {
  if (!GradMode::is_enabled()) return false;
  for (const Tensor* t : inputs) {
    if (t && t->defined() && t->requires_grad()) return true;
  }
  return false;
}

std::shared_ptr<FnNode> make_node(const char* name, TensorRefs inputs, FnNode::Fn fn) {
  auto node = std::make_shared<FnNode>(name, std::move(fn));
  node->next_edges.reserve(inputs.size());
  for (const Tensor* t : inputs) {
    node->next_edges.push_back(t && t->defined() ? gradient_edge(*t) : Edge{});
    node->input_dtypes.push_back(t && t->defined() ? t->dtype() : ScalarType::Float32);
  }
  return node;
}

int64_t wrap_dim(int64_t d, int64_t ndim) {
  const int64_t n = std::max<int64_t>(ndim, 1);
  MLXC_CHECK(d >= -n && d < n, Index, "Dimension out of range (expected to be in range of [", -n,
             ", ", n - 1, "], but got ", d, ")");
  return d < 0 ? d + n : d;
}

std::vector<int> wrap_dims(const std::vector<int64_t>& dims, int64_t ndim) {
  std::vector<int> out;
  out.reserve(dims.size());
  std::vector<bool> seen(std::max<int64_t>(ndim, 1), false);
  for (int64_t d : dims) {
    const int64_t w = wrap_dim(d, ndim);
    MLXC_CHECK(!seen[w], Runtime, "dim ", w, " appears multiple times in the list of dims");
    seen[w] = true;
    out.push_back(static_cast<int>(w));
  }
  return out;
}

std::string sizes_str(const IntArray& s) {
  std::string r = "[";
  for (size_t i = 0; i < s.size(); ++i) r += str(i ? ", " : "", s[i]);
  return r + "]";
}

IntArray broadcast_sizes(const IntArray& a, const IntArray& b) {
  const size_t n = std::max(a.size(), b.size());
  IntArray out(n, 1);
  for (size_t i = 0; i < n; ++i) {
    const int64_t da = i < n - a.size() ? 1 : a[i - (n - a.size())];
    const int64_t db = i < n - b.size() ? 1 : b[i - (n - b.size())];
    MLXC_CHECK(da == db || da == 1 || db == 1, Runtime, "The size of tensor a (", da,
               ") must match the size of tensor b (", db, ") at non-singleton dimension ", i);
    out[i] = da == 1 ? db : da;
  }
  return out;
}

mx::array exp_accurate(const mx::array& x) {
  if (x.dtype() != mx::float64) return mx::exp(x);
  // exp(x) = 2^k * (1 + expm1(r)), r = x - k ln2 with ln2 split in two parts;
  // MLX's float64 expm1 is exact, and 2^k is built from its bits in two halves
  // so subnormal results stay representable.
  const double ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10;
  auto f64 = [](double v) { return mx::array(v, mx::float64); };
  mx::array xc = mx::clip(x, f64(-746.0), f64(710.0));
  mx::array k = mx::round(mx::multiply(xc, f64(1.4426950408889634)));
  mx::array r =
      mx::subtract(mx::subtract(xc, mx::multiply(k, f64(ln2_hi))), mx::multiply(k, f64(ln2_lo)));
  mx::array m = mx::add(mx::expm1(r), f64(1.0));
  mx::array ki = mx::astype(k, mx::int64);
  mx::array k1 = mx::floor_divide(ki, mx::array(int64_t{2}, mx::int64));
  mx::array k2 = mx::subtract(ki, k1);
  auto pow2 = [](const mx::array& e) {
    mx::array bits = mx::left_shift(mx::add(e, mx::array(int64_t{1023}, mx::int64)),
                                    mx::array(int64_t{52}, mx::int64));
    return mx::view(bits, mx::float64);
  };
  mx::array res = mx::multiply(mx::multiply(m, pow2(k1)), pow2(k2));
  res = mx::where(mx::greater(x, f64(709.782712893384)), f64(INFINITY), res);
  res = mx::where(mx::less(x, f64(-745.2)), f64(0.0), res);
  return mx::where(mx::isnan(x), x, res);
}

namespace {

// sin or cos of float64 x: reduce by multiples of pi/2 (three-part constant),
// then Taylor series on [-pi/4, pi/4] (truncation error below 1e-19).
mx::array sincos_f64(const mx::array& x, bool want_sin) {
  auto f64 = [](double v) { return mx::array(v, mx::float64); };
  const double p1 = 1.5707963267341256, p2 = 6.077100506506192e-11, p3 = 2.0222662487959506e-21;
  mx::array k = mx::round(mx::multiply(x, f64(0.6366197723675814)));
  mx::array r = mx::subtract(
      mx::subtract(mx::subtract(x, mx::multiply(k, f64(p1))), mx::multiply(k, f64(p2))),
      mx::multiply(k, f64(p3)));
  mx::array r2 = mx::multiply(r, r);
  // Horner form of the odd (sin) and even (cos) series.
  mx::array s = f64(1.0 / 355687428096000.0);
  for (double c : {-1.0 / 1307674368000.0, 1.0 / 6227020800.0, -1.0 / 39916800.0, 1.0 / 362880.0,
                   -1.0 / 5040.0, 1.0 / 120.0, -1.0 / 6.0, 1.0}) {
    s = mx::add(mx::multiply(s, r2), f64(c));
  }
  mx::array sin_r = mx::multiply(s, r);
  mx::array cos_r = f64(-1.0 / 6402373705728000.0);
  for (double v : {1.0 / 20922789888000.0, -1.0 / 87178291200.0, 1.0 / 479001600.0,
                   -1.0 / 3628800.0, 1.0 / 40320.0, -1.0 / 720.0, 1.0 / 24.0, -0.5, 1.0}) {
    cos_r = mx::add(mx::multiply(cos_r, r2), f64(v));
  }
  // Quadrant of x: which of +-sin r / +-cos r it equals.
  mx::array q = mx::remainder(mx::astype(k, mx::int64), mx::array(int64_t{4}));
  if (!want_sin) q = mx::remainder(mx::add(q, mx::array(int64_t{1})), mx::array(int64_t{4}));
  auto is = [&](int64_t v) { return mx::equal(q, mx::array(v)); };
  mx::array out = mx::where(
      is(0), sin_r,
      mx::where(is(1), cos_r, mx::where(is(2), mx::negative(sin_r), mx::negative(cos_r))));
  return mx::where(mx::isinf(x), f64(NAN), out);
}

}  // namespace

mx::array sin_accurate(const mx::array& x) {
  return x.dtype() == mx::float64 ? sincos_f64(x, true) : mx::sin(x);
}

mx::array cos_accurate(const mx::array& x) {
  return x.dtype() == mx::float64 ? sincos_f64(x, false) : mx::cos(x);
}

mx::array erf_accurate(const mx::array& x) {
  if (x.dtype() != mx::float64) return mx::erf(x);
  // erf(x) = 2/sqrt(pi) e^{-x^2} sum_n 2^n x^{2n+1} / (1*3*...*(2n+1)): positive
  // terms, no cancellation. |x| >= 6 rounds to +-1 in double.
  auto f64 = [](double v) { return mx::array(v, mx::float64); };
  mx::array a = mx::minimum(mx::abs(x), f64(6.0));
  mx::array a2 = mx::multiply(a, a);
  mx::array term = a;
  mx::array sum = a;
  for (int n = 1; n <= 140; ++n) {
    term = mx::multiply(term, mx::divide(mx::multiply(a2, f64(2.0)), f64(2.0 * n + 1.0)));
    sum = mx::add(sum, term);
  }
  mx::array r =
      mx::multiply(mx::multiply(sum, exp_accurate(mx::negative(a2))), f64(1.1283791670955126));
  r = mx::minimum(r, f64(1.0));
  r = mx::where(mx::less(x, f64(0.0)), mx::negative(r), r);
  return mx::where(mx::isnan(x), x, r);
}

mx::array erfinv_accurate(const mx::array& x) {
  if (x.dtype() != mx::float64) return mx::erfinv(x);
  // Newton steps on MLX's estimate: y -= (erf(y) - x) / (2/sqrt(pi) e^{-y^2}).
  auto f64 = [](double v) { return mx::array(v, mx::float64); };
  mx::array y = mx::astype(mx::erfinv(mx::astype(x, mx::float32)), mx::float64);
  mx::array finite = mx::isfinite(y);
  mx::array ys = mx::where(finite, y, f64(0.0));
  for (int i = 0; i < 3; ++i) {
    mx::array d =
        mx::multiply(exp_accurate(mx::negative(mx::multiply(ys, ys))), f64(1.1283791670955126));
    ys = mx::subtract(ys, mx::divide(mx::subtract(erf_accurate(ys), x), d));
  }
  return mx::where(finite, ys, y);
}

mx::array logaddexp_accurate(const mx::array& a, const mx::array& b) {
  if (a.dtype() != mx::float64) return mx::logaddexp(a, b);
  mx::array m = mx::maximum(a, b);
  mx::array d = mx::negative(mx::abs(mx::subtract(a, b)));
  mx::array r = mx::add(m, mx::log1p(exp_accurate(d)));
  // Equal infinities: the result is that infinity (d would be NaN).
  return mx::where(mx::equal(a, b), mx::add(a, mx::array(M_LN2, mx::float64)),
                   mx::where(mx::isnan(d), m, r));
}

}  // namespace mlxc
