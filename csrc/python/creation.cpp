// Bindings for factories, torch.tensor() from Python data, from_numpy, random
// sampling and torch.Generator.
#include <nanobind/ndarray.h>
#include <nanobind/stl/shared_ptr.h>

#include <complex>

#include "ops/pointwise.h"
#include "ops/random.h"
#include "ops/shape.h"
#include "python/bind.h"

namespace mlxc::py {

namespace {

// A seed as torch takes it: anything int() converts, in [-2**63, 2**64), negative
// values taken modulo 2**64.
uint64_t parse_seed(nb::handle h) {
  nb::object v = nb::steal(PyNumber_Long(h.ptr()));
  if (!v.is_valid()) throw nb::python_error();
  int overflow = 0;
  const long long s = PyLong_AsLongLongAndOverflow(v.ptr(), &overflow);
  if (overflow == 0) return static_cast<uint64_t>(s);
  if (overflow > 0) {
    const unsigned long long u = PyLong_AsUnsignedLongLong(v.ptr());
    if (!PyErr_Occurred()) return u;
    PyErr_Clear();
  }
  fail(ErrorKind::Value, "Overflow when unpacking long long");
}

// --- torch.tensor(data): nested sequences of numbers -----------------------

enum class Kind { Bool = 0, Int = 1, Float = 2, Complex = 3 };

struct Parsed {
  IntArray shape;
  std::vector<std::complex<double>> values;  // widest representation
  std::vector<int64_t> ints;                 // exact integers when kind <= Int
  Kind kind = Kind::Bool;
  bool any = false;
  std::optional<ScalarType> dtype;  // torch's inference: promote_types over the elements
};

std::optional<ScalarType> numpy_dtype(nb::handle arr);

// Records one element: its value and its contribution to the inferred dtype.
void note_dtype(Parsed& p, ScalarType t) { p.dtype = p.dtype ? promote_types(*p.dtype, t) : t; }

bool is_sequence(nb::handle h) {
  return PyList_Check(h.ptr()) || PyTuple_Check(h.ptr()) ||
         (nb::hasattr(h, "__len__") && nb::hasattr(h, "__getitem__") && !PyUnicode_Check(h.ptr()) &&
          !is_tensor(h));
}

void add_scalar(Parsed& p, nb::handle h) {
  PyObject* o = h.ptr();
  Kind k;
  std::complex<double> v;
  int64_t iv = 0;
  if (is_tensor(h)) {
    const Tensor& t = unwrap(h);
    MLXC_CHECK(t.numel() == 1, Value,
               "only one element tensors can be converted to Python scalars");
    nb::object item = h.attr("item")();
    const auto before = p.dtype;
    add_scalar(p, item);
    p.dtype = before;
    note_dtype(p, t.dtype());
    return;
  }
  if (nb::hasattr(h, "item") && nb::hasattr(h, "dtype")) {
    // numpy scalar: its own dtype takes part in inference.
    auto st = numpy_dtype(h);
    const auto before = p.dtype;
    add_scalar(p, h.attr("item")());
    if (st) {
      p.dtype = before;
      note_dtype(p, *st);
    }
    return;
  }
  if (PyBool_Check(o)) {
    k = Kind::Bool;
    iv = o == Py_True;
    v = static_cast<double>(iv);
  } else if (PyLong_Check(o)) {
    int overflow = 0;
    iv = PyLong_AsLongLongAndOverflow(o, &overflow);
    MLXC_CHECK(!overflow, Runtime, "Overflow when unpacking long");
    k = Kind::Int;
    v = static_cast<double>(iv);
  } else if (PyFloat_Check(o)) {
    k = Kind::Float;
    v = PyFloat_AS_DOUBLE(o);
  } else if (PyComplex_Check(o)) {
    k = Kind::Complex;
    v = {PyComplex_RealAsDouble(o), PyComplex_ImagAsDouble(o)};
  } else {
    fail(ErrorKind::Type, "new(): invalid data type '", nb::inst_name(h).c_str(), "'");
  }
  p.kind = static_cast<Kind>(std::max(static_cast<int>(p.kind), static_cast<int>(k)));
  p.any = true;
  switch (k) {
    case Kind::Bool:
      note_dtype(p, ScalarType::Bool);
      break;
    case Kind::Int:
      note_dtype(p, ScalarType::Int64);
      break;
    case Kind::Float:
      note_dtype(p, default_float_dtype());
      break;
    default:
      note_dtype(p, to_complex(default_float_dtype()));
  }
  p.values.push_back(v);
  p.ints.push_back(iv);
}

void walk(Parsed& p, nb::handle h, size_t depth) {
  if (!is_sequence(h)) {
    MLXC_CHECK(depth == p.shape.size(), Value, "expected sequence of length ",
               depth < p.shape.size() ? p.shape[depth] : 0, " at dim ", depth, " (got ",
               nb::inst_name(h).c_str(), ")");
    add_scalar(p, h);
    return;
  }
  const int64_t n = static_cast<int64_t>(nb::len(h));
  if (depth == p.shape.size()) {
    MLXC_CHECK(p.values.empty(), Value, "expected a number at dim ", depth);
    p.shape.push_back(n);
  } else {
    MLXC_CHECK(p.shape[depth] == n, Value, "expected sequence of length ", p.shape[depth],
               " at dim ", depth, " (got ", n, ")");
  }
  for (int64_t i = 0; i < n; ++i) walk(p, h[i], depth + 1);
}

std::optional<ScalarType> numpy_dtype(nb::handle arr) {
  nb::str name = nb::steal<nb::str>(PyObject_Str(arr.attr("dtype").ptr()));
  const std::string s = name.c_str();
  static const std::pair<const char*, ScalarType> table[] = {
      {"float64", ScalarType::Float64}, {"float32", ScalarType::Float32},
      {"float16", ScalarType::Float16}, {"int64", ScalarType::Int64},
      {"int32", ScalarType::Int32},     {"int16", ScalarType::Int16},
      {"int8", ScalarType::Int8},       {"uint8", ScalarType::UInt8},
      {"bool", ScalarType::Bool},       {"complex64", ScalarType::Complex64}};
  for (auto& [name, st] : table) {
    if (s == name) return st;
  }
  return std::nullopt;
}

bool is_numpy_array(nb::handle h) {
  return nb::hasattr(h, "__array_interface__") && nb::hasattr(h, "dtype") &&
         nb::hasattr(h, "shape");
}

Tensor from_numpy_array(nb::handle arr) {
  auto st = numpy_dtype(arr);
  MLXC_CHECK(st.has_value(), Type, "can't convert np.ndarray of type numpy.",
             nb::steal<nb::str>(PyObject_Str(arr.attr("dtype").ptr())).c_str(),
             ". The only supported types are: float64, float32, float16, complex64, int64, int32, "
             "int16, int8, uint8, and bool.");
  nb::object np = nb::module_::import_("numpy");
  nb::object c = np.attr("asarray")(arr, nb::arg("order") = "C");
  IntArray shape;
  for (nb::handle d : c.attr("shape")) shape.push_back(nb::cast<int64_t>(d));
  nb::object addr = c.attr("ctypes").attr("data");
  const void* ptr = PyLong_AsVoidPtr(addr.ptr());
  return from_buffer(ptr, shape, *st);
}

Tensor tensor_from_data(nb::handle data, std::optional<ScalarType> dtype) {
  if (is_tensor(data)) {
    Tensor t = detach_alias(unwrap(data));
    return dtype ? to_dtype(t, *dtype, true) : clone(t);
  }
  if (is_numpy_array(data) && !PyList_Check(data.ptr())) {
    Tensor t = from_numpy_array(data);
    return dtype ? to_dtype(t, *dtype) : t;
  }
  Parsed p;
  walk(p, data, 0);
  const ScalarType inferred = p.dtype ? *p.dtype : default_float_dtype();
  const ScalarType st = dtype ? *dtype : inferred;
  const mx::Shape shape = to_shape(p.shape);
  mx::array a = mx::array(0);
  if (p.kind == Kind::Complex) {
    std::vector<float> re, im;
    for (auto& v : p.values) {
      re.push_back(static_cast<float>(v.real()));
      im.push_back(static_cast<float>(v.imag()));
    }
    a = mx::add(mx::astype(mx::array(re.begin(), shape, mx::float32), mx::complex64),
                mx::multiply(mx::array(im.begin(), shape, mx::float32),
                             mx::array(std::complex<float>(0.0f, 1.0f))));
  } else if (p.kind == Kind::Float || is_floating(st)) {
    std::vector<double> dv;
    dv.reserve(p.values.size());
    for (auto& v : p.values) dv.push_back(v.real());
    a = mx::array(dv.begin(), shape, mx::float64);
  } else {
    a = mx::array(p.ints.begin(), shape, mx::int64);
  }
  if (a.dtype() != to_mlx(st)) a = mx::astype(a, to_mlx(st));
  return Tensor::from_array(a, st);
}

std::shared_ptr<Generator> gen_arg(nb::handle h) {
  if (h.is_none()) return nullptr;
  return nb::cast<std::shared_ptr<Generator>>(h);
}

#define MLXC_FACTORY_KW                                                              \
  nb::arg("size"), nb::arg("generator") = nb::none(), nb::arg("out") = nb::none(),   \
                   nb::arg("dtype") = nb::none(), nb::arg("layout") = nb::none(),    \
                   nb::arg("device") = nb::none(), nb::arg("requires_grad") = false, \
                   nb::arg("pin_memory") = false

using SizeFactory = Tensor (*)(const IntArray&, const TensorOptions&);

template <SizeFactory F>
nb::object size_factory(nb::args size, nb::handle, nb::handle out, nb::handle dtype, nb::handle,
                        nb::handle device, bool rg, bool) {
  return write_out(out, F(parse_size(size), parse_options(dtype, device, rg, out)));
}

}  // namespace

void init_creation(nb::module_& m, nb::module_& fns) {
  nb::class_<Generator>(m, "Generator")
      .def(
          "__init__",
          [](Generator* g, nb::handle device) {
            resolve_device(parse_device_arg(device));
            new (g) Generator();
          },
          nb::arg("device") = "cpu")
      .def(
          "manual_seed",
          [](nb::handle self, nb::handle seed) {
            nb::cast<Generator&>(self).set_seed(parse_seed(seed));
            return nb::borrow(self);
          },
          nb::arg("seed"))
      .def("initial_seed", [](const Generator& g) { return g.seed(); })
      .def("seed", [](Generator& g) { return g.reseed_random(); })
      .def_prop_ro("device", [](const Generator&) { return device_object(Device{}); })
      .def("get_state",
           [](const Generator& g) {
             auto bytes = g.get_state();
             return from_buffer(bytes.data(), IntArray{static_cast<int64_t>(bytes.size())},
                                ScalarType::UInt8);
           })
      .def(
          "set_state",
          [](nb::handle self, const Tensor& state) {
            MLXC_CHECK(state.dtype() == ScalarType::UInt8 && state.dim() == 1, Type,
                       "expected a torch.ByteTensor, but got ", legacy_type_name(state.dtype()));
            nb::object arr = wrap(state).attr("numpy")();
            nb::bytes raw = nb::borrow<nb::bytes>(arr.attr("tobytes")());
            const auto* p = reinterpret_cast<const uint8_t*>(raw.c_str());
            nb::cast<Generator&>(self).set_state(std::vector<uint8_t>(p, p + raw.size()));
            return nb::borrow(self);
          },
          nb::arg("new_state"));
  m.attr("default_generator") = nb::cast(default_generator());
  fns.def(
      "manual_seed",
      [](nb::handle seed) {
        default_generator()->set_seed(parse_seed(seed));
        return default_generator();
      },
      nb::arg("seed"));
  fns.def("initial_seed", []() { return default_generator()->seed(); });
  fns.def("seed", []() { return default_generator()->reseed_random(); });

  fns.def("zeros", &size_factory<zeros>, MLXC_FACTORY_KW);
  fns.def("ones", &size_factory<ones>, MLXC_FACTORY_KW);
  fns.def("empty", &size_factory<empty>, MLXC_FACTORY_KW);
  fns.def(
      "full",
      [](nb::handle size, nb::handle value, nb::handle out, nb::handle dtype, nb::handle device,
         bool rg) {
        return write_out(out, full(parse_size(size), operand(value, "fill_value"),
                                   parse_options(dtype, device, rg, out)));
      },
      nb::arg("size"), nb::arg("fill_value"), nb::kw_only(), nb::arg("out") = nb::none(),
      nb::arg("dtype") = nb::none(), nb::arg("device") = nb::none(),
      nb::arg("requires_grad") = false);
  fns.def(
      "rand",
      [](nb::args size, nb::handle gen, nb::handle out, nb::handle dtype, nb::handle,
         nb::handle device, bool rg, bool) {
        return write_out(
            out, rand(parse_size(size), gen_arg(gen), parse_options(dtype, device, rg, out)));
      },
      MLXC_FACTORY_KW);
  fns.def(
      "randn",
      [](nb::args size, nb::handle gen, nb::handle out, nb::handle dtype, nb::handle,
         nb::handle device, bool rg, bool) {
        return write_out(
            out, randn(parse_size(size), gen_arg(gen), parse_options(dtype, device, rg, out)));
      },
      MLXC_FACTORY_KW);
  fns.def(
      "randperm",
      [](int64_t n, nb::handle gen, nb::handle out, nb::handle dtype, nb::handle device, bool rg) {
        return write_out(out, randperm(n, gen_arg(gen), parse_options(dtype, device, rg, out)));
      },
      nb::arg("n"), nb::kw_only(), nb::arg("generator") = nb::none(), nb::arg("out") = nb::none(),
      nb::arg("dtype") = nb::none(), nb::arg("device") = nb::none(),
      nb::arg("requires_grad") = false);
  fns.def(
      "randint",
      [](nb::args args, nb::handle low, nb::handle high, nb::handle size, nb::handle gen,
         nb::handle out, nb::handle dtype, nb::handle device, bool rg) -> nb::object {
        const size_t n = nb::len(args);
        // Accepts (high, size), (low, high, size) and the keywords low=, high=, size=.
        std::vector<nb::handle> pos(args.begin(), args.end());
        if (!size.is_none()) pos.push_back(size);
        if (!high.is_none()) pos.insert(pos.end() - (size.is_none() ? 0 : 1), high);
        if (!low.is_none()) pos.insert(pos.begin(), low);
        (void)n;
        MLXC_CHECK(pos.size() == 2 || pos.size() == 3, Type,
                   "randint() received an invalid combination of arguments: expected (high, size) "
                   "or (low, high, size)");
        const int64_t lo = pos.size() == 3 ? nb::cast<int64_t>(pos[0]) : 0;
        const int64_t hi = nb::cast<int64_t>(pos[pos.size() - 2]);
        return write_out(out, randint(lo, hi, parse_size(pos.back()), gen_arg(gen),
                                      parse_options(dtype, device, rg, out)));
      },
      nb::arg("args"), nb::arg("low") = nb::none(), nb::arg("high") = nb::none(),
      nb::arg("size") = nb::none(), nb::arg("generator") = nb::none(), nb::arg("out") = nb::none(),
      nb::arg("dtype") = nb::none(), nb::arg("device") = nb::none(),
      nb::arg("requires_grad") = false);
  fns.def(
      "arange",
      [](nb::args args, nb::handle start_kw, nb::handle end_kw, nb::handle step_kw, nb::handle out,
         nb::handle dtype, nb::handle device, bool rg) {
        // Positional (end), (start, end), (start, end, step), or the keywords.
        std::vector<nb::handle> given(args.begin(), args.end());
        if (!start_kw.is_none() || !end_kw.is_none() || !step_kw.is_none()) {
          nb::handle start = start_kw, end = end_kw, step = step_kw;
          if (given.size() >= 1 && end.is_none() && start.is_none()) end = given[0];
          if (given.size() >= 1 && !end_kw.is_none()) start = given[0];
          if (given.size() >= 2) end = given[1];
          if (given.size() >= 3) step = given[2];
          static nb::object zero = nb::int_(0), one = nb::int_(1);
          given = {start.is_none() ? zero : start, end, step.is_none() ? one : step};
          MLXC_CHECK(!end.is_none(), Type, "arange() missing required argument 'end'");
        }
        const size_t n = given.size();
        MLXC_CHECK(n >= 1 && n <= 3, Type, "arange() takes 1 to 3 positional arguments");
        bool any_float = false;
        std::vector<double> v;
        for (nb::handle a : given) {
          nb::object x = is_tensor(a) ? a.attr("item")() : nb::borrow(a);
          any_float = any_float || PyFloat_Check(x.ptr());
          v.push_back(nb::cast<double>(nb::float_(x)));
        }
        const double start = n >= 2 ? v[0] : 0.0, end = n >= 2 ? v[1] : v[0],
                     step = n == 3 ? v[2] : 1.0;
        return write_out(
            out, arange(start, end, step, any_float, parse_options(dtype, device, rg, out)));
      },
      nb::arg("args"), nb::arg("start") = nb::none(), nb::arg("end") = nb::none(),
      nb::arg("step") = nb::none(), nb::arg("out") = nb::none(), nb::arg("dtype") = nb::none(),
      nb::arg("device") = nb::none(), nb::arg("requires_grad") = false);
  fns.def(
      "tensor",
      [](nb::handle data, nb::handle dtype, nb::handle device, bool rg, bool) {
        TensorOptions o = parse_options(dtype, device, rg);
        return finish_factory(tensor_from_data(data, o.dtype), o);
      },
      nb::arg("data"), nb::kw_only(), nb::arg("dtype") = nb::none(), nb::arg("device") = nb::none(),
      nb::arg("requires_grad") = false, nb::arg("pin_memory") = false);
  fns.def(
      "as_tensor",
      [](nb::handle data, nb::handle dtype, nb::handle device) -> nb::object {
        TensorOptions o = parse_options(dtype, device, false);
        if (is_tensor(data)) {
          const Tensor& t = unwrap(data);
          return wrap(o.dtype ? to_dtype(t, *o.dtype) : t);
        }
        return wrap(finish_factory(tensor_from_data(data, o.dtype), o));
      },
      nb::arg("data"), nb::arg("dtype") = nb::none(), nb::arg("device") = nb::none());
  fns.def(
      "from_numpy",
      [](nb::handle arr) {
        MLXC_CHECK(is_numpy_array(arr), Type, "expected np.ndarray (got ",
                   nb::inst_name(arr).c_str(), ")");
        return from_numpy_array(arr);
      },
      nb::arg("ndarray"));

  auto& cls = tensor_base();
  cls.def(
      "uniform_",
      [](nb::handle s, double a, double b, nb::handle gen) {
        uniform_(unwrap(s), a, b, gen_arg(gen));
        return nb::borrow(s);
      },
      nb::arg("from") = 0.0, nb::arg("to") = 1.0, nb::kw_only(), nb::arg("generator") = nb::none());
  cls.def(
      "normal_",
      [](nb::handle s, double mean, double std, nb::handle gen) {
        normal_(unwrap(s), mean, std, gen_arg(gen));
        return nb::borrow(s);
      },
      nb::arg("mean") = 0.0, nb::arg("std") = 1.0, nb::kw_only(),
      nb::arg("generator") = nb::none());
  cls.def(
      "random_",
      [](nb::handle s, std::optional<int64_t> a, std::optional<int64_t> b, nb::handle gen) {
        if (!a) {
          random_(unwrap(s), gen_arg(gen));
        } else if (!b) {
          random_range_(unwrap(s), 0, *a, gen_arg(gen));
        } else {
          random_range_(unwrap(s), *a, *b, gen_arg(gen));
        }
        return nb::borrow(s);
      },
      nb::arg("from") = nb::none(), nb::arg("to") = nb::none(), nb::kw_only(),
      nb::arg("generator") = nb::none());
  cls.def(
      "bernoulli_",
      [](nb::handle s, nb::handle p, nb::handle gen) {
        if (is_tensor(p)) {
          const Tensor& self = unwrap(s);
          MLXC_CHECK(!is_complex(self.dtype()), NotImplemented,
                     "\"bernoulli_tensor_cpu_self_\" not implemented for '",
                     scalar_type_name(self.dtype()), "'");
          // Drawn in the probabilities' precision, then written in self's dtype.
          Tensor probs = expand(unwrap(p), self.sizes());
          apply_inplace(self, bernoulli(probs, gen_arg(gen)), false);
        } else {
          bernoulli_(unwrap(s), nb::cast<double>(p), gen_arg(gen));
        }
        return nb::borrow(s);
      },
      nb::arg("p") = 0.5, nb::kw_only(), nb::arg("generator") = nb::none());
  cls.def(
      "exponential_",
      [](nb::handle s, double l, nb::handle gen) {
        exponential_(unwrap(s), l, gen_arg(gen));
        return nb::borrow(s);
      },
      nb::arg("lambd") = 1.0, nb::kw_only(), nb::arg("generator") = nb::none());
  cls.def(
      "cauchy_",
      [](nb::handle s, double median, double sigma, nb::handle gen) {
        cauchy_(unwrap(s), median, sigma, gen_arg(gen));
        return nb::borrow(s);
      },
      nb::arg("median") = 0.0, nb::arg("sigma") = 1.0, nb::kw_only(),
      nb::arg("generator") = nb::none());
  cls.def(
      "log_normal_",
      [](nb::handle s, double mean, double std, nb::handle gen) {
        log_normal_(unwrap(s), mean, std, gen_arg(gen));
        return nb::borrow(s);
      },
      nb::arg("mean") = 1.0, nb::arg("std") = 2.0, nb::kw_only(),
      nb::arg("generator") = nb::none());
  cls.def(
      "geometric_",
      [](nb::handle s, double p, nb::handle gen) {
        geometric_(unwrap(s), p, gen_arg(gen));
        return nb::borrow(s);
      },
      nb::arg("p"), nb::kw_only(), nb::arg("generator") = nb::none());
  auto rrelu_b = [](const Tensor& x, double lower, double upper, bool training, nb::handle gen) {
    return rrelu(x, lower, upper, training, gen_arg(gen));
  };
  fns.def("rrelu", rrelu_b, nb::arg("input"), nb::arg("lower") = 1.0 / 8,
          nb::arg("upper") = 1.0 / 3, nb::arg("training") = false,
          nb::arg("generator") = nb::none());
  fns.def(
      "rrelu_",
      [](nb::handle s, double lower, double upper, bool training, nb::handle gen) {
        Tensor r = rrelu(unwrap(s), lower, upper, training, gen_arg(gen));
        if (auto* n = dynamic_cast<FnNode*>(r.grad_fn().get()))
          n->rename("RreluWithNoiseBackward1");
        return inplace(s, r);
      },
      nb::arg("input"), nb::arg("lower") = 1.0 / 8, nb::arg("upper") = 1.0 / 3,
      nb::arg("training") = false, nb::arg("generator") = nb::none());
  // torch.bernoulli(input) and torch.bernoulli(input, p): the second fills input's
  // shape with draws of probability p.
  auto bern = [](const Tensor& x, std::optional<double> p, nb::handle gen) {
    if (p) {
      Tensor out = zeros(x.sizes(), TensorOptions{x.dtype(), Device{}, false});
      bernoulli_(out, *p, gen_arg(gen));
      return out;
    }
    return zero_grad_history(bernoulli(detach_alias(x), gen_arg(gen)), "BernoulliBackward0", {&x});
  };
  fns.def("bernoulli", bern, nb::arg("input"), nb::arg("p") = nb::none(), nb::kw_only(),
          nb::arg("generator") = nb::none());
  cls.def("bernoulli", bern, nb::arg("p") = nb::none(), nb::kw_only(),
          nb::arg("generator") = nb::none());
  auto multi = [](const Tensor& p, int64_t n, bool rep, nb::handle gen) {
    return multinomial(p, n, rep, gen_arg(gen));
  };
  fns.def("multinomial", multi, nb::arg("input"), nb::arg("num_samples"),
          nb::arg("replacement") = false, nb::kw_only(), nb::arg("generator") = nb::none());
  cls.def("multinomial", multi, nb::arg("num_samples"), nb::arg("replacement") = false,
          nb::kw_only(), nb::arg("generator") = nb::none());
  // *_like factories: the input's shape, and its dtype unless one is given.
  auto like_opts = [](const Tensor& s, nb::handle dtype, nb::handle device, bool rg) {
    TensorOptions o = parse_options(dtype, device, rg);
    if (!o.dtype) o.dtype = s.dtype();
    return o;
  };
  fns.def(
      "rand_like",
      [like_opts](const Tensor& s, nb::handle dtype, nb::handle device, bool rg) {
        return rand_like(s, nullptr, like_opts(s, dtype, device, rg));
      },
      nb::arg("input"), nb::kw_only(), nb::arg("dtype") = nb::none(),
      nb::arg("device") = nb::none(), nb::arg("requires_grad") = false);
  fns.def(
      "randn_like",
      [like_opts](const Tensor& s, nb::handle dtype, nb::handle device, bool rg) {
        return randn_like(s, nullptr, like_opts(s, dtype, device, rg));
      },
      nb::arg("input"), nb::kw_only(), nb::arg("dtype") = nb::none(),
      nb::arg("device") = nb::none(), nb::arg("requires_grad") = false);
  fns.def(
      "randint_like",
      [like_opts](const Tensor& s, int64_t a, std::optional<int64_t> b, nb::handle dtype,
                  nb::handle device, bool rg) {
        const int64_t lo = b ? a : 0, hi = b ? *b : a;
        return randint_like(s, lo, hi, nullptr, like_opts(s, dtype, device, rg));
      },
      nb::arg("input"), nb::arg("low"), nb::arg("high") = nb::none(), nb::kw_only(),
      nb::arg("dtype") = nb::none(), nb::arg("device") = nb::none(),
      nb::arg("requires_grad") = false);
  fns.def(
      "full_like",
      [like_opts](const Tensor& s, nb::handle value, nb::handle dtype, nb::handle device, bool rg) {
        const TensorOptions o = like_opts(s, dtype, device, rg);
        TensorOptions plain = o;
        plain.requires_grad = false;
        return finish_factory(
            with_layout_of(full(s.sizes(), operand(value, "fill_value"), plain), s), o);
      },
      nb::arg("input"), nb::arg("fill_value"), nb::kw_only(), nb::arg("dtype") = nb::none(),
      nb::arg("device") = nb::none(), nb::arg("requires_grad") = false);
  fns.def(
      "empty_like",
      [like_opts](const Tensor& s, nb::handle dtype, nb::handle device, bool rg) {
        const TensorOptions o = like_opts(s, dtype, device, rg);
        TensorOptions plain = o;
        plain.requires_grad = false;
        return finish_factory(with_layout_of(empty(s.sizes(), plain), s), o);
      },
      nb::arg("input"), nb::kw_only(), nb::arg("dtype") = nb::none(),
      nb::arg("device") = nb::none(), nb::arg("requires_grad") = false);
  // torch.normal: (Tensor, Tensor), (Tensor, float), (float, Tensor), (float, float, size).
  fns.def(
      "normal",
      [](nb::handle mean, nb::handle std, nb::handle size, nb::handle gen, nb::handle dtype,
         nb::handle /*layout*/, nb::handle device, bool rg) -> Tensor {
        const auto g = gen_arg(gen);
        if (!is_tensor(mean) && !is_tensor(std)) {
          MLXC_CHECK(!size.is_none(), Type,
                     "normal() received an invalid combination of arguments: size is needed "
                     "when mean and std are numbers");
          Tensor out = zeros(parse_size(size), parse_options(dtype, device, false));
          normal_(out, nb::cast<double>(mean), nb::cast<double>(std), g);
          return finish_factory(out, parse_options(dtype, device, rg));
        }
        Tensor m = operand(mean, "mean"), s = operand(std, "std");
        MLXC_CHECK(!is_complex(s.dtype()), Runtime,
                   "normal expects standard deviation to be non-complex");
        IntArray shape = broadcast_sizes(is_tensor(mean) ? m.sizes() : IntArray{},
                                         is_tensor(std) ? s.sizes() : IntArray{});
        const ScalarType st = is_tensor(mean) ? m.dtype() : s.dtype();
        Tensor out = zeros(shape, TensorOptions{st, Device{}, false});
        normal_(out, 0.0, 1.0, g);
        out = add(mul(out, detach_alias(s)), detach_alias(m));
        if (is_tensor(mean) && is_tensor(std))
          return zero_grad_history(out, "NormalBackward3", {&m, &s});
        return is_tensor(mean) ? zero_grad_history(out, "NormalBackward1", {&m})
                               : zero_grad_history(out, "NormalBackward2", {&s});
      },
      nb::arg("mean"), nb::arg("std") = 1.0, nb::arg("size") = nb::none(), nb::kw_only(),
      nb::arg("generator") = nb::none(), nb::arg("dtype") = nb::none(),
      nb::arg("layout") = nb::none(), nb::arg("device") = nb::none(),
      nb::arg("requires_grad") = false);
  auto num = [](nb::handle h) {
    return nb::cast<double>(nb::float_(is_tensor(h) ? h.attr("item")() : nb::borrow(h)));
  };
  fns.def(
      "linspace",
      [num](nb::handle start, nb::handle end, int64_t steps, nb::handle out, nb::handle dtype,
            nb::handle device, bool rg) {
        return write_out(
            out, linspace(num(start), num(end), steps, parse_options(dtype, device, rg, out)));
      },
      nb::arg("start"), nb::arg("end"), nb::arg("steps"), nb::kw_only(),
      nb::arg("out") = nb::none(), nb::arg("dtype") = nb::none(), nb::arg("device") = nb::none(),
      nb::arg("requires_grad") = false);
  fns.def(
      "logspace",
      [num](nb::handle start, nb::handle end, int64_t steps, double base, nb::handle dtype,
            nb::handle device, bool rg) {
        return logspace(num(start), num(end), steps, base, parse_options(dtype, device, rg));
      },
      nb::arg("start"), nb::arg("end"), nb::arg("steps"), nb::arg("base") = 10.0, nb::kw_only(),
      nb::arg("dtype") = nb::none(), nb::arg("device") = nb::none(),
      nb::arg("requires_grad") = false);
  fns.def(
      "eye",
      [](int64_t n, std::optional<int64_t> m, nb::handle out, nb::handle dtype, nb::handle device,
         bool rg) { return write_out(out, eye(n, m, parse_options(dtype, device, rg, out))); },
      nb::arg("n"), nb::arg("m") = nb::none(), nb::kw_only(), nb::arg("out") = nb::none(),
      nb::arg("dtype") = nb::none(), nb::arg("device") = nb::none(),
      nb::arg("requires_grad") = false);
  fns.def(
      "empty_strided",
      [](nb::handle size, nb::handle stride, nb::handle dtype, nb::handle device, bool rg) {
        return empty_strided(parse_size(size), parse_size(stride),
                             parse_options(dtype, device, rg));
      },
      nb::arg("size"), nb::arg("stride"), nb::kw_only(), nb::arg("dtype") = nb::none(),
      nb::arg("device") = nb::none(), nb::arg("requires_grad") = false);
  fns.def(
      "scalar_tensor",
      [](nb::handle value, nb::handle dtype, nb::handle /*layout*/, nb::handle device, bool rg,
         bool /*pin_memory*/) {
        // Always the default float dtype unless one is given, whatever the value's type.
        TensorOptions o = parse_options(dtype, device, rg);
        if (dtype.is_none()) o.dtype = default_float_dtype();
        TensorOptions plain = o;
        plain.requires_grad = false;
        return finish_factory(full({}, operand(value, "s"), plain), o);
      },
      nb::arg("s"), nb::kw_only(), nb::arg("dtype") = nb::none(), nb::arg("layout") = nb::none(),
      nb::arg("device") = nb::none(), nb::arg("requires_grad") = false,
      nb::arg("pin_memory") = false);
  fns.def(
      "empty_permuted",
      [](nb::handle size, nb::handle layout, nb::handle dtype, nb::handle /*layout*/,
         nb::handle device, bool rg, bool /*pin_memory*/) {
        // Allocated in the physical order `layout`, viewed back in logical order.
        const IntArray sizes = parse_size(size);
        const IntArray perm = parse_size(layout);
        MLXC_CHECK(perm.size() == sizes.size(), Runtime,
                   "Number of dimensions in size does not match the length of the physical_layout");
        IntArray phys;
        for (int64_t d : perm) phys.push_back(sizes[d]);
        const IntArray pstrides = contiguous_strides(phys);
        IntArray strides(sizes.size());
        for (size_t i = 0; i < perm.size(); ++i) strides[perm[i]] = pstrides[i];
        return empty_strided(sizes, strides, parse_options(dtype, device, rg));
      },
      nb::arg("size"), nb::arg("physical_layout"), nb::kw_only(), nb::arg("dtype") = nb::none(),
      nb::arg("layout") = nb::none(), nb::arg("device") = nb::none(),
      nb::arg("requires_grad") = false, nb::arg("pin_memory") = false);
  fns.def(
      "tril_indices",
      [](int64_t r, int64_t c, int64_t off, nb::handle dtype, nb::handle device) {
        return tril_indices(r, c, off, parse_options(dtype, device, false));
      },
      nb::arg("row"), nb::arg("col"), nb::arg("offset") = 0, nb::kw_only(),
      nb::arg("dtype") = nb::none(), nb::arg("device") = nb::none());
  fns.def(
      "triu_indices",
      [](int64_t r, int64_t c, int64_t off, nb::handle dtype, nb::handle device) {
        return triu_indices(r, c, off, parse_options(dtype, device, false));
      },
      nb::arg("row"), nb::arg("col"), nb::arg("offset") = 0, nb::kw_only(),
      nb::arg("dtype") = nb::none(), nb::arg("device") = nb::none());
  fns.def(
      "range",
      [num](nb::handle start, nb::handle end, nb::handle step, nb::handle dtype, nb::handle device,
            bool rg) {
        PyErr_WarnEx(PyExc_UserWarning,
                     "torch.range is deprecated and will be removed in a future release because "
                     "its behavior is inconsistent with Python's range builtin. Instead, use "
                     "torch.arange, which produces values in [start, end).",
                     1);
        return range(num(start), num(end), num(step), parse_options(dtype, device, rg));
      },
      nb::arg("start") = 0, nb::arg("end") = nb::none(), nb::arg("step") = 1, nb::kw_only(),
      nb::arg("dtype") = nb::none(), nb::arg("device") = nb::none(),
      nb::arg("requires_grad") = false);
  fns.def(
      "poisson", [](const Tensor& r, nb::handle gen) { return poisson(r, gen_arg(gen)); },
      nb::arg("input"), nb::arg("generator") = nb::none());
}

}  // namespace mlxc::py
