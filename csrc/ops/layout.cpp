#include "ops/layout.h"

#include "core/eval.h"
#include "ops/gather.h"
#include "ops/pointwise.h"
#include "ops/reduce.h"
#include "ops/shape.h"
#include "ops/view.h"

namespace mlxc {

namespace {

template <typename F>
Tensor with_grad(Tensor out, const Tensor& self, const char* name, F fn) {
  if (!needs_grad({&self})) return out;
  auto node =
      make_node(name, {&self}, [fn](FnNode&, TensorList& gs) { return TensorList{fn(gs[0])}; });
  return with_history(out, node);
}

std::vector<int> axes_of(const std::vector<int64_t>& dims, int64_t ndim) {
  return wrap_dims(dims, ndim);
}

// Keeps the lower (or upper) triangle of the last two dims.
mx::array tri_mask(const Tensor& self, int64_t diagonal, bool lower) {
  const int n = static_cast<int>(self.sizes()[self.dim() - 2]);
  const int m = static_cast<int>(self.sizes()[self.dim() - 1]);
  mx::array t = mx::tri(n, m, static_cast<int>(lower ? diagonal : diagonal - 1), mx::bool_);
  return lower ? t : mx::logical_not(t);
}

}  // namespace

Tensor flip(const Tensor& self, const std::vector<int64_t>& dims) {
  auto axes = axes_of(dims, self.dim());
  mx::array v = self.value();
  Tensor out =
      make_result(axes.empty() || self.dim() == 0 ? v : mx::flip(v, axes), self.dtype(), {&self});
  return with_grad(out, self, "FlipBackward0", [dims](const Tensor& g) { return flip(g, dims); });
}

Tensor roll(const Tensor& self, const std::vector<int64_t>& shifts,
            const std::vector<int64_t>& dims) {
  if (dims.empty()) {
    MLXC_CHECK(shifts.size() == 1, Runtime, "`shifts` required");
    Tensor flat = flatten(self);
    return reshape(roll(flat, shifts, {0}), self.sizes());
  }
  MLXC_CHECK(shifts.size() == dims.size(), Runtime,
             "shifts and dimensions must align. shifts: ", shifts.size(), ", dims:", dims.size());
  auto axes = axes_of(dims, self.dim());
  mx::Shape sh;
  for (auto s : shifts) sh.push_back(static_cast<int32_t>(s));
  mx::array v = self.numel() == 0 ? self.value() : mx::roll(self.value(), sh, axes);
  Tensor out = make_result(v, self.dtype(), {&self});
  std::vector<int64_t> neg;
  for (auto s : shifts) neg.push_back(-s);
  return with_grad(out, self, "RollBackward0",
                   [neg, dims](const Tensor& g) { return roll(g, neg, dims); });
}

Tensor rot90(const Tensor& self, int64_t k, const std::vector<int64_t>& dims) {
  MLXC_CHECK(dims.size() == 2, Runtime,
             "expected total rotation dims == 2, but got dims = ", dims.size());
  MLXC_CHECK(self.dim() >= 2, Runtime,
             "expected total dims >= 2, but got total dims = ", self.dim());
  const int64_t a = wrap_dim(dims[0], self.dim()), b = wrap_dim(dims[1], self.dim());
  MLXC_CHECK(a != b, Runtime, "expected rotation dims to be different, but got dim0 = ", a,
             " and dim1 = ", b);
  k = ((k % 4) + 4) % 4;
  Tensor v;
  {
    // As torch: k = 1 and 3 flip one dim and transpose, so the result keeps
    // the transposed layout; 0 and 2 are contiguous.
    AutoGradMode no_grad(false);
    if (k == 1)
      v = transpose(flip(self, {b}), a, b);
    else if (k == 2)
      v = flip(self, {a, b});
    else if (k == 3)
      v = transpose(flip(self, {a}), a, b);
    else
      v = self;
  }
  Tensor result = make_result(v.value(), self.dtype(), {&self});
  if (k % 2 == 1) {
    std::vector<int> order(self.dim());
    for (int i = 0; i < static_cast<int>(self.dim()); ++i) order[i] = i;
    std::swap(order[a], order[b]);
    adopt_memory_order(result, order);
  }
  return with_grad(result, self, "Rot90Backward0",
                   [k, dims](const Tensor& g) { return rot90(g, -k, dims); });
}

Tensor repeat(const Tensor& self, const IntArray& repeats) {
  MLXC_CHECK(static_cast<int64_t>(repeats.size()) >= self.dim(), Runtime,
             "Number of dimensions of repeat dims can not be smaller than number of dimensions of "
             "tensor");
  const size_t n = repeats.size();
  const size_t lead = n - self.dim();
  IntArray in_sizes(lead, 1);
  for (auto s : self.sizes()) in_sizes.push_back(s);
  std::vector<int> reps;
  IntArray out_sizes;
  for (size_t i = 0; i < n; ++i) {
    MLXC_CHECK(repeats[i] >= 0, Runtime, "Trying to create tensor with negative dimension ",
               repeats[i], ": ", sizes_str(repeats));
    reps.push_back(static_cast<int>(repeats[i]));
    out_sizes.push_back(in_sizes[i] * repeats[i]);
  }
  mx::array v = mx::reshape(self.value(), to_shape(in_sizes));
  Tensor out = make_result(mx::tile(v, reps), self.dtype(), {&self});
  return with_grad(out, self, "RepeatBackward0",
                   [in_sizes, repeats, sizes = self.sizes()](const Tensor& g) {
                     // Sum the copies: view g as (r0, s0, r1, s1, ...) and sum the r axes.
                     IntArray split;
                     std::vector<int64_t> rdims;
                     for (size_t i = 0; i < in_sizes.size(); ++i) {
                       split.push_back(repeats[i]);
                       split.push_back(in_sizes[i]);
                       rdims.push_back(static_cast<int64_t>(2 * i));
                     }
                     Tensor s = sum(reshape(g, split), rdims, false);
                     return reshape(s, sizes);
                   });
}

Tensor tile(const Tensor& self, const IntArray& reps) {
  IntArray r = reps;
  while (static_cast<int64_t>(r.size()) < self.dim()) r.insert(r.begin(), 1);
  return repeat(self, r);
}

Tensor repeat_interleave(const Tensor& self, int64_t repeats, std::optional<int64_t> dim) {
  MLXC_CHECK(repeats >= 0, Runtime, "repeats can not be negative");
  Tensor x = dim ? self : flatten(self);
  const int64_t d = dim ? wrap_dim(*dim, x.dim()) : 0;
  if (x.dim() == 0) x = reshape(x, {1});
  // unsqueeze after d, expand, merge: a view-based composite with free gradients.
  Tensor u = unsqueeze(x, d + 1);
  IntArray target = u.sizes();
  target[d + 1] = repeats;
  IntArray merged = x.sizes();
  merged[d] = x.sizes()[d] * repeats;
  return reshape(expand(u, target), merged);
}

Tensor repeat_interleave(const Tensor& self, const Tensor& repeats, std::optional<int64_t> dim) {
  MLXC_CHECK(repeats.dim() <= 1, Runtime, "repeats must be 0-dim or 1-dim tensor");
  MLXC_CHECK(is_integral(repeats.dtype(), false), Runtime, "repeats has to be Long or Int tensor");
  Tensor x = dim ? self : flatten(self);
  const int64_t d = dim ? wrap_dim(*dim, x.dim()) : 0;
  // Data-dependent length: read the repeats on the host.
  mx::array r = mx::contiguous(mx::astype(mx::reshape(repeats.value(), {-1}), mx::int64));
  eval_arrays({r});
  const int64_t* rp = r.data<int64_t>();
  const int64_t count = static_cast<int64_t>(r.size());
  const int64_t len = x.sizes()[d];
  MLXC_CHECK(count == 1 || count == len, Runtime,
             "repeats must have the same size as input along dim, but got repeats.size(0) = ",
             count, " and input.size(", d, ") = ", len);
  std::vector<int64_t> idx;
  for (int64_t i = 0; i < len; ++i) {
    const int64_t rep = rp[count == 1 ? 0 : i];
    MLXC_CHECK(rep >= 0, Runtime, "repeats can not be negative");
    for (int64_t k = 0; k < rep; ++k) idx.push_back(i);
  }
  mx::array ia(idx.begin(), mx::Shape{static_cast<int32_t>(idx.size())}, mx::int64);
  Tensor it = make_result(ia, ScalarType::Int64, {});
  // torch's composite: index_select with the repeated positions.
  return index_select(x, d, it);
}

Tensor broadcast_to(const Tensor& self, const IntArray& size) { return expand(self, size); }

Tensor tril(const Tensor& self, int64_t diagonal) {
  MLXC_CHECK(self.dim() >= 2, Runtime, "tril: input tensor must have at least 2 dimensions");
  mx::array v = self.value();
  mx::array out = mx::where(tri_mask(self, diagonal, true), v, mx::zeros({}, v.dtype()));
  return with_grad(make_result(out, self.dtype(), {&self}), self, "TrilBackward0",
                   [diagonal](const Tensor& g) { return tril(g, diagonal); });
}

Tensor triu(const Tensor& self, int64_t diagonal) {
  MLXC_CHECK(self.dim() >= 2, Runtime, "triu: input tensor must have at least 2 dimensions");
  mx::array v = self.value();
  mx::array out = mx::where(tri_mask(self, diagonal, false), v, mx::zeros({}, v.dtype()));
  return with_grad(make_result(out, self.dtype(), {&self}), self, "TriuBackward0",
                   [diagonal](const Tensor& g) { return triu(g, diagonal); });
}

Tensor diag_embed(const Tensor& self, int64_t offset, int64_t dim1, int64_t dim2) {
  const int64_t nd = self.dim() + 1;
  const int64_t a = wrap_dim(dim1, nd), b = wrap_dim(dim2, nd);
  MLXC_CHECK(a != b, Runtime, "diagonal dimensions cannot be identical ", dim1, ", ", dim2);
  const int64_t n = (self.dim() ? self.sizes().back() : 1) + std::abs(offset);
  IntArray sizes;
  int64_t src = 0;
  IntArray batch(self.sizes().begin(), self.sizes().end() - (self.dim() ? 1 : 0));
  for (int64_t i = 0; i < nd; ++i) {
    if (i == a || i == b) {
      sizes.push_back(n);
    } else {
      sizes.push_back(batch[src++]);
    }
  }
  // Zeros, then write self through the diagonal view (gradient: read it back).
  Tensor z = make_result(mx::zeros(to_shape(sizes), to_mlx(self.dtype())), self.dtype(), {});
  Tensor diag_view = diagonal(z, offset, a, b);
  {
    AutoGradMode off(false);
    copy_(diag_view, self);
  }
  Tensor out = make_result(z.value(), self.dtype(), {&self});
  return with_grad(out, self, "DiagEmbedBackward0", [offset, a, b](const Tensor& g) {
    return contiguous(diagonal(g, offset, a, b));
  });
}

Tensor diag(const Tensor& self, int64_t d) {
  MLXC_CHECK(self.dim() == 1 || self.dim() == 2, Runtime, "diag(): Supports 1D or 2D tensors. Got ",
             self.dim(), "D");
  if (self.dim() == 1) return diag_embed(self, d, 0, 1);
  return contiguous(clone(diagonal(self, d, 0, 1)));
}

Tensor diagflat(const Tensor& self, int64_t offset) {
  return diag_embed(flatten(self), offset, 0, 1);
}

Tensor trace(const Tensor& self) {
  MLXC_CHECK(self.dim() == 2, Runtime, "trace: expected a matrix, but got tensor with dim ",
             self.dim());
  Tensor v;
  {
    AutoGradMode no_grad(false);
    v = sum(diagonal(self, 0, 0, 1));
  }
  Tensor result = make_result(v.value(), v.dtype(), {&self});
  // torch's trace_backward: g on the diagonal, zeros elsewhere.
  const IntArray sizes = self.sizes();
  return with_grad(result, self, "TraceBackward0", [sizes](const Tensor& g) {
    const mx::array diag =
        mx::eye(static_cast<int>(sizes[0]), static_cast<int>(sizes[1]), 0, mx::bool_);
    const Tensor mask = make_result(diag, ScalarType::Bool, {});
    return where(mask, expand(g, sizes), scalar_tensor(0.0, g.dtype()));
  });
}

}  // namespace mlxc
