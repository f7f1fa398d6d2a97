#include "ops/set_ops.h"

#include <vector>

#include "ops/creation.h"
#include "ops/gather.h"
#include "ops/pointwise.h"
#include "ops/reduce.h"
#include "ops/shape.h"

namespace mlxc {

namespace {

// Index tuples of the combinations, row by row (they depend on n and r only).
std::vector<std::vector<int64_t>> combination_rows(int64_t n, int64_t r, bool with_replacement) {
  std::vector<std::vector<int64_t>> rows;
  std::vector<int64_t> cur(r, 0);
  if (!with_replacement)
    for (int64_t i = 0; i < r; ++i) cur[i] = i;
  auto valid = [&] { return r > 0 && (with_replacement ? n > 0 : r <= n); };
  if (!valid()) return rows;
  while (true) {
    rows.push_back(cur);
    // Advance the rightmost position that can still grow.
    int64_t i = r - 1;
    while (i >= 0 && cur[i] == (with_replacement ? n - 1 : n - r + i)) --i;
    if (i < 0) break;
    ++cur[i];
    for (int64_t j = i + 1; j < r; ++j) cur[j] = with_replacement ? cur[i] : cur[j - 1] + 1;
  }
  return rows;
}

}  // namespace

Tensor isin(const Tensor& elements, const Tensor& test_elements, bool invert) {
  const ScalarType st = result_type({&elements, &test_elements});
  mx::array e = cast(elements, st);
  mx::array t = mx::reshape(cast(test_elements, st), {-1});
  mx::array hit = t.size() == 0 ? mx::zeros(e.shape(), mx::bool_)
                                : mx::any(mx::equal(mx::expand_dims(e, -1), t), -1);
  if (invert) hit = mx::logical_not(hit);
  return make_result(hit, ScalarType::Bool, {});
}

Tensor combinations(const Tensor& self, int64_t r, bool with_replacement) {
  MLXC_CHECK(self.dim() == 1, Runtime, "Expect a 1D vector, but got shape ",
             sizes_str(self.sizes()));
  MLXC_CHECK(r >= 0, Runtime, "Expect a non-negative number, but got ", r);
  if (r == 0) return zeros({0}, TensorOptions{self.dtype(), Device{}, false});
  const auto rows = combination_rows(self.sizes()[0], r, with_replacement);
  const int64_t m = static_cast<int64_t>(rows.size());
  // As torch: one gathered column per position, stacked side by side.
  TensorList cols;
  for (int64_t k = 0; k < r; ++k) {
    std::vector<int64_t> col(m);
    for (int64_t i = 0; i < m; ++i) col[i] = rows[i][k];
    Tensor idx = make_result(mx::array(col.data(), {static_cast<int32_t>(m)}, mx::int64),
                             ScalarType::Int64, {});
    cols.push_back(index_select(self, 0, idx));
  }
  return stack(cols, 1);
}

Tensor nonzero_static(const Tensor& self, int64_t size, int64_t fill_value) {
  MLXC_CHECK(size >= 0, Runtime, "nonzero_static: 'size' must be an non-negative integer");
  const int nd = static_cast<int>(self.dim());
  const int32_t total = static_cast<int32_t>(self.numel());
  mx::array mask =
      mx::reshape(mx::not_equal(self.value(), mx::array(0, self.value().dtype())), {total});
  // Each nonzero element's output row: its rank among the nonzeros; the rest
  // (and ranks past `size`) go to a spare row that is dropped.
  mx::array rank = mx::subtract(mx::cumsum(mx::astype(mask, mx::int64), 0), mx::array(int64_t{1}));
  mx::array keep = mx::logical_and(mask, mx::less(rank, mx::array(size)));
  mx::array dest = mx::where(keep, rank, mx::array(size));
  // Coordinates of every flat position (row-major).
  std::vector<mx::array> cols;
  mx::array pos = mx::arange(0, total, mx::int64);
  int64_t stride = 1;
  std::vector<int64_t> strides(nd);
  for (int i = nd - 1; i >= 0; --i) {
    strides[i] = stride;
    stride *= self.sizes()[i];
  }
  for (int i = 0; i < nd; ++i) {
    cols.push_back(
        mx::remainder(mx::floor_divide(pos, mx::array(strides[i])), mx::array(self.sizes()[i])));
  }
  mx::array target =
      mx::full({static_cast<int32_t>(size + 1), nd}, mx::array(fill_value), mx::int64);
  if (total > 0 && nd > 0) {
    mx::array coords = mx::stack(cols, 1);  // (total, nd)
    target = mx::scatter(target, {dest}, mx::reshape(coords, {total, 1, nd}), {0});
  }
  mx::array out = mx::slice(target, {0, 0}, {static_cast<int32_t>(size), nd});
  return make_result(out, ScalarType::Int64, {});
}

}  // namespace mlxc
