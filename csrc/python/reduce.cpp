// Bindings for reductions (sum, mean, max, argmax).
#include "ops/reduce.h"

#include "ops/linalg_norm.h"
#include "ops/pointwise.h"
#include "ops/reduce_stats.h"
#include "ops/scan.h"
#include "python/bind.h"

namespace mlxc::py {

namespace {

nb::handle g_max_type;  // kept alive until exit

// A torch.return_types named tuple of two tensors.
nb::object named_pair(const char* type, std::pair<Tensor, Tensor> r) {
  nb::object cls = nb::module_::import_("mlx_compat.return_types").attr(type);
  return cls(nb::make_tuple(wrap(r.first), wrap(r.second)));
}

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

  // prod(input, *, dtype) and prod(input, dim, keepdim=False, *, dtype).
  auto prod_b = [](const Tensor& s, std::optional<int64_t> dim, bool keepdim, nb::handle dtype) {
    return prod(s, dim, keepdim, parse_dtype(dtype));
  };
  fns.def("prod", prod_b, nb::arg("input"), nb::arg("dim") = nb::none(), nb::arg("keepdim") = false,
          nb::kw_only(), nb::arg("dtype") = nb::none());
  cls.def("prod", prod_b, nb::arg("dim") = nb::none(), nb::arg("keepdim") = false, nb::kw_only(),
          nb::arg("dtype") = nb::none());

  // var/std: (dim, unbiased, keepdim) legacy forms and the correction= keyword.
  auto corr = [](nb::handle& dim, nb::handle unbiased, nb::handle correction) {
    double c = 1.0;
    if (PyBool_Check(dim.ptr())) {  // var(input, unbiased)
      c = dim.ptr() == Py_True ? 1.0 : 0.0;
      dim = nb::none();
    }
    if (!unbiased.is_none()) c = nb::cast<bool>(unbiased) ? 1.0 : 0.0;
    if (!correction.is_none()) c = nb::cast<double>(nb::float_(correction));
    return c;
  };
  auto var_b = [corr](const Tensor& s, nb::handle dim, nb::handle unbiased, bool keepdim,
                      nb::handle correction) {
    const double c = corr(dim, unbiased, correction);
    return var(s, parse_dims(dim), c, keepdim);
  };
  auto std_b = [corr](const Tensor& s, nb::handle dim, nb::handle unbiased, bool keepdim,
                      nb::handle correction) {
    const double c = corr(dim, unbiased, correction);
    return std_dev(s, parse_dims(dim), c, keepdim);
  };
  auto var_mean_b = [corr](const Tensor& s, nb::handle dim, nb::handle unbiased, bool keepdim,
                           nb::handle correction) {
    const double c = corr(dim, unbiased, correction);
    auto [v, m] = var_mean(s, parse_dims(dim), c, keepdim);
    return nb::make_tuple(wrap(v), wrap(m));
  };
  auto std_mean_b = [corr](const Tensor& s, nb::handle dim, nb::handle unbiased, bool keepdim,
                           nb::handle correction) {
    const double c = corr(dim, unbiased, correction);
    auto [sd, m] = std_mean(s, parse_dims(dim), c, keepdim);
    return nb::make_tuple(wrap(sd), wrap(m));
  };
#define MLXC_VAR_ARGS                                                                        \
  nb::arg("dim") = nb::none(), nb::arg("unbiased") = nb::none(), nb::arg("keepdim") = false, \
  nb::kw_only(), nb::arg("correction") = nb::none()
  fns.def("var", var_b, nb::arg("input"), MLXC_VAR_ARGS);
  cls.def("var", var_b, MLXC_VAR_ARGS);
  fns.def("std", std_b, nb::arg("input"), MLXC_VAR_ARGS);
  cls.def("std", std_b, MLXC_VAR_ARGS);
  fns.def("var_mean", var_mean_b, nb::arg("input"), MLXC_VAR_ARGS);
  fns.def("std_mean", std_mean_b, nb::arg("input"), MLXC_VAR_ARGS);
#undef MLXC_VAR_ARGS

