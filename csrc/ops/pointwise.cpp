#include "ops/pointwise.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string_view>

#include "ops/complex.h"
#include "ops/reduce.h"
#include "ops/shape.h"
#include "ops/view_grad.h"

namespace mlxc {

namespace {

mx::array negate_checked(const mx::array& x) {
  MLXC_CHECK(x.dtype() != mx::bool_, Runtime,
             "Negation, the `-` operator, on a bool tensor is not supported. If you are trying "
             "to invert a mask, use the `~` or `logical_not()` operator instead.");
  return mx::negative(x);
}

ScalarType unary_dtype_Float(ScalarType t) { return to_float_dtype(t); }
ScalarType unary_dtype_Real(ScalarType t) { return is_complex(t) ? ScalarType::Float32 : t; }

mx::array scalar_like(const mx::array& x, double v) { return mx::array(v, x.dtype()); }

// Rounding ops leave integers unchanged.
mx::array round_like(const mx::array& x, mx::array (*f)(const mx::array&, mx::StreamOrDevice)) {
  return mx::issubdtype(x.dtype(), mx::inexact) ? f(x, {}) : x;
}

// 1 / (1 + exp(-x)), evaluated without overflow on either side.
mx::array sigmoid_values(const mx::array& x) {
  if (x.dtype() == mx::complex64) {
    return mx::reciprocal(mx::add(mx::exp(mx::negative(x)), mx::ones({}, x.dtype())));
  }
  if (x.dtype() != mx::float64) return mx::sigmoid(x);
  mx::array e = exp_accurate(mx::negative(mx::abs(x)));
  mx::array one = mx::ones({}, x.dtype());
  mx::array pos = mx::divide(one, mx::add(one, e));
  return mx::where(mx::greater_equal(x, mx::zeros({}, x.dtype())), pos, mx::multiply(e, pos));
}

// MLX has no complex expm1: exp(x) - 1 there.
mx::array expm1_values(const mx::array& x) {
  if (x.dtype() != mx::complex64) return mx::expm1(x);
  return mx::subtract(mx::exp(x), mx::ones({}, x.dtype()));
}

// Gradient of sgn: zero for real inputs; for complex,
// (g - sgn^2 conj(g)) / (2 |x|), zero where x == 0.
Tensor sgn_backward(const Tensor& g, const Tensor& self, const Tensor& result) {
  if (!is_complex(self.dtype())) return zeros_like(g);
  Tensor a = abs(self);
  Tensor d = div(sub(g, mul(mul(result, result), conj(g))), mul(a, 2.0));
  return where(eq(a, wrapped_scalar(0.0)), zeros_like(d), d);
}

// d acosh / dx: 1 / sqrt(x^2 - 1) for reals; for complex the conjugate of
// 1 / (sqrt(x - 1) sqrt(x + 1)), which keeps acosh's branch.
Tensor acosh_grad(const Tensor& x) {
  if (!is_complex(x.dtype())) return rsqrt(add(mul(x, x), -1.0));
  return conj(mul(rsqrt(add(x, -1.0)), rsqrt(add(x, 1.0))));
}

Tensor one_minus_sq(const Tensor& x) { return rsub(mul(x, x), wrapped_scalar(1.0)); }
Tensor rsub_one(const Tensor& x) { return rsub(x, wrapped_scalar(1.0)); }
ScalarType unary_dtype_Keep(ScalarType t) { return t; }

// The unary ops torch refuses for complex inputs, with its error class and text.
void check_complex_unary(std::string_view name) {
  if (name == "sign") {
    fail(ErrorKind::NotImplemented,
         "Unlike NumPy, torch.sign is not intended to support complex numbers. Please use "
         "torch.sgn instead.");
  }
  if (name == "relu") fail(ErrorKind::NotImplemented, "clamp is not supported for complex types");
  if (name == "floor" || name == "ceil" || name == "trunc") {
    fail(ErrorKind::NotImplemented, name, " is not supported for complex inputs");
  }
  if (name == "erf" || name == "erfinv") {
    fail(ErrorKind::NotImplemented, '"', name, "_vml_cpu\" not implemented for 'ComplexFloat'");
  }
  if (name == "frac")
    fail(ErrorKind::NotImplemented, "\"frac_cpu\" not implemented for 'ComplexFloat'");
  if (name == "deg2rad" || name == "rad2deg") {
    fail(ErrorKind::Runtime, name, " is not supported for complex tensors.");
  }
}

void check_alpha(const Tensor& alpha, ScalarType st) {
  if (!alpha.defined()) return;
  MLXC_CHECK(!(is_integral(st, true) && (is_floating(alpha.dtype()) || is_complex(alpha.dtype()))),
             Runtime,
             "For integral input tensors, argument alpha must not be a floating point number.");
  MLXC_CHECK(is_complex(st) || !is_complex(alpha.dtype()), Runtime,
             "For non-complex input tensors, argument alpha must not be a complex number.");
  MLXC_CHECK(!(st == ScalarType::Bool && alpha.dtype() != ScalarType::Bool), Runtime,
             "Boolean alpha only supported for Boolean results.");
}

// Scalar value of a 0-d host constant (wrapped numbers), if t is one.
std::optional<double> host_scalar(const Tensor& t) {
  if (!t.impl()->wrapped_number) return std::nullopt;
  return item_double(t.value());
}

// a + alpha * b (alpha may be undefined), shared by add and sub.
Tensor add_impl(const Tensor& a, const Tensor& b, const Tensor& alpha, bool negate,
                const char* node_name) {
  const ScalarType st = result_type({&a, &b});
  check_alpha(alpha, st);
  mx::array va = cast(a, st);
  mx::array vb = cast(b, st);
  if (alpha.defined()) vb = mx::multiply(vb, cast(alpha, st));
  mx::array out = negate ? mx::subtract(va, vb) : mx::add(va, vb);
  Tensor result = make_result(std::move(out), st, {&a, &b});
  if (!needs_grad({&a, &b})) return result;
  auto node = make_node(node_name, {&a, &b},
                        [sa = a.sizes(), sb = b.sizes(), alpha, negate](FnNode& n, TensorList& gs) {
                          const Tensor& g = gs[0];
                          TensorList r(2);
                          if (n.needs_input_grad(0)) r[0] = sum_to(g, sa);
                          if (n.needs_input_grad(1)) {
                            Tensor gb = alpha.defined() ? mul(g, conj_if_complex(alpha)) : g;
                            r[1] = sum_to(negate ? neg(gb) : gb, sb);
                          }
                          return r;
                        });
  return with_history(result, node);
}

// `ordered` names the kernel of an ordering comparison (no complex variant).
Tensor compare(const Tensor& a, const Tensor& b,
               mx::array (*fn)(const mx::array&, const mx::array&, mx::StreamOrDevice),
               const char* ordered = nullptr) {
  const ScalarType st = result_type({&a, &b});
  MLXC_CHECK(!(ordered && is_complex(st)), NotImplemented, '"', ordered,
             "_cpu\" not implemented for 'ComplexFloat'");
  return make_result(fn(cast(a, st), cast(b, st), {}), ScalarType::Bool, {&a, &b});
}

// Gradient of maximum/minimum for `self`: all of g where self wins, half on ties.
Tensor extremum_grad(const Tensor& g, const Tensor& self, const Tensor& other, bool is_max) {
  Tensor wins = is_max ? gt(self, other) : lt(self, other);
  Tensor ties = eq(self, other);
  Tensor zero = zeros_like(g);
  return where(wins, g, where(ties, div(g, 2.0), zero));
}

Tensor extremum(const Tensor& a, const Tensor& b, bool is_max) {
  const ScalarType st = result_type({&a, &b});
  MLXC_CHECK(!is_complex(st), Runtime, is_max ? "maximum" : "minimum",
             " not implemented for complex tensors.");
  mx::array va = cast(a, st), vb = cast(b, st);
  Tensor result = make_result(is_max ? mx::maximum(va, vb) : mx::minimum(va, vb), st, {&a, &b});
  if (!needs_grad({&a, &b})) return result;
  auto node = make_node(is_max ? "MaximumBackward0" : "MinimumBackward0", {&a, &b},
                        [is_max](FnNode& n, TensorList& gs) {
                          Tensor x = n.saved(0), y = n.saved(1);
                          TensorList r(2);
                          if (n.needs_input_grad(0))
                            r[0] = sum_to(extremum_grad(gs[0], x, y, is_max), x.sizes());
                          if (n.needs_input_grad(1))
                            r[1] = sum_to(extremum_grad(gs[0], y, x, is_max), y.sizes());
                          return r;
                        });
  node->save(a);
  node->save(b);
  return with_history(result, node);
}

}  // namespace

#define MLXC_DEFINE_UNARY(name, node_name, rule, fwd, bwd, uses_self, uses_result)          \
  Tensor name(const Tensor& self) {                                                         \
    if (is_complex(self.dtype())) check_complex_unary(#name);                               \
    const ScalarType st = unary_dtype_##rule(self.dtype());                                 \
    mx::array x = cast(self, is_complex(self.dtype()) ? self.dtype() : st);                 \
    Tensor result = make_result(fwd, st, {&self});                                          \
    if (!needs_grad({&self})) return result;                                                \
    auto node = make_node(node_name, {&self}, [](FnNode& n, TensorList& gs) -> TensorList { \
      const Tensor& g = gs[0];                                                              \
      [[maybe_unused]] Tensor self = (uses_self) ? n.saved(0) : Tensor();                   \
      [[maybe_unused]] Tensor result = (uses_result) ? n.saved(1) : Tensor();               \
      return {bwd};                                                                         \
    });                                                                                     \
    node->save((uses_self) ? self : Tensor());                                              \
    node->save((uses_result) ? result : Tensor(), true);                                    \
    return with_history(result, node);                                                      \
  }
MLXC_UNARY_OPS(MLXC_DEFINE_UNARY)
#undef MLXC_DEFINE_UNARY

Tensor add(const Tensor& a, const Tensor& b, const Tensor& alpha) {
  return add_impl(a, b, alpha, false, "AddBackward0");
}

Tensor sub(const Tensor& a, const Tensor& b, const Tensor& alpha) {
  MLXC_CHECK(!(a.dtype() == ScalarType::Bool && b.dtype() == ScalarType::Bool), Runtime,
             "Subtraction, the `-` operator, with two bool tensors is not supported. Use the "
             "`^` or `logical_xor()` operator instead.");
  MLXC_CHECK(a.dtype() != ScalarType::Bool && b.dtype() != ScalarType::Bool, Runtime,
             "Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
             "trying to invert a mask, use the `~` or `logical_not()` operator instead.");
  return add_impl(a, b, alpha, true, "SubBackward0");
}

Tensor rsub(const Tensor& a, const Tensor& b, const Tensor& alpha) {
  MLXC_CHECK(a.dtype() != ScalarType::Bool && b.dtype() != ScalarType::Bool, Runtime,
             "Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
             "trying to invert a mask, use the `~` or `logical_not()` operator instead.");
  // The result is b - alpha * a; the node's inputs are (a, b) in torch's order.
  const ScalarType st = result_type({&a, &b});
  check_alpha(alpha, st);
  mx::array va = cast(a, st);
  if (alpha.defined()) va = mx::multiply(va, cast(alpha, st));
  Tensor result = make_result(mx::subtract(cast(b, st), va), st, {&a, &b});
  if (!needs_grad({&a, &b})) return result;
  const char* name = b.impl()->wrapped_number ? "RsubBackward1" : "RsubBackward0";
  auto node =
      make_node(name, {&a, &b}, [sa = a.sizes(), sb = b.sizes(), alpha](FnNode& n, TensorList& gs) {
        const Tensor& g = gs[0];
        TensorList r(2);
        if (n.needs_input_grad(0)) {
          r[0] = sum_to(neg(alpha.defined() ? mul(g, conj_if_complex(alpha)) : g), sa);
        }
        if (n.needs_input_grad(1)) r[1] = sum_to(g, sb);
        return r;
      });
  return with_history(result, node);
}

Tensor mul(const Tensor& a, const Tensor& b) {
  const ScalarType st = result_type({&a, &b});
  mx::array va = cast(a, st), vb = cast(b, st);
  mx::array out = st == ScalarType::Bool ? mx::logical_and(va, vb) : mx::multiply(va, vb);
  Tensor result = make_result(std::move(out), st, {&a, &b});
  if (!needs_grad({&a, &b})) return result;
  // As torch: each input is saved only for the other's gradient, so writing in
  // place into an input whose partner does not require grad stays legal.
  const bool ga = needs_grad({&a}), gb = needs_grad({&b});
  auto node = make_node("MulBackward0", {&a, &b},
                        [ga, gb, as = a.sizes(), bs = b.sizes(), at = a.dtype(), bt = b.dtype()](
                            FnNode& n, TensorList& gs) {
                          TensorList r(2);
                          size_t k = 0;
                          const Tensor other = ga ? n.saved(k++) : Tensor();
                          const Tensor self = gb ? n.saved(k++) : Tensor();
                          if (ga && n.needs_input_grad(0)) {
                            r[0] =
                                handle_r_to_c(at, sum_to(mul(gs[0], conj_if_complex(other)), as));
                          }
                          if (gb && n.needs_input_grad(1)) {
                            r[1] = handle_r_to_c(bt, sum_to(mul(gs[0], conj_if_complex(self)), bs));
                          }
                          return r;
                        });
  if (ga) node->save(b);
  if (gb) node->save(a);
  return with_history(result, node);
}

Tensor div(const Tensor& a, const Tensor& b) {
  const ScalarType st = to_float_dtype(result_type({&a, &b}));
  Tensor result = make_result(mx::divide(cast(a, st), cast(b, st)), st, {&a, &b});
  if (!needs_grad({&a, &b})) return result;
  // self is needed only for other's gradient; other for both.
  const bool gb = needs_grad({&b});
  auto node =
      make_node("DivBackward0", {&a, &b},
                [gb, as = a.sizes(), bs = b.sizes(), at = a.dtype(), bt = b.dtype()](
                    FnNode& n, TensorList& gs) {
                  const Tensor other = n.saved(0);
                  TensorList r(2);
                  if (n.needs_input_grad(0)) {
                    r[0] = handle_r_to_c(at, sum_to(div(gs[0], conj_if_complex(other)), as));
                  }
                  if (gb && n.needs_input_grad(1)) {
                    const Tensor self = n.saved(1);
                    Tensor d = neg(mul(gs[0], conj_if_complex(div(div(self, other), other))));
                    r[1] = handle_r_to_c(bt, sum_to(d, bs));
                  }
                  return r;
                });
  node->save(b);
  if (gb) node->save(a);
  return with_history(result, node);
}

Tensor div_rounding(const Tensor& a, const Tensor& b, const std::string& mode) {
  MLXC_CHECK(mode == "trunc" || mode == "floor", Value,
             "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '", mode,
             "'");
  const ScalarType st = result_type({&a, &b});
  MLXC_CHECK(!is_complex(st), NotImplemented,
             mode == "trunc" ? "\"div_trunc_cpu\"" : "\"div_floor_cpu\"",
             " not implemented for 'ComplexFloat'");
  mx::array va = cast(a, st), vb = cast(b, st);
  mx::array out = va;
  if (is_integral(st, true)) {
    // Integer division by zero is an error in torch (checked on the host).
    mx::array any_zero = mx::any(mx::equal(vb, mx::zeros({}, vb.dtype())));
    MLXC_CHECK(!(item_double(any_zero) != 0.0), Runtime, "ZeroDivisionError");
    mx::array q = mx::floor_divide(va, vb);  // floors
    if (mode == "trunc") {
      mx::array inexact = mx::not_equal(mx::remainder(va, vb), mx::zeros({}, va.dtype()));
      mx::array neg = mx::not_equal(mx::less(va, mx::zeros({}, va.dtype())),
                                    mx::less(vb, mx::zeros({}, vb.dtype())));
      q = mx::add(q, mx::astype(mx::logical_and(inexact, neg), q.dtype()));
    }
    out = q;
  } else if (mode == "trunc") {
    out = mx::astype(mx::trunc(mx::divide(va, vb)), va.dtype());
  } else {
    // Python's float floor division: exact quotient of (a - a mod b) / b, rounded.
    mx::array zero = mx::zeros({}, va.dtype());
    mx::array mod = mx::remainder(va, vb);
    mx::array d = mx::divide(mx::subtract(va, mod), vb);
    mx::array fl = mx::floor(d);
    fl = mx::where(mx::greater(mx::subtract(d, fl), mx::array(0.5, va.dtype())),
                   mx::add(fl, mx::array(1.0, va.dtype())), fl);
    mx::array signed_zero = mx::multiply(zero, mx::sign(mx::divide(va, vb)));
    fl = mx::where(mx::equal(d, zero), signed_zero, fl);
    out = mx::where(mx::equal(vb, zero), mx::divide(va, vb), fl);
  }
  Tensor result = make_result(out, st, {&a, &b});
  if (!needs_grad({&a, &b})) return result;
  auto node = make_node("DivBackward2", {&a, &b}, [](FnNode& n, TensorList& gs) {
    TensorList r(2);
    if (n.needs_input_grad(0)) r[0] = zeros_like(n.saved(0));
    if (n.needs_input_grad(1)) r[1] = zeros_like(n.saved(1));
    return r;
  });
  node->save(a);
  node->save(b);
  return with_history(result, node);
}

Tensor pow(const Tensor& a, const Tensor& b) {
  const ScalarType st = result_type({&a, &b});
  if (is_integral(st, true)) {
    if (auto e = host_scalar(b)) {
      MLXC_CHECK(*e >= 0, Runtime, "Integers to negative integer powers are not allowed.");
    }
  }
  mx::array va = cast(a, st), vb = cast(b, st);
  mx::array pw = mx::power(va, vb);
  if (is_integral(st, false)) {
    // Negative integer exponents: 1 for base 1, +-1 for base -1, else 0 (as torch).
    mx::array zero = mx::zeros({}, vb.dtype()), one = mx::ones({}, va.dtype());
    mx::array odd = mx::not_equal(mx::remainder(vb, mx::array(2, vb.dtype())), zero);
    mx::array neg_one_pow = mx::where(odd, mx::negative(one), one);
    mx::array special = mx::where(
        mx::equal(va, one), one,
        mx::where(mx::equal(va, mx::negative(one)), neg_one_pow, mx::zeros({}, va.dtype())));
    pw = mx::where(mx::less(vb, zero), special, pw);
  }
  Tensor result = make_result(pw, st, {&a, &b});
  if (!needs_grad({&a, &b})) return result;
  const bool scalar_exp = b.impl()->wrapped_number;
  const bool scalar_base = a.impl()->wrapped_number;
  const char* name = scalar_exp ? "PowBackward0" : (scalar_base ? "PowBackward2" : "PowBackward1");
  auto node = make_node(name, {&a, &b}, [](FnNode& n, TensorList& gs) {
    Tensor self = n.saved(0), other = n.saved(1);
    const Tensor& g = gs[0];
    TensorList r(2);
    if (n.needs_input_grad(0)) {
      // g * conj(other) * conj(self^(other - 1)), zero where other == 0.
      Tensor d = mul(mul(g, conj_if_complex(other)),
                     conj_if_complex(pow(self, sub(other, wrapped_scalar(int64_t{1})))));
      d = sum_to(where(eq(other, wrapped_scalar(0.0)), zeros_like(d), d), self.sizes());
      r[0] = handle_r_to_c(self.dtype(), d);
    }
    if (n.needs_input_grad(1)) {
      // g * conj(self^other * log(self)), zero where self == 0 and other is real, >= 0.
      Tensor d = mul(mul(g, conj_if_complex(pow(self, other))), conj_if_complex(log(self)));
      Tensor nonneg = is_complex(other.dtype()) ? logical_and(ge(real(other), wrapped_scalar(0.0)),
                                                              eq(imag(other), wrapped_scalar(0.0)))
                                                : ge(other, wrapped_scalar(0.0));
      Tensor mask = logical_and(eq(self, wrapped_scalar(0.0)), nonneg);
      r[1] = handle_r_to_c(other.dtype(), sum_to(where(mask, zeros_like(d), d), other.sizes()));
    }
    return r;
  });
  node->save(a);
  node->save(b);
  return with_history(result, node);
}

Tensor maximum(const Tensor& a, const Tensor& b) { return extremum(a, b, true); }
Tensor minimum(const Tensor& a, const Tensor& b) { return extremum(a, b, false); }

Tensor mul(const Tensor& a, double b) { return mul(a, wrapped_scalar(b)); }
Tensor div(const Tensor& a, double b) { return div(a, wrapped_scalar(b)); }
Tensor add(const Tensor& a, double b) { return add(a, wrapped_scalar(b)); }

Tensor eq(const Tensor& a, const Tensor& b) { return compare(a, b, mx::equal); }
Tensor ne(const Tensor& a, const Tensor& b) { return compare(a, b, mx::not_equal); }
Tensor lt(const Tensor& a, const Tensor& b) { return compare(a, b, mx::less, "lt"); }
Tensor le(const Tensor& a, const Tensor& b) { return compare(a, b, mx::less_equal, "le"); }
Tensor gt(const Tensor& a, const Tensor& b) { return compare(a, b, mx::greater, "gt"); }
Tensor ge(const Tensor& a, const Tensor& b) { return compare(a, b, mx::greater_equal, "ge"); }

Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b) {
  MLXC_CHECK(cond.dtype() == ScalarType::Bool, Runtime,
             "where expected condition to be a boolean tensor, but got a tensor with dtype ",
             scalar_type_name(cond.dtype()));
  const ScalarType st = result_type({&a, &b});
  Tensor result =
      make_result(mx::where(cond.value(), cast(a, st), cast(b, st)), st, {&cond, &a, &b});
  if (!needs_grad({&a, &b})) return result;
  auto node = make_node("WhereBackward0", {&cond, &a, &b},
                        [sa = a.sizes(), sb = b.sizes()](FnNode& n, TensorList& gs) {
                          Tensor c = n.saved(0);
                          const Tensor& g = gs[0];
                          TensorList r(3);
                          if (n.needs_input_grad(1)) r[1] = sum_to(where(c, g, zeros_like(g)), sa);
                          if (n.needs_input_grad(2)) r[2] = sum_to(where(c, zeros_like(g), g), sb);
                          return r;
                        });
  node->save(cond);
  return with_history(result, node);
}

namespace {

using MxBinary = mx::array (*)(const mx::array&, const mx::array&, mx::StreamOrDevice);

Tensor bitwise(const Tensor& a, const Tensor& b, const char* kernel, MxBinary int_op,
               MxBinary bool_op) {
  const ScalarType st = result_type({&a, &b});
  MLXC_CHECK(is_integral(st, true), NotImplemented, '"', kernel, "_cpu\" not implemented for '",
             scalar_type_name(st), "'");
  mx::array va = cast(a, st), vb = cast(b, st);
  return make_result(st == ScalarType::Bool ? bool_op(va, vb, {}) : int_op(va, vb, {}), st,
                     {&a, &b});
}

mx::array truth(const Tensor& t) {
  mx::array v = t.value();
  return v.dtype() == mx::bool_ ? v : mx::not_equal(v, mx::zeros({}, v.dtype()));
}

}  // namespace

Tensor bitwise_and(const Tensor& a, const Tensor& b) {
  return bitwise(a, b, "bitwise_and", mx::bitwise_and, mx::logical_and);
}
Tensor bitwise_or(const Tensor& a, const Tensor& b) {
  return bitwise(a, b, "bitwise_or", mx::bitwise_or, mx::logical_or);
}
Tensor bitwise_xor(const Tensor& a, const Tensor& b) {
  return bitwise(a, b, "bitwise_xor", mx::bitwise_xor, mx::not_equal);
}

Tensor bitwise_not(const Tensor& a) {
  MLXC_CHECK(is_integral(a.dtype(), true), NotImplemented,
             "\"bitwise_not_cpu\" not implemented for '", scalar_type_name(a.dtype()), "'");
  mx::array v = a.value();
  return make_result(a.dtype() == ScalarType::Bool ? mx::logical_not(v) : mx::bitwise_invert(v),
                     a.dtype(), {&a});
}

Tensor logical_and(const Tensor& a, const Tensor& b) {
  return make_result(mx::logical_and(truth(a), truth(b)), ScalarType::Bool, {&a, &b});
}
Tensor logical_or(const Tensor& a, const Tensor& b) {
  return make_result(mx::logical_or(truth(a), truth(b)), ScalarType::Bool, {&a, &b});
}
Tensor logical_xor(const Tensor& a, const Tensor& b) {
  return make_result(mx::not_equal(truth(a), truth(b)), ScalarType::Bool, {&a, &b});
}
Tensor logical_not(const Tensor& a) {
  return make_result(mx::logical_not(truth(a)), ScalarType::Bool, {&a});
}

Tensor threshold_backward(const Tensor& g, const Tensor& self, double threshold) {
  mx::array mask = mx::less_equal(self.value(), mx::array(threshold, to_mlx(self.dtype())));
  mx::array gv = g.value();
  Tensor result = make_result(mx::where(mask, mx::zeros_like(gv), gv), g.dtype(), {&g, &self});
  if (!needs_grad({&g, &self})) return result;
  auto node =
      make_node("ThresholdBackwardBackward0", {&g, &self}, [threshold](FnNode& n, TensorList& gs) {
        TensorList r(2);
        if (n.needs_input_grad(0)) r[0] = threshold_backward(gs[0], n.saved(0), threshold);
        if (n.needs_input_grad(1)) r[1] = zeros_like(gs[0]);
        return r;
      });
  node->save(self);
  return with_history(result, node);
}

namespace {

// `values` (logical order) in a fresh storage laid out with `strides`, whose
// dimensions run outermost to innermost in `order`.
Tensor dense_in_order(const Tensor& values, const std::vector<int>& order,
                      const IntArray& strides) {
  mx::array memory = mx::reshape(mx::transpose(values.value(), order), {-1});
  Tensor out = make_view(Tensor::from_array(memory, values.dtype()), values.sizes(), strides, 0,
                         values.value());
  out.impl()->is_view = false;
  out.impl()->base.reset();
  return out;
}

}  // namespace

Tensor keep_dense_layout(const Tensor& result, const Tensor& like) {
  if (like.numel() <= 1 || like.is_contiguous()) return result;
  const IntArray& sizes = like.sizes();
  const IntArray& strides = like.strides();
  // Overlapping or with gaps: row-major.
  if (!non_overlapping_and_dense(sizes, strides)) return result;
  std::vector<int> order(sizes.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return strides[a] > strides[b]; });
  return dense_in_order(result, order, strides);
}

