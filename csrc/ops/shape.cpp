#include "ops/shape.h"

#include <algorithm>
#include <numeric>

#include "ops/pointwise.h"
#include "ops/reduce.h"

namespace mlxc {

namespace {

// torch's stride computation for viewing (oldshape, oldstride) as newshape.
std::optional<IntArray> compute_stride(const IntArray& oldshape, const IntArray& oldstride,
                                       const IntArray& newshape) {
  if (oldshape.empty()) return IntArray(newshape.size(), 1);
  int64_t numel = 1;
  for (auto s : oldshape) numel *= s;
  if (numel == 0 && oldshape == newshape) return oldstride;
  IntArray newstride(newshape.size(), 0);
  if (numel == 0) {
    for (int64_t d = static_cast<int64_t>(newshape.size()) - 1; d >= 0; --d) {
      newstride[d] = d == static_cast<int64_t>(newshape.size()) - 1
                         ? 1
                         : std::max<int64_t>(newshape[d + 1], 1) * newstride[d + 1];
    }
    return newstride;
  }
  int64_t view_d = static_cast<int64_t>(newshape.size()) - 1;
  int64_t chunk_base_stride = oldstride.back();
  int64_t tensor_numel = 1, view_numel = 1;
  for (int64_t tensor_d = static_cast<int64_t>(oldshape.size()) - 1; tensor_d >= 0; --tensor_d) {
    tensor_numel *= oldshape[tensor_d];
    if (tensor_d == 0 || (oldshape[tensor_d - 1] != 1 &&
                          oldstride[tensor_d - 1] != tensor_numel * chunk_base_stride)) {
      while (view_d >= 0 && (view_numel < tensor_numel || newshape[view_d] == 1)) {
        newstride[view_d] = view_numel * chunk_base_stride;
        view_numel *= newshape[view_d];
        view_d--;
      }
      if (view_numel != tensor_numel) return std::nullopt;
      if (tensor_d > 0) {
        chunk_base_stride = oldstride[tensor_d - 1];
        tensor_numel = 1;
        view_numel = 1;
      }
    }
  }
  if (view_d != -1) return std::nullopt;
  return newstride;
}

// A view node whose backward maps the gradient with `fn`.
template <typename F>
Tensor record_view(Tensor out, const Tensor& self, const char* name, F fn) {
  if (!needs_grad({&self})) return out;
  auto node =
      make_node(name, {&self}, [fn](FnNode&, TensorList& gs) { return TensorList{fn(gs[0])}; });
  return with_history(out, node);
}

std::vector<int> to_int_axes(const std::vector<int64_t>& v) {
  return std::vector<int>(v.begin(), v.end());
}

}  // namespace

IntArray infer_size(const IntArray& shape, int64_t numel) {
  IntArray res = shape;
  int64_t known = 1;
  std::optional<size_t> infer;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      MLXC_CHECK(!infer, Runtime, "only one dimension can be inferred");
      infer = i;
    } else {
      MLXC_CHECK(shape[i] >= 0, Runtime, "invalid shape dimension ", shape[i]);
      known *= shape[i];
    }
  }
  const bool ok = infer ? (known > 0 && numel % known == 0) || (known == 0 && numel == 0 && false)
                        : known == numel;
  MLXC_CHECK(ok, Runtime, "shape '", sizes_str(shape), "' is invalid for input of size ", numel);
  if (infer) res[*infer] = numel / known;
  return res;
}

Tensor view(const Tensor& self, const IntArray& shape) {
  IntArray sizes = infer_size(shape, self.numel());
  auto strides = compute_stride(self.sizes(), self.strides(), sizes);
  MLXC_CHECK(strides.has_value(), Runtime,
             "view size is not compatible with input tensor's size and stride (at least one "
             "dimension spans across two contiguous subspaces). Use .reshape(...) instead.");
  mx::array natural = mx::reshape(self.value(), to_shape(sizes));
  Tensor out = make_view(self, sizes, *strides, self.offset(), natural);
  return record_view(out, self, "ViewBackward0",
                     [in = self.sizes()](const Tensor& g) { return reshape(g, in); });
}

Tensor reshape(const Tensor& self, const IntArray& shape) {
  IntArray sizes = infer_size(shape, self.numel());
  if (compute_stride(self.sizes(), self.strides(), sizes)) return view(self, sizes);
  return unsafe_view(self, sizes);
}

