// Numeric utilities: isclose, equal, nan_to_num, logit, heaviside, diff, cross,
// block_diag, angle, fill. Ops with a node of their own in torch (nan_to_num,
// logit, cross, block_diag, angle) record it; the others are composites as in torch.
#pragma once

#include <optional>

#include "ops/common.h"

namespace mlxc {

Tensor isclose(const Tensor& self, const Tensor& other, double rtol, double atol, bool equal_nan);
bool allclose(const Tensor& self, const Tensor& other, double rtol, double atol, bool equal_nan);
// torch.equal: same sizes and every element equal (after promotion).
bool equal(const Tensor& self, const Tensor& other);
Tensor nan_to_num(const Tensor& self, std::optional<double> nan, std::optional<double> posinf,
                  std::optional<double> neginf);
Tensor logit(const Tensor& self, std::optional<double> eps);
Tensor heaviside(const Tensor& self, const Tensor& values);
Tensor diff(const Tensor& self, int64_t n, int64_t dim, const std::optional<Tensor>& prepend,
            const std::optional<Tensor>& append);
// linalg.cross (dim given) and torch.cross (dim None: the first dim of size 3).
Tensor cross(const Tensor& self, const Tensor& other, std::optional<int64_t> dim, const char* name);
Tensor block_diag(const TensorList& tensors);
// torch.angle: pi for negative reals, 0 otherwise (NaN stays NaN); atan2(imag, real) for complex.
Tensor angle(const Tensor& self);
// torch.fill: a copy of self with every element set to value (FillBackward0 via fill_).
Tensor fill(const Tensor& self, const Tensor& value);

}  // namespace mlxc
