// Bindings for shape and view operators.
#include "ops/shape.h"

#include "ops/complex.h"
#include "ops/view.h"
#include "python/bind.h"

namespace mlxc::py {

namespace {

// Accepts view(2, 3), view((2, 3)) and view(torch.Size).
IntArray shape_args(const nb::args& args) { return parse_size(args); }

}  // namespace

void init_shape(nb::module_&, nb::module_& fns) {
  auto& cls = tensor_base();
  cls.def("view", [](const Tensor& s, nb::args shape) {
    MLXC_CHECK(nb::len(shape) > 0, Type, "view() missing required argument 'size'");
    if (nb::len(shape) == 1) {
      if (auto dt = parse_dtype(shape[0])) return view_dtype(s, *dt);
    }
    return view(s, shape_args(shape));
  });
  cls.def("reshape", [](const Tensor& s, nb::args shape) { return reshape(s, shape_args(shape)); });
  fns.def(
      "reshape", [](const Tensor& s, nb::handle shape) { return reshape(s, parse_size(shape)); },
      nb::arg("input"), nb::arg("shape"));
  cls.def("view_as", [](const Tensor& s, const Tensor& o) { return view(s, o.sizes()); });
  cls.def("reshape_as", [](const Tensor& s, const Tensor& o) { return reshape(s, o.sizes()); });
  auto flat = [](const Tensor& s, int64_t a, int64_t b) { return flatten(s, a, b); };
  fns.def("flatten", flat, nb::arg("input"), nb::arg("start_dim") = 0, nb::arg("end_dim") = -1);
  cls.def("flatten", flat, nb::arg("start_dim") = 0, nb::arg("end_dim") = -1);
  auto tr = [](const Tensor& s, int64_t a, int64_t b) { return transpose(s, a, b); };
  fns.def("transpose", tr, nb::arg("input"), nb::arg("dim0"), nb::arg("dim1"));
  cls.def("transpose", tr, nb::arg("dim0"), nb::arg("dim1"));
  fns.def("t", [](const Tensor& s) { return t(s); }, nb::arg("input"));
  cls.def("t", [](const Tensor& s) { return t(s); });
  cls.def_prop_ro("T", [](const Tensor& s) {
    std::vector<int64_t> rev;
    for (int64_t i = s.dim() - 1; i >= 0; --i) rev.push_back(i);
    return permute(s, rev);
  });
  cls.def_prop_ro("mT", [](const Tensor& s) { return transpose(s, -2, -1); });
  fns.def(
      "permute", [](const Tensor& s, nb::handle dims) { return permute(s, *parse_dims(dims)); },
      nb::arg("input"), nb::arg("dims"));
  cls.def("permute", [](const Tensor& s, nb::args dims) {
    IntArray d = parse_size(dims);
    return permute(s, std::vector<int64_t>(d.begin(), d.end()));
  });
  auto unsq = [](const Tensor& s, int64_t d) { return unsqueeze(s, d); };
  fns.def("unsqueeze", unsq, nb::arg("input"), nb::arg("dim"));
  cls.def("unsqueeze", unsq, nb::arg("dim"));
  auto sq = [](const Tensor& s, nb::handle dim) { return squeeze(s, parse_dims(dim)); };
  fns.def("squeeze", sq, nb::arg("input"), nb::arg("dim") = nb::none());
  cls.def("squeeze", sq, nb::arg("dim") = nb::none());
  cls.def("expand", [](const Tensor& s, nb::args sizes) { return expand(s, parse_size(sizes)); });
  cls.def("expand_as", [](const Tensor& s, const Tensor& o) { return expand(s, o.sizes()); });
  auto sel = [](const Tensor& s, int64_t d, int64_t i) { return select(s, d, i); };
  fns.def("select", sel, nb::arg("input"), nb::arg("dim"), nb::arg("index"));
  cls.def("select", sel, nb::arg("dim"), nb::arg("index"));
  auto nar = [](const Tensor& s, int64_t d, int64_t start, int64_t length) {
    return narrow(s, d, start, length);
  };
  fns.def("narrow", nar, nb::arg("input"), nb::arg("dim"), nb::arg("start"), nb::arg("length"));
  cls.def("narrow", nar, nb::arg("dim"), nb::arg("start"), nb::arg("length"));
  auto to_tuple = [](const TensorList& ts) {
    nb::list l;
    for (auto& t : ts) l.append(wrap(t));
    return nb::tuple(l);
  };
  auto split_b = [to_tuple](const Tensor& s, nb::handle size, int64_t dim) {
    if (PyLong_Check(size.ptr())) return to_tuple(split(s, nb::cast<int64_t>(size), dim));
    return to_tuple(split_with_sizes(s, *parse_dims(size), dim));
  };
  fns.def("split", split_b, nb::arg("tensor"), nb::arg("split_size_or_sections"),
          nb::arg("dim") = 0);
  cls.def("split", split_b, nb::arg("split_size"), nb::arg("dim") = 0);
  auto chunk_b = [to_tuple](const Tensor& s, int64_t c, int64_t dim) {
    return to_tuple(chunk(s, c, dim));
  };
  fns.def("chunk", chunk_b, nb::arg("input"), nb::arg("chunks"), nb::arg("dim") = 0);
  cls.def("chunk", chunk_b, nb::arg("chunks"), nb::arg("dim") = 0);
  auto unbind_b = [to_tuple](const Tensor& s, int64_t dim) { return to_tuple(unbind(s, dim)); };
  fns.def("unbind", unbind_b, nb::arg("input"), nb::arg("dim") = 0);
  cls.def("unbind", unbind_b, nb::arg("dim") = 0);
  auto movedim_b = [](const Tensor& s, nb::handle src, nb::handle dst) {
    return movedim(s, *parse_dims(src), *parse_dims(dst));
  };
  fns.def("movedim", movedim_b, nb::arg("input"), nb::arg("source"), nb::arg("destination"));
  cls.def("movedim", movedim_b, nb::arg("source"), nb::arg("destination"));
  fns.def("moveaxis", movedim_b, nb::arg("input"), nb::arg("source"), nb::arg("destination"));
  cls.def("moveaxis", movedim_b, nb::arg("source"), nb::arg("destination"));
  auto diag_b = [](const Tensor& s, int64_t off, int64_t d1, int64_t d2) {
    return diagonal(s, off, d1, d2);
  };
  fns.def("diagonal", diag_b, nb::arg("input"), nb::arg("offset") = 0, nb::arg("dim1") = 0,
          nb::arg("dim2") = 1);
  cls.def("diagonal", diag_b, nb::arg("offset") = 0, nb::arg("dim1") = 0, nb::arg("dim2") = 1);
  cls.def(
      "unfold",
      [](const Tensor& s, int64_t d, int64_t size, int64_t step) {
        return unfold(s, d, size, step);
      },
      nb::arg("dimension"), nb::arg("size"), nb::arg("step"));
  auto as_strided_b = [](const Tensor& s, nb::handle size, nb::handle stride,
                         std::optional<int64_t> off) {
    return as_strided(s, parse_size(size), parse_size(stride), off);
  };
  fns.def("as_strided", as_strided_b, nb::arg("input"), nb::arg("size"), nb::arg("stride"),
          nb::arg("storage_offset") = nb::none());
  cls.def("as_strided", as_strided_b, nb::arg("size"), nb::arg("stride"),
          nb::arg("storage_offset") = nb::none());
  cls.def("contiguous", [](const Tensor& s) { return contiguous(s); });
  fns.def(
      "cat", [](const std::vector<Tensor>& ts, int64_t dim) { return cat(ts, dim); },
      nb::arg("tensors"), nb::arg("dim") = 0);
  fns.def(
      "concat", [](const std::vector<Tensor>& ts, int64_t dim) { return cat(ts, dim); },
      nb::arg("tensors"), nb::arg("dim") = 0);
  fns.def("broadcast_tensors", [](nb::args ts) {
    TensorList list;
    for (nb::handle h : ts) list.push_back(nb::cast<Tensor>(h));
    nb::list out;
    for (auto& t : broadcast_tensors(list)) out.append(wrap(t));
    return nb::tuple(out);
  });
  fns.def(
      "stack", [](const std::vector<Tensor>& ts, int64_t dim) { return stack(ts, dim); },
      nb::arg("tensors"), nb::arg("dim") = 0);
  fns.def(
      "meshgrid",
      [](nb::args ts, nb::handle indexing) {
        TensorList list;
        for (nb::handle h : ts) {
          if (PyList_Check(h.ptr()) || PyTuple_Check(h.ptr())) {
            for (nb::handle x : h) list.push_back(nb::cast<Tensor>(x));
          } else {
            list.push_back(nb::cast<Tensor>(h));
          }
        }
        if (indexing.is_none()) {
          PyErr_WarnEx(PyExc_UserWarning,
                       "torch.meshgrid: in an upcoming release, it will be required to pass the "
                       "indexing argument.",
                       1);
        }
        nb::list out;
        for (auto& t :
             meshgrid(list, indexing.is_none() ? "ij" : nb::cast<std::string>(indexing))) {
          out.append(wrap(t));
        }
        return nb::tuple(out);
      },
      nb::arg("tensors"), nb::kw_only(), nb::arg("indexing") = nb::none());
  fns.def("cartesian_prod", [](nb::args ts) {
    TensorList list;
    for (nb::handle h : ts) list.push_back(nb::cast<Tensor>(h));
    return cartesian_prod(list);
  });
  auto unary = [&](const char* name, Tensor (*f)(const Tensor&)) {
    fns.def(name, [f](const Tensor& s) { return f(s); }, nb::arg("input"));
  };
  unary("view_as_real", &view_as_real);
  unary("view_as_complex", &view_as_complex);
  unary("real", &real);
  unary("imag", &imag);
  cls.def_prop_ro("real", [](const Tensor& s) { return real(s); });
  cls.def_prop_ro("imag", [](const Tensor& s) { return imag(s); });
  fns.def(
      "complex", [](const Tensor& a, const Tensor& b) { return complex(a, b); }, nb::arg("real"),
      nb::arg("imag"));
  fns.def(
      "polar", [](const Tensor& a, const Tensor& b) { return polar(a, b); }, nb::arg("abs"),
      nb::arg("angle"));
}

}  // namespace mlxc::py
