// The TensorBase class (mlx_compat.Tensor's C++ base): object identity,
// metadata, host conversion, indexing with ints/slices/None/Ellipsis, and the
// dtype and device types.
#include <nanobind/ndarray.h>

#include "core/eval.h"
#include "core/grad_mode.h"
#include "mlx/ops.h"
#include "mlx/transforms.h"
#include "ops/pointwise.h"
#include "ops/shape.h"
#include "ops/view_grad.h"
#include "python/bind.h"

namespace mlxc::py {

namespace {

// Module-lifetime Python objects; references are held until exit on purpose
// (releasing them after interpreter shutdown would touch freed memory).
nb::handle g_tensor_class_obj;
nb::handle g_size_class;
nb::handle g_dtype_objects[kNumScalarTypes];
nb::class_<TensorSlot>* g_tensor_base_cls = nullptr;

void eval_with_gil_released(std::vector<mx::array>& arrays) {
  if (PyGILState_Check()) {
    nb::gil_scoped_release release;
    mx::eval(arrays);
  } else {
    mx::eval(arrays);
  }
}

mx::array evaluated(const Tensor& t) {
  mx::array v = t.value();
  eval_arrays({v});
  return v;
}

nb::object size_object(const IntArray& sizes) {
  nb::list l;
  for (auto s : sizes) l.append(nb::int_(s));
  if (!g_size_class.is_valid())
    g_size_class = nb::object(nb::module_::import_("mlx_compat._size").attr("Size")).release();
  return g_size_class(nb::tuple(l));
}

nb::dlpack::dtype dl_dtype(ScalarType st) {
  using C = nb::dlpack::dtype_code;
  auto mk = [](C c, int bits) {
    return nb::dlpack::dtype{static_cast<uint8_t>(c), static_cast<uint8_t>(bits), 1};
  };
  switch (st) {
    case ScalarType::Bool:
      return mk(C::Bool, 8);
    case ScalarType::UInt8:
      return mk(C::UInt, 8);
    case ScalarType::Int8:
      return mk(C::Int, 8);
    case ScalarType::Int16:
      return mk(C::Int, 16);
    case ScalarType::Int32:
      return mk(C::Int, 32);
    case ScalarType::Int64:
      return mk(C::Int, 64);
    case ScalarType::Float16:
      return mk(C::Float, 16);
    case ScalarType::Float32:
      return mk(C::Float, 32);
    case ScalarType::Float64:
      return mk(C::Float, 64);
    case ScalarType::Complex64:
      return mk(C::Complex, 64);
    default:
      fail(ErrorKind::Type, "Got unsupported ScalarType ", scalar_type_name(st));
  }
}

// A numpy array over the tensor's evaluated MLX buffer (no copy).
nb::object to_numpy(const Tensor& t) {
  mx::array v = evaluated(t);
  std::vector<size_t> shape(v.shape().begin(), v.shape().end());
  std::vector<int64_t> strides(v.strides().begin(), v.strides().end());
  auto* keep = new mx::array(v);
  nb::capsule owner(keep, [](void* p) noexcept { delete static_cast<mx::array*>(p); });
  nb::ndarray<nb::numpy> arr(keep->data<uint8_t>(), shape.size(), shape.data(), owner,
                             strides.data(), dl_dtype(t.dtype()));
  return arr.cast();
}

nb::object item_of(const Tensor& t) {
  MLXC_CHECK(t.numel() == 1, Runtime, "a Tensor with ", t.numel(),
             " elements cannot be converted to Scalar");
  mx::array v = mx::reshape(t.value(), {});
  const ScalarType st = t.dtype();
  if (st == ScalarType::Bool) {
    eval_arrays({v});
    return nb::bool_(v.item<bool>());
  }
  if (is_complex(st)) {
    eval_arrays({v});
    auto c = v.item<std::complex<float>>();
    return nb::steal(PyComplex_FromDoubles(c.real(), c.imag()));
  }
  if (is_floating(st)) {
    mx::array d = mx::astype(v, mx::float64);
    eval_arrays({d});
    return nb::float_(d.item<double>());
  }
  mx::array i = mx::astype(v, mx::int64);
  eval_arrays({i});
  return nb::int_(i.item<int64_t>());
}

nb::object tolist_of(const Tensor& t) {
  Tensor h = t.dtype() == ScalarType::BFloat16 ? to_dtype(t, ScalarType::Float32) : t;
  if (t.dim() == 0) return item_of(t);
  return to_numpy(h).attr("tolist")();
}

void check_requires_grad_dtype(const Tensor& t, bool flag) {
  MLXC_CHECK(!flag || is_floating(t.dtype()) || is_complex(t.dtype()), Runtime,
             "only Tensors of floating point and complex dtype can require gradients");
  MLXC_CHECK(!flag || !t.impl()->storage->inference || InferenceMode::is_enabled(), Runtime,
             "Setting requires_grad=True on inference tensor outside InferenceMode is not "
             "allowed.");
}

Tensor convert_to(const Tensor& self, std::optional<ScalarType> dtype, const Device& device,
                  bool copy) {
  resolve_device(device);
  Tensor r = to_dtype(self, dtype ? *dtype : self.dtype(), copy);
  return r;
}

}  // namespace

nb::handle tensor_class() { return g_tensor_class_obj; }
nb::class_<TensorSlot>& tensor_base() { return *g_tensor_base_cls; }

nb::tuple wrap_tuple(const TensorList& ts) {
  nb::list l;
  for (const Tensor& t : ts) l.append(wrap(t));
  return nb::tuple(l);
}

nb::object wrap_as(Tensor t, nb::handle cls) {
  nb::object o = nb::inst_alloc(cls);
  TensorSlot* s = nb::inst_ptr<TensorSlot>(o);
  new (s) TensorSlot{std::move(t), o.ptr()};
  nb::inst_mark_ready(o);
  if (!s->t.impl()->pyobj) s->t.impl()->pyobj = o.ptr();
  return o;
}

nb::object wrap(Tensor t) {
  if (!t.defined()) return nb::none();
  if (void* p = t.impl()->pyobj) return nb::borrow(static_cast<PyObject*>(p));
  return wrap_as(std::move(t), g_tensor_class_obj.is_valid() ? g_tensor_class_obj.ptr()
                                                             : (PyObject*)g_tensor_base);
}

nb::object dtype_object(ScalarType st) { return nb::borrow(g_dtype_objects[static_cast<int>(st)]); }

nb::object device_object(const Device& d) { return nb::cast(DeviceObj{d}); }

void init_tensor(nb::module_& m) {
  set_eval_hook(&eval_with_gil_released);

  nb::class_<DTypeObj>(m, "dtype")
      .def_prop_ro("is_floating_point", [](const DTypeObj& d) { return is_floating(d.st); })
      .def_prop_ro("is_complex", [](const DTypeObj& d) { return is_complex(d.st); })
      .def_prop_ro("is_signed", [](const DTypeObj& d) { return is_signed(d.st); })
      .def_prop_ro("itemsize", [](const DTypeObj& d) { return itemsize(d.st); })
      .def("__repr__", [](const DTypeObj& d) { return std::string("torch.") + dtype_name(d.st); })
      .def("__reduce__", [](const DTypeObj& d) { return std::string(dtype_name(d.st)); });
  for (int i = 0; i < kNumScalarTypes; ++i) {
    const auto st = static_cast<ScalarType>(i);
    g_dtype_objects[i] = nb::cast(DTypeObj{st}).release();
    m.attr(dtype_name(st)) = g_dtype_objects[i];
  }

  nb::class_<DeviceObj>(m, "device")
      .def(
          "__init__",
          [](DeviceObj* self, nb::handle type, std::optional<int> index) {
            Device d = nb::isinstance<DeviceObj>(type) ? nb::cast<DeviceObj&>(type).d
                       : PyLong_Check(type.ptr())
                           ? Device{DeviceType::CUDA, nb::cast<int>(type)}
                           : parse_device(nb::cast<std::string>(type), index ? *index : -1);
            new (self) DeviceObj{d};
          },
          nb::arg("type"), nb::arg("index") = nb::none())
      .def_prop_ro("type", [](const DeviceObj& d) { return device_type_name(d.d.type); })
      .def_prop_ro("index",
                   [](const DeviceObj& d) -> std::optional<int> {
                     if (d.d.index < 0) return std::nullopt;
                     return d.d.index;
                   })
      .def("__str__", [](const DeviceObj& d) { return device_str(d.d); })
      .def("__repr__",
           [](const DeviceObj& d) {
             std::string s = "device(type='" + device_type_name(d.d.type) + "'";
             if (d.d.index >= 0) s += ", index=" + std::to_string(d.d.index);
             return s + ")";
           })
      .def("__eq__",
           [](const DeviceObj& a, nb::handle b) {
             if (nb::isinstance<DeviceObj>(b)) return a.d == nb::cast<DeviceObj&>(b).d;
             return false;
           })
      .def("__hash__",
           [](const DeviceObj& d) { return static_cast<int64_t>(d.d.type) * 1000 + d.d.index; });

  // torch.UntypedStorage: the bytes a tensor and its views share.
  struct StorageRef {
    std::shared_ptr<Storage> storage;
  };
  nb::class_<StorageRef>(m, "UntypedStorage")
      .def("data_ptr",
           [](const StorageRef& r) { return reinterpret_cast<uintptr_t>(r.storage.get()); })
      .def("nbytes", [](const StorageRef& r) { return r.storage->data.nbytes(); })
      .def("size", [](const StorageRef& r) { return r.storage->data.nbytes(); })
      .def("__len__", [](const StorageRef& r) { return r.storage->data.nbytes(); })
      .def("element_size", [](const StorageRef&) { return 1; })
      .def("__eq__",
           [](const StorageRef& a, nb::handle b) {
             return nb::isinstance<StorageRef>(b) && nb::cast<StorageRef&>(b).storage == a.storage;
           })
      .def("__hash__",
           [](const StorageRef& r) { return reinterpret_cast<intptr_t>(r.storage.get()); });

  static nb::class_<TensorSlot> cls(m, "TensorBase");
  g_tensor_base_cls = &cls;
  g_tensor_base = reinterpret_cast<PyTypeObject*>(cls.ptr());

  // MLX interop: mx.array objects cross as values (MLX arrays are immutable, so
  // neither direction copies data; a tensor view is materialised by MLX lazily).
  m.def("_from_mlx", [](const mx::array& a) { return Tensor::from_array(a); }, nb::arg("array"));
  cls.def("__mlx_array__", [](const Tensor& t) { return t.value(); });
  m.def("_device_available",
        [](const std::string& type) { return device_available(parse_device(type).type); });
  m.def("_device_count",
        [](const std::string& type) { return device_count(parse_device(type).type); });
  m.def("_get_default_dtype", []() { return default_float_dtype(); });
  m.def("_set_default_dtype", [](ScalarType st) { set_default_float_dtype(st); });
  m.def("_set_tensor_class", [](nb::handle c) { g_tensor_class_obj = c.inc_ref(); });
  m.def("_eval_count", []() { return eval_count(); });
  m.def("_eval_step", [](const std::vector<nb::handle>& ts) {
    TensorList list;
    for (auto h : ts) {
      if (is_tensor(h)) list.push_back(unwrap(h));
    }
    eval_tensors(list);
  });

  cls.def_static(
         "_make_subclass",
         [](nb::handle sub, const Tensor& data, bool require_grad) {
           check_requires_grad_dtype(data, require_grad);
           Tensor alias = detach_alias(data);
           alias.impl()->requires_grad = require_grad;
           return wrap_as(alias, sub);
         },
         nb::arg("cls"), nb::arg("data"), nb::arg("require_grad") = false)
      .def_prop_ro("shape", [](const Tensor& t) { return size_object(t.sizes()); })
      .def(
          "size",
          [](const Tensor& t, std::optional<int64_t> dim) -> nb::object {
            if (dim) return nb::int_(t.size(*dim));
            return size_object(t.sizes());
          },
          nb::arg("dim") = nb::none())
      .def(
          "stride",
          [](const Tensor& t, std::optional<int64_t> dim) -> nb::object {
            if (dim) return nb::int_(t.strides()[wrap_dim(*dim, t.dim())]);
            nb::list l;
            for (auto s : t.strides()) l.append(nb::int_(s));
            return nb::tuple(l);
          },
          nb::arg("dim") = nb::none())
      .def("storage_offset", [](const Tensor& t) { return t.offset(); })
      .def("is_contiguous", [](const Tensor& t) { return t.is_contiguous(); })
      .def("dim", [](const Tensor& t) { return t.dim(); })
      .def("ndimension", [](const Tensor& t) { return t.dim(); })
      .def_prop_ro("ndim", [](const Tensor& t) { return t.dim(); })
      .def("numel", [](const Tensor& t) { return t.numel(); })
      .def("nelement", [](const Tensor& t) { return t.numel(); })
      .def("element_size", [](const Tensor& t) { return itemsize(t.dtype()); })
      .def_prop_ro("dtype", [](const Tensor& t) { return dtype_object(t.dtype()); })
      .def_prop_ro("device", [](const Tensor& t) { return device_object(t.device()); })
      .def_prop_ro("is_cuda", [](const Tensor& t) { return t.device().type == DeviceType::CUDA; })
      .def_prop_ro("_version",
                   [](const Tensor& t) {
                     MLXC_CHECK(!t.impl()->storage->inference, Runtime,
                                "Inference tensors do not track version counter.");
                     return tracked_version(*t.impl()->storage);
                   })
      .def_prop_ro("_base", [](const Tensor& t) { return Tensor(t.impl()->base); })
      .def("data_ptr",
           [](const Tensor& t) -> uintptr_t {
             if (t.numel() == 0) return 0;  // torch: an empty tensor has no data
             // Storage identity plus the byte offset, stable for the storage's life.
             return reinterpret_cast<uintptr_t>(t.impl()->storage.get()) +
                    static_cast<uintptr_t>(t.offset() * itemsize(t.dtype()));
           })
      .def("is_floating_point", [](const Tensor& t) { return is_floating(t.dtype()); })
      .def("is_signed", [](const Tensor& t) { return is_signed(t.dtype()); })
      .def("untyped_storage", [](const Tensor& t) { return StorageRef{t.impl()->storage}; })
      .def("is_complex", [](const Tensor& t) { return is_complex(t.dtype()); })
      .def("item", &item_of)
      .def("tolist", &tolist_of)
      .def(
          "numpy",
          [](const Tensor& t, bool force) {
            MLXC_CHECK(force || !t.requires_grad(), Runtime,
                       "Can't call numpy() on Tensor that requires grad. Use "
                       "tensor.detach().numpy() instead.");
            MLXC_CHECK(force || !t.impl()->conj, Runtime,
                       "Can't call numpy() on Tensor that has conjugate bit set. Use "
                       "tensor.resolve_conj().numpy() instead.");
            MLXC_CHECK(force || !t.impl()->neg, Runtime,
                       "Can't call numpy() on Tensor that has negative bit set. Use "
                       "tensor.resolve_neg().numpy() instead.");
            return to_numpy(t);
          },
          nb::kw_only(), nb::arg("force") = false)
      .def("__len__",
           [](const Tensor& t) {
             MLXC_CHECK(t.dim() > 0, Type, "len() of a 0-d tensor");
             return t.sizes()[0];
           })
      .def("__bool__",
           [](const Tensor& t) {
             MLXC_CHECK(t.numel() == 1, Runtime,
                        "Boolean value of Tensor with more than one value is ambiguous");
             return nb::cast<bool>(nb::bool_(item_of(t)));
           })
      .def("__float__",
           [](const Tensor& t) {
             MLXC_CHECK(t.numel() == 1, Value,
                        "only one element tensors can be converted to Python scalars");
             return nb::cast<double>(nb::float_(item_of(t)));
           })
      .def("__int__",
           [](const Tensor& t) {
             MLXC_CHECK(t.numel() == 1, Value,
                        "only one element tensors can be converted to Python scalars");
             return nb::int_(item_of(t));
           })
      .def("__index__",
           [](const Tensor& t) {
             MLXC_CHECK(t.numel() == 1 && is_integral(t.dtype(), true), Type,
                        "only integer tensors of a single element can be converted to an index");
             return nb::int_(item_of(t));
           })
      .def("__hash__", [](nb::handle self) { return reinterpret_cast<intptr_t>(self.ptr()) >> 4; })
      // Autograd metadata.
      .def_prop_rw(
          "requires_grad",
          [](const Tensor& t) {
            // A restricted view keeps its history (See Note [View creation meta]).
            if (t.impl()->creation_meta == CreationMeta::Default) refresh_view_history(t);
            return t.requires_grad();
          },
          [](const Tensor& t, bool flag) {
            MLXC_CHECK(t.is_leaf() || flag, Runtime,
                       "you can only change requires_grad flags of leaf variables. If you want to "
                       "use a computed variable in a subgraph that doesn't require "
                       "differentiation use var_no_grad = var.detach().");
            check_requires_grad_dtype(t, flag);
            if (t.is_leaf()) t.impl()->requires_grad = flag;
          })
      .def(
          "requires_grad_",
          [](nb::handle self, bool flag) {
            const Tensor& t = unwrap(self);
            MLXC_CHECK(t.is_leaf() || flag, Runtime,
                       "you can only change requires_grad flags of leaf variables. If you want "
                       "to use a computed variable in a subgraph that doesn't require "
                       "differentiation use var_no_grad = var.detach().");
            check_requires_grad_dtype(t, flag);
            if (t.is_leaf()) t.impl()->requires_grad = flag;
            return nb::borrow(self);
          },
          nb::arg("requires_grad") = true)
      .def_prop_rw(
          "grad", [](const Tensor& t) { return t.grad(); },
          [](const Tensor& t, std::optional<Tensor> g) {
            if (g && g->defined()) {
              MLXC_CHECK(g->dtype() == t.dtype(), Runtime,
                         "assigned grad has data of a different type");
              MLXC_CHECK(g->sizes() == t.sizes(), Runtime,
                         "assigned grad has data of a different size");
              t.impl()->grad = g->impl_ptr();
            } else {
              t.impl()->grad.reset();
            }
          },
          nb::arg("grad").none())
      .def_prop_ro("is_leaf",
                   [](const Tensor& t) {
                     t.check_view_version();
                     if (t.impl()->creation_meta == CreationMeta::Default) refresh_view_history(t);
                     return t.is_leaf();
                   })
      .def_prop_ro("retains_grad", [](const Tensor& t) { return t.impl()->retains_grad; })
      .def("retain_grad",
           [](const Tensor& t) {
             t.check_view_version();
             MLXC_CHECK(t.requires_grad(), Runtime,
                        "can't retain_grad on Tensor that has requires_grad=False");
             if (t.is_leaf() || t.impl()->retains_grad) return;
             t.impl()->retains_grad = true;
             t.grad_fn()->retained.emplace_back(t.impl()->output_nr, t.impl_ptr());
           })
      .def_prop_ro("output_nr", [](const Tensor& t) { return t.impl()->output_nr; })
      .def_prop_rw(
          "data",
          [](const Tensor& t) {
            // torch gives .data its own version counter: writes through it are
            // not seen as in-place changes of t.
            Tensor d = detach_alias(t);
            d.impl()->data_alias = true;
            return d;
          },
          [](const Tensor& t, const Tensor& src) { share_data_of(t, src); })
      .def("detach", [](const Tensor& t) { return detach_alias(t); })
      .def("detach_",
           [](nb::handle self) {
             const Tensor& t = unwrap(self);
             MLXC_CHECK(!t.impl()->is_view, Runtime,
                        "Can't detach views in-place. Use detach() instead. If you are using "
                        "DistributedDataParallel (DDP) for training, and gradient_as_bucket_view "
                        "is set as True, gradients are views of DDP buckets, and hence detach_() "
                        "cannot be called on these gradients. To fix this error, please refer to "
                        "the Optimizer.zero_grad() function in torch/optim/optimizer.py as the "
                        "solution.");
             t.impl()->grad_fn.reset();
             t.impl()->requires_grad = false;
             return nb::borrow(self);
           })
      .def(
          "_to",
          [](const Tensor& t, nb::handle dtype, nb::handle device, bool copy) {
            return convert_to(t, parse_dtype(dtype), parse_device_arg(device), copy);
          },
          nb::arg("dtype").none(), nb::arg("device").none(), nb::arg("copy") = false);
}

}  // namespace mlxc::py