Tensor unsafe_view(const Tensor& self, const IntArray& shape) {
  IntArray sizes = infer_size(shape, self.numel());
  Tensor out = make_result(mx::reshape(self.value(), to_shape(sizes)), self.dtype(), {&self});
  return record_view(out, self, "UnsafeViewBackward0",
                     [in = self.sizes()](const Tensor& g) { return reshape(g, in); });
}

Tensor flatten(const Tensor& self, int64_t start_dim, int64_t end_dim) {
  const int64_t s = wrap_dim(start_dim, self.dim());
  const int64_t e = wrap_dim(end_dim, self.dim());
  MLXC_CHECK(s <= e, Runtime, "flatten() has invalid args: start_dim cannot come after end_dim");
  if (self.dim() == 0) return reshape(self, {1});
  if (s == e) return self;
  IntArray shape;
  for (int64_t i = 0; i < s; ++i) shape.push_back(self.sizes()[i]);
  int64_t prod = 1;
  for (int64_t i = s; i <= e; ++i) prod *= self.sizes()[i];
  shape.push_back(prod);
  for (int64_t i = e + 1; i < self.dim(); ++i) shape.push_back(self.sizes()[i]);
  return reshape(self, shape);
}

namespace {

Tensor transpose_as(const Tensor& self, int64_t a, int64_t b, const char* name) {
  IntArray sizes = self.sizes(), strides = self.strides();
  if (self.dim() > 0) {
    std::swap(sizes[a], sizes[b]);
    std::swap(strides[a], strides[b]);
  }
  mx::array natural = self.dim() > 0
                          ? mx::swapaxes(self.value(), static_cast<int>(a), static_cast<int>(b))
                          : self.value();
  Tensor out = make_view(self, sizes, strides, self.offset(), natural);
  return record_view(out, self, name, [a, b](const Tensor& g) { return transpose(g, a, b); });
}

}  // namespace

Tensor transpose(const Tensor& self, int64_t dim0, int64_t dim1) {
  return transpose_as(self, wrap_dim(dim0, self.dim()), wrap_dim(dim1, self.dim()),
                      "TransposeBackward0");
}

Tensor t(const Tensor& self) {
  MLXC_CHECK(self.dim() <= 2, Runtime, "t() expects a tensor with <= 2 dimensions, but self is ",
             self.dim(), "D");
  return transpose_as(self, 0, self.dim() == 2 ? 1 : 0, "TBackward0");
}

Tensor permute(const Tensor& self, const std::vector<int64_t>& dims) {
  MLXC_CHECK(static_cast<int64_t>(dims.size()) == self.dim(), Runtime,
             "permute(sparse_coo): number of dimensions in the tensor input does not match the "
             "length of the desired ordering of dimensions i.e. input.dim() = ",
             self.dim(), " is not equal to len(dims) = ", dims.size());
  auto axes = wrap_dims(dims, self.dim());
  IntArray sizes(axes.size(), 0), strides(axes.size(), 0);
  std::vector<int64_t> inverse(axes.size());
  for (size_t i = 0; i < axes.size(); ++i) {
    sizes[i] = self.sizes()[axes[i]];
    strides[i] = self.strides()[axes[i]];
    inverse[axes[i]] = static_cast<int64_t>(i);
  }
  mx::array natural = self.dim() ? mx::transpose(self.value(), axes) : self.value();
  Tensor out = make_view(self, sizes, strides, self.offset(), natural);
  return record_view(out, self, "PermuteBackward0",
                     [inverse](const Tensor& g) { return permute(g, inverse); });
}

Tensor unsqueeze(const Tensor& self, int64_t dim) {
  const int64_t d = wrap_dim(dim, self.dim() + 1);
  IntArray sizes = self.sizes(), strides = self.strides();
  const int64_t st = d >= self.dim() ? 1 : sizes[d] * strides[d];
  sizes.insert(sizes.begin() + d, 1);
  strides.insert(strides.begin() + d, st);
  mx::array natural = mx::expand_dims(self.value(), static_cast<int>(d));
  Tensor out = make_view(self, sizes, strides, self.offset(), natural);
  return record_view(out, self, "UnsqueezeBackward0",
                     [d](const Tensor& g) { return squeeze(g, std::vector<int64_t>{d}); });
}

