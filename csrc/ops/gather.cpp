#include "ops/gather.h"

#include "core/eval.h"
#include "ops/creation.h"
#include "ops/index.h"
#include "ops/nn_misc.h"
#include "ops/pointwise.h"
#include "ops/reduce.h"
#include "ops/shape.h"

namespace mlxc {

// Raises IndexError unless every index lies in [-size, size).
void check_bounds(const Tensor& index, int64_t size, const char* op, int64_t dim) {
  if (index.numel() == 0) return;
  const auto [l, h] = host_min_max(index.value());
  MLXC_CHECK(l >= -size && h < size, Index, op, "(): index ", (h >= size ? h : l),
             " is out of bounds for dimension ", dim, " with size ", size);
}

namespace {

mx::array wrapped(const Tensor& index, int64_t size) {
  mx::array v = mx::astype(index.value(), mx::int64);
  return mx::where(mx::less(v, mx::array(int64_t{0})), mx::add(v, mx::array(size)), v);
}

}  // namespace

void check_index_dtype(const Tensor& index, const char* op) {
  MLXC_CHECK(is_integral(index.dtype(), false), Runtime, op,
             "(): Expected dtype int32/int64 for index");
}

namespace {

// The region of self a gather/scatter with this index touches: index's extent in
// every dim but `dim`, all of `dim`.
mx::Shape region_stop(const Tensor& self, const Tensor& index, int64_t d) {
  mx::Shape stop = index.shape();
  stop[d] = static_cast<int32_t>(self.sizes()[d]);
  return stop;
}

}  // namespace

void check_gather_shapes(const Tensor& self, const Tensor& index, int64_t d, const char* op) {
  MLXC_CHECK(index.dim() == self.dim() || (index.dim() <= 1 && self.dim() <= 1), Runtime,
             "Index tensor must have the same number of dimensions as input tensor");
  for (int64_t i = 0; i < index.dim(); ++i) {
    MLXC_CHECK(i == d || index.sizes()[i] <= self.sizes()[i], Runtime,
               "Size does not match at "
               "dimension ",
               i, " expected index ", sizes_str(index.sizes()), " to be no larger than self ",
               sizes_str(self.sizes()), " apart from dimension ", d);
  }
  (void)op;
}

namespace {

// Writes `upd` (index-shaped) into self along dim at index (add or overwrite).
mx::array scatter_values(const mx::array& x, const Tensor& index, int64_t d, const mx::array& upd,
                         bool add, int64_t size) {
  const mx::Shape stop = [&] {
    mx::Shape s = index.shape();
    s[d] = static_cast<int32_t>(x.shape()[d]);
    return s;
  }();
  mx::Shape start(x.ndim(), 0);
  mx::array region = mx::slice(x, start, stop);
  mx::array idx = wrapped(index, size);
  region = scatter_nonempty(region, upd, [&] {
    return add ? mx::scatter_add_axis(region, idx, upd, static_cast<int>(d))
               : mx::put_along_axis(region, idx, upd, static_cast<int>(d));
  });
  return mx::slice_update(x, region, start, stop);
}

}  // namespace

namespace {

// t zero-padded at the end of each dim up to `sizes` (src may be larger than index).
Tensor pad_to(const Tensor& t, const IntArray& sizes) {
  if (t.sizes() == sizes) return t;
  std::vector<int64_t> pad;
  for (int64_t a = static_cast<int64_t>(sizes.size()) - 1; a >= 0; --a) {
    pad.push_back(0);
    pad.push_back(sizes[a] - t.sizes()[a]);
  }
  return constant_pad_nd(t, pad, wrapped_scalar(0.0));
}

}  // namespace

mx::array src_part(const Tensor& src, const Tensor& index) {
  mx::Shape start(src.dim(), 0);
  return mx::slice(src.value(), start, index.shape());
}

std::vector<mx::array> scatter_coordinates(const Tensor& index, int64_t d, int64_t size) {
  std::vector<mx::array> coords;
  for (int64_t a = 0; a < index.dim(); ++a) {
    mx::Shape sh(index.dim(), 1);
    sh[a] = static_cast<int32_t>(index.sizes()[a]);
    coords.push_back(
        a == d ? wrapped(index, size)
               : mx::broadcast_to(mx::reshape(mx::arange(0, index.shape()[a], mx::int64), sh),
                                  index.shape()));
  }
  return coords;
}

Tensor gather_in_range(const Tensor& self, int64_t dim, const Tensor& index) {
  if (self.dim() == 0) {
    return reshape(gather_in_range(reshape(self, {1}), 0, reshape(index, {-1})), index.sizes());
  }
  const int64_t d = wrap_dim(dim, self.dim());
  const int64_t size = self.sizes()[d];
  mx::array out = index.numel() == 0
                      ? mx::zeros(index.shape(), to_mlx(self.dtype()))
                      : mx::take_along_axis(mx::slice(self.value(), mx::Shape(self.dim(), 0),
                                                      region_stop(self, index, d)),
                                            wrapped(index, size), static_cast<int>(d));
  Tensor result = make_result(out, self.dtype(), {&self, &index});
  if (!needs_grad({&self})) return result;
  auto node = make_node("GatherBackward0", {&self},
                        [d, index, sizes = self.sizes()](FnNode&, TensorList& gs) {
                          return TensorList{scatter_add_into_zeros(sizes, d, index, gs[0])};
                        });
  return with_history(result, node);
}

Tensor scatter_add_in_range(const Tensor& self, int64_t dim, const Tensor& index,
                            const Tensor& src) {
  if (self.dim() == 0) {
    return reshape(
        scatter_add_in_range(reshape(self, {1}), 0, reshape(index, {-1}), reshape(src, {-1})), {});
  }
  const int64_t d = wrap_dim(dim, self.dim());
  const int64_t size = self.sizes()[d];
  mx::array out = index.numel() == 0
                      ? self.value()
                      : scatter_values(self.value(), index, d, cast(src, self.dtype()), true, size);
  Tensor result = make_result(out, self.dtype(), {&self, &src});
  if (!needs_grad({&self, &src})) return result;
  auto node =
      make_node("ScatterAddBackward0", {&self, &src}, [d, index](FnNode& n, TensorList& gs) {
        TensorList r(2);
        if (n.needs_input_grad(0)) r[0] = gs[0];
        if (n.needs_input_grad(1)) r[1] = gather_in_range(gs[0], d, index);
        return r;
      });
  return with_history(result, node);
}

Tensor scatter_add_into_zeros(const IntArray& sizes, int64_t dim, const Tensor& index,
                              const Tensor& src) {
  Tensor z = make_result(mx::zeros(to_shape(sizes), to_mlx(src.dtype())), src.dtype(), {&src});
  return scatter_add_in_range(z, dim, index, src);
}

Tensor gather(const Tensor& self, int64_t dim, const Tensor& index) {
  const int64_t d = wrap_dim(dim, self.dim());
  check_index_dtype(index, "gather");
  if (index.numel() == 0) {
    Tensor empty =
        make_result(mx::zeros(index.shape(), to_mlx(self.dtype())), self.dtype(), {&self});
    if (!needs_grad({&self})) return empty;
    auto node = make_node("GatherBackward0", {&self},
                          [d, index, sizes = self.sizes()](FnNode&, TensorList& gs) {
                            return TensorList{scatter_add_into_zeros(sizes, d, index, gs[0])};
                          });
    return with_history(empty, node);
  }
  check_gather_shapes(self, index, d, "gather");
  const int64_t size = self.dim() ? self.sizes()[d] : 1;
  check_bounds(index, size, "gather", d);
  if (self.dim() == 0) {
    Tensor r = make_result(mx::reshape(self.value(), index.shape()), self.dtype(), {&self});
    if (!needs_grad({&self})) return r;
    auto node = make_node("GatherBackward0", {&self}, [](FnNode&, TensorList& gs) {
      return TensorList{reshape(sum(gs[0]), {})};
    });
    return with_history(r, node);
  }
  return gather_in_range(self, d, index);  // validated above
}

Tensor scatter(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src) {
  if (self.dim() == 0) {
    Tensor s1 = src.impl()->wrapped_number ? src : reshape(src, {-1});
    return reshape(scatter(reshape(self, {1}), 0, reshape(index, {-1}), s1), {});
  }
  const int64_t d = wrap_dim(dim, self.dim());
  check_index_dtype(index, "scatter");
  check_gather_shapes(self, index, d, "scatter");
  const int64_t size = self.dim() ? self.sizes()[d] : 1;
  check_bounds(index, size, "scatter", d);
  const bool value_src = src.impl()->wrapped_number;
  MLXC_CHECK(value_src || src.dim() == index.dim() || index.numel() == 0, Runtime,
             "Index tensor must have the same number of dimensions as src tensor");
  mx::array upd = value_src ? mx::broadcast_to(cast(src, self.dtype()), index.shape())
                            : mx::astype(src_part(src, index), to_mlx(self.dtype()));
  mx::array out =
      index.numel() == 0 ? self.value() : scatter_values(self.value(), index, d, upd, false, size);
  Tensor result = make_result(out, self.dtype(), {&self, &src});
  if (!needs_grad({&self, &src})) return result;
  const bool tensor_src = !src.impl()->wrapped_number;
  auto node = make_node(tensor_src ? "ScatterBackward0" : "ScatterBackward1", {&self, &src},
                        [d, index, ss = src.sizes(), tensor_src](FnNode& n, TensorList& gs) {
                          const Tensor& g = gs[0];
                          TensorList r(2);
                          if (n.needs_input_grad(0))
                            r[0] = scatter(g, d, index, wrapped_scalar(0.0));
                          if (tensor_src && n.needs_input_grad(1)) {
                            r[1] = pad_to(gather_in_range(g, d, index), ss);
                          }
                          return r;
                        });
  return with_history(result, node);
}

Tensor scatter_add(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src) {
  if (self.dim() == 0) {
    // A 0-d tensor scatters like a 1-element vector.
    return reshape(scatter_add(reshape(self, {1}), 0, reshape(index, {-1}), reshape(src, {-1})),
                   {});
  }
  const int64_t d = wrap_dim(dim, self.dim());
  check_index_dtype(index, "scatter_add");
  check_gather_shapes(self, index, d, "scatter_add");
  const int64_t size = self.dim() ? self.sizes()[d] : 1;
  check_bounds(index, size, "scatter_add", d);
  mx::array upd = mx::astype(src_part(src, index), to_mlx(self.dtype()));
  mx::array out =
      index.numel() == 0 ? self.value() : scatter_values(self.value(), index, d, upd, true, size);
  Tensor result = make_result(out, self.dtype(), {&self, &src});
  if (!needs_grad({&self, &src})) return result;
  auto node = make_node("ScatterAddBackward0", {&self, &src},
                        [d, index, ss = src.sizes()](FnNode& n, TensorList& gs) {
                          const Tensor& g = gs[0];
                          TensorList r(2);
                          if (n.needs_input_grad(0)) r[0] = g;
                          if (n.needs_input_grad(1))
                            r[1] = pad_to(gather_in_range(g, d, index), ss);
                          return r;
                        });
  return with_history(result, node);
}

Tensor scatter_reduce_legacy(const Tensor& self, int64_t dim, const Tensor& index,
                             const Tensor& src, const std::string& reduce) {
  MLXC_CHECK(reduce == "add" || reduce == "multiply", Runtime,
             "reduce argument must be either add or multiply.");
  if (self.dim() == 0) {
    Tensor s1 = src.dim() ? reshape(src, {-1}) : src;
    return reshape(scatter_reduce_legacy(reshape(self, {1}), 0, reshape(index, {-1}), s1, reduce),
                   {});
  }
  if (reduce == "add") {
    Tensor s = src.impl()->wrapped_number || src.dim() == 0
                   ? make_result(mx::broadcast_to(cast(src, self.dtype()), index.shape()),
                                 self.dtype(), {&src})
                   : src;
    return scatter_add(self, dim, index, s);
  }
  const int64_t d = wrap_dim(dim, self.dim());
  const int64_t size = self.sizes()[d];
  check_bounds(index, size, "scatter", d);
  mx::array upd = src.impl()->wrapped_number || src.dim() == 0
                      ? mx::broadcast_to(cast(src, self.dtype()), index.shape())
                      : mx::astype(src_part(src, index), to_mlx(self.dtype()));
  // Full coordinates of every index element, then a product scatter.
  std::vector<mx::array> coords = scatter_coordinates(index, d, size);
  std::vector<int> axes;
  for (int64_t a = 0; a < index.dim(); ++a) axes.push_back(static_cast<int>(a));
  mx::Shape ushape = index.shape();
  for (int64_t a = 0; a < index.dim(); ++a) ushape.push_back(1);
  mx::array out = index.numel() == 0 ? self.value() : scatter_nonempty(self.value(), upd, [&] {
    return mx::scatter_prod(self.value(), coords, mx::reshape(upd, ushape), axes);
  });
  return make_result(out, self.dtype(), {&self, &src});
}

Tensor index_select(const Tensor& self, int64_t dim, const Tensor& index) {
  MLXC_CHECK(index.dim() <= 1, Index, "index_select(): Index is supposed to be a vector");
  MLXC_CHECK(is_integral(index.dtype(), false), Runtime,
             "index_select(): Expected dtype int32/int64 for index");
  const int64_t d = wrap_dim(dim, self.dim());
  const int64_t size = self.dim() ? self.sizes()[d] : 1;
  check_bounds(index, size, "index_select", d);
  Tensor flat_index = reshape(index, {-1});
  mx::array v = self.dim() == 0
                    ? mx::reshape(self.value(), {1})
                    : mx::take(self.value(), wrapped(flat_index, size), static_cast<int>(d));
  if (self.dim() == 0) v = mx::reshape(mx::take(v, wrapped(flat_index, 1), 0), {});
  Tensor result = make_result(v, self.dtype(), {&self});
  if (!needs_grad({&self})) return result;
  auto node = make_node("IndexSelectBackward0", {&self},
                        [d, flat_index, sizes = self.sizes()](FnNode&, TensorList& gs) {
                          Tensor z =
                              Tensor::from_array(mx::zeros(to_shape(sizes), to_mlx(gs[0].dtype())));
                          return TensorList{index_add(z, d, flat_index, gs[0], Tensor())};
                        });
  return with_history(result, node);
}

Tensor index_add(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& source,
                 const Tensor& alpha) {
  const int64_t d = wrap_dim(dim, self.dim());
  MLXC_CHECK(index.dim() <= 1, Index, "index_add_(): Index is supposed to be a vector");
  const int64_t size = self.dim() ? self.sizes()[d] : 1;
  check_bounds(index, size, "index_add", d);
  Tensor src = alpha.defined() ? mul(source, alpha) : source;
  mx::array x = self.dim() ? self.value() : mx::reshape(self.value(), {1});
  mx::array s = source.dim() ? cast(src, self.dtype()) : mx::reshape(cast(src, self.dtype()), {1});
  mx::array idx = wrapped(reshape(index, {-1}), size);
  // MLX scatter: updates are [len(index), slice...] with the scattered axis of size 1.
  mx::array upd = mx::expand_dims(mx::moveaxis(s, static_cast<int>(d), 0), static_cast<int>(d) + 1);
  mx::array out =
      scatter_nonempty(x, upd, [&] { return mx::scatter_add(x, idx, upd, static_cast<int>(d)); });
  if (self.dim() == 0) out = mx::reshape(out, {});
  Tensor result = make_result(out, self.dtype(), {&self, &source});
  if (!needs_grad({&self, &source})) return result;
  Tensor flat_index = reshape(index, {-1});
  auto node = make_node("IndexAddBackward0", {&self, &source},
                        [d, flat_index, alpha, ss = source.sizes()](FnNode& n, TensorList& gs) {
                          TensorList r(2);
                          if (n.needs_input_grad(0)) r[0] = gs[0];
                          if (n.needs_input_grad(1)) {
                            Tensor g = index_select(gs[0], d, flat_index);
                            if (alpha.defined()) g = mul(g, alpha);
                            r[1] = reshape(g, ss);
                          }
                          return r;
                        });
  return with_history(result, node);
}

Tensor index_copy(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& source) {
  const int64_t d = wrap_dim(dim, self.dim());
  const int64_t size = self.dim() ? self.sizes()[d] : 1;
  check_bounds(index, size, "index_copy", d);
  mx::array x = self.dim() ? self.value() : mx::reshape(self.value(), {1});
  mx::array s =
      source.dim() ? cast(source, self.dtype()) : mx::reshape(cast(source, self.dtype()), {1});
  mx::array idx = wrapped(reshape(index, {-1}), size);
  mx::array upd = mx::expand_dims(mx::moveaxis(s, static_cast<int>(d), 0), static_cast<int>(d) + 1);
  mx::array out =
      scatter_nonempty(x, upd, [&] { return mx::scatter(x, idx, upd, static_cast<int>(d)); });
  if (self.dim() == 0) out = mx::reshape(out, {});
  Tensor result = make_result(out, self.dtype(), {&self, &source});
  if (!needs_grad({&self, &source})) return result;
  Tensor flat_index = reshape(index, {-1});
  auto node = make_node("IndexCopyBackward0", {&self, &source},
                        [d, flat_index, ss = source.sizes()](FnNode& n, TensorList& gs) {
                          TensorList r(2);
                          if (n.needs_input_grad(0))
                            r[0] = index_fill(gs[0], d, flat_index, wrapped_scalar(0.0));
                          if (n.needs_input_grad(1))
                            r[1] = reshape(index_select(gs[0], d, flat_index), ss);
                          return r;
                        });
  return with_history(result, node);
}

Tensor index_fill(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& value) {
  MLXC_CHECK(value.dim() == 0, Runtime,
             "index_fill_ only supports a 0-dimensional value tensor, but got tensor with ",
             value.dim(), " dimension(s).");
  const int64_t d = wrap_dim(dim, self.dim());
  const int64_t size = self.dim() ? self.sizes()[d] : 1;
  check_bounds(index, size, "index_fill", d);
  mx::array x = self.dim() ? self.value() : mx::reshape(self.value(), {1});
  mx::array idx = wrapped(reshape(index, {-1}), size);
  mx::Shape ushape = x.shape();
  ushape[d] = 1;
  ushape.insert(ushape.begin(), static_cast<int32_t>(idx.size()));
  mx::array upd = mx::broadcast_to(cast(value, self.dtype()), ushape);
  mx::array out =
      idx.size()
          ? scatter_nonempty(x, upd, [&] { return mx::scatter(x, idx, upd, static_cast<int>(d)); })
          : x;
  if (self.dim() == 0) out = mx::reshape(out, {});
  Tensor result = make_result(out, self.dtype(), {&self, &value});
  if (!needs_grad({&self, &value})) return result;
  Tensor flat_index = reshape(index, {-1});
  auto node =
      make_node("IndexFillBackward0", {&self, &value}, [d, flat_index](FnNode& n, TensorList& gs) {
        TensorList r(2);
        if (n.needs_input_grad(0)) r[0] = index_fill(gs[0], d, flat_index, wrapped_scalar(0.0));
        // Each filled position counts once, even when the index repeats.
        if (n.needs_input_grad(1))
          r[1] = sum(sub(gs[0], index_fill(gs[0], d, flat_index, wrapped_scalar(0.0))));
        return r;
      });
  return with_history(result, node);
}

Tensor masked_fill(const Tensor& self, const Tensor& mask, const Tensor& value) {
  MLXC_CHECK(mask.dtype() == ScalarType::Bool, Runtime,
             "masked_fill_ only supports boolean masks, but got mask with dtype ",
             scalar_type_name(mask.dtype()));
  MLXC_CHECK(value.dim() == 0, Runtime,
             "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with ",
             value.dim(), " dimension(s).");
  IntArray shape = broadcast_sizes(self.sizes(), mask.sizes());
  mx::array out = mx::where(mask.value(), cast(value, self.dtype()), self.value());
  out = mx::broadcast_to(out, to_shape(shape));
  Tensor result = make_result(out, self.dtype(), {&self, &mask, &value});
  if (!needs_grad({&self, &value})) return result;
  auto node =
      make_node(value.impl()->wrapped_number ? "MaskedFillBackward0" : "MaskedFillBackward1",
                {&self, &mask, &value}, [mask, ss = self.sizes()](FnNode& n, TensorList& gs) {
                  const Tensor& g = gs[0];
                  TensorList r(3);
                  Tensor zero = zeros_like(g);
                  if (n.needs_input_grad(0)) r[0] = sum_to(where(mask, zero, g), ss);
                  if (n.needs_input_grad(2)) r[2] = sum(where(mask, g, zero));
                  return r;
                });
  return with_history(result, node);
}

Tensor masked_scatter(const Tensor& self, const Tensor& mask, const Tensor& source) {
  MLXC_CHECK(mask.dtype() == ScalarType::Bool, Runtime,
             "masked_scatter_ only supports boolean masks, but got mask with dtype ",
             scalar_type_name(mask.dtype()));
  IntArray shape = broadcast_sizes(self.sizes(), mask.sizes());
  mx::array m = mx::broadcast_to(mask.value(), to_shape(shape));
  mx::array x = mx::broadcast_to(self.value(), to_shape(shape));
  // Check there are enough source elements (host read, as torch does).
  mx::array count = mx::sum(mx::astype(m, mx::int64));
  eval_arrays({count});
  MLXC_CHECK(count.item<int64_t>() <= source.numel(), Runtime,
             "masked_scatter: expected source to have at least ", count.item<int64_t>(),
             " elements");
  mx::array src = mx::reshape(cast(source, self.dtype()), {-1});
  mx::array out = count.item<int64_t>() == 0 ? x : mx::masked_scatter(x, m, src);
  Tensor result = make_result(out, self.dtype(), {&self, &mask, &source});
  if (!needs_grad({&self, &source})) return result;
  auto node =
      make_node("MaskedScatterBackward0", {&self, &mask, &source},
                [mask, ss = self.sizes(), srcs = source.sizes()](FnNode& n, TensorList& gs) {
                  const Tensor& g = gs[0];
                  TensorList r(3);
                  if (n.needs_input_grad(0)) r[0] = sum_to(where(mask, zeros_like(g), g), ss);
                  if (n.needs_input_grad(2)) {
                    Tensor sel = masked_select(g, mask);
                    int64_t total = 1;
                    for (auto v : srcs) total *= v;
                    Tensor padded = pad_to(sel, {total});
                    r[2] = reshape(padded, srcs);
                  }
                  return r;
                });
  return with_history(result, node);
}

Tensor masked_select(const Tensor& self, const Tensor& mask) {
  MLXC_CHECK(mask.dtype() == ScalarType::Bool, Runtime,
             "masked_select: expected BoolTensor for mask");
  const IntArray shape = broadcast_sizes(self.sizes(), mask.sizes());
  Tensor result = [&] {
    AutoGradMode no_grad(false);
    const IntArray s = shape.empty() ? IntArray{1} : shape;  // the result is always 1-D
    Tensor x = expand(reshape(self, self.dim() ? self.sizes() : IntArray{1}), s);
    Tensor m = expand(reshape(mask, mask.dim() ? mask.sizes() : IntArray{1}), s);
    Tensor r = reshape(index(x, OptTensorList{m}), {-1});
    return make_result(r.value(), r.dtype(), {});
  }();
  if (!needs_grad({&self})) return result;
  // torch's masked_select_backward: g scattered into zeros of the broadcast
  // shape at the mask's positions, summed back to self's shape.
  auto node = make_node(
      "MaskedSelectBackward0", {&self}, [shape, ss = self.sizes()](FnNode& n, TensorList& gs) {
        const Tensor& g = gs[0];
        Tensor z = make_result(mx::zeros(to_shape(shape), to_mlx(g.dtype())), g.dtype(), {});
        return TensorList{sum_to(masked_scatter(z, n.saved(0), g), ss)};
      });
  node->save(mask);
  return with_history(result, node);
}

Tensor take(const Tensor& self, const Tensor& index) {
  MLXC_CHECK(is_integral(index.dtype(), false), Runtime,
             "take(): Expected a long tensor for index, but got ", scalar_type_name(index.dtype()));
  const int64_t n = self.numel();
  if (index.numel() > 0) {
    MLXC_CHECK(n > 0, Index, "take(): tried to take from an empty tensor");
  }
  check_bounds(index, n, "take", 0);
  Tensor flat = reshape(self, {-1});
  mx::array idx = wrapped(index, n);
  mx::array out =
      index.numel() == 0
          ? mx::zeros(index.shape(), to_mlx(self.dtype()))
          : mx::reshape(mx::take(flat.value(), mx::reshape(idx, {-1}), 0), index.shape());
  Tensor result = make_result(out, self.dtype(), {&self});
  if (!needs_grad({&self})) return result;
  auto node = make_node(
      "TakeBackward0", {&self}, [index, sizes = self.sizes(), n](FnNode&, TensorList& gs) {
        // zeros of self's shape with g added at the flat indices
        const Tensor& g = gs[0];
        Tensor flat_g = reshape(g, {-1}), flat_i = reshape(index, {-1});
        return TensorList{reshape(scatter_add_into_zeros({n}, 0, flat_i, flat_g), sizes)};
      });
  return with_history(result, node);
}

Tensor put(const Tensor& self, const Tensor& index, const Tensor& source, bool accumulate) {
  MLXC_CHECK(index.dtype() == ScalarType::Int64, Runtime,
             "put_(): Expected a long tensor for index, but got ", scalar_type_name(index.dtype()));
  MLXC_CHECK(self.dtype() == source.dtype(), Runtime,
             "put_(): self and source expected to have the same dtype, but got self.dtype = ",
             scalar_type_name(self.dtype()),
             " and source.dtype = ", scalar_type_name(source.dtype()));
  MLXC_CHECK(index.numel() == source.numel(), Runtime,
             "put_(): Expected source and index to have the same number of elements, but got "
             "source.numel() = ",
             source.numel(), ", index.numel() = ", index.numel());
  const int64_t n = self.numel();
  MLXC_CHECK(index.numel() == 0 || n > 0, Index,
             "put_(): Tried to put elements into an empty tensor");
  check_bounds(index, n, "put_", 0);
  mx::array flat = mx::reshape(self.value(), {-1});
  mx::array idx = mx::reshape(wrapped(index, n), {-1});
  mx::array upd = mx::reshape(source.value(), {-1, 1});
  mx::array out = scatter_nonempty(flat, upd, [&] {
    return accumulate ? mx::scatter_add(flat, idx, upd, 0) : mx::scatter(flat, idx, upd, 0);
  });
  Tensor result = make_result(mx::reshape(out, self.shape()), self.dtype(), {&self, &source});
  if (!needs_grad({&self, &source})) return result;
  auto node = make_node(
      "PutBackward0", {&self, &source},
      [index, accumulate, ss = source.sizes()](FnNode& n, TensorList& gs) {
        const Tensor& g = gs[0];
        TensorList r(2);
        if (n.needs_input_grad(0)) {
          r[0] = accumulate
                     ? g
                     : put(g, index, zeros(ss, TensorOptions{g.dtype(), Device{}, false}), false);
        }
        if (n.needs_input_grad(1)) r[1] = reshape(take(g, index), ss);
        return r;
      });
  return with_history(result, node);
}

Tensor take_along_dim(const Tensor& self, const Tensor& indices, std::optional<int64_t> dim) {
  if (!dim) return take(self, reshape(indices, {-1}));
  const int64_t d = wrap_dim(*dim, self.dim());
  // Broadcast all dims but d, then gather.
  IntArray s_sizes = self.sizes(), i_sizes = indices.sizes();
  MLXC_CHECK(self.dim() == indices.dim(), Runtime,
             "torch.take_along_dim(): input and indices should have the same number of dimensions, "
             "but got ",
             self.dim(), " dimensions for input, and ", indices.dim(), " dimensions for indices");
  IntArray bs = s_sizes, bi = i_sizes;
  bs[d] = 1;
  bi[d] = 1;
  IntArray b = broadcast_sizes(bs, bi);
  IntArray s_target = b, i_target = b;
  s_target[d] = s_sizes[d];
  i_target[d] = i_sizes[d];
  return gather(expand(self, s_target), d, contiguous(expand(indices, i_target)));
}

}  // namespace mlxc
