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
