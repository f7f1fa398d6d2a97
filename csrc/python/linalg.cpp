// Bindings for matrix products.
#include "ops/linalg.h"

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
}

}  // namespace mlxc::py
