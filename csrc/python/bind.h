// Python <-> C++ conversion for the binding layer: the Tensor, dtype and device
// casters, Python numbers as wrapped scalars, and argument helpers.
#pragma once

#include <nanobind/nanobind.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "core/tensor.h"
#include "ops/creation.h"

namespace nb = nanobind;

namespace mlxc::py {

// The C++ payload of a Python tensor object.
struct TensorSlot {
  Tensor t;
  PyObject* self = nullptr;
  ~TensorSlot() {
    if (t.defined() && t.impl()->pyobj == self) t.impl()->pyobj = nullptr;
  }
};

struct DTypeObj {
  ScalarType st;
};
struct DeviceObj {
  Device d;
};

extern PyTypeObject* g_tensor_base;
bool is_tensor(nb::handle h);
inline const Tensor& unwrap(nb::handle h) { return nb::inst_ptr<TensorSlot>(h)->t; }
// The Python object for t (the existing one if t already has one).
nb::object wrap(Tensor t);
// A new Python object of class `cls` (a TensorBase subclass) holding t.
nb::object wrap_as(Tensor t, nb::handle cls);
// A tuple of tensors, as torch returns from split, unbind, broadcast_tensors, ...
nb::tuple wrap_tuple(const TensorList& ts);
nb::object dtype_object(ScalarType st);
nb::object device_object(const Device& d);

// A tensor or Python number as an operand (numbers become wrapped scalars).
std::optional<Tensor> try_operand(nb::handle h);
Tensor operand(nb::handle h, const char* what = "argument");
// Optional int / int-sequence dims argument.
std::optional<std::vector<int64_t>> parse_dims(nb::handle h);
// Sizes from either varargs ints or a single sequence.
IntArray parse_size(nb::handle args_or_seq);
TensorOptions parse_options(nb::handle dtype, nb::handle device, bool requires_grad,
                            nb::handle out = nb::handle());
// Returns r, or writes it into `out` (resizing it as torch does) and returns out.
nb::object write_out(nb::handle out, const Tensor& r);
// Writes `result` into self (a derived in-place variant; self takes result's
// history) and returns self's object.
nb::object inplace(nb::handle self, const Tensor& result);
std::optional<ScalarType> parse_dtype(nb::handle h);
Device parse_device_arg(nb::handle h);

// Registration functions, one per binding file.
void init_tensor(nb::module_& m);
void init_pointwise(nb::module_& m, nb::module_& fns);
void init_reduce(nb::module_& m, nb::module_& fns);
void init_shape(nb::module_& m, nb::module_& fns);
void init_linalg(nb::module_& m, nb::module_& fns);
void init_nn(nb::module_& m, nb::module_& fns);
void init_index(nb::module_& m, nb::module_& fns);
void init_binary(nb::module_& m, nb::module_& fns);
void init_sort(nb::module_& m, nb::module_& fns);
void init_stack_split(nb::module_& m, nb::module_& fns);
void init_numeric(nb::module_& m, nb::module_& fns);
void init_view_scatter(nb::module_& m, nb::module_& fns);
void init_view_inplace(nb::module_& m, nb::module_& fns);
void init_mlx_transforms(nb::module_& m);
void init_creation(nb::module_& m, nb::module_& fns);
void init_linalg_ns(nb::module_& m, nb::module_& fns);
void init_special(nb::module_& m, nb::module_& fns);
void init_fft(nb::module_& m, nb::module_& fns);
void init_conv_pool(nb::module_& m, nb::module_& fns);
void init_sampling(nb::module_& m, nb::module_& fns);
void init_misc_ops(nb::module_& m, nb::module_& fns);
void init_autograd(nb::module_& m);
void init_custom_function(nb::module_& m);
void init_errors(nb::module_& m);

// The Python class used for tensors built in C++ (mlx_compat.Tensor).
nb::handle tensor_class();
nb::class_<TensorSlot>& tensor_base();

}  // namespace mlxc::py

namespace nanobind::detail {

template <>
struct type_caster<mlxc::Tensor> {
  NB_TYPE_CASTER(mlxc::Tensor, const_name("mlx_compat.Tensor"))
  bool from_python(handle src, uint8_t, cleanup_list*) noexcept {
    // An instance made by __new__ alone holds no tensor: reject it.
    if (!mlxc::py::is_tensor(src)) return false;
    value = mlxc::py::unwrap(src);
    return true;
  }
  static handle from_cpp(const mlxc::Tensor& t, rv_policy, cleanup_list*) noexcept {
    try {
      return mlxc::py::wrap(t).release();
    } catch (...) {
      return handle();
    }
  }
};

template <>
struct type_caster<mlxc::ScalarType> {
  NB_TYPE_CASTER(mlxc::ScalarType, const_name("mlx_compat.dtype"))
  bool from_python(handle src, uint8_t, cleanup_list*) noexcept {
    auto st = mlxc::py::parse_dtype(src);
    if (!st) return false;
    value = *st;
    return true;
  }
  static handle from_cpp(mlxc::ScalarType st, rv_policy, cleanup_list*) noexcept {
    return mlxc::py::dtype_object(st).release();
  }
};

}  // namespace nanobind::detail
