#include "ops/strided_scatter.h"

#include "ops/pointwise.h"
#include "ops/view.h"

namespace mlxc {

namespace {

// Some element of self is reachable through more than one index (torch's
// MemOverlap::Yes: a zero stride on a dim longer than one).
bool overlaps_itself(const Tensor& self) {
  for (int64_t i = 0; i < self.dim(); ++i) {
    if (self.strides()[i] == 0 && self.sizes()[i] > 1) return true;
  }
  return false;
}

mx::Strides to_strides(const IntArray& s) { return mx::Strides(s.begin(), s.end()); }

}  // namespace

Tensor as_strided_scatter(const Tensor& self, const Tensor& src, const IntArray& size,
                          const IntArray& stride, std::optional<int64_t> storage_offset) {
  MLXC_CHECK(!self.requires_grad() || self.is_contiguous(), Runtime,
             "as_strided_scatter is currently only supported for contiguous inputs");
  // The copy of self whose storage the window addresses.
  const Storage& st = *self.impl()->storage;
  const mx::Dtype dt = to_mlx(self.dtype());
  const bool keep_layout = !overlaps_itself(self) && st.data.dtype() == dt;
  IntArray out_strides = keep_layout ? self.strides() : contiguous_strides(self.sizes());
  const int64_t out_offset = keep_layout ? self.offset() : 0;
  mx::array flat = keep_layout ? apply_value_bits(*self.impl(), mx::reshape(st.data, {-1}))
                               : mx::reshape(self.value(), {-1});
  const int64_t storage_numel = static_cast<int64_t>(flat.size());

  MLXC_CHECK(size.size() == stride.size(), Runtime, "mismatch in length of strides and shape");
  const int64_t off = storage_offset ? *storage_offset : out_offset;
  int64_t max_pos = off, count = 1;
  for (size_t i = 0; i < size.size(); ++i) {
    MLXC_CHECK(size[i] >= 0, Runtime, "as_strided: Negative sizes are not supported");
    MLXC_CHECK(stride[i] >= 0, Runtime,
               "as_strided: Negative strides are not supported at the moment, got strides: ",
               sizes_str(stride));
    if (size[i] > 0) max_pos += (size[i] - 1) * stride[i];
    count *= size[i];
  }
  MLXC_CHECK(count == 0 || max_pos < storage_numel, Runtime, "setStorage: sizes ", sizes_str(size),
             ", strides ", sizes_str(stride), ", storage offset ", off, ", and itemsize ",
             itemsize(self.dtype()), " requiring a storage size of ",
             (max_pos + 1) * itemsize(self.dtype()), " are out of bounds for storage of size ",
             storage_numel * itemsize(self.dtype()));
  MLXC_CHECK(src.sizes() == size, Runtime,
             "expected src to have a size equal to the slice of self. src size = ",
             sizes_str(src.sizes()), ", slice size = ", sizes_str(size));
  for (size_t i = 0; i < size.size(); ++i) {
    MLXC_CHECK(!(stride[i] == 0 && size[i] > 1), Runtime,
               "unsupported operation: more than one element of the written-to tensor refers to a "
               "single memory location. Please clone() the tensor before performing the "
               "operation.");
  }
  if (count > 0) {
    const auto idx_dt = storage_numel > INT32_MAX ? mx::int64 : mx::int32;
    mx::array pos = mx::as_strided(mx::arange(0.0, static_cast<double>(storage_numel), 1.0, idx_dt),
                                   to_shape(size), to_strides(stride), static_cast<size_t>(off));
    mx::array upd = mx::reshape(cast(src, self.dtype()), {-1, 1});
    flat = mx::scatter(flat, mx::reshape(pos, {-1}), upd, 0);
  }
  mx::array out =
      mx::as_strided(flat, self.shape(), to_strides(out_strides), static_cast<size_t>(out_offset));
  Tensor result = make_result(out, self.dtype(), {&self, &src});
  if (!needs_grad({&self, &src})) return result;
  // torch's formulas: the gradient's window goes to src and, written into
  // zeros, to self; both read the gradient as a contiguous tensor at offset 0.
  const int64_t goff = storage_offset.value_or(0);
  auto node = make_node("AsStridedScatterBackward0", {&self, &src},
                        [size, stride, goff, src_dt = src.dtype()](FnNode& fn, TensorList& gs) {
                          Tensor window = strided_gather(gs[0], size, stride, goff);
                          Tensor gself, gsrc;
                          if (fn.needs_input_grad(0)) {
                            gself =
                                as_strided_scatter(zeros_like(gs[0]), window, size, stride, goff);
                          }
                          if (fn.needs_input_grad(1)) gsrc = to_dtype(window, src_dt);
                          return TensorList{gself, gsrc};
                        });
  return with_history(result, node);
}

}  // namespace mlxc
