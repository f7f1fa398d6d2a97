// More pointwise math: binary ops beyond the arithmetic core (atan2, fmod,
// remainder, copysign, logaddexp, hypot, fmax/fmin, float_power, xlogy), clamp,
// round with decimals, and the bool-valued predicates (isnan, isinf, ...).
#pragma once

#include <optional>

#include "ops/common.h"

namespace mlxc {

Tensor atan2(const Tensor& a, const Tensor& b);
Tensor fmod(const Tensor& a, const Tensor& b);
Tensor remainder(const Tensor& a, const Tensor& b);
Tensor copysign(const Tensor& a, const Tensor& b);
Tensor logaddexp(const Tensor& a, const Tensor& b);
Tensor logaddexp2(const Tensor& a, const Tensor& b);
Tensor hypot(const Tensor& a, const Tensor& b);
Tensor fmax(const Tensor& a, const Tensor& b);
Tensor fmin(const Tensor& a, const Tensor& b);
Tensor float_power(const Tensor& a, const Tensor& b);
Tensor xlogy(const Tensor& a, const Tensor& b);
// clamp with optional (scalar or tensor) bounds; ClampBackward1 / ClampBackward0.
Tensor clamp(const Tensor& self, const std::optional<Tensor>& min,
             const std::optional<Tensor>& max);
// clamp_min / clamp_max (ClampMinBackward0/1, ClampMaxBackward0/1 for a scalar / tensor bound).
Tensor clamp_min(const Tensor& self, const Tensor& min);
Tensor clamp_max(const Tensor& self, const Tensor& max);
// torch.round: without decimals RoundBackward0; with decimals (even 0) torch's
// round.decimals overload, RoundBackward1.
Tensor round_decimals(const Tensor& self, std::optional<int64_t> decimals);
Tensor square(const Tensor& self);

Tensor isnan(const Tensor& self);
Tensor isinf(const Tensor& self);
Tensor isfinite(const Tensor& self);
Tensor isposinf(const Tensor& self);
Tensor isneginf(const Tensor& self);
Tensor signbit(const Tensor& self);

}  // namespace mlxc
