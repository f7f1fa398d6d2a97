// Stacking and splitting helpers that torch composes from views, cat and
// reshape: atleast_{1,2,3}d, h/v/d/column_stack, tensor_split, h/v/dsplit,
// ravel, unflatten, mT/mH. Gradients come from the ops they are made of, as in
// torch (these are CompositeImplicitAutograd there).
#pragma once

#include <vector>

#include "ops/common.h"

namespace mlxc {

// atleast_1d/2d/3d: 0-d -> [1], 1-d [n] -> [1, n], 2-d [m, n] -> [m, n, 1].
Tensor atleast_nd(const Tensor& self, int64_t n);
Tensor hstack(const TensorList& tensors);
Tensor vstack(const TensorList& tensors);
Tensor dstack(const TensorList& tensors);
Tensor column_stack(const TensorList& tensors);
TensorList tensor_split_sections(const Tensor& self, int64_t sections, int64_t dim = 0);
TensorList tensor_split_indices(const Tensor& self, const std::vector<int64_t>& indices,
                                int64_t dim = 0);
// hsplit/vsplit/dsplit ("h", "v", "d") by a number of equal sections.
TensorList directional_split(const Tensor& self, char which, int64_t sections);
// The same with split points.
TensorList directional_split(const Tensor& self, char which, const std::vector<int64_t>& indices);
Tensor ravel(const Tensor& self);
Tensor unflatten(const Tensor& self, int64_t dim, const IntArray& sizes);
// Tensor.mT / Tensor.mH (mH conjugates complex tensors).
Tensor matrix_transpose(const Tensor& self, bool conjugate);

}  // namespace mlxc
