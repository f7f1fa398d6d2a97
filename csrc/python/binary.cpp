// Bindings for the pointwise math of csrc/ops/binary.h, the predicates, clamp,
// round(decimals) and torch's aliases of unary ops (arcsin for asin, ...).
#include "ops/binary.h"

#include "ops/complex.h"
#include "ops/pointwise.h"
#include "python/bind.h"

namespace mlxc::py {

namespace {

using Binary = Tensor (*)(const Tensor&, const Tensor&);
using Unary = Tensor (*)(const Tensor&);

nb::object inplace_result(nb::handle self, const Tensor& result) {
  apply_inplace(unwrap(self), result);
  return nb::borrow(self);
}

void def_binary_family(nb::module_& fns, const char* name, Binary f, bool with_inplace = true) {
  auto& cls = tensor_base();
  fns.def(
      name, [f](nb::handle a, nb::handle b) { return f(operand(a, "input"), operand(b, "other")); },
      nb::arg("input"), nb::arg("other"));
  cls.def(
      name, [f](const Tensor& a, nb::handle b) { return f(a, operand(b, "other")); },
      nb::arg("other"));
  if (with_inplace) {
    cls.def((std::string(name) + "_").c_str(),
            [f](nb::handle s, nb::handle b) {
              return inplace_result(s, f(unwrap(s), operand(b, "other")));
            },
            nb::arg("other"));
  }
}

void def_unary_family(nb::module_& fns, const char* name, Unary f, bool with_inplace) {
  auto& cls = tensor_base();
  fns.def(name, [f](const Tensor& x) { return f(x); }, nb::arg("input"));
  cls.def(name, [f](const Tensor& x) { return f(x); });
  if (with_inplace) {
    cls.def((std::string(name) + "_").c_str(),
            [f](nb::handle s) { return inplace_result(s, f(unwrap(s))); });
  }
}

std::optional<Tensor> bound(nb::handle h, const char* what) {
  if (h.is_none()) return std::nullopt;
  return operand(h, what);
}

}  // namespace

void init_binary(nb::module_&, nb::module_& fns) {
  auto& cls = tensor_base();
  def_binary_family(fns, "atan2", &atan2);
  def_binary_family(fns, "arctan2", &atan2);
  def_binary_family(fns, "fmod", &fmod);
  def_binary_family(fns, "remainder", &remainder);
  def_binary_family(fns, "copysign", &copysign);
  def_binary_family(fns, "logaddexp", &logaddexp, false);
  def_binary_family(fns, "logaddexp2", &logaddexp2, false);
  def_binary_family(fns, "hypot", &hypot);
  def_binary_family(fns, "fmax", &fmax, false);
  def_binary_family(fns, "fmin", &fmin, false);
  def_binary_family(fns, "float_power", &float_power);
  def_binary_family(fns, "xlogy", &xlogy);
  cls.def("__mod__", [](const Tensor& a, nb::handle b) -> nb::object {
    auto other = try_operand(b);
    if (!other) return nb::borrow(Py_NotImplemented);
    return wrap(remainder(a, *other));
  });
  cls.def("__rmod__", [](const Tensor& a, nb::handle b) -> nb::object {
    auto other = try_operand(b);
    if (!other) return nb::borrow(Py_NotImplemented);
    return wrap(remainder(*other, a));
  });

  // Aliases torch keeps for unary ops.
  def_unary_family(fns, "arcsin", &asin, true);
  def_unary_family(fns, "arccos", &acos, true);
  def_unary_family(fns, "arctan", &atan, true);
  def_unary_family(fns, "arcsinh", &asinh, true);
  def_unary_family(fns, "arccosh", &acosh, true);
  def_unary_family(fns, "arctanh", &atanh, true);
  def_unary_family(fns, "negative", &neg, true);
  def_unary_family(fns, "absolute", &abs, true);
  def_unary_family(fns, "fix", &trunc, true);
  def_unary_family(fns, "square", &square, true);
  def_unary_family(fns, "isnan", &isnan, false);
  def_unary_family(fns, "isinf", &isinf, false);
  def_unary_family(fns, "isfinite", &isfinite, false);
  def_unary_family(fns, "isposinf", &isposinf, false);
  def_unary_family(fns, "isneginf", &isneginf, false);
  def_unary_family(fns, "signbit", &signbit, false);
  fns.def(
      "positive",
      [](const Tensor& x) {
        MLXC_CHECK(x.dtype() != ScalarType::Bool, Type,
                   "The `+` operator, on a bool tensor is not supported.");
        return x;
      },
      nb::arg("input"));
  cls.def("positive", [](const Tensor& x) { return x; });
  auto isreal = [](const Tensor& x) {
    // Complex elements are real when their imaginary part is zero.
    if (is_complex(x.dtype())) return eq(imag(x), wrapped_scalar(0.0));
    return ones_like(to_dtype(x, ScalarType::Bool));
  };
  fns.def("isreal", isreal, nb::arg("input"));
  cls.def("isreal", isreal);

  // torch's two overloads: round(input) and round(input, *, decimals).
  auto round_b = [](const Tensor& x) { return round_decimals(x, std::nullopt); };
  auto round_d = [](const Tensor& x, int64_t decimals) { return round_decimals(x, decimals); };
  fns.def("round", round_b, nb::arg("input"));
  fns.def("round", round_d, nb::arg("input"), nb::kw_only(), nb::arg("decimals"));
  cls.def("round", round_b);
  cls.def("round", round_d, nb::kw_only(), nb::arg("decimals"));
  cls.def("round_",
          [](nb::handle s) { return inplace_result(s, round_decimals(unwrap(s), std::nullopt)); });
  cls.def(
      "round_",
      [](nb::handle s, int64_t d) { return inplace_result(s, round_decimals(unwrap(s), d)); },
      nb::kw_only(), nb::arg("decimals"));

  auto clamp_b = [](const Tensor& x, nb::handle lo, nb::handle hi) {
    return clamp(x, bound(lo, "min"), bound(hi, "max"));
  };
  for (const char* name : {"clamp", "clip"}) {
    fns.def(name, clamp_b, nb::arg("input"), nb::arg("min") = nb::none(),
            nb::arg("max") = nb::none());
    cls.def(name, clamp_b, nb::arg("min") = nb::none(), nb::arg("max") = nb::none());
    cls.def((std::string(name) + "_").c_str(),
            [clamp_b](nb::handle s, nb::handle lo, nb::handle hi) {
              return inplace_result(s, clamp_b(unwrap(s), lo, hi));
            },
            nb::arg("min") = nb::none(), nb::arg("max") = nb::none());
  }
  auto clamp_min_b = [](const Tensor& x, nb::handle lo) {
    return clamp_min(x, operand(lo, "min"));
  };
  auto clamp_max_b = [](const Tensor& x, nb::handle hi) {
    return clamp_max(x, operand(hi, "max"));
  };
  fns.def("clamp_min", clamp_min_b, nb::arg("input"), nb::arg("min"));
  cls.def("clamp_min", clamp_min_b, nb::arg("min"));
  fns.def("clamp_max", clamp_max_b, nb::arg("input"), nb::arg("max"));
  cls.def("clamp_max", clamp_max_b, nb::arg("max"));
  cls.def(
      "clamp_min_",
      [](nb::handle s, nb::handle lo) {
        return inplace_result(s, clamp_min(unwrap(s), operand(lo, "min")));
      },
      nb::arg("min"));
  cls.def(
      "clamp_max_",
      [](nb::handle s, nb::handle hi) {
        return inplace_result(s, clamp_max(unwrap(s), operand(hi, "max")));
      },
      nb::arg("max"));
}

}  // namespace mlxc::py
