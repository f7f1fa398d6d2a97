#include "ops/view.h"

#include <numeric>

#include "ops/pointwise.h"
#include "ops/shape.h"

namespace mlxc {

namespace {

mx::Strides mx_strides(const IntArray& s) {
  mx::Strides r(s.size(), 0);
  for (size_t i = 0; i < s.size(); ++i) r[i] = s[i];
  return r;
}

int64_t numel_of(const IntArray& s) {
  int64_t n = 1;
  for (auto v : s) n *= v;
  return n;
}

// A view's geometry over the storage, and the same window over a contiguous
// tensor of the input's shape (the latter maps gradients back to the input).
struct Geometry {
  IntArray sizes, strides;
  int64_t offset;
};

// Builds the view `out_geom` of self and records `name` whose backward scatters
// the gradient through `grad_geom` (input-relative) into zeros of self's shape.
Tensor strided_view(const Tensor& self, const Geometry& view_geom, const Geometry& grad_geom,
                    const char* name) {
  mx::array natural =
      mx::as_strided(mx::contiguous(self.value()), to_shape(grad_geom.sizes),
                     mx_strides(grad_geom.strides), static_cast<size_t>(grad_geom.offset));
  Tensor out = make_view(self, view_geom.sizes, view_geom.strides, view_geom.offset, natural);
  if (!needs_grad({&self})) return out;
  auto node = make_node(name, {&self}, [in = self.sizes(), grad_geom](FnNode&, TensorList& gs) {
    return TensorList{
        strided_scatter_add(gs[0], in, grad_geom.sizes, grad_geom.strides, grad_geom.offset)};
  });
  return with_history(out, node);
}

// Multi-output view ops (split, unbind): one node, one output per piece.
TensorList record_pieces(const Tensor& self, TensorList pieces, const char* name, int64_t dim,
                         bool squeezed) {
  if (!needs_grad({&self})) return pieces;
  std::vector<int64_t> lengths;
  for (auto& p : pieces) lengths.push_back(squeezed ? 1 : p.sizes()[dim]);
  auto node = make_node(
      name, {&self}, [in = self.sizes(), dim, lengths, squeezed](FnNode&, TensorList& gs) {
        ScalarType st = ScalarType::Float32;
        for (auto& g : gs) {
          if (g.defined()) st = g.dtype();
        }
        TensorList parts;
        for (size_t k = 0; k < lengths.size(); ++k) {
          Tensor g = k < gs.size() ? gs[k] : Tensor();
          if (g.defined()) {
            parts.push_back(squeezed ? unsqueeze(g, dim) : g);
            continue;
          }
          IntArray s = in;
          s[dim] = lengths[k];  // an unused piece gets zero gradient
          parts.push_back(make_result(mx::zeros(to_shape(s), to_mlx(st)), st, {}));
        }
        return TensorList{cat(parts, dim)};
      });
  node->num_outputs = static_cast<uint32_t>(pieces.size());
  for (size_t k = 0; k < pieces.size(); ++k) set_history(pieces[k], node, static_cast<uint32_t>(k));
  return pieces;
}

}  // namespace

Tensor strided_gather(const Tensor& src, const IntArray& sizes, const IntArray& strides,
                      int64_t offset) {
  mx::array v = mx::as_strided(mx::contiguous(src.value()), to_shape(sizes), mx_strides(strides),
                               static_cast<size_t>(offset));
  Tensor result = make_result(v, src.dtype(), {&src});
  if (!needs_grad({&src})) return result;
  auto node = make_node("AsStridedBackward0", {&src},
                        [in = src.sizes(), sizes, strides, offset](FnNode&, TensorList& gs) {
                          return TensorList{strided_scatter_add(gs[0], in, sizes, strides, offset)};
                        });
  return with_history(result, node);
}

Tensor strided_scatter_add(const Tensor& g, const IntArray& base_sizes, const IntArray& sizes,
                           const IntArray& strides, int64_t offset) {
  const int64_t n = numel_of(base_sizes);
  const auto dt = n > INT32_MAX ? mx::int64 : mx::int32;
  mx::array pos =
      mx::reshape(mx::as_strided(mx::arange(0.0, static_cast<double>(n), 1.0, dt), to_shape(sizes),
                                 mx_strides(strides), static_cast<size_t>(offset)),
                  {-1});
  mx::array flat = mx::zeros({static_cast<int32_t>(n)}, to_mlx(g.dtype()));
  flat = scatter_nonempty(flat, g.value(), [&] {
    return mx::scatter_add(flat, pos, mx::reshape(g.value(), {-1, 1}), 0);
  });
  Tensor result = make_result(mx::reshape(flat, to_shape(base_sizes)), g.dtype(), {&g});
  if (!needs_grad({&g})) return result;
  auto node = make_node("AsStridedScatterBackward0", {&g},
                        [sizes, strides, offset](FnNode&, TensorList& gs) {
                          return TensorList{strided_gather(gs[0], sizes, strides, offset)};
                        });
  return with_history(result, node);
}

namespace {

TensorList split_impl(const Tensor& self, const std::vector<int64_t>& sizes, int64_t dim,
                      const char* name) {
  MLXC_CHECK(self.dim() > 0, Runtime, "split expects at least a 1-dimensional tensor");
  const int64_t d = wrap_dim(dim, self.dim());
  int64_t total = 0;
  for (auto s : sizes) {
    MLXC_CHECK(s >= 0, Runtime, "split_with_sizes expects split_sizes have only non-negative ",
               "entries, but got split_sizes=", sizes_str(IntArray(sizes.begin(), sizes.end())));
    total += s;
  }
  MLXC_CHECK(total == self.sizes()[d], Runtime,
             "split_with_sizes expects split_sizes to sum exactly to ", self.sizes()[d],
             " (input tensor's size at dimension ", d,
             "), but got split_sizes=", sizes_str(IntArray(sizes.begin(), sizes.end())));
  TensorList pieces;
  int64_t start = 0;
  const CreationMeta meta = view_creation_meta(self, true);
  {
    AutoGradMode off(false);
    for (auto s : sizes) {
      pieces.push_back(slice(self, d, start, start + s));
      pieces.back().impl()->creation_meta = meta;
      start += s;
    }
  }
  return record_pieces(self, pieces, name, d, false);
}

}  // namespace

TensorList split_with_sizes(const Tensor& self, const std::vector<int64_t>& sizes, int64_t dim) {
  return split_impl(self, sizes, dim, "SplitWithSizesBackward0");
}

TensorList split(const Tensor& self, int64_t split_size, int64_t dim) {
  MLXC_CHECK(self.dim() > 0, Runtime, "split expects at least a 1-dimensional tensor");
  MLXC_CHECK(split_size >= 0, Runtime,
             "split expects split_size be non-negative, but got split_size=", split_size);
  const int64_t d = wrap_dim(dim, self.dim());
  const int64_t n = self.sizes()[d];
  MLXC_CHECK(split_size > 0 || n == 0, Runtime,
             "split_size can only be 0 if dimension size is 0, but got dimension size of ", n);
  std::vector<int64_t> sizes;
  for (int64_t s = 0; s < n; s += split_size) sizes.push_back(std::min(split_size, n - s));
  if (sizes.empty()) sizes.push_back(0);
  return split_impl(self, sizes, d, "SplitBackward0");
}

TensorList chunk(const Tensor& self, int64_t chunks, int64_t dim) {
  MLXC_CHECK(self.dim() > 0, Runtime, "chunk expects at least a 1-dimensional tensor");
  MLXC_CHECK(chunks > 0, Runtime, "chunk expects `chunks` to be greater than 0, got: ", chunks);
  const int64_t d = wrap_dim(dim, self.dim());
  const int64_t n = self.sizes()[d];
  const int64_t each = (n + chunks - 1) / chunks;
  if (each == 0) return split_impl(self, std::vector<int64_t>(chunks, 0), d, "SplitBackward0");
  return split(self, each, d);
}

TensorList unbind(const Tensor& self, int64_t dim) {
  MLXC_CHECK(self.dim() > 0, Index, "Dimension specified as 0 but tensor has no dimensions");
  const int64_t d = wrap_dim(dim, self.dim());
  TensorList pieces;
  const CreationMeta meta = view_creation_meta(self, true);
  {
    AutoGradMode off(false);
    for (int64_t i = 0; i < self.sizes()[d]; ++i) {
      pieces.push_back(select(self, d, i));
      pieces.back().impl()->creation_meta = meta;
    }
  }
  return record_pieces(self, pieces, "UnbindBackward0", d, true);
}

Tensor movedim(const Tensor& self, const std::vector<int64_t>& source,
               const std::vector<int64_t>& destination) {
  MLXC_CHECK(source.size() == destination.size(), Runtime,
             "movedim: Invalid source or destination dims: source (",
             sizes_str(IntArray(source.begin(), source.end())),
             " dims) should contain the same "
             "number of dims as destination (",
             sizes_str(IntArray(destination.begin(), destination.end())), " dims)");
  const int64_t n = self.dim();
  auto src = wrap_dims(source, n);
  auto dst = wrap_dims(destination, n);
  if (n == 0) return permute(self, {});  // a 0-d tensor's only dim is itself
  for (size_t i = 0; i < src.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      MLXC_CHECK(src[i] != src[j], Runtime, "movedim: repeated dim in `source` (",
                 sizes_str(IntArray(source.begin(), source.end())), ")");
      MLXC_CHECK(dst[i] != dst[j], Runtime, "movedim: repeated dim in `destination` (",
                 sizes_str(IntArray(destination.begin(), destination.end())), ")");
    }
  }
  std::vector<int64_t> order(n, -1);
  std::vector<bool> used(n, false);
  for (size_t i = 0; i < src.size(); ++i) {
    order[dst[i]] = src[i];
    used[src[i]] = true;
  }
  int64_t next = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (order[i] != -1) continue;
    while (used[next]) next++;
    order[i] = next++;
  }
  return permute(self, order);
}

