// Reductions: sum, mean, max/argmax (with torch's int64 indices and NaN rules),
// and sum_to (the reduction that undoes broadcasting in backward formulas).
#pragma once

#include <optional>
#include <utility>

#include "ops/common.h"

namespace mlxc {

using OptDims = std::optional<std::vector<int64_t>>;

Tensor sum(const Tensor& self, const OptDims& dims = std::nullopt, bool keepdim = false,
           std::optional<ScalarType> dtype = std::nullopt);
Tensor mean(const Tensor& self, const OptDims& dims = std::nullopt, bool keepdim = false,
            std::optional<ScalarType> dtype = std::nullopt);
// Full max (MaxBackward1), and max along a dim returning (values, indices).
Tensor max(const Tensor& self);
std::pair<Tensor, Tensor> max_dim(const Tensor& self, int64_t dim, bool keepdim = false);
Tensor argmax(const Tensor& self, std::optional<int64_t> dim = std::nullopt, bool keepdim = false);
Tensor logsumexp(const Tensor& self, const std::vector<int64_t>& dims, bool keepdim = false);
// Axes a dims argument reduces (none or empty: all).
std::vector<int> reduce_axes(const Tensor& self, const OptDims& dims);
// Brings a reduced gradient back to the input's shape (unsqueeze + expand).
Tensor expand_reduced(const Tensor& g, const IntArray& sizes, std::vector<int> axes, bool keepdim);
int64_t count_over(const Tensor& self, const std::vector<int>& axes);

// Sums g down to `sizes` (the inverse of broadcasting).
Tensor sum_to(const Tensor& g, const IntArray& sizes);

}  // namespace mlxc
