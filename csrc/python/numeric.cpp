// Bindings for csrc/ops/numeric.h.
#include "ops/numeric.h"

#include "ops/pointwise.h"
#include "python/bind.h"

namespace mlxc::py {

namespace {

std::optional<Tensor> opt_tensor(nb::handle h, const char* what) {
  if (h.is_none()) return std::nullopt;
  return operand(h, what);
}

}  // namespace

void init_numeric(nb::module_&, nb::module_& fns) {
  auto& cls = tensor_base();
  auto isclose_b = [](const Tensor& a, const Tensor& b, double rtol, double atol, bool en) {
    return isclose(a, b, rtol, atol, en);
  };
  fns.def("isclose", isclose_b, nb::arg("input"), nb::arg("other"), nb::arg("rtol") = 1e-05,
          nb::arg("atol") = 1e-08, nb::arg("equal_nan") = false);
  cls.def("isclose", isclose_b, nb::arg("other"), nb::arg("rtol") = 1e-05, nb::arg("atol") = 1e-08,
          nb::arg("equal_nan") = false);
  auto allclose_b = [](const Tensor& a, const Tensor& b, double rtol, double atol, bool en) {
    return allclose(a, b, rtol, atol, en);
  };
  fns.def("allclose", allclose_b, nb::arg("input"), nb::arg("other"), nb::arg("rtol") = 1e-05,
          nb::arg("atol") = 1e-08, nb::arg("equal_nan") = false);
  cls.def("allclose", allclose_b, nb::arg("other"), nb::arg("rtol") = 1e-05,
          nb::arg("atol") = 1e-08, nb::arg("equal_nan") = false);
  fns.def("equal", &equal, nb::arg("input"), nb::arg("other"));
  cls.def("equal", &equal, nb::arg("other"));

  auto n2n = [](const Tensor& x, std::optional<double> nan, std::optional<double> pinf,
                std::optional<double> ninf) { return nan_to_num(x, nan, pinf, ninf); };
  fns.def("nan_to_num", n2n, nb::arg("input"), nb::arg("nan") = 0.0, nb::arg("posinf") = nb::none(),
          nb::arg("neginf") = nb::none());
  cls.def("nan_to_num", n2n, nb::arg("nan") = 0.0, nb::arg("posinf") = nb::none(),
          nb::arg("neginf") = nb::none());
  cls.def(
      "nan_to_num_",
      [](nb::handle s, std::optional<double> nan, std::optional<double> pinf,
         std::optional<double> ninf) {
        apply_inplace(unwrap(s), nan_to_num(unwrap(s), nan, pinf, ninf));
        return nb::borrow(s);
      },
      nb::arg("nan") = 0.0, nb::arg("posinf") = nb::none(), nb::arg("neginf") = nb::none());
  auto logit_b = [](const Tensor& x, std::optional<double> eps) { return logit(x, eps); };
  fns.def("logit", logit_b, nb::arg("input"), nb::arg("eps") = nb::none());
  cls.def("logit", logit_b, nb::arg("eps") = nb::none());
  cls.def(
      "logit_",
      [](nb::handle s, std::optional<double> eps) {
        apply_inplace(unwrap(s), logit(unwrap(s), eps));
        return nb::borrow(s);
      },
      nb::arg("eps") = nb::none());
  fns.def("heaviside", &heaviside, nb::arg("input"), nb::arg("values"));
  cls.def("heaviside", &heaviside, nb::arg("values"));
  cls.def(
      "heaviside_",
      [](nb::handle s, const Tensor& v) {
        apply_inplace(unwrap(s), heaviside(unwrap(s), v));
        return nb::borrow(s);
      },
      nb::arg("values"));
  auto diff_b = [](const Tensor& x, int64_t n, int64_t dim, nb::handle pre, nb::handle app) {
    return diff(x, n, dim, opt_tensor(pre, "prepend"), opt_tensor(app, "append"));
  };
  fns.def("diff", diff_b, nb::arg("input"), nb::arg("n") = 1, nb::arg("dim") = -1,
          nb::arg("prepend") = nb::none(), nb::arg("append") = nb::none());
  cls.def("diff", diff_b, nb::arg("n") = 1, nb::arg("dim") = -1, nb::arg("prepend") = nb::none(),
          nb::arg("append") = nb::none());
  auto cross_b = [](const Tensor& a, const Tensor& b, std::optional<int64_t> dim) {
    return cross(a, b, dim, "linalg.cross");
  };
  fns.def("cross", cross_b, nb::arg("input"), nb::arg("other"), nb::arg("dim") = nb::none());
  cls.def("cross", cross_b, nb::arg("other"), nb::arg("dim") = nb::none());
  fns.def("angle", &angle, nb::arg("input"));
  cls.def("angle", &angle);
  fns.def(
      "fill", [](const Tensor& s, nb::handle v) { return fill(s, operand(v, "value")); },
      nb::arg("input"), nb::arg("value"));
  fns.def("block_diag", [](nb::args ts) {
    TensorList list;
    for (nb::handle h : ts) list.push_back(nb::cast<Tensor>(h));
    return block_diag(list);
  });
}

}  // namespace mlxc::py
