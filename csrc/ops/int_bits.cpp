#include "ops/int_bits.h"

#include <cmath>

#include "ops/complex.h"
#include "ops/creation.h"
#include "ops/pointwise.h"
#include "ops/reduce.h"

namespace mlxc {

namespace {

// The common integer dtype of two operands; raises torch's dtype error otherwise.
ScalarType integer_operands(const Tensor& a, const Tensor& b, const char* kernel) {
  const ScalarType st = result_type({&a, &b});
  MLXC_CHECK(is_integral(st, true), NotImplemented, "\"", kernel, "\" not implemented for '",
             scalar_type_name(st), "'");
  return st;
}

int bit_width(ScalarType st) { return static_cast<int>(mx::size_of(to_mlx(st)) * 8); }

// Euclid's steps needed for the worst case (consecutive Fibonacci numbers).
int euclid_steps(ScalarType st) {
  switch (bit_width(st)) {
    case 8:
      return 14;
    case 16:
      return 25;
    case 32:
      return 48;
    default:
      return 94;
  }
}

mx::array gcd_values(const mx::array& x, const mx::array& y, ScalarType st) {
  const mx::array zero = mx::array(0, x.dtype()), one = mx::array(1, x.dtype());
  mx::array a = mx::abs(x), b = mx::abs(y);
  // Unrolled Euclid: (a, b) <- (b % a, a) while a != 0; b is then the gcd.
  for (int i = euclid_steps(st); i > 0; --i) {
    const mx::array live = mx::not_equal(a, zero);
    const mx::array r = mx::remainder(b, mx::where(live, a, one));
    b = mx::where(live, a, b);
    a = mx::where(live, r, zero);
  }
  return b;
}

// The same-width signed integer type used to step through a float's bit patterns.
mx::Dtype bits_dtype(ScalarType st) {
  switch (mx::size_of(to_mlx(st))) {
    case 2:
      return mx::int16;
    case 4:
      return mx::int32;
    default:
      return mx::int64;
  }
}

}  // namespace

Tensor gcd(const Tensor& a, const Tensor& b) {
  const ScalarType st = integer_operands(a, b, "gcd_cpu");
  MLXC_CHECK(st != ScalarType::Bool, NotImplemented, "\"gcd_cpu\" not implemented for 'Bool'");
  return make_result(gcd_values(cast(a, st), cast(b, st), st), st, {});
}

Tensor lcm(const Tensor& a, const Tensor& b) {
  const ScalarType st = integer_operands(a, b, "lcm_cpu");
  MLXC_CHECK(st != ScalarType::Bool, NotImplemented, "\"lcm_cpu\" not implemented for 'Bool'");
  const mx::array x = cast(a, st), y = cast(b, st);
  const mx::array g = gcd_values(x, y, st);
  const mx::array zero = mx::array(0, x.dtype());
  const mx::array safe = mx::where(mx::equal(g, zero), mx::array(1, x.dtype()), g);
  // torch's C++ arithmetic promotes narrow integers before abs, then wraps.
  const mx::array wide = mx::abs(
      mx::multiply(mx::astype(mx::floor_divide(x, safe), mx::int64), mx::astype(y, mx::int64)));
  const mx::array v = mx::astype(wide, x.dtype());
  return make_result(mx::where(mx::equal(g, zero), zero, v), st, {});
}

Tensor bitwise_left_shift(const Tensor& a, const Tensor& b) {
  const ScalarType st = integer_operands(a, b, "lshift_cpu");
  const mx::array x = cast(a, st), s = cast(b, st);
  const mx::array zero = mx::array(0, x.dtype());
  const mx::array out_of_range =
      mx::logical_or(mx::less(s, zero), mx::greater_equal(s, mx::array(bit_width(st), x.dtype())));
  // Shift in 64 bits and wrap back to the width, as torch's unsigned shift does.
  const mx::array shifted =
      mx::astype(mx::left_shift(mx::astype(x, mx::int64),
                                mx::astype(mx::where(out_of_range, zero, s), mx::int64)),
                 x.dtype());
  return make_result(mx::where(out_of_range, zero, shifted), st, {});
}

Tensor bitwise_right_shift(const Tensor& a, const Tensor& b) {
  const ScalarType st = integer_operands(a, b, "rshift_cpu");
  const mx::array x = cast(a, st), s = cast(b, st);
  const mx::array zero = mx::array(0, x.dtype());
  const int bits = bit_width(st);
  // Shifts past the width fill with the sign bit (0 for unsigned types).
  const mx::array out_of_range =
      mx::logical_or(mx::less(s, zero), mx::greater_equal(s, mx::array(bits, x.dtype())));
  const mx::array shift = mx::where(out_of_range, mx::array(bits - 1, x.dtype()), s);
  return make_result(mx::right_shift(x, shift), st, {});
}

Tensor ldexp(const Tensor& input, const Tensor& other) {
  Tensor result = [&] {
    AutoGradMode no_grad(false);
    return mul(input, pow(wrapped_scalar(2.0), other));
  }();
  if (!needs_grad({&input, &other})) return result;
  result = make_result(result.value(), result.dtype(), {});
  // torch's ldexp formulas: g 2^other for input, g result ln 2 for other.
  const bool gi = needs_grad({&input}), go = needs_grad({&other});
  auto node = make_node("LdexpBackward0", {&input, &other},
                        [gi, go, si = input.sizes(), so = other.sizes(), di = input.dtype(),
                         dt = other.dtype()](FnNode& n, TensorList& gs) {
                          TensorList r(2);
                          size_t k = 0;
                          if (gi && n.needs_input_grad(0)) {
                            // torch's integer 2: 2^e is integral (0 for e < 0)
                            // for an integer exponent tensor.
                            const Tensor scale =
                                conj_if_complex(pow(wrapped_scalar(int64_t{2}), n.saved(k)));
                            r[0] = handle_r_to_c(di, sum_to(mul(gs[0], scale), si));
                          }
                          if (gi) ++k;
                          if (go && n.needs_input_grad(1)) {
                            const Tensor d = mul(mul(gs[0], conj_if_complex(n.saved(k))), M_LN2);
                            r[1] = handle_r_to_c(dt, sum_to(d, so));
                          }
                          return r;
                        });
  if (gi) node->save(other);
  if (go) node->save(result, true);
  return with_history(result, node);
}

std::pair<Tensor, Tensor> frexp(const Tensor& input) {
  const ScalarType st = input.dtype();
  MLXC_CHECK(is_floating(st), Runtime, "torch.frexp() only supports floating-point dtypes");
  // Work in float32 or float64 on the bit pattern; half types are exact in float32.
  const bool wide = st == ScalarType::Float64;
  const mx::Dtype ft = wide ? mx::float64 : mx::float32;
  const mx::Dtype it = wide ? mx::int64 : mx::int32;
  const int mant_bits = wide ? 52 : 23;
  const int bias = wide ? 1022 : 126;  // the exponent field of a value in [0.5, 1)
  const mx::array x = mx::astype(input.value(), ft);
  const mx::array finite_nonzero =
      mx::logical_and(mx::isfinite(x), mx::not_equal(x, mx::array(0, ft)));
  // Scale subnormals into the normal range first.
  const double lift = wide ? 18014398509481984.0 : 33554432.0;  // 2**54, 2**25
  const int lift_exp = wide ? 54 : 25;
  const mx::array tiny =
      mx::less(mx::abs(x), mx::array(wide ? 2.2250738585072014e-308 : 1.1754943508222875e-38, ft));
  const mx::array xs = mx::where(tiny, mx::multiply(x, mx::array(lift, ft)), x);
  const mx::array bits = mx::view(xs, it);
  const mx::array field_mask = mx::array(wide ? int64_t{0x7FF} : int64_t{0xFF}, it);
  const mx::array field =
      mx::bitwise_and(mx::right_shift(bits, mx::array(mant_bits, it)), field_mask);
  mx::array e = mx::subtract(field, mx::array(bias, it));
  e = mx::where(tiny, mx::subtract(e, mx::array(lift_exp, it)), e);
  const mx::array cleared = mx::bitwise_and(
      bits, mx::bitwise_invert(mx::left_shift(field_mask, mx::array(mant_bits, it))));
  const mx::array mbits =
      mx::bitwise_or(cleared, mx::left_shift(mx::array(bias, it), mx::array(mant_bits, it)));
  const mx::array m = mx::view(mbits, ft);
  const mx::array mantissa = mx::where(finite_nonzero, m, x);
  const mx::array exponent =
      mx::where(finite_nonzero, mx::astype(e, mx::int32), mx::array(0, mx::int32));
  Tensor m_out = make_result(mx::astype(mantissa, to_mlx(st)), st, {&input});
  Tensor e_out = make_result(exponent, ScalarType::Int32, {});
  if (needs_grad({&input})) {
    const Tensor scale = make_result(
        mx::astype(mx::power(mx::array(2.0f), mx::astype(exponent, mx::float32)), to_mlx(st)), st,
        {});
    m_out =
        with_history(m_out, make_node("FrexpBackward0", {&input}, [scale](FnNode&, TensorList& gs) {
                       return TensorList{div(gs[0], scale)};
                     }));
  }
  return {m_out, e_out};
}

Tensor nextafter(const Tensor& input, const Tensor& other) {
  const ScalarType st = result_type({&input, &other});
  MLXC_CHECK(is_floating(st), NotImplemented, "\"nextafter_cpu\" not implemented for '",
             scalar_type_name(st), "'");
  const mx::array x = cast(input, st), y = cast(other, st);
  const mx::Dtype it = bits_dtype(st);
  const mx::array zero = mx::array(0, x.dtype());
  const mx::array bits = mx::view(x, it);
  // Away from zero when moving in x's direction of sign, towards zero otherwise.
  const mx::array up = mx::equal(mx::less(x, y), mx::greater(x, zero));
  const mx::array stepped =
      mx::view(mx::where(up, mx::add(bits, mx::array(1, it)), mx::subtract(bits, mx::array(1, it))),
               x.dtype());
  // From zero: the smallest subnormal with y's sign.
  const mx::array smallest = mx::view(mx::array(1, it), x.dtype());
  const mx::array from_zero = mx::where(mx::greater(y, zero), smallest, mx::negative(smallest));
  mx::array out = mx::where(mx::equal(x, zero), from_zero, stepped);
  out = mx::where(mx::equal(x, y), y, out);
  out = mx::where(mx::logical_or(mx::isnan(x), mx::isnan(y)), mx::add(x, y), out);
  Tensor result = make_result(out, st, {&input, &other});
  if (!needs_grad({&input, &other})) return result;
  // torch passes the gradient straight to input and none to other.
  auto node = make_node(
      "NextafterBackward0", {&input, &other},
      [is = input.sizes(), os = other.sizes(), ot = other.dtype()](FnNode&, TensorList& gs) {
        return TensorList{sum_to(gs[0], is), zeros(os, TensorOptions{ot, Device{}, false})};
      });
  return with_history(result, node);
}

}  // namespace mlxc
