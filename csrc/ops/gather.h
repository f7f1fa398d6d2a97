// Gather/scatter along a dimension and the masked/take family: gather, scatter,
// scatter_add, index_select, index_add, index_copy, index_fill, masked_fill,
// masked_scatter, masked_select, take, take_along_dim. Indices are checked on
// the host before use (MLX's gather/scatter do no bounds checks).
#pragma once

#include <optional>
#include <string>
#include <vector>

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
// torch.put: writes (or with accumulate, adds) source at flat indices of self.
Tensor put(const Tensor& self, const Tensor& index, const Tensor& source, bool accumulate);
Tensor take_along_dim(const Tensor& self, const Tensor& indices, std::optional<int64_t> dim);

// Gather / scatter-add along dim for indices known to lie in [-size, size)
// (produced by an operator, not given by the user): no host check. Each records
// a node whose backward is the other, so gradients built from them are
// differentiable again. scatter_add_in_range needs src shaped like index.
Tensor gather_in_range(const Tensor& self, int64_t dim, const Tensor& index);
Tensor scatter_add_in_range(const Tensor& self, int64_t dim, const Tensor& index,
                            const Tensor& src);
// scatter_add_in_range into zeros of `sizes`.
Tensor scatter_add_into_zeros(const IntArray& sizes, int64_t dim, const Tensor& index,
                              const Tensor& src);

// Shared with the scatter_reduce family (ops/scatter_reduce.cpp).
// Raises IndexError unless every index lies in [-size, size).
void check_bounds(const Tensor& index, int64_t size, const char* op, int64_t dim);
void check_index_dtype(const Tensor& index, const char* op);
// torch's shape rule for gather/scatter: index no larger than self outside `d`.
void check_gather_shapes(const Tensor& self, const Tensor& index, int64_t d, const char* op);
// The index-shaped part of src (src may be larger than index).
mx::array src_part(const Tensor& src, const Tensor& index);
// Full coordinates (one array per dim, index-shaped) of every index element
// along `d`, negative indices wrapped by `size`.
std::vector<mx::array> scatter_coordinates(const Tensor& index, int64_t d, int64_t size);

}  // namespace mlxc
