// Shape and view operators. Every op torch documents as a view returns a view
// here (shared storage, torch's strides); see Note [Storage and views].
#pragma once

#include <optional>

#include "ops/common.h"

namespace mlxc {

// Resolves a single -1 entry against numel, with torch's errors.
IntArray infer_size(const IntArray& shape, int64_t numel);

Tensor view(const Tensor& self, const IntArray& shape);
Tensor reshape(const Tensor& self, const IntArray& shape);
Tensor flatten(const Tensor& self, int64_t start_dim = 0, int64_t end_dim = -1);
Tensor transpose(const Tensor& self, int64_t dim0, int64_t dim1);
Tensor t(const Tensor& self);
Tensor permute(const Tensor& self, const std::vector<int64_t>& dims);
Tensor unsqueeze(const Tensor& self, int64_t dim);
Tensor squeeze(const Tensor& self, const std::optional<std::vector<int64_t>>& dims = std::nullopt,
               const char* node_name = nullptr);
// torch's _unsafe_view: a reshape whose result is not a view (UnsafeViewBackward0).
Tensor unsafe_view(const Tensor& self, const IntArray& shape);
Tensor expand(const Tensor& self, const IntArray& sizes);
Tensor select(const Tensor& self, int64_t dim, int64_t index);
Tensor slice(const Tensor& self, int64_t dim, std::optional<int64_t> start,
             std::optional<int64_t> end, int64_t step = 1);
Tensor contiguous(const Tensor& self);
Tensor cat(const TensorList& tensors, int64_t dim = 0);
Tensor stack(const TensorList& tensors, int64_t dim = 0);
TensorList broadcast_tensors(const TensorList& tensors);

}  // namespace mlxc
