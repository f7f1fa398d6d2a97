#include "ops/creation.h"

#include <cmath>
#include <cstring>

namespace mlxc {

namespace {

void check_sizes(const IntArray& size) {
  for (auto s : size) {
    MLXC_CHECK(s >= 0, Runtime, "Trying to create tensor with negative dimension ", s, ": ",
               sizes_str(size));
  }
}

ScalarType factory_dtype(const TensorOptions& opts) {
  return opts.dtype ? *opts.dtype : default_float_dtype();
}

}  // namespace

Tensor finish_factory(Tensor t, const TensorOptions& opts) {
  t.impl()->device = resolve_device(opts.device);
  if (opts.requires_grad) {
    MLXC_CHECK(is_floating(t.dtype()) || is_complex(t.dtype()), Runtime,
               "Only Tensors of floating point and complex dtype can require gradients");
    t.impl()->requires_grad = true;
  }
  return t;
}

Tensor zeros(const IntArray& size, const TensorOptions& opts) {
  check_sizes(size);
  const ScalarType st = factory_dtype(opts);
  return finish_factory(make_result(mx::zeros(to_shape(size), to_mlx(st)), st, {}), opts);
}

Tensor ones(const IntArray& size, const TensorOptions& opts) {
  check_sizes(size);
  const ScalarType st = factory_dtype(opts);
  return finish_factory(make_result(mx::ones(to_shape(size), to_mlx(st)), st, {}), opts);
}

Tensor full(const IntArray& size, const Tensor& fill_value, const TensorOptions& opts) {
  check_sizes(size);
  // torch infers the dtype from the fill value: bool, int64, default float or complex.
  ScalarType st = opts.dtype ? *opts.dtype : result_type({&fill_value});
  mx::array v = mx::full(to_shape(size), cast(fill_value, st), to_mlx(st));
  return finish_factory(make_result(v, st, {}), opts);
}

Tensor empty(const IntArray& size, const TensorOptions& opts) { return zeros(size, opts); }

Tensor arange(double start, double end, double step, bool any_float, const TensorOptions& opts) {
  MLXC_CHECK(step != 0, Runtime, "step must be nonzero");
  MLXC_CHECK(std::isfinite(start) && std::isfinite(end), Runtime, "unsupported range: ", start,
             " -> ", end);
  MLXC_CHECK((step > 0 && end >= start) || (step < 0 && end <= start), Runtime,
             "upper bound and larger bound inconsistent with step sign");
  const ScalarType st =
      opts.dtype ? *opts.dtype : (any_float ? default_float_dtype() : ScalarType::Int64);
  if (is_integral(st, true)) {
    // Integral aranges take their bounds in the integral type (torch's accscalar).
    start = std::trunc(start);
    end = std::trunc(end);
    step = std::trunc(step);
    MLXC_CHECK(step != 0, Runtime, "step must be nonzero");
  }
  const double n = std::ceil((end - start) / step);
  const int64_t count = static_cast<int64_t>(n);
  mx::array idx = mx::arange(0.0, static_cast<double>(count), 1.0, mx::float64);
  mx::array vals =
      is_integral(st, true) && !any_float
          ? mx::add(mx::multiply(mx::astype(idx, mx::int64),
                                 mx::array(static_cast<int64_t>(step), mx::int64)),
                    mx::array(static_cast<int64_t>(start), mx::int64))
          : mx::add(mx::multiply(idx, mx::array(step, mx::float64)), mx::array(start, mx::float64));
  return finish_factory(make_result(mx::astype(vals, to_mlx(st)), st, {}), opts);
}

Tensor from_buffer(const void* data, const IntArray& sizes, ScalarType dtype) {
  const mx::Shape shape = to_shape(sizes);
  int64_t n = 1;
  for (auto s : sizes) n *= s;
  const size_t bytes = static_cast<size_t>(n) * itemsize(dtype);
  // MLX copies host memory into its own buffer (no adoption on the CPU backend).
  void* copy = std::malloc(bytes ? bytes : 1);
  if (bytes) std::memcpy(copy, data, bytes);
  mx::array a(copy, shape, to_mlx(dtype), [](void* p) { std::free(p); });
  return Tensor::from_array(std::move(a), dtype);
}

}  // namespace mlxc

