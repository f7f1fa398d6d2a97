// torch's *_copy variants of the view operators: the view's values in new
// memory, with the view's backward recorded under torch's "_copy" node name
// (ExpandBackward0_copy, ...), and the unsafe_split family, whose pieces share
// self's storage without being views.
#pragma once

#include <optional>
#include <vector>

#include "ops/common.h"

namespace mlxc {

Tensor alias_copy(const Tensor& self);
Tensor t_copy(const Tensor& self);
Tensor transpose_copy(const Tensor& self, int64_t dim0, int64_t dim1);
Tensor permute_copy(const Tensor& self, const std::vector<int64_t>& dims);
Tensor unsqueeze_copy(const Tensor& self, int64_t dim);
// `single` tells squeeze_copy(int) from squeeze_copy(tuple) (their nodes differ).
Tensor squeeze_copy(const Tensor& self, const std::optional<std::vector<int64_t>>& dims,
                    bool single = false);
Tensor expand_copy(const Tensor& self, const IntArray& size);
Tensor view_copy(const Tensor& self, const IntArray& size);
Tensor diagonal_copy(const Tensor& self, int64_t offset, int64_t dim1, int64_t dim2);
Tensor as_strided_copy(const Tensor& self, const IntArray& size, const IntArray& stride,
                       std::optional<int64_t> storage_offset);
Tensor unfold_copy(const Tensor& self, int64_t dimension, int64_t size, int64_t step);
Tensor narrow_copy(const Tensor& self, int64_t dim, int64_t start, int64_t length);
TensorList unbind_copy(const Tensor& self, int64_t dim);
TensorList split_with_sizes_copy(const Tensor& self, const std::vector<int64_t>& sizes,
                                 int64_t dim);

TensorList unsafe_split(const Tensor& self, int64_t split_size, int64_t dim);
TensorList unsafe_split_with_sizes(const Tensor& self, const std::vector<int64_t>& sizes,
                                   int64_t dim);
TensorList unsafe_chunk(const Tensor& self, int64_t chunks, int64_t dim);

}  // namespace mlxc
