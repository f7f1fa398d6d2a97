// Bindings for stacking and splitting (ops/stack_split.h).
#include "ops/stack_split.h"

#include "python/bind.h"

namespace mlxc::py {

namespace {

// torch.atleast_*d(x) returns a tensor; (x, y) or ([x, y]) return a tuple.
nb::object atleast(nb::args args, int64_t n) {
  nb::handle seq = args;
  if (nb::len(args) == 1 && !nb::isinstance<Tensor>(args[0])) seq = args[0];
  if (nb::len(args) == 1 && nb::isinstance<Tensor>(args[0])) {
    return wrap(atleast_nd(nb::cast<Tensor>(args[0]), n));
  }
  nb::list out;
  for (nb::handle h : seq) out.append(wrap(atleast_nd(nb::cast<Tensor>(h), n)));
  return nb::tuple(out);
}

// An int (sections), a sequence of split points, or a 0-d/1-d integer tensor of either.
template <class BySections, class ByIndices>
nb::tuple split_by(const Tensor& self, nb::handle spec, BySections&& by_sections,
                   ByIndices&& by_indices) {
  if (nb::isinstance<Tensor>(spec)) {
    const Tensor t = nb::cast<Tensor>(spec);
    MLXC_CHECK(t.dtype() == ScalarType::Int64, Runtime,
               "tensor_split expected tensor_indices_or_sections to have dtype of long, but got ",
               legacy_type_name(t.dtype()));
    MLXC_CHECK(t.dim() <= 1, Runtime,
               "tensor_split expected tensor_indices_or_sections to be a zero-dimensional or "
               "one-dimensional tensor, but got a tensor with ",
               t.dim(), " dims");
    nb::object v = spec.attr("tolist")();
    if (t.dim() == 0) return wrap_tuple(by_sections(self, nb::cast<int64_t>(v)));
    return wrap_tuple(by_indices(self, nb::cast<std::vector<int64_t>>(v)));
  }
  if (PyLong_Check(spec.ptr())) return wrap_tuple(by_sections(self, nb::cast<int64_t>(spec)));
  return wrap_tuple(by_indices(self, *parse_dims(spec)));
}

}  // namespace

void init_stack_split(nb::module_&, nb::module_& fns) {
  auto& cls = tensor_base();
  fns.def("atleast_1d", [](nb::args a) { return atleast(a, 1); });
  fns.def("atleast_2d", [](nb::args a) { return atleast(a, 2); });
  fns.def("atleast_3d", [](nb::args a) { return atleast(a, 3); });
  fns.def("hstack", &hstack, nb::arg("tensors"));
  fns.def("vstack", &vstack, nb::arg("tensors"));
  fns.def("row_stack", &vstack, nb::arg("tensors"));
  fns.def("dstack", &dstack, nb::arg("tensors"));
  fns.def("column_stack", &column_stack, nb::arg("tensors"));

  auto tensor_split_b = [](const Tensor& s, nb::handle spec, int64_t dim) {
    return split_by(
        s, spec, [dim](const Tensor& x, int64_t n) { return tensor_split_sections(x, n, dim); },
        [dim](const Tensor& x, const std::vector<int64_t>& i) {
          return tensor_split_indices(x, i, dim);
        });
  };
  fns.def("tensor_split", tensor_split_b, nb::arg("input"), nb::arg("indices_or_sections"),
          nb::arg("dim") = 0);
  cls.def("tensor_split", tensor_split_b, nb::arg("indices_or_sections"), nb::arg("dim") = 0);
  for (const char* name : {"hsplit", "vsplit", "dsplit"}) {
    const char which = name[0];
    auto b = [which](const Tensor& s, nb::handle spec) {
      return split_by(
          s, spec, [which](const Tensor& x, int64_t n) { return directional_split(x, which, n); },
          [which](const Tensor& x, const std::vector<int64_t>& i) {
            return directional_split(x, which, i);
          });
    };
    fns.def(name, b, nb::arg("input"), nb::arg("indices_or_sections"));
    cls.def(name, b, nb::arg("indices_or_sections"));
  }
  fns.def("ravel", &ravel, nb::arg("input"));
  cls.def("ravel", &ravel);
  auto unflatten_b = [](const Tensor& s, int64_t dim, nb::handle sizes) {
    return unflatten(s, dim, parse_size(sizes));
  };
  fns.def("unflatten", unflatten_b, nb::arg("input"), nb::arg("dim"), nb::arg("sizes"));
  cls.def("unflatten", unflatten_b, nb::arg("dim"), nb::arg("sizes"));
  cls.def_prop_ro("mT", [](const Tensor& s) { return matrix_transpose(s, false); });
  cls.def_prop_ro("mH", [](const Tensor& s) { return matrix_transpose(s, true); });
  cls.def("adjoint", [](const Tensor& s) { return matrix_transpose(s, true); });
  fns.def("adjoint", [](const Tensor& s) { return matrix_transpose(s, true); }, nb::arg("input"));
}

}  // namespace mlxc::py
