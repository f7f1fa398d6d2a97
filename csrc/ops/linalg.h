// Matrix products: mm, bmm, mv, dot, addmm and matmul (composed from them as
// torch composes it). Integer products are computed exactly (MLX's matmul is
// floating-point only).
#pragma once

#include "ops/common.h"

namespace mlxc {

Tensor mm(const Tensor& self, const Tensor& mat2);
Tensor bmm(const Tensor& self, const Tensor& mat2);
Tensor mv(const Tensor& self, const Tensor& vec);
Tensor dot(const Tensor& self, const Tensor& other);
Tensor addmm(const Tensor& input, const Tensor& mat1, const Tensor& mat2, const Tensor& beta,
             const Tensor& alpha);
Tensor matmul(const Tensor& self, const Tensor& other);

}  // namespace mlxc
