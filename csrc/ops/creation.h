// Factory functions: zeros, ones, full, empty, arange, and tensors from host buffers.
#pragma once

#include <optional>

#include "ops/common.h"

namespace mlxc {

struct TensorOptions {
  std::optional<ScalarType> dtype;
  Device device;
  bool requires_grad = false;
};

// Applies requires_grad from options, with torch's check for non-float dtypes.
Tensor finish_factory(Tensor t, const TensorOptions& opts);

Tensor zeros(const IntArray& size, const TensorOptions& opts);
Tensor ones(const IntArray& size, const TensorOptions& opts);
Tensor full(const IntArray& size, const Tensor& fill_value, const TensorOptions& opts);
Tensor empty(const IntArray& size, const TensorOptions& opts);
// arange(start, end, step); dtype inferred from the Python numbers as torch does
// (`any_float` tells whether one of them was a float).
Tensor arange(double start, double end, double step, bool any_float, const TensorOptions& opts);
// A tensor holding a copy of `count` elements of `data` laid out as `dtype`.
Tensor from_buffer(const void* data, const IntArray& sizes, ScalarType dtype);

}  // namespace mlxc

namespace mlxc {

Tensor linspace(double start, double end, int64_t steps, const TensorOptions& opts);
Tensor logspace(double start, double end, int64_t steps, double base, const TensorOptions& opts);
Tensor eye(int64_t n, std::optional<int64_t> m, const TensorOptions& opts);
Tensor empty_strided(const IntArray& size, const IntArray& stride, const TensorOptions& opts);
// 2 x N coordinates of the lower (upper) triangle, in row-major order.
Tensor tril_indices(int64_t row, int64_t col, int64_t offset, const TensorOptions& opts);
Tensor triu_indices(int64_t row, int64_t col, int64_t offset, const TensorOptions& opts);
// torch.range: like arange but including `end` (deprecated in torch).
Tensor range(double start, double end, double step, const TensorOptions& opts);

}  // namespace mlxc