Tensor diagonal(const Tensor& self, int64_t offset, int64_t dim1, int64_t dim2) {
  MLXC_CHECK(self.dim() >= 2, Runtime, "diagonal dimensions requires ndim larger than 1");
  const int64_t a = wrap_dim(dim1, self.dim()), b = wrap_dim(dim2, self.dim());
  MLXC_CHECK(a != b, Runtime, "diagonal dimensions cannot be identical ", dim1, ", ", dim2);
  auto geometry = [&](const IntArray& strides, int64_t base_offset) {
    int64_t len = offset >= 0 ? std::min(self.sizes()[a], self.sizes()[b] - offset)
                              : std::min(self.sizes()[a] + offset, self.sizes()[b]);
    len = std::max<int64_t>(len, 0);
    int64_t off = base_offset;
    if (len > 0) off += offset >= 0 ? offset * strides[b] : -offset * strides[a];
    Geometry g{{}, {}, off};
    for (int64_t i = 0; i < self.dim(); ++i) {
      if (i == a || i == b) continue;
      g.sizes.push_back(self.sizes()[i]);
      g.strides.push_back(strides[i]);
    }
    g.sizes.push_back(len);
    g.strides.push_back(strides[a] + strides[b]);
    return g;
  };
  return strided_view(self, geometry(self.strides(), self.offset()),
                      geometry(contiguous_strides(self.sizes()), 0), "DiagonalBackward0");
}

