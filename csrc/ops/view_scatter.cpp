#include "ops/view_scatter.h"

#include "ops/pointwise.h"
#include "ops/shape.h"
#include "ops/view.h"

namespace mlxc {

namespace {

template <class MakeView>
Tensor scatter_through(const Tensor& self, const Tensor& src, MakeView&& make_view) {
  Tensor out = contiguous(clone(self));
  Tensor window = make_view(out);
  MLXC_CHECK(window.sizes() == src.sizes(), Runtime,
             "expected src to have a size equal to the slice of self. src size = ",
             sizes_str(src.sizes()), ", slice size = ", sizes_str(window.sizes()));
  copy_(window, src);
  return out;
}

}  // namespace

Tensor select_scatter(const Tensor& self, const Tensor& src, int64_t dim, int64_t index) {
  return scatter_through(self, src, [&](const Tensor& o) { return select(o, dim, index); });
}

Tensor slice_scatter(const Tensor& self, const Tensor& src, int64_t dim,
                     std::optional<int64_t> start, std::optional<int64_t> end, int64_t step) {
  return scatter_through(self, src,
                         [&](const Tensor& o) { return slice(o, dim, start, end, step); });
}

Tensor diagonal_scatter(const Tensor& self, const Tensor& src, int64_t offset, int64_t dim1,
                        int64_t dim2) {
  return scatter_through(self, src,
                         [&](const Tensor& o) { return diagonal(o, offset, dim1, dim2); });
}

}  // namespace mlxc
