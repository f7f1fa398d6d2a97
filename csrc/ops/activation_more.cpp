#include "ops/activation_more.h"

#include <cmath>
#include <functional>

#include "ops/binary.h"
#include "ops/pointwise.h"
#include "ops/reduce.h"
#include "ops/shape.h"
#include "ops/view.h"

namespace mlxc {

namespace {

using Fwd = std::function<mx::array(const mx::array&)>;
using Bwd = std::function<Tensor(const Tensor& g, const Tensor& x, const Tensor& y)>;

// How an activation treats integer inputs.
enum class Ints { Reject, Promote, Keep };

// An activation: forward on MLX arrays, backward in mlxc ops of (g, x, y).
Tensor activation(const Tensor& self, const char* name, const Fwd& fwd, const Bwd& bwd,
                  Ints ints = Ints::Reject) {
  const bool integral = !is_floating(self.dtype());
  MLXC_CHECK(!integral || ints != Ints::Reject, NotImplemented, '"', name,
             "\" not implemented for '", scalar_type_name(self.dtype()), "'");
  const ScalarType st = integral && ints == Ints::Promote ? default_float_dtype() : self.dtype();
  Tensor result = make_result(fwd(cast(self, st)), st, {&self});
  if (!needs_grad({&self})) return result;
  auto node = make_node(name, {&self}, [bwd](FnNode& n, TensorList& gs) {
    return TensorList{bwd(gs[0], n.saved(0), n.saved(1))};
  });
  node->save(self);
  node->save(result, true);
  return with_history(result, node);
}

mx::array c(const mx::array& like, double v) { return mx::array(v, like.dtype()); }
Tensor s(double v) { return wrapped_scalar(v); }
// sigmoid accurate in float64 (MLX's exp there is float32-grade).
mx::array sigmoid_accurate(const mx::array& x) {
  if (x.dtype() != mx::float64) return mx::sigmoid(x);
  mx::array e = exp_accurate(mx::negative(mx::abs(x)));
  mx::array pos = mx::divide(c(x, 1.0), mx::add(c(x, 1.0), e));
  return mx::where(mx::greater_equal(x, c(x, 0.0)), pos, mx::multiply(e, pos));
}

Tensor full_like_scalar(const Tensor& x, double v) {
  return make_result(mx::full(x.shape(), v, to_mlx(x.dtype())), x.dtype(), {});
}
Tensor where_gt(const Tensor& x, double t, const Tensor& a, const Tensor& b) {
  return where(gt(x, s(t)), a, b);
}

}  // namespace

Tensor gelu(const Tensor& self, const std::string& approximate) {
  MLXC_CHECK(approximate == "none" || approximate == "tanh", Runtime,
             "approximate argument must be either none or tanh.");
  if (approximate == "tanh") {
    const double k = std::sqrt(2.0 / M_PI);
    return activation(
        self, "GeluBackward0",
        [k](const mx::array& x) {
          mx::array inner = mx::multiply(
              c(x, k), mx::add(x, mx::multiply(c(x, 0.044715), mx::power(x, c(x, 3)))));
          return mx::multiply(mx::multiply(c(x, 0.5), x), mx::add(c(x, 1.0), mx::tanh(inner)));
        },
        [k](const Tensor& g, const Tensor& x, const Tensor&) {
          Tensor x3 = mul(mul(x, x), x);
          Tensor inner = mul(add(x, mul(x3, 0.044715)), k);
          Tensor t = tanh(inner);
          Tensor left = mul(add(t, 1.0), 0.5);
          Tensor dinner = mul(add(mul(mul(x, x), 3 * 0.044715), 1.0), k);
          Tensor right = mul(mul(mul(x, 0.5), rsub(mul(t, t), s(1.0))), dinner);
          return mul(g, add(left, right));
        });
  }
  return activation(
      self, "GeluBackward0",
      [](const mx::array& x) {
        return mx::multiply(mx::multiply(c(x, 0.5), x),
                            mx::add(c(x, 1.0), erf_accurate(mx::multiply(x, c(x, M_SQRT1_2)))));
      },
      [](const Tensor& g, const Tensor& x, const Tensor&) {
        Tensor cdf = mul(add(erf(mul(x, M_SQRT1_2)), 1.0), 0.5);
        Tensor pdf = mul(exp(mul(mul(x, x), -0.5)), 1.0 / std::sqrt(2.0 * M_PI));
        return mul(g, add(cdf, mul(x, pdf)));
      });
}

Tensor silu(const Tensor& self) {
  return activation(
      self, "SiluBackward0",
      [](const mx::array& x) { return mx::multiply(x, sigmoid_accurate(x)); },
      [](const Tensor& g, const Tensor& x, const Tensor&) {
        Tensor sg = sigmoid(x);
        return mul(g, mul(sg, add(mul(x, rsub(sg, s(1.0))), 1.0)));
      });
}

Tensor mish(const Tensor& self) {
  return activation(
      self, "MishBackward0",
      [](const mx::array& x) {
        mx::array sp = mx::where(mx::greater(x, c(x, 20.0)), x, mx::log1p(exp_accurate(x)));
        return mx::multiply(x, mx::tanh(sp));
      },
      [](const Tensor& g, const Tensor& x, const Tensor&) {
        Tensor sp = softplus(x, 1.0, 20.0);
        Tensor t = tanh(sp);
        return mul(g, add(t, mul(mul(x, sigmoid(x)), rsub(mul(t, t), s(1.0)))));
      });
}

namespace {

// elu and celu share the kernel; torch names their nodes apart.
Tensor elu_like(const Tensor& self, double alpha, double scale, double input_scale,
                const char* node) {
  MLXC_CHECK(is_floating(self.dtype()), NotImplemented, "\"elu_cpu\" not implemented for '",
             scalar_type_name(self.dtype()), "'");
  return activation(
      self, node,
      [=](const mx::array& x) {
        mx::array neg =
            mx::multiply(c(x, alpha * scale), mx::expm1(mx::multiply(x, c(x, input_scale))));
        return mx::where(mx::greater(x, c(x, 0.0)), mx::multiply(x, c(x, scale)), neg);
      },
      [=](const Tensor& g, const Tensor& x, const Tensor& y) {
        Tensor neg = mul(add(y, alpha * scale), input_scale);  // d/dx for x <= 0
        return mul(g, where_gt(x, 0.0, full_like_scalar(x, scale), neg));
      });
}

}  // namespace

Tensor elu(const Tensor& self, double alpha, double scale, double input_scale) {
  return elu_like(self, alpha, scale, input_scale, "EluBackward0");
}

Tensor selu(const Tensor& self) {
  return elu(self, 1.6732632423543772848170429916717, 1.0507009873554804934193349852946, 1.0);
}

Tensor celu(const Tensor& self, double alpha) {
  MLXC_CHECK(alpha != 0.0, Runtime, "ZeroDivisionError: alpha cannot be 0 for CELU");
  return elu_like(self, alpha, 1.0, 1.0 / alpha, "CeluBackward0");
}

Tensor leaky_relu(const Tensor& self, double slope) {
  return activation(
      self, "LeakyReluBackward0",
      [slope](const mx::array& x) {
        return mx::where(mx::greater(x, c(x, 0.0)), x, mx::multiply(x, c(x, slope)));
      },
      [slope](const Tensor& g, const Tensor& x, const Tensor&) {
        return where_gt(x, 0.0, g, mul(g, slope));
      });
}

Tensor softplus(const Tensor& self, double beta, double threshold) {
  return activation(
      self, "SoftplusBackward0",
      [=](const mx::array& x) {
        mx::array bx = mx::multiply(x, c(x, beta));
        return mx::where(mx::greater(bx, c(x, threshold)), x,
                         mx::divide(mx::log1p(exp_accurate(bx)), c(x, beta)));
      },
      [=](const Tensor& g, const Tensor& x, const Tensor&) {
        Tensor bx = mul(x, beta);
        return where_gt(bx, threshold, g, mul(g, sigmoid(bx)));
      });
}

Tensor hardtanh(const Tensor& self, double lo, double hi) {
  return activation(
      self, "HardtanhBackward0",
      [=](const mx::array& x) { return mx::clip(x, c(x, lo), c(x, hi)); },
      [=](const Tensor& g, const Tensor& x, const Tensor&) {
        Tensor inside = logical_and(gt(x, s(lo)), lt(x, s(hi)));
        return where(inside, g, zeros_like(g));
      },
      Ints::Keep);
}

Tensor hardsigmoid(const Tensor& self) {
  return activation(
      self, "HardsigmoidBackward0",
      [](const mx::array& x) {
        return mx::divide(mx::clip(mx::add(x, c(x, 3.0)), c(x, 0.0), c(x, 6.0)), c(x, 6.0));
      },
      [](const Tensor& g, const Tensor& x, const Tensor&) {
        Tensor inside = logical_and(gt(x, s(-3.0)), lt(x, s(3.0)));
        return where(inside, div(g, 6.0), zeros_like(g));
      });
}

Tensor hardswish(const Tensor& self) {
  return activation(
      self, "HardswishBackward0",
      [](const mx::array& x) {
        return mx::multiply(
            x, mx::divide(mx::clip(mx::add(x, c(x, 3.0)), c(x, 0.0), c(x, 6.0)), c(x, 6.0)));
      },
      [](const Tensor& g, const Tensor& x, const Tensor&) {
        Tensor mid = mul(g, add(div(x, 3.0), 0.5));
        Tensor out = where(lt(x, s(-3.0)), zeros_like(g), where(le(x, s(3.0)), mid, g));
        return out;
      });
}

// torch composes softsign and tanhshrink in Python: DivBackward0 / SubBackward0.
Tensor softsign(const Tensor& self) { return div(self, add(abs(self), 1.0)); }

Tensor tanhshrink(const Tensor& self) { return sub(self, tanh(self)); }

Tensor softshrink(const Tensor& self, double l) {
  MLXC_CHECK(l >= 0, Runtime, "lambda must be greater or equal to 0, but found to be ", l, ".");
  return activation(
      self, "SoftshrinkBackward0",
      [l](const mx::array& x) {
        return mx::where(mx::greater(x, c(x, l)), mx::subtract(x, c(x, l)),
                         mx::where(mx::less(x, c(x, -l)), mx::add(x, c(x, l)), c(x, 0.0)));
      },
      [l](const Tensor& g, const Tensor& x, const Tensor&) {
        return where(gt(abs(x), s(l)), g, zeros_like(g));
      });
}

Tensor hardshrink(const Tensor& self, double l) {
  return activation(
      self, "HardshrinkBackward0",
      [l](const mx::array& x) { return mx::where(mx::greater(mx::abs(x), c(x, l)), x, c(x, 0.0)); },
      [l](const Tensor& g, const Tensor& x, const Tensor&) {
        return where(gt(abs(x), s(l)), g, zeros_like(g));
      });
}

Tensor logsigmoid(const Tensor& self) {
  return activation(
      self, "LogSigmoidBackward0",
      [](const mx::array& x) {
        // -softplus(-x), stable on both sides.
        mx::array z = mx::zeros_like(x);
        return mx::subtract(mx::minimum(x, z), mx::log1p(exp_accurate(mx::negative(mx::abs(x)))));
      },
      [](const Tensor& g, const Tensor& x, const Tensor&) { return mul(g, sigmoid(neg(x))); });
}

Tensor threshold(const Tensor& self, double t, double value) {
  mx::array x = self.value();
  mx::array out =
      mx::where(mx::greater(x, mx::array(t, x.dtype())), x, mx::array(value, x.dtype()));
  Tensor result = make_result(out, self.dtype(), {&self});
  if (!needs_grad({&self})) return result;
  auto node = make_node("ThresholdBackward0", {&self}, [t](FnNode& n, TensorList& gs) {
    return TensorList{threshold_backward(gs[0], n.saved(0), t)};
  });
  node->save(self);
  return with_history(result, node);
}

Tensor glu(const Tensor& self, int64_t dim) {
  MLXC_CHECK(self.dim() > 0, Runtime,
             "glu does not support scalars because halving size must be even");
  MLXC_CHECK(is_floating(self.dtype()), NotImplemented, "\"glu_cpu\" not implemented for '",
             scalar_type_name(self.dtype()), "'");
  const int64_t d = wrap_dim(dim, self.dim());
  MLXC_CHECK(self.sizes()[d] % 2 == 0, Runtime, "Halving dimension must be even, but dimension ", d,
             " is size ", self.sizes()[d]);
  Tensor result = [&] {
    AutoGradMode no_grad(false);
    TensorList halves = chunk(self, 2, d);
    return mul(halves[0], sigmoid(halves[1]));
  }();
  result = make_result(result.value(), result.dtype(), {});
  if (!needs_grad({&self})) return result;
  // glu_backward: [sigmoid(b) g, sigmoid(b) (1 - sigmoid(b)) a g] along dim.
  auto node = make_node("GluBackward0", {&self}, [d](FnNode& n, TensorList& gs) {
    TensorList halves = chunk(n.saved(0), 2, d);
    const Tensor sb = sigmoid(halves[1]);
    const Tensor ga = mul(sb, gs[0]);
    const Tensor gb = mul(mul(mul(sb, rsub(sb, s(1.0))), halves[0]), gs[0]);
    return TensorList{cat({ga, gb}, d)};
  });
  node->save(self);
  return with_history(result, node);
}

namespace {

// torch's _prelu_kernel: x where x > 0, w x elsewhere (w broadcasts over x).
Tensor prelu_kernel(const Tensor& self, const Tensor& weight) {
  Tensor result = [&] {
    AutoGradMode no_grad(false);
    return where(gt(self, s(0.0)), self, mul(weight, self));
  }();
  result = make_result(result.value(), result.dtype(), {});
  if (!needs_grad({&self, &weight})) return result;
  auto node = make_node("PreluKernelBackward0", {&self, &weight}, [](FnNode& n, TensorList& gs) {
    const Tensor x = n.saved(0), w = n.saved(1);
    const Tensor pos = gt(x, s(0.0));
    TensorList r(2);
    if (n.needs_input_grad(0)) r[0] = where(pos, gs[0], mul(w, gs[0]));
    if (n.needs_input_grad(1)) {
      r[1] = sum_to(where(pos, zeros_like(gs[0]), mul(x, gs[0])), w.sizes());
    }
    return r;
  });
  node->save(self);
  node->save(weight);
  return with_history(result, node);
}

}  // namespace

Tensor prelu(const Tensor& self, const Tensor& weight) {
  MLXC_CHECK(self.dtype() == weight.dtype(), Runtime, "prelu: Type promoting not supported. Got ",
             scalar_type_name(self.dtype()), " and ", scalar_type_name(weight.dtype()));
  if (weight.numel() != 1) {
    MLXC_CHECK(self.dim() > 0, Runtime, "Not allow zero-dim input tensor.");
    // Inputs below 2-d have one channel, as in torch.
    const int64_t channels = self.dim() >= 2 ? self.sizes()[1] : 1;
    MLXC_CHECK(weight.numel() == channels, Runtime,
               "Mismatch of parameter numbers and input channel size. Found parameter numbers = ",
               weight.numel(), " and channel size = ", channels, ".");
  }
  MLXC_CHECK(
      weight.dim() <= 1, Runtime,
      "prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = ", weight.dim());
  MLXC_CHECK(is_floating(self.dtype()), NotImplemented, "\"prelu_cpu\" not implemented for '",
             scalar_type_name(self.dtype()), "'");
  Tensor w = weight;
  if (self.dim() != weight.dim()) {
    IntArray shape(self.dim(), 1);
    if (self.dim() > 1) shape[1] = weight.numel();
    w = reshape(weight, shape);
  }
  return prelu_kernel(self, w);
}

}  // namespace mlxc
