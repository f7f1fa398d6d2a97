// Complex numbers: the real<->complex views (view_as_real, view_as_complex,
// real, imag: views that read the storage as another dtype), and torch.complex /
// torch.polar.
#pragma once

#include "ops/common.h"

namespace mlxc {

Tensor view_as_real(const Tensor& self);
Tensor view_as_complex(const Tensor& self);
Tensor real(const Tensor& self);
Tensor imag(const Tensor& self);
Tensor complex(const Tensor& real, const Tensor& imag);
Tensor polar(const Tensor& abs, const Tensor& angle);
// Complex conjugate computed as a new value (ConjBackward0); a real tensor is
// returned as it is. The arithmetic helper backward formulas use.
Tensor conj(const Tensor& self);
// torch.conj / Tensor.conj: for complex tensors a view with the conjugate bit
// toggled (torch's _conj; Note [Conjugate and negative views]).
Tensor conj_view(const Tensor& self);
// torch._neg_view: a view with the negative bit toggled (NegViewBackward0).
Tensor neg_view(const Tensor& self);
Tensor conj_physical(const Tensor& self);
// conj for complex tensors, the tensor itself otherwise (no graph node): the
// factor torch's backward formulas write as `.conj()`.
Tensor conj_if_complex(const Tensor& self);
// The real part of a complex gradient flowing to an input of real dtype `input`
// (torch's handle_r_to_c); g unchanged otherwise.
Tensor handle_r_to_c(ScalarType input, const Tensor& g);
// A 0-d scalar's value as a double (evaluates it); NaN when it is complex with
// a non-zero imaginary part, so it matches none of the 0/1 shortcuts.
double scalar_as_real(const Tensor& s);
// A scalar argument (alpha, beta, value, weight) for an op computing in dtype
// st: a complex scalar against a real st must have a zero imaginary part (else
// torch's RuntimeError) and becomes its real value; anything else is returned.
Tensor scalar_for_dtype(const Tensor& s, ScalarType st);
// Without lazy conjugate / negative bits these return the input.
Tensor resolve_conj(const Tensor& self);
Tensor resolve_neg(const Tensor& self);
// Tensor.view(dtype): the same bytes read as another dtype.
Tensor view_dtype(const Tensor& self, ScalarType dtype);

}  // namespace mlxc
