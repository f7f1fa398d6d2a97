// Rearranging copies: flip, roll, rot90, repeat, tile, repeat_interleave,
// broadcast_to, tril/triu, diag, diag_embed, diagflat, trace.
#pragma once

#include <optional>

#include "ops/common.h"

namespace mlxc {

Tensor flip(const Tensor& self, const std::vector<int64_t>& dims);
Tensor roll(const Tensor& self, const std::vector<int64_t>& shifts,
            const std::vector<int64_t>& dims);
Tensor rot90(const Tensor& self, int64_t k, const std::vector<int64_t>& dims);
Tensor repeat(const Tensor& self, const IntArray& repeats);
Tensor tile(const Tensor& self, const IntArray& reps);
Tensor repeat_interleave(const Tensor& self, int64_t repeats, std::optional<int64_t> dim);
Tensor repeat_interleave(const Tensor& self, const Tensor& repeats, std::optional<int64_t> dim);
Tensor broadcast_to(const Tensor& self, const IntArray& size);
Tensor tril(const Tensor& self, int64_t diagonal);
Tensor triu(const Tensor& self, int64_t diagonal);
Tensor diag_embed(const Tensor& self, int64_t offset, int64_t dim1, int64_t dim2);
Tensor diag(const Tensor& self, int64_t diagonal);
Tensor diagflat(const Tensor& self, int64_t offset);
Tensor trace(const Tensor& self);

}  // namespace mlxc
