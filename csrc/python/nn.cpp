// Bindings for activations and losses (torch.* and torch._C._nn entry points).
#include "ops/activation.h"
#include "ops/loss.h"
#include "python/bind.h"

namespace mlxc::py {

void init_nn(nb::module_& m, nb::module_& fns) {
  auto& cls = tensor_base();
  auto sm = [](const Tensor& s, int64_t dim, nb::handle dtype) {
    return softmax(s, dim, parse_dtype(dtype));
  };
  auto lsm = [](const Tensor& s, int64_t dim, nb::handle dtype) {
    return log_softmax(s, dim, parse_dtype(dtype));
  };
  fns.def("softmax", sm, nb::arg("input"), nb::arg("dim"), nb::arg("dtype") = nb::none());
  cls.def("softmax", sm, nb::arg("dim"), nb::arg("dtype") = nb::none());
  fns.def("log_softmax", lsm, nb::arg("input"), nb::arg("dim"), nb::arg("dtype") = nb::none());
  cls.def("log_softmax", lsm, nb::arg("dim"), nb::arg("dtype") = nb::none());

  nb::module_ nn = m.def_submodule("_nn", "torch._C._nn counterparts");
  nn.def(
      "nll_loss",
      [](const Tensor& in, const Tensor& tgt, std::optional<Tensor> w, int red, int64_t ignore) {
        return nll_loss(in, tgt, w ? *w : Tensor(), static_cast<Reduction>(red), ignore);
      },
      nb::arg("input"), nb::arg("target"), nb::arg("weight").none(), nb::arg("reduction"),
      nb::arg("ignore_index"));
  nn.def(
      "mse_loss",
      [](const Tensor& in, const Tensor& tgt, int red) {
        return mse_loss(in, tgt, static_cast<Reduction>(red));
      },
      nb::arg("input"), nb::arg("target"), nb::arg("reduction") = 1);
  nn.def(
      "cross_entropy_loss",
      [](const Tensor& in, const Tensor& tgt, std::optional<Tensor> w, int red, int64_t ignore,
         double ls) {
        return cross_entropy(in, tgt, w ? *w : Tensor(), static_cast<Reduction>(red), ignore, ls);
      },
      nb::arg("input"), nb::arg("target"), nb::arg("weight").none(), nb::arg("reduction"),
      nb::arg("ignore_index"), nb::arg("label_smoothing"));
}

}  // namespace mlxc::py
