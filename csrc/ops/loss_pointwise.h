// Elementwise losses of torch._C._nn with one autograd node each:
// binary_cross_entropy(_with_logits), soft_margin_loss, smooth_l1_loss and
// huber_loss, reduced as torch reduces them (see Reduction in ops/loss.h).
#pragma once

#include <optional>

#include "ops/loss.h"

namespace mlxc {

Tensor binary_cross_entropy(const Tensor& self, const Tensor& target,
                            const std::optional<Tensor>& weight, Reduction reduction);
Tensor binary_cross_entropy_with_logits(const Tensor& self, const Tensor& target,
                                        const std::optional<Tensor>& weight,
                                        const std::optional<Tensor>& pos_weight,
                                        Reduction reduction);
Tensor soft_margin_loss(const Tensor& self, const Tensor& target, Reduction reduction);
Tensor smooth_l1_loss(const Tensor& self, const Tensor& target, Reduction reduction, double beta);
Tensor huber_loss(const Tensor& self, const Tensor& target, Reduction reduction, double delta);

}  // namespace mlxc
