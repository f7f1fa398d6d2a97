// Activations beyond the pointwise table: softmax and log_softmax.
#pragma once

#include <optional>

#include "ops/common.h"

namespace mlxc {

Tensor softmax(const Tensor& self, int64_t dim, std::optional<ScalarType> dtype = std::nullopt);
Tensor log_softmax(const Tensor& self, int64_t dim, std::optional<ScalarType> dtype = std::nullopt);

}  // namespace mlxc
