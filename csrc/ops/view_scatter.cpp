#include "ops/view_scatter.h"

#include "ops/pointwise.h"
#include "ops/shape.h"
#include "ops/view.h"

namespace mlxc {

namespace {

// self's values with src written over the window make_view(self) selects.
template <class MakeView>
Tensor scatter_through(const Tensor& self, const Tensor& src, MakeView&& make_view) {
  AutoGradMode no_grad(false);
  Tensor out = contiguous(clone(self));
  Tensor window = make_view(out);
  MLXC_CHECK(window.sizes() == src.sizes(), Runtime,
             "expected src to have a size equal to the slice of self. src size = ",
             sizes_str(src.sizes()), ", slice size = ", sizes_str(window.sizes()));
  copy_(window, src);
  return make_result(out.value(), out.dtype(), {});
}

// Zeros shaped like the scattered source, in the gradient's dtype.
Tensor zeros_sized(const IntArray& sizes, const Tensor& like) {
  return make_result(mx::zeros(to_shape(sizes), to_mlx(like.dtype())), like.dtype(), {});
}

// The scatter's node: self's gradient is g with the window zeroed (the same
// scatter of zeros), src's is g's window. `scatter(g, z)` and `view(g)` take
// the op's own arguments.
template <class Scatter, class View>
Tensor record_scatter(Tensor result, const Tensor& self, const Tensor& src, const char* name,
                      Scatter scatter, View view) {
  if (!needs_grad({&self, &src})) return result;
  auto node = make_node(name, {&self, &src},
                        [scatter, view, sizes = src.sizes()](FnNode& n, TensorList& gs) {
                          TensorList r(2);
                          if (n.needs_input_grad(0))
                            r[0] = scatter(gs[0], zeros_sized(sizes, gs[0]));
                          if (n.needs_input_grad(1)) r[1] = view(gs[0]);
                          return r;
                        });
  return with_history(result, node);
}

}  // namespace

Tensor select_scatter(const Tensor& self, const Tensor& src, int64_t dim, int64_t index) {
  Tensor result =
      scatter_through(self, src, [&](const Tensor& o) { return select(o, dim, index); });
  return record_scatter(
      result, self, src, "SelectScatterBackward0",
      [dim, index](const Tensor& g, const Tensor& z) { return select_scatter(g, z, dim, index); },
      [dim, index](const Tensor& g) { return select(g, dim, index); });
}

Tensor slice_scatter(const Tensor& self, const Tensor& src, int64_t dim,
                     std::optional<int64_t> start, std::optional<int64_t> end, int64_t step) {
  Tensor result =
      scatter_through(self, src, [&](const Tensor& o) { return slice(o, dim, start, end, step); });
  return record_scatter(
      result, self, src, "SliceScatterBackward0",
      [=](const Tensor& g, const Tensor& z) { return slice_scatter(g, z, dim, start, end, step); },
      [=](const Tensor& g) { return slice(g, dim, start, end, step); });
}

Tensor diagonal_scatter(const Tensor& self, const Tensor& src, int64_t offset, int64_t dim1,
                        int64_t dim2) {
  Tensor result =
      scatter_through(self, src, [&](const Tensor& o) { return diagonal(o, offset, dim1, dim2); });
  return record_scatter(
      result, self, src, "DiagonalScatterBackward0",
      [=](const Tensor& g, const Tensor& z) { return diagonal_scatter(g, z, offset, dim1, dim2); },
      [=](const Tensor& g) { return diagonal(g, offset, dim1, dim2); });
}

}  // namespace mlxc
