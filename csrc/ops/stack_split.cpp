#include "ops/stack_split.h"

#include <string>

#include "ops/complex.h"
#include "ops/pointwise.h"
#include "ops/shape.h"
#include "ops/view.h"

namespace mlxc {

Tensor atleast_nd(const Tensor& self, int64_t n) {
  const int64_t d = self.dim();
  if (d >= n) return self;
  if (n == 1 || d == 0) {
    IntArray shape(static_cast<size_t>(n), 1);
    return reshape(self, shape);
  }
  if (n == 2 || d == 2) return d == 1 ? unsqueeze(self, 0) : unsqueeze(self, -1);
  // n == 3, d == 1: [n] -> [1, n, 1]
  return unsqueeze(unsqueeze(self, 0), -1);
}

namespace {

TensorList all_atleast(const TensorList& tensors, int64_t n, const char* name) {
  MLXC_CHECK(!tensors.empty(), Runtime, name, " expects a non-empty TensorList");
  TensorList out;
  out.reserve(tensors.size());
  for (const Tensor& t : tensors) out.push_back(atleast_nd(t, n));
  return out;
}

}  // namespace

Tensor hstack(const TensorList& tensors) {
  TensorList ts = all_atleast(tensors, 1, "hstack");
  return cat(ts, ts[0].dim() == 1 ? 0 : 1);
}

Tensor vstack(const TensorList& tensors) { return cat(all_atleast(tensors, 2, "vstack"), 0); }

Tensor dstack(const TensorList& tensors) { return cat(all_atleast(tensors, 3, "dstack"), 2); }

Tensor column_stack(const TensorList& tensors) {
  MLXC_CHECK(!tensors.empty(), Runtime, "column_stack expects a non-empty TensorList");
  TensorList ts;
  for (const Tensor& t : tensors) ts.push_back(t.dim() <= 1 ? reshape(t, {t.numel(), 1}) : t);
  return cat(ts, 1);
}

TensorList tensor_split_sections(const Tensor& self, int64_t sections, int64_t dim) {
  MLXC_CHECK(self.dim() > 0, Runtime,
             "tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims");
  MLXC_CHECK(sections > 0, Runtime, "number of sections must be larger than 0, got ", sections);
  const int64_t d = wrap_dim(dim, self.dim());
  const int64_t n = self.sizes()[d];
  const int64_t small = n / sections, extra = n % sections;
  TensorList out;
  int64_t start = 0;
  for (int64_t i = 0; i < sections; ++i) {
    const int64_t len = small + (i < extra ? 1 : 0);
    out.push_back(slice(self, d, start, start + len));
    start += len;
  }
  return out;
}

TensorList tensor_split_indices(const Tensor& self, const std::vector<int64_t>& indices,
                                int64_t dim) {
  MLXC_CHECK(self.dim() > 0, Runtime,
             "tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims");
  const int64_t d = wrap_dim(dim, self.dim());
  TensorList out;
  int64_t start = 0;
  for (int64_t idx : indices) {
    out.push_back(slice(self, d, start, idx));
    start = idx;
  }
  out.push_back(slice(self, d, start, std::nullopt));
  return out;
}

namespace {

int64_t split_dim(const Tensor& self, char which) {
  const std::string name = std::string("torch.") + which + "split";
  if (which == 'h') {
    MLXC_CHECK(self.dim() >= 1, Runtime, name,
               " requires a tensor with at least 1 dimension, but got a tensor with ", self.dim(),
               " dimensions!");
    return self.dim() == 1 ? 0 : 1;
  }
  const int64_t need = which == 'v' ? 2 : 3;
  MLXC_CHECK(self.dim() >= need, Runtime, name, " requires a tensor with at least ", need,
             " dimension, but got a tensor with ", self.dim(), " dimensions!");
  return need - 2 == 0 ? 0 : 2;
}

}  // namespace

TensorList directional_split(const Tensor& self, char which, int64_t sections) {
  const int64_t d = split_dim(self, which);
  const int64_t n = self.sizes()[d];
  MLXC_CHECK(sections != 0 && n % sections == 0, Runtime, "torch.", which,
             "split attempted to split along dimension ", d, ", but the size of the dimension ", n,
             " is not divisible by the split_size ", sections, "!");
  return tensor_split_sections(self, sections, d);
}

TensorList directional_split(const Tensor& self, char which, const std::vector<int64_t>& indices) {
  return tensor_split_indices(self, indices, split_dim(self, which));
}

Tensor ravel(const Tensor& self) { return reshape(self, {-1}); }

Tensor unflatten(const Tensor& self, int64_t dim, const IntArray& sizes) {
  const int64_t d = wrap_dim(dim, self.dim());
  MLXC_CHECK(!sizes.empty(), Runtime, "unflatten: sizes must be non-empty");
  int64_t known = 1, infer = -1;
  for (size_t i = 0; i < sizes.size(); ++i) {
    if (sizes[i] == -1) {
      MLXC_CHECK(infer < 0, Runtime, "only one dimension can be inferred");
      infer = static_cast<int64_t>(i);
    } else {
      known *= sizes[i];
    }
  }
  const int64_t n = self.sizes()[d];
  IntArray resolved = sizes;
  if (infer >= 0 && known != 0 && n % known == 0) resolved[infer] = n / known;
  int64_t prod = 1;
  for (int64_t s : resolved) prod *= s;
  if (prod != n) {
    std::string list = "[";
    for (size_t i = 0; i < sizes.size(); ++i) list += (i ? ", " : "") + std::to_string(sizes[i]);
    list += "]";
    MLXC_CHECK(false, Runtime, "unflatten: Provided sizes ", list,
               " don't multiply up to the size of dim ", dim, " (", n, ") in the input tensor");
  }
  IntArray shape(self.sizes().begin(), self.sizes().begin() + d);
  shape.insert(shape.end(), resolved.begin(), resolved.end());
  shape.insert(shape.end(), self.sizes().begin() + d + 1, self.sizes().end());
  return view(self, shape);
}

Tensor matrix_transpose(const Tensor& self, bool conjugate) {
  MLXC_CHECK(self.dim() >= 2, Runtime, "tensor.", conjugate ? "mH" : "mT",
             " is only supported on matrices or batches of matrices. Got ", self.dim(),
             "-D tensor.");
  Tensor t = transpose(self, -2, -1);
  return conjugate ? conj_view(t) : t;
}

}  // namespace mlxc
