// Bindings for the in-place view operators (ops/view_inplace.h): Tensor.t_,
// transpose_/swapdims_/swapaxes_, squeeze_, unsqueeze_, as_strided_ (also
// torch.as_strided_). Each returns the tensor object itself.
#include "ops/view_inplace.h"

#include "core/error.h"
#include "python/bind.h"

namespace mlxc::py {

namespace {

// squeeze_'s overloads: (), (int dim), (tuple of ints dim).
void squeeze_arg(const Tensor& t, nb::handle dim) {
  if (dim.is_none()) {
    squeeze_(t, std::nullopt);
    return;
  }
  auto bad = [&] {
    throw Error(ErrorKind::Type,
                str("squeeze_() received an invalid combination of arguments - got (",
                    nb::inst_name(dim).c_str(),
                    "), but expected one of:\n * ()\n * (int dim)\n * (tuple of ints dim)\n"));
  };
  if (PyLong_Check(dim.ptr()) || is_tensor(dim)) {
    squeeze_(t, std::vector<int64_t>{nb::cast<int64_t>(dim.attr("__index__")())}, true);
    return;
  }
  if (!PyTuple_Check(dim.ptr()) && !PyList_Check(dim.ptr())) bad();
  std::vector<int64_t> dims;
  for (nb::handle d : dim) {
    if (!PyLong_Check(d.ptr()) && !is_tensor(d)) bad();
    dims.push_back(nb::cast<int64_t>(d.attr("__index__")()));
  }
  squeeze_(t, dims);
}

}  // namespace

void init_view_inplace(nb::module_&, nb::module_& fns) {
  auto& cls = tensor_base();
  cls.def("t_", [](nb::handle s) {
    t_(unwrap(s));
    return nb::borrow(s);
  });
  auto tr = [](nb::handle s, int64_t a, int64_t b) {
    transpose_(unwrap(s), a, b);
    return nb::borrow(s);
  };
  cls.def("transpose_", tr, nb::arg("dim0"), nb::arg("dim1"));
  cls.def("swapdims_", tr, nb::arg("dim0"), nb::arg("dim1"));
  cls.def("swapaxes_", tr, nb::arg("axis0"), nb::arg("axis1"));
  cls.def(
      "squeeze_",
      [](nb::handle s, nb::handle dim) {
        squeeze_arg(unwrap(s), dim);
        return nb::borrow(s);
      },
      nb::arg("dim") = nb::none());
  cls.def(
      "unsqueeze_",
      [](nb::handle s, int64_t d) {
        unsqueeze_(unwrap(s), d);
        return nb::borrow(s);
      },
      nb::arg("dim"));
  auto as = [](nb::handle s, nb::handle size, nb::handle stride, std::optional<int64_t> off) {
    as_strided_(unwrap(s), parse_size(size), parse_size(stride), off);
    return nb::borrow(s);
  };
  cls.def("as_strided_", as, nb::arg("size"), nb::arg("stride"),
          nb::arg("storage_offset") = nb::none());
  fns.def("as_strided_", as, nb::arg("input"), nb::arg("size"), nb::arg("stride"),
          nb::arg("storage_offset") = nb::none());
}

}  // namespace mlxc::py
