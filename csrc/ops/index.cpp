#include "ops/index.h"

#include <algorithm>
#include <numeric>

#include "core/eval.h"
#include "ops/pointwise.h"
#include "ops/reduce.h"
#include "ops/shape.h"

namespace mlxc {

namespace {

// The indexing plan: which dims are indexed, by what (broadcast, non-negative
// int64 arrays), and where the indexed dims land in the result.
struct Plan {
  std::vector<int> adv_dims;   // dims of self that are indexed, ascending
  std::vector<mx::array> idx;  // one per adv dim, broadcast to `bshape`
  mx::Shape bshape;            // broadcast shape of the index tensors
  std::vector<int> rest_dims;  // the other dims of self, in order
  int insert_at = 0;           // where the indexed dims go among rest dims
};

// Replaces bool/uint8 masks by the long index tensors of their non-zero coordinates.
std::vector<std::pair<int, Tensor>> expand_masks(const Tensor& self, const OptTensorList& indices) {
  std::vector<std::pair<int, Tensor>> out;
  int dim = 0;
  for (const auto& opt : indices) {
    if (!opt) {
      dim++;
      continue;
    }
    const Tensor& t = *opt;
    if (t.dtype() == ScalarType::Bool || t.dtype() == ScalarType::UInt8) {
      for (int64_t k = 0; k < t.dim(); ++k) {
        MLXC_CHECK(dim + k < self.dim() && t.sizes()[k] == self.sizes()[dim + k], Index,
                   "The shape of the mask ", sizes_str(t.sizes()), " at index ", k,
                   " does not match the shape of the indexed tensor ", sizes_str(self.sizes()),
                   " at index ", dim + k);
      }
      Tensor nz = nonzero(t);
      for (int64_t k = 0; k < t.dim(); ++k) out.emplace_back(dim + k, select(nz, 1, k));
      dim += static_cast<int>(t.dim());
    } else {
      MLXC_CHECK(is_integral(t.dtype(), false), Index,
                 "tensors used as indices must be long, int, byte or bool tensors");
      out.emplace_back(dim, t);
      dim++;
    }
  }
  MLXC_CHECK(dim <= self.dim(), Index, "too many indices for tensor of dimension ", self.dim(),
             " (got ", dim, ")");
  return out;
}

Plan make_plan(const Tensor& self, const OptTensorList& indices) {
  auto adv = expand_masks(self, indices);
  Plan p;
  IntArray b;
  for (auto& [d, t] : adv) b = broadcast_sizes(b, t.sizes());
  p.bshape = to_shape(b);
  // Bounds check on the host (one sync over all index tensors).
  std::vector<mx::array> mins, maxs;
  for (auto& [d, t] : adv) {
    mx::array v = mx::astype(t.value(), mx::int64);
    if (t.numel() > 0) {
      mins.push_back(mx::min(v));
      maxs.push_back(mx::max(v));
    }
  }
  std::vector<mx::array> all(mins);
  all.insert(all.end(), maxs.begin(), maxs.end());
  eval_arrays(all);
  size_t k = 0;
  for (auto& [d, t] : adv) {
    const int64_t n = self.sizes()[d];
    if (t.numel() > 0) {
      const int64_t lo = mins[k].item<int64_t>(), hi = maxs[k].item<int64_t>();
      k++;
      MLXC_CHECK(lo >= -n, Index, "index ", lo, " is out of bounds for dimension ", d,
                 " with size ", n);
      MLXC_CHECK(hi < n, Index, "index ", hi, " is out of bounds for dimension ", d, " with size ",
                 n);
    }
    mx::array v = mx::astype(t.value(), mx::int64);
    v = mx::where(mx::less(v, mx::array(int64_t{0})), mx::add(v, mx::array(n, mx::int64)), v);
    p.adv_dims.push_back(d);
    p.idx.push_back(mx::broadcast_to(v, p.bshape));
  }
  // Sort the advanced dims (their order in `indices` already ascends).
  for (int64_t d = 0; d < self.dim(); ++d) {
    if (std::find(p.adv_dims.begin(), p.adv_dims.end(), d) == p.adv_dims.end()) {
      p.rest_dims.push_back(static_cast<int>(d));
    }
  }
  bool adjacent = true;
  for (size_t i = 1; i < p.adv_dims.size(); ++i) {
    adjacent = adjacent && p.adv_dims[i] == p.adv_dims[i - 1] + 1;
  }
  p.insert_at = 0;
  if (adjacent && !p.adv_dims.empty()) {
    for (int r : p.rest_dims) p.insert_at += r < p.adv_dims[0] ? 1 : 0;
  }
  return p;
}

// self permuted to (adv dims..., rest dims...) and flattened to (prod adv, rest...).
mx::array to_front(const mx::array& x, const Plan& p, const IntArray& sizes, mx::Shape* rest) {
  std::vector<int> perm(p.adv_dims.begin(), p.adv_dims.end());
  perm.insert(perm.end(), p.rest_dims.begin(), p.rest_dims.end());
  mx::array t = mx::transpose(x, perm);
  int64_t prod = 1;
  for (int d : p.adv_dims) prod *= sizes[d];
  mx::Shape shape{static_cast<int32_t>(prod)};
  rest->clear();
  for (int d : p.rest_dims) {
    shape.push_back(static_cast<int32_t>(sizes[d]));
    rest->push_back(static_cast<int32_t>(sizes[d]));
  }
  return mx::reshape(t, shape);
}

// The flat position of each indexed element within the indexed dims.
mx::array linear_index(const Plan& p, const IntArray& sizes) {
  mx::array lin = mx::zeros(p.bshape, mx::int64);
  for (size_t i = 0; i < p.adv_dims.size(); ++i) {
    lin = mx::add(mx::multiply(lin, mx::array(sizes[p.adv_dims[i]], mx::int64)), p.idx[i]);
  }
  return mx::reshape(lin, {-1});
}

// Moves the broadcast index dims (leading in `g`) to insert_at.
mx::array place_index_dims(const mx::array& g, const Plan& p) {
  const int nb = static_cast<int>(p.bshape.size());
  const int nr = static_cast<int>(p.rest_dims.size());
  if (p.insert_at == 0 || nb == 0) return g;
  std::vector<int> perm;
  for (int i = 0; i < p.insert_at; ++i) perm.push_back(nb + i);
  for (int i = 0; i < nb; ++i) perm.push_back(i);
  for (int i = p.insert_at; i < nr; ++i) perm.push_back(nb + i);
  return mx::transpose(g, perm);
}

// Inverse of place_index_dims.
mx::array unplace_index_dims(const mx::array& g, const Plan& p) {
  const int nb = static_cast<int>(p.bshape.size());
  const int nr = static_cast<int>(p.rest_dims.size());
  if (p.insert_at == 0 || nb == 0) return g;
  std::vector<int> perm;
  for (int i = 0; i < nb; ++i) perm.push_back(p.insert_at + i);
  for (int i = 0; i < p.insert_at; ++i) perm.push_back(i);
  for (int i = p.insert_at; i < nr; ++i) perm.push_back(nb + i);
  return mx::transpose(g, perm);
}

// Undoes to_front: (prod adv, rest...) back to self's layout.
mx::array from_front(const mx::array& flat, const Plan& p, const IntArray& sizes) {
  mx::Shape shape;
  for (int d : p.adv_dims) shape.push_back(static_cast<int32_t>(sizes[d]));
  for (int d : p.rest_dims) shape.push_back(static_cast<int32_t>(sizes[d]));
  std::vector<int> perm(p.adv_dims.begin(), p.adv_dims.end());
  perm.insert(perm.end(), p.rest_dims.begin(), p.rest_dims.end());
  std::vector<int> inverse(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) inverse[perm[i]] = static_cast<int>(i);
  return mx::transpose(mx::reshape(flat, shape), inverse);
}

mx::array gather_plan(const mx::array& x, const Plan& p, const IntArray& sizes) {
  mx::Shape rest;
  mx::array front = to_front(x, p, sizes, &rest);
  mx::array g = mx::take(front, linear_index(p, sizes), 0);
  mx::Shape shape = p.bshape;
  shape.insert(shape.end(), rest.begin(), rest.end());
  return place_index_dims(mx::reshape(g, shape), p);
}

// Writes (or adds) `values` (shaped like the gather result) into x at the plan.
mx::array scatter_plan(const mx::array& x, const Plan& p, const IntArray& sizes,
                       const mx::array& values, bool accumulate) {
  mx::Shape rest;
  mx::array front = to_front(x, p, sizes, &rest);
  mx::array lin = linear_index(p, sizes);
  mx::array v = unplace_index_dims(values, p);
  mx::Shape upd{static_cast<int32_t>(lin.size()), 1};
  upd.insert(upd.end(), rest.begin(), rest.end());
  v = mx::reshape(v, upd);
  front = scatter_nonempty(front, v, [&] {
    return accumulate ? mx::scatter_add(front, lin, v, 0) : mx::scatter(front, lin, v, 0);
  });
  return from_front(front, p, sizes);
}

IntArray gather_sizes(const Plan& p, const IntArray& sizes) {
  IntArray out;
  IntArray b = to_int_array(p.bshape);
  for (int i = 0; i < static_cast<int>(p.rest_dims.size()); ++i) {
    if (i == p.insert_at) out.insert(out.end(), b.begin(), b.end());
    out.push_back(sizes[p.rest_dims[i]]);
  }
  if (p.insert_at >= static_cast<int>(p.rest_dims.size()))
    out.insert(out.end(), b.begin(), b.end());
  return out;
}

}  // namespace

Tensor nonzero(const Tensor& self) {
  mx::array flat = mx::contiguous(
      mx::reshape(mx::not_equal(self.value(), mx::zeros({}, self.value().dtype())), {-1}));
  eval_arrays({flat});
  const bool* data = flat.data<bool>();
  const int64_t n = static_cast<int64_t>(flat.size());
  const int64_t nd = self.dim();
  std::vector<int64_t> coords;
  IntArray strides = contiguous_strides(self.sizes());
  for (int64_t i = 0; i < n; ++i) {
    if (!data[i]) continue;
    int64_t rem = i;
    for (int64_t d = 0; d < nd; ++d) {
      coords.push_back(rem / strides[d]);
      rem %= strides[d];
    }
  }
  const int64_t count = nd ? static_cast<int64_t>(coords.size()) / nd : n > 0 && data[0];
  mx::array a(coords.begin(), mx::Shape{static_cast<int32_t>(count), static_cast<int32_t>(nd)},
              mx::int64);
  return make_result(a, ScalarType::Int64, {&self});
}

namespace {

Tensor scatter_at(const Tensor& self, const Plan& p, const Tensor& values, bool accumulate);

// self[plan] as a recorded op; its backward adds g back at the plan.
Tensor gather_at(const Tensor& self, const Plan& p) {
  Tensor result = make_result(gather_plan(self.value(), p, self.sizes()), self.dtype(), {&self});
  if (!needs_grad({&self})) return result;
  auto node =
      make_node("IndexBackward0", {&self}, [p, sizes = self.sizes()](FnNode&, TensorList& gs) {
        const Tensor& g = gs[0];
        Tensor z = make_result(mx::zeros(to_shape(sizes), to_mlx(g.dtype())), g.dtype(), {&g});
        return TensorList{scatter_at(z, p, g, true)};
      });
  return with_history(result, node);
}

// self with `values` (shaped like self[plan], self's dtype) written or added at
// the plan, as a recorded op.
Tensor scatter_at(const Tensor& self, const Plan& p, const Tensor& values, bool accumulate) {
  mx::array out = scatter_plan(self.value(), p, self.sizes(), values.value(), accumulate);
  Tensor result = make_result(out, self.dtype(), {&self, &values});
  if (!needs_grad({&self, &values})) return result;
  auto node =
      make_node("IndexPutBackward0", {&self, &values}, [p, accumulate](FnNode& n, TensorList& gs) {
        const Tensor& g = gs[0];
        TensorList r(2);
        if (n.needs_input_grad(0)) {
          if (accumulate) {
            r[0] = g;
          } else {
            IntArray target = gather_sizes(p, g.sizes());
            Tensor z = make_result(mx::zeros(to_shape(target), to_mlx(g.dtype())), g.dtype(), {&g});
            r[0] = scatter_at(g, p, z, false);
          }
        }
        if (n.needs_input_grad(1)) r[1] = gather_at(g, p);
        return r;
      });
  return with_history(result, node);
}

}  // namespace

Tensor index(const Tensor& self, const OptTensorList& indices) {
  return gather_at(self, make_plan(self, indices));
}

Tensor index_put(const Tensor& self, const OptTensorList& indices, const Tensor& values,
                 bool accumulate) {
  Plan p = make_plan(self, indices);
  const IntArray target = gather_sizes(p, self.sizes());
  MLXC_CHECK(is_complex(self.dtype()) || !is_complex(values.dtype()), Runtime,
             "Index put requires the source and destination dtypes match, got ",
             scalar_type_name(self.dtype()), " for the destination and ",
             scalar_type_name(values.dtype()), " for the source.");
  broadcast_sizes(target, values.sizes());
  MLXC_CHECK(values.dim() <= static_cast<int64_t>(target.size()) || values.numel() == 1, Runtime,
             "shape mismatch: value tensor of shape ", sizes_str(values.sizes()),
             " cannot be broadcast to indexing result of shape ", sizes_str(target));
  Tensor v = values.dtype() == self.dtype() ? values : to_dtype(values, self.dtype());
  if (v.dim() > static_cast<int64_t>(target.size())) v = reshape(v, {});
  if (v.sizes() != target) v = expand(v, target);
  return scatter_at(self, p, v, accumulate);
}

}  // namespace mlxc
