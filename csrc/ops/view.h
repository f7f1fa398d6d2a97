// More view operators (split, chunk, unbind, movedim, diagonal, unfold,
// as_strided, narrow) and the strided gather/scatter pair their backward
// formulas are written with.
#pragma once

#include <optional>
#include <string>

#include "ops/common.h"

namespace mlxc {

// Reads the window (sizes, strides, offset) of src's row-major flattening.
Tensor strided_gather(const Tensor& src, const IntArray& sizes, const IntArray& strides,
                      int64_t offset);
// Adds g into zeros of base_sizes at the window's positions (overlaps add up).
Tensor strided_scatter_add(const Tensor& g, const IntArray& base_sizes, const IntArray& sizes,
                           const IntArray& strides, int64_t offset);

TensorList split(const Tensor& self, int64_t split_size, int64_t dim = 0);
TensorList split_with_sizes(const Tensor& self, const std::vector<int64_t>& sizes, int64_t dim = 0);
TensorList chunk(const Tensor& self, int64_t chunks, int64_t dim = 0);
TensorList unbind(const Tensor& self, int64_t dim = 0);
Tensor movedim(const Tensor& self, const std::vector<int64_t>& source,
               const std::vector<int64_t>& destination);
Tensor diagonal(const Tensor& self, int64_t offset = 0, int64_t dim1 = 0, int64_t dim2 = 1);
Tensor unfold(const Tensor& self, int64_t dimension, int64_t size, int64_t step);
Tensor as_strided(const Tensor& self, const IntArray& size, const IntArray& stride,
                  std::optional<int64_t> storage_offset = std::nullopt);
Tensor narrow(const Tensor& self, int64_t dim, int64_t start, int64_t length);

}  // namespace mlxc

namespace mlxc {

// torch.meshgrid (indexing "ij" or "xy"): views of the inputs expanded to a grid.
TensorList meshgrid(const TensorList& tensors, const std::string& indexing);
// torch.cartesian_prod: every combination of the inputs' elements, one per row.
Tensor cartesian_prod(const TensorList& tensors);

}  // namespace mlxc