Tensor unfold(const Tensor& self, int64_t dimension, int64_t size, int64_t step) {
  const int64_t d = wrap_dim(dimension, self.dim());
  const int64_t n = self.dim() == 0 ? 1 : self.sizes()[d];
  MLXC_CHECK(size <= n, Runtime, "maximum size for tensor at dimension ", d, " is ", n,
             " but size is ", size);
  MLXC_CHECK(step > 0, Runtime, "step is ", step, " but must be > 0");
  auto geometry = [&](const IntArray& strides, int64_t base_offset) {
    Geometry g{self.sizes(), strides, base_offset};
    if (self.dim() == 0) {
      g.sizes = {size};
      g.strides = {1};
      return g;
    }
    g.sizes[d] = (n - size) / step + 1;
    g.strides[d] = strides[d] * step;
    g.sizes.push_back(size);
    g.strides.push_back(strides[d]);
    return g;
  };
  return strided_view(self, geometry(self.strides(), self.offset()),
                      geometry(contiguous_strides(self.sizes()), 0), "UnfoldBackward0");
}

Tensor as_strided(const Tensor& self, const IntArray& size, const IntArray& stride,
                  std::optional<int64_t> storage_offset) {
  MLXC_CHECK(size.size() == stride.size(), Runtime, "mismatch in length of strides and shape");
  const int64_t off = storage_offset ? *storage_offset : self.offset();
  int64_t max_pos = off;
  for (size_t i = 0; i < size.size(); ++i) {
    MLXC_CHECK(size[i] >= 0, Runtime, "as_strided: Negative sizes are not supported");
    MLXC_CHECK(stride[i] >= 0, Runtime, "as_strided: Negative strides are not supported");
    if (size[i] > 0) max_pos += (size[i] - 1) * stride[i];
  }
  const int64_t storage_numel = static_cast<int64_t>(self.impl()->storage->data.size());
  MLXC_CHECK(numel_of(size) == 0 || max_pos < storage_numel, Runtime, "setStorage: sizes ",
             sizes_str(size), ", strides ", sizes_str(stride), ", storage offset ", off,
             " requiring a storage size of ", (max_pos + 1) * itemsize(self.dtype()),
             " are out of bounds for storage of size ", storage_numel * itemsize(self.dtype()));
  // Gradient: as torch, through the storage seen as a contiguous tensor.
  mx::array natural = apply_value_bits(
      *self.impl(), mx::as_strided(mx::reshape(self.impl()->storage->data, {-1}), to_shape(size),
                                   mx_strides(stride), static_cast<size_t>(off)));
  Tensor out = make_view(self, size, stride, off, natural);
  if (!needs_grad({&self})) return out;
  auto node = make_node("AsStridedBackward0", {&self},
                        [in = self.sizes(), in_strides = self.strides(), in_off = self.offset(),
                         size, stride, off, storage_numel](FnNode&, TensorList& gs) {
                          Tensor st = strided_scatter_add(gs[0], IntArray{storage_numel}, size,
                                                          stride, off);
                          return TensorList{strided_gather(st, in, in_strides, in_off)};
                        });
  return with_history(out, node);
}