void adopt_memory_order(const Tensor& fresh, const std::vector<int>& order) {
  const IntArray& sizes = fresh.sizes();
  MLXC_CHECK(order.size() == sizes.size() && !fresh.impl()->is_view, Runtime,
             "memory order does not fit the tensor");
  IntArray strides(sizes.size(), 1);
  int64_t step = 1;
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    strides[*it] = step;
    step *= std::max<int64_t>(sizes[*it], 1);
  }
  if (strides == fresh.strides()) return;
  share_data_of(fresh, dense_in_order(fresh, order, strides));
}

Tensor to_dtype(const Tensor& self, ScalarType dtype, bool copy) {
  if (self.dtype() == dtype && !copy) return self;
  Tensor result = keep_dense_layout(make_result(cast(self, dtype), dtype, {&self}), self);
  if (!needs_grad({&self})) return result;
  auto node = make_node("ToCopyBackward0", {&self}, [st = self.dtype()](FnNode&, TensorList& gs) {
    return TensorList{to_dtype(gs[0], st)};
  });
  return with_history(result, node);
}

Tensor clone(const Tensor& self) {
  Tensor result = keep_dense_layout(make_result(self.value(), self.dtype(), {&self}), self);
  if (!needs_grad({&self})) return result;
  auto node = make_node("CloneBackward0", {&self},
                        [](FnNode&, TensorList& gs) { return TensorList{gs[0]}; });
  return with_history(result, node);
}

