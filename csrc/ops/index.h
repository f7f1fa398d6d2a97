// Advanced indexing: nonzero, index (gather by integer/bool tensors, torch's
// placement rule for the indexed dims) and index_put (scatter, accumulate).
// Indices are validated on the host first: MLX's gather/scatter do no bounds
// checks, so an out-of-range index must raise IndexError before it is used.
#pragma once

#include <optional>

#include "ops/common.h"

namespace mlxc {

using OptTensorList = std::vector<std::optional<Tensor>>;

// torch.nonzero: int64 (n, ndim) coordinates of the non-zero elements (syncs).
Tensor nonzero(const Tensor& self);
// self[indices] where indices[d] (if present) indexes dim d; bool/uint8 masks
// stand for the dims they cover.
Tensor index(const Tensor& self, const OptTensorList& indices);
// Out-of-place index_put: self with self[indices] = values (or += if accumulate).
Tensor index_put(const Tensor& self, const OptTensorList& indices, const Tensor& values,
                 bool accumulate);

}  // namespace mlxc
