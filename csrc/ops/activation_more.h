// Parametrised activations of torch.nn.functional: gelu, silu, mish, elu, selu,
// celu, leaky_relu, softplus, hardtanh, relu6, hardsigmoid, hardswish, softsign,
// tanhshrink, softshrink, hardshrink, logsigmoid, threshold, glu, prelu.
#pragma once

#include <string>

#include "ops/common.h"

namespace mlxc {

Tensor gelu(const Tensor& self, const std::string& approximate);
Tensor silu(const Tensor& self);
Tensor mish(const Tensor& self);
Tensor elu(const Tensor& self, double alpha, double scale, double input_scale);
Tensor selu(const Tensor& self);
Tensor celu(const Tensor& self, double alpha);
Tensor leaky_relu(const Tensor& self, double negative_slope);
Tensor softplus(const Tensor& self, double beta, double threshold);
Tensor hardtanh(const Tensor& self, double min_val, double max_val);
Tensor hardsigmoid(const Tensor& self);
Tensor hardswish(const Tensor& self);
Tensor softsign(const Tensor& self);
Tensor tanhshrink(const Tensor& self);
Tensor softshrink(const Tensor& self, double lambd);
Tensor hardshrink(const Tensor& self, double lambd);
Tensor logsigmoid(const Tensor& self);
Tensor threshold(const Tensor& self, double threshold, double value);
Tensor glu(const Tensor& self, int64_t dim);
Tensor prelu(const Tensor& self, const Tensor& weight);

}  // namespace mlxc
