// Scans along a dimension: cumsum, cumprod, cummax, cummin, logcumsumexp.
#pragma once

#include <optional>
#include <utility>

#include "ops/common.h"

namespace mlxc {

Tensor cumsum(const Tensor& self, int64_t dim, std::optional<ScalarType> dtype = std::nullopt,
              bool reverse = false);
Tensor cumprod(const Tensor& self, int64_t dim, std::optional<ScalarType> dtype = std::nullopt);
std::pair<Tensor, Tensor> cummax(const Tensor& self, int64_t dim);
std::pair<Tensor, Tensor> cummin(const Tensor& self, int64_t dim);
Tensor logcumsumexp(const Tensor& self, int64_t dim);

}  // namespace mlxc
