#include "ops/windows.h"

#include <cmath>

#include "ops/type_names.h"

namespace mlxc {

namespace {

// The window's dtype after torch's checks; `n` is the sample count to compute
// (one more than asked for a periodic window).
struct Plan {
  ScalarType dtype;
  int64_t n;
};

Plan plan(const char* name, int64_t length, bool periodic, const TensorOptions& opts) {
  MLXC_CHECK(length >= 0, Runtime, name,
             " requires non-negative window_length, got window_length=", length);
  const ScalarType st = opts.dtype.value_or(default_float_dtype());
  MLXC_CHECK(is_floating(st), Runtime, name,
             " expects floating point dtypes, got: TensorOptions(dtype=", cpp_type_name(st),
             ", device=cpu, layout=Strided (default), requires_grad=",
             opts.requires_grad ? "true" : "false (default)",
             ", pinned_memory=false, memory_format=(nullopt))");
  return {st, periodic ? length + 1 : length};
}

// Empty and one-point windows, or nullopt when the formula applies.
std::optional<Tensor> trivial(int64_t length, const Plan& p, const TensorOptions& opts) {
  if (length > 1) return std::nullopt;
  mx::array v = length == 0 ? mx::zeros({0}, to_mlx(p.dtype)) : mx::ones({1}, to_mlx(p.dtype));
  return finish_factory(Tensor::from_array(v, p.dtype, opts.device), opts);
}

// 0 .. n-1 times `step`, rounded in the window's dtype as torch's arange * step is.
mx::array scaled_index(const Plan& p, double step) {
  const mx::Dtype dt = to_mlx(p.dtype);
  mx::array idx = mx::astype(mx::arange(0, static_cast<int>(p.n), mx::int32), dt);
  return mx::multiply(idx, mx::astype(mx::array(step, mx::float64), dt));
}

mx::array cos_of(const mx::array& x) {
  if (x.dtype() == mx::float64) return cos_accurate(x);
  return mx::astype(mx::cos(mx::astype(x, mx::float32)), x.dtype());
}

Tensor finish(mx::array w, int64_t length, const Plan& p, const TensorOptions& opts) {
  if (p.n != length) w = mx::slice(w, {0}, {static_cast<int32_t>(length)});
  return finish_factory(Tensor::from_array(mx::astype(w, to_mlx(p.dtype)), p.dtype, opts.device),
                        opts);
}

mx::array scalar(double v, mx::Dtype dt) { return mx::astype(mx::array(v, mx::float64), dt); }

// I0(x) for x >= 0 in float64 by its power series (positive terms; the largest
// is near k = x/2, so ~x + 40 terms reach double precision).
mx::array bessel_i0(const mx::array& x, double largest) {
  mx::array q = mx::square(mx::divide(x, mx::array(2.0, mx::float64)));
  mx::array term = mx::ones_like(q), sum = mx::ones_like(q);
  const int terms = static_cast<int>(largest) + 40;
  for (int k = 1; k < terms; ++k) {
    term = mx::divide(mx::multiply(term, q), mx::array(double(k) * k, mx::float64));
    sum = mx::add(sum, term);
  }
  return sum;
}

}  // namespace

Tensor hamming_window(int64_t length, bool periodic, double alpha, double beta,
                      const TensorOptions& opts) {
  const Plan p = plan("hamming_window", length, periodic, opts);
  if (auto t = trivial(length, p, opts)) return *t;
  const mx::Dtype dt = to_mlx(p.dtype);
  mx::array c = cos_of(scaled_index(p, 2.0 * M_PI / static_cast<double>(p.n - 1)));
  mx::array w = mx::add(mx::multiply(c, scalar(-beta, dt)), scalar(alpha, dt));
  return finish(w, length, p, opts);
}

Tensor hann_window(int64_t length, bool periodic, const TensorOptions& opts) {
  const Plan p = plan("hann_window", length, periodic, opts);
  if (auto t = trivial(length, p, opts)) return *t;
  return hamming_window(length, periodic, 0.5, 0.5, opts);
}

Tensor bartlett_window(int64_t length, bool periodic, const TensorOptions& opts) {
  const Plan p = plan("bartlett_window", length, periodic, opts);
  if (auto t = trivial(length, p, opts)) return *t;
  const mx::Dtype dt = to_mlx(p.dtype);
  mx::array w = scaled_index(p, 2.0 / static_cast<double>(p.n - 1));
  const int64_t first_half = ((p.n - 1) >> 1) + 1;
  mx::array second = mx::less(mx::arange(0, static_cast<int>(p.n), mx::int32),
                              mx::array(static_cast<int32_t>(first_half)));
  w = mx::where(second, w, mx::subtract(scalar(2.0, dt), w));
  return finish(w, length, p, opts);
}

Tensor blackman_window(int64_t length, bool periodic, const TensorOptions& opts) {
  const Plan p = plan("blackman_window", length, periodic, opts);
  if (auto t = trivial(length, p, opts)) return *t;
  const mx::Dtype dt = to_mlx(p.dtype);
  mx::array x = scaled_index(p, M_PI / static_cast<double>(p.n - 1));
  mx::array a = mx::multiply(cos_of(mx::multiply(x, scalar(4.0, dt))), scalar(0.08, dt));
  mx::array b = mx::multiply(cos_of(mx::multiply(x, scalar(2.0, dt))), scalar(0.5, dt));
  mx::array w = mx::add(mx::subtract(a, b), scalar(0.42, dt));
  return finish(w, length, p, opts);
}

Tensor kaiser_window(int64_t length, bool periodic, double beta, const TensorOptions& opts) {
  const Plan p = plan("kaiser_window", length, periodic, opts);
  if (auto t = trivial(length, p, opts)) return *t;
  const double alpha = static_cast<double>(p.n - 1) / 2.0;
  mx::array idx = mx::astype(mx::arange(0, static_cast<int>(p.n), mx::int32), mx::float64);
  mx::array r =
      mx::divide(mx::subtract(idx, mx::array(alpha, mx::float64)), mx::array(alpha, mx::float64));
  mx::array inside = mx::maximum(mx::subtract(mx::array(1.0, mx::float64), mx::square(r)),
                                 mx::array(0.0, mx::float64));
  mx::array arg = mx::multiply(mx::array(beta, mx::float64), mx::sqrt(inside));
  const double big = std::abs(beta);
  mx::array w = mx::divide(bessel_i0(arg, big), bessel_i0(mx::array(beta, mx::float64), big));
  return finish(w, length, p, opts);
}

}  // namespace mlxc