  auto norm_b = [](const Tensor& s, nb::handle p, nb::handle dim, bool keepdim, nb::handle dtype) {
    double pv = 2.0;
    if (PyUnicode_Check(p.ptr())) {
      const std::string ps = nb::cast<std::string>(p);
      if (ps == "nuc") {
        std::vector<int64_t> dims;
        for (int64_t i = 0; i < s.dim(); ++i) dims.push_back(i);
        return linalg_matrix_norm(s, NormOrd(ps), parse_dims(dim).value_or(dims), keepdim,
                                  parse_dtype(dtype));
      }
      MLXC_CHECK(ps == "fro", Runtime, "norm with p='", ps, "' is not available");
    } else if (!p.is_none()) {
      pv = nb::cast<double>(nb::float_(p));
    }
    return norm(s, pv, parse_dims(dim), keepdim, parse_dtype(dtype));
  };
  fns.def("norm", norm_b, nb::arg("input"), nb::arg("p") = "fro", nb::arg("dim") = nb::none(),
          nb::arg("keepdim") = false, nb::arg("dtype") = nb::none());
  cls.def("norm", norm_b, nb::arg("p") = "fro", nb::arg("dim") = nb::none(),
          nb::arg("keepdim") = false, nb::arg("dtype") = nb::none());

  auto all_b = [](const Tensor& s, nb::handle dim, bool keepdim) {
    return all(s, parse_dims(dim), keepdim);
  };
  auto any_b = [](const Tensor& s, nb::handle dim, bool keepdim) {
    return any(s, parse_dims(dim), keepdim);
  };
  fns.def("all", all_b, nb::arg("input"), nb::arg("dim") = nb::none(), nb::arg("keepdim") = false);
  cls.def("all", all_b, nb::arg("dim") = nb::none(), nb::arg("keepdim") = false);
  fns.def("any", any_b, nb::arg("input"), nb::arg("dim") = nb::none(), nb::arg("keepdim") = false);
  cls.def("any", any_b, nb::arg("dim") = nb::none(), nb::arg("keepdim") = false);
  auto cnz = [](const Tensor& s, nb::handle dim) { return count_nonzero(s, parse_dims(dim)); };
  fns.def("count_nonzero", cnz, nb::arg("input"), nb::arg("dim") = nb::none());
  cls.def("count_nonzero", cnz, nb::arg("dim") = nb::none());
  auto nansum_b = [](const Tensor& s, nb::handle dim, bool keepdim, nb::handle dtype) {
    return nansum(s, parse_dims(dim), keepdim, parse_dtype(dtype));
  };
  auto nanmean_b = [](const Tensor& s, nb::handle dim, bool keepdim, nb::handle dtype) {
    return nanmean(s, parse_dims(dim), keepdim, parse_dtype(dtype));
  };
  fns.def("nansum", nansum_b, nb::arg("input"), nb::arg("dim") = nb::none(),
          nb::arg("keepdim") = false, nb::kw_only(), nb::arg("dtype") = nb::none());
  cls.def("nansum", nansum_b, nb::arg("dim") = nb::none(), nb::arg("keepdim") = false,
          nb::kw_only(), nb::arg("dtype") = nb::none());
  fns.def("nanmean", nanmean_b, nb::arg("input"), nb::arg("dim") = nb::none(),
          nb::arg("keepdim") = false, nb::kw_only(), nb::arg("dtype") = nb::none());
  cls.def("nanmean", nanmean_b, nb::arg("dim") = nb::none(), nb::arg("keepdim") = false,
          nb::kw_only(), nb::arg("dtype") = nb::none());

