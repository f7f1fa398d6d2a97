// Shared toolkit for writing operators: torch's result_type, operand casting,
// result construction and autograd recording.
//
// Note [Writing an operator]
// An operator is one C++ function in its family file. It
//   1. validates arguments, raising torch's exception class (MLXC_CHECK),
//   2. computes the result dtype (result_type) and casts operands (cast),
//   3. builds the MLX expression and wraps it (make_result),
//   4. if any input requires grad (needs_grad), records one FnNode whose
//      backward lambda sits right below, written with mlxc Tensor ops so that
//      double backward works. Saved tensors go through FnNode::save.
// The Python binding is one line in csrc/python/.
#pragma once

#include <complex>
#include <initializer_list>
#include <optional>
#include <utility>
#include <vector>

#include "core/error.h"
#include "core/grad_mode.h"
#include "core/graph.h"
#include "core/tensor.h"
#include "mlx/ops.h"

namespace mlxc {

using TensorRefs = std::initializer_list<const Tensor*>;

// MLX's CPU scatter kernels fault (integer division by zero, SIGFPE) when the
// target or the updates are empty. Nothing is written then, so every scatter
// goes through this guard and an empty case keeps the target as it is.
template <class F>
mx::array scatter_nonempty(const mx::array& target, const mx::array& updates, F&& scatter) {
  return target.size() == 0 || updates.size() == 0 ? target : scatter();
}

// A Python number as torch's "wrapped number" 0-d tensor (weak in promotion).
Tensor wrapped_scalar(double v);
Tensor wrapped_scalar(int64_t v);
Tensor wrapped_scalar(bool v);
Tensor wrapped_scalar(std::complex<double> v);
// A 0-d tensor of the given dtype holding v (not wrapped).
Tensor scalar_tensor(double v, ScalarType dtype);

// torch.result_type over tensors, honouring dimensioned / 0-d / wrapped tiers.
ScalarType result_type(TensorRefs tensors);
// The value of t converted to dtype (wrapped scalars are rebuilt directly).
mx::array cast(const Tensor& t, ScalarType dtype);
// Converts a float-like op's integer/bool result dtype to the default float dtype.
ScalarType to_float_dtype(ScalarType t);

// Wraps an MLX result as a new tensor; tracks pending-graph depth.
Tensor make_result(mx::array v, ScalarType dtype, TensorRefs inputs);

// Whether grad mode is on and any input requires grad.
bool needs_grad(TensorRefs inputs);
// Creates a node whose next edges are the inputs' gradient edges.
std::shared_ptr<FnNode> make_node(const char* name, TensorRefs inputs, FnNode::Fn fn);
// Records `node` as grad_fn of `out` (output 0) and returns out.
inline Tensor with_history(Tensor out, const std::shared_ptr<FnNode>& node) {
  set_history(out, node);
  return out;
}

// Dimension helpers with torch's IndexError text.
int64_t wrap_dim(int64_t d, int64_t ndim);
std::vector<int> wrap_dims(const std::vector<int64_t>& dims, int64_t ndim);
// Broadcast shape of two size lists, torch's RuntimeError text on mismatch.
IntArray broadcast_sizes(const IntArray& a, const IntArray& b);
std::string sizes_str(const IntArray& s);

// exp that is accurate for float64 (MLX's CPU kernel is float32-grade there and
// overflows past |x| > 88); other dtypes use MLX's exp.
mx::array exp_accurate(const mx::array& x);
// sin and cos that are accurate for float64 (MLX's CPU kernels are float32-grade
// there); other dtypes use MLX's kernels.
mx::array sin_accurate(const mx::array& x);
mx::array cos_accurate(const mx::array& x);
// erf / erfinv / logaddexp accurate for float64 (MLX's are float32-grade there).
mx::array erf_accurate(const mx::array& x);
mx::array erfinv_accurate(const mx::array& x);
mx::array logaddexp_accurate(const mx::array& a, const mx::array& b);

// Reads a host scalar from an evaluated 0-d or 1-element array.
double item_double(const mx::array& a);

// Data checks torch makes on values (index bounds, class labels, q ranges):
// each evaluates once, a sync point (see "Evaluation policy" in
// docs/ARCHITECTURE.md). host_min_max wants a non-empty array and reads it as
// int64; host_any / host_all reduce a boolean array (empty: false / true).
std::pair<int64_t, int64_t> host_min_max(const mx::array& v);
bool host_any(const mx::array& cond);
bool host_all(const mx::array& cond);

}  // namespace mlxc
