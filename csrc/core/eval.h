// Evaluation policy: when lazy MLX graphs are run. See Note [Evaluation policy].
//
// Note [Evaluation policy]
// Operators never evaluate. Values are computed at sync points only: reading
// data on the host (item, tolist, numpy, repr, bool), data-dependent shapes,
// optimizer steps (one eval over parameters and state), and when a tensor's
// pending graph grows deeper than kMaxPendingDepth, which bounds memory for
// loops that never reach a sync point.
#pragma once

#include <cstdint>
#include <exception>
#include <vector>

#include "mlx/array.h"

namespace mlxc {

namespace mx = mlx::core;

constexpr uint32_t kMaxPendingDepth = 1024;

// Runs MLX evaluation. The Python layer installs a hook that releases the GIL.
void eval_arrays(std::vector<mx::array> arrays);
using EvalHook = void (*)(std::vector<mx::array>&);
void set_eval_hook(EvalHook hook);
// Note [Running under MLX transforms]
// torch.func.vmap can run a Python function once under mx::vmap instead of once
// per batch element. While such a trace runs (MlxTraceScope), anything that could
// make the traced result differ from the per-element run throws TraceAbort:
// evaluating (data-dependent checks, host reads), recording autograd history
// (a node is created), and writing into a storage (version bumps). The caller
// then discards the trace and runs the per-element path.
struct TraceAbort : std::exception {
  const char* what() const noexcept override { return "not traceable by MLX"; }
};
class MlxTraceScope {
 public:
  MlxTraceScope();
  ~MlxTraceScope();
  MlxTraceScope(const MlxTraceScope&) = delete;
  MlxTraceScope& operator=(const MlxTraceScope&) = delete;
};
bool mlx_tracing();
inline void abort_if_tracing() {
  if (mlx_tracing()) throw TraceAbort{};
}

// How many evaluations eval_arrays has run (tests check that recording runs none).
uint64_t eval_count();

}  // namespace mlxc
