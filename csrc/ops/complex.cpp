#include "ops/complex.h"

#include <cmath>

#include "ops/pointwise.h"
#include "ops/reduce.h"
#include "ops/shape.h"

namespace mlxc {

namespace {

ScalarType real_of(ScalarType t) {
  MLXC_CHECK(t == ScalarType::Complex64, Runtime,
             "view_as_real is only supported for complex tensors");
  return ScalarType::Float32;
}

// A complex64 value from real and imaginary float32 arrays.
mx::array make_complex(const mx::array& re, const mx::array& im) {
  return mx::add(mx::astype(re, mx::complex64),
                 mx::multiply(mx::astype(im, mx::complex64), mx::array(std::complex<float>(0, 1))));
}

}  // namespace

Tensor view_as_real(const Tensor& self) {
  MLXC_CHECK(!self.impl()->conj, Runtime,
             "view_as_real doesn't work on unresolved conjugated tensors.  To resolve the "
             "conjugate tensor so you can view it as real, use self.resolve_conj(); however, be "
             "warned that the resulting tensor will NOT alias the original.");
  const ScalarType rt = real_of(self.dtype());
  IntArray sizes = self.sizes(), strides = self.strides();
  for (auto& s : strides) s *= 2;
  sizes.push_back(2);
  strides.push_back(1);
  mx::array v = self.value();
  mx::array natural = mx::stack({mx::real(v), mx::imag(v)}, -1);
  Tensor out = make_view(self, sizes, strides, self.offset() * 2, natural, rt);
  if (!needs_grad({&self})) return out;
  auto node = make_node("ViewAsRealBackward0", {&self}, [](FnNode&, TensorList& gs) {
    return TensorList{view_as_complex(contiguous(gs[0]))};
  });
  return with_history(out, node);
}

Tensor view_as_complex(const Tensor& self) {
  MLXC_CHECK(self.dtype() == ScalarType::Float32, Runtime,
             "view_as_complex is only supported for float and double tensors, but got a tensor "
             "of scalar type: ",
             scalar_type_name(self.dtype()));
  MLXC_CHECK(self.dim() > 0 && self.sizes().back() == 2, Runtime,
             "Tensor must have a last dimension of size 2");
  MLXC_CHECK(self.strides().back() == 1, Runtime,
             "Tensor must have a last dimension with stride 1");
  IntArray sizes(self.sizes().begin(), self.sizes().end() - 1);
  IntArray strides(self.strides().begin(), self.strides().end() - 1);
  for (auto& s : strides) {
    MLXC_CHECK(s % 2 == 0, Runtime,
               "Tensor must have a stride divisible by 2 for all but last dimension");
    s /= 2;
  }
  MLXC_CHECK(self.offset() % 2 == 0, Runtime, "Tensor must have a storage_offset divisible by 2");
  mx::array v = self.value();
  const int last = static_cast<int>(self.dim()) - 1;
  mx::array re = mx::squeeze(mx::slice(v, mx::Shape(self.dim(), 0),
                                       [&] {
                                         mx::Shape hi = self.shape();
                                         hi[last] = 1;
                                         return hi;
                                       }()),
                             last);
  mx::Shape lo(self.dim(), 0);
  lo[last] = 1;
  mx::array im = mx::squeeze(mx::slice(v, lo, self.shape()), last);
  Tensor out = make_view(self, sizes, strides, self.offset() / 2, make_complex(re, im),
                         ScalarType::Complex64);
  if (!needs_grad({&self})) return out;
  auto node = make_node("ViewAsComplexBackward0", {&self},
                        [](FnNode&, TensorList& gs) { return TensorList{view_as_real(gs[0])}; });
  return with_history(out, node);
}

// As torch: the parts of a conjugate view come from its unconjugated alias;
// the imaginary part then reads negated.
Tensor real(const Tensor& self) {
  if (!is_complex(self.dtype())) return self;
  return select(view_as_real(self.impl()->conj ? conj_view(self) : self), -1, 0);
}

Tensor imag(const Tensor& self) {
  MLXC_CHECK(is_complex(self.dtype()), Runtime,
             "imag is not implemented for tensors with non-complex dtypes.");
  if (!self.impl()->conj) return select(view_as_real(self), -1, 1);
  return select(neg_view(view_as_real(conj_view(self))), -1, 1);
}

Tensor complex(const Tensor& re, const Tensor& im) {
  MLXC_CHECK(is_floating(re.dtype()) && is_floating(im.dtype()), Runtime,
             "Expected both inputs to be Half, Float or Double tensors but got ",
             scalar_type_name(re.dtype()), " and ", scalar_type_name(im.dtype()));
  MLXC_CHECK(re.dtype() == im.dtype(), Runtime, "Expected object of scalar type ",
             scalar_type_name(re.dtype()), " but got scalar type ", scalar_type_name(im.dtype()),
             " for second argument");
  const ScalarType ct = to_complex(re.dtype());
  IntArray shape = broadcast_sizes(re.sizes(), im.sizes());
  mx::array v = mx::broadcast_to(make_complex(re.value(), im.value()), to_shape(shape));
  Tensor result = make_result(v, ct, {&re, &im});
  if (!needs_grad({&re, &im})) return result;
  auto node = make_node("ComplexBackward0", {&re, &im},
                        [sr = re.sizes(), si = im.sizes()](FnNode& n, TensorList& gs) {
                          TensorList r(2);
                          if (n.needs_input_grad(0)) r[0] = sum_to(contiguous(real(gs[0])), sr);
                          if (n.needs_input_grad(1)) r[1] = sum_to(contiguous(imag(gs[0])), si);
                          return r;
                        });
  return with_history(result, node);
}

Tensor polar(const Tensor& abs, const Tensor& angle) {
  MLXC_CHECK(is_floating(abs.dtype()) && abs.dtype() == angle.dtype(), Runtime,
             "Expected both inputs to be Float or Double tensors of the same dtype");
  const ScalarType ct = to_complex(abs.dtype());
  mx::array r = abs.value(), th = angle.value();
  mx::array v = make_complex(mx::multiply(r, mx::cos(th)), mx::multiply(r, mx::sin(th)));
  Tensor result = make_result(v, ct, {&abs, &angle});
  if (!needs_grad({&abs, &angle})) return result;
  // For real inputs: d/dr = Re(conj(g) e^{i th}), d/dth = Re(conj(g) i r e^{i th}).
  auto node = make_node("PolarBackward0", {&abs, &angle},
                        [sa = abs.sizes(), st = angle.sizes()](FnNode& n, TensorList& gs) {
                          Tensor r = n.saved(0), th = n.saved(1);
                          Tensor gr = contiguous(real(gs[0])), gi = contiguous(imag(gs[0]));
                          Tensor c = make_result(mx::cos(th.value()), th.dtype(), {&th});
                          Tensor s = make_result(mx::sin(th.value()), th.dtype(), {&th});
                          TensorList out(2);
                          if (n.needs_input_grad(0))
                            out[0] = sum_to(add(mul(gr, c), mul(gi, s)), sa);
                          if (n.needs_input_grad(1)) {
                            out[1] = sum_to(mul(sub(mul(gi, c), mul(gr, s)), r), st);
                          }
                          return out;
                        });
  node->save(abs);
  node->save(angle);
  return with_history(result, node);
}

namespace {

Tensor conjugate(const Tensor& self, const char* node_name, Tensor (*self_fn)(const Tensor&)) {
  if (!is_complex(self.dtype())) return self;
  Tensor out = make_result(mx::conjugate(self.value()), self.dtype(), {&self});
  if (!needs_grad({&self})) return out;
  auto node = make_node(node_name, {&self},
                        [self_fn](FnNode&, TensorList& gs) { return TensorList{self_fn(gs[0])}; });
  return with_history(out, node);
}

}  // namespace

Tensor conj(const Tensor& self) { return conjugate(self, "ConjBackward0", &conj); }

namespace {

// A view of self reading the same window with one bit toggled.
Tensor toggled_view(const Tensor& self, bool TensorImpl::* bit, const char* node_name,
                    Tensor (*self_fn)(const Tensor&), mx::array natural) {
  Tensor out = make_view(self, self.sizes(), self.strides(), self.offset(), std::move(natural));
  out.impl()->*bit = !(self.impl()->*bit);
  out.impl()->whole = false;
  if (!needs_grad({&self})) return out;
  auto node = make_node(node_name, {&self},
                        [self_fn](FnNode&, TensorList& gs) { return TensorList{self_fn(gs[0])}; });
  return with_history(out, node);
}

}  // namespace

Tensor conj_view(const Tensor& self) {
  if (!is_complex(self.dtype())) return self;
  return toggled_view(self, &TensorImpl::conj, "ConjBackward0", &conj_view,
                      mx::conjugate(self.value()));
}

Tensor neg_view(const Tensor& self) {
  return toggled_view(self, &TensorImpl::neg, "NegViewBackward0", &neg_view,
                      mx::negative(self.value()));
}

Tensor conj_physical(const Tensor& self) {
  return conjugate(self, "ConjPhysicalBackward0", &conj_physical);
}

Tensor conj_if_complex(const Tensor& self) { return is_complex(self.dtype()) ? conj(self) : self; }

Tensor handle_r_to_c(ScalarType input, const Tensor& g) {
  if (is_complex(input) || !g.defined() || !is_complex(g.dtype())) return g;
  return contiguous(real(g));
}

double scalar_as_real(const Tensor& s) {
  mx::array v = s.value();
  if (v.dtype() != mx::complex64) return item_double(v);
  if (item_double(mx::imag(v)) != 0.0) return std::nan("");
  return item_double(mx::real(v));
}

namespace {

// The C++ type torch names in its scalar conversion errors.
const char* cpp_type_name(ScalarType st) {
  switch (st) {
    case ScalarType::Float64:
      return "double";
    case ScalarType::Float16:
      return "c10::Half";
    case ScalarType::BFloat16:
      return "c10::BFloat16";
    case ScalarType::Int64:
      return "int64_t";
    case ScalarType::Int32:
      return "int";
    case ScalarType::Int16:
      return "int16_t";
    case ScalarType::Int8:
      return "int8_t";
    case ScalarType::UInt8:
      return "uint8_t";
    case ScalarType::Bool:
      return "bool";
    default:
      return "float";
  }
}

}  // namespace

Tensor scalar_for_dtype(const Tensor& s, ScalarType st) {
  if (!s.defined() || is_complex(st) || !is_complex(s.dtype()) || s.dim() != 0) return s;
  mx::array v = s.value();
  MLXC_CHECK(item_double(mx::imag(v)) == 0.0, Runtime, "value cannot be converted to type ",
             cpp_type_name(st), " without overflow");
  return wrapped_scalar(item_double(mx::real(v)));
}

Tensor resolve_conj(const Tensor& self) { return self.impl()->conj ? clone(self) : self; }

Tensor resolve_neg(const Tensor& self) { return self.impl()->neg ? clone(self) : self; }

Tensor view_dtype(const Tensor& self, ScalarType dtype) {
  if (dtype == self.dtype()) return view(self, self.sizes());
  MLXC_CHECK(!self.impl()->conj, Runtime,
             "torch.Tensor.view is not supported for conjugate view tensors when converting to "
             "a different dtype.");
  MLXC_CHECK(!self.impl()->neg, Runtime,
             "torch.Tensor.view is not supported for tensors with negative bit set when "
             "converting to a different dtype.");
  const int64_t a = itemsize(self.dtype()), b = itemsize(dtype);
  IntArray sizes = self.sizes(), strides = self.strides();
  int64_t offset = self.offset();
  if (a != b) {
    MLXC_CHECK(self.dim() > 0 && self.strides().back() == 1, Runtime,
               "self.stride(-1) must be 1 to view ", scalar_type_name(self.dtype()), " as ",
               scalar_type_name(dtype), " (different element sizes), but got ",
               self.strides().back());
    if (b > a) {
      MLXC_CHECK(sizes.back() * a % b == 0 && offset * a % b == 0, Runtime,
                 "self.size(-1) must be divisible by ", b / a, " to view ",
                 scalar_type_name(self.dtype()), " as ", scalar_type_name(dtype),
                 " (different element sizes), but got ", sizes.back());
    }
    sizes.back() = sizes.back() * a / b;
    for (size_t i = 0; i + 1 < strides.size(); ++i) {
      MLXC_CHECK(strides[i] * a % b == 0, Runtime, "self.stride(", i, ") must be divisible by ",
                 b / a, " to view ", scalar_type_name(self.dtype()), " as ",
                 scalar_type_name(dtype), " (different element sizes), but got ", strides[i]);
      strides[i] = strides[i] * a / b;
    }
    offset = offset * a / b;
  }
  mx::array natural = mx::view(mx::contiguous(self.value()), to_mlx(dtype));
  natural = mx::reshape(natural, to_shape(sizes));
  return make_view(self, sizes, strides, offset, natural, dtype);
}

}  // namespace mlxc