Tensor narrow(const Tensor& self, int64_t dim, int64_t start, int64_t length) {
  MLXC_CHECK(self.dim() > 0, Runtime, "narrow() cannot be applied to a 0-dim tensor.");
  const int64_t d = wrap_dim(dim, self.dim());
  const int64_t size = self.sizes()[d];
  MLXC_CHECK(start >= -size && start <= size, Index,
             "start out of range (expected to be in range of [", -size, ", ", size, "], but got ",
             start, ")");
  const int64_t st = start < 0 ? start + size : start;
  MLXC_CHECK(length >= 0 && st + length <= size, Runtime, "start (", st, ") + length (", length,
             ") exceeds dimension size (", size, ").");
  return slice(self, d, st, st + length);
}

}  // namespace mlxc

namespace mlxc {

TensorList meshgrid(const TensorList& tensors, const std::string& indexing) {
  MLXC_CHECK(!tensors.empty(), Runtime, "meshgrid expects a non-empty TensorList");
  MLXC_CHECK(indexing == "ij" || indexing == "xy", Runtime,
             "torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but received: ", indexing);
  for (size_t i = 1; i < tensors.size(); ++i) {
    MLXC_CHECK(tensors[i].dtype() == tensors[0].dtype(), Runtime,
               "meshgrid expects all tensors to have the same dtype");
  }
  // "xy" swaps the first two inputs and the first two outputs of the "ij" grid.
  TensorList in = tensors;
  const bool swap = indexing == "xy" && in.size() >= 2;
  if (swap) std::swap(in[0], in[1]);
  IntArray shape;
  for (const auto& t : in) {
    MLXC_CHECK(t.dim() <= 1, Runtime,
               "torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: ", t.dim(),
               "D");
    shape.push_back(t.numel());
  }
  TensorList out;
  for (size_t i = 0; i < in.size(); ++i) {
    IntArray view_shape(in.size(), 1);
    view_shape[i] = -1;
    out.push_back(expand(view(in[i], view_shape), shape));
  }
  if (swap) std::swap(out[0], out[1]);
  return out;
}

Tensor cartesian_prod(const TensorList& tensors) {
  for (const auto& t : tensors) {
    MLXC_CHECK(t.dim() == 1, Runtime, "Expect a 1D vector, but got shape ", sizes_str(t.sizes()));
  }
  if (tensors.size() == 1) return tensors[0];
  TensorList grid = meshgrid(tensors, "ij");
  for (auto& t : grid) t = flatten(t);
  return stack(grid, 1);
}

}  // namespace mlxc
