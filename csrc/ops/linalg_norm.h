// torch.linalg norms and products: vector_norm, matrix_norm, norm, cond, vecdot, multi_dot,
// vander.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "ops/common.h"

namespace mlxc {

using OptIntList = std::optional<std::vector<int64_t>>;
// A matrix norm order: a number or "fro" / "nuc".
using NormOrd = std::variant<double, std::string>;

Tensor linalg_vector_norm(const Tensor& self, double ord, const OptIntList& dim, bool keepdim,
                          std::optional<ScalarType> dtype);
// torch's norm_backward: the gradient of the p-norm `norm` of x over `axes`.
Tensor norm_backward(const Tensor& grad, const Tensor& x, double p, const Tensor& norm,
                     const std::vector<int>& axes, bool keepdim);
Tensor linalg_matrix_norm(const Tensor& A, const NormOrd& ord, const std::vector<int64_t>& dim,
                          bool keepdim, std::optional<ScalarType> dtype);
Tensor linalg_norm(const Tensor& A, const std::optional<NormOrd>& ord, const OptIntList& dim,
                   bool keepdim, std::optional<ScalarType> dtype);
Tensor linalg_cond(const Tensor& A, const std::optional<NormOrd>& p);
Tensor linalg_vecdot(const Tensor& x, const Tensor& y, int64_t dim);
Tensor linalg_multi_dot(const TensorList& tensors);
Tensor linalg_vander(const Tensor& x, std::optional<int64_t> N);

}  // namespace mlxc
