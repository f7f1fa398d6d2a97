// Conversions between Python objects and tensors: operands, dims, sizes,
// dtype/device arguments, torch.tensor() from nested data, numpy and item().
#include <nanobind/ndarray.h>

#include <complex>

#include "core/eval.h"
#include "ops/common.h"
#include "ops/creation.h"
#include "ops/pointwise.h"
#include "python/bind.h"

namespace mlxc::py {

PyTypeObject* g_tensor_base = nullptr;

bool is_tensor(nb::handle h) {
  // Instances created by __new__ without a tensor are not ready: not tensors.
  return g_tensor_base && PyObject_TypeCheck(h.ptr(), g_tensor_base) && nb::inst_ready(h);
}

std::optional<Tensor> try_operand(nb::handle h) {
  if (is_tensor(h)) return unwrap(h);
  PyObject* o = h.ptr();
  if (PyBool_Check(o)) return wrapped_scalar(o == Py_True);
  if (PyLong_Check(o)) {
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
    MLXC_CHECK(!overflow, Runtime, "Overflow when unpacking long");
    return wrapped_scalar(static_cast<int64_t>(v));
  }
  if (PyFloat_Check(o)) return wrapped_scalar(PyFloat_AS_DOUBLE(o));
  if (PyComplex_Check(o)) {
    return wrapped_scalar(
        std::complex<double>(PyComplex_RealAsDouble(o), PyComplex_ImagAsDouble(o)));
  }
  // numpy scalars and 0-d arrays behave as Python numbers.
  if (nb::hasattr(h, "dtype") && nb::hasattr(h, "item") && !nb::hasattr(h, "__len__")) {
    return try_operand(h.attr("item")());
  }
  return std::nullopt;
}

Tensor operand(nb::handle h, const char* what) {
  auto t = try_operand(h);
  if (!t) {
    fail(ErrorKind::Type, what, " must be Tensor or Number, not ", nb::inst_name(h).c_str());
  }
  return *t;
}

std::optional<std::vector<int64_t>> parse_dims(nb::handle h) {
  if (h.is_none()) return std::nullopt;
  if (PyLong_Check(h.ptr())) return std::vector<int64_t>{nb::cast<int64_t>(h)};
  std::vector<int64_t> dims;
  for (nb::handle d : h) dims.push_back(nb::cast<int64_t>(d));
  return dims;
}

IntArray parse_size(nb::handle h) {
  IntArray out;
  if (PyLong_Check(h.ptr()) || is_tensor(h)) {
    out.push_back(nb::cast<int64_t>(h.attr("__index__")()));
    return out;
  }
  nb::sequence seq = nb::borrow<nb::sequence>(h);
  const size_t n = nb::len(seq);
  if (n == 1 && !PyLong_Check(seq[0].ptr()) && !is_tensor(seq[0])) return parse_size(seq[0]);
  for (size_t i = 0; i < n; ++i) {
    nb::handle v = seq[i];
    MLXC_CHECK(PyLong_Check(v.ptr()) || is_tensor(v), Type,
               "size must be tuple of ints, but found element of type ", nb::inst_name(v).c_str(),
               " at pos ", i);
    out.push_back(nb::cast<int64_t>(v.attr("__index__")()));
  }
  return out;
}

std::optional<ScalarType> parse_dtype(nb::handle h) {
  if (h.is_none()) return std::nullopt;
  if (nb::isinstance<DTypeObj>(h)) return nb::cast<DTypeObj&>(h).st;
  if (h.ptr() == reinterpret_cast<PyObject*>(&PyFloat_Type)) return ScalarType::Float64;
  if (h.ptr() == reinterpret_cast<PyObject*>(&PyLong_Type)) return ScalarType::Int64;
  if (h.ptr() == reinterpret_cast<PyObject*>(&PyBool_Type)) return ScalarType::Bool;
  return std::nullopt;
}

Device parse_device_arg(nb::handle h) {
  if (h.is_none()) return Device{};
  if (nb::isinstance<DeviceObj>(h)) return nb::cast<DeviceObj&>(h).d;
  if (PyUnicode_Check(h.ptr())) return parse_device(nb::cast<std::string>(h));
  if (PyLong_Check(h.ptr())) return Device{DeviceType::CUDA, nb::cast<int>(h)};
  fail(ErrorKind::Type, "Expected a torch.device, string or int, got ", nb::inst_name(h).c_str());
}

TensorOptions parse_options(nb::handle dtype, nb::handle device, bool requires_grad,
                            nb::handle out) {
  TensorOptions o;
  if (!dtype.is_none()) {
    o.dtype = parse_dtype(dtype);
    MLXC_CHECK(o.dtype.has_value(), Type, "dtype must be torch.dtype, not ",
               nb::inst_name(dtype).c_str());
  } else if (out.is_valid() && is_tensor(out)) {
    o.dtype = unwrap(out).dtype();  // factories take out's dtype when none is given
  }
  o.device = parse_device_arg(device);
  o.requires_grad = requires_grad;
  return o;
}

nb::object inplace(nb::handle self, const Tensor& result) {
  apply_inplace(unwrap(self), result);
  return nb::borrow(self);
}

nb::object write_out(nb::handle out, const Tensor& r) {
  if (!out.is_valid() || out.is_none()) return wrap(r);
  MLXC_CHECK(is_tensor(out), Type, "argument 'out' must be Tensor, not ",
             nb::inst_name(out).c_str());
  const Tensor& o = unwrap(out);
  if (o.sizes() == r.sizes()) {
    copy_(o, r);
  } else {
    // torch resizes `out` to the result's shape (warning when it held elements).
    if (o.numel() > 0) {
      const std::string msg = str(
          "An output with one or more elements was resized since it had shape ",
          sizes_str(o.sizes()), ", which does not match the required output shape ",
          sizes_str(r.sizes()),
          ". This behavior is deprecated, and in a future PyTorch release "
          "outputs will not be resized unless they have zero elements. You can explicitly reuse "
          "an out tensor t by resizing it, inplace, to zero elements with t.resize_(0).");
      if (PyErr_WarnEx(PyExc_UserWarning, msg.c_str(), 1) < 0) throw nb::python_error();
    }
    TensorImpl& d = *o.impl();
    Tensor fresh = Tensor::from_array(cast(r, o.dtype()), o.dtype(), o.device());
    d.storage = fresh.impl()->storage;
    d.sizes = fresh.sizes();
    d.strides = fresh.strides();
    d.offset = 0;
    d.whole = true;
    d.conj = d.neg = false;
    d.cache.reset();
  }
  return nb::borrow(out);
}

}  // namespace mlxc::py