Tensor squeeze(const Tensor& self, const std::optional<std::vector<int64_t>>& dims,
               const char* node_name) {
  std::vector<bool> drop(self.dim(), false);
  if (dims) {
    for (int d : wrap_dims(*dims, self.dim())) {
      if (self.dim() > 0 && self.sizes()[d] == 1) drop[d] = true;
    }
  } else {
    for (int64_t i = 0; i < self.dim(); ++i) drop[i] = self.sizes()[i] == 1;
  }
  IntArray sizes, strides;
  for (int64_t i = 0; i < self.dim(); ++i) {
    if (drop[i]) continue;
    sizes.push_back(self.sizes()[i]);
    strides.push_back(self.strides()[i]);
  }
  mx::array natural = mx::reshape(self.value(), to_shape(sizes));
  Tensor out = make_view(self, sizes, strides, self.offset(), natural);
  const char* name =
      !dims ? "SqueezeBackward0" : (dims->size() == 1 ? "SqueezeBackward1" : "SqueezeBackward2");
  return record_view(out, self, node_name ? node_name : name,
                     [in = self.sizes()](const Tensor& g) { return reshape(g, in); });
}

Tensor expand(const Tensor& self, const IntArray& sizes) {
  MLXC_CHECK(static_cast<int64_t>(sizes.size()) >= self.dim(), Runtime, "expand(torch.FloatTensor{",
             sizes_str(self.sizes()), "}, size=", sizes_str(sizes),
             "): the number of sizes provided (", sizes.size(),
             ") must be greater or equal to the number of dimensions in the tensor (", self.dim(),
             ")");
  const int64_t lead = static_cast<int64_t>(sizes.size()) - self.dim();
  IntArray out_sizes(sizes.size(), 0), out_strides(sizes.size(), 0);
  for (int64_t i = static_cast<int64_t>(sizes.size()) - 1; i >= 0; --i) {
    const int64_t j = i - lead;
    int64_t target = sizes[i];
    if (j < 0) {
      MLXC_CHECK(target >= 0, Runtime, "The expanded size of the tensor (", target,
                 ") isn't allowed in a leading, non-existing dimension ", i);
      out_sizes[i] = target;
      out_strides[i] = 0;
      continue;
    }
    const int64_t cur = self.sizes()[j];
    if (target == -1) target = cur;
    MLXC_CHECK(cur == target || cur == 1, Runtime, "The expanded size of the tensor (", target,
               ") must match the existing size (", cur, ") at non-singleton dimension ", i,
               ".  Target sizes: ", sizes_str(sizes), ".  Tensor sizes: ", sizes_str(self.sizes()));
    out_sizes[i] = target;
    out_strides[i] = cur == target ? self.strides()[j] : 0;
  }
  if (out_sizes == self.sizes()) {
    Tensor out = make_view(self, out_sizes, self.strides(), self.offset(), self.value());
    return record_view(out, self, "ExpandBackward0",
                       [in = self.sizes()](const Tensor& g) { return sum_to(g, in); });
  }
  mx::array natural = mx::broadcast_to(self.value(), to_shape(out_sizes));
  Tensor out = make_view(self, out_sizes, out_strides, self.offset(), natural);
  return record_view(out, self, "ExpandBackward0",
                     [in = self.sizes()](const Tensor& g) { return sum_to(g, in); });
}

namespace {

// Places g into zeros of `sizes` at the strided box [start, stop) step along dim.
Tensor slice_scatter_zeros(const Tensor& g, const IntArray& sizes, int64_t dim, int64_t start,
                           int64_t stop, int64_t step, bool squeezed) {
  mx::array base = mx::zeros(to_shape(sizes), to_mlx(g.dtype()));
  mx::Shape lo(sizes.size(), 0), hi = to_shape(sizes), st(sizes.size(), 1);
  lo[dim] = static_cast<int32_t>(start);
  hi[dim] = static_cast<int32_t>(stop);
  st[dim] = static_cast<int32_t>(step);
  mx::array upd = squeezed ? mx::expand_dims(g.value(), static_cast<int>(dim)) : g.value();
  Tensor result = make_result(mx::slice_update(base, upd, lo, hi, st), g.dtype(), {&g});
  if (!needs_grad({&g})) return result;
  auto node = make_node(squeezed ? "SelectBackwardBackward0" : "SliceBackwardBackward0", {&g},
                        [dim, start, stop, step, squeezed](FnNode&, TensorList& gs) {
                          return TensorList{squeezed ? select(gs[0], dim, start)
                                                     : slice(gs[0], dim, start, stop, step)};
                        });
  return with_history(result, node);
}

}  // namespace

