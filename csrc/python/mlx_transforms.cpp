// Runs a Python function over mlx_compat tensors under MLX's own transforms.
// See Note [Running under MLX transforms] in core/eval.h.
#include "core/eval.h"
#include "mlx/transforms.h"
#include "python/bind.h"

namespace mlxc::py {

namespace {

using ArrayFn = std::function<std::vector<mx::array>(const std::vector<mx::array>&)>;

// fn(list[Tensor]) -> list[Tensor] as a function of arrays. The i-th argument
// gets dtype in_types[i]; the outputs' dtypes are written to *out_types.
ArrayFn array_fn(nb::callable fn, const std::vector<ScalarType>& in_types,
                 std::vector<ScalarType>* out_types) {
  return [fn, in_types, out_types](const std::vector<mx::array>& xs) {
    nb::list args;
    for (size_t i = 0; i < xs.size(); ++i) {
      args.append(wrap(Tensor::from_array(xs[i], in_types[i])));
    }
    nb::object out = fn(args);
    std::vector<mx::array> res;
    out_types->clear();
    for (nb::handle h : out) {
      if (!is_tensor(h)) throw TraceAbort{};
      const Tensor& t = unwrap(h);
      res.push_back(t.value());
      out_types->push_back(t.dtype());
    }
    return res;
  };
}

void split(const std::vector<nb::handle>& inputs, std::vector<mx::array>* arrays,
           std::vector<ScalarType>* types) {
  for (auto h : inputs) {
    const Tensor& t = unwrap(h);
    arrays->push_back(t.value());
    types->push_back(t.dtype());
  }
}

nb::list tensors(const std::vector<mx::array>& arrays, const std::vector<ScalarType>& types) {
  nb::list out;
  for (size_t i = 0; i < arrays.size(); ++i)
    out.append(wrap(Tensor::from_array(arrays[i], types[i])));
  return out;
}

// Runs `body` inside a trace scope; false when the trace had to stop (any error:
// the caller falls back to the tape, which raises real errors again with context).
template <typename F>
bool traced(F&& body) {
  try {
    MlxTraceScope scope;
    body();
    return true;
  } catch (nb::python_error&) {
    return false;
  } catch (std::exception&) {
    return false;
  }
}

}  // namespace

void init_mlx_transforms(nb::module_& m) {
  m.def("_mlx_tracing", &mlx_tracing);
  // The batched outputs (batch dimension first) of fn traced once on per-element
  // tensors, or None.
  m.def(
      "_mlx_vmap",
      [](nb::callable fn, const std::vector<nb::handle>& inputs,
         const std::vector<int>& in_axes) -> nb::object {
        std::vector<mx::array> arrays, outs;
        std::vector<ScalarType> in_types, out_types;
        split(inputs, &arrays, &in_types);
        ArrayFn f = array_fn(fn, in_types, &out_types);
        if (!traced([&] { outs = mx::vmap(f, in_axes)(arrays); })) return nb::none();
        return tensors(outs, out_types);
      },
      nb::arg("fn"), nb::arg("inputs"), nb::arg("in_axes"));
  // (values, gradients of values[0] with respect to every input), or None.
  m.def(
      "_mlx_value_and_grad",
      [](nb::callable fn, const std::vector<nb::handle>& inputs) -> nb::object {
        std::vector<mx::array> arrays;
        std::vector<ScalarType> in_types, out_types;
        split(inputs, &arrays, &in_types);
        ArrayFn f = array_fn(fn, in_types, &out_types);
        std::vector<int> argnums(arrays.size());
        for (size_t i = 0; i < argnums.size(); ++i) argnums[i] = static_cast<int>(i);
        std::pair<std::vector<mx::array>, std::vector<mx::array>> r;
        if (!traced([&] { r = mx::value_and_grad(f, argnums)(arrays); })) return nb::none();
        return nb::make_tuple(tensors(r.first, out_types), tensors(r.second, in_types));
      },
      nb::arg("fn"), nb::arg("inputs"));
}

}  // namespace mlxc::py
