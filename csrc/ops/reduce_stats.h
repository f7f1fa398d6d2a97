// Reductions beyond sum/mean/max: prod, var/std (with correction), var_mean,
// std_mean, norm, all/any, count_nonzero, nansum, nanmean, amax/amin, min,
// argmin, aminmax.
#pragma once

#include <optional>
#include <utility>

#include "ops/reduce.h"

namespace mlxc {

Tensor prod(const Tensor& self, std::optional<int64_t> dim = std::nullopt, bool keepdim = false,
            std::optional<ScalarType> dtype = std::nullopt);
Tensor var(const Tensor& self, const OptDims& dims, double correction, bool keepdim);
Tensor std_dev(const Tensor& self, const OptDims& dims, double correction, bool keepdim);
// (var or std, mean) recorded by one node (VarMeanBackward0 / StdMeanBackward0).
std::pair<Tensor, Tensor> var_mean(const Tensor& self, const OptDims& dims, double correction,
                                   bool keepdim);
std::pair<Tensor, Tensor> std_mean(const Tensor& self, const OptDims& dims, double correction,
                                   bool keepdim);
// torch.norm with a numeric p: linalg.vector_norm.
Tensor norm(const Tensor& self, double p, const OptDims& dims, bool keepdim,
            std::optional<ScalarType> dtype = std::nullopt);
Tensor all(const Tensor& self, const OptDims& dims, bool keepdim);
Tensor any(const Tensor& self, const OptDims& dims, bool keepdim);
Tensor count_nonzero(const Tensor& self, const OptDims& dims);
Tensor nansum(const Tensor& self, const OptDims& dims, bool keepdim,
              std::optional<ScalarType> dtype);
Tensor nanmean(const Tensor& self, const OptDims& dims, bool keepdim,
               std::optional<ScalarType> dtype);
Tensor amax(const Tensor& self, const OptDims& dims, bool keepdim);
Tensor amin(const Tensor& self, const OptDims& dims, bool keepdim);
Tensor min(const Tensor& self);
std::pair<Tensor, Tensor> min_dim(const Tensor& self, int64_t dim, bool keepdim = false);
Tensor argmin(const Tensor& self, std::optional<int64_t> dim = std::nullopt, bool keepdim = false);
// (amin, amax) over dim (none: every element), one AminmaxBackward0 node.
std::pair<Tensor, Tensor> aminmax(const Tensor& self, const OptDims& dim, bool keepdim);

}  // namespace mlxc