Tensor select(const Tensor& self, int64_t dim, int64_t index) {
  MLXC_CHECK(self.dim() > 0, Index, "select() cannot be applied to a 0-dim tensor.");
  const int64_t d = wrap_dim(dim, self.dim());
  const int64_t size = self.sizes()[d];
  MLXC_CHECK(index >= -size && index < size, Index, "select(): index ", index,
             " out of range for tensor of size ", sizes_str(self.sizes()), " at dimension ", d);
  const int64_t i = index < 0 ? index + size : index;
  IntArray sizes = self.sizes(), strides = self.strides();
  const int64_t offset = self.offset() + i * strides[d];
  sizes.erase(sizes.begin() + d);
  strides.erase(strides.begin() + d);
  mx::Shape lo(self.dim(), 0), hi = self.shape();
  lo[d] = static_cast<int32_t>(i);
  hi[d] = static_cast<int32_t>(i + 1);
  mx::array natural = mx::squeeze(mx::slice(self.value(), lo, hi), static_cast<int>(d));
  Tensor out = make_view(self, sizes, strides, offset, natural);
  return record_view(out, self, "SelectBackward0", [in = self.sizes(), d, i](const Tensor& g) {
    return slice_scatter_zeros(g, in, d, i, i + 1, 1, true);
  });
}

Tensor slice(const Tensor& self, int64_t dim, std::optional<int64_t> start,
             std::optional<int64_t> end, int64_t step) {
  MLXC_CHECK(self.dim() > 0, Index, "slice() cannot be applied to a 0-dim tensor.");
  MLXC_CHECK(step > 0, Value, "step must be greater than zero");
  const int64_t d = wrap_dim(dim, self.dim());
  const int64_t size = self.sizes()[d];
  auto clampi = [size](int64_t v) {
    if (v < 0) v += size;
    return std::clamp<int64_t>(v, 0, size);
  };
  const int64_t s = start ? clampi(*start) : 0;
  const int64_t e = std::max(s, end ? clampi(*end) : size);
  const int64_t len = (e - s + step - 1) / step;
  IntArray sizes = self.sizes(), strides = self.strides();
  sizes[d] = len;
  strides[d] *= step;
  const int64_t offset = self.offset() + s * self.strides()[d];
  mx::Shape lo(self.dim(), 0), hi = self.shape(), st(self.dim(), 1);
  lo[d] = static_cast<int32_t>(s);
  hi[d] = static_cast<int32_t>(e);
  st[d] = static_cast<int32_t>(step);
  mx::array natural = mx::slice(self.value(), lo, hi, st);
  Tensor out = make_view(self, sizes, strides, offset, natural);
  return record_view(out, self, "SliceBackward0",
                     [in = self.sizes(), d, s, e, step](const Tensor& g) {
                       return slice_scatter_zeros(g, in, d, s, e, step, false);
                     });
}

Tensor contiguous(const Tensor& self) {
  if (self.is_contiguous()) return self;
  // A row-major copy (clone() would keep a dense input's strides).
  Tensor result = make_result(self.value(), self.dtype(), {&self});
  if (!needs_grad({&self})) return result;
  auto node = make_node("CloneBackward0", {&self},
                        [](FnNode&, TensorList& gs) { return TensorList{gs[0]}; });
  return with_history(result, node);
}

