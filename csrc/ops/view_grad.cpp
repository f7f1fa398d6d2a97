#include "ops/view_grad.h"

#include "ops/complex.h"
#include "ops/pointwise.h"
#include "ops/shape.h"
#include "ops/view.h"

namespace mlxc {

namespace {

struct Window {
  IntArray sizes, strides;
  int64_t offset = 0;
};

mx::Strides mx_strides(const IntArray& s) {
  mx::Strides r(s.size(), 0);
  for (size_t i = 0; i < s.size(); ++i) r[i] = s[i];
  return r;
}

// Flat positions (in the base's row-major order) addressed by a window.
mx::array positions(int64_t base_numel, const Window& w) {
  const auto dt = base_numel > INT32_MAX ? mx::int64 : mx::int32;
  mx::array all = mx::arange(0.0, static_cast<double>(base_numel), 1.0, dt);
  return mx::reshape(
      mx::as_strided(all, to_shape(w.sizes), mx_strides(w.strides), static_cast<size_t>(w.offset)),
      {-1});
}

int64_t numel_of(const IntArray& s) {
  int64_t n = 1;
  for (auto v : s) n *= v;
  return n;
}

// The window's part of a gradient shaped like the base.
mx::array read_window(const mx::array& g, const Window& w) {
  // as_strided needs a row-contiguous source (an incoming gradient may be broadcast).
  return mx::as_strided(mx::contiguous(mx::reshape(g, {-1})), to_shape(w.sizes),
                        mx_strides(w.strides), static_cast<size_t>(w.offset));
}

Window window_of(const Tensor& t) { return Window{t.sizes(), t.strides(), t.offset()}; }

// The conjugate/negative bits a view reads with relative to its base (Note
// [Conjugate and negative views]): a gradient crossing between the two takes
// the same operations (both are their own adjoints).
struct Bits {
  bool conj = false, neg = false;
};

Bits relative_bits(const Tensor& view, const Tensor& base) {
  return Bits{view.impl()->conj != base.impl()->conj, view.impl()->neg != base.impl()->neg};
}

Tensor through_bits(Tensor g, Bits b) {
  if (b.conj) g = conj(g);
  if (b.neg) g = neg(g);
  return g;
}

// Whether a base's elements sit at storage positions 0..numel-1 in row-major
// order (an in-place view op or a *_like factory can leave a base otherwise).
bool plain(const Window& b) { return b.offset == 0 && b.strides == contiguous_strides(b.sizes); }

// One past the last storage position a window reaches.
int64_t span_of(const Window& w) {
  if (numel_of(w.sizes) == 0) return 0;
  int64_t last = w.offset;
  for (size_t i = 0; i < w.sizes.size(); ++i) last += (w.sizes[i] - 1) * w.strides[i];
  return last + 1;
}

// Where a gradient shaped like the base keeps its value (false inside the
// window), for the recorded path below.
mx::array keep_mask(const Window& base, const Window& w) {
  const int64_t span = plain(base) ? numel_of(base.sizes) : std::max(span_of(base), span_of(w));
  mx::array keep = mx::ones({static_cast<int32_t>(span)}, mx::bool_);
  mx::array off = mx::zeros({static_cast<int32_t>(numel_of(w.sizes)), 1}, mx::bool_);
  keep = scatter_nonempty(keep, off, [&] { return mx::scatter(keep, positions(span, w), off, 0); });
  if (plain(base)) return mx::reshape(keep, to_shape(base.sizes));
  if (span == 0) return mx::ones(to_shape(base.sizes), mx::bool_);
  return mx::reshape(mx::take(keep, positions(span, base), 0), to_shape(base.sizes));
}

// The base's gradient through CopySlices: pass g outside the window, hand the
// window to the in-place op's node.
struct CopySlices : Node {
  CopySlices(Window base, Window w, std::shared_ptr<Node> fn, Bits bits)
      : base_sizes(base.sizes),
        base(std::move(base)),
        window(std::move(w)),
        fn(std::move(fn)),
        bits(bits) {}

  TensorList apply(TensorList&& grads) override {
    MLXC_CHECK(!fn_released, Runtime,
               "Trying to backward through the graph a second time (or directly access saved "
               "tensors after they have already been freed). Saved intermediate values of the "
               "graph are freed when you call .backward() or autograd.grad(). Specify "
               "retain_graph=True if you need to backward through the graph a second time or if "
               "you need to access saved tensors after calling backward.");
    const Tensor& g = grads[0];
    if (needs_grad({&g})) return apply_recorded(g);
    mx::array gv = g.value();
    if (!plain(base)) return apply_strided(g, gv);
    TensorList out;
    const int64_t n = numel_of(base_sizes);
    mx::array flat = mx::reshape(gv, {-1});
    mx::array zeros = mx::zeros({static_cast<int32_t>(numel_of(window.sizes)), 1}, gv.dtype());
    flat = scatter_nonempty(flat, zeros,
                            [&] { return mx::scatter(flat, positions(n, window), zeros, 0); });
    out.push_back(make_result(mx::reshape(flat, to_shape(base_sizes)), g.dtype(), {&g}));
    if (fn) {
      Tensor slice = make_result(read_window(gv, window), g.dtype(), {&g});
      push_window_grads(out, slice);
    }
    return out;
  }
  std::string name() const override { return "CopySlices"; }
  // Drops the in-place op's node rather than its saved values: a saved output
  // of that op, unpacked for double backward, may reach the node directly too.
  void release_variables() override {
    fn.reset();
    fn_released = true;
  }