namespace mlxc {

namespace {

// torch's two-sided linspace: the first half counts up from start, the second
// half down from end, in T (the dtype's own precision, double for integers).
template <typename T>
std::vector<double> linspace_values(double start, double end, int64_t steps) {
  std::vector<double> v(steps);
  if (steps == 1) v[0] = start;
  if (steps <= 1) return v;
  const T s = static_cast<T>(start), e = static_cast<T>(end);
  const T step = (e - s) / static_cast<T>(steps - 1);
  const int64_t half = steps / 2;
  for (int64_t i = 0; i < steps; ++i) {
    v[i] = i < half ? static_cast<double>(s + step * static_cast<T>(i))
                    : static_cast<double>(e - step * static_cast<T>(steps - i - 1));
  }
  return v;
}

Tensor from_doubles(const std::vector<double>& v, const IntArray& sizes, ScalarType st) {
  mx::array a(v.begin(), to_shape(sizes), mx::float64);
  return make_result(mx::astype(a, to_mlx(st)), st, {});
}

Tensor from_int64s(const std::vector<int64_t>& v, const IntArray& sizes, ScalarType st) {
  mx::array a(v.begin(), to_shape(sizes), mx::int64);
  return make_result(mx::astype(a, to_mlx(st)), st, {});
}

}  // namespace

Tensor linspace(double start, double end, int64_t steps, const TensorOptions& opts) {
  MLXC_CHECK(steps >= 0, Runtime, "number of steps must be non-negative");
  const ScalarType st = opts.dtype ? *opts.dtype : default_float_dtype();
  if (is_integral(st, true)) {
    start = std::trunc(start);  // torch converts the bounds to the integral dtype first
    end = std::trunc(end);
  }
  auto v = st == ScalarType::Float64 || is_integral(st, true)
               ? linspace_values<double>(start, end, steps)
               : linspace_values<float>(start, end, steps);
  return finish_factory(from_doubles(v, {steps}, st), opts);
}

Tensor logspace(double start, double end, int64_t steps, double base, const TensorOptions& opts) {
  MLXC_CHECK(steps >= 0, Runtime, "number of steps must be non-negative");
  const ScalarType st = opts.dtype ? *opts.dtype : default_float_dtype();
  std::vector<double> v(steps);
  const bool dbl = st == ScalarType::Float64 || is_integral(st, true);
  if (is_integral(st, true)) {
    start = std::trunc(start);
    end = std::trunc(end);
  }
  auto exps =
      dbl ? linspace_values<double>(start, end, steps) : linspace_values<float>(start, end, steps);
  for (int64_t i = 0; i < steps; ++i) {
    v[i] =
        dbl ? std::pow(base, exps[i])
            : static_cast<double>(std::pow(static_cast<float>(base), static_cast<float>(exps[i])));
  }
  return finish_factory(from_doubles(v, {steps}, st), opts);
}

Tensor eye(int64_t n, std::optional<int64_t> m, const TensorOptions& opts) {
  MLXC_CHECK(n >= 0, Runtime, "n must be greater or equal to 0, got ", n);
  const int64_t cols = m ? *m : n;
  MLXC_CHECK(cols >= 0, Runtime, "m must be greater or equal to 0, got ", cols);
  const ScalarType st = opts.dtype ? *opts.dtype : default_float_dtype();
  mx::array a = mx::eye(static_cast<int>(n), static_cast<int>(cols), 0, to_mlx(st));
  return finish_factory(make_result(a, st, {}), opts);
}

Tensor empty_strided(const IntArray& size, const IntArray& stride, const TensorOptions& opts) {
  MLXC_CHECK(size.size() == stride.size(), Runtime, "mismatch in length of strides and shape");
  int64_t extent = 1;
  bool empty = false;
  for (size_t i = 0; i < size.size(); ++i) {
    MLXC_CHECK(size[i] >= 0, Runtime, "Trying to create tensor with negative dimension ", size[i],
               ": ", sizes_str(size));
    empty = empty || size[i] == 0;
    extent += (size[i] - 1) * stride[i];
  }
  if (empty) extent = 0;
  const ScalarType st = opts.dtype ? *opts.dtype : default_float_dtype();
  Tensor storage = make_result(mx::zeros({static_cast<int32_t>(extent)}, to_mlx(st)), st, {});
  Tensor out = make_view(storage, size, stride, 0);
  out.impl()->is_view = false;  // a fresh tensor with its own storage, as in torch
  out.impl()->base.reset();
  return finish_factory(out, opts);
}

Tensor tril_indices(int64_t row, int64_t col, int64_t offset, const TensorOptions& opts) {
  MLXC_CHECK(row >= 0, Runtime, "row must be non-negative, got", row);
  MLXC_CHECK(col >= 0, Runtime, "col must be non-negative, got", col);
  std::vector<int64_t> rs, cs;
  for (int64_t r = 0; r < row; ++r) {
    for (int64_t c = 0; c < col && c <= r + offset; ++c) {
      rs.push_back(r);
      cs.push_back(c);
    }
  }
  rs.insert(rs.end(), cs.begin(), cs.end());
  const ScalarType st = opts.dtype ? *opts.dtype : ScalarType::Int64;
  return finish_factory(from_int64s(rs, {2, static_cast<int64_t>(cs.size())}, st), opts);
}

Tensor triu_indices(int64_t row, int64_t col, int64_t offset, const TensorOptions& opts) {
  MLXC_CHECK(row >= 0, Runtime, "row must be non-negative, got", row);
  MLXC_CHECK(col >= 0, Runtime, "col must be non-negative, got", col);
  std::vector<int64_t> rs, cs;
  for (int64_t r = 0; r < row; ++r) {
    for (int64_t c = std::max<int64_t>(0, r + offset); c < col; ++c) {
      rs.push_back(r);
      cs.push_back(c);
    }
  }
  rs.insert(rs.end(), cs.begin(), cs.end());
  const ScalarType st = opts.dtype ? *opts.dtype : ScalarType::Int64;
  return finish_factory(from_int64s(rs, {2, static_cast<int64_t>(cs.size())}, st), opts);
}

Tensor range(double start, double end, double step, const TensorOptions& opts) {
  MLXC_CHECK(step != 0, Runtime, "step must be nonzero");
  MLXC_CHECK((step > 0 && end >= start) || (step < 0 && end <= start), Runtime,
             "upper bound and larger bound inconsistent with step sign");
  const ScalarType st = opts.dtype ? *opts.dtype : default_float_dtype();
  const int64_t n = static_cast<int64_t>(std::floor((end - start) / step)) + 1;
  std::vector<double> v(n);
  for (int64_t i = 0; i < n; ++i) v[i] = start + static_cast<double>(i) * step;
  return finish_factory(from_doubles(v, {n}, st), opts);
}

}  // namespace mlxc
