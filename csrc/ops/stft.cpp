#include "ops/stft.h"

#include <sstream>

#include "ops/complex.h"
#include "ops/fft.h"
#include "ops/layout.h"
#include "ops/nn_misc.h"
#include "ops/pointwise.h"
#include "ops/shape.h"
#include "ops/view.h"
#include "ops/view_inplace.h"

namespace mlxc {

namespace {

std::string opt_str(std::optional<bool> v) { return v ? (*v ? "1" : "0") : "None"; }

std::string opt_str(std::optional<int64_t> v) { return v ? std::to_string(*v) : "None"; }

std::string window_str(const std::optional<Tensor>& w) {
  if (!w) return "None";
  return str("torch.", legacy_type_name(w->dtype()), "{", sizes_str(w->sizes()), "}");
}

// Pads the last dim of a 3-d tensor by `pad` on both sides, as F.pad does.
Tensor pad_signal(const Tensor& x, int64_t pad, const std::string& mode) {
  const int64_t len = x.size(-1);
  if (mode == "constant") return constant_pad_nd(x, {pad, pad}, wrapped_scalar(0.0));
  if (pad == 0) return x;
  if (mode == "reflect") {
    MLXC_CHECK(pad < len, Runtime,
               "Argument #4: Padding size should be less than the corresponding input dimension, "
               "but got: padding (",
               pad, ", ", pad, ") at dimension ", x.dim() - 1, " of input ", sizes_str(x.sizes()));
    Tensor lo = flip(narrow(x, -1, 1, pad), {-1});
    Tensor hi = flip(narrow(x, -1, len - 1 - pad, pad), {-1});
    return cat({lo, x, hi}, -1);
  }
  if (mode == "replicate") {
    IntArray edge = x.sizes();
    edge.back() = pad;
    return cat({expand(narrow(x, -1, 0, 1), edge), x, expand(narrow(x, -1, len - 1, 1), edge)}, -1);
  }
  if (mode == "circular") {
    MLXC_CHECK(pad <= len, Runtime, "Padding value causes wrapping around more than once.");
    return cat({narrow(x, -1, len - pad, pad), x, narrow(x, -1, 0, pad)}, -1);
  }
  fail(ErrorKind::NotImplemented, "Unrecognised padding mode ", mode);
}

// A length-n_fft window with `window` (or ones) centred in it.
Tensor full_window(const std::optional<Tensor>& window, int64_t win_length, int64_t n_fft,
                   ScalarType dtype, const Device& device) {
  const int64_t left = (n_fft - win_length) / 2;
  Tensor w = window
                 ? *window
                 : Tensor::from_array(mx::ones({static_cast<int32_t>(win_length)}, to_mlx(dtype)),
                                      dtype, device);
  if (win_length == n_fft) return w;
  return constant_pad_nd(w, {left, n_fft - win_length - left}, wrapped_scalar(0.0));
}

// Overlap-add of frames (C, F, N) with hop `hop` into (C, (F - 1) * hop + N):
// the adjoint of unfold(dim=1, size=N, step=hop).
Tensor overlap_add(const Tensor& frames, int64_t hop) {
  const int64_t c = frames.size(0), f = frames.size(1), n = frames.size(2);
  const int64_t len = n + hop * (f - 1);
  const mx::Dtype dt = to_mlx(frames.dtype());
  mx::array pos = mx::add(
      mx::reshape(mx::multiply(mx::arange(0, static_cast<int>(f), mx::int32),
                               mx::array(static_cast<int32_t>(hop))),
                  {static_cast<int32_t>(f), 1}),
      mx::reshape(mx::arange(0, static_cast<int>(n), mx::int32), {1, static_cast<int32_t>(n)}));
  const auto fn = static_cast<int32_t>(f * n);
  mx::array idx = mx::broadcast_to(mx::reshape(pos, {1, fn}), {static_cast<int32_t>(c), fn});
  mx::array vals = mx::reshape(frames.value(), {static_cast<int32_t>(c), fn});
  mx::array zero = mx::zeros({static_cast<int32_t>(c), static_cast<int32_t>(len)}, dt);
  mx::array out =
      scatter_nonempty(zero, vals, [&] { return mx::scatter_add_axis(zero, idx, vals, 1); });
  Tensor result = make_result(out, frames.dtype(), {&frames});
  if (!needs_grad({&frames})) return result;
  auto node = make_node("UnfoldBackwardBackward0", {&frames}, [n, hop](FnNode&, TensorList& gs) {
    return TensorList{contiguous(unfold(gs[0], 1, n, hop))};
  });
  return with_history(result, node);
}

// Products and quotients written through real and imaginary parts, so that the
// gradients follow torch's conjugate convention for complex operands.
Tensor re(const Tensor& z) { return contiguous(real(z)); }
Tensor im(const Tensor& z) { return contiguous(imag(z)); }

Tensor cmul(const Tensor& a, const Tensor& b) {
  const bool ca = is_complex(a.dtype()), cb = is_complex(b.dtype());
  if (!ca && !cb) return mul(a, b);
  if (!cb) return complex(mul(re(a), b), mul(im(a), b));
  if (!ca) return complex(mul(a, re(b)), mul(a, im(b)));
  return complex(sub(mul(re(a), re(b)), mul(im(a), im(b))),
                 add(mul(re(a), im(b)), mul(im(a), re(b))));
}

Tensor cdiv(const Tensor& a, const Tensor& b) {
  if (!is_complex(b.dtype())) {
    if (!is_complex(a.dtype())) return div(a, b);
    return complex(div(re(a), b), div(im(a), b));
  }
  Tensor num = cmul(a, conj(b));
  Tensor den = add(mul(re(b), re(b)), mul(im(b), im(b)));
  return complex(div(re(num), den), div(im(num), den));
}

}  // namespace

Tensor stft(const Tensor& self, int64_t n_fft, std::optional<int64_t> hop_length,
            std::optional<int64_t> win_length, const std::optional<Tensor>& window, bool center,
            const std::string& pad_mode, bool normalized, std::optional<bool> onesided,
            std::optional<bool> return_complex, std::optional<bool> align_to_window) {
  MLXC_CHECK(!(center && align_to_window), Runtime,
             "stft align_to_window should only be set when center = false");
  Tensor input = self;
  if (center) {
    IntArray ext(std::max<int64_t>(0, 3 - self.dim()), 1);
    for (int64_t s : self.sizes()) ext.push_back(s);
    const int64_t pad = n_fft / 2;
    Tensor padded = pad_signal(reshape(self, ext), pad, pad_mode);
    IntArray back(padded.sizes().end() - self.dim(), padded.sizes().end());
    input = reshape(padded, back);
  }
  const int64_t hop = hop_length.value_or(n_fft >> 2);
  const int64_t win = win_length.value_or(n_fft);
  auto repr = [&] {
    return str("stft(torch.", legacy_type_name(input.dtype()), sizes_str(input.sizes()),
               ", n_fft=", n_fft, ", hop_length=", hop, ", win_length=", win,
               ", window=", window_str(window), ", normalized=", normalized ? 1 : 0,
               ", onesided=", opt_str(onesided), ", return_complex=", opt_str(return_complex),
               ", align_to_window=", opt_str(align_to_window), ") ");
  };
  const bool want_complex =
      return_complex.value_or(is_complex(self.dtype()) || (window && is_complex(window->dtype())));
  MLXC_CHECK(want_complex || return_complex.has_value(), Runtime,
             "stft requires the return_complex parameter be given for real inputs, and will "
             "further require that return_complex=True in a future PyTorch release.");
  MLXC_CHECK(is_floating(input.dtype()) || is_complex(input.dtype()), Runtime, repr(),
             ": expected a tensor of floating point or complex values");
  MLXC_CHECK(input.dim() == 1 || input.dim() == 2, Runtime, repr(), ": expected a 1D or 2D tensor");
  Tensor x = input.dim() == 1 ? unsqueeze(input, 0) : input;
  const int64_t len = x.size(1);
  MLXC_CHECK(n_fft > 0 && n_fft <= len, Runtime, repr(), ": expected 0 < n_fft < ", len,
             ", but got n_fft=", win);
  MLXC_CHECK(hop > 0, Runtime, repr(), ": expected hop_length > 0, but got hop_length=", hop);
  MLXC_CHECK(win > 0 && win <= n_fft, Runtime, repr(),
             ": expected 0 < win_length <= n_fft, but got win_length=", win);
  MLXC_CHECK(!window || (window->dim() == 1 && window->size(0) == win), Runtime, repr(),
             ": expected a 1D window tensor of size equal to win_length=", win,
             ", but got window with size ", window ? sizes_str(window->sizes()) : "");
  std::optional<Tensor> w;
  if (window || win < n_fft) w = full_window(window, win, n_fft, x.dtype(), x.device());
  if (align_to_window.value_or(false) && win < n_fft) {
    // Frames start where their window starts, not where the n_fft frame starts.
    const int64_t left = (n_fft - win) / 2;
    x = constant_pad_nd(x, {left, n_fft - win - left}, wrapped_scalar(0.0));
  }
  Tensor frames = unfold(x, 1, n_fft, hop);  // (batch, frames, n_fft)
  if (w) frames = cmul(frames, *w);
  const bool complex_fft = is_complex(frames.dtype());
  const bool half = onesided.value_or(!complex_fft);
  const FftNorm norm = normalized ? FftNorm::ByRootN : FftNorm::None;
  Tensor spec;
  if (complex_fft) {
    MLXC_CHECK(!half, Runtime, "Cannot have onesided output if window or input is complex");
    spec = fft_c2c(frames, {2}, norm, true);
  } else {
    spec = fft_r2c(frames, {2}, norm, half);
  }
  // (batch, freq, frames) by torch's in-place transpose_ and squeeze_ on the
  // fresh spectrum: the same strides and nodes as torch's result.
  transpose_(spec, 1, 2);
  if (self.dim() == 1) squeeze_(spec, std::vector<int64_t>{0}, true);
  return want_complex ? spec : view_as_real(spec);
}

Tensor istft(const Tensor& self, int64_t n_fft, std::optional<int64_t> hop_length,
             std::optional<int64_t> win_length, const std::optional<Tensor>& window, bool center,
             bool normalized, std::optional<bool> onesided, std::optional<int64_t> length,
             bool return_complex) {
  const int64_t hop = hop_length.value_or(n_fft >> 2);
  const int64_t win = win_length.value_or(n_fft);
  MLXC_CHECK(is_complex(self.dtype()), Runtime,
             "istft requires a complex-valued input tensor matching the output from stft with "
             "return_complex=True.");
  auto repr = [&] {
    IntArray real_sizes = self.sizes();
    real_sizes.push_back(2);
    return str("istft(CPUComplexFloatType", sizes_str(real_sizes), ", n_fft=", n_fft,
               ", hop_length=", hop, ", win_length=", win, ", window=", window_str(window),
               ", center=", center ? 1 : 0, ", normalized=", normalized ? 1 : 0,
               ", onesided=", opt_str(onesided), ", length=", opt_str(length),
               ", return_complex=", return_complex ? 1 : 0, ") ");
  };
  MLXC_CHECK(self.numel() > 0, Runtime, repr(), ": input tensor cannot be empty.");
  MLXC_CHECK(self.dim() == 2 || self.dim() == 3, Runtime, repr(),
             ": expected a tensor with 3 or 4 dimensions, but got ", self.dim() + 1);
  const int64_t n_frames = self.size(-1), fft_size = self.size(-2);
  const int64_t out_len = n_fft + hop * (n_frames - 1);
  const bool half = onesided.value_or(fft_size != n_fft);
  if (half) {
    MLXC_CHECK(n_fft / 2 + 1 == fft_size, Runtime, repr(),
               ": expected the frequency dimension (3rd to the last) of the input tensor to "
               "match n_fft / 2 + 1 when onesided=True, but got ",
               fft_size);
  } else {
    MLXC_CHECK(n_fft == fft_size, Runtime, repr(),
               ": expected the frequency dimension (3rd to the last) of the input tensor to "
               "match n_fft when onesided=False, but got ",
               fft_size);
  }
  MLXC_CHECK(hop > 0 && hop <= win, Runtime, repr(), ": expected 0 < hop_length <= win_length");
  MLXC_CHECK(win > 0 && win <= n_fft, Runtime, repr(), ": expected 0 < win_length <= n_fft");
  MLXC_CHECK(!window || (window->dim() == 1 && window->size(0) == win), Runtime, repr(),
             ": Invalid window shape. window has to be 1D and length of `win_length`");
  Tensor w = full_window(window, win, n_fft, ScalarType::Float32, self.device());
  Tensor x = self.dim() == 2 ? unsqueeze(self, 0) : self;
  x = transpose(x, 1, 2);  // (channel, frames, freq)
  const FftNorm norm = normalized ? FftNorm::ByRootN : FftNorm::ByN;
  if (return_complex) {
    MLXC_CHECK(!half, Runtime, "Cannot have onesided output if window or input is complex");
    x = fft_c2c(x, {2}, norm, false);
  } else {
    MLXC_CHECK(!window || !is_complex(window->dtype()), Runtime,
               "Complex windows are incompatible with return_complex=False");
    if (!half) x = narrow(x, -1, 0, n_fft / 2 + 1);
    x = fft_c2r(contiguous(x), {2}, norm, n_fft);
  }
  Tensor y = overlap_add(cmul(x, reshape(w, {1, 1, n_fft})), hop);
  Tensor env = overlap_add(expand(reshape(cmul(w, w), {1, 1, n_fft}), {1, n_frames, n_fft}), hop);
  const int64_t start = center ? n_fft / 2 : 0;
  const int64_t end = length ? start + *length : center ? out_len - n_fft / 2 : out_len;
  const int64_t stop = std::min(end, out_len);
  y = narrow(y, 1, start, std::max<int64_t>(stop - start, 0));
  env = narrow(env, 1, start, std::max<int64_t>(stop - start, 0));
  if (env.numel() > 0) {
    // torch checks the envelope's values; this reads them.
    const double lowest = item_double(mx::min(mx::abs(env.value())));
    MLXC_CHECK(!(lowest < 1e-11), Runtime, repr(), "window overlap add min: 1\n[ CPUBoolType{} ]");
  }
  y = cdiv(y, env);
  if (self.dim() == 2) y = squeeze(y, std::vector<int64_t>{0});
  if (end > out_len) {
    std::vector<int64_t> pad{0, end - out_len};
    y = constant_pad_nd(y, pad, wrapped_scalar(0.0));
  }
  return y;
}

}  // namespace mlxc
