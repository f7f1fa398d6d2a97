// Bindings for reductions (sum, mean, max, argmax).
#include "ops/reduce.h"

#include "ops/pointwise.h"
#include "python/bind.h"

namespace mlxc::py {

namespace {

nb::handle g_max_type;  // kept alive until exit

nb::object max_result(std::pair<Tensor, Tensor> r) {
  if (!g_max_type.is_valid())
    g_max_type = nb::object(nb::module_::import_("mlx_compat.return_types").attr("max")).release();
  return g_max_type(nb::make_tuple(wrap(r.first), wrap(r.second)));
}

Tensor sum_b(const Tensor& s, nb::handle dim, bool keepdim, nb::handle dtype) {
  return sum(s, parse_dims(dim), keepdim, parse_dtype(dtype));
}
Tensor mean_b(const Tensor& s, nb::handle dim, bool keepdim, nb::handle dtype) {
  return mean(s, parse_dims(dim), keepdim, parse_dtype(dtype));
}

nb::object max_b(const Tensor& s, nb::handle dim, bool keepdim) {
  if (dim.is_none()) return wrap(max(s));
  if (is_tensor(dim)) return wrap(maximum(s, unwrap(dim)));
  return max_result(max_dim(s, nb::cast<int64_t>(dim), keepdim));
}

}  // namespace

void init_reduce(nb::module_&, nb::module_& fns) {
  auto& cls = tensor_base();
  auto dims_args = [](auto&&... first) { return std::make_tuple(first...); };
  (void)dims_args;
  fns.def("sum", &sum_b, nb::arg("input"), nb::arg("dim") = nb::none(), nb::arg("keepdim") = false,
          nb::kw_only(), nb::arg("dtype") = nb::none());
  cls.def("sum", &sum_b, nb::arg("dim") = nb::none(), nb::arg("keepdim") = false, nb::kw_only(),
          nb::arg("dtype") = nb::none());
  fns.def("mean", &mean_b, nb::arg("input"), nb::arg("dim") = nb::none(),
          nb::arg("keepdim") = false, nb::kw_only(), nb::arg("dtype") = nb::none());
  cls.def("mean", &mean_b, nb::arg("dim") = nb::none(), nb::arg("keepdim") = false, nb::kw_only(),
          nb::arg("dtype") = nb::none());
  fns.def("max", &max_b, nb::arg("input"), nb::arg("dim") = nb::none(), nb::arg("keepdim") = false);
  cls.def("max", &max_b, nb::arg("dim") = nb::none(), nb::arg("keepdim") = false);
  auto argmax_b = [](const Tensor& s, std::optional<int64_t> dim, bool keepdim) {
    return argmax(s, dim, keepdim);
  };
  fns.def("argmax", argmax_b, nb::arg("input"), nb::arg("dim") = nb::none(),
          nb::arg("keepdim") = false);
  cls.def("argmax", argmax_b, nb::arg("dim") = nb::none(), nb::arg("keepdim") = false);
  auto lse = [](const Tensor& s, nb::handle dim, bool keepdim) {
    return logsumexp(s, *parse_dims(dim), keepdim);
  };
  fns.def("logsumexp", lse, nb::arg("input"), nb::arg("dim"), nb::arg("keepdim") = false);
  cls.def("logsumexp", lse, nb::arg("dim"), nb::arg("keepdim") = false);
}

}  // namespace mlxc::py
