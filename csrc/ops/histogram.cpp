#include "ops/histogram.h"

#include <bit>
#include <cmath>

#include "ops/pointwise.h"
#include "ops/shape.h"
#include "ops/type_names.h"

namespace mlxc {

namespace {

void check_kernel_dtype(const Tensor& self) {
  MLXC_CHECK(self.dtype() == ScalarType::Float32 || self.dtype() == ScalarType::Float64,
             NotImplemented, "\"histogramdd\" not implemented for '",
             scalar_type_name(self.dtype()), "'");
}

void check_weight(const Tensor& x2, const std::optional<Tensor>& weight) {
  if (!weight) return;
  MLXC_CHECK(x2.dtype() == weight->dtype(), Runtime,
             "torch.histogramdd: if weight tensor is provided, input tensor and weight tensor "
             "should have the same dtype, but got input(",
             cpp_type_name(x2.dtype()), "), and weight(", cpp_type_name(weight->dtype()), ")");
  IntArray want(x2.sizes().begin(), x2.sizes().end() - 1);
  IntArray got = weight->dim() == 0 ? IntArray{1} : weight->sizes();
  MLXC_CHECK(want == got, Runtime,
             "torch.histogramdd: if weight tensor is provided it should have the same shape as the "
             "input tensor excluding its innermost dimension, but got input with shape ",
             sizes_str(x2.sizes()), " and weight with shape ", sizes_str(weight->sizes()));
}

void check_bins(const Tensor& x2, const TensorList& bins) {
  const int64_t n = x2.sizes().back();
  MLXC_CHECK(static_cast<int64_t>(bins.size()) == n, Runtime, "torch.histogramdd: expected ", n,
             " sequences of bin edges for a ", n, "-dimensional histogram but got ", bins.size());
  for (int64_t d = 0; d < n; ++d) {
    const Tensor& b = bins[d];
    MLXC_CHECK(b.dtype() == x2.dtype(), Runtime,
               "torch.histogramdd: input tensor and bins tensors should have the same dtype, but "
               "got input with dtype ",
               cpp_type_name(x2.dtype()), " and bins for dimension ", d, " with dtype ",
               cpp_type_name(b.dtype()));
    MLXC_CHECK(b.dim() == 1, Runtime,
               "torch.histogramdd: bins tensor should have one dimension, but got ", b.dim(),
               " dimensions in the bins tensor for dimension ", d);
    MLXC_CHECK(b.numel() > 0, Runtime,
               "torch.histogramdd: bins tensor should have at least 1 element, but got ", b.numel(),
               " elements in the bins tensor for dimension ", d);
  }
}

// Column d of a 2-D array, as a 1-D array.
mx::array column(const mx::array& x, int d) {
  const int m = x.shape(0);
  return mx::reshape(mx::slice(x, {0, d}, {m, d + 1}), {m});
}

// Position std::upper_bound returns in `edges` for each value, probing the
// same elements in the same order (so unsorted edges bin as torch bins them).
mx::array upper_bound(const mx::array& edges, const mx::array& values) {
  const int32_t n = static_cast<int32_t>(edges.size());
  mx::array first = mx::zeros(values.shape(), mx::int32);
  mx::array len = mx::full(values.shape(), n, mx::int32);
  const int steps = std::bit_width(static_cast<uint32_t>(n));
  for (int i = 0; i < steps; ++i) {
    mx::array half = mx::right_shift(len, mx::array(1, mx::int32));
    mx::array mid = mx::add(first, half);
    mx::array probe = mx::take(edges, mx::minimum(mid, mx::array(n - 1, mx::int32)), 0);
    mx::array left = mx::less(values, probe);
    mx::array active = mx::greater(len, mx::array(0, mx::int32));
    first = mx::where(mx::logical_and(active, mx::logical_not(left)),
                      mx::add(mid, mx::array(1, mx::int32)), first);
    mx::array rest = mx::subtract(mx::subtract(len, half), mx::array(1, mx::int32));
    len = mx::where(active, mx::where(left, half, rest), mx::array(0, mx::int32));
  }
  return first;
}

// torch's linspace between 0-d bounds lo and hi (steps >= 2), in their dtype.
mx::array linspace_between(const mx::array& lo, const mx::array& hi, int64_t steps) {
  const mx::Dtype dt = lo.dtype();
  mx::array step = mx::divide(mx::subtract(hi, lo), mx::array(static_cast<double>(steps - 1), dt));
  mx::array i = mx::astype(mx::arange(0, static_cast<int>(steps), mx::int32), dt);
  mx::array j = mx::astype(mx::arange(static_cast<int>(steps) - 1, -1, -1, mx::int32), dt);
  mx::array from_lo = mx::add(lo, mx::multiply(step, i));
  mx::array from_hi = mx::subtract(hi, mx::multiply(step, j));
  mx::array lower_half = mx::less(i, mx::array(static_cast<double>(steps / 2), dt));
  return mx::where(lower_half, from_lo, from_hi);
}

// Equal-width edges per innermost coordinate of x2 (M, N).
TensorList edges_from_counts(const Tensor& x2, const std::vector<int64_t>& bins,
                             const std::optional<std::vector<double>>& range) {
  const int64_t n = x2.sizes()[1];
  const mx::Dtype dt = to_mlx(x2.dtype());
  std::vector<mx::array> lo, hi;
  if (range) {
    MLXC_CHECK(static_cast<int64_t>(range->size()) == 2 * n, Runtime, "torch.histogramdd: for a ",
               n, "-dimensional histogram range should have ", 2 * n, " elements, but got ",
               range->size());
  }
  mx::array x = x2.value();
  for (int64_t d = 0; d < n; ++d) {
    if (range || x2.numel() == 0) {
      double l = range ? (*range)[2 * d] : 0.0, h = range ? (*range)[2 * d + 1] : 1.0;
      MLXC_CHECK(std::isfinite(l) && std::isfinite(h), Runtime, "torch.histogramdd: dimension ", d,
                 "'s range [", l, ", ", h, "] is not finite");
      MLXC_CHECK(l <= h, Runtime, "torch.histogramdd: min should not exceed max, but got min ", l,
                 " max ", h, " for dimension ", d);
      if (l == h) {
        l -= 0.5;
        h += 0.5;
      }
      lo.push_back(mx::array(l, dt));
      hi.push_back(mx::array(h, dt));
    } else {
      // The data's extent, widened by half a unit each way when it is a point.
      mx::array col = column(x, static_cast<int>(d));
      mx::array l = mx::min(col), h = mx::max(col);
      mx::array same = mx::equal(l, h);
      lo.push_back(mx::where(same, mx::subtract(l, mx::array(0.5, dt)), l));
      hi.push_back(mx::where(same, mx::add(h, mx::array(0.5, dt)), h));
    }
  }
  MLXC_CHECK(static_cast<int64_t>(bins.size()) == n, Runtime,
             "histogramdd: The size of bins must be equal to the innermost dimension of the "
             "input.");
  TensorList edges;
  for (int64_t d = 0; d < n; ++d) {
    MLXC_CHECK(bins[d] > 0, Runtime, "torch.histogram(): bins must be > 0, but got ", bins[d],
               " for dimension ", d);
    edges.push_back(make_result(linspace_between(lo[d], hi[d], bins[d] + 1), x2.dtype(), {}));
  }
  return edges;
}

// The histogram of x2 (M, N) over `edges`, with torch's density scaling.
Tensor fill_bins(const Tensor& x2, const TensorList& edges, const std::optional<Tensor>& weight,
                 bool density, const char* name) {
  const int64_t n = x2.sizes()[1];
  const mx::Dtype dt = to_mlx(x2.dtype());
  mx::array x = x2.value();
  const int m = static_cast<int>(x2.sizes()[0]);
  IntArray hist_sizes;
  int64_t total = 1;
  for (const Tensor& e : edges) {
    hist_sizes.push_back(e.numel() - 1);
    total *= e.numel() - 1;
  }
  mx::array flat = mx::zeros({m}, mx::int32);
  mx::array keep = mx::full({m}, true);
  int64_t stride = total;
  for (int64_t d = 0; d < n; ++d) {
    const int32_t nb = static_cast<int32_t>(hist_sizes[d]);
    stride = nb == 0 ? 0 : stride / nb;
    mx::array e = edges[d].value();
    mx::array col = column(x, static_cast<int>(d));
    mx::array inside = mx::logical_and(mx::greater_equal(col, mx::take(e, 0)),
                                       mx::less_equal(col, mx::take(e, nb)));
    mx::array pos = mx::subtract(upper_bound(e, col), mx::array(1, mx::int32));
    pos = mx::clip(pos, mx::array(0, mx::int32), mx::array(std::max(nb - 1, 0), mx::int32));
    flat = mx::add(flat, mx::multiply(pos, mx::array(static_cast<int32_t>(stride), mx::int32)));
    keep = mx::logical_and(keep, inside);
  }
  mx::array w = weight ? mx::reshape(weight->value(), {m}) : mx::ones({m}, dt);
  mx::array upd = mx::reshape(mx::where(keep, w, mx::zeros({}, dt)), {m, 1});
  mx::array hist = mx::zeros({static_cast<int32_t>(total)}, dt);
  hist = scatter_nonempty(hist, upd, [&] { return mx::scatter_add(hist, flat, upd, 0); });
  hist = mx::reshape(hist, to_shape(hist_sizes));
  if (density) {
    hist = mx::divide(hist, mx::sum(hist));
    for (int64_t d = 0; d < n; ++d) {
      mx::array e = edges[d].value();
      mx::Shape shape(n, 1);
      shape[d] = static_cast<int32_t>(hist_sizes[d]);
      mx::array widths = mx::subtract(mx::slice(e, {1}, {static_cast<int>(e.size())}),
                                      mx::slice(e, {0}, {static_cast<int>(e.size()) - 1}));
      hist = mx::divide(hist, mx::reshape(widths, shape));
    }
  }
  Tensor out = make_result(hist, x2.dtype(), {&x2});
  const Tensor w_t = weight ? *weight : Tensor();
  if (needs_grad({&x2}) || (weight && needs_grad({&w_t}))) {
    std::string msg = std::string("derivative for aten::") + name + " is not implemented";
    auto fail = [msg](FnNode&, TensorList&) -> TensorList {
      MLXC_CHECK(false, Runtime, msg);
      return {};
    };
    auto node = weight ? make_node("NotImplemented", {&x2, &w_t}, fail)
                       : make_node("NotImplemented", {&x2}, fail);
    out = with_history(out, node);
  }
  return out;
}

// Edges from bin counts carry no gradient; torch marks them like the histogram.
Tensor mark_like(Tensor edges, const Tensor& x2, const char* name) {
  if (!needs_grad({&x2})) return edges;
  std::string msg = std::string("derivative for aten::") + name + " is not implemented";
  auto node = make_node("NotImplemented", {&x2}, [msg](FnNode&, TensorList&) -> TensorList {
    MLXC_CHECK(false, Runtime, msg);
    return {};
  });
  return with_history(edges, node);
}

Tensor as_column(const Tensor& self) { return reshape(self, {self.numel(), 1}); }

std::optional<Tensor> flat_weight(const std::optional<Tensor>& weight) {
  if (!weight) return weight;
  return reshape(*weight, {weight->numel()});
}

void check_dd_input(const Tensor& self) {
  MLXC_CHECK(self.dim() >= 2, Runtime,
             "torch.histogramdd: input tensor should have at least 2 dimensions, but got ",
             self.dim());
}

Tensor as_rows(const Tensor& self) {
  const int64_t n = self.sizes().back();
  int64_t m = 1;
  for (int64_t i = 0; i + 1 < self.dim(); ++i) m *= self.sizes()[i];
  return reshape(self, {m, n});
}

}  // namespace

std::pair<Tensor, Tensor> histogram(const Tensor& self, int64_t bins,
                                    const std::optional<std::vector<double>>& range,
                                    const std::optional<Tensor>& weight, bool density) {
  MLXC_CHECK(bins > 0, Runtime, "torch.histogram(): bins must be > 0, but got ", bins,
             " for dimension 0");
  check_kernel_dtype(self);
  Tensor x2 = as_column(self);
  std::optional<Tensor> w = flat_weight(weight);
  TensorList edges = edges_from_counts(x2, {bins}, range);
  check_weight(x2, w);
  Tensor hist = fill_bins(x2, edges, w, density, "histogram");
  return {hist, mark_like(edges[0], x2, "histogram")};
}

std::pair<Tensor, Tensor> histogram(const Tensor& self, const Tensor& bins,
                                    const std::optional<Tensor>& weight, bool density) {
  Tensor x2 = as_column(self);
  std::optional<Tensor> w = flat_weight(weight);
  check_bins(x2, {bins});
  check_weight(x2, w);
  check_kernel_dtype(self);
  Tensor edges = clone(bins);
  return {fill_bins(x2, {edges}, w, density, "histogram"), edges};
}

std::pair<Tensor, TensorList> histogramdd(const Tensor& self, const std::vector<int64_t>& bins,
                                          const std::optional<std::vector<double>>& range,
                                          const std::optional<Tensor>& weight, bool density) {
  MLXC_CHECK(self.dim() >= 2, Runtime,
             "torch.histogramdd: input tensor should have at least 2 dimensions");
  check_kernel_dtype(self);
  Tensor x2 = as_rows(self);
  TensorList edges = edges_from_counts(x2, bins, range);
  check_weight(self, weight);
  std::optional<Tensor> w =
      weight ? std::optional<Tensor>(reshape(*weight, {x2.sizes()[0]})) : std::nullopt;
  Tensor hist = fill_bins(x2, edges, w, density, "_histogramdd_from_bin_cts");
  for (Tensor& e : edges) e = mark_like(e, x2, "_histogramdd_bin_edges");
  return {hist, edges};
}

std::pair<Tensor, TensorList> histogramdd(const Tensor& self, const TensorList& bins,
                                          const std::optional<Tensor>& weight, bool density) {
  check_dd_input(self);
  check_bins(self, bins);
  check_weight(self, weight);
  check_kernel_dtype(self);
  Tensor x2 = as_rows(self);
  std::optional<Tensor> w =
      weight ? std::optional<Tensor>(reshape(*weight, {x2.sizes()[0]})) : std::nullopt;
  return {fill_bins(x2, bins, w, density, "_histogramdd_from_bin_tensors"), bins};
}

}  // namespace mlxc