  void push_window_grads(TensorList& out, const Tensor& slice) {
    TensorList res = fn->apply(TensorList{through_bits(slice, bits)});
    for (auto& r : res) out.push_back(r);
  }

  // The same with recorded ops, so the gradients have history (create_graph).
  TensorList apply_recorded(const Tensor& g) {
    Tensor keep = make_result(keep_mask(base, window), ScalarType::Bool, {});
    TensorList out{where(keep, g, zeros_like(g))};
    if (fn) {
      Tensor slice;
      if (plain(base)) {
        slice = strided_gather(g, window.sizes, window.strides, window.offset);
      } else {
        // Lay g out at the base's storage positions, then read the window there.
        const int64_t span = std::max(span_of(base), span_of(window));
        Tensor st = strided_scatter_add(g, IntArray{span}, base.sizes, base.strides, base.offset);
        slice = strided_gather(st, window.sizes, window.strides, window.offset);
      }
      push_window_grads(out, slice);
    }
    return out;
  }

  // The same through the storage, for a base with any strides: lay g out at
  // the base's storage positions, read the window there, zero it, read back.
  TensorList apply_strided(const Tensor& g, const mx::array& gv) {
    const int64_t span = std::max(span_of(base), span_of(window));
    mx::array bpos = positions(span, base), wpos = positions(span, window);
    mx::array buf = mx::zeros({static_cast<int32_t>(span)}, gv.dtype());
    mx::array upd = mx::reshape(mx::contiguous(gv), {-1, 1});
    buf = scatter_nonempty(buf, upd, [&] { return mx::scatter(buf, bpos, upd, 0); });
    TensorList out;
    mx::array zeros = mx::zeros({static_cast<int32_t>(wpos.size()), 1}, gv.dtype());
    mx::array cleared =
        scatter_nonempty(buf, zeros, [&] { return mx::scatter(buf, wpos, zeros, 0); });
    mx::array back = span == 0 ? mx::zeros(to_shape(base_sizes), gv.dtype())
                               : mx::reshape(mx::take(cleared, bpos, 0), to_shape(base_sizes));
    out.push_back(make_result(back, g.dtype(), {&g}));
    if (fn) {
      mx::array part = span == 0 ? mx::zeros(to_shape(window.sizes), gv.dtype())
                                 : mx::reshape(mx::take(buf, wpos, 0), to_shape(window.sizes));
      push_window_grads(out, make_result(part, g.dtype(), {&g}));
    }
    return out;
  }

  IntArray base_sizes;
  Window base;
  Window window;
  std::shared_ptr<Node> fn;
  bool fn_released = false;
  Bits bits;
};

// A view's history read from its base's history (AsStridedBackward0).
std::shared_ptr<Node> window_node(const Tensor& base, const Window& w, Bits bits) {
  const Window b = window_of(base);
  if (!plain(b)) {
    // Through the storage, then read back in the base's own strides.
    const int64_t span = std::max(span_of(b), span_of(w));
    return make_node("AsStridedBackward0", {&base}, [b, w, span, bits](FnNode&, TensorList& gs) {
      Tensor st = strided_scatter_add(through_bits(gs[0], bits), IntArray{span}, w.sizes, w.strides,
                                      w.offset);
      return TensorList{strided_gather(st, b.sizes, b.strides, b.offset)};
    });
  }
  return make_node(
      "AsStridedBackward0", {&base}, [bs = base.sizes(), w, bits](FnNode&, TensorList& gs) {
        return TensorList{
            strided_scatter_add(through_bits(gs[0], bits), bs, w.sizes, w.strides, w.offset)};
      });
}

const bool kRefreshRegistered = [] {
  set_view_refresh_fn(&refresh_view_history);
  return true;
}();

}  // namespace

namespace {
ViewWriteCheck g_view_write_check = nullptr;
}  // namespace

void set_view_write_check(ViewWriteCheck fn) { g_view_write_check = fn; }

void rebase_view_history(const Tensor& self, const Tensor& result) {
  if (g_view_write_check) g_view_write_check(self);
  Tensor base(self.impl()->base);
  MLXC_CHECK(!(base.is_leaf() && base.impl()->requires_grad), Runtime,
             "a view of a leaf Variable that requires grad is being used in an in-place "
             "operation.");
  refresh_view_history(self);
  const Window w = window_of(self);
  std::shared_ptr<Node> fn = result.requires_grad() ? result.grad_fn() : nullptr;
  const Bits bits = relative_bits(self, base);
  auto node = std::make_shared<CopySlices>(window_of(base), w, fn, bits);
  node->next_edges.push_back(gradient_edge(base));
  node->input_dtypes.push_back(base.dtype());
  if (fn) {
    for (size_t i = 0; i < fn->next_edges.size(); ++i) {
      node->next_edges.push_back(fn->next_edges[i]);
      node->input_dtypes.push_back(i < fn->input_dtypes.size() ? fn->input_dtypes[i]
                                                               : base.dtype());
    }
  }
  set_history(base, node);
  base.impl()->history_gen++;
  set_history(self, window_node(base, w, bits));
  self.impl()->base_history_gen = base.impl()->history_gen;
}

void refresh_view_history(const Tensor& view) {
  TensorImpl& v = *view.impl();
  if (!v.is_view || !v.base) return;
  const TensorImpl& b = *v.base;
  if (v.base_history_gen == b.history_gen) return;
  v.base_history_gen = b.history_gen;
  if (!(b.grad_fn || b.requires_grad)) return;
  Tensor base(v.base);
  set_history(view, window_node(base, window_of(view), relative_bits(view, base)));
}

}  // namespace mlxc
