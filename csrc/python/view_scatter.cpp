// Bindings for the view scatters (ops/view_scatter.h) and torch's *_copy
// variants of views (the view's values as a new tensor).
#include "ops/view_scatter.h"

#include "core/error.h"
#include "core/resize.h"
#include "ops/pointwise.h"
#include "ops/shape.h"
#include "ops/strided_scatter.h"
#include "ops/view.h"
#include "ops/view_copy.h"
#include "python/bind.h"

namespace mlxc::py {

void init_view_scatter(nb::module_&, nb::module_& fns) {
  auto& cls = tensor_base();
  auto sel = [](const Tensor& s, const Tensor& src, int64_t dim, int64_t index) {
    return select_scatter(s, src, dim, index);
  };
  fns.def("select_scatter", sel, nb::arg("input"), nb::arg("src"), nb::arg("dim"),
          nb::arg("index"));
  cls.def("select_scatter", sel, nb::arg("src"), nb::arg("dim"), nb::arg("index"));
  auto sl = [](const Tensor& s, const Tensor& src, int64_t dim, std::optional<int64_t> start,
               std::optional<int64_t> end,
               int64_t step) { return slice_scatter(s, src, dim, start, end, step); };
  fns.def("slice_scatter", sl, nb::arg("input"), nb::arg("src"), nb::arg("dim") = 0,
          nb::arg("start") = nb::none(), nb::arg("end") = nb::none(), nb::arg("step") = 1);
  cls.def("slice_scatter", sl, nb::arg("src"), nb::arg("dim") = 0, nb::arg("start") = nb::none(),
          nb::arg("end") = nb::none(), nb::arg("step") = 1);
  auto dg = [](const Tensor& s, const Tensor& src, int64_t off, int64_t d1, int64_t d2) {
    return diagonal_scatter(s, src, off, d1, d2);
  };
  fns.def("diagonal_scatter", dg, nb::arg("input"), nb::arg("src"), nb::arg("offset") = 0,
          nb::arg("dim1") = 0, nb::arg("dim2") = 1);
  cls.def("diagonal_scatter", dg, nb::arg("src"), nb::arg("offset") = 0, nb::arg("dim1") = 0,
          nb::arg("dim2") = 1);
  // *_copy: the view's values in new memory (ops/view_copy.h).
  fns.def("alias_copy", &alias_copy, nb::arg("input"));
  fns.def("t_copy", &t_copy, nb::arg("input"));
  fns.def("transpose_copy", &transpose_copy, nb::arg("input"), nb::arg("dim0"), nb::arg("dim1"));
  fns.def(
      "permute_copy",
      [](const Tensor& s, nb::handle dims) { return permute_copy(s, *parse_dims(dims)); },
      nb::arg("input"), nb::arg("dims"));
  fns.def("unsqueeze_copy", &unsqueeze_copy, nb::arg("input"), nb::arg("dim"));
  fns.def(
      "squeeze_copy",
      [](const Tensor& s, nb::handle dim) {
        if (dim.is_none()) return squeeze_copy(s, std::nullopt);
        return squeeze_copy(s, parse_dims(dim), !nb::isinstance<nb::sequence>(dim));
      },
      nb::arg("input"), nb::arg("dim") = nb::none());
  fns.def(
      "expand_copy",
      [](const Tensor& s, nb::handle size, bool) { return expand_copy(s, parse_size(size)); },
      nb::arg("input"), nb::arg("size"), nb::kw_only(), nb::arg("implicit") = false);
  fns.def(
      "view_copy", [](const Tensor& s, nb::handle size) { return view_copy(s, parse_size(size)); },
      nb::arg("input"), nb::arg("size"));
  fns.def("diagonal_copy", &diagonal_copy, nb::arg("input"), nb::arg("offset") = 0,
          nb::arg("dim1") = 0, nb::arg("dim2") = 1);
  fns.def(
      "as_strided_copy",
      [](const Tensor& s, nb::handle size, nb::handle stride, std::optional<int64_t> off) {
        return as_strided_copy(s, parse_size(size), parse_size(stride), off);
      },
      nb::arg("input"), nb::arg("size"), nb::arg("stride"), nb::arg("storage_offset") = nb::none());
  fns.def("unfold_copy", &unfold_copy, nb::arg("input"), nb::arg("dimension"), nb::arg("size"),
          nb::arg("step"));
  fns.def("narrow_copy", &narrow_copy, nb::arg("input"), nb::arg("dim"), nb::arg("start"),
          nb::arg("length"));
  cls.def("narrow_copy", &narrow_copy, nb::arg("dim"), nb::arg("start"), nb::arg("length"));
  fns.def(
      "unbind_copy", [](const Tensor& s, int64_t d) { return wrap_tuple(unbind_copy(s, d)); },
      nb::arg("input"), nb::arg("dim") = 0);

  auto ass = [](const Tensor& s, const Tensor& src, nb::handle size, nb::handle stride,
                std::optional<int64_t> off) {
    return as_strided_scatter(s, src, parse_size(size), parse_size(stride), off);
  };
  fns.def("as_strided_scatter", ass, nb::arg("input"), nb::arg("src"), nb::arg("size"),
          nb::arg("stride"), nb::arg("storage_offset") = nb::none());
  cls.def("as_strided_scatter", ass, nb::arg("src"), nb::arg("size"), nb::arg("stride"),
          nb::arg("storage_offset") = nb::none());

  // resize_ / resize_as_: new contiguous sizes over the same storage.
  auto check_format = [](nb::handle mf, const char* name) {
    MLXC_CHECK(mf.is_none(), Type, name,
               "(): argument 'memory_format' must be torch.memory_format, not ",
               nb::inst_name(mf).c_str());
  };
  cls.def(
      "resize_",
      [check_format](nb::handle self, nb::args sizes, nb::handle mf) {
        check_format(mf, "resize_");
        resize_(unwrap(self), parse_size(sizes));
        return nb::borrow(self);
      },
      nb::arg("sizes"), nb::arg("memory_format") = nb::none());
  fns.def(
      "resize_as_",
      [check_format](nb::handle self, const Tensor& other, nb::handle mf) {
        check_format(mf, "resize_as_");
        resize_(unwrap(self), other.sizes());
        return nb::borrow(self);
      },
      nb::arg("input"), nb::arg("the_template"), nb::kw_only(),
      nb::arg("memory_format") = nb::none());
  cls.def(
      "resize_as_",
      [check_format](nb::handle self, const Tensor& other, nb::handle mf) {
        check_format(mf, "resize_as_");
        resize_(unwrap(self), other.sizes());
        return nb::borrow(self);
      },
      nb::arg("the_template"), nb::kw_only(), nb::arg("memory_format") = nb::none());
}

}  // namespace mlxc::py
