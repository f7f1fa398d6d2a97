#include "ops/nn_misc.h"

#include "core/eval.h"
#include "ops/gather.h"
#include "ops/pointwise.h"
#include "ops/shape.h"

namespace mlxc {

namespace {

// Rows of `indices` (flat, wrapped into [0, rows)), as int64.
mx::array wrapped_rows(const Tensor& flat, int64_t rows) {
  mx::array idx = mx::astype(flat.value(), mx::int64);
  return mx::where(mx::less(idx, mx::array(int64_t{0})), mx::add(idx, mx::array(rows)), idx);
}

// The weight gradient of embedding: g's rows added into zeros at their indices
// (the padding row left out, each row divided by its count when scaling by
// frequency). Recorded, its backward is torch's embedding double backward: g
// picked back at the indices, the padding row zeroed (the scaling is not
// applied there, as in torch).
Tensor embedding_dense_backward(const Tensor& g, const Tensor& flat, int64_t rows,
                                int64_t padding_idx, bool scale_grad_by_freq) {
  const int64_t cols = g.dim() ? g.sizes().back() : 1;
  mx::array gv = mx::reshape(g.value(), {-1, static_cast<int32_t>(cols)});
  mx::array idx = wrapped_rows(flat, rows);
  if (padding_idx >= 0) {
    mx::array keep = mx::not_equal(idx, mx::array(padding_idx));
    gv = mx::where(mx::expand_dims(keep, 1), gv, mx::zeros_like(gv));
  }
  if (scale_grad_by_freq && idx.size() != 0) {
    // Each row's gradient is divided by how often its index occurs in the batch.
    mx::array counts =
        mx::scatter_add(mx::zeros({static_cast<int32_t>(rows)}, gv.dtype()), idx,
                        mx::ones({static_cast<int32_t>(idx.size()), 1}, gv.dtype()), 0);
    gv = mx::divide(gv, mx::expand_dims(mx::take(counts, idx, 0), 1));
  }
  mx::array z = mx::zeros({static_cast<int32_t>(rows), static_cast<int32_t>(cols)}, gv.dtype());
  mx::array out =
      scatter_nonempty(z, gv, [&] { return mx::scatter_add(z, idx, mx::expand_dims(gv, 1), 0); });
  Tensor result = make_result(out, g.dtype(), {&g});
  if (!needs_grad({&g})) return result;
  auto node = make_node(
      "EmbeddingDenseBackward0", {&g},
      [flat, rows, padding_idx, cols, gsizes = g.sizes()](FnNode&, TensorList& gs) {
        const int64_t n = flat.numel();
        Tensor at =
            make_result(mx::broadcast_to(mx::expand_dims(wrapped_rows(flat, rows), 1),
                                         {static_cast<int32_t>(n), static_cast<int32_t>(cols)}),
                        ScalarType::Int64, {});
        Tensor picked = gather_in_range(gs[0], 0, at);
        if (padding_idx >= 0) {
          Tensor pad = make_result(
              mx::expand_dims(mx::equal(wrapped_rows(flat, rows), mx::array(padding_idx)), 1),
              ScalarType::Bool, {});
          picked = where(pad, wrapped_scalar(0.0), picked);
        }
        return TensorList{reshape(picked, gsizes)};
      });
  return with_history(result, node);
}

}  // namespace

Tensor embedding(const Tensor& weight, const Tensor& indices, int64_t padding_idx,
                 bool scale_grad_by_freq) {
  MLXC_CHECK(weight.dim() == 2, Runtime, "'weight' must be 2-D");
  MLXC_CHECK(is_integral(indices.dtype(), false), Runtime,
             "Expected tensor for argument #1 'indices' to have one of the following scalar "
             "types: Long, Int; but got ",
             legacy_type_name(indices.dtype()),
             " instead (while "
             "checking arguments for embedding)");
  const int64_t rows = weight.sizes()[0];
  Tensor flat = reshape(indices, {-1});
  Tensor picked;
  {
    AutoGradMode off(false);
    picked = index_select(weight, 0, flat);
  }
  IntArray out_sizes = indices.sizes();
  out_sizes.push_back(weight.sizes()[1]);
  Tensor result = make_result(mx::reshape(picked.value(), to_shape(out_sizes)), weight.dtype(),
                              {&weight, &indices});
  if (!needs_grad({&weight})) return result;
  auto node = make_node("EmbeddingBackward0", {&weight},
                        [flat, rows, padding_idx, scale_grad_by_freq](FnNode&, TensorList& gs) {
                          return TensorList{embedding_dense_backward(gs[0], flat, rows, padding_idx,
                                                                     scale_grad_by_freq)};
                        });
  return with_history(result, node);
}

Tensor one_hot(const Tensor& self, int64_t num_classes) {
  MLXC_CHECK(self.dtype() == ScalarType::Int64, Runtime,
             "one_hot is only applicable to index tensor of type LongTensor.");
  int64_t n = num_classes;
  mx::array v = self.value();
  if (self.numel() > 0) {
    const auto [lo, hi] = host_min_max(v);
    MLXC_CHECK(lo >= 0, Runtime, "Class values must be non-negative.");
    if (n < 0) n = hi + 1;
    MLXC_CHECK(hi < n, Runtime, "Class values must be smaller than num_classes.");
  } else {
    MLXC_CHECK(n >= 0, Runtime, "Can not infer total number of classes from empty tensor.");
  }
  mx::array classes = mx::arange(0, static_cast<int>(n), mx::int64);
  mx::array out = mx::astype(mx::equal(mx::expand_dims(v, -1), classes), mx::int64);
  return make_result(out, ScalarType::Int64, {&self});
}

Tensor constant_pad_nd(const Tensor& self, const std::vector<int64_t>& pad, const Tensor& value) {
  MLXC_CHECK(pad.size() % 2 == 0, Runtime, "Length of pad must be even but instead it equals ",
             pad.size());
  const int64_t pairs = static_cast<int64_t>(pad.size()) / 2;
  MLXC_CHECK(pairs <= self.dim(), Runtime,
             "Length of pad should be no more than twice the number of dimensions of the input. "
             "Pad length is ",
             pad.size(), " while the input has ", self.dim(), " dimensions.");
  // Crop first (negative amounts), then pad with the value.
  Tensor x = self;
  std::vector<std::pair<int, int>> widths(self.dim(), {0, 0});
  IntArray out_sizes = self.sizes();
  for (int64_t i = 0; i < pairs; ++i) {
    const int64_t d = self.dim() - 1 - i;
    const int64_t lo = pad[2 * i], hi = pad[2 * i + 1];
    out_sizes[d] += lo + hi;
    MLXC_CHECK(out_sizes[d] >= 0, Runtime, "The input size ", self.sizes()[d],
               ", plus negative padding ", lo, " and ", hi,
               " resulted in a negative output size, which is invalid. Check "
               "dimension ",
               d, " of your input.");
    const int64_t start = lo < 0 ? -lo : 0, stop = self.sizes()[d] - (hi < 0 ? -hi : 0);
    if (start != 0 || stop != self.sizes()[d]) x = slice(x, d, start, stop);
    widths[d] = {static_cast<int>(std::max<int64_t>(lo, 0)),
                 static_cast<int>(std::max<int64_t>(hi, 0))};
  }
  mx::array v = mx::pad(x.value(), widths, cast(value, self.dtype()));
  Tensor result = make_result(v, self.dtype(), {&x});
  if (!needs_grad({&x})) return result;
  auto node = make_node("ConstantPadNdBackward0", {&x}, [widths](FnNode&, TensorList& gs) {
    Tensor g = gs[0];
    for (size_t d = 0; d < widths.size(); ++d) {
      if (widths[d].first || widths[d].second) {
        g = slice(g, static_cast<int64_t>(d), widths[d].first, g.sizes()[d] - widths[d].second);
      }
    }
    return TensorList{g};
  });
  return with_history(result, node);
}

}  // namespace mlxc
