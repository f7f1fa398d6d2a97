#include "ops/view_copy.h"

#include "ops/pointwise.h"
#include "ops/shape.h"
#include "ops/view.h"

namespace mlxc {

namespace {

// The node the view op recorded for `v` (a view of self), renamed to `name`:
// its backward is exactly the view's. A view op that handed back self itself
// (or recorded nothing) maps the gradient unchanged.
std::shared_ptr<FnNode> view_node(const Tensor& self, const Tensor& v, const char* name) {
  const auto& fn = v.impl()->grad_fn;
  if (fn && fn != self.impl()->grad_fn) {
    if (auto node = std::dynamic_pointer_cast<FnNode>(fn)) {
      node->rename(name);
      return node;
    }
  }
  return make_node(name, {&self}, [](FnNode&, TensorList& gs) { return TensorList{gs[0]}; });
}

// Runs the view op, recording its history only when self needs a gradient.
template <class MakeView>
auto run_view(const Tensor& self, MakeView&& make_view) {
  AutoGradMode mode(needs_grad({&self}));
  return make_view();
}

// The values of v in fresh row-major memory, without history.
Tensor owned(const Tensor& v) {
  AutoGradMode off(false);
  Tensor c = contiguous(clone(v));
  return make_result(c.value(), c.dtype(), {});
}

template <class MakeView>
Tensor copy_of_view(const Tensor& self, const char* name, MakeView&& make_view) {
  Tensor v = run_view(self, make_view);
  Tensor out = owned(v);
  if (!needs_grad({&self})) return out;
  return with_history(out, view_node(self, v, name));
}

// Multi-output views (split, unbind) share one node; each result takes the
// output number of its piece. `keep` turns a piece into the returned tensor.
template <class MakeViews, class Keep>
TensorList pieces_of(const Tensor& self, const char* name, MakeViews&& make_views, Keep&& keep) {
  TensorList pieces = run_view(self, make_views);
  TensorList out;
  for (const Tensor& p : pieces) out.push_back(keep(p));
  if (pieces.empty() || !needs_grad({&self})) return out;
  auto node = std::dynamic_pointer_cast<FnNode>(pieces[0].impl()->grad_fn);
  MLXC_CHECK(node != nullptr, Runtime, name, ": the split recorded no history");
  node->rename(name);
  for (size_t k = 0; k < pieces.size(); ++k) set_history(out[k], node, pieces[k].impl()->output_nr);
  return out;
}

// A piece over self's storage that is not a view for autograd (torch's unsafe
// splits: writes into it do not rewrite self's history).
Tensor unviewed(const Tensor& p) { return detach_alias(p); }

}  // namespace

Tensor alias_copy(const Tensor& self) {
  Tensor out = owned(self);
  if (!needs_grad({&self})) return out;
  return with_history(out, make_node("AliasBackward0_copy", {&self},
                                     [](FnNode&, TensorList& gs) { return TensorList{gs[0]}; }));
}

Tensor t_copy(const Tensor& self) {
  return copy_of_view(self, "TBackward0_copy", [&] { return t(self); });
}

Tensor transpose_copy(const Tensor& self, int64_t dim0, int64_t dim1) {
  return copy_of_view(self, "TransposeBackward0_copy", [&] { return transpose(self, dim0, dim1); });
}

Tensor permute_copy(const Tensor& self, const std::vector<int64_t>& dims) {
  return copy_of_view(self, "PermuteBackward0_copy", [&] { return permute(self, dims); });
}

Tensor unsqueeze_copy(const Tensor& self, int64_t dim) {
  return copy_of_view(self, "UnsqueezeBackward0_copy", [&] { return unsqueeze(self, dim); });
}

Tensor squeeze_copy(const Tensor& self, const std::optional<std::vector<int64_t>>& dims,
                    bool single) {
  const char* name = !dims ? "SqueezeBackward0_copy"
                           : (single ? "SqueezeBackward1_copy" : "SqueezeBackward2_copy");
  return copy_of_view(self, name, [&] { return squeeze(self, dims); });
}

Tensor expand_copy(const Tensor& self, const IntArray& size) {
  return copy_of_view(self, "ExpandBackward0_copy", [&] { return expand(self, size); });
}

Tensor view_copy(const Tensor& self, const IntArray& size) {
  return copy_of_view(self, "ViewBackward0_copy", [&] { return view(self, size); });
}

Tensor diagonal_copy(const Tensor& self, int64_t offset, int64_t dim1, int64_t dim2) {
  return copy_of_view(self, "DiagonalBackward0_copy",
                      [&] { return diagonal(self, offset, dim1, dim2); });
}

Tensor as_strided_copy(const Tensor& self, const IntArray& size, const IntArray& stride,
                       std::optional<int64_t> storage_offset) {
  return copy_of_view(self, "AsStridedBackward0_copy",
                      [&] { return as_strided(self, size, stride, storage_offset); });
}

Tensor unfold_copy(const Tensor& self, int64_t dimension, int64_t size, int64_t step) {
  return copy_of_view(self, "UnfoldBackward0_copy",
                      [&] { return unfold(self, dimension, size, step); });
}

Tensor narrow_copy(const Tensor& self, int64_t dim, int64_t start, int64_t length) {
  return copy_of_view(self, "NarrowCopyBackward0",
                      [&] { return narrow(self, dim, start, length); });
}

TensorList unbind_copy(const Tensor& self, int64_t dim) {
  return pieces_of(self, "UnbindBackward0_copy", [&] { return unbind(self, dim); }, owned);
}

TensorList split_with_sizes_copy(const Tensor& self, const std::vector<int64_t>& sizes,
                                 int64_t dim) {
  return pieces_of(
      self, "SplitWithSizesBackward0_copy", [&] { return split_with_sizes(self, sizes, dim); },
      owned);
}

TensorList unsafe_split(const Tensor& self, int64_t split_size, int64_t dim) {
  return pieces_of(
      self, "UnsafeSplitBackward0", [&] { return split(self, split_size, dim); }, unviewed);
}

TensorList unsafe_split_with_sizes(const Tensor& self, const std::vector<int64_t>& sizes,
                                   int64_t dim) {
  return pieces_of(
      self, "UnsafeSplitWithSizesBackward0", [&] { return split_with_sizes(self, sizes, dim); },
      unviewed);
}

TensorList unsafe_chunk(const Tensor& self, int64_t chunks, int64_t dim) {
  return pieces_of(
      self, "UnsafeSplitBackward0", [&] { return chunk(self, chunks, dim); }, unviewed);
}

}  // namespace mlxc
