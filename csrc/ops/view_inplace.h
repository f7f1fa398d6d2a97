// In-place view operators: the tensor itself takes the view's sizes, strides
// and storage offset over the same storage (torch's t_, transpose_, squeeze_,
// unsqueeze_, as_strided_). The data is untouched; the version still bumps, as
// torch counts these as in-place updates.
#pragma once

#include <optional>
#include <vector>

#include "ops/common.h"

namespace mlxc {

const Tensor& t_(const Tensor& self);
const Tensor& transpose_(const Tensor& self, int64_t dim0, int64_t dim1);
// No dims: every size-1 dim; otherwise the listed dims that have size 1.
// `single` tells squeeze_(int) from squeeze_(tuple) (their grad_fn names differ).
const Tensor& squeeze_(const Tensor& self, const std::optional<std::vector<int64_t>>& dims,
                       bool single = false);
const Tensor& unsqueeze_(const Tensor& self, int64_t dim);
const Tensor& as_strided_(const Tensor& self, const IntArray& size, const IntArray& stride,
                          std::optional<int64_t> storage_offset = std::nullopt);

}  // namespace mlxc
