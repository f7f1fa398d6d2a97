// Bindings for activations and losses (torch.* and torch._C._nn entry points).
#include "ops/activation.h"
#include "ops/activation_more.h"
#include "ops/loss.h"
#include "ops/loss_pointwise.h"
#include "ops/nn_misc.h"
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
  nn.def(
      "binary_cross_entropy",
      [](const Tensor& in, const Tensor& tgt, std::optional<Tensor> w, int red) {
        return binary_cross_entropy(in, tgt, w, static_cast<Reduction>(red));
      },
      nb::arg("input"), nb::arg("target"), nb::arg("weight").none() = nb::none(),
      nb::arg("reduction") = 1);
  fns.def(
      "binary_cross_entropy_with_logits",
      [](const Tensor& in, const Tensor& tgt, std::optional<Tensor> w, std::optional<Tensor> pw,
         int red) {
        return binary_cross_entropy_with_logits(in, tgt, w, pw, static_cast<Reduction>(red));
      },
      nb::arg("input"), nb::arg("target"), nb::arg("weight").none() = nb::none(),
      nb::arg("pos_weight").none() = nb::none(), nb::arg("reduction") = 1);
  nn.def(
      "soft_margin_loss",
      [](const Tensor& in, const Tensor& tgt, int red) {
        return soft_margin_loss(in, tgt, static_cast<Reduction>(red));
      },
      nb::arg("input"), nb::arg("target"), nb::arg("reduction") = 1);
  nn.def(
      "smooth_l1_loss",
      [](const Tensor& in, const Tensor& tgt, int red, double beta) {
        return smooth_l1_loss(in, tgt, static_cast<Reduction>(red), beta);
      },
      nb::arg("input"), nb::arg("target"), nb::arg("reduction") = 1, nb::arg("beta") = 1.0);
  nn.def(
      "huber_loss",
      [](const Tensor& in, const Tensor& tgt, int red, double delta) {
        return huber_loss(in, tgt, static_cast<Reduction>(red), delta);
      },
      nb::arg("input"), nb::arg("target"), nb::arg("reduction") = 1, nb::arg("delta") = 1.0);
  // Activations of torch.nn.functional (torch._C._nn and torch.* where torch has them).
  nn.def(
      "gelu", [](const Tensor& x, const std::string& a) { return gelu(x, a); }, nb::arg("input"),
      nb::arg("approximate") = "none");
  nn.def("silu", [](const Tensor& x) { return silu(x); }, nb::arg("input"));
  nn.def("mish", [](const Tensor& x) { return mish(x); }, nb::arg("input"));
  nn.def(
      "elu", [](const Tensor& x, double a, double sc, double isc) { return elu(x, a, sc, isc); },
      nb::arg("input"), nb::arg("alpha") = 1.0, nb::arg("scale") = 1.0,
      nb::arg("input_scale") = 1.0);
  nn.def(
      "leaky_relu", [](const Tensor& x, double sl) { return leaky_relu(x, sl); }, nb::arg("input"),
      nb::arg("negative_slope") = 0.01);
  nn.def(
      "softplus", [](const Tensor& x, double b, double t) { return softplus(x, b, t); },
      nb::arg("input"), nb::arg("beta") = 1.0, nb::arg("threshold") = 20.0);
  nn.def(
      "hardtanh", [](const Tensor& x, double lo, double hi) { return hardtanh(x, lo, hi); },
      nb::arg("input"), nb::arg("min_val") = -1.0, nb::arg("max_val") = 1.0);
  nn.def("hardsigmoid", [](const Tensor& x) { return hardsigmoid(x); }, nb::arg("input"));
  nn.def("hardswish", [](const Tensor& x) { return hardswish(x); }, nb::arg("input"));
  nn.def(
      "softshrink", [](const Tensor& x, double l) { return softshrink(x, l); }, nb::arg("input"),
      nb::arg("lambd") = 0.5);
  nn.def("log_sigmoid", [](const Tensor& x) { return logsigmoid(x); }, nb::arg("input"));
  nn.def(
      "glu", [](const Tensor& x, int64_t d) { return glu(x, d); }, nb::arg("input"),
      nb::arg("dim") = -1);
  nn.def("softsign", [](const Tensor& x) { return softsign(x); }, nb::arg("input"));
  nn.def("tanhshrink", [](const Tensor& x) { return tanhshrink(x); }, nb::arg("input"));
  fns.def("selu", [](const Tensor& x) { return selu(x); }, nb::arg("input"));
  fns.def(
      "celu", [](const Tensor& x, double a) { return celu(x, a); }, nb::arg("input"),
      nb::arg("alpha") = 1.0);
  fns.def(
      "hardshrink", [](const Tensor& x, double l) { return hardshrink(x, l); }, nb::arg("input"),
      nb::arg("lambd") = 0.5);
  cls.def(
      "hardshrink", [](const Tensor& x, double l) { return hardshrink(x, l); },
      nb::arg("lambd") = 0.5);
  fns.def(
      "threshold", [](const Tensor& x, double t, double v) { return threshold(x, t, v); },
      nb::arg("input"), nb::arg("threshold"), nb::arg("value"));
  fns.def(
      "prelu", [](const Tensor& x, const Tensor& w) { return prelu(x, w); }, nb::arg("input"),
      nb::arg("weight"));
  fns.def(
      "embedding",
      [](const Tensor& w, const Tensor& idx, int64_t padding_idx, bool scale_grad_by_freq, bool) {
        return embedding(w, idx, padding_idx, scale_grad_by_freq);
      },
      nb::arg("weight"), nb::arg("indices"), nb::arg("padding_idx") = -1,
      nb::arg("scale_grad_by_freq") = false, nb::arg("sparse") = false);
  nn.def(
      "one_hot", [](const Tensor& x, int64_t n) { return one_hot(x, n); }, nb::arg("tensor"),
      nb::arg("num_classes") = -1);
  fns.def(
      "constant_pad_nd",
      [](const Tensor& x, const std::vector<int64_t>& pad, nb::handle v) {
        return constant_pad_nd(x, pad, operand(v, "value"));
      },
      nb::arg("input"), nb::arg("pad"), nb::arg("value") = 0);
}

}  // namespace mlxc::py