Tensor zeros_like(const Tensor& self) {
  return make_result(mx::zeros(self.shape(), to_mlx(self.dtype())), self.dtype(), {});
}

Tensor ones_like(const Tensor& self) {
  return make_result(mx::ones(self.shape(), to_mlx(self.dtype())), self.dtype(), {});
}

const Tensor& apply_inplace(const Tensor& self, const Tensor& result, bool check_cast) {
  const bool grad_on = GradMode::is_enabled();
  if (grad_on && (result.requires_grad() || self.requires_grad())) check_inplace_view(self);
  MLXC_CHECK(!(grad_on && self.is_leaf() && self.impl()->requires_grad), Runtime,
             "a leaf Variable that requires grad is being used in an in-place operation.");
  MLXC_CHECK(result.sizes() == self.sizes(), Runtime, "output with shape ", sizes_str(self.sizes()),
             " doesn't match the broadcast shape ", sizes_str(result.sizes()));
  MLXC_CHECK(!check_cast || can_cast(result.dtype(), self.dtype()), Runtime, "result type ",
             scalar_type_name(result.dtype()), " can't be cast to the desired output type ",
             scalar_type_name(self.dtype()));
  for (size_t i = 0; i < self.sizes().size(); ++i) {
    MLXC_CHECK(!(self.strides()[i] == 0 && self.sizes()[i] > 1), Runtime,
               "unsupported operation: more than one element of the written-to tensor refers to a "
               "single memory location. Please clone() the tensor before performing the "
               "operation.");
  }
  TensorImpl* base = self.impl()->is_view ? self.impl()->base.get() : nullptr;
  const bool base_grad = base && (base->grad_fn || base->requires_grad);
  const bool track = grad_on && (result.requires_grad() || self.requires_grad() || base_grad);
  const Storage* storage = self.impl()->storage.get();
  const uint64_t before = storage->version;
  auto follow = [&] {
    if (auto* n = dynamic_cast<FnNode*>(result.grad_fn().get())) {
      n->follow_inplace_write(storage, before);
    }
  };
  if (track && base) {
    Tensor r = self.dtype() == result.dtype() ? result : to_dtype(result, self.dtype());
    rebase_view_history(self, r);
    write_into(self, cast(result, self.dtype()));
    follow();
    return self;
  }
  write_into(self, cast(result, self.dtype()));
  follow();
  if (!track) return self;
  if (result.requires_grad()) {
    Tensor r = self.dtype() == result.dtype() ? result : to_dtype(result, self.dtype());
    set_history(self, r.grad_fn(), r.impl()->output_nr);
  } else {
    // Overwritten by a constant: the old history receives zero gradient.
    auto node = make_node("FillBackward0", {&self},
                          [](FnNode&, TensorList& gs) { return TensorList{zeros_like(gs[0])}; });
    set_history(self, node);
  }
  // Views made earlier now read their history from the new one.
  self.impl()->history_gen++;
  return self;
}

