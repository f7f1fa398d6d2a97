// addcmul, addcdiv and lerp: fused pointwise ops with one node each
// (AddcmulBackward0, AddcdivBackward0, LerpBackward0/1). Declared in
// ops/pointwise.h.
#include <complex>
#include <string>
#include <utility>

#include "ops/complex.h"
#include "ops/pointwise.h"
#include "ops/reduce.h"
#include "ops/type_names.h"

namespace mlxc {

namespace {

// The gradient for an input of `st` and `sizes`: summed over broadcast dims,
// real part for a real input.
Tensor reduce_grad(const Tensor& g, ScalarType st, const IntArray& sizes) {
  return handle_r_to_c(st, sum_to(g, sizes));
}

// A wrapped weight's conj(1 - w) and conj(w), as wrapped numbers.
std::pair<Tensor, Tensor> lerp_factors(const Tensor& w) {
  const mx::array v = w.value();
  if (v.dtype() == mx::complex64) {
    const double re = item_double(mx::real(v)), im = item_double(mx::imag(v));
    return {wrapped_scalar(std::complex<double>(1.0 - re, im)),
            wrapped_scalar(std::complex<double>(re, -im))};
  }
  const double x = item_double(v);
  return {wrapped_scalar(1.0 - x), wrapped_scalar(x)};
}

}  // namespace

Tensor addcmul(const Tensor& self, const Tensor& t1, const Tensor& t2, const Tensor& value) {
  const Tensor v = scalar_for_dtype(value, result_type({&self, &t1, &t2}));
  Tensor result = [&] {
    AutoGradMode no_grad(false);
    return add(self, mul(mul(t1, t2), v));
  }();
  if (!needs_grad({&self, &t1, &t2})) return result;
  result = make_result(result.value(), result.dtype(), {});
  const bool g1 = needs_grad({&t1}), g2 = needs_grad({&t2});
  auto node =
      make_node("AddcmulBackward0", {&self, &t1, &t2},
                [v, g1, g2, s0 = self.sizes(), s1 = t1.sizes(), s2 = t2.sizes(), d0 = self.dtype(),
                 d1 = t1.dtype(), d2 = t2.dtype()](FnNode& n, TensorList& gs) {
                  const Tensor& g = gs[0];
                  TensorList r(3);
                  size_t k = 0;
                  const Tensor other2 = g1 ? n.saved(k++) : Tensor();
                  const Tensor other1 = g2 ? n.saved(k++) : Tensor();
                  if (n.needs_input_grad(0)) r[0] = reduce_grad(g, d0, s0);
                  if (g1 && n.needs_input_grad(1)) {
                    r[1] = reduce_grad(mul(g, conj_if_complex(mul(other2, v))), d1, s1);
                  }
                  if (g2 && n.needs_input_grad(2)) {
                    r[2] = reduce_grad(mul(g, conj_if_complex(mul(other1, v))), d2, s2);
                  }
                  return r;
                });
  if (g1) node->save(t2);
  if (g2) node->save(t1);
  return with_history(result, node);
}

Tensor addcdiv(const Tensor& self, const Tensor& t1, const Tensor& t2, const Tensor& value) {
  const Tensor v = scalar_for_dtype(value, result_type({&self, &t1, &t2}));
  Tensor result = [&] {
    AutoGradMode no_grad(false);
    return add(self, mul(div(t1, t2), v));
  }();
  if (!needs_grad({&self, &t1, &t2})) return result;
  result = make_result(result.value(), result.dtype(), {});
  // tensor2 serves both gradients; tensor1 only tensor2's.
  const bool g1 = needs_grad({&t1}), g2 = needs_grad({&t2});
  auto node =
      make_node("AddcdivBackward0", {&self, &t1, &t2},
                [v, g1, g2, s0 = self.sizes(), s1 = t1.sizes(), s2 = t2.sizes(), d0 = self.dtype(),
                 d1 = t1.dtype(), d2 = t2.dtype()](FnNode& n, TensorList& gs) {
                  const Tensor& g = gs[0];
                  TensorList r(3);
                  const Tensor den = (g1 || g2) ? n.saved(0) : Tensor();
                  if (n.needs_input_grad(0)) r[0] = reduce_grad(g, d0, s0);
                  if (g1 && n.needs_input_grad(1)) {
                    r[1] = reduce_grad(mul(g, conj_if_complex(div(v, den))), d1, s1);
                  }
                  if (g2 && n.needs_input_grad(2)) {
                    const Tensor num = n.saved(1);
                    const Tensor q = div(mul(num, v), mul(den, den));
                    r[2] = reduce_grad(mul(neg(g), conj_if_complex(q)), d2, s2);
                  }
                  return r;
                });
  if (g1 || g2) node->save(t2);
  if (g2) node->save(t1);
  return with_history(result, node);
}

Tensor lerp(const Tensor& self, const Tensor& end, const Tensor& weight_in) {
  const bool scalar_weight = weight_in.impl()->wrapped_number;
  MLXC_CHECK(self.dtype() == end.dtype(), Runtime, "expected dtype ", cpp_type_name(self.dtype()),
             " for `end` but got dtype ", cpp_type_name(end.dtype()));
  MLXC_CHECK(scalar_weight || self.dtype() == weight_in.dtype(), Runtime, "expected dtype ",
             cpp_type_name(self.dtype()), " for `weight` but got dtype ",
             cpp_type_name(weight_in.dtype()));
  const Tensor weight =
      scalar_weight ? scalar_for_dtype(weight_in, result_type({&self, &end})) : weight_in;
  // torch's two-sided formula keeps lerp exact at both ends.
  Tensor result = [&] {
    AutoGradMode no_grad(false);
    Tensor diff = sub(end, self);
    if (scalar_weight) {
      if (item_double(weight.value()) < 0.5) return add(self, mul(weight, diff));
      return sub(end, mul(diff, sub(wrapped_scalar(1.0), weight)));
    }
    Tensor low = add(self, mul(weight, diff));
    Tensor high = sub(end, mul(diff, sub(wrapped_scalar(1.0), weight)));
    return where(lt(abs(weight), wrapped_scalar(0.5)), low, high);
  }();
  if (scalar_weight) {
    if (!needs_grad({&self, &end})) return result;
    result = make_result(result.value(), result.dtype(), {});
    auto [one_minus, w] = lerp_factors(weight);
    auto node = make_node("LerpBackward0", {&self, &end},
                          [one_minus, w, s0 = self.sizes(), s1 = end.sizes(), d0 = self.dtype(),
                           d1 = end.dtype()](FnNode& n, TensorList& gs) {
                            TensorList r(2);
                            if (n.needs_input_grad(0))
                              r[0] = reduce_grad(mul(gs[0], one_minus), d0, s0);
                            if (n.needs_input_grad(1)) r[1] = reduce_grad(mul(gs[0], w), d1, s1);
                            return r;
                          });
    return with_history(result, node);
  }
  if (!needs_grad({&self, &end, &weight})) return result;
  result = make_result(result.value(), result.dtype(), {});
  // weight serves self's and end's gradients; self and end serve weight's.
  const bool gse = needs_grad({&self, &end}), gw = needs_grad({&weight});
  auto node = make_node(
      "LerpBackward1", {&self, &end, &weight},
      [gse, gw, s0 = self.sizes(), s1 = end.sizes(), s2 = weight.sizes(), d0 = self.dtype(),
       d1 = end.dtype(), d2 = weight.dtype()](FnNode& n, TensorList& gs) {
        const Tensor& g = gs[0];
        TensorList r(3);
        size_t k = 0;
        const Tensor w = gse ? n.saved(k++) : Tensor();
        if (gse && n.needs_input_grad(0)) {
          r[0] = reduce_grad(mul(g, conj_if_complex(rsub(w, wrapped_scalar(1.0)))), d0, s0);
        }
        if (gse && n.needs_input_grad(1)) r[1] = reduce_grad(mul(g, conj_if_complex(w)), d1, s1);
        if (gw && n.needs_input_grad(2)) {
          const Tensor a = n.saved(k), b = n.saved(k + 1);
          r[2] = reduce_grad(mul(g, conj_if_complex(sub(b, a))), d2, s2);
        }
        return r;
      });
  if (gse) node->save(weight);
  if (gw) {
    node->save(self);
    node->save(end);
  }
  return with_history(result, node);
}

}  // namespace mlxc
