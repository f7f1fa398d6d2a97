// Tensor.resize_: a tensor takes new sizes in place over its own storage.
#pragma once

#include "core/tensor.h"

namespace mlxc {

// torch's resize_: new contiguous sizes at the same storage offset; the storage
// grows (zero-filled) when the new window needs more elements, keeps its
// contents otherwise, and every alias keeps sharing it.
// as_output: an out= style kernel resizing its output below autograd (torch's
// resize_output, e.g. for addbmm_): no requires-grad check, no version bump.
const Tensor& resize_(const Tensor& self, const IntArray& sizes, bool as_output = false);

}  // namespace mlxc
