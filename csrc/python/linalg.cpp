// Bindings for matrix products.
#include "ops/linalg.h"

#include "core/grad_mode.h"
#include "core/resize.h"
#include "ops/pointwise.h"
#include "ops/products.h"
#include "python/bind.h"

namespace mlxc::py {

void init_linalg(nb::module_&, nb::module_& fns) {
  auto& cls = tensor_base();
  auto bin = [&](const char* name, Tensor (*f)(const Tensor&, const Tensor&), const char* arg) {
    fns.def(
        name, [f](const Tensor& a, const Tensor& b) { return f(a, b); }, nb::arg("input"),
        nb::arg(arg));
    cls.def(name, [f](const Tensor& a, const Tensor& b) { return f(a, b); }, nb::arg(arg));
  };
  bin("matmul", &matmul, "other");
  bin("mm", &mm, "mat2");
  bin("bmm", &bmm, "mat2");
  bin("mv", &mv, "vec");
  bin("dot", &dot, "tensor");
  cls.def("__matmul__", [](const Tensor& a, nb::handle b) -> nb::object {
    if (!is_tensor(b)) return nb::borrow(Py_NotImplemented);
    return wrap(matmul(a, unwrap(b)));
  });
  cls.def("__rmatmul__", [](const Tensor& a, nb::handle b) -> nb::object {
    if (!is_tensor(b)) return nb::borrow(Py_NotImplemented);
    return wrap(matmul(unwrap(b), a));
  });
  auto am = [](const Tensor& in, const Tensor& m1, const Tensor& m2, nb::handle beta,
               nb::handle alpha) {
    return addmm(in, m1, m2, operand(beta, "beta"), operand(alpha, "alpha"));
  };
  fns.def("addmm", am, nb::arg("input"), nb::arg("mat1"), nb::arg("mat2"), nb::kw_only(),
          nb::arg("beta") = 1, nb::arg("alpha") = 1);
  cls.def("addmm", am, nb::arg("mat1"), nb::arg("mat2"), nb::kw_only(), nb::arg("beta") = 1,
          nb::arg("alpha") = 1);
  cls.def(
      "addmm_",
      [am](nb::handle s, const Tensor& m1, const Tensor& m2, nb::handle beta, nb::handle alpha) {
        apply_inplace(unwrap(s), am(unwrap(s), m1, m2, beta, alpha));
        return nb::borrow(s);
      },
      nb::arg("mat1"), nb::arg("mat2"), nb::kw_only(), nb::arg("beta") = 1, nb::arg("alpha") = 1);
  bin("outer", &outer, "vec2");
  bin("ger", &outer, "vec2");
  bin("inner", &inner, "other");
  bin("kron", &kron, "other");
  bin("vdot", &vdot, "other");
  fns.def(
      "tensordot",
      [](const Tensor& a, const Tensor& b, nb::handle dims) {
        if (PyLong_Check(dims.ptr())) return tensordot(a, b, nb::cast<int64_t>(dims));
        nb::sequence pair = nb::borrow<nb::sequence>(dims);
        MLXC_CHECK(nb::len(pair) == 2, Runtime,
                   "tensordot expects dims to be a pair of dimension lists");
        auto as_dims = [](nb::handle h) {
          if (PyLong_Check(h.ptr())) return std::vector<int64_t>{nb::cast<int64_t>(h)};
          return *parse_dims(h);
        };
        return tensordot(a, b, as_dims(pair[0]), as_dims(pair[1]));
      },
      nb::arg("a"), nb::arg("b"), nb::arg("dims") = 2);
  // beta * input + alpha * (product): addmv, addr, baddbmm, addbmm.
  using Add3 =
      Tensor (*)(const Tensor&, const Tensor&, const Tensor&, const Tensor&, const Tensor&);
  auto add3 = [&](const char* name, Add3 f, const char* a1, const char* a2) {
    auto b = [f](const Tensor& in, const Tensor& x, const Tensor& y, nb::handle beta,
                 nb::handle alpha) {
      return f(in, x, y, operand(beta, "beta"), operand(alpha, "alpha"));
    };
    fns.def(name, b, nb::arg("input"), nb::arg(a1), nb::arg(a2), nb::kw_only(), nb::arg("beta") = 1,
            nb::arg("alpha") = 1);
    cls.def(name, b, nb::arg(a1), nb::arg(a2), nb::kw_only(), nb::arg("beta") = 1,
            nb::arg("alpha") = 1);
    const bool resizes = std::string(name) == "addbmm";
    cls.def((std::string(name) + "_").c_str(),
            [b, resizes](nb::handle s, const Tensor& x, const Tensor& y, nb::handle beta,
                         nb::handle alpha) {
              const Tensor& self = unwrap(s);
              Tensor r = b(self, x, y, beta, alpha);
              if (resizes && r.sizes() != self.sizes()) {
                // torch's addbmm_ writes through its out= kernel, which resizes a
                // self that only broadcasts to the result.
                MLXC_CHECK(!(GradMode::is_enabled() && self.is_leaf() && self.requires_grad()),
                           Runtime,
                           "a leaf Variable that requires grad is being used in an in-place "
                           "operation.");
                resize_(self, r.sizes(), /*as_output=*/true);
              }
              apply_inplace(self, r);
              return nb::borrow(s);
            },
            nb::arg(a1), nb::arg(a2), nb::kw_only(), nb::arg("beta") = 1, nb::arg("alpha") = 1);
  };
  add3("addmv", &addmv, "mat", "vec");
  add3("addr", &addr, "vec1", "vec2");
  add3("baddbmm", &baddbmm, "batch1", "batch2");
  add3("addbmm", &addbmm, "batch1", "batch2");
}

}  // namespace mlxc::py
