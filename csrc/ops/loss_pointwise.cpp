#include "ops/loss_pointwise.h"

#include "core/eval.h"
#include "ops/activation_more.h"
#include "ops/binary.h"
#include "ops/numeric.h"
#include "ops/pointwise.h"
#include "ops/reduce.h"

namespace mlxc {

namespace {

// torch refuses gradients for arguments its loss kernels treat as constants.
void check_no_requires_grad(const std::optional<Tensor>& t, const char* arg, const char* fn) {
  MLXC_CHECK(!(t && t->defined() && t->requires_grad() && GradMode::is_enabled()), Runtime,
             "The function '", fn, "' is not differentiable with respect to argument '", arg,
             "'. This input cannot have requires_grad True.");
}

// Operands written into an output of `out` shape (torch's in-place kernels).
void check_fits(const IntArray& out, const IntArray& operand) {
  const IntArray b = broadcast_sizes(out, operand);
  MLXC_CHECK(b == out, Runtime, "output with shape ", sizes_str(out),
             " doesn't match the broadcast shape ", sizes_str(b));
}

// The kernels write into an output of dtype `out`; the computation's dtype must cast to it.
void check_output_cast(ScalarType computed, ScalarType out) {
  MLXC_CHECK(can_cast(computed, out), Runtime, "result type ", scalar_type_name(computed),
             " can't be cast to the desired output type ", scalar_type_name(out));
}

void check_same_dtype(const Tensor& self, const Tensor& other) {
  MLXC_CHECK(self.dtype() == other.dtype(), Runtime, "Found dtype ",
             scalar_type_name(other.dtype()), " but expected ", scalar_type_name(self.dtype()));
}

void check_floating(ScalarType st, const char* kernel) {
  MLXC_CHECK(is_floating(st), NotImplemented, '"', kernel, "\" not implemented for '",
             scalar_type_name(st), "'");
}

Tensor reduce(const Tensor& loss, Reduction r) {
  if (r == Reduction::Sum) return sum(loss);
  if (r == Reduction::Mean) return mean(loss);
  return loss;
}

// The incoming gradient with the mean's 1/n folded in.
Tensor scaled(const Tensor& g, Reduction r, int64_t n) {
  return r == Reduction::Mean ? div(g, static_cast<double>(n)) : g;
}

Tensor s(double v) { return wrapped_scalar(v); }

// The reduced forward value as a fresh result without history.
Tensor detached(const Tensor& t) { return make_result(t.value(), t.dtype(), {}); }

}  // namespace

Tensor binary_cross_entropy(const Tensor& self, const Tensor& target,
                            const std::optional<Tensor>& weight, Reduction reduction) {
  check_no_requires_grad(weight, "weight", "binary_cross_entropy");
  check_same_dtype(self, target);
  check_floating(self.dtype(), "binary_cross_entropy");
  if (weight) check_fits(self.sizes(), weight->sizes());
  if (self.numel() > 0) {
    // torch checks every probability and label on the host.
    auto in_range = [](const Tensor& v) {
      const mx::array x = v.value();
      return mx::all(mx::logical_and(mx::greater_equal(x, mx::array(0.0, x.dtype())),
                                     mx::less_equal(x, mx::array(1.0, x.dtype()))));
    };
    mx::array ok_in = in_range(self), ok_tgt = in_range(target);
    eval_arrays({ok_in, ok_tgt});
    MLXC_CHECK(ok_in.item<bool>(), Runtime, "all elements of input should be between 0 and 1");
    MLXC_CHECK(ok_tgt.item<bool>(), Runtime, "all elements of target should be between 0 and 1");
  }
  const ScalarType st = self.dtype();
  Tensor result = [&] {
    AutoGradMode no_grad(false);
    // Logs clamped at -100 keep 0 and 1 finite.
    const Tensor log_p = clamp(log(self), s(-100.0), std::nullopt);
    const Tensor log_1mp = clamp(log(rsub(self, s(1.0))), s(-100.0), std::nullopt);
    Tensor loss = neg(add(mul(target, log_p), mul(rsub(target, s(1.0)), log_1mp)));
    if (weight) loss = to_dtype(mul(loss, *weight), st);
    return reduce(loss, reduction);
  }();
  result = detached(result);
  if (!needs_grad({&self, &target})) return result;
  const int64_t n = self.numel();
  auto node = make_node("BinaryCrossEntropyBackward0", {&self, &target},
                        [reduction, n, has_w = weight.has_value()](FnNode& nd, TensorList& gs) {
                          const Tensor x = nd.saved(0), t = nd.saved(1);
                          const Tensor g = scaled(gs[0], reduction, n);
                          TensorList r(2);
                          if (nd.needs_input_grad(0)) {
                            // g (x - t) / max(x (1 - x), eps)
                            const Tensor den = maximum(mul(rsub(x, s(1.0)), x), s(1e-12));
                            r[0] = div(mul(g, sub(x, t)), den);
                            if (has_w) r[0] = mul(r[0], nd.saved(2));
                          }
                          if (nd.needs_input_grad(1)) {
                            r[1] = mul(neg(logit(x, std::nullopt)), g);
                            if (has_w) r[1] = mul(r[1], nd.saved(2));
                          }
                          return r;
                        });
  node->save(self);
  node->save(target);
  if (weight) node->save(*weight);
  return with_history(result, node);
}

Tensor binary_cross_entropy_with_logits(const Tensor& self, const Tensor& target,
                                        const std::optional<Tensor>& weight,
                                        const std::optional<Tensor>& pos_weight,
                                        Reduction reduction) {
  check_no_requires_grad(weight, "weight", "binary_cross_entropy_with_logits");
  check_no_requires_grad(pos_weight, "pos_weight", "binary_cross_entropy_with_logits");
  check_floating(self.dtype(), "log_sigmoid_cpu");
  if (pos_weight) check_fits(self.sizes(), broadcast_sizes(pos_weight->sizes(), target.sizes()));
  // The loss is accumulated into a tensor of target's dtype (torch's in-place steps).
  const ScalarType out = target.dtype();
  if (out != ScalarType::Bool) check_output_cast(result_type({&self, &target}), out);
  if (weight) check_fits(target.sizes(), weight->sizes());
  Tensor result = [&] {
    AutoGradMode no_grad(false);
    // (1 - t) x - (1 + (pw - 1) t) log_sigmoid(x)
    Tensor ls = neg(logsigmoid(self));
    if (pos_weight) ls = mul(add(mul(sub(*pos_weight, s(1.0)), target), 1.0), ls);
    Tensor loss = add(mul(rsub(target, s(1.0)), self), ls);
    if (weight) loss = mul(loss, *weight);
    return reduce(to_dtype(loss, out), reduction);
  }();
  result = detached(result);
  if (!needs_grad({&self, &target})) return result;
  const int64_t n = self.numel();
  auto node = make_node("BinaryCrossEntropyWithLogitsBackward0", {&self, &target},
                        [reduction, n, has_w = weight.has_value(), has_pw = pos_weight.has_value()](
                            FnNode& nd, TensorList& gs) {
                          const Tensor x = nd.saved(0), t = nd.saved(1);
                          const Tensor g = scaled(gs[0], reduction, n);
                          const Tensor w = has_w ? nd.saved(2) : Tensor();
                          const Tensor pw = has_pw ? nd.saved(has_w ? 3 : 2) : Tensor();
                          TensorList r(2);
                          if (nd.needs_input_grad(0)) {
                            if (has_pw) {
                              // (pw t + 1 - t) sigmoid(x) - pw t
                              const Tensor pt = mul(pw, t);
                              r[0] = sub(mul(sub(add(pt, 1.0), t), sigmoid(x)), pt);
                            } else {
                              r[0] = sub(sigmoid(x), t);
                            }
                            r[0] = mul(r[0], g);
                            if (has_w) r[0] = mul(r[0], w);
                          }
                          if (nd.needs_input_grad(1)) {
                            // log_sigmoid(-x) - pw log_sigmoid(x), or -x without pos_weight
                            r[1] =
                                has_pw ? sub(logsigmoid(neg(x)), mul(logsigmoid(x), pw)) : neg(x);
                            r[1] = mul(r[1], g);
                            if (has_w) r[1] = mul(r[1], w);
                            r[1] = sum_to(r[1], t.sizes());
                          }
                          return r;
                        });
  node->save(self);
  node->save(target);
  if (weight) node->save(*weight);
  if (pos_weight) node->save(*pos_weight);
  return with_history(result, node);
}

Tensor soft_margin_loss(const Tensor& self, const Tensor& target, Reduction reduction) {
  check_no_requires_grad(target, "target", "soft_margin_loss");
  const ScalarType st = self.dtype();
  check_output_cast(to_float_dtype(result_type({&self, &target})), st);
  check_fits(self.sizes(), target.sizes());
  Tensor result = [&] {
    AutoGradMode no_grad(false);
    // log(1 + exp(-t x)), the product kept in self's dtype
    return reduce(log1p(exp(to_dtype(mul(neg(target), self), st))), reduction);
  }();
  result = detached(result);
  if (!needs_grad({&self})) return result;
  const int64_t n = self.numel();
  auto node =
      make_node("SoftMarginLossBackward0", {&self}, [reduction, n](FnNode& nd, TensorList& gs) {
        const Tensor x = nd.saved(0), t = nd.saved(1);
        // -t z / (1 + z) g with z = exp(-t x)
        const Tensor z = exp(mul(neg(t), x));
        const Tensor gi = mul(div(mul(mul(t, z), -1.0), add(z, 1.0)), scaled(gs[0], reduction, n));
        return TensorList{to_dtype(gi, x.dtype())};
      });
  node->save(self);
  node->save(target);
  return with_history(result, node);
}

namespace {

// d/dx of smooth_l1 (k = 1 / beta, outer 1) and huber (k = 1, outer delta):
// the difference d = x - y scaled by k inside (-lim, lim), outer sign(d) outside.
Tensor piecewise_grad(const Tensor& g, const Tensor& x, const Tensor& y, double lim, double outer,
                      double k) {
  const Tensor d = sub(x, y);
  const Tensor inner = k == 1.0 ? mul(d, g) : mul(mul(d, g), k);
  return where(le(d, s(-lim)), mul(g, -outer), where(ge(d, s(lim)), mul(g, outer), inner));
}

}  // namespace

Tensor smooth_l1_loss(const Tensor& self, const Tensor& target, Reduction reduction, double beta) {
  MLXC_CHECK(beta >= 0, Runtime, "smooth_l1_loss does not support negative values for beta.");
  check_floating(result_type({&self, &target}), "smooth_l1_cpu");
  Tensor result = [&] {
    AutoGradMode no_grad(false);
    const Tensor z = abs(sub(self, target));
    const Tensor quad = div(mul(mul(z, 0.5), z), beta);
    return reduce(where(lt(z, s(beta)), quad, sub(z, s(0.5 * beta))), reduction);
  }();
  result = detached(result);
  if (!needs_grad({&self, &target})) return result;
  int64_t n = 1;
  for (auto v : broadcast_sizes(self.sizes(), target.sizes())) n *= v;
  auto node = make_node(
      "SmoothL1LossBackward0", {&self, &target}, [reduction, n, beta](FnNode& nd, TensorList& gs) {
        const Tensor x = nd.saved(0), y = nd.saved(1);
        const Tensor g = scaled(gs[0], reduction, n);
        TensorList r(2);
        if (nd.needs_input_grad(0))
          r[0] = sum_to(piecewise_grad(g, x, y, beta, 1.0, 1.0 / beta), x.sizes());
        if (nd.needs_input_grad(1))
          r[1] = sum_to(piecewise_grad(g, y, x, beta, 1.0, 1.0 / beta), y.sizes());
        return r;
      });
  node->save(self);
  node->save(target);
  return with_history(result, node);
}

Tensor huber_loss(const Tensor& self, const Tensor& target, Reduction reduction, double delta) {
  MLXC_CHECK(delta > 0, Runtime, "huber_loss does not support non-positive values for delta.");
  const ScalarType st = self.dtype();
  const ScalarType common = result_type({&self, &target});
  check_floating(common, "huber_cpu");
  check_output_cast(common, st);
  Tensor result = [&] {
    AutoGradMode no_grad(false);
    const Tensor z = abs(sub(self, target));
    const Tensor lin = mul(sub(z, s(0.5 * delta)), delta);
    return reduce(to_dtype(where(lt(z, s(delta)), mul(mul(z, 0.5), z), lin), st), reduction);
  }();
  result = detached(result);
  if (!needs_grad({&self, &target})) return result;
  int64_t n = 1;
  for (auto v : broadcast_sizes(self.sizes(), target.sizes())) n *= v;
  auto node = make_node("HuberLossBackward0", {&self, &target},
                        [reduction, n, delta](FnNode& nd, TensorList& gs) {
                          const Tensor x = nd.saved(0), y = nd.saved(1);
                          // torch's backward kernel wants both operands in one dtype.
                          check_same_dtype(x, y);
                          const Tensor g = scaled(gs[0], reduction, n);
                          TensorList r(2);
                          if (nd.needs_input_grad(0))
                            r[0] = sum_to(piecewise_grad(g, x, y, delta, delta, 1.0), x.sizes());
                          if (nd.needs_input_grad(1))
                            r[1] = sum_to(piecewise_grad(g, y, x, delta, delta, 1.0), y.sizes());
                          return r;
                        });
  node->save(self);
  node->save(target);
  return with_history(result, node);
}

}  // namespace mlxc