  auto amax_b = [](const Tensor& s, nb::handle dim, bool keepdim) {
    return amax(s, parse_dims(dim), keepdim);
  };
  auto amin_b = [](const Tensor& s, nb::handle dim, bool keepdim) {
    return amin(s, parse_dims(dim), keepdim);
  };
  fns.def("amax", amax_b, nb::arg("input"), nb::arg("dim") = nb::tuple(),
          nb::arg("keepdim") = false);
  cls.def("amax", amax_b, nb::arg("dim") = nb::tuple(), nb::arg("keepdim") = false);
  fns.def("amin", amin_b, nb::arg("input"), nb::arg("dim") = nb::tuple(),
          nb::arg("keepdim") = false);
  cls.def("amin", amin_b, nb::arg("dim") = nb::tuple(), nb::arg("keepdim") = false);
  auto aminmax_b = [](const Tensor& s, nb::handle dim, bool keepdim) {
    return named_pair("aminmax", aminmax(s, parse_dims(dim), keepdim));
  };
  fns.def("aminmax", aminmax_b, nb::arg("input"), nb::kw_only(), nb::arg("dim") = nb::none(),
          nb::arg("keepdim") = false);
  cls.def("aminmax", aminmax_b, nb::kw_only(), nb::arg("dim") = nb::none(),
          nb::arg("keepdim") = false);
  auto min_b = [](const Tensor& s, nb::handle dim, bool keepdim) -> nb::object {
    if (dim.is_none()) return wrap(min(s));
    if (is_tensor(dim)) return wrap(minimum(s, unwrap(dim)));
    return named_pair("min", min_dim(s, nb::cast<int64_t>(dim), keepdim));
  };
  fns.def("min", min_b, nb::arg("input"), nb::arg("dim") = nb::none(), nb::arg("keepdim") = false);
  cls.def("min", min_b, nb::arg("dim") = nb::none(), nb::arg("keepdim") = false);
  auto argmin_b = [](const Tensor& s, std::optional<int64_t> dim, bool keepdim) {
    return argmin(s, dim, keepdim);
  };
  fns.def("argmin", argmin_b, nb::arg("input"), nb::arg("dim") = nb::none(),
          nb::arg("keepdim") = false);
  cls.def("argmin", argmin_b, nb::arg("dim") = nb::none(), nb::arg("keepdim") = false);

  // Scans.
  auto cumsum_b = [](const Tensor& s, int64_t dim, nb::handle dtype) {
    return cumsum(s, dim, parse_dtype(dtype));
  };
  auto cumprod_b = [](const Tensor& s, int64_t dim, nb::handle dtype) {
    return cumprod(s, dim, parse_dtype(dtype));
  };
  fns.def("cumsum", cumsum_b, nb::arg("input"), nb::arg("dim"), nb::kw_only(),
          nb::arg("dtype") = nb::none());
  cls.def("cumsum", cumsum_b, nb::arg("dim"), nb::kw_only(), nb::arg("dtype") = nb::none());
  cls.def(
      "cumsum_",
      [cumsum_b](nb::handle s, int64_t dim, nb::handle dtype) {
        apply_inplace(unwrap(s), cumsum_b(unwrap(s), dim, dtype));
        return nb::borrow(s);
      },
      nb::arg("dim"), nb::kw_only(), nb::arg("dtype") = nb::none());
  fns.def("cumprod", cumprod_b, nb::arg("input"), nb::arg("dim"), nb::kw_only(),
          nb::arg("dtype") = nb::none());
  cls.def("cumprod", cumprod_b, nb::arg("dim"), nb::kw_only(), nb::arg("dtype") = nb::none());
  cls.def(
      "cumprod_",
      [cumprod_b](nb::handle s, int64_t dim, nb::handle dtype) {
        apply_inplace(unwrap(s), cumprod_b(unwrap(s), dim, dtype));
        return nb::borrow(s);
      },
      nb::arg("dim"), nb::kw_only(), nb::arg("dtype") = nb::none());
  auto cummax_b = [](const Tensor& s, int64_t dim) { return named_pair("cummax", cummax(s, dim)); };
  auto cummin_b = [](const Tensor& s, int64_t dim) { return named_pair("cummin", cummin(s, dim)); };
  fns.def("cummax", cummax_b, nb::arg("input"), nb::arg("dim"));
  cls.def("cummax", cummax_b, nb::arg("dim"));
  fns.def("cummin", cummin_b, nb::arg("input"), nb::arg("dim"));
  cls.def("cummin", cummin_b, nb::arg("dim"));
  auto lcse = [](const Tensor& s, int64_t dim) { return logcumsumexp(s, dim); };
  fns.def("logcumsumexp", lcse, nb::arg("input"), nb::arg("dim"));
  cls.def("logcumsumexp", lcse, nb::arg("dim"));
}

}  // namespace mlxc::py
