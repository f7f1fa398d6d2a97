// Bindings for pointwise operators: the unary table, binary arithmetic and
// comparisons with Python operators, and the derived in-place variants.
#include "ops/pointwise.h"

#include <set>
#include <string>

#include "ops/int_bits.h"
#include "ops/random.h"
#include "python/bind.h"

namespace mlxc::py {

namespace {

using Binary = Tensor (*)(const Tensor&, const Tensor&);

Tensor alpha_or_none(nb::handle alpha) {
  if (PyLong_Check(alpha.ptr()) && !PyBool_Check(alpha.ptr()) && nb::cast<int64_t>(alpha) == 1) {
    return Tensor();
  }
  return operand(alpha, "alpha");
}

Tensor add_fn(nb::handle a, nb::handle b, nb::handle alpha) {
  return add(operand(a, "input"), operand(b, "other"), alpha_or_none(alpha));
}
Tensor sub_fn(nb::handle a, nb::handle b, nb::handle alpha) {
  return sub(operand(a, "input"), operand(b, "other"), alpha_or_none(alpha));
}

template <Binary F>
void def_binary(nb::module_& fns, const char* name, const char* iname) {
  fns.def(
      name, [](nb::handle a, nb::handle b) { return F(operand(a, "input"), operand(b, "other")); },
      nb::arg("input"), nb::arg("other"));
  tensor_base().def(
      name, [](const Tensor& s, nb::handle b) { return F(s, operand(b, "other")); },
      nb::arg("other"));
  if (iname) {
    tensor_base().def(
        iname,
        [](nb::handle s, nb::handle b) { return inplace(s, F(unwrap(s), operand(b, "other"))); },
        nb::arg("other"));
  }
}

// Python operator slot: NotImplemented for operands that are not numbers/tensors.
template <Binary F, bool Reflected>
void def_operator(const char* name) {
  tensor_base().def(name, [](const Tensor& s, nb::handle o) -> nb::object {
    auto other = try_operand(o);
    if (!other) return nb::borrow(Py_NotImplemented);
    return wrap(Reflected ? F(*other, s) : F(s, *other));
  });
}

template <Binary F>
void def_inplace_operator(const char* name) {
  tensor_base().def(name, [](nb::handle s, nb::handle o) -> nb::object {
    auto other = try_operand(o);
    if (!other) return nb::borrow(Py_NotImplemented);
    return inplace(s, F(unwrap(s), *other));
  });
}

Tensor add2(const Tensor& a, const Tensor& b) { return add(a, b); }
// Reflected operators receive (other, self): other - self is rsub(self, other).
Tensor rsub2(const Tensor& other, const Tensor& self) { return rsub(self, other); }
// other / self is computed as torch does: reciprocal(self) * other.
Tensor rdiv2(const Tensor& other, const Tensor& self) {
  if (other.impl()->wrapped_number) return mul(reciprocal(self), other);
  return div(other, self);
}
Tensor sub2(const Tensor& a, const Tensor& b) { return sub(a, b); }

}  // namespace

void init_pointwise(nb::module_& m, nb::module_& fns) {
  auto& cls = tensor_base();
#define MLXC_BIND_UNARY(name, ...)                                           \
  fns.def(#name, [](const Tensor& x) { return name(x); }, nb::arg("input")); \
  cls.def(#name, [](const Tensor& x) { return name(x); });                   \
  cls.def(#name "_", [](nb::handle s) { return inplace(s, name(unwrap(s))); });
  MLXC_UNARY_OPS(MLXC_BIND_UNARY)
#undef MLXC_BIND_UNARY
  fns.def("relu_", [](nb::handle s) { return inplace(s, relu(unwrap(s))); });

  fns.def("add", &add_fn, nb::arg("input"), nb::arg("other"), nb::kw_only(), nb::arg("alpha") = 1);
  fns.def("sub", &sub_fn, nb::arg("input"), nb::arg("other"), nb::kw_only(), nb::arg("alpha") = 1);
  cls.def(
      "add", [](nb::handle s, nb::handle o, nb::handle a) { return add_fn(s, o, a); },
      nb::arg("other"), nb::kw_only(), nb::arg("alpha") = 1);
  cls.def(
      "sub", [](nb::handle s, nb::handle o, nb::handle a) { return sub_fn(s, o, a); },
      nb::arg("other"), nb::kw_only(), nb::arg("alpha") = 1);
  cls.def(
      "add_", [](nb::handle s, nb::handle o, nb::handle a) { return inplace(s, add_fn(s, o, a)); },
      nb::arg("other"), nb::kw_only(), nb::arg("alpha") = 1);
  cls.def(
      "sub_", [](nb::handle s, nb::handle o, nb::handle a) { return inplace(s, sub_fn(s, o, a)); },
      nb::arg("other"), nb::kw_only(), nb::arg("alpha") = 1);

  fns.def(
      "rsub",
      [](nb::handle a, nb::handle b, nb::handle alpha) {
        return rsub(operand(a, "input"), operand(b, "other"), alpha_or_none(alpha));
      },
      nb::arg("input"), nb::arg("other"), nb::kw_only(), nb::arg("alpha") = 1);
  def_binary<mul>(fns, "mul", "mul_");
  def_binary<div>(fns, "div", "div_");
  def_binary<div>(fns, "true_divide", nullptr);
  def_binary<pow>(fns, "pow", "pow_");
  def_binary<maximum>(fns, "maximum", nullptr);
  def_binary<minimum>(fns, "minimum", nullptr);
  def_binary<eq>(fns, "eq", "eq_");
  def_binary<ne>(fns, "ne", "ne_");
  def_binary<lt>(fns, "lt", "lt_");
  def_binary<le>(fns, "le", "le_");
  def_binary<gt>(fns, "gt", "gt_");
  def_binary<ge>(fns, "ge", "ge_");

  def_binary<gcd>(fns, "gcd", "gcd_");
  def_binary<lcm>(fns, "lcm", "lcm_");
  def_binary<ldexp>(fns, "ldexp", "ldexp_");
  def_binary<nextafter>(fns, "nextafter", "nextafter_");
  def_binary<bitwise_left_shift>(fns, "bitwise_left_shift", "bitwise_left_shift_");
  def_binary<bitwise_right_shift>(fns, "bitwise_right_shift", "bitwise_right_shift_");
  def_operator<bitwise_left_shift, false>("__lshift__");
  def_operator<bitwise_left_shift, true>("__rlshift__");
  def_operator<bitwise_right_shift, false>("__rshift__");
  def_operator<bitwise_right_shift, true>("__rrshift__");
  def_inplace_operator<bitwise_left_shift>("__ilshift__");
  def_inplace_operator<bitwise_right_shift>("__irshift__");
  def_operator<rdiv2, true>("__rdiv__");
  def_operator<add2, false>("__add__");
  def_operator<add2, true>("__radd__");
  def_operator<sub2, false>("__sub__");
  def_operator<rsub2, true>("__rsub__");
  def_operator<mul, false>("__mul__");
  def_operator<mul, true>("__rmul__");
  def_operator<div, false>("__truediv__");
  def_operator<rdiv2, true>("__rtruediv__");
  def_operator<pow, false>("__pow__");
  def_operator<pow, true>("__rpow__");
  def_operator<eq, false>("__eq__");
  def_operator<ne, false>("__ne__");
  def_operator<lt, false>("__lt__");
  def_operator<le, false>("__le__");
  def_operator<gt, false>("__gt__");
  def_operator<ge, false>("__ge__");
  def_inplace_operator<add2>("__iadd__");
  def_inplace_operator<sub2>("__isub__");
  def_inplace_operator<mul>("__imul__");
  def_inplace_operator<div>("__itruediv__");
  def_inplace_operator<pow>("__ipow__");
  cls.def("__neg__", [](const Tensor& s) { return neg(s); });
  cls.def("__abs__", [](const Tensor& s) { return abs(s); });
  cls.def("__pos__", [](const Tensor& s) { return s; });
  fns.def(
      "result_type",
      [](nb::handle a, nb::handle b) {
        Tensor x = operand(a, "tensor1"), y = operand(b, "tensor2");
        return result_type({&x, &y});
      },
      nb::arg("tensor1"), nb::arg("tensor2"));
  fns.def(
      "promote_types", [](ScalarType a, ScalarType b) { return promote_types(a, b); },
      nb::arg("type1"), nb::arg("type2"));
  fns.def(
      "can_cast", [](ScalarType from, ScalarType to) { return can_cast(from, to); },
      nb::arg("from_"), nb::arg("to"));

  fns.def(
      "where",
      [](const Tensor& c, nb::handle a, nb::handle b) {
        return where(c, operand(a, "input"), operand(b, "other"));
      },
      nb::arg("condition"), nb::arg("input"), nb::arg("other"));
  cls.def(
      "where",
      [](const Tensor& s, const Tensor& c, nb::handle o) {
        return where(c, s, operand(o, "other"));
      },
      nb::arg("condition"), nb::arg("other"));

  auto ternary = [&](const char* name, const char* kw,
                     Tensor (*f)(const Tensor&, const Tensor&, const Tensor&, const Tensor&)) {
    fns.def(
        name,
        [f](const Tensor& s, const Tensor& a, const Tensor& b, nb::handle v) {
          return f(s, a, b, operand(v, "value"));
        },
        nb::arg("input"), nb::arg("tensor1"), nb::arg("tensor2"), nb::kw_only(), nb::arg(kw) = 1);
    cls.def(
        name,
        [f](const Tensor& s, const Tensor& a, const Tensor& b, nb::handle v) {
          return f(s, a, b, operand(v, "value"));
        },
        nb::arg("tensor1"), nb::arg("tensor2"), nb::kw_only(), nb::arg(kw) = 1);
    cls.def((std::string(name) + "_").c_str(),
            [f](nb::handle s, const Tensor& a, const Tensor& b, nb::handle v) {
              return inplace(s, f(unwrap(s), a, b, operand(v, "value")));
            },
            nb::arg("tensor1"), nb::arg("tensor2"), nb::kw_only(), nb::arg(kw) = 1);
  };
  ternary("addcmul", "value", &addcmul);
  ternary("addcdiv", "value", &addcdiv);

  fns.def(
      "lerp",
      [](const Tensor& s, const Tensor& e, nb::handle w) {
        return lerp(s, e, operand(w, "weight"));
      },
      nb::arg("input"), nb::arg("end"), nb::arg("weight"));
  cls.def(
      "lerp",
      [](const Tensor& s, const Tensor& e, nb::handle w) {
        return lerp(s, e, operand(w, "weight"));
      },
      nb::arg("end"), nb::arg("weight"));
  cls.def(
      "lerp_",
      [](nb::handle s, const Tensor& e, nb::handle w) {
        return inplace(s, lerp(unwrap(s), e, operand(w, "weight")));
      },
      nb::arg("end"), nb::arg("weight"));

  // In-place forms written in Python (nn.functional's inplace=True): self takes
  // result's value and history, its node renamed as torch names the in-place one.
  m.def(
      "_inplace_result",
      [](nb::handle self, const Tensor& result, std::optional<std::string> name) {
        static std::set<std::string> interned;  // under the GIL
        if (name) {
          if (auto* n = dynamic_cast<FnNode*>(result.grad_fn().get())) {
            n->rename(interned.insert(*name).first->c_str());
          }
        }
        return inplace(self, result);
      },
      nb::arg("self"), nb::arg("result"), nb::arg("name") = nb::none());
  // Memory formats (mlx_compat/_memory_format.py): a fresh copy's dense order.
  m.def("_adopt_memory_order",
        [](const Tensor& t, const std::vector<int>& order) { adopt_memory_order(t, order); });
  fns.def("clone", [](const Tensor& s) { return clone(s); }, nb::arg("input"));
  cls.def("clone", [](const Tensor& s) { return clone(s); });
  fns.def(
      "zeros_like",
      [](const Tensor& s, nb::handle dtype, nb::handle device, bool rg) {
        auto o = parse_options(dtype, device, rg);
        Tensor z = zeros_like(s);
        if (o.dtype) z = to_dtype(z, *o.dtype);
        return finish_factory(with_layout_of(z, s), o);
      },
      nb::arg("input"), nb::kw_only(), nb::arg("dtype") = nb::none(),
      nb::arg("device") = nb::none(), nb::arg("requires_grad") = false);
  fns.def(
      "ones_like",
      [](const Tensor& s, nb::handle dtype, nb::handle device, bool rg) {
        auto o = parse_options(dtype, device, rg);
        Tensor z = ones_like(s);
        if (o.dtype) z = to_dtype(z, *o.dtype);
        return finish_factory(with_layout_of(z, s), o);
      },
      nb::arg("input"), nb::kw_only(), nb::arg("dtype") = nb::none(),
      nb::arg("device") = nb::none(), nb::arg("requires_grad") = false);
  cls.def(
      "copy_",
      [](nb::handle s, const Tensor& src, bool) {
        copy_(unwrap(s), src);
        return nb::borrow(s);
      },
      nb::arg("src"), nb::arg("non_blocking") = false);
  cls.def(
      "fill_",
      [](nb::handle s, nb::handle v) {
        fill_(unwrap(s), operand(v, "value"));
        return nb::borrow(s);
      },
      nb::arg("value"));
  cls.def("zero_", [](nb::handle s) {
    zero_(unwrap(s));
    return nb::borrow(s);
  });
  fns.def(
      "maximum",
      [](const Tensor& a, const Tensor& b, nb::handle out) -> nb::object {
        Tensor r = maximum(a, b);
        if (out.is_none()) return wrap(r);
        copy_(unwrap(out), r);
        return nb::borrow(out);
      },
      nb::arg("input"), nb::arg("other"), nb::kw_only(), nb::arg("out") = nb::none());
  // div with rounding_mode (the plain forms are bound above).
  auto div_mode = [](const Tensor& a, nb::handle b, std::optional<std::string> mode) {
    Tensor y = operand(b, "other");
    return mode ? div_rounding(a, y, *mode) : div(a, y);
  };
  fns.def("div", div_mode, nb::arg("input"), nb::arg("other"), nb::kw_only(),
          nb::arg("rounding_mode").none());
  fns.def("divide", div_mode, nb::arg("input"), nb::arg("other"), nb::kw_only(),
          nb::arg("rounding_mode").none() = nb::none());
  cls.def("div", div_mode, nb::arg("other"), nb::kw_only(), nb::arg("rounding_mode").none());
  cls.def("divide", div_mode, nb::arg("other"), nb::kw_only(),
          nb::arg("rounding_mode").none() = nb::none());
  cls.def(
      "div_",
      [div_mode](nb::handle s, nb::handle b, std::optional<std::string> mode) {
        return inplace(s, div_mode(unwrap(s), b, mode));
      },
      nb::arg("other"), nb::kw_only(), nb::arg("rounding_mode").none());
  fns.def(
      "floor_divide",
      [](nb::handle a, nb::handle b) {
        return div_rounding(operand(a, "input"), operand(b, "other"), "floor");
      },
      nb::arg("input"), nb::arg("other"));
  cls.def("floor_divide", [](const Tensor& a, nb::handle b) {
    return div_rounding(a, operand(b, "other"), "floor");
  });
  cls.def("floor_divide_", [](nb::handle s, nb::handle b) {
    return inplace(s, div_rounding(unwrap(s), operand(b, "other"), "floor"));
  });
  cls.def("__floordiv__", [](const Tensor& a, nb::handle b) -> nb::object {
    auto other = try_operand(b);
    if (!other) return nb::borrow(Py_NotImplemented);
    return wrap(div_rounding(a, *other, "floor"));
  });
  cls.def("__rfloordiv__", [](const Tensor& a, nb::handle b) -> nb::object {
    auto other = try_operand(b);
    if (!other) return nb::borrow(Py_NotImplemented);
    return wrap(div_rounding(*other, a, "floor"));
  });
  // Bitwise and logical ops, with their operators.
  def_binary<bitwise_and>(fns, "bitwise_and", "bitwise_and_");
  def_binary<bitwise_or>(fns, "bitwise_or", "bitwise_or_");
  def_binary<bitwise_xor>(fns, "bitwise_xor", "bitwise_xor_");
  def_binary<logical_and>(fns, "logical_and", "logical_and_");
  def_binary<logical_or>(fns, "logical_or", "logical_or_");
  def_binary<logical_xor>(fns, "logical_xor", "logical_xor_");
  fns.def("bitwise_not", [](const Tensor& x) { return bitwise_not(x); }, nb::arg("input"));
  cls.def("bitwise_not", [](const Tensor& x) { return bitwise_not(x); });
  cls.def("bitwise_not_", [](nb::handle s) { return inplace(s, bitwise_not(unwrap(s))); });
  fns.def("logical_not", [](const Tensor& x) { return logical_not(x); }, nb::arg("input"));
  cls.def("logical_not", [](const Tensor& x) { return logical_not(x); });
  cls.def("logical_not_", [](nb::handle s) { return inplace(s, logical_not(unwrap(s))); });
  def_operator<bitwise_and, false>("__and__");
  def_operator<bitwise_and, true>("__rand__");
  def_operator<bitwise_or, false>("__or__");
  def_operator<bitwise_or, true>("__ror__");
  def_operator<bitwise_xor, false>("__xor__");
  def_operator<bitwise_xor, true>("__rxor__");
  def_inplace_operator<bitwise_and>("__iand__");
  def_inplace_operator<bitwise_or>("__ior__");
  def_inplace_operator<bitwise_xor>("__ixor__");
  cls.def("__invert__", [](const Tensor& x) { return bitwise_not(x); });
}

}  // namespace mlxc::py
