#include "ops/pool.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/eval.h"
#include "ops/linalg.h"
#include "ops/nn_misc.h"
#include "ops/pointwise.h"
#include "ops/reduce.h"
#include "ops/shape.h"
#include "ops/sliding.h"
#include "ops/view.h"

namespace mlxc {

namespace {

int64_t prod(const IntArray& v) {
  int64_t r = 1;
  for (auto x : v) r *= x;
  return r;
}

IntArray to_arr(const IntList& v) { return IntArray(v.begin(), v.end()); }

std::string tuple_str(const IntList& v, const char* sep = ", ") {
  std::string r;
  for (size_t i = 0; i < v.size(); ++i) r += str(i ? sep : "", v[i]);
  return r;
}

const char* const kCount[] = {"", "one", "two", "three"};

// torch's pooling_output_shape.
int64_t pool_out(int64_t in, int64_t k, int64_t pad, int64_t s, int64_t d, bool ceil) {
  const int64_t num = in + 2 * pad - d * (k - 1) - 1 + (ceil ? s - 1 : 0);
  int64_t o = (num >= 0 ? num / s : -((-num + s - 1) / s)) + 1;
  if (ceil && (o - 1) * s >= in + pad) --o;
  return o;
}

// An int-or-tuple pooling argument: one value for every dim, or one per dim.
IntList pool_param(const IntList& v, int64_t nd, const IntList& dflt, const std::string& msg) {
  if (v.empty() && !dflt.empty()) return dflt;
  MLXC_CHECK(v.size() == 1 || static_cast<int64_t>(v.size()) == nd, Runtime, msg);
  return v.size() == 1 ? IntList(nd, v[0]) : v;
}

std::string param_msg(const char* op, const char* what, int64_t nd, bool omit = false) {
  return str(op, ": ", what, " must ", omit ? "either be omitted, a single int, or" : "either be",
             omit ? "" : " a single int, or", " a tuple of ", kCount[nd], " ints");
}

// The average pool's input gradient from gy (B, O...): each output's share
// (gy / divisor) added over its window. Differentiable in gy.
Tensor avg_pool_grad(const Tensor& gy, const Windows& w, const mx::array& dv,
                     const IntArray& in_sizes, const char* name) {
  const ScalarType st = gy.dtype();
  mx::array g = mx::divide(gy.value(), mx::astype(dv, to_mlx(st)));
  mx::array r = mx::reshape(add_windows(g, w, true, to_mlx(st)), to_shape(in_sizes));
  Tensor result = make_result(r, st, {&gy});
  if (!needs_grad({&gy})) return result;
  auto node = make_node(name, {&gy}, [w, dv](FnNode&, TensorList& gs) {
    const int64_t nd = w.nd();
    IntArray planes{w.batch};
    planes.insert(planes.end(), w.in.begin(), w.in.end());
    std::vector<int64_t> pad;
    for (int64_t i = nd - 1; i >= 0; --i) pad.insert(pad.end(), {w.lo[i], w.hi[i]});
    Tensor x = constant_pad_nd(reshape(gs[0], planes), pad, wrapped_scalar(0.0));
    Tensor win = strided_gather(x, w.window_sizes(), w.window_strides(), 0);
    std::vector<int64_t> kdims;
    for (int64_t i = 0; i < nd; ++i) kdims.push_back(1 + nd + i);
    const ScalarType gt = gs[0].dtype();
    return TensorList{div(sum(win, kdims, false), make_result(mx::astype(dv, to_mlx(gt)), gt, {}))};
  });
  return with_history(result, node);
}

}  // namespace

Tensor flat_gather(const Tensor& src, const mx::array& idx) {
  const int64_t n = src.sizes()[1];
  mx::array v = idx.size() == 0 ? mx::zeros(idx.shape(), to_mlx(src.dtype()))
                                : mx::take_along_axis(src.value(), idx, 1);
  Tensor result = make_result(v, src.dtype(), {&src});
  if (!needs_grad({&src})) return result;
  auto node = make_node("GatherBackward0", {&src}, [idx, n](FnNode&, TensorList& gs) {
    return TensorList{flat_scatter_add(gs[0], idx, n)};
  });
  return with_history(result, node);
}

Tensor flat_scatter_add(const Tensor& src, const mx::array& idx, int64_t n) {
  const int b = static_cast<int>(src.sizes()[0]);
  mx::array z = mx::zeros({b, static_cast<int>(n)}, to_mlx(src.dtype()));
  mx::array v = scatter_nonempty(z, src.value(),
                                 [&] { return mx::scatter_add_axis(z, idx, src.value(), 1); });
  Tensor result = make_result(v, src.dtype(), {&src});
  if (!needs_grad({&src})) return result;
  auto node = make_node("ScatterAddBackward0", {&src}, [idx](FnNode&, TensorList& gs) {
    return TensorList{flat_gather(gs[0], idx)};
  });
  return with_history(result, node);
}

namespace {

// The lowest value of a dtype: max pooling pads with it.
mx::array lowest(ScalarType st) {
  switch (st) {
    case ScalarType::Int64:
      return mx::array(std::numeric_limits<int64_t>::min());
    case ScalarType::Int32:
      return mx::array(std::numeric_limits<int32_t>::min());
    case ScalarType::Int16:
    case ScalarType::Int8:
      return mx::astype(mx::array(st == ScalarType::Int8 ? -128 : -32768), to_mlx(st));
    case ScalarType::UInt8:
      return mx::zeros({}, mx::uint8);
    default:
      return mx::astype(mx::array(-std::numeric_limits<float>::infinity()), to_mlx(st));
  }
}

IntArray lead_sizes(const Tensor& t, int64_t nd) {
  return IntArray(t.sizes().begin(), t.sizes().end() - nd);
}

IntList spatial(const Tensor& t, int64_t nd) {
  return IntList(t.sizes().end() - nd, t.sizes().end());
}

const char* const kLetters[] = {"T", "H", "W"};

std::string letters(const char* what, const IntList& v) {
  std::string r;
  const size_t off = 3 - v.size();
  for (size_t i = 0; i < v.size(); ++i) r += str(i ? " " : "", what, kLetters[off + i], ": ", v[i]);
  return r;
}

// NotImplementedError for dtypes torch has no kernel for: integers (and bool
// unless allowed), and int64 too unless `int64_ok`.
void check_kernel_dtype(const Tensor& t, const char* name, bool int64_ok, bool bool_ok) {
  const ScalarType st = t.dtype();
  const bool ok = is_floating(st) || (st == ScalarType::Int64 && int64_ok) ||
                  (st == ScalarType::Bool && bool_ok);
  MLXC_CHECK(ok, NotImplemented, "\"", name, "\" not implemented for '", scalar_type_name(st), "'");
}

void check_not_bool(const Tensor& t, const char* name) {
  MLXC_CHECK(t.dtype() != ScalarType::Bool && !is_complex(t.dtype()), NotImplemented, "\"", name,
             "\" not implemented for '", scalar_type_name(t.dtype()), "'");
}

// Shared argument checks and geometry of max/avg pooling.
Windows pool_geometry(const char* name, int64_t nd, const Tensor& self, const IntList& kernel,
                      const IntList& stride, const IntList& padding, const IntList& dilation,
                      bool ceil_mode) {
  check_not_bool(self, name);
  MLXC_CHECK(self.dim() == nd + 1 || self.dim() == nd + 2, Runtime, "Expected ", nd + 1, "D or ",
             nd + 2, "D (batch mode) tensor with optional 0 dim batch size for input, but got:",
             sizes_str(self.sizes()));
  for (int64_t i = self.dim() - nd - 1; i < self.dim(); ++i) {
    MLXC_CHECK(self.sizes()[i] > 0, Runtime, "Expected ", nd + 1, "D or ", nd + 2,
               "D (batch mode) tensor with optional 0 dim batch size for input, but got:",
               sizes_str(self.sizes()));
  }
  Windows w;
  w.k = pool_param(kernel, nd, {}, param_msg(name, "kernel_size", nd));
  w.s = pool_param(stride, nd, w.k, param_msg(name, "stride", nd, true));
  const IntList p = pool_param(padding, nd, {}, param_msg(name, "padding", nd));
  w.d = pool_param(
      dilation, nd, {},
      str(name, ": dilation must be either a single int, or a ", "tuple of ", kCount[nd], " ints"));
  for (auto v : w.k) {
    MLXC_CHECK(v > 0, Runtime, "kernel size should be greater than zero, but got ",
               letters("k", w.k));
  }
  for (auto v : w.s) MLXC_CHECK(v != 0, Runtime, "stride should not be zero");
  for (auto v : w.s) {
    MLXC_CHECK(v > 0, Runtime, "stride should be greater than zero, but got ", letters("d", w.s));
  }
  for (auto v : w.d) {
    MLXC_CHECK(v > 0, Runtime, "dilation should be greater than zero, but got ",
               letters("dilation", w.d));
  }
  w.in = spatial(self, nd);
  w.batch = prod(lead_sizes(self, nd));
  bool small = false;
  for (int64_t i = 0; i < nd; ++i) {
    MLXC_CHECK(p[i] >= 0, Runtime, "pad must be non-negative, but got pad: ", p[i]);
    MLXC_CHECK(((w.k[i] - 1) * w.d[i] + 1) / 2 >= p[i], Runtime,
               "pad should be at most half of effective kernel size, but got pad=", p[i],
               ", kernel_size=", w.k[i], " and dilation=", w.d[i]);
    MLXC_CHECK(w.k[i] / 2 >= p[i], Runtime,
               "pad should be smaller than or equal to half of kernel size, but got ",
               nd == 2
                   ? str("padW = ", p[1], ", padH = ", p[0], ", kW = ", w.k[1], ", kH = ", w.k[0])
                   : str(letters("k", w.k), " ", letters("pad", p)));
    const int64_t o = pool_out(w.in[i], w.k[i], p[i], w.s[i], w.d[i], ceil_mode);
    w.out.push_back(o);
    small = small || o < 1;
    w.lo.push_back(p[i]);
    const int64_t reach = (o - 1) * w.s[i] + w.d[i] * (w.k[i] - 1) + 1;
    w.hi.push_back(p[i] + std::max<int64_t>(0, reach - (w.in[i] + 2 * p[i])));
  }
  const int64_t c = self.sizes()[self.dim() - nd - 1];
  MLXC_CHECK(!small, Runtime, "Given input size: (", c, "x", tuple_str(w.in, "x"),
             "). Calculated output size: (", c, "x", tuple_str(w.out, "x"),
             "). Output size is too small");
  return w;
}

IntArray out_sizes(const Tensor& self, int64_t nd, const IntList& out) {
  IntArray r = lead_sizes(self, nd);
  r.insert(r.end(), out.begin(), out.end());
  return r;
}

// Flat indices into each (unpadded) plane of the window positions `am` picked.
mx::array window_index(const mx::array& am, const Windows& w) {
  const int64_t nd = w.nd();
  mx::Shape shp{static_cast<int>(w.batch)};
  for (auto o : w.out) shp.push_back(static_cast<int>(o));
  mx::array rem = mx::reshape(mx::astype(am, mx::int64), shp);
  mx::array idx = mx::array(int64_t{0});
  int64_t plane = 1;
  for (int64_t i = nd - 1; i >= 0; --i) {
    mx::array ki = mx::remainder(rem, mx::array(w.k[i]));
    rem = mx::floor_divide(rem, mx::array(w.k[i]));
    mx::Shape os(nd + 1, 1);
    os[1 + i] = static_cast<int>(w.out[i]);
    mx::array o = mx::reshape(mx::arange(0.0, static_cast<double>(w.out[i]), 1.0, mx::int64), os);
    mx::array pos = mx::add(mx::subtract(mx::multiply(o, mx::array(w.s[i])), mx::array(w.lo[i])),
                            mx::multiply(ki, mx::array(w.d[i])));
    idx = mx::add(idx, mx::multiply(pos, mx::array(plane)));
    plane *= w.in[i];
  }
  return mx::reshape(idx, {static_cast<int>(w.batch), -1});
}

}  // namespace

// The result of a max-style pool: values and indices, with the node whose
// backward scatters the gradient to the indices.
std::pair<Tensor, Tensor> finish_max(const Tensor& self, mx::array vals, mx::array idx,
                                     const IntArray& osizes, int64_t b, int64_t plane,
                                     const char* node_name) {
  const ScalarType st = self.dtype();
  Tensor out = make_result(mx::reshape(vals, to_shape(osizes)), st, {&self});
  Tensor ind = make_result(mx::reshape(idx, to_shape(osizes)), ScalarType::Int64, {});
  if (!needs_grad({&self})) return {out, ind};
  auto node = make_node(node_name, {&self},
                        [idx, b, plane, p = static_cast<int64_t>(idx.shape(1)), in = self.sizes()](
                            FnNode&, TensorList& gs) {
                          Tensor g = reshape(gs[0], {b, p});
                          return TensorList{reshape(flat_scatter_add(g, idx, plane), in)};
                        });
  return {with_history(out, node), ind};
}

std::pair<Tensor, Tensor> max_pool_with_indices(int64_t nd, const Tensor& self,
                                                const IntList& kernel, const IntList& stride,
                                                const IntList& padding, const IntList& dilation,
                                                bool ceil_mode) {
  if (nd == 1) {
    MLXC_CHECK(self.dim() == 2 || self.dim() == 3, Runtime,
               "max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size "
               "for input, but got:",
               sizes_str(self.sizes()));
    auto one = [](const IntList& v, int64_t d, const char* what) {
      MLXC_CHECK(v.size() <= 1, Runtime, "max_pool1d() ", what,
                 " must be an int, list of ints or tuple of ints of size 1 but got size ",
                 v.size());
      return IntList{d, v.empty() ? -1 : v[0]};
    };
    IntList k = one(kernel, 1, "kernel_size");
    IntList s = stride.empty() ? k : one(stride, 1, "stride");
    auto [v, i] = max_pool_with_indices(2, unsqueeze(self, -2), k, s, one(padding, 0, "padding"),
                                        one(dilation, 1, "dilation"), ceil_mode);
    return {squeeze(v, std::vector<int64_t>{-2}), squeeze(i, std::vector<int64_t>{-2})};
  }
  const char* name = nd == 2 ? "max_pool2d" : "max_pool3d";
  Windows w = pool_geometry(name, nd, self, kernel, stride, padding, dilation, ceil_mode);
  const ScalarType st = self.dtype();
  const IntArray osizes = out_sizes(self, nd, w.out);
  const int64_t plane = prod(to_arr(w.in));
  if (w.batch == 0) {
    auto z = mx::zeros(to_shape(osizes), to_mlx(st));
    return finish_max(self, z, mx::zeros({0, static_cast<int>(w.planes())}, mx::int64), osizes, 0,
                      plane,
                      nd == 2 ? "MaxPool2DWithIndicesBackward0" : "MaxPool3DWithIndicesBackward0");
  }
  mx::Shape xs{static_cast<int>(w.batch)};
  for (auto v : w.in) xs.push_back(static_cast<int>(v));
  mx::array win = gather_windows(mx::reshape(self.value(), xs), w, lowest(st));
  win = mx::reshape(
      win, {static_cast<int>(w.batch), static_cast<int>(w.planes()), static_cast<int>(w.kernel())});
  mx::array am = mx::argmax(win, 2, true);
  mx::array vals = mx::take_along_axis(win, am, 2);
  if (std::any_of(w.lo.begin(), w.lo.end(), [](int64_t p) { return p > 0; })) {
    // A window whose real elements all equal the padding value picks its first
    // real element, as torch does (never a padded position).
    std::vector<int32_t> first(w.planes(), 0);
    for (int64_t p = 0; p < w.planes(); ++p) {
      int64_t rem = p, q = 0, kstride = 1;
      for (int64_t i = w.nd() - 1; i >= 0; --i) {
        const int64_t o = rem % w.out[i];
        rem /= w.out[i];
        const int64_t before = w.lo[i] - o * w.s[i];
        const int64_t f = before > 0 ? (before + w.d[i] - 1) / w.d[i] : 0;
        q += f * kstride;
        kstride *= w.k[i];
      }
      first[p] = static_cast<int32_t>(q);
    }
    mx::array fa(first.begin(), {1, static_cast<int>(w.planes()), 1}, mx::uint32);
    am = mx::where(mx::equal(vals, lowest(st)), fa, am);
  }
  mx::array idx = window_index(am, w);
  return finish_max(self, vals, idx, osizes, w.batch, plane,
                    nd == 2 ? "MaxPool2DWithIndicesBackward0" : "MaxPool3DWithIndicesBackward0");
}

Tensor max_pool(int64_t nd, const Tensor& self, const IntList& kernel, const IntList& stride,
                const IntList& padding, const IntList& dilation, bool ceil_mode) {
  if (nd == 1) check_kernel_dtype(self, "max_pool1d_impl", false, false);
  return max_pool_with_indices(nd, self, kernel, stride, padding, dilation, ceil_mode).first;
}

Tensor avg_pool(int64_t nd, const Tensor& self, const IntList& kernel, const IntList& stride,
                const IntList& padding, bool ceil_mode, bool count_include_pad,
                std::optional<int64_t> divisor_override) {
  if (nd == 1) {
    MLXC_CHECK(self.dim() == 2 || self.dim() == 3, Runtime, "Expected 2 to 3 dimensions, but got ",
               self.dim(),
               "-dimensional tensor for argument #1 'self' (while checking arguments for "
               "avg_pool1d)");
    auto one = [](const IntList& v, int64_t d, const char* what) {
      MLXC_CHECK(v.size() <= 1, Runtime, "avg_pool1d() argument '", what,
                 "' should contain one int (got ", v.size(), ")");
      return IntList{d, v.empty() ? -1 : v[0]};
    };
    IntList k = one(kernel, 1, "kernel_size");
    IntList s = stride.empty() ? k : one(stride, 1, "stride");
    Tensor r = avg_pool(2, unsqueeze(self, -2), k, s, one(padding, 0, "padding"), ceil_mode,
                        count_include_pad, std::nullopt);
    return squeeze(r, std::vector<int64_t>{-2});
  }
  const char* name = nd == 2 ? "avg_pool2d" : "avg_pool3d";
  check_kernel_dtype(self, nd == 2 ? "avg_pool2d" : "avg_pool3d_out_frame", true, false);
  MLXC_CHECK(!divisor_override || *divisor_override != 0, Runtime, "divisor must be not zero");
  Windows w = pool_geometry(name, nd, self, kernel, stride, padding, {1}, ceil_mode);
  const ScalarType st = self.dtype();
  const bool integral = !is_floating(st);
  // Divisor of each output position (torch's rules for padding and ceil_mode).
  std::vector<int64_t> divs(w.planes(), 1);
  for (int64_t p = 0; p < w.planes(); ++p) {
    int64_t rem = p, incl = 1, excl = 1;
    for (int64_t i = w.nd() - 1; i >= 0; --i) {
      const int64_t o = rem % w.out[i];
      rem /= w.out[i];
      const int64_t start = o * w.s[i] - w.lo[i];
      const int64_t end = std::min(start + w.k[i], w.in[i] + w.lo[i]);
      incl *= end - start;
      excl *= std::min(end, w.in[i]) - std::max<int64_t>(start, 0);
    }
    divs[p] = divisor_override ? *divisor_override : (count_include_pad ? incl : excl);
  }
  mx::Shape dshape;
  for (auto o : w.out) dshape.push_back(static_cast<int>(o));
  mx::array dv(divs.begin(), dshape, mx::int64);
  const IntArray osizes = out_sizes(self, nd, w.out);
  mx::array out = mx::zeros(to_shape(osizes), to_mlx(st));
  if (w.batch > 0) {
    mx::Shape xs{static_cast<int>(w.batch)};
    for (auto v : w.in) xs.push_back(static_cast<int>(v));
    mx::array xp = pad_planes(mx::reshape(self.value(), xs), w, mx::zeros({}, to_mlx(st)));
    if (integral) xp = mx::astype(xp, mx::int64);
    // Window sums one kernel offset at a time (torch's summation order).
    mx::array sm = offset_view(xp, w, 0);
    for (int64_t q = 1; q < w.kernel(); ++q) sm = mx::add(sm, offset_view(xp, w, q));
    if (integral) {
      // Integer averages truncate toward zero, as C++ division does.
      mx::array q = mx::floor_divide(mx::abs(sm), mx::abs(dv));
      q = mx::where(
          mx::equal(mx::less(sm, mx::array(int64_t{0})), mx::less(dv, mx::array(int64_t{0}))), q,
          mx::negative(q));
      out = mx::astype(q, to_mlx(st));
    } else {
      out = mx::divide(sm, mx::astype(dv, to_mlx(st)));
    }
    out = mx::reshape(out, to_shape(osizes));
  }
  Tensor result = make_result(out, st, {&self});
  if (!needs_grad({&self})) return result;
  auto node = make_node(nd == 2 ? "AvgPool2DBackward0" : "AvgPool3DBackward0", {&self},
                        [w, dv, nd, in = self.sizes()](FnNode&, TensorList& gs) {
                          IntArray gshape{w.batch};
                          for (auto o : w.out) gshape.push_back(o);
                          return TensorList{avg_pool_grad(reshape(gs[0], gshape), w, dv, in,
                                                          nd == 2 ? "AvgPool2DBackwardBackward0"
                                                                  : "AvgPool3DBackwardBackward0")};
                        });
  return with_history(result, node);
}

namespace {

void check_adaptive(const char* name, int64_t nd, const Tensor& self, const IntList& out) {
  MLXC_CHECK(self.dim() == nd + 1 || self.dim() == nd + 2, Runtime, name, "(): Expected ", nd + 1,
             "D or ", nd + 2, "D tensor, but got ", sizes_str(self.sizes()));
  for (int64_t i = 1; i < self.dim(); ++i) {
    MLXC_CHECK(self.sizes()[i] > 0 || (i == 1 && self.dim() == nd + 2), Runtime, name,
               "(): Expected input to have non-zero size for non-batch dimensions, but input has "
               "sizes ",
               sizes_str(self.sizes()), " with dimension ", i, " being empty");
  }
  MLXC_CHECK(static_cast<int64_t>(out.size()) == nd, Runtime, name, ": output_size must be ", nd);
  for (auto o : out) {
    MLXC_CHECK(o >= 0, Runtime, name,
               ": elements of output_size must be greater than or equal to 0 but received {",
               tuple_str(out), "}");
  }
}

// adaptive pooling's window of output o: [floor(o*S/O), ceil((o+1)*S/O)).
int64_t ad_start(int64_t o, int64_t in, int64_t out) { return (o * in) / out; }
int64_t ad_end(int64_t o, int64_t in, int64_t out) { return ((o + 1) * in + out - 1) / out; }

// x averaged over adaptive windows one spatial dim at a time: x @ A_i^T along
// dim i, or x @ A_i for the gradient.
Tensor apply_adaptive(Tensor x, const std::vector<mx::array>& mats, bool backward) {
  const int64_t nd = static_cast<int64_t>(mats.size());
  for (int64_t i = 0; i < nd; ++i) {
    const int64_t ax = x.dim() - nd + i;
    mx::array a = backward ? mats[i] : mx::transpose(mats[i]);
    Tensor m = make_result(mx::astype(a, to_mlx(x.dtype())), x.dtype(), {});
    x = transpose(matmul(transpose(x, ax, -1), m), ax, -1);
  }
  return x;
}

}  // namespace

Tensor adaptive_avg_pool(int64_t nd, const Tensor& self, const IntList& output_size) {
  if (nd == 1) {
    MLXC_CHECK(self.dim() == 2 || self.dim() == 3, Runtime, "Expected 2 to 3 dimensions, but got ",
               self.dim(),
               "-dimensional tensor for argument #1 'self' (while checking arguments for "
               "adaptive_avg_pool1d)");
    MLXC_CHECK(output_size.size() == 1, Runtime, "adaptive_avg_pool1d: output_size must be 1");
    Tensor r = adaptive_avg_pool(2, unsqueeze(self, -2), {1, output_size[0]});
    return squeeze(r, std::vector<int64_t>{-2});
  }
  const char* name = nd == 2 ? "adaptive_avg_pool2d" : "adaptive_avg_pool3d";
  check_adaptive(name, nd, self, output_size);
  MLXC_CHECK(is_floating(self.dtype()), NotImplemented, "\"", name, "\" not implemented for '",
             scalar_type_name(self.dtype()), "'");
  const IntList in = spatial(self, nd);
  if (std::all_of(output_size.begin(), output_size.end(), [](int64_t o) { return o == 1; })) {
    std::vector<int64_t> dims;
    for (int64_t i = 0; i < nd; ++i) dims.push_back(-nd + i);
    return mean(self, dims, true);
  }
  std::vector<mx::array> mats;
  for (int64_t i = 0; i < nd; ++i) {
    const int64_t o_n = output_size[i], s_n = in[i];
    std::vector<double> a(o_n * s_n, 0.0);
    for (int64_t o = 0; o < o_n; ++o) {
      const int64_t b = ad_start(o, s_n, o_n), e = ad_end(o, s_n, o_n);
      for (int64_t s = b; s < e; ++s) a[o * s_n + s] = 1.0 / static_cast<double>(e - b);
    }
    mats.push_back(
        mx::array(a.begin(), {static_cast<int>(o_n), static_cast<int>(s_n)}, mx::float64));
  }
  mx::array r = mx::zeros({}, to_mlx(self.dtype()));
  bool even = self.numel() > 0;
  for (int64_t i = 0; i < nd; ++i) even = even && output_size[i] > 0 && in[i] % output_size[i] == 0;
  if (even) {
    // Equal windows tiling the input: sum the kernel offsets, divide once (torch's order).
    Windows w;
    w.batch = self.numel() / prod(to_arr(in));
    mx::Shape xs{static_cast<int>(w.batch)};
    for (int64_t i = 0; i < nd; ++i) {
      const int64_t k = in[i] / output_size[i];
      w.k.push_back(k), w.s.push_back(k), w.d.push_back(1), w.lo.push_back(0), w.hi.push_back(0);
      w.in.push_back(in[i]), w.out.push_back(output_size[i]);
      xs.push_back(static_cast<int>(in[i]));
    }
    mx::array xp = mx::reshape(self.value(), xs);
    mx::array sm = offset_view(xp, w, 0);
    for (int64_t q = 1; q < w.kernel(); ++q) sm = mx::add(sm, offset_view(xp, w, q));
    r = mx::divide(sm, mx::astype(mx::array(static_cast<double>(w.kernel()), mx::float64),
                                  to_mlx(self.dtype())));
    r = mx::reshape(r, to_shape(out_sizes(self, nd, output_size)));
  } else {
    AutoGradMode off(false);
    r = apply_adaptive(self, mats, false).value();
  }
  Tensor result = make_result(r, self.dtype(), {&self});
  if (!needs_grad({&self})) return result;
  auto node = make_node(
      nd == 2 ? "AdaptiveAvgPool2DBackward0" : "AdaptiveAvgPool3DBackward0", {&self},
      [mats](FnNode&, TensorList& gs) { return TensorList{apply_adaptive(gs[0], mats, true)}; });
  return with_history(result, node);
}

std::pair<Tensor, Tensor> adaptive_max_pool(int64_t nd, const Tensor& self,
                                            const IntList& output_size) {
  if (nd == 1) {
    MLXC_CHECK(self.dim() == 2 || self.dim() == 3, Runtime, "Expected 2 to 3 dimensions, but got ",
               self.dim(),
               "-dimensional tensor for argument #1 'self' (while checking arguments for "
               "adaptive_max_pool1d)");
    MLXC_CHECK(output_size.size() == 1, Runtime, "adaptive_max_pool1d: output_size must be 1");
    auto [v, i] = adaptive_max_pool(2, unsqueeze(self, -2), {1, output_size[0]});
    return {squeeze(v, std::vector<int64_t>{-2}), squeeze(i, std::vector<int64_t>{-2})};
  }
  const char* name = nd == 2 ? "adaptive_max_pool2d" : "adaptive_max_pool3d";
  MLXC_CHECK(static_cast<int64_t>(output_size.size()) == nd, Runtime, name,
             "(): internal error: output_size.size() must be ", nd);
  check_adaptive(name, nd, self, output_size);
  check_kernel_dtype(self, "adaptive_max_pool2d", false, false);
  const IntList in = spatial(self, nd);
  const int64_t b = prod(lead_sizes(self, nd)), plane = prod(to_arr(in));
  const int64_t p_n = prod(to_arr(output_size));
  const char* node_name = nd == 2 ? "AdaptiveMaxPool2DBackward0" : "AdaptiveMaxPool3DBackward0";
  bool even = b > 0 && p_n > 0;
  for (int64_t i = 0; i < nd; ++i) even = even && in[i] % output_size[i] == 0;
  if (even) {
    // Equal windows tiling the input: a plain max pool with stride = kernel.
    Windows w;
    w.batch = b;
    mx::Shape xs{static_cast<int>(b)};
    for (int64_t i = 0; i < nd; ++i) {
      const int64_t k = in[i] / output_size[i];
      w.k.push_back(k), w.s.push_back(k), w.d.push_back(1), w.lo.push_back(0), w.hi.push_back(0);
      w.in.push_back(in[i]), w.out.push_back(output_size[i]);
      xs.push_back(static_cast<int>(in[i]));
    }
    mx::array win = gather_windows(mx::reshape(self.value(), xs), w, lowest(self.dtype()));
    win = mx::reshape(win,
                      {static_cast<int>(b), static_cast<int>(p_n), static_cast<int>(w.kernel())});
    mx::array am = mx::argmax(win, 2, true);
    mx::array vals = mx::take_along_axis(win, am, 2);
    return finish_max(self, vals, window_index(am, w), out_sizes(self, nd, output_size), b, plane,
                      node_name);
  }
  // Per-dim window tables, short windows padded by repeating their last element.
  std::vector<std::vector<int64_t>> tables;
  IntList kmax;
  for (int64_t i = 0; i < nd; ++i) {
    int64_t km = 1;
    for (int64_t o = 0; o < output_size[i]; ++o) {
      km = std::max(km, ad_end(o, in[i], output_size[i]) - ad_start(o, in[i], output_size[i]));
    }
    std::vector<int64_t> t(output_size[i] * km);
    for (int64_t o = 0; o < output_size[i]; ++o) {
      const int64_t s0 = ad_start(o, in[i], output_size[i]);
      const int64_t e0 = ad_end(o, in[i], output_size[i]);
      for (int64_t k = 0; k < km; ++k) t[o * km + k] = std::min(s0 + k, e0 - 1);
    }
    tables.push_back(std::move(t));
    kmax.push_back(km);
  }
  const int64_t kt = prod(to_arr(kmax));
  std::vector<int64_t> map(p_n * kt);
  for (int64_t p = 0; p < p_n; ++p) {
    for (int64_t q = 0; q < kt; ++q) {
      int64_t pr = p, qr = q, pos = 0, mul = 1;
      for (int64_t i = nd - 1; i >= 0; --i) {
        const int64_t o = pr % output_size[i], k = qr % kmax[i];
        pr /= output_size[i];
        qr /= kmax[i];
        pos += tables[i][o * kmax[i] + k] * mul;
        mul *= in[i];
      }
      map[p * kt + q] = pos;
    }
  }
  const IntArray osizes = out_sizes(self, nd, output_size);
  if (b == 0 || p_n == 0) {
    return finish_max(self, mx::zeros(to_shape(osizes), to_mlx(self.dtype())),
                      mx::zeros({static_cast<int>(b), static_cast<int>(p_n)}, mx::int64), osizes, b,
                      plane, node_name);
  }
  mx::array m(map.begin(), {static_cast<int>(p_n * kt)}, mx::int64);
  mx::array xf = mx::reshape(self.value(), {static_cast<int>(b), static_cast<int>(plane)});
  mx::array vals = mx::reshape(mx::take(xf, m, 1),
                               {static_cast<int>(b), static_cast<int>(p_n), static_cast<int>(kt)});
  mx::array am = mx::argmax(vals, 2, true);
  mx::array out = mx::take_along_axis(vals, am, 2);
  mx::array base = mx::reshape(mx::arange(0.0, static_cast<double>(p_n), 1.0, mx::int64),
                               {1, static_cast<int>(p_n)});
  mx::array flat =
      mx::add(mx::multiply(base, mx::array(kt)), mx::astype(mx::squeeze(am, 2), mx::int64));
  mx::array idx = mx::take(m, flat);
  return finish_max(self, out, idx, osizes, b, plane, node_name);
}

Tensor max_unpool(int64_t nd, const Tensor& self, const Tensor& indices,
                  const IntList& output_size) {
  const char* name = nd == 2 ? "max_unpooling2d" : "max_unpooling3d";
  check_kernel_dtype(self, nd == 2 ? "max_unpool2d" : "max_unpool3d", false, false);
  MLXC_CHECK(
      indices.dtype() == ScalarType::Int64, Runtime,
      "elements in indices should be type int64 but got: ", scalar_type_name(indices.dtype()));
  if (nd == 2) {
    MLXC_CHECK(output_size.size() == 2, Runtime,
               "There should be exactly two elements (height, width) in output_size, but got ",
               output_size.size(), " elements.");
  } else {
    MLXC_CHECK(output_size.size() == 3, Runtime,
               "There should be exactly three elements (depth, height, width) in output_size, but "
               "got: ",
               output_size.size(), " elements.");
  }
  MLXC_CHECK(self.dim() == nd + 1 || self.dim() == nd + 2, Runtime, "Input to ", name,
             " should be a ", nd + 1, "d or ", nd + 2, "d Tensor, but got a tensor with ",
             self.dim(), " dimensions.");
  MLXC_CHECK(self.sizes() == indices.sizes(), Runtime,
             "Expected shape of indices to be same as that of the input tensor (",
             sizes_str(self.sizes()), ") but got indices tensor with shape: (",
             sizes_str(indices.sizes()), ")");
  for (int64_t i = 1; i < self.dim(); ++i) {
    MLXC_CHECK(self.sizes()[i] > 0, Runtime, name,
               "(): Expected input to have non-zero size for non-batch dimensions, but got ",
               sizes_str(self.sizes()), " with dimension ", i, " being empty.");
  }
  const ScalarType st = self.dtype();
  const int64_t b = prod(lead_sizes(self, nd)), n = prod(to_arr(output_size));
  const IntArray osizes = out_sizes(self, nd, output_size);
  mx::array idx =
      mx::reshape(indices.value(),
                  {static_cast<int>(b), static_cast<int>(self.numel() / std::max<int64_t>(b, 1))});
  mx::array out = mx::zeros({static_cast<int>(b), static_cast<int>(n)}, to_mlx(st));
  if (self.numel() > 0) {
    // Out-of-range indices would write outside the output: torch raises on them.
    const auto [l, h] = host_min_max(idx);
    MLXC_CHECK(l >= 0 && h < n, Runtime, "Found an invalid max index: ", (l < 0 ? l : h),
               " (output volumes are of size ", tuple_str(output_size, "x"));
    mx::array v = mx::reshape(self.value(), idx.shape());
    out = mx::put_along_axis(out, idx, v, 1);
  }
  Tensor result = make_result(mx::reshape(out, to_shape(osizes)), st, {&self});
  if (!needs_grad({&self})) return result;
  auto node = make_node(nd == 2 ? "MaxUnpool2DBackward0" : "MaxUnpool3DBackward0", {&self},
                        [idx, b, n, in = self.sizes()](FnNode&, TensorList& gs) {
                          Tensor g = reshape(gs[0], {b, n});
                          return TensorList{reshape(flat_gather(g, idx), in)};
                        });
  return with_history(result, node);
}

namespace {

struct FoldArgs {
  IntList k, d, p, s;
};

FoldArgs fold_args(const IntList& kernel, const IntList& dilation, const IntList& padding,
                   const IntList& stride) {
  auto two = [](const IntList& v, const char* what) {
    MLXC_CHECK(v.size() == 2, Runtime, "It is expected ", what, " equals to 2, but got size ",
               v.size());
    return v;
  };
  FoldArgs a{two(kernel, "kernel_size"), two(dilation, "dilation"), two(padding, "padding"),
             two(stride, "stride")};
  MLXC_CHECK(a.k[0] > 0 && a.k[1] > 0, Runtime,
             "kernel size should be greater than zero, but got kernel_height: ", a.k[0],
             " kernel_width: ", a.k[1]);
  MLXC_CHECK(a.d[0] > 0 && a.d[1] > 0, Runtime,
             "dilation should be greater than zero, but got dilation_height: ", a.d[0],
             " dilation_width: ", a.d[1]);
  MLXC_CHECK(a.p[0] >= 0 && a.p[1] >= 0, Runtime,
             "padding should be non-negative, but got pad_height: ", a.p[0],
             " pad_width: ", a.p[1]);
  MLXC_CHECK(a.s[0] > 0 && a.s[1] > 0, Runtime,
             "stride should be greater than zero, but got stride_height: ", a.s[0],
             " stride_width: ", a.s[1]);
  return a;
}

Windows fold_windows(const FoldArgs& a, const IntList& in, int64_t batch) {
  Windows w;
  w.k = a.k;
  w.s = a.s;
  w.d = a.d;
  w.lo = a.p;
  w.hi = a.p;
  w.in = in;
  w.batch = batch;
  for (int i = 0; i < 2; ++i) {
    w.out.push_back((in[i] + 2 * a.p[i] - a.d[i] * (a.k[i] - 1) - 1) / a.s[i] + 1);
  }
  return w;
}

}  // namespace

Tensor im2col(const Tensor& self, const IntList& kernel, const IntList& dilation,
              const IntList& padding, const IntList& stride) {
  check_kernel_dtype(self, "im2col_out_cpu", false, true);
  const FoldArgs a = fold_args(kernel, dilation, padding, stride);
  if (self.dim() < 3) wrap_dim(2, self.dim());  // torch's IndexError for too few dims
  const bool ok = (self.dim() == 3 || self.dim() == 4) && self.sizes()[self.dim() - 1] > 0 &&
                  self.sizes()[self.dim() - 2] > 0 && self.sizes()[self.dim() - 3] > 0;
  MLXC_CHECK(ok, Runtime,
             "Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other "
             "non-zero dimensions for input, but got: ",
             sizes_str(self.sizes()));
  const bool batched = self.dim() == 4;
  const int64_t n = batched ? self.sizes()[0] : 1, c = self.sizes()[self.dim() - 3];
  const IntList in = spatial(self, 2);
  Windows w = fold_windows(a, in, n * c);
  MLXC_CHECK(w.out[0] >= 1 && w.out[1] >= 1, Runtime, "Given input with spatial size (", in[0],
             ", ", in[1], "), kernel_size=(", a.k[0], ", ", a.k[1], "), dilation=(", a.d[0], ", ",
             a.d[1], "), padding=(", a.p[0], ", ", a.p[1],
             "), calculated shape of the array of sliding blocks as (", w.out[0], ", ", w.out[1],
             "), but its components must be at least one.");
  const ScalarType st = self.dtype();
  const int64_t ck = c * w.kernel(), l = w.planes();
  IntArray osizes = batched ? IntArray{n, ck, l} : IntArray{ck, l};
  mx::array out = mx::zeros(to_shape(osizes), to_mlx(st));
  if (n > 0) {
    mx::array x = mx::reshape(
        self.value(), {static_cast<int>(n * c), static_cast<int>(in[0]), static_cast<int>(in[1])});
    mx::array win = gather_windows(x, w, mx::zeros({}, to_mlx(st)));
    out = mx::reshape(mx::transpose(win, {0, 3, 4, 1, 2}), to_shape(osizes));
  }
  Tensor result = make_result(out, st, {&self});
  if (!needs_grad({&self})) return result;
  auto node = make_node("Im2ColBackward0", {&self}, [a, in](FnNode&, TensorList& gs) {
    return TensorList{col2im(gs[0], in, a.k, a.d, a.p, a.s)};
  });
  return with_history(result, node);
}

Tensor col2im(const Tensor& self, const IntList& output_size, const IntList& kernel,
              const IntList& dilation, const IntList& padding, const IntList& stride) {
  MLXC_CHECK(output_size.size() == 2, Runtime,
             "It is expected output_size equals to 2, but got size ", output_size.size());
  check_kernel_dtype(self, "col2im_out_cpu", false, true);
  const FoldArgs a = fold_args(kernel, dilation, padding, stride);
  const bool ok = (self.dim() == 2 || self.dim() == 3) && self.sizes()[self.dim() - 1] > 0 &&
                  self.sizes()[self.dim() - 2] > 0;
  MLXC_CHECK(ok, Runtime,
             "Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and "
             "non-zero dimensions for input, but got: ",
             sizes_str(self.sizes()));
  const bool batched = self.dim() == 3;
  const int64_t n = batched ? self.sizes()[0] : 1;
  const int64_t ck = self.sizes()[self.dim() - 2], l = self.sizes()[self.dim() - 1];
  const int64_t kk = a.k[0] * a.k[1];
  MLXC_CHECK(ck % kk == 0, Runtime,
             "Expected size of input's dimension 1 to be divisible by the product of "
             "kernel_size, but got input.size(1)=",
             ck, " and kernel_size=(", a.k[0], ", ", a.k[1], ")");
  const int64_t c = ck / kk;
  Windows w = fold_windows(a, output_size, n * c);
  const std::string geom =
      str("Given output_size=(", output_size[0], ", ", output_size[1], "), kernel_size=(", a.k[0],
          ", ", a.k[1], "), dilation=(", a.d[0], ", ", a.d[1], "), padding=(", a.p[0], ", ", a.p[1],
          "), stride=(", a.s[0], ", ", a.s[1], "), ");
  MLXC_CHECK(w.out[0] >= 1 && w.out[1] >= 1, Runtime, geom,
             "calculated shape of the array of sliding blocks as (", w.out[0], ", ", w.out[1],
             "), which is too small (non-positive)");
  MLXC_CHECK(l == w.planes(), Runtime, geom,
             "expected size of input's dimension 2 to match the calculated number of sliding "
             "blocks ",
             w.out[0], " * ", w.out[1], " = ", w.planes(), ", but got input.size(2)=", l, ".");
  const ScalarType st = self.dtype();
  IntArray osizes = batched ? IntArray{n, c, output_size[0], output_size[1]}
                            : IntArray{c, output_size[0], output_size[1]};
  mx::array out = mx::zeros(to_shape(osizes), to_mlx(st));
  if (n > 0) {
    AutoGradMode off(false);
    mx::array x = mx::reshape(
        self.value(), {static_cast<int>(n * c), static_cast<int>(a.k[0]), static_cast<int>(a.k[1]),
                       static_cast<int>(w.out[0]), static_cast<int>(w.out[1])});
    // Booleans sum as a logical or.
    const mx::Dtype acc = st == ScalarType::Bool ? mx::int32 : to_mlx(st);
    out = mx::astype(mx::reshape(add_windows(x, w, false, acc), to_shape(osizes)), to_mlx(st));
  }
  Tensor result = make_result(out, st, {&self});
  if (!needs_grad({&self})) return result;
  auto node = make_node("Col2ImBackward0", {&self}, [a](FnNode&, TensorList& gs) {
    return TensorList{im2col(gs[0], a.k, a.d, a.p, a.s)};
  });
  return with_history(result, node);
}

}  // namespace mlxc
