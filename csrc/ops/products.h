// Products torch composes from the matrix kernels: outer, inner, tensordot,
// kron, vdot, addmv, addr, baddbmm, addbmm. Gradients come from the ops they
// are made of.
#pragma once

#include <vector>

#include "ops/common.h"

namespace mlxc {

Tensor outer(const Tensor& self, const Tensor& vec2);
Tensor inner(const Tensor& self, const Tensor& other);
Tensor tensordot(const Tensor& a, const Tensor& b, const std::vector<int64_t>& dims_a,
                 const std::vector<int64_t>& dims_b);
// tensordot with an int: the last n dims of a against the first n of b.
Tensor tensordot(const Tensor& a, const Tensor& b, int64_t n);
Tensor kron(const Tensor& self, const Tensor& other);
Tensor vdot(const Tensor& self, const Tensor& other);
// beta * input + alpha * product, torch's add*-family rules (beta == 0 ignores input).
Tensor addmv(const Tensor& input, const Tensor& mat, const Tensor& vec, const Tensor& beta,
             const Tensor& alpha);
Tensor addr(const Tensor& input, const Tensor& vec1, const Tensor& vec2, const Tensor& beta,
            const Tensor& alpha);
Tensor baddbmm(const Tensor& input, const Tensor& batch1, const Tensor& batch2, const Tensor& beta,
               const Tensor& alpha);
Tensor addbmm(const Tensor& input, const Tensor& batch1, const Tensor& batch2, const Tensor& beta,
              const Tensor& alpha);

}  // namespace mlxc
