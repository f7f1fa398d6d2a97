// Bindings for torch.linalg (the `_linalg` submodule, re-exported by mlx_compat/linalg.py) and the
// torch.* decompositions.
#include <cmath>
#include <string>
#include <unordered_map>

#include "ops/linalg.h"
#include "ops/linalg_decomp.h"
#include "ops/linalg_func.h"
#include "ops/linalg_ldl.h"
#include "ops/linalg_norm.h"
#include "ops/linalg_solve.h"
#include "ops/numeric.h"
#include "ops/pointwise.h"
#include "ops/view.h"
#include "python/bind.h"

namespace mlxc::py {

namespace {

PyObject* g_linalg_error = nullptr;

// A torch.return_types-style named tuple of tensors.
nb::object named(const char* type, std::initializer_list<const char*> fields,
                 const TensorList& ts) {
  static auto* cache = new std::unordered_map<std::string, nb::object>();
  auto it = cache->find(type);
  if (it == cache->end()) {
    nb::list names;
    for (const char* f : fields) names.append(nb::str(f));
    nb::object make = nb::module_::import_("mlx_compat.return_types").attr("_make");
    it = cache->emplace(type, make(nb::str(type), nb::tuple(names))).first;
  }
  return it->second(wrap_tuple(ts));
}

std::optional<Tensor> opt_operand(nb::handle h, const char* what) {
  if (h.is_none()) return std::nullopt;
  return operand(h, what);
}

std::optional<NormOrd> parse_ord(nb::handle h) {
  if (h.is_none()) return std::nullopt;
  if (nb::isinstance<nb::str>(h)) return NormOrd(nb::cast<std::string>(h));
  if (is_tensor(h)) return NormOrd(nb::cast<double>(h.attr("item")()));
  return NormOrd(nb::cast<double>(h));
}

double parse_number(nb::handle h) {
  if (is_tensor(h)) return nb::cast<double>(h.attr("item")());
  return nb::cast<double>(h);
}

std::vector<int64_t> parse_two_dims(nb::handle h) { return *parse_dims(h); }

// The binding of f with torch's keyword-only `out=` appended.
template <class... A>
auto out_form(Tensor (*f)(A...)) {
  return [f](A... args, nb::handle out) { return write_out(out, f(args...)); };
}

}  // namespace

void init_linalg_ns(nb::module_& m, nb::module_& fns) {
  nb::module_ ns = m.def_submodule("_linalg", "torch.linalg functions");
  auto& cls = tensor_base();

  g_linalg_error = PyErr_NewException("mlx_compat.linalg.LinAlgError", PyExc_RuntimeError, nullptr);
  ns.attr("LinAlgError") = nb::handle(g_linalg_error);
  nb::register_exception_translator([](const std::exception_ptr& p, void*) {
    try {
      std::rethrow_exception(p);
    } catch (const LinAlgError& e) {
      PyErr_SetString(g_linalg_error, e.what());
    }
  });

  // Decompositions.
  ns.def(
      "cholesky",
      [](const Tensor& A, bool upper, nb::handle out) {
        return write_out(out, linalg_cholesky(A, upper));
      },
      nb::arg("input"), nb::kw_only(), nb::arg("upper") = false, nb::arg("out") = nb::none());
  ns.def(
      "cholesky_ex",
      [](const Tensor& A, bool upper, bool check) {
        auto [L, info] = linalg_cholesky_ex(A, upper, check);
        return named("linalg_cholesky_ex", {"L", "info"}, {L, info});
      },
      nb::arg("input"), nb::kw_only(), nb::arg("upper") = false, nb::arg("check_errors") = false);
  auto chol = [](const Tensor& A, bool upper) { return cholesky(A, upper); };
  fns.def("cholesky", chol, nb::arg("input"), nb::arg("upper") = false);
  cls.def("cholesky", chol, nb::arg("upper") = false);
  ns.def(
      "qr",
      [](const Tensor& A, const std::string& mode) {
        auto [q, r] = linalg_qr(A, mode);
        return named("linalg_qr", {"Q", "R"}, {q, r});
      },
      nb::arg("A"), nb::arg("mode") = "reduced");
  auto qr_b = [](const Tensor& A, bool some) {
    auto [q, r] = linalg_qr(A, some ? "reduced" : "complete");
    return named("qr", {"Q", "R"}, {q, r});
  };
  fns.def("qr", qr_b, nb::arg("input"), nb::arg("some") = true);
  cls.def("qr", qr_b, nb::arg("some") = true);
  ns.def(
      "svd",
      [](const Tensor& A, bool full, nb::handle) {
        auto [u, s, vh] = linalg_svd(A, full);
        return named("linalg_svd", {"U", "S", "Vh"}, {u, s, vh});
      },
      nb::arg("A"), nb::arg("full_matrices") = true, nb::kw_only(), nb::arg("driver") = nb::none());
  ns.def(
      "svdvals",
      [](const Tensor& A, nb::handle, nb::handle out) { return write_out(out, linalg_svdvals(A)); },
      nb::arg("A"), nb::kw_only(), nb::arg("driver") = nb::none(), nb::arg("out") = nb::none());
  auto svd_b = [](const Tensor& A, bool some, bool uv) {
    auto [u, s, v] = svd(A, some, uv);
    return named("svd", {"U", "S", "V"}, {u, s, v});
  };
  fns.def("svd", svd_b, nb::arg("input"), nb::arg("some") = true, nb::arg("compute_uv") = true);
  cls.def("svd", svd_b, nb::arg("some") = true, nb::arg("compute_uv") = true);
  ns.def(
      "eigh",
      [](const Tensor& A, const std::string& uplo) {
        auto [l, v] = linalg_eigh(A, uplo);
        return named("linalg_eigh", {"eigenvalues", "eigenvectors"}, {l, v});
      },
      nb::arg("A"), nb::arg("UPLO") = "L");
  ns.def("eigvalsh", out_form(&linalg_eigvalsh), nb::arg("A"), nb::arg("UPLO") = "L", nb::kw_only(),
         nb::arg("out") = nb::none());
  ns.def(
      "lu_factor",
      [](const Tensor& A, bool pivot) {
        auto [lu, piv] = linalg_lu_factor(A, pivot);
        return named("linalg_lu_factor", {"LU", "pivots"}, {lu, piv});
      },
      nb::arg("A"), nb::kw_only(), nb::arg("pivot") = true);
  ns.def(
      "lu_factor_ex",
      [](const Tensor& A, bool pivot, bool check) {
        auto [lu, piv, info] = linalg_lu_factor_ex(A, pivot, check);
        return named("linalg_lu_factor_ex", {"LU", "pivots", "info"}, {lu, piv, info});
      },
      nb::arg("A"), nb::kw_only(), nb::arg("pivot") = true, nb::arg("check_errors") = false);
  ns.def(
      "lu",
      [](const Tensor& A, bool pivot) {
        auto [P, L, U] = linalg_lu(A, pivot);
        return named("linalg_lu", {"P", "L", "U"}, {P, L, U});
      },
      nb::arg("A"), nb::kw_only(), nb::arg("pivot") = true);
  fns.def(
      "lu_unpack",
      [](const Tensor& LU, const Tensor& piv, bool data, bool pivots) {
        auto [P, L, U] = lu_unpack(LU, piv, data, pivots);
        return named("lu_unpack", {"P", "L", "U"}, {P, L, U});
      },
      nb::arg("LU_data"), nb::arg("LU_pivots"), nb::arg("unpack_data") = true,
      nb::arg("unpack_pivots") = true);
  auto lu_b = [](const Tensor& A, bool pivot, bool get_infos) -> nb::object {
    auto [lu, piv, info] = linalg_lu_factor_ex(A, pivot, false, "torch.lu");
    if (get_infos) return wrap_tuple({lu, piv, info});
    return wrap_tuple({lu, piv});
  };
  fns.def("lu", lu_b, nb::arg("A"), nb::arg("pivot") = true, nb::arg("get_infos") = false);
  cls.def("lu", lu_b, nb::arg("pivot") = true, nb::arg("get_infos") = false);
  ns.def(
      "ldl_factor",
      [](const Tensor& A, bool hermitian) {
        auto [ld, piv, info] = linalg_ldl_factor_ex(A, hermitian, true, "torch.linalg.ldl_factor");
        return named("linalg_ldl_factor", {"LD", "pivots"}, {ld, piv});
      },
      nb::arg("A"), nb::kw_only(), nb::arg("hermitian") = false);
  ns.def(
      "ldl_factor_ex",
      [](const Tensor& A, bool hermitian, bool check) {
        auto [ld, piv, info] = linalg_ldl_factor_ex(A, hermitian, check);
        return named("linalg_ldl_factor_ex", {"LD", "pivots", "info"}, {ld, piv, info});
      },
      nb::arg("A"), nb::kw_only(), nb::arg("hermitian") = false, nb::arg("check_errors") = false);
  ns.def("ldl_solve", out_form(&linalg_ldl_solve), nb::arg("LD"), nb::arg("pivots"), nb::arg("B"),
         nb::kw_only(), nb::arg("hermitian") = false, nb::arg("out") = nb::none());
  ns.def("householder_product", out_form(&linalg_householder_product), nb::arg("A"), nb::arg("tau"),
         nb::kw_only(), nb::arg("out") = nb::none());
  fns.def("orgqr", &linalg_householder_product, nb::arg("input"), nb::arg("tau"));
  cls.def("orgqr", &linalg_householder_product, nb::arg("tau"));
  auto ormqr_b = [](const Tensor& A, const Tensor& tau, const Tensor& C, bool left, bool tr) {
    return ormqr(A, tau, C, left, tr);
  };
  fns.def("ormqr", ormqr_b, nb::arg("input"), nb::arg("input2"), nb::arg("input3"),
          nb::arg("left") = true, nb::arg("transpose") = false);
  cls.def("ormqr", ormqr_b, nb::arg("input2"), nb::arg("input3"), nb::arg("left") = true,
          nb::arg("transpose") = false);
  auto geqrf_b = [](const Tensor& A) {
    auto [a, tau] = geqrf(A);
    return named("geqrf", {"a", "tau"}, {a, tau});
  };
  fns.def("geqrf", geqrf_b, nb::arg("input"));
  cls.def("geqrf", geqrf_b);

  // Inverses and solvers.
  ns.def("inv", out_form(&linalg_inv), nb::arg("A"), nb::kw_only(), nb::arg("out") = nb::none());
  fns.def("inverse", &linalg_inv, nb::arg("input"));
  cls.def("inverse", &linalg_inv);
  ns.def(
      "inv_ex",
      [](const Tensor& A, bool check) {
        auto [inv, info] = linalg_inv_ex(A, check);
        return named("linalg_inv_ex", {"inverse", "info"}, {inv, info});
      },
      nb::arg("A"), nb::kw_only(), nb::arg("check_errors") = false);
  ns.def(
      "solve",
      [](const Tensor& A, const Tensor& B, bool left, nb::handle out) {
        return write_out(out, linalg_solve(A, B, left));
      },
      nb::arg("A"), nb::arg("B"), nb::kw_only(), nb::arg("left") = true,
      nb::arg("out") = nb::none());
  ns.def(
      "solve_ex",
      [](const Tensor& A, const Tensor& B, bool left, bool check) {
        auto [x, info] = linalg_solve_ex(A, B, left, check);
        return named("linalg_solve_ex", {"result", "info"}, {x, info});
      },
      nb::arg("A"), nb::arg("B"), nb::kw_only(), nb::arg("left") = true,
      nb::arg("check_errors") = false);
  ns.def("solve_triangular", out_form(&linalg_solve_triangular), nb::arg("A"), nb::arg("B"),
         nb::kw_only(), nb::arg("upper"), nb::arg("left") = true, nb::arg("unitriangular") = false,
         nb::arg("out") = nb::none());
  auto tri_b = [](const Tensor& b, const Tensor& A, bool upper, bool transpose, bool unit) {
    auto [x, c] = triangular_solve(b, A, upper, transpose, unit);
    return named("triangular_solve", {"solution", "cloned_coefficient"}, {x, c});
  };
  fns.def("triangular_solve", tri_b, nb::arg("input"), nb::arg("A"), nb::arg("upper") = true,
          nb::arg("transpose") = false, nb::arg("unitriangular") = false);
  cls.def("triangular_solve", tri_b, nb::arg("A"), nb::arg("upper") = true,
          nb::arg("transpose") = false, nb::arg("unitriangular") = false);
  ns.def("det", out_form(&linalg_det), nb::arg("A"), nb::kw_only(), nb::arg("out") = nb::none());
  fns.def("det", &linalg_det, nb::arg("input"));
  cls.def("det", &linalg_det);
  auto slogdet_b = [](const Tensor& A) {
    auto [s, l] = linalg_slogdet(A);
    return named("linalg_slogdet", {"sign", "logabsdet"}, {s, l});
  };
  ns.def("slogdet", slogdet_b, nb::arg("A"));
  auto slogdet_t = [](const Tensor& A) {
    auto [s, l] = linalg_slogdet(A);
    return named("slogdet", {"sign", "logabsdet"}, {s, l});
  };
  fns.def("slogdet", slogdet_t, nb::arg("input"));
  cls.def("slogdet", slogdet_t);
  fns.def("logdet", &logdet, nb::arg("input"));
  cls.def("logdet", &logdet);
  ns.def("lu_solve", out_form(&linalg_lu_solve), nb::arg("LU"), nb::arg("pivots"), nb::arg("B"),
         nb::kw_only(), nb::arg("left") = true, nb::arg("adjoint") = false,
         nb::arg("out") = nb::none());
  auto lu_solve_b = [](const Tensor& b, const Tensor& LU, const Tensor& piv) {
    return linalg_lu_solve(LU, piv, b, true, false);
  };
  fns.def("lu_solve", lu_solve_b, nb::arg("input"), nb::arg("LU_data"), nb::arg("LU_pivots"));
  cls.def("lu_solve", lu_solve_b, nb::arg("LU_data"), nb::arg("LU_pivots"));
  fns.def("cholesky_solve", &cholesky_solve, nb::arg("input"), nb::arg("input2"),
          nb::arg("upper") = false);
  cls.def("cholesky_solve", &cholesky_solve, nb::arg("input2"), nb::arg("upper") = false);
  fns.def("cholesky_inverse", &cholesky_inverse, nb::arg("input"), nb::arg("upper") = false);
  cls.def("cholesky_inverse", &cholesky_inverse, nb::arg("upper") = false);
  ns.def(
      "pinv",
      [](const Tensor& A, nb::handle rcond, bool hermitian, nb::handle atol, nb::handle rtol) {
        if (!rcond.is_none()) {
          Tensor r = operand(rcond, "rcond");
          return linalg_pinv(A, scalar_tensor(0.0, A.dtype()), r, hermitian);
        }
        return linalg_pinv(A, opt_operand(atol, "atol"), opt_operand(rtol, "rtol"), hermitian);
      },
      nb::arg("A"), nb::arg("rcond") = nb::none(), nb::arg("hermitian") = false, nb::kw_only(),
      nb::arg("atol") = nb::none(), nb::arg("rtol") = nb::none());
  auto pinverse_b = [](const Tensor& A, double rcond) {
    return linalg_pinv(A, scalar_tensor(0.0, A.dtype()), scalar_tensor(rcond, A.dtype()), false);
  };
  fns.def("pinverse", pinverse_b, nb::arg("input"), nb::arg("rcond") = 1e-15);
  cls.def("pinverse", pinverse_b, nb::arg("rcond") = 1e-15);
  ns.def(
      "matrix_rank",
      [](const Tensor& A, nb::handle tol, bool hermitian, nb::handle atol, nb::handle rtol) {
        if (!tol.is_none()) {
          return linalg_matrix_rank(A, operand(tol, "tol"), scalar_tensor(0.0, A.dtype()),
                                    hermitian);
        }
        return linalg_matrix_rank(A, opt_operand(atol, "atol"), opt_operand(rtol, "rtol"),
                                  hermitian);
      },
      nb::arg("A"), nb::arg("tol") = nb::none(), nb::arg("hermitian") = false, nb::kw_only(),
      nb::arg("atol") = nb::none(), nb::arg("rtol") = nb::none());
  ns.def(
      "lstsq",
      [](const Tensor& A, const Tensor& B, std::optional<double> rcond,
         std::optional<std::string> driver) {
        auto [x, res, rank, sv] = linalg_lstsq(A, B, rcond, driver);
        return named("linalg_lstsq", {"solution", "residuals", "rank", "singular_values"},
                     {x, res, rank, sv});
      },
      nb::arg("A"), nb::arg("B"), nb::arg("rcond") = nb::none(), nb::kw_only(),
      nb::arg("driver") = nb::none());
  ns.def("matrix_power", out_form(&linalg_matrix_power), nb::arg("A"), nb::arg("n"), nb::kw_only(),
         nb::arg("out") = nb::none());
  fns.def("matrix_power", &linalg_matrix_power, nb::arg("input"), nb::arg("n"));
  cls.def("matrix_power", &linalg_matrix_power, nb::arg("n"));
  ns.def("matrix_exp", &linalg_matrix_exp, nb::arg("A"));
  fns.def("matrix_exp", &linalg_matrix_exp, nb::arg("input"));
  cls.def("matrix_exp", &linalg_matrix_exp);
  fns.def("chain_matmul", [](nb::args ts) {
    TensorList list;
    for (nb::handle h : ts) list.push_back(nb::cast<Tensor>(h));
    if (list.size() == 1) return clone(list[0]);
    return linalg_multi_dot(list);
  });
  ns.def("tensorinv", out_form(&linalg_tensorinv), nb::arg("A"), nb::arg("ind") = 2, nb::kw_only(),
         nb::arg("out") = nb::none());
  ns.def(
      "tensorsolve",
      [](const Tensor& A, const Tensor& B, nb::handle dims) {
        return linalg_tensorsolve(A, B, parse_dims(dims));
      },
      nb::arg("A"), nb::arg("B"), nb::arg("dims") = nb::none());

  // Norms and products.
  ns.def(
      "vector_norm",
      [](const Tensor& x, nb::handle ord, nb::handle dim, bool keepdim, nb::handle dtype,
         nb::handle out) {
        return write_out(out, linalg_vector_norm(x, parse_number(ord), parse_dims(dim), keepdim,
                                                 parse_dtype(dtype)));
      },
      nb::arg("x"), nb::arg("ord") = 2, nb::arg("dim") = nb::none(), nb::arg("keepdim") = false,
      nb::kw_only(), nb::arg("dtype") = nb::none(), nb::arg("out") = nb::none());
  ns.def(
      "matrix_norm",
      [](const Tensor& A, nb::handle ord, nb::handle dim, bool keepdim, nb::handle dtype,
         nb::handle out) {
        return write_out(out, linalg_matrix_norm(A, *parse_ord(ord), parse_two_dims(dim), keepdim,
                                                 parse_dtype(dtype)));
      },
      nb::arg("A"), nb::arg("ord") = "fro", nb::arg("dim") = nb::make_tuple(-2, -1),
      nb::arg("keepdim") = false, nb::kw_only(), nb::arg("dtype") = nb::none(),
      nb::arg("out") = nb::none());
  ns.def(
      "norm",
      [](const Tensor& A, nb::handle ord, nb::handle dim, bool keepdim, nb::handle dtype,
         nb::handle out) {
        return write_out(
            out, linalg_norm(A, parse_ord(ord), parse_dims(dim), keepdim, parse_dtype(dtype)));
      },
      nb::arg("A"), nb::arg("ord") = nb::none(), nb::arg("dim") = nb::none(),
      nb::arg("keepdim") = false, nb::kw_only(), nb::arg("dtype") = nb::none(),
      nb::arg("out") = nb::none());
  ns.def(
      "cond",
      [](const Tensor& A, nb::handle p, nb::handle out) {
        return write_out(out, linalg_cond(A, parse_ord(p)));
      },
      nb::arg("A"), nb::arg("p") = nb::none(), nb::kw_only(), nb::arg("out") = nb::none());
  ns.def("vecdot", out_form(&linalg_vecdot), nb::arg("x"), nb::arg("y"), nb::kw_only(),
         nb::arg("dim") = -1, nb::arg("out") = nb::none());
  ns.def(
      "multi_dot",
      [](nb::sequence ts, nb::handle out) {
        TensorList list;
        for (nb::handle h : ts) list.push_back(nb::cast<Tensor>(h));
        return write_out(out, linalg_multi_dot(list));
      },
      nb::arg("tensors"), nb::kw_only(), nb::arg("out") = nb::none());
  ns.def("vander", &linalg_vander, nb::arg("x"), nb::kw_only(), nb::arg("N") = nb::none());
  ns.def(
      "diagonal",
      [](const Tensor& A, int64_t offset, int64_t d1, int64_t d2) {
        return diagonal(A, offset, d1, d2);
      },
      nb::arg("A"), nb::kw_only(), nb::arg("offset") = 0, nb::arg("dim1") = -2,
      nb::arg("dim2") = -1);
  ns.def(
      "cross",
      [](const Tensor& a, const Tensor& b, int64_t dim, nb::handle out) {
        return write_out(out, cross(a, b, dim, "linalg.cross"));
      },
      nb::arg("input"), nb::arg("other"), nb::kw_only(), nb::arg("dim") = -1,
      nb::arg("out") = nb::none());
  ns.def("matmul", out_form(&matmul), nb::arg("input"), nb::arg("other"), nb::kw_only(),
         nb::arg("out") = nb::none());
}

}  // namespace mlxc::py
