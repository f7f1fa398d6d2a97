#include "ops/binary.h"

#include <cmath>

#include "ops/complex.h"
#include "ops/pointwise.h"
#include "ops/reduce.h"

namespace mlxc {

namespace {

using Grad2 = TensorList (*)(const Tensor& g, const Tensor& a, const Tensor& b, const Tensor& out);

// A binary op on promoted operands with a backward written in mlxc ops.
Tensor binary_op(const Tensor& a, const Tensor& b, bool float_result, const char* name,
                 mx::array (*fwd)(const mx::array&, const mx::array&), Grad2 bwd) {
  ScalarType st = result_type({&a, &b});
  if (float_result) st = to_float_dtype(st);
  Tensor result = make_result(fwd(cast(a, st), cast(b, st)), st, {&a, &b});
  if (!bwd || !needs_grad({&a, &b})) return result;
  auto node = make_node(name, {&a, &b}, [bwd](FnNode& n, TensorList& gs) {
    Tensor x = n.saved(0), y = n.saved(1), out = n.saved(2);
    TensorList r = bwd(gs[0], x, y, out);
    if (r[0].defined() && n.needs_input_grad(0)) {
      r[0] = sum_to(r[0], x.sizes());
    } else {
      r[0] = Tensor();
    }
    if (r[1].defined() && n.needs_input_grad(1)) {
      r[1] = sum_to(r[1], y.sizes());
    } else {
      r[1] = Tensor();
    }
    return r;
  });
  node->save(a);
  node->save(b);
  node->save(result, true);
  return with_history(result, node);
}

Tensor predicate(const Tensor& self, mx::array (*f)(const mx::array&, mx::StreamOrDevice),
                 bool integral_value) {
  mx::array v = self.value();
  mx::array out =
      mx::issubdtype(v.dtype(), mx::inexact) ? f(v, {}) : mx::full(v.shape(), integral_value);
  return make_result(out, ScalarType::Bool, {&self});
}

Tensor sq(const Tensor& x) { return mul(x, x); }

// torch's CPU kernels for these ops have no complex variant.
void refuse_complex(const Tensor& a, const Tensor& b, const char* kernel) {
  MLXC_CHECK(!is_complex(a.dtype()) && !is_complex(b.dtype()), NotImplemented, '"', kernel,
             "_cpu\" not implemented for 'ComplexFloat'");
}

}  // namespace

Tensor atan2(const Tensor& a, const Tensor& b) {
  refuse_complex(a, b, "atan2");
  return binary_op(
      a, b, true, "Atan2Backward0",
      [](const mx::array& x, const mx::array& y) { return mx::arctan2(x, y); },
      [](const Tensor& g, const Tensor& x, const Tensor& y, const Tensor&) {
        Tensor d = add(sq(x), sq(y));
        return TensorList{mul(g, div(y, d)), mul(g, div(neg(x), d))};
      });
}

Tensor fmod(const Tensor& a, const Tensor& b) {
  refuse_complex(a, b, "fmod");
  return binary_op(
      a, b, false, "FmodBackward1",
      [](const mx::array& x, const mx::array& y) {
        // C-style remainder: the sign of the dividend.
        mx::array r = mx::remainder(x, y);
        mx::array zero = mx::zeros({}, r.dtype());
        mx::array fix = mx::logical_and(mx::not_equal(r, zero),
                                        mx::not_equal(mx::less(r, zero), mx::less(x, zero)));
        return mx::where(fix, mx::subtract(r, y), r);
      },
      [](const Tensor& g, const Tensor& x, const Tensor& y, const Tensor&) {
        return TensorList{g, mul(neg(g), div_rounding(x, y, "trunc"))};
      });
}

Tensor remainder(const Tensor& a, const Tensor& b) {
  refuse_complex(a, b, "remainder");
  return binary_op(
      a, b, false, "RemainderBackward1",
      [](const mx::array& x, const mx::array& y) { return mx::remainder(x, y); },
      [](const Tensor& g, const Tensor& x, const Tensor& y, const Tensor&) {
        return TensorList{g, mul(neg(g), div_rounding(x, y, "floor"))};
      });
}

Tensor copysign(const Tensor& a, const Tensor& b) {
  refuse_complex(a, b, "copysign");
  return binary_op(
      a, b, true, "CopysignBackward0",
      [](const mx::array& x, const mx::array& y) {
        // The sign bit of y, including -0.0 and NaN signs.
        mx::array neg = mx::logical_or(
            mx::less(y, mx::zeros({}, y.dtype())),
            mx::logical_and(
                mx::equal(y, mx::zeros({}, y.dtype())),
                mx::less(mx::divide(mx::ones({}, y.dtype()), y), mx::zeros({}, y.dtype()))));
        mx::array ax = mx::abs(x);
        return mx::where(neg, mx::negative(ax), ax);
      },
      [](const Tensor& g, const Tensor& x, const Tensor&, const Tensor& out) {
        // d/dx = sign(x) * sign(out) away from 0, 0 at x == 0.
        Tensor s = mul(sgn(x), sgn(out));
        return TensorList{mul(g, s), zeros_like(g)};
      });
}

Tensor logaddexp(const Tensor& a, const Tensor& b) {
  return binary_op(
      a, b, true, "LogaddexpBackward0",
      [](const mx::array& x, const mx::array& y) { return logaddexp_accurate(x, y); },
      [](const Tensor& g, const Tensor& x, const Tensor& y, const Tensor& out) {
        return TensorList{mul(g, conj_if_complex(exp(sub(x, out)))),
                          mul(g, conj_if_complex(exp(sub(y, out))))};
      });
}

Tensor logaddexp2(const Tensor& a, const Tensor& b) {
  refuse_complex(a, b, "logaddexp2");
  return binary_op(
      a, b, true, "Logaddexp2Backward0",
      [](const mx::array& x, const mx::array& y) {
        const mx::array ln2 = mx::array(M_LN2, x.dtype());
        return mx::divide(logaddexp_accurate(mx::multiply(x, ln2), mx::multiply(y, ln2)), ln2);
      },
      [](const Tensor& g, const Tensor& x, const Tensor& y, const Tensor& out) {
        return TensorList{mul(g, exp2(sub(x, out))), mul(g, exp2(sub(y, out)))};
      });
}

Tensor hypot(const Tensor& a, const Tensor& b) {
  refuse_complex(a, b, "hypot");
  return binary_op(
      a, b, true, "HypotBackward0",
      [](const mx::array& x, const mx::array& y) {
        return mx::sqrt(mx::add(mx::square(x), mx::square(y)));
      },
      [](const Tensor& g, const Tensor& x, const Tensor& y, const Tensor& out) {
        return TensorList{mul(g, div(x, out)), mul(g, div(y, out))};
      });
}

Tensor fmax(const Tensor& a, const Tensor& b) {
  MLXC_CHECK(!is_complex(result_type({&a, &b})), Runtime,
             "fmax not implemented for complex tensors.");
  return binary_op(
      a, b, false, "FmaxBackward0",
      [](const mx::array& x, const mx::array& y) {
        // NaN loses unless both are NaN.
        if (!mx::issubdtype(x.dtype(), mx::inexact)) return mx::maximum(x, y);
        return mx::where(mx::isnan(x), y, mx::where(mx::isnan(y), x, mx::maximum(x, y)));
      },
      [](const Tensor& g, const Tensor& x, const Tensor& y, const Tensor&) {
        Tensor pick_x = logical_or(ge(x, y), isnan(y));
        return TensorList{where(pick_x, g, zeros_like(g)), where(pick_x, zeros_like(g), g)};
      });
}

Tensor fmin(const Tensor& a, const Tensor& b) {
  MLXC_CHECK(!is_complex(result_type({&a, &b})), Runtime,
             "fmin not implemented for complex tensors.");
  return binary_op(
      a, b, false, "FminBackward0",
      [](const mx::array& x, const mx::array& y) {
        if (!mx::issubdtype(x.dtype(), mx::inexact)) return mx::minimum(x, y);
        return mx::where(mx::isnan(x), y, mx::where(mx::isnan(y), x, mx::minimum(x, y)));
      },
      [](const Tensor& g, const Tensor& x, const Tensor& y, const Tensor&) {
        Tensor pick_x = logical_or(le(x, y), isnan(y));
        return TensorList{where(pick_x, g, zeros_like(g)), where(pick_x, zeros_like(g), g)};
      });
}

Tensor float_power(const Tensor& a, const Tensor& b) {
  // Always in double precision, as torch; complex operands would need complex128.
  MLXC_CHECK(!is_complex(a.dtype()) && !is_complex(b.dtype()), Type,
             "complex128 is not supported: MLX has no double-precision complex dtype");
  return pow(to_dtype(a, ScalarType::Float64), to_dtype(b, ScalarType::Float64));
}

Tensor xlogy(const Tensor& a, const Tensor& b) {
  refuse_complex(a, b, "xlogy");
  return binary_op(
      a, b, true, "XlogyBackward0",
      [](const mx::array& x, const mx::array& y) {
        mx::array r = mx::multiply(x, mx::log(y));
        r = mx::where(mx::equal(x, mx::zeros({}, x.dtype())), mx::zeros({}, r.dtype()), r);
        return mx::where(mx::isnan(y), y, r);
      },
      [](const Tensor& g, const Tensor& x, const Tensor& y, const Tensor&) {
        Tensor zero = zeros_like(g);
        Tensor gx = where(logical_and(eq(x, wrapped_scalar(0.0)), le(y, wrapped_scalar(0.0))), zero,
                          mul(g, log(y)));
        return TensorList{gx, mul(g, div(x, y))};
      });
}

Tensor clamp(const Tensor& self, const std::optional<Tensor>& min,
             const std::optional<Tensor>& max) {
  MLXC_CHECK(min || max, Runtime, "torch.clamp: At least one of 'min' or 'max' must not be None");
  TensorRefs ins = {&self, min ? &*min : nullptr, max ? &*max : nullptr};
  const ScalarType st = result_type(ins);
  MLXC_CHECK(!is_complex(st), NotImplemented, "clamp is not supported for complex types");
  mx::array v = cast(self, st);
  if (min) v = mx::maximum(v, cast(*min, st));
  if (max) v = mx::minimum(v, cast(*max, st));
  if (min && max) {
    // torch: where min > max, the result is max.
    v = mx::where(mx::greater(cast(*min, st), cast(*max, st)),
                  mx::broadcast_to(cast(*max, st), v.shape()), v);
  }
  if (mx::issubdtype(v.dtype(), mx::inexact)) {
    v = mx::where(mx::isnan(cast(self, st)), cast(self, st), v);  // NaN passes through
  }
  Tensor result = make_result(v, st, ins);
  const bool scalar_bounds =
      (!min || min->impl()->wrapped_number) && (!max || max->impl()->wrapped_number);
  if (!needs_grad(ins)) return result;
  Tensor lo = min ? *min : Tensor(), hi = max ? *max : Tensor();
  auto node = make_node(scalar_bounds ? "ClampBackward1" : "ClampBackward0", ins,
                        [lo, hi](FnNode& n, TensorList& gs) {
                          Tensor x = n.saved(0);
                          const Tensor& g = gs[0];
                          Tensor inside = ge(x, x);  // all true, NaN false
                          inside = logical_or(inside, isnan(x));
                          if (lo.defined()) inside = logical_and(inside, ge(x, lo));
                          if (hi.defined()) inside = logical_and(inside, le(x, hi));
                          TensorList r(3);
                          Tensor zero = zeros_like(g);
                          r[0] = sum_to(where(inside, g, zero), x.sizes());
                          if (lo.defined() && n.needs_input_grad(1)) {
                            Tensor take = lt(x, lo);
                            if (hi.defined()) take = logical_and(take, le(lo, hi));
                            r[1] = sum_to(where(take, g, zero), lo.sizes());
                          }
                          if (hi.defined() && n.needs_input_grad(2)) {
                            Tensor take = gt(x, hi);
                            if (lo.defined()) take = logical_or(take, gt(lo, hi));
                            r[2] = sum_to(where(take, g, zero), hi.sizes());
                          }
                          return r;
                        });
  node->save(self);
  return with_history(result, node);
}

namespace {

// clamp_min / clamp_max: one bound, torch's formulas (the gradient goes to
// self where self >= min (<= max), to the bound where self < min (> max)).
Tensor clamp_bound(const Tensor& self, const Tensor& bound, bool is_min) {
  Tensor result = [&] {
    AutoGradMode no_grad(false);
    return is_min ? clamp(self, bound, std::nullopt) : clamp(self, std::nullopt, bound);
  }();
  if (!needs_grad({&self, &bound})) return result;
  result = make_result(result.value(), result.dtype(), {});
  const bool scalar = bound.impl()->wrapped_number;
  const char* name = is_min ? (scalar ? "ClampMinBackward0" : "ClampMinBackward1")
                            : (scalar ? "ClampMaxBackward0" : "ClampMaxBackward1");
  auto node = make_node(name, {&self, &bound},
                        [is_min, scalar, host = scalar ? bound : Tensor(), ss = self.sizes(),
                         bs = bound.sizes()](FnNode& n, TensorList& gs) {
                          const Tensor x = n.saved(0);
                          const Tensor b = scalar ? host : n.saved(1);
                          const Tensor& g = gs[0];
                          const Tensor zero = scalar_tensor(0.0, g.dtype());
                          TensorList r(2);
                          if (n.needs_input_grad(0)) {
                            const Tensor keep = is_min ? ge(x, b) : le(x, b);
                            r[0] = sum_to(where(keep, g, zero), ss);
                          }
                          if (!scalar && n.needs_input_grad(1)) {
                            const Tensor take = is_min ? lt(x, b) : gt(x, b);
                            r[1] = sum_to(where(take, g, zero), bs);
                          }
                          return r;
                        });
  node->save(self);
  if (!scalar) node->save(bound);
  return with_history(result, node);
}

}  // namespace

Tensor clamp_min(const Tensor& self, const Tensor& min) { return clamp_bound(self, min, true); }

Tensor clamp_max(const Tensor& self, const Tensor& max) { return clamp_bound(self, max, false); }

Tensor round_decimals(const Tensor& self, std::optional<int64_t> decimals) {
  const int64_t dec = decimals.value_or(0);
  MLXC_CHECK(!is_complex(self.dtype()), NotImplemented,
             dec == 0 ? "\"round_vml_cpu\"" : "\"round_cpu\"",
             " not implemented for 'ComplexFloat'");
  if (!decimals) {
    mx::array v = self.value();
    Tensor result = make_result(mx::issubdtype(v.dtype(), mx::inexact) ? mx::round(v) : v,
                                self.dtype(), {&self});
    if (!needs_grad({&self})) return result;
    return with_history(result, make_node("RoundBackward0", {&self}, [](FnNode&, TensorList& gs) {
                          return TensorList{zeros_like(gs[0])};
                        }));
  }
  MLXC_CHECK(is_floating(self.dtype()), NotImplemented,
             dec == 0 ? "\"round_vml_cpu\"" : "\"round_cpu\"", " not implemented for '",
             scalar_type_name(self.dtype()), "'");
  // torch: round(x * 10^d) / 10^d (or x / 10^-d * 10^-d for negative d).
  mx::array v = self.value();
  const double ten = std::pow(10.0, static_cast<double>(std::abs(dec)));
  mx::array t = mx::array(ten, v.dtype());
  mx::array out = dec == 0  ? mx::round(v)
                  : dec > 0 ? mx::divide(mx::round(mx::multiply(v, t)), t)
                            : mx::multiply(mx::round(mx::divide(v, t)), t);
  Tensor result = make_result(out, self.dtype(), {&self});
  if (!needs_grad({&self})) return result;
  return with_history(result, make_node("RoundBackward1", {&self}, [](FnNode&, TensorList& gs) {
                        return TensorList{zeros_like(gs[0])};
                      }));
}

Tensor square(const Tensor& self) {
  if (self.dtype() == ScalarType::Bool)
    return pow(to_dtype(self, ScalarType::Int64), wrapped_scalar(int64_t{2}));
  return pow(self, wrapped_scalar(int64_t{2}));
}

Tensor isnan(const Tensor& self) { return predicate(self, mx::isnan, false); }
Tensor isinf(const Tensor& self) { return predicate(self, mx::isinf, false); }
Tensor isfinite(const Tensor& self) { return predicate(self, mx::isfinite, true); }
Tensor isposinf(const Tensor& self) {
  MLXC_CHECK(!is_complex(self.dtype()), Runtime, "isposinf does not support complex inputs.");
  return predicate(self, mx::isposinf, false);
}
Tensor isneginf(const Tensor& self) {
  MLXC_CHECK(!is_complex(self.dtype()), Runtime, "isneginf does not support complex inputs.");
  return predicate(self, mx::isneginf, false);
}

Tensor signbit(const Tensor& self) {
  MLXC_CHECK(!is_complex(self.dtype()), NotImplemented,
             "signbit is not implemented for complex tensors.");
  mx::array v = self.value();
  if (!mx::issubdtype(v.dtype(), mx::inexact)) {
    return make_result(is_signed(self.dtype()) ? mx::less(v, mx::zeros({}, v.dtype()))
                                               : mx::full(v.shape(), false),
                       ScalarType::Bool, {&self});
  }
  mx::array zero = mx::zeros({}, v.dtype());
  mx::array neg = mx::logical_or(
      mx::less(v, zero),
      mx::logical_and(mx::equal(v, zero), mx::less(mx::divide(mx::ones({}, v.dtype()), v), zero)));
  return make_result(neg, ScalarType::Bool, {&self});
}

}  // namespace mlxc
