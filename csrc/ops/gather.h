// Gather/scatter along a dimension and the masked/take family: gather, scatter,
// scatter_add, index_select, index_add, index_copy, index_fill, masked_fill,
// masked_scatter, masked_select, take, take_along_dim. Indices are checked on
// the host before use (MLX's gather/scatter do no bounds checks).
#pragma once

#include <optional>
#include <string>

#include "ops/common.h"

namespace mlxc {

Tensor gather(const Tensor& self, int64_t dim, const Tensor& index);
Tensor scatter(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src);
// scatter(..., reduce="add" | "multiply") (torch's legacy reduce argument).
Tensor scatter_reduce_legacy(const Tensor& self, int64_t dim, const Tensor& index,
                             const Tensor& src, const std::string& reduce);
Tensor scatter_add(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src);
Tensor index_select(const Tensor& self, int64_t dim, const Tensor& index);
Tensor index_add(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& source,
                 const Tensor& alpha);
Tensor index_copy(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& source);
Tensor index_fill(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& value);
Tensor masked_fill(const Tensor& self, const Tensor& mask, const Tensor& value);
Tensor masked_scatter(const Tensor& self, const Tensor& mask, const Tensor& source);
Tensor masked_select(const Tensor& self, const Tensor& mask);
Tensor take(const Tensor& self, const Tensor& index);
Tensor take_along_dim(const Tensor& self, const Tensor& indices, std::optional<int64_t> dim);

}  // namespace mlxc
