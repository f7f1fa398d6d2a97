#include "core/resize.h"

#include "core/error.h"
#include "core/eval.h"
#include "mlx/ops.h"

namespace mlxc {

const Tensor& resize_(const Tensor& self, const IntArray& sizes, bool as_output) {
  abort_if_tracing();  // Note [Running under MLX transforms]
  MLXC_CHECK(as_output || !self.requires_grad(), Runtime,
             "cannot resize variables that require grad");
  int64_t n = 1;
  for (int64_t s : sizes) {
    MLXC_CHECK(s >= 0, Runtime, "numel: integer multiplication overflow");
    n *= s;
  }
  TensorImpl& t = *self.impl();
  // Same sizes: torch keeps the strides and does not count a write.
  if (t.sizes == sizes) return self;
  Storage& s = *t.storage;
  const mx::Dtype sd = s.data.dtype();
  const mx::Dtype td = to_mlx(t.dtype);
  if (n > 0) {
    // Elements of the storage's own dtype the new window reaches.
    const int64_t bytes = (t.offset + n) * static_cast<int64_t>(mx::size_of(td));
    const int64_t ss = static_cast<int64_t>(mx::size_of(sd));
    const int64_t need = (bytes + ss - 1) / ss;
    const int64_t have = static_cast<int64_t>(s.data.size());
    if (need > have) {
      mx::array grown = mx::zeros({static_cast<int32_t>(need - have)}, sd);
      s.data = have == 0 ? grown : mx::concatenate({mx::reshape(s.data, {-1}), grown}, 0);
    }
  }
  t.sizes = sizes;
  t.strides = contiguous_strides(sizes);
  t.whole =
      t.offset == 0 && td == sd && n == static_cast<int64_t>(s.data.size()) && !t.conj && !t.neg;
  if (t.whole) s.data = mx::reshape(s.data, to_shape(sizes));
  t.cache.reset();
  if (!as_output) s.version++;
  return self;
}

}  // namespace mlxc
