#include "ops/scatter_reduce.h"

#include <limits>
#include <vector>

#include "core/eval.h"
#include "ops/gather.h"
#include "ops/nn_misc.h"
#include "ops/pointwise.h"
#include "ops/shape.h"

namespace mlxc {

namespace {

// The value a reduction starts from (so a position reduces over src alone).
mx::array reduce_identity(const std::string& reduce, ScalarType st) {
  const mx::Dtype dt = to_mlx(st);
  if (reduce == "sum" || reduce == "mean") return mx::array(0, dt);
  if (reduce == "prod") return mx::array(1, dt);
  const bool lowest = reduce == "amax";
  if (is_floating(st)) {
    const double inf = std::numeric_limits<double>::infinity();
    return mx::astype(mx::array(lowest ? -inf : inf), dt);
  }
  switch (st) {
    case ScalarType::Bool:
      return mx::array(!lowest);
    case ScalarType::UInt8:
      return mx::array(lowest ? 0 : 255, dt);
    case ScalarType::Int8:
      return mx::array(lowest ? -128 : 127, dt);
    case ScalarType::Int16:
      return mx::array(lowest ? -32768 : 32767, dt);
    case ScalarType::Int32:
      return mx::array(lowest ? std::numeric_limits<int32_t>::min()
                              : std::numeric_limits<int32_t>::max());
    default:
      return mx::array(lowest ? std::numeric_limits<int64_t>::min()
                              : std::numeric_limits<int64_t>::max());
  }
}

// Forward on MLX arrays: `upd` is index-shaped, `coords` index-shaped coordinates.
mx::array reduce_values(const mx::array& x, const std::vector<mx::array>& coords,
                        const mx::array& upd, const std::string& reduce, bool include_self,
                        ScalarType st) {
  std::vector<int> axes;
  for (int a = 0; a < static_cast<int>(x.ndim()); ++a) axes.push_back(a);
  mx::Shape ushape = upd.shape();
  for (size_t a = 0; a < x.ndim(); ++a) ushape.push_back(1);
  const mx::array u = mx::reshape(upd, ushape);
  mx::array base = x;
  if (!include_self) {
    mx::array hit =
        mx::scatter(mx::zeros(x.shape(), mx::bool_), coords, mx::ones(ushape, mx::bool_), axes);
    base = mx::where(hit, reduce_identity(reduce, st), x);
  }
  if (reduce == "sum") return mx::scatter_add(base, coords, u, axes);
  if (reduce == "prod") return mx::scatter_prod(base, coords, u, axes);
  if (reduce == "amax") return mx::scatter_max(base, coords, u, axes);
  if (reduce == "amin") return mx::scatter_min(base, coords, u, axes);
  // mean: the sum over self (if included) and src, over how many were summed.
  const mx::Dtype ct = is_floating(st) ? to_mlx(st) : mx::int64;
  mx::array count = include_self ? mx::ones(x.shape(), ct) : mx::zeros(x.shape(), ct);
  count = mx::scatter_add(count, coords, mx::ones(ushape, ct), axes);
  count = mx::where(mx::equal(count, mx::array(0, ct)), mx::array(1, ct), count);
  mx::array total = mx::scatter_add(base, coords, u, axes);
  if (is_floating(st)) return mx::divide(total, count);
  return mx::astype(mx::floor_divide(mx::astype(total, mx::int64), count), to_mlx(st));
}

// torch's scatter_reduce_backward, written with the (index-shaped) src part.
TensorList reduce_backward(const Tensor& g, const Tensor& self, int64_t d, const Tensor& index,
                           const Tensor& src, const std::string& reduce, bool include_self,
                           const Tensor& result) {
  Tensor grad_self, grad_src;
  if (reduce == "sum") {
    grad_self = g;
    grad_src = gather_in_range(g, d, index);
  } else if (reduce == "mean") {
    Tensor n = include_self ? ones_like(g) : zeros_like(g);
    n = scatter_add_in_range(n, d, index, ones_like(src));
    n = masked_fill(n, eq(n, wrapped_scalar(0.0)), wrapped_scalar(1.0));
    grad_self = div(g, n);
    grad_src = div(gather_in_range(g, d, index), gather_in_range(n, d, index));
  } else if (reduce == "prod") {
    // Exclusive products, exact where self or src hold zeros.
    const Tensor zero = wrapped_scalar(0.0), one = wrapped_scalar(1.0);
    Tensor masked_self = masked_fill(self, eq(self, zero), one);
    Tensor masked_self_result = scatter_reduce(masked_self, d, index, src, reduce, include_self);
    grad_self = div(mul(g, masked_self_result), masked_self);
    Tensor src_zero = eq(src, zero);
    Tensor zeros_hit = gather_in_range(
        scatter_add_in_range(zeros_like(self), d, index, to_dtype(src_zero, self.dtype())), d,
        index);
    Tensor single_zero = logical_and(src_zero, eq(zeros_hit, one));
    Tensor masked_src_result =
        scatter_reduce(self, d, index, masked_fill(src, single_zero, one), reduce, include_self);
    grad_src =
        where(single_zero, gather_in_range(mul(g, masked_src_result), d, index),
              div(gather_in_range(mul(g, result), d, index), masked_fill(src, src_zero, one)));
  } else {
    // amax/amin: ties share the gradient evenly.
    Tensor value = gather_in_range(result, d, index);
    Tensor self_is = to_dtype(eq(self, result), self.dtype());
    Tensor src_is = to_dtype(eq(src, value), self.dtype());
    Tensor share = div(g, scatter_add_in_range(self_is, d, index, src_is));
    grad_self = mul(self_is, share);
    grad_src = mul(src_is, gather_in_range(share, d, index));
  }
  if (!include_self) grad_self = scatter(grad_self, d, index, wrapped_scalar(0.0));
  return {grad_self, grad_src};
}

void check_reduce_args(const Tensor& self, const Tensor& src, const Tensor& index,
                       const std::string& reduce, const char* op) {
  MLXC_CHECK(self.dtype() == src.dtype(), Runtime, op,
             "(): Expected self.dtype to be equal to src.dtype");
  (void)reduce;
}

// The shared body: validated arguments, index-shaped src part, one node.
Tensor reduce_into(const Tensor& self, int64_t d, const Tensor& index, const Tensor& src_full,
                   const std::string& reduce, bool include_self, const char* node_name) {
  const int64_t size = self.sizes()[d];
  if (index.numel() > 0) {
    // torch: RuntimeError for scatter_reduce, IndexError for index_reduce.
    const auto [l, h] = host_min_max(index.value());
    const bool scatter_form = std::string(node_name) == "ScatterReduceBackward0";
    if (scatter_form) {
      MLXC_CHECK(l >= -size && h < size, Runtime, "index ", (h >= size ? h : l),
                 " is out of bounds for dimension ", d, " with size ", size);
    } else {
      MLXC_CHECK(l >= -size && h < size, Index, "index out of range in self");
    }
  }
  Tensor src = src_full;
  if (index.sizes() != src_full.sizes()) {
    // The index-shaped part of src, as recorded slices.
    for (int64_t a = 0; a < src.dim(); ++a) {
      if (src.sizes()[a] != index.sizes()[a]) src = slice(src, a, 0, index.sizes()[a], 1);
    }
  }
  mx::array out =
      index.numel() == 0 ? self.value() : scatter_nonempty(self.value(), src.value(), [&] {
        return reduce_values(self.value(), scatter_coordinates(index, d, size), src.value(), reduce,
                             include_self, self.dtype());
      });
  Tensor result = make_result(out, self.dtype(), {&self, &src});
  if (!needs_grad({&self, &src_full})) return result;
  MLXC_CHECK(reduce != "mean" || is_floating(self.dtype()), Runtime,
             "scatter_reduce(): mean reduction of integer inputs is not differentiable");
  auto node = make_node(
      node_name, {&self, &src_full},
      [d, index, reduce, include_self, src_sizes = src_full.sizes()](FnNode& n, TensorList& gs) {
        Tensor self_v = n.saved(0), src_v = n.saved(1), res = n.saved(2);
        TensorList r = reduce_backward(gs[0], self_v, d, index, src_v, reduce, include_self, res);
        if (n.needs_input_grad(1) && r[1].sizes() != src_sizes) {
          // Pad back to src's shape (src may be larger than index).
          std::vector<int64_t> pad;
          for (int64_t a = static_cast<int64_t>(src_sizes.size()) - 1; a >= 0; --a) {
            pad.push_back(0);
            pad.push_back(src_sizes[a] - r[1].sizes()[a]);
          }
          r[1] = constant_pad_nd(r[1], pad, wrapped_scalar(0.0));
        }
        return r;
      });
  node->save(self);
  node->save(src);
  node->save(result, true);
  return with_history(result, node);
}

}  // namespace

Tensor scatter_reduce(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src,
                      const std::string& reduce, bool include_self) {
  MLXC_CHECK(reduce == "sum" || reduce == "prod" || reduce == "mean" || reduce == "amax" ||
                 reduce == "amin" || reduce == "max" || reduce == "min",
             Runtime, "reduce argument must be either sum, prod, mean, amax or amin, got ", reduce);
  // torch also takes "max"/"min" for amax/amin.
  if (reduce == "max" || reduce == "min") {
    return scatter_reduce(self, dim, index, src, "a" + reduce, include_self);
  }
  if (self.dim() == 0) {
    return reshape(scatter_reduce(reshape(self, {1}), 0, reshape(index, {-1}), reshape(src, {-1}),
                                  reduce, include_self),
                   {});
  }
  const int64_t d = wrap_dim(dim, self.dim());
  check_index_dtype(index, "scatter_reduce");
  check_reduce_args(self, src, index, reduce, "scatter_reduce");
  check_gather_shapes(self, index, d, "scatter_reduce");
  MLXC_CHECK(src.dim() == index.dim() || index.numel() == 0, Runtime,
             "Index tensor must have the same number of dimensions as src tensor");
  return reduce_into(self, d, index, src, reduce, include_self, "ScatterReduceBackward0");
}

Tensor index_reduce(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& source,
                    const std::string& reduce, bool include_self) {
  MLXC_CHECK(reduce == "prod" || reduce == "mean" || reduce == "amax" || reduce == "amin", Runtime,
             "index_reduce(): Expected reduce to be one of prod, mean, amax or amin.");
  MLXC_CHECK(index.dim() <= 1, Index, "index_reduce_(): Index is supposed to be a vector");
  MLXC_CHECK(index.dtype() == ScalarType::Int64 || index.dtype() == ScalarType::Int32, Runtime,
             "index_reduce_(): Expected dtype int32/int64 for index");
  MLXC_CHECK(self.dtype() == source.dtype(), Runtime, "index_reduce_(): self (",
             scalar_type_name(self.dtype()), ") and source (", scalar_type_name(source.dtype()),
             ") must have the same scalar type");
  if (self.dim() == 0) {
    return reshape(
        index_reduce(reshape(self, {1}), 0, index, reshape(source, {-1}), reduce, include_self),
        {});
  }
  const int64_t d = wrap_dim(dim, self.dim());
  const int64_t n = index.numel();
  MLXC_CHECK(source.dim() == self.dim() || (source.dim() == 0 && n == 1), Index,
             "index_reduce_(): Source and self must have the same number of dimensions");
  Tensor src = source.dim() == self.dim() ? source : reshape(source, {1});
  MLXC_CHECK(src.sizes()[d] == n, Index, "index_reduce_(): Number of indices (", n,
             ") should be equal to source.size(dim) (", src.sizes()[d], ")");
  // index_reduce is scatter_reduce with the index broadcast along source.
  IntArray ishape(src.dim(), 1);
  ishape[d] = n;
  Tensor idx = make_result(
      mx::broadcast_to(mx::reshape(mx::astype(index.value(), mx::int64), to_shape(ishape)),
                       src.shape()),
      ScalarType::Int64, {});
  return reduce_into(self, d, idx, src, reduce, include_self, "IndexReduceBackward0");
}

}  // namespace mlxc
