#include "ops/view_inplace.h"

#include <algorithm>

#include "core/eval.h"
#include "ops/shape.h"
#include "ops/view.h"

namespace mlxc {

namespace {

// torch's check_inplace: an in-place op may not rewrite the history of a leaf
// that requires grad, nor of a view of one.
void check_inplace(const Tensor& self) {
  if (!GradMode::is_enabled() || !self.requires_grad()) return;
  check_inplace_view(self);
  const TensorImpl& t = *self.impl();
  if (t.is_view && t.base) {
    const Tensor base(t.base);
    MLXC_CHECK(!base.is_leaf(), Runtime,
               "a view of a leaf Variable that requires grad is being used in an in-place "
               "operation.");
  }
  MLXC_CHECK(!self.is_leaf(), Runtime,
             "a leaf Variable that requires grad is being used in an in-place operation.");
}

// The view `v` of self (made without history) as self's own geometry. `node`,
// when set, becomes self's grad_fn; its edges were taken from self's history
// before the change.
const Tensor& adopt(const Tensor& self, const Tensor& v, const std::shared_ptr<FnNode>& node) {
  TensorImpl& t = *self.impl();
  const TensorImpl& w = *v.impl();
  Storage& s = *t.storage;
  abort_if_tracing();  // Note [Running under MLX transforms]
  t.sizes = w.sizes;
  t.strides = w.strides;
  t.offset = w.offset;
  t.whole = w.whole;
  s.version++;
  // The data did not change: a value the view op computed stays valid.
  t.cache = w.cache;
  t.cache_version = s.version;
  if (node) set_history(self, node);
  // Other views of the storage rebuild their histories from the base, as
  // torch's do after a version bump (See Note [In-place writes through views]).
  if (t.is_view && t.base) {
    t.base->history_gen++;
    t.base_history_gen = t.base->history_gen;
  } else {
    t.history_gen++;
  }
  // As torch, the metadata has changed by the time an inference tensor is refused.
  MLXC_CHECK(!s.inference || InferenceMode::is_enabled(), Runtime,
             "Inplace update to inference tensor outside InferenceMode is not allowed.You can make "
             "a clone to get a normal tensor before doing inplace update.See "
             "https://github.com/pytorch/rfcs/pull/17 for more details.");
  return self;
}

// Runs a view op without recording, then moves its geometry onto self with
// the node `name` whose backward maps the gradient back with `fn`.
template <typename View, typename F>
const Tensor& inplace_view(const Tensor& self, const char* name, View view, F fn) {
  Tensor v;
  {
    AutoGradMode off(false);
    v = view();
  }
  std::shared_ptr<FnNode> node;
  if (needs_grad({&self})) {
    node =
        make_node(name, {&self}, [fn](FnNode&, TensorList& gs) { return TensorList{fn(gs[0])}; });
  }
  return adopt(self, v, node);
}

int64_t numel_of(const IntArray& s) {
  int64_t n = 1;
  for (auto v : s) n *= v;
  return n;
}

}  // namespace

const Tensor& t_(const Tensor& self) {
  check_inplace(self);
  MLXC_CHECK(self.dim() <= 2, Runtime, "t_() expects a tensor with <= 2 dimensions, but self is ",
             self.dim(), "D");
  return inplace_view(
      self, "TBackward1", [&] { return t(self); }, [](const Tensor& g) { return t(g); });
}

const Tensor& transpose_(const Tensor& self, int64_t dim0, int64_t dim1) {
  check_inplace(self);
  const int64_t a = wrap_dim(dim0, self.dim()), b = wrap_dim(dim1, self.dim());
  return inplace_view(
      self, "TransposeBackward1", [&] { return transpose(self, a, b); },
      [a, b](const Tensor& g) { return transpose(g, a, b); });
}

const Tensor& squeeze_(const Tensor& self, const std::optional<std::vector<int64_t>>& dims,
                       bool single) {
  check_inplace(self);
  const char* name =
      !dims ? "SqueezeBackward3" : (single ? "SqueezeBackward4" : "SqueezeBackward5");
  return inplace_view(
      self, name, [&] { return squeeze(self, dims); },
      [in = self.sizes()](const Tensor& g) { return reshape(g, in); });
}

const Tensor& unsqueeze_(const Tensor& self, int64_t dim) {
  check_inplace(self);
  const int64_t d = wrap_dim(dim, self.dim() + 1);
  return inplace_view(
      self, "UnsqueezeBackward1", [&] { return unsqueeze(self, d); },
      [d](const Tensor& g) { return squeeze(g, std::vector<int64_t>{d}); });
}

const Tensor& as_strided_(const Tensor& self, const IntArray& size, const IntArray& stride,
                          std::optional<int64_t> storage_offset) {
  check_inplace(self);
  // torch's setStrided checks, in its order.
  MLXC_CHECK(size.size() == stride.size(), Runtime, "mismatch in length of strides and shape");
  for (int64_t s : stride) {
    MLXC_CHECK(s >= 0, Runtime,
               "as_strided: Negative strides are not supported at the moment, got strides: ",
               sizes_str(stride));
  }
  const int64_t off = storage_offset ? *storage_offset : self.offset();
  MLXC_CHECK(off >= 0, Runtime, "Tensor: invalid storage offset ", off);
  for (int64_t s : size) MLXC_CHECK(s >= 0, Runtime, "numel: integer multiplication overflow");
  const int64_t item = itemsize(self.dtype());
  const int64_t storage_bytes = static_cast<int64_t>(self.impl()->storage->data.nbytes());
  if (numel_of(size) > 0) {
    int64_t last = off;
    for (size_t i = 0; i < size.size(); ++i) last += (size[i] - 1) * stride[i];
    const int64_t need = (last + 1) * item;
    MLXC_CHECK(need <= storage_bytes, Runtime, "setStorage: sizes ", sizes_str(size), ", strides ",
               sizes_str(stride), ", storage offset ", off, ", and itemsize ", item,
               " requiring a storage size of ", need, " are out of bounds for storage of size ",
               storage_bytes);
  }
  const int64_t storage_numel = storage_bytes / std::max<int64_t>(item, 1);
  return inplace_view(
      self, "AsStridedBackward1", [&] { return make_view(self, size, stride, off); },
      [in = self.sizes(), in_strides = self.strides(), in_off = self.offset(), size, stride, off,
       storage_numel](const Tensor& g) {
        // Through the storage: add the gradient at the positions the new window
        // reads, then read them back in the old window.
        Tensor st = strided_scatter_add(g, IntArray{storage_numel}, size, stride, off);
        return strided_gather(st, in, in_strides, in_off);
      });
}

}  // namespace mlxc
