// Bindings for torch.special (the `_special` submodule, re-exported by mlx_compat/special.py) and
// torch.* special functions.
#include "ops/pointwise.h"
#include "ops/special_bessel.h"
#include "ops/special_erf.h"
#include "ops/special_gamma.h"
#include "ops/special_poly.h"
#include "python/bind.h"

namespace mlxc::py {

namespace {

using Unary = Tensor (*)(const Tensor&);
using Binary = Tensor (*)(const Tensor&, const Tensor&);

// A function of one tensor with torch's `out=` keyword.
template <Unary F>
void def_unary(nb::module_& m, const char* name) {
  m.def(
      name, [](const Tensor& x, nb::handle out) { return write_out(out, F(x)); }, nb::arg("input"),
      nb::kw_only(), nb::arg("out") = nb::none());
}

// The function, the method and the in-place method of a unary op.
template <Unary F>
void def_unary_all(nb::module_& fns, const char* name, const char* iname) {
  def_unary<F>(fns, name);
  tensor_base().def(name, [](const Tensor& x) { return F(x); });
  tensor_base().def(iname, [](nb::handle s) { return inplace(s, F(unwrap(s))); });
}

// A function of two operands (tensors or numbers, at least one a tensor).
template <Binary F>
void def_binary(nb::module_& m, const char* name, const char* a = "input",
                const char* b = "other") {
  m.def(
      name,
      [](nb::handle x, nb::handle y, nb::handle out) {
        if (!is_tensor(x) && !is_tensor(y)) {
          throw nb::type_error("expected at least one of the arguments to be a Tensor");
        }
        return write_out(out, F(operand(x, "input"), operand(y, "other")));
      },
      nb::arg(a), nb::arg(b), nb::kw_only(), nb::arg("out") = nb::none());
}

// torch.name, torch.special.alias, the method and the in-place method of an op whose
// operands must both be tensors.
template <Binary F>
void def_tensor_binary(nb::module_& fns, nb::module_& ns, const char* name, const char* iname,
                       const char* alias) {
  auto f = [](const Tensor& a, const Tensor& b, nb::handle out) { return write_out(out, F(a, b)); };
  fns.def(name, f, nb::arg("input"), nb::arg("other"), nb::kw_only(), nb::arg("out") = nb::none());
  ns.def(alias, f, nb::arg("input"), nb::arg("other"), nb::kw_only(), nb::arg("out") = nb::none());
  tensor_base().def(
      name, [](const Tensor& s, const Tensor& o) { return F(s, o); }, nb::arg("other"));
  tensor_base().def(
      iname, [](nb::handle s, const Tensor& o) { return inplace(s, F(unwrap(s), o)); },
      nb::arg("other"));
}

void init_gamma(nb::module_& ns, nb::module_& fns) {
  auto& cls = tensor_base();
  def_unary_all<lgamma>(fns, "lgamma", "lgamma_");
  def_unary_all<digamma>(fns, "digamma", "digamma_");
  def_unary<lgamma>(ns, "gammaln");
  def_unary<digamma>(ns, "digamma");
  def_unary<digamma>(ns, "psi");
  auto pg = [](int64_t n, const Tensor& x, nb::handle out) {
    return write_out(out, polygamma(n, x));
  };
  fns.def("polygamma", pg, nb::arg("n"), nb::arg("input"), nb::kw_only(),
          nb::arg("out") = nb::none());
  ns.def("polygamma", pg, nb::arg("n"), nb::arg("input"), nb::kw_only(),
         nb::arg("out") = nb::none());
  cls.def("polygamma", [](const Tensor& x, int64_t n) { return polygamma(n, x); }, nb::arg("n"));
  cls.def(
      "polygamma_", [](nb::handle s, int64_t n) { return inplace(s, polygamma(n, unwrap(s))); },
      nb::arg("n"));
  auto mvl = [](const Tensor& x, int64_t p, nb::handle out) {
    return write_out(out, mvlgamma(x, p));
  };
  fns.def("mvlgamma", mvl, nb::arg("input"), nb::arg("p"), nb::kw_only(),
          nb::arg("out") = nb::none());
  ns.def("multigammaln", mvl, nb::arg("input"), nb::arg("p"), nb::kw_only(),
         nb::arg("out") = nb::none());
  cls.def("mvlgamma", [](const Tensor& x, int64_t p) { return mvlgamma(x, p); }, nb::arg("p"));
  cls.def(
      "mvlgamma_", [](nb::handle s, int64_t p) { return inplace(s, mvlgamma(unwrap(s), p)); },
      nb::arg("p"));
  def_binary<special_zeta>(ns, "zeta");
  def_tensor_binary<igamma>(fns, ns, "igamma", "igamma_", "gammainc");
  def_tensor_binary<igammac>(fns, ns, "igammac", "igammac_", "gammaincc");
}

void init_erf(nb::module_& ns, nb::module_& fns) {
  def_unary_all<erfc>(fns, "erfc", "erfc_");
  def_unary_all<sinc>(fns, "sinc", "sinc_");
  def_unary<erfc>(ns, "erfc");
  def_unary<sinc>(ns, "sinc");
  def_unary<special_erfcx>(ns, "erfcx");
  def_unary<special_ndtr>(ns, "ndtr");
  def_unary<special_ndtri>(ns, "ndtri");
  def_unary<special_log_ndtr>(ns, "log_ndtr");
  def_unary<special_entr>(ns, "entr");
  def_binary<special_xlog1py>(ns, "xlog1py");
}

void init_bessel(nb::module_& ns, nb::module_& fns) {
  def_unary_all<i0>(fns, "i0", "i0_");
  def_unary<i0>(ns, "i0");
  def_unary<special_i0e>(ns, "i0e");
  def_unary<special_i1>(ns, "i1");
  def_unary<special_i1e>(ns, "i1e");
  def_unary<special_modified_bessel_i0>(ns, "modified_bessel_i0");
  def_unary<special_modified_bessel_i1>(ns, "modified_bessel_i1");
  def_unary<special_modified_bessel_k0>(ns, "modified_bessel_k0");
  def_unary<special_modified_bessel_k1>(ns, "modified_bessel_k1");
  def_unary<special_scaled_modified_bessel_k0>(ns, "scaled_modified_bessel_k0");
  def_unary<special_scaled_modified_bessel_k1>(ns, "scaled_modified_bessel_k1");
  def_unary<special_bessel_j0>(ns, "bessel_j0");
  def_unary<special_bessel_j1>(ns, "bessel_j1");
  def_unary<special_bessel_y0>(ns, "bessel_y0");
  def_unary<special_bessel_y1>(ns, "bessel_y1");
  def_unary<special_spherical_bessel_j0>(ns, "spherical_bessel_j0");
  def_unary<special_airy_ai>(ns, "airy_ai");
}

template <OrthoPoly K>
void def_poly(nb::module_& ns, const char* name) {
  ns.def(
      name,
      [](nb::handle x, nb::handle n, nb::handle out) {
        if (!is_tensor(x) && !is_tensor(n)) {
          throw nb::type_error("expected at least one of the arguments to be a Tensor");
        }
        return write_out(out, orthogonal_polynomial(operand(x, "input"), operand(n, "n"), K));
      },
      nb::arg("input"), nb::arg("n"), nb::kw_only(), nb::arg("out") = nb::none());
}

void init_poly(nb::module_& ns) {
  def_poly<OrthoPoly::T>(ns, "chebyshev_polynomial_t");
  def_poly<OrthoPoly::U>(ns, "chebyshev_polynomial_u");
  def_poly<OrthoPoly::V>(ns, "chebyshev_polynomial_v");
  def_poly<OrthoPoly::W>(ns, "chebyshev_polynomial_w");
  def_poly<OrthoPoly::ShiftedT>(ns, "shifted_chebyshev_polynomial_t");
  def_poly<OrthoPoly::ShiftedU>(ns, "shifted_chebyshev_polynomial_u");
  def_poly<OrthoPoly::ShiftedV>(ns, "shifted_chebyshev_polynomial_v");
  def_poly<OrthoPoly::ShiftedW>(ns, "shifted_chebyshev_polynomial_w");
  def_poly<OrthoPoly::H>(ns, "hermite_polynomial_h");
  def_poly<OrthoPoly::He>(ns, "hermite_polynomial_he");
  def_poly<OrthoPoly::L>(ns, "laguerre_polynomial_l");
  def_poly<OrthoPoly::P>(ns, "legendre_polynomial_p");
}

}  // namespace

void init_special(nb::module_& m, nb::module_& fns) {
  nb::module_ ns = m.def_submodule("_special", "torch.special functions");
  init_gamma(ns, fns);
  init_erf(ns, fns);
  init_bessel(ns, fns);
  init_poly(ns);
}

}  // namespace mlxc::py
