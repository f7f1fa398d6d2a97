#include "ops/activation.h"

#include "ops/pointwise.h"
#include "ops/reduce.h"

namespace mlxc {

namespace {

ScalarType softmax_dtype(const Tensor& self, std::optional<ScalarType> dtype, const char* name) {
  const ScalarType st = dtype ? *dtype : self.dtype();
  MLXC_CHECK(is_floating(st), NotImplemented, '"', name,
             "_lastdim_kernel_impl\" not implemented for '", scalar_type_name(st), "'");
  return st;
}

// MLX's fused softmax evaluates float64 at float32 precision; compose it instead.
mx::array softmax_values(const mx::array& x, int axis) {
  if (x.dtype() != mx::float64) return mx::softmax(x, axis, true);
  mx::array e = exp_accurate(mx::subtract(x, mx::max(x, axis, true)));
  return mx::divide(e, mx::sum(e, axis, true));
}

// x - logsumexp(x) along axis; float64 composes it from the accurate exp.
mx::array log_softmax_values(const mx::array& x, int axis) {
  if (x.dtype() != mx::float64) return mx::subtract(x, mx::logsumexp(x, axis, true));
  mx::array m = mx::max(x, axis, true);
  m = mx::where(mx::isinf(m), mx::zeros_like(m), m);
  mx::array shifted = mx::subtract(x, m);
  return mx::subtract(shifted, mx::log(mx::sum(exp_accurate(shifted), axis, true)));
}

}  // namespace

Tensor softmax(const Tensor& self, int64_t dim, std::optional<ScalarType> dtype) {
  const ScalarType st = softmax_dtype(self, dtype, "softmax");
  const int64_t d = wrap_dim(dim, self.dim());
  Tensor in = dtype ? to_dtype(self, st) : self;
  mx::array x = in.value();
  mx::array out = self.dim() == 0     ? mx::ones_like(x)
                  : self.numel() == 0 ? x
                                      : softmax_values(x, static_cast<int>(d));
  Tensor result = make_result(out, st, {&in});
  if (!needs_grad({&in})) return result;
  auto node = make_node("SoftmaxBackward0", {&in}, [d](FnNode& n, TensorList& gs) {
    Tensor y = n.saved(0);
    Tensor gy = mul(gs[0], y);
    return TensorList{sub(gy, mul(y, sum(gy, std::vector<int64_t>{d}, true)))};
  });
  node->save(result, true);
  return with_history(result, node);
}

Tensor log_softmax(const Tensor& self, int64_t dim, std::optional<ScalarType> dtype) {
  const ScalarType st = softmax_dtype(self, dtype, "log_softmax");
  const int64_t d = wrap_dim(dim, self.dim());
  Tensor in = dtype ? to_dtype(self, st) : self;
  mx::array x = in.value();
  mx::array out = self.dim() == 0     ? mx::zeros_like(x)
                  : self.numel() == 0 ? x
                                      : log_softmax_values(x, static_cast<int>(d));
  Tensor result = make_result(out, st, {&in});
  if (!needs_grad({&in})) return result;
  auto node = make_node("LogSoftmaxBackward0", {&in}, [d](FnNode& n, TensorList& gs) {
    Tensor y = n.saved(0);
    Tensor gsum = sum(gs[0], std::vector<int64_t>{d}, true);
    return TensorList{sub(gs[0], mul(exp(y), gsum))};
  });
  node->save(result, true);
  return with_history(result, node);
}

}  // namespace mlxc
