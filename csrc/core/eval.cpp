#include "core/eval.h"

#include <atomic>

#include "mlx/transforms.h"

namespace mlxc {

namespace {
EvalHook g_hook = nullptr;
std::atomic<uint64_t> g_count{0};
thread_local int g_tracing = 0;
}  // namespace

MlxTraceScope::MlxTraceScope() { ++g_tracing; }
MlxTraceScope::~MlxTraceScope() { --g_tracing; }
bool mlx_tracing() { return g_tracing > 0; }

void set_eval_hook(EvalHook hook) { g_hook = hook; }

uint64_t eval_count() { return g_count.load(); }

void eval_arrays(std::vector<mx::array> arrays) {
  bool pending = false;
  for (const auto& a : arrays) pending = pending || !a.is_available();
  if (!pending) return;  // host data or already computed: nothing to run
  abort_if_tracing();
  ++g_count;
  if (g_hook) {
    g_hook(arrays);
  } else {
    mx::eval(arrays);
  }
}

}  // namespace mlxc
