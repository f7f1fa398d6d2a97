// The out-of-place inverses of views: select/slice/diagonal_scatter
// embed src into a copy of self at the view's positions, recording torch's
// SelectScatterBackward0 / SliceScatterBackward0 / DiagonalScatterBackward0.
#pragma once

#include <optional>

#include "ops/common.h"

namespace mlxc {

Tensor select_scatter(const Tensor& self, const Tensor& src, int64_t dim, int64_t index);
Tensor slice_scatter(const Tensor& self, const Tensor& src, int64_t dim,
                     std::optional<int64_t> start, std::optional<int64_t> end, int64_t step);
Tensor diagonal_scatter(const Tensor& self, const Tensor& src, int64_t offset, int64_t dim1,
                        int64_t dim2);

}  // namespace mlxc
