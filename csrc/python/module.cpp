// The mlx_compat._C extension module: registers every binding family.
#include "mlx/array.h"
#include "python/bind.h"

namespace mlxc::py {
namespace {

// True when mlx.core's array type is visible to this extension (same nanobind
// domain and ABI), so mx.array objects can cross between the two.
bool mlx_interop_available() {
  try {
    nb::module_::import_("mlx.core");
    return nb::type<mlx::core::array>().is_valid();
  } catch (...) {
    return false;
  }
}

}  // namespace
}  // namespace mlxc::py

NB_MODULE(_C, m) {
  using namespace mlxc::py;
  init_errors(m);
  init_tensor(m);
  nb::module_ fns = m.def_submodule("_VariableFunctions", "torch.* operator functions");
  init_pointwise(m, fns);
  init_reduce(m, fns);
  init_shape(m, fns);
  init_linalg(m, fns);
  init_nn(m, fns);
  init_index(m, fns);
  init_binary(m, fns);
  init_sort(m, fns);
  init_stack_split(m, fns);
  init_numeric(m, fns);
  init_view_scatter(m, fns);
  init_creation(m, fns);
  init_linalg_ns(m, fns);
  init_special(m, fns);
  init_fft(m, fns);
  init_conv_pool(m, fns);
  init_sampling(m, fns);
  init_misc_ops(m, fns);
  init_view_inplace(m, fns);
  init_mlx_transforms(m);
  init_autograd(m);
  init_custom_function(m);
  m.attr("_mlx_interop") = mlx_interop_available();
}
