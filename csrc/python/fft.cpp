// Bindings for torch.fft (the `_fft` submodule, re-exported by mlx_compat/fft.py),
// the complex conjugation helpers, and stft/istft.
#include "ops/fft.h"

#include "ops/complex.h"
#include "ops/pointwise.h"
#include "ops/stft.h"
#include "ops/windows.h"
#include "python/bind.h"

namespace mlxc::py {

namespace {

using Fn1 = Tensor (*)(const Tensor&, std::optional<int64_t>, int64_t, const OptNorm&);
using FnN = Tensor (*)(const Tensor&, const OptDims&, const OptDims&, const OptNorm&);

void def_1d(nb::module_& ns, const char* name, Fn1 fn) {
  ns.def(
      name,
      [fn](const Tensor& x, std::optional<int64_t> n, int64_t dim, const OptNorm& norm,
           nb::handle out) { return write_out(out, fn(x, n, dim, norm)); },
      nb::arg("input"), nb::arg("n") = nb::none(), nb::arg("dim") = -1,
      nb::arg("norm") = nb::none(), nb::kw_only(), nb::arg("out") = nb::none());
}

// The n-d form (dim defaults to all dims) and its 2-d form (dim defaults to (-2, -1)).
void def_nd(nb::module_& ns, const char* name_n, const char* name_2, FnN fn) {
  auto call = [fn](const Tensor& x, nb::handle s, nb::handle dim, const OptNorm& norm,
                   nb::handle out) {
    return write_out(out, fn(x, parse_dims(s), parse_dims(dim), norm));
  };
  ns.def(name_n, call, nb::arg("input"), nb::arg("s") = nb::none(), nb::arg("dim") = nb::none(),
         nb::arg("norm") = nb::none(), nb::kw_only(), nb::arg("out") = nb::none());
  ns.def(name_2, call, nb::arg("input"), nb::arg("s") = nb::none(),
         nb::arg("dim") = nb::make_tuple(-2, -1), nb::arg("norm") = nb::none(), nb::kw_only(),
         nb::arg("out") = nb::none());
}

void def_freq(nb::module_& ns, const char* name,
              Tensor (*fn)(int64_t, double, const TensorOptions&)) {
  ns.def(
      name,
      [fn](int64_t n, double d, nb::handle out, nb::handle dtype, nb::handle, nb::handle device,
           bool rg) { return write_out(out, fn(n, d, parse_options(dtype, device, rg, out))); },
      nb::arg("n"), nb::arg("d") = 1.0, nb::kw_only(), nb::arg("out") = nb::none(),
      nb::arg("dtype") = nb::none(), nb::arg("layout") = nb::none(), nb::arg("device") = nb::none(),
      nb::arg("requires_grad") = false);
}

void init_conj(nb::module_& fns) {
  auto& cls = tensor_base();
  // Note [Conjugate and negative views]
  fns.def("conj", &conj_view, nb::arg("input"));
  cls.def("conj", &conj_view);
  fns.def("_neg_view", &neg_view, nb::arg("input"));
  cls.def("_neg_view", &neg_view);
  fns.def(
      "conj_physical",
      [](const Tensor& x, nb::handle out) { return write_out(out, conj_physical(x)); },
      nb::arg("input"), nb::kw_only(), nb::arg("out") = nb::none());
  cls.def("conj_physical", &conj_physical);
  auto conj_inplace = [](nb::handle s) {
    const Tensor& t = unwrap(s);
    if (is_complex(t.dtype())) apply_inplace(t, conj_physical(t));
    return nb::borrow(s);
  };
  fns.def("conj_physical_", conj_inplace, nb::arg("input"));
  cls.def("conj_physical_", conj_inplace);
  fns.def("resolve_conj", &resolve_conj, nb::arg("input"));
  cls.def("resolve_conj", &resolve_conj);
  fns.def("resolve_neg", &resolve_neg, nb::arg("input"));
  cls.def("resolve_neg", &resolve_neg);
  auto is_conj = [](const Tensor& t) { return t.impl()->conj; };
  auto is_neg = [](const Tensor& t) { return t.impl()->neg; };
  fns.def("is_conj", is_conj, nb::arg("input"));
  cls.def("is_conj", is_conj);
  fns.def("is_neg", is_neg, nb::arg("input"));
  cls.def("is_neg", is_neg);
}

// torch's UserWarning text; raises if warnings are turned into errors.
void warn(const char* msg) {
  if (PyErr_WarnEx(PyExc_UserWarning, msg, 1) < 0) throw nb::python_error();
}

std::optional<Tensor> opt_window(nb::handle h) {
  if (h.is_none()) return std::nullopt;
  return operand(h, "window");
}

void init_stft(nb::module_& fns) {
  auto& cls = tensor_base();
  auto stft_b = [](const Tensor& x, int64_t n_fft, std::optional<int64_t> hop,
                   std::optional<int64_t> win, nb::handle window, bool center,
                   const std::string& pad_mode, bool normalized, std::optional<bool> onesided,
                   std::optional<bool> return_complex, std::optional<bool> align) {
    if (window.is_none()) {
      warn(
          "A window was not provided. A rectangular window will be applied,which is known to "
          "cause spectral leakage. Other windows such as torch.hann_window or "
          "torch.hamming_window are recommended to reduce spectral leakage.To suppress this "
          "warning and use a rectangular window, explicitly set `window=torch.ones(n_fft, "
          "device=<device>)`.");
    }
    Tensor r = stft(x, n_fft, hop, win, opt_window(window), center, pad_mode, normalized, onesided,
                    return_complex, align);
    if (return_complex && !*return_complex) {
      warn(
          "stft with return_complex=False is deprecated. In a future pytorch release, stft "
          "will return complex tensors for all inputs, and return_complex=False will raise an "
          "error.\nNote: you can still call torch.view_as_real on the complex output to recover "
          "the old return format.");
    }
    return r;
  };
  fns.def("stft", stft_b, nb::arg("input"), nb::arg("n_fft"), nb::arg("hop_length") = nb::none(),
          nb::arg("win_length") = nb::none(), nb::arg("window") = nb::none(),
          nb::arg("center") = true, nb::arg("pad_mode") = "reflect", nb::arg("normalized") = false,
          nb::arg("onesided") = nb::none(), nb::arg("return_complex") = nb::none(),
          nb::arg("align_to_window") = nb::none());
  cls.def("stft", stft_b, nb::arg("n_fft"), nb::arg("hop_length") = nb::none(),
          nb::arg("win_length") = nb::none(), nb::arg("window") = nb::none(),
          nb::arg("center") = true, nb::arg("pad_mode") = "reflect", nb::arg("normalized") = false,
          nb::arg("onesided") = nb::none(), nb::arg("return_complex") = nb::none(),
          nb::arg("align_to_window") = nb::none());
  auto istft_b = [](const Tensor& x, int64_t n_fft, std::optional<int64_t> hop,
                    std::optional<int64_t> win, nb::handle window, bool center, bool normalized,
                    std::optional<bool> onesided, std::optional<int64_t> length,
                    bool return_complex) {
    if (window.is_none()) {
      warn(
          "A window was not provided. A rectangular window will be applied.Please provide the "
          "same window used by stft to make the inversion lossless.To suppress this warning and "
          "use a rectangular window, explicitly set `window=torch.ones(n_fft, "
          "device=<device>)`.");
    }
    return istft(x, n_fft, hop, win, opt_window(window), center, normalized, onesided, length,
                 return_complex);
  };
  fns.def("istft", istft_b, nb::arg("input"), nb::arg("n_fft"), nb::arg("hop_length") = nb::none(),
          nb::arg("win_length") = nb::none(), nb::arg("window") = nb::none(),
          nb::arg("center") = true, nb::arg("normalized") = false, nb::arg("onesided") = nb::none(),
          nb::arg("length") = nb::none(), nb::arg("return_complex") = false);
  cls.def("istft", istft_b, nb::arg("n_fft"), nb::arg("hop_length") = nb::none(),
          nb::arg("win_length") = nb::none(), nb::arg("window") = nb::none(),
          nb::arg("center") = true, nb::arg("normalized") = false, nb::arg("onesided") = nb::none(),
          nb::arg("length") = nb::none(), nb::arg("return_complex") = false);
}

// The factory keywords every window function takes.
#define MLXC_WINDOW_KW                                                          \
  nb::kw_only(), nb::arg("dtype") = nb::none(), nb::arg("layout") = nb::none(), \
                 nb::arg("device") = nb::none(), nb::arg("pin_memory") = false, \
                 nb::arg("requires_grad") = false

void init_windows(nb::module_& fns) {
  using Simple = Tensor (*)(int64_t, bool, const TensorOptions&);
  auto simple = [&fns](const char* name, Simple fn) {
    fns.def(
        name,
        [fn](int64_t n, bool periodic, nb::handle dtype, nb::handle, nb::handle device, bool,
             bool rg) { return fn(n, periodic, parse_options(dtype, device, rg)); },
        nb::arg("window_length"), nb::arg("periodic") = true, MLXC_WINDOW_KW);
  };
  simple("hann_window", &hann_window);
  simple("bartlett_window", &bartlett_window);
  simple("blackman_window", &blackman_window);
  fns.def(
      "hamming_window",
      [](int64_t n, bool periodic, double alpha, double beta, nb::handle dtype, nb::handle,
         nb::handle device, bool, bool rg) {
        return hamming_window(n, periodic, alpha, beta, parse_options(dtype, device, rg));
      },
      nb::arg("window_length"), nb::arg("periodic") = true, nb::arg("alpha") = 0.54,
      nb::arg("beta") = 0.46, MLXC_WINDOW_KW);
  fns.def(
      "kaiser_window",
      [](int64_t n, bool periodic, double beta, nb::handle dtype, nb::handle, nb::handle device,
         bool,
         bool rg) { return kaiser_window(n, periodic, beta, parse_options(dtype, device, rg)); },
      nb::arg("window_length"), nb::arg("periodic") = true, nb::arg("beta") = 12.0, MLXC_WINDOW_KW);
}

#undef MLXC_WINDOW_KW

}  // namespace

void init_fft(nb::module_& m, nb::module_& fns) {
  nb::module_ ns = m.def_submodule("_fft", "torch.fft functions");
  def_1d(ns, "fft", &fft_fft);
  def_1d(ns, "ifft", &fft_ifft);
  def_1d(ns, "rfft", &fft_rfft);
  def_1d(ns, "irfft", &fft_irfft);
  def_1d(ns, "hfft", &fft_hfft);
  def_1d(ns, "ihfft", &fft_ihfft);
  def_nd(ns, "fftn", "fft2", &fft_fftn);
  def_nd(ns, "ifftn", "ifft2", &fft_ifftn);
  def_nd(ns, "rfftn", "rfft2", &fft_rfftn);
  def_nd(ns, "irfftn", "irfft2", &fft_irfftn);
  def_nd(ns, "hfftn", "hfft2", &fft_hfftn);
  def_nd(ns, "ihfftn", "ihfft2", &fft_ihfftn);
  ns.def(
      "fftshift", [](const Tensor& x, nb::handle dim) { return fft_fftshift(x, parse_dims(dim)); },
      nb::arg("input"), nb::arg("dim") = nb::none());
  ns.def(
      "ifftshift",
      [](const Tensor& x, nb::handle dim) { return fft_ifftshift(x, parse_dims(dim)); },
      nb::arg("input"), nb::arg("dim") = nb::none());
  def_freq(ns, "fftfreq", &fft_fftfreq);
  def_freq(ns, "rfftfreq", &fft_rfftfreq);
  init_conj(fns);
  init_stft(fns);
  init_windows(fns);
}

}  // namespace mlxc::py
