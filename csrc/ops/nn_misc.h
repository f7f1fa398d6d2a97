// nn building blocks without a family of their own: embedding, one_hot,
// constant padding.
#pragma once

#include <optional>

#include "ops/common.h"

namespace mlxc {

// Rows of weight picked by indices; the padding row gets no gradient.
Tensor embedding(const Tensor& weight, const Tensor& indices, int64_t padding_idx,
                 bool scale_grad_by_freq = false);
Tensor one_hot(const Tensor& self, int64_t num_classes);
// torch.constant_pad_nd: pad (lo, hi) pairs from the last dim backwards; negative
// amounts crop.
Tensor constant_pad_nd(const Tensor& self, const std::vector<int64_t>& pad, const Tensor& value);

}  // namespace mlxc
