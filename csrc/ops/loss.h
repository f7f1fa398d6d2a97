// Loss functions: nll_loss and cross_entropy (class indices or probabilities,
// label smoothing), with torch's reductions (0 none, 1 mean, 2 sum).
#pragma once

#include "ops/common.h"

namespace mlxc {

enum class Reduction : int { None = 0, Mean = 1, Sum = 2 };

Tensor nll_loss(const Tensor& input, const Tensor& target, const Tensor& weight,
                Reduction reduction, int64_t ignore_index);
Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction);
Tensor cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight,
                     Reduction reduction, int64_t ignore_index, double label_smoothing);

}  // namespace mlxc