Tensor cat(const TensorList& tensors, int64_t dim) {
  MLXC_CHECK(!tensors.empty(), Runtime, "torch.cat(): expected a non-empty list of Tensors");
  // Legacy rule: 1-D empty tensors are skipped (they still get an empty gradient).
  auto skipped = [](const Tensor& t) { return t.dim() == 1 && t.numel() == 0; };
  const Tensor* ref = nullptr;
  for (const auto& t : tensors) {
    if (!skipped(t)) {
      ref = &t;
      break;
    }
  }
  const Tensor& first = ref ? *ref : tensors[0];  // all skipped: an empty result
  MLXC_CHECK(first.dim() > 0, Runtime,
             "zero-dimensional tensor (at position 0) cannot be concatenated");
  const int64_t d = wrap_dim(dim, first.dim());
  ScalarType st = first.dtype();
  for (const auto& t : tensors) {
    if (!skipped(t)) st = promote_types(st, t.dtype());
  }
  std::vector<mx::array> values;
  std::vector<int64_t> lengths;  // -1 for skipped inputs
  for (size_t k = 0; k < tensors.size(); ++k) {
    const Tensor& t = tensors[k];
    if (skipped(t)) {
      lengths.push_back(-1);
      continue;
    }
    MLXC_CHECK(t.dim() == first.dim(), Runtime, "Tensors must have same number of dimensions: got ",
               first.dim(), " and ", t.dim());
    for (int64_t i = 0; i < first.dim(); ++i) {
      MLXC_CHECK(i == d || t.sizes()[i] == first.sizes()[i], Runtime,
                 "Sizes of tensors must match except in dimension ", d, ". Expected size ",
                 first.sizes()[i], " but got size ", t.sizes()[i], " for tensor number ", k,
                 " in the list.");
    }
    values.push_back(cast(t, st));
    lengths.push_back(t.sizes()[d]);
  }
  mx::array joined =
      values.empty() ? mx::zeros({0}, to_mlx(st)) : mx::concatenate(values, static_cast<int>(d));
  Tensor result = make_result(joined, st, {&first});
  bool any_grad = false;
  for (const auto& t : tensors) any_grad = any_grad || t.requires_grad();
  if (!(GradMode::is_enabled() && any_grad)) return result;
  auto node = std::make_shared<FnNode>("CatBackward0", [d, lengths](FnNode& n, TensorList& gs) {
    TensorList r(lengths.size());
    int64_t pos = 0;
    for (size_t k = 0; k < lengths.size(); ++k) {
      if (lengths[k] < 0) {
        if (n.needs_input_grad(k)) {
          r[k] = make_result(mx::zeros({0}, to_mlx(gs[0].dtype())), gs[0].dtype(), {});
        }
        continue;
      }
      if (n.needs_input_grad(k)) r[k] = slice(gs[0], d, pos, pos + lengths[k]);
      pos += lengths[k];
    }
    return r;
  });
  for (const auto& t : tensors) {
    node->next_edges.push_back(gradient_edge(t));
    node->input_dtypes.push_back(t.dtype());
  }
  return with_history(result, node);
}

Tensor stack(const TensorList& tensors, int64_t dim) {
  MLXC_CHECK(!tensors.empty(), Runtime, "stack expects a non-empty TensorList");
  const int64_t d = wrap_dim(dim, tensors[0].dim() + 1);
  ScalarType st = tensors[0].dtype();
  for (size_t k = 1; k < tensors.size(); ++k) {
    MLXC_CHECK(tensors[k].sizes() == tensors[0].sizes(), Runtime,
               "stack expects each tensor to be equal size, but got ",
               sizes_str(tensors[0].sizes()), " at entry 0 and ", sizes_str(tensors[k].sizes()),
               " at entry ", k);
    st = promote_types(st, tensors[k].dtype());
  }
  std::vector<mx::array> values;
  values.reserve(tensors.size());
  bool any_grad = false;
  for (const auto& t : tensors) {
    values.push_back(cast(t, st));
    any_grad = any_grad || t.requires_grad();
  }
  Tensor result = make_result(mx::stack(values, static_cast<int>(d)), st, {&tensors[0]});
  if (!(GradMode::is_enabled() && any_grad)) return result;
  const size_t n = tensors.size();
  auto node = std::make_shared<FnNode>("StackBackward0", [d, n](FnNode& nd, TensorList& gs) {
    TensorList r(n);
    for (size_t k = 0; k < n; ++k) {
      if (nd.needs_input_grad(k)) r[k] = select(gs[0], d, static_cast<int64_t>(k));
    }
    return r;
  });
  for (const auto& t : tensors) {
    node->next_edges.push_back(gradient_edge(t));
    node->input_dtypes.push_back(t.dtype());
  }
  return with_history(result, node);
}

TensorList broadcast_tensors(const TensorList& tensors) {
  IntArray shape;
  for (const auto& t : tensors) shape = broadcast_sizes(shape, t.sizes());
  TensorList out;
  out.reserve(tensors.size());
  for (const auto& t : tensors) out.push_back(expand(t, shape));
  return out;
}

}  // namespace mlxc
