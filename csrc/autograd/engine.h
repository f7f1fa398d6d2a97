// The autograd engine: runs the backward graph from roots to leaves.
#pragma once

#include "core/graph.h"

namespace mlxc {

// Runs backward from `roots` with `grad_roots` (undefined entries: implicit
// ones for scalars). If `inputs` is non-empty, only gradients for those are
// produced. With accumulate, leaves' .grad are updated and an empty list is
// returned; otherwise the gradients of `inputs` are returned (torch.autograd.grad).
TensorList run_backward(const TensorList& roots, const TensorList& grad_roots, bool keep_graph,
                        bool create_graph, const TensorList& inputs, bool accumulate,
                        bool allow_unused);

}  // namespace mlxc
