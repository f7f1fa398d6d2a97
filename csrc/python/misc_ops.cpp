// Bindings for assorted torch.* operators: the reducing scatters
// (ops/scatter_reduce.h), statistics (ops/stats.h), membership and enumeration
// (ops/set_ops.h), frexp and put, and split/chunk spellings.
#include "ops/einsum.h"
#include "ops/gather.h"
#include "ops/index.h"
#include "ops/int_bits.h"
#include "ops/pointwise.h"
#include "ops/reduce.h"
#include "ops/rnn.h"
#include "ops/scatter_reduce.h"
#include "ops/set_ops.h"
#include "ops/shape.h"
#include "ops/stats.h"
#include "ops/view.h"
#include "ops/view_copy.h"
#include "python/bind.h"

namespace mlxc::py {

void init_rnn_ops(nb::module_& fns);  // python/rnn.cpp

namespace {

// Binds fn as torch.<name>, Tensor.<name> and Tensor.<name>_ (in place), for ops
// with the signature (self, dim, index, src, reduce, *, include_self=True).
template <class Fn>
void bind_reducing_scatter(nb::module_& fns, const char* name, const char* inplace,
                           const char* src_name, Fn fn) {
  auto& cls = tensor_base();
  fns.def(name, fn, nb::arg("input"), nb::arg("dim"), nb::arg("index"), nb::arg(src_name),
          nb::arg("reduce"), nb::kw_only(), nb::arg("include_self") = true);
  cls.def(name, fn, nb::arg("dim"), nb::arg("index"), nb::arg(src_name), nb::arg("reduce"),
          nb::kw_only(), nb::arg("include_self") = true);
  cls.def(
      inplace,
      [fn](nb::handle s, int64_t dim, const Tensor& index, const Tensor& src,
           const std::string& reduce, bool include_self) {
        apply_inplace(unwrap(s), fn(unwrap(s), dim, index, src, reduce, include_self));
        return nb::borrow(s);
      },
      nb::arg("dim"), nb::arg("index"), nb::arg(src_name), nb::arg("reduce"), nb::kw_only(),
      nb::arg("include_self") = true);
}

}  // namespace

std::optional<Tensor> opt_operand(nb::handle h, const char* what) {
  if (h.is_none()) return std::nullopt;
  return operand(h, what);
}

// trapezoid-style functions: (y, x=None, *, dx=None, dim=-1) with x xor dx.
template <class WithX, class WithDx>
void bind_trapz(nb::module_& fns, const char* name, WithX with_x, WithDx with_dx) {
  fns.def(
      name,
      [with_x, with_dx](const Tensor& y, nb::handle x, nb::handle dx, int64_t dim) {
        if (!x.is_none()) {
          MLXC_CHECK(dx.is_none(), Type,
                     "trapezoid() received an invalid combination of arguments");
          MLXC_CHECK(is_tensor(x), Type,
                     "trapezoid() received an invalid combination of arguments: x must be a "
                     "Tensor (pass a spacing as dx=)");
          return with_x(y, unwrap(x), dim);
        }
        return with_dx(y, dx.is_none() ? 1.0 : nb::cast<double>(dx), dim);
      },
      nb::arg("y"), nb::arg("x") = nb::none(), nb::kw_only(), nb::arg("dx") = nb::none(),
      nb::arg("dim") = -1);
}

void init_misc_ops(nb::module_&, nb::module_& fns) {
  auto& cls = tensor_base();
  bind_reducing_scatter(fns, "scatter_reduce", "scatter_reduce_", "src",
                        [](const Tensor& s, int64_t dim, const Tensor& index, const Tensor& src,
                           const std::string& reduce, bool include_self) {
                          return scatter_reduce(s, dim, index, src, reduce, include_self);
                        });
  bind_reducing_scatter(fns, "index_reduce", "index_reduce_", "source",
                        [](const Tensor& s, int64_t dim, const Tensor& index, const Tensor& src,
                           const std::string& reduce, bool include_self) {
                          return index_reduce(s, dim, index, src, reduce, include_self);
                        });

  // Statistics and distances.
  auto cov_b = [](const Tensor& x, int64_t correction, nb::handle fw, nb::handle aw) {
    return cov(x, correction, opt_operand(fw, "fweights"), opt_operand(aw, "aweights"));
  };
  fns.def("cov", cov_b, nb::arg("input"), nb::kw_only(), nb::arg("correction") = 1,
          nb::arg("fweights") = nb::none(), nb::arg("aweights") = nb::none());
  cls.def("cov", cov_b, nb::kw_only(), nb::arg("correction") = 1, nb::arg("fweights") = nb::none(),
          nb::arg("aweights") = nb::none());
  fns.def("corrcoef", &corrcoef, nb::arg("input"));
  cls.def("corrcoef", &corrcoef);
  auto trap_x = [](const Tensor& y, const Tensor& x, int64_t d) { return trapezoid(y, x, d); };
  auto trap_dx = [](const Tensor& y, double dx, int64_t d) { return trapezoid(y, dx, d); };
  bind_trapz(fns, "trapezoid", trap_x, trap_dx);
  bind_trapz(fns, "trapz", trap_x, trap_dx);
  bind_trapz(
      fns, "cumulative_trapezoid",
      [](const Tensor& y, const Tensor& x, int64_t d) { return cumulative_trapezoid(y, x, d); },
      [](const Tensor& y, double dx, int64_t d) { return cumulative_trapezoid(y, dx, d); });
  auto dist_b = [](const Tensor& a, const Tensor& b, double p) { return dist(a, b, p); };
  fns.def("dist", dist_b, nb::arg("input"), nb::arg("other"), nb::arg("p") = 2.0);
  cls.def("dist", dist_b, nb::arg("other"), nb::arg("p") = 2.0);
  fns.def(
      "cdist",
      [](const Tensor& a, const Tensor& b, double p, nb::handle mode) {
        return cdist(a, b, p,
                     mode.is_none() ? std::string("use_mm_for_euclid_dist_if_necessary")
                                    : nb::cast<std::string>(mode));
      },
      nb::arg("x1"), nb::arg("x2"), nb::arg("p") = 2.0, nb::arg("compute_mode") = nb::none());
  auto renorm_b = [](const Tensor& x, double p, int64_t dim, double maxnorm) {
    return renorm(x, p, dim, maxnorm);
  };
  fns.def("renorm", renorm_b, nb::arg("input"), nb::arg("p"), nb::arg("dim"), nb::arg("maxnorm"));
  cls.def("renorm", renorm_b, nb::arg("p"), nb::arg("dim"), nb::arg("maxnorm"));
  cls.def(
      "renorm_",
      [](nb::handle s, double p, int64_t dim, double maxnorm) {
        apply_inplace(unwrap(s), renorm(unwrap(s), p, dim, maxnorm));
        return nb::borrow(s);
      },
      nb::arg("p"), nb::arg("dim"), nb::arg("maxnorm"));

  // frexp: (mantissa, exponent) as torch.return_types.frexp.
  auto frexp_b = [](const Tensor& x) {
    auto [m, e] = frexp(x);
    nb::object cls_ = nb::module_::import_("mlx_compat.return_types").attr("frexp");
    return cls_(nb::make_tuple(wrap(m), wrap(e)));
  };
  fns.def("frexp", frexp_b, nb::arg("input"));
  cls.def("frexp", frexp_b);

  // Membership, enumeration, flat writes.
  fns.def(
      "isin",
      [](nb::handle e, nb::handle t, bool assume_unique, bool invert) {
        MLXC_CHECK(is_tensor(e) || is_tensor(t), Type,
                   "isin() received an invalid combination of arguments: elements and "
                   "test_elements cannot both be numbers");
        (void)assume_unique;
        return isin(operand(e, "elements"), operand(t, "test_elements"), invert);
      },
      nb::arg("elements"), nb::arg("test_elements"), nb::kw_only(),
      nb::arg("assume_unique") = false, nb::arg("invert") = false);
  fns.def(
      "combinations", [](const Tensor& x, int64_t r, bool wr) { return combinations(x, r, wr); },
      nb::arg("input"), nb::arg("r") = 2, nb::arg("with_replacement") = false);
  auto nzs = [](const Tensor& x, int64_t size, int64_t fill) {
    return nonzero_static(x, size, fill);
  };
  fns.def("nonzero_static", nzs, nb::arg("input"), nb::kw_only(), nb::arg("size"),
          nb::arg("fill_value") = -1);
  cls.def("nonzero_static", nzs, nb::kw_only(), nb::arg("size"), nb::arg("fill_value") = -1);
  fns.def("argwhere", [](const Tensor& x) { return nonzero(x); }, nb::arg("input"));
  cls.def("argwhere", [](const Tensor& x) { return nonzero(x); });
  auto put_b = [](const Tensor& x, const Tensor& index, const Tensor& src, bool acc) {
    return put(x, index, src, acc);
  };
  fns.def("put", put_b, nb::arg("input"), nb::arg("index"), nb::arg("source"),
          nb::arg("accumulate") = false);
  cls.def("put", put_b, nb::arg("index"), nb::arg("source"), nb::arg("accumulate") = false);
  cls.def(
      "put_",
      [](nb::handle s, const Tensor& index, const Tensor& src, bool acc) {
        apply_inplace(unwrap(s), put(unwrap(s), index, src, acc));
        return nb::borrow(s);
      },
      nb::arg("index"), nb::arg("source"), nb::arg("accumulate") = false);

  // split_with_sizes as a function, and torch's copying and unsafe splits
  // (ops/view_copy.h).
  auto sws = [](const Tensor& x, const std::vector<int64_t>& sizes, int64_t dim) {
    return wrap_tuple(split_with_sizes(x, sizes, dim));
  };
  fns.def("split_with_sizes", sws, nb::arg("input"), nb::arg("split_sizes"), nb::arg("dim") = 0);
  cls.def("split_with_sizes", sws, nb::arg("split_sizes"), nb::arg("dim") = 0);
  fns.def(
      "split_with_sizes_copy",
      [](const Tensor& x, const std::vector<int64_t>& sizes, int64_t dim) {
        return wrap_tuple(split_with_sizes_copy(x, sizes, dim));
      },
      nb::arg("input"), nb::arg("split_sizes"), nb::arg("dim") = 0);
  auto usws = [](const Tensor& x, const std::vector<int64_t>& sizes, int64_t dim) {
    return wrap_tuple(unsafe_split_with_sizes(x, sizes, dim));
  };
  fns.def("unsafe_split_with_sizes", usws, nb::arg("input"), nb::arg("split_sizes"),
          nb::arg("dim") = 0);
  cls.def("unsafe_split_with_sizes", usws, nb::arg("split_sizes"), nb::arg("dim") = 0);
  auto us = [](const Tensor& x, int64_t size, int64_t dim) {
    return wrap_tuple(unsafe_split(x, size, dim));
  };
  fns.def("unsafe_split", us, nb::arg("input"), nb::arg("split_size"), nb::arg("dim") = 0);
  cls.def("unsafe_split", us, nb::arg("split_size"), nb::arg("dim") = 0);
  auto uc = [](const Tensor& x, int64_t chunks, int64_t dim) {
    return wrap_tuple(unsafe_chunk(x, chunks, dim));
  };
  fns.def("unsafe_chunk", uc, nb::arg("input"), nb::arg("chunks"), nb::arg("dim") = 0);
  cls.def("unsafe_chunk", uc, nb::arg("chunks"), nb::arg("dim") = 0);
  cls.def("sum_to_size", [](const Tensor& x, nb::args size) {
    const IntArray target = parse_size(size);
    const IntArray bs = broadcast_sizes(x.sizes(), target);
    MLXC_CHECK(bs == x.sizes(), Runtime, "size {", sizes_str(target),
               "} is not expandable to size {", sizes_str(x.sizes()), "}.");
    if (target.empty()) return sum(x);  // torch sums everything for an empty target
    return target == x.sizes() ? x : sum_to(x, target);
  });
  fns.def(
      "einsum",
      [](const std::string& equation, nb::args ops) {
        TensorList operands;
        // einsum(eq, a, b) or einsum(eq, [a, b]).
        nb::handle src = ops.size() == 1 && !is_tensor(ops[0]) ? ops[0] : nb::handle(ops);
        for (nb::handle h : src) operands.push_back(operand(h, "operands"));
        return einsum(equation, operands);
      },
      nb::arg("equation"), nb::arg("operands"));
  // torch's alternative spellings share the primary binding.
  for (auto [alias, target] : {std::pair{"greater", "gt"},
                               {"greater_equal", "ge"},
                               {"less", "lt"},
                               {"less_equal", "le"},
                               {"not_equal", "ne"},
                               {"multiply", "mul"},
                               {"subtract", "sub"},
                               {"swapaxes", "transpose"},
                               {"swapdims", "transpose"},
                               {"concatenate", "cat"}}) {
    fns.attr(alias) = fns.attr(target);
    if (nb::hasattr(cls, target)) cls.attr(alias) = cls.attr(target);
    const std::string in_alias = std::string(alias) + "_", in_target = std::string(target) + "_";
    if (nb::hasattr(cls, in_target.c_str()))
      cls.attr(in_alias.c_str()) = cls.attr(in_target.c_str());
  }
  cls.attr("divide_") = cls.attr("div_");
  cls.attr("true_divide_") = cls.attr("div_");
  // Predicates torch also offers as functions.
  for (const char* name : {"is_complex", "is_floating_point", "is_signed", "is_nonzero",
                           "is_same_size", "detach", "detach_"}) {
    fns.def(
        name,
        [name = std::string(name)](nb::handle t, nb::args rest) {
          return t.attr(name.c_str())(*rest);
        },
        nb::arg("input"), nb::arg("args"));
  }
  cls.def(
      "is_same_size", [](const Tensor& a, const Tensor& b) { return a.sizes() == b.sizes(); },
      nb::arg("other"));
  cls.def("is_nonzero", [](nb::handle t) {
    const Tensor& x = unwrap(t);
    MLXC_CHECK(x.numel() != 0, Runtime, "Boolean value of Tensor with no values is ambiguous");
    MLXC_CHECK(x.numel() == 1, Runtime,
               "Boolean value of Tensor with more than one value is ambiguous");
    return PyObject_IsTrue(t.attr("item")().ptr()) == 1;
  });
  fns.def("zero_", [](nb::handle s) { return s.attr("zero_")(); }, nb::arg("input"));
  // Recurrent cells and layers.
  init_rnn_ops(fns);
}

}  // namespace mlxc::py
