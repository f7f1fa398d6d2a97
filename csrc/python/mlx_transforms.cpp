// Runs a Python function over mlx_compat tensors under MLX's own vmap.
// See Note [Running under MLX transforms] in core/eval.h.
#include "core/eval.h"
#include "mlx/transforms.h"
#include "python/bind.h"

namespace mlxc::py {

void init_mlx_transforms(nb::module_& m) {
  // fn(list[Tensor]) -> list[Tensor], traced once on per-element tensors; returns the
  // batched outputs (batch dimension first), or None when the function did something
  // a trace cannot reproduce (the caller then runs it per element).
  m.def(
      "_mlx_vmap",
      [](nb::callable fn, const std::vector<nb::handle>& inputs,
         const std::vector<int>& in_axes) -> nb::object {
        std::vector<mx::array> arrays;
        std::vector<ScalarType> in_types;
        for (auto h : inputs) {
          const Tensor& t = unwrap(h);
          arrays.push_back(t.value());
          in_types.push_back(t.dtype());
        }
        std::vector<ScalarType> out_types;
        auto fun = [&](const std::vector<mx::array>& xs) {
          nb::list args;
          for (size_t i = 0; i < xs.size(); ++i) {
            args.append(wrap(Tensor::from_array(xs[i], in_types[i])));
          }
          nb::object out = fn(args);
          std::vector<mx::array> res;
          out_types.clear();
          for (nb::handle h : out) {
            if (!is_tensor(h)) throw TraceAbort{};
            const Tensor& t = unwrap(h);
            res.push_back(t.value());
            out_types.push_back(t.dtype());
          }
          return res;
        };
        std::vector<mx::array> outs;
        try {
          MlxTraceScope scope;
          outs = mx::vmap(fun, in_axes)(arrays);
        } catch (nb::python_error&) {
          return nb::none();  // the per-element run raises it again, with torch's context
        } catch (std::exception&) {
          return nb::none();
        }
        nb::list result;
        for (size_t i = 0; i < outs.size(); ++i) {
          result.append(wrap(Tensor::from_array(outs[i], out_types[i])));
        }
        return result;
      },
      nb::arg("fn"), nb::arg("inputs"), nb::arg("in_axes"));
}

}  // namespace mlxc::py