const Tensor& copy_(const Tensor& self, const Tensor& src) {
  const bool grad_on = GradMode::is_enabled();
  MLXC_CHECK(!(grad_on && self.is_leaf() && self.impl()->requires_grad), Runtime,
             "a leaf Variable that requires grad is being used in an in-place operation.");
  Tensor value = [&] {
    AutoGradMode no_grad(false);
    return expand(to_dtype(src, self.dtype()), self.sizes());
  }();
  // torch records CopyBackwards whenever the write has history to record (a
  // constant source overwrites self's history with it).
  if (!needs_grad({&src}) && !(grad_on && self.requires_grad())) {
    return apply_inplace(self, value, false);
  }
  // Its edges are self's history before the write (zero gradient: the values
  // are overwritten) and src, which receives the gradient in its own dtype (real
  // part for a real source), summed over broadcast dimensions.
  auto node = make_node("CopyBackwards", {&self, &src},
                        [st = src.dtype(), sizes = src.sizes()](FnNode& n, TensorList& gs) {
                          TensorList r(2);
                          if (n.needs_input_grad(0)) r[0] = zeros_like(gs[0]);
                          if (n.needs_input_grad(1)) {
                            Tensor g = gs[0];
                            if (is_complex(g.dtype()) && !is_complex(st)) g = real(g);
                            r[1] = sum_to(to_dtype(g, st), sizes);
                          }
                          return r;
                        });
  return apply_inplace(self, with_history(make_result(value.value(), value.dtype(), {}), node),
                       false);
}

const Tensor& fill_(const Tensor& self, const Tensor& value) {
  MLXC_CHECK(value.dim() == 0, Runtime,
             "fill_ only supports 0-dimension value tensor but got tensor with ", value.dim(),
             " dimensions.");
  Tensor filled = make_result(mx::broadcast_to(cast(value, self.dtype()), self.shape()),
                              self.dtype(), {&value});
  if (needs_grad({&value})) {
    // A tensor fill value receives the sum of the gradient (torch's FillBackward1).
    auto node = make_node("FillBackward1", {&value},
                          [](FnNode&, TensorList& gs) { return TensorList{sum(gs[0])}; });
    filled = with_history(filled, node);
  }
  return apply_inplace(self, filled);
}

const Tensor& zero_(const Tensor& self) {
  Tensor zeros = zeros_like(self);
  if (!needs_grad({&self})) return apply_inplace(self, zeros);
  auto node = make_node("ZeroBackward0", {&self},
                        [](FnNode&, TensorList& gs) { return TensorList{zeros_like(gs[0])}; });
  return apply_inplace(self, with_history(zeros, node));
}

}  // namespace mlxc
