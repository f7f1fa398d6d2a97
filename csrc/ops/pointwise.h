// Pointwise operators: unary (see pointwise_table.h), binary arithmetic with
// torch's promotion, comparisons, where, and the in-place machinery.
#pragma once

#include <string>

#include "ops/common.h"
#include "ops/pointwise_table.h"

namespace mlxc {

#define MLXC_DECLARE_UNARY(name, ...) Tensor name(const Tensor& self);
MLXC_UNARY_OPS(MLXC_DECLARE_UNARY)
#undef MLXC_DECLARE_UNARY

// Binary arithmetic. `alpha` scales the second operand as torch.add/sub do.
Tensor add(const Tensor& a, const Tensor& b, const Tensor& alpha = Tensor());
Tensor sub(const Tensor& a, const Tensor& b, const Tensor& alpha = Tensor());
// b - alpha * a (torch.rsub; RsubBackward1 when b is a Python number).
Tensor rsub(const Tensor& a, const Tensor& b, const Tensor& alpha = Tensor());
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
// torch.div with rounding_mode "trunc" or "floor" (zero gradient, DivBackward2).
Tensor div_rounding(const Tensor& a, const Tensor& b, const std::string& mode);
Tensor pow(const Tensor& a, const Tensor& b);
Tensor maximum(const Tensor& a, const Tensor& b);
Tensor minimum(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, double b);
Tensor div(const Tensor& a, double b);
Tensor add(const Tensor& a, double b);

// Comparisons (bool results, no gradient).
Tensor eq(const Tensor& a, const Tensor& b);
Tensor ne(const Tensor& a, const Tensor& b);
Tensor lt(const Tensor& a, const Tensor& b);
Tensor le(const Tensor& a, const Tensor& b);
Tensor gt(const Tensor& a, const Tensor& b);
Tensor ge(const Tensor& a, const Tensor& b);

Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b);

// Bitwise ops (integral and bool dtypes) and logical ops (any dtype, bool result).
Tensor bitwise_and(const Tensor& a, const Tensor& b);
Tensor bitwise_or(const Tensor& a, const Tensor& b);
Tensor bitwise_xor(const Tensor& a, const Tensor& b);
Tensor bitwise_not(const Tensor& a);
Tensor logical_and(const Tensor& a, const Tensor& b);
Tensor logical_or(const Tensor& a, const Tensor& b);
Tensor logical_xor(const Tensor& a, const Tensor& b);
Tensor logical_not(const Tensor& a);
// Gradient of relu/threshold: g where self > threshold, else 0.
Tensor threshold_backward(const Tensor& g, const Tensor& self, double threshold);
// addcmul / addcdiv / lerp, as in torch (value/weight scalars or tensors).
Tensor addcmul(const Tensor& self, const Tensor& t1, const Tensor& t2, const Tensor& value);
Tensor addcdiv(const Tensor& self, const Tensor& t1, const Tensor& t2, const Tensor& value);
Tensor lerp(const Tensor& self, const Tensor& end, const Tensor& weight);

// Type conversion (ToCopyBackward0); returns self when nothing changes and !copy.
Tensor to_dtype(const Tensor& self, ScalarType dtype, bool copy = false);
Tensor clone(const Tensor& self);
Tensor zeros_like(const Tensor& self);
Tensor ones_like(const Tensor& self);

// torch's preserve_format: `result` (values in logical order) laid out with the
// strides of `like` when `like` is dense but not row-major; unchanged otherwise.
Tensor keep_dense_layout(const Tensor& result, const Tensor& like);
// Re-lays a tensor that nothing else holds yet (a fresh copy; not a view) with
// dense strides whose dimensions run outermost to innermost in `order` (torch's
// channels-last formats); its identity and history stay.
void adopt_memory_order(const Tensor& fresh, const std::vector<int>& order);

// In-place: writes `result` into `self` with torch's checks and rebases autograd
// history. All `op_` variants are built on it (csrc/python derives them).
const Tensor& apply_inplace(const Tensor& self, const Tensor& result, bool check_cast = true);
const Tensor& copy_(const Tensor& self, const Tensor& src);
const Tensor& fill_(const Tensor& self, const Tensor& value);
const Tensor& zero_(const Tensor& self);

}  // namespace mlxc
