// Uniform unary pointwise operators, one row each. A row expands into the
// declaration (pointwise.h), the definition (pointwise.cpp) and the Python
// binding (csrc/python/pointwise.cpp: function, method, in-place method).
//
// Columns: name, grad_fn name, result dtype rule (Float: integers promote to
// the default float dtype; Keep: same dtype), MLX forward of `x` (the input
// already in the result dtype), backward expression of `g` (incoming grad),
// `self` (input) and `result` (output), and which of self/result it needs.
#pragma once

#define MLXC_UNARY_OPS(_)                                                                          \
  _(exp, "ExpBackward0", Float, exp_accurate(x), mul(g, result), false, true)                      \
  _(log, "LogBackward0", Float, mx::log(x), div(g, self), true, false)                             \
  _(sqrt, "SqrtBackward0", Float, mx::sqrt(x), div(g, mul(result, 2.0)), false, true)              \
  _(abs, "AbsBackward0", Keep, mx::abs(x), mul(g, sgn(self)), true, false)                         \
  _(neg, "NegBackward0", Keep, negate_checked(x), neg(g), false, false)                            \
  _(reciprocal, "ReciprocalBackward0", Float, mx::reciprocal(x), mul(neg(g), mul(result, result)), \
    false, true)                                                                                   \
  _(sign, "SignBackward0", Keep, mx::sign(x), zeros_like(g), false, false)                         \
  _(sgn, "SgnBackward0", Keep, mx::sign(x), zeros_like(g), false, false)                           \
  _(relu, "ReluBackward0", Keep, mx::maximum(x, mx::zeros({}, x.dtype())),                         \
    threshold_backward(g, result, 0.0), false, true)
