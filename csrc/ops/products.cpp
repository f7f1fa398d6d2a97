#include "ops/products.h"

#include <cmath>
#include <string>

#include "core/grad_mode.h"
#include "ops/complex.h"
#include "ops/linalg.h"
#include "ops/pointwise.h"
#include "ops/reduce.h"
#include "ops/shape.h"

namespace mlxc {

namespace {

void check_scalar_kind(const Tensor& input, const Tensor& scalar, const char* name) {
  if (is_integral(input.dtype(), true)) {
    MLXC_CHECK(!is_floating(scalar.dtype()) && !is_complex(scalar.dtype()), Runtime,
               "For integral input tensors, argument ", name,
               " must not be a floating point number.");
  }
}

// A product of two operands and its vector-Jacobian product (gradients of x and
// y for an incoming gradient g shaped like the product).
struct Product {
  Tensor (*forward)(const Tensor& x, const Tensor& y);
  std::pair<Tensor, Tensor> (*vjp)(const Tensor& g, const Tensor& x, const Tensor& y);
};

Tensor ct(const Tensor& m) { return conj_if_complex(transpose(m, -2, -1)); }

const Product kMv{&mv, [](const Tensor& g, const Tensor& m, const Tensor& v) {
                    return std::pair{outer(g, conj_if_complex(v)), mv(ct(m), g)};
                  }};
const Product kOuter{&outer, [](const Tensor& g, const Tensor& a, const Tensor& b) {
                       return std::pair{mv(g, conj_if_complex(b)), mv(t(g), conj_if_complex(a))};
                     }};
const Product kBmm{&bmm, [](const Tensor& g, const Tensor& a, const Tensor& b) {
                     return std::pair{bmm(g, ct(b)), bmm(ct(a), g)};
                   }};
// addbmm's product: the batch of products summed.
const Product kSummedBmm{
    [](const Tensor& a, const Tensor& b) { return sum(bmm(a, b), std::vector<int64_t>{0}); },
    [](const Tensor& g, const Tensor& a, const Tensor& b) {
      return kBmm.vjp(expand(unsqueeze(g, 0), {a.sizes()[0], g.sizes()[0], g.sizes()[1]}), a, b);
    }};

// beta * input + alpha * product(x, y), recorded as one node named as torch's
// (AddmvBackward0, ...). The product has the result's shape; input must
// broadcast to it. A zero beta drops input entirely (its NaNs do not propagate).
// addr refuses float scalars for integral inputs; addmv/baddbmm/addbmm truncate them.
Tensor scaled_sum(const Tensor& input, const Tensor& x, const Tensor& y, const Product& product,
                  const Tensor& beta_in, const Tensor& alpha_in, const char* name,
                  const char* node_name, bool strict_scalars = false) {
  if (strict_scalars) {
    check_scalar_kind(input, beta_in, "beta");
    check_scalar_kind(input, alpha_in, "alpha");
  }
  Tensor result, beta, alpha;
  double a = 0.0, b = 0.0;
  {
    AutoGradMode no_grad(false);
    const Tensor prod = product.forward(x, y);
    MLXC_CHECK(input.dtype() == prod.dtype(), Runtime, name, ": expected ",
               "input and the product to have the same dtype, but got: ",
               scalar_type_name(input.dtype()), " != ", scalar_type_name(prod.dtype()));
    const bool is_bool = input.dtype() == ScalarType::Bool;
    const bool integral = is_integral(input.dtype(), false);
    beta = scalar_for_dtype(beta_in, input.dtype());
    alpha = scalar_for_dtype(alpha_in, input.dtype());
    a = scalar_as_real(alpha), b = scalar_as_real(beta);
    if (integral) a = std::trunc(a), b = std::trunc(b);
    Tensor p = prod;
    if (a == 0.0) {
      p = mul(prod, scalar_tensor(0.0, prod.dtype()));
    } else if (a != 1.0 && !is_bool) {
      p = mul(prod, integral ? scalar_tensor(a, prod.dtype()) : alpha);
    }
    if (b == 0.0) {
      result = p;
    } else {
      const IntArray out = broadcast_sizes(input.sizes(), prod.sizes());
      MLXC_CHECK(out == prod.sizes(), Runtime, "The expanded size of the tensor (",
                 prod.sizes().empty() ? 0 : prod.sizes().back(), ") must match the existing size (",
                 input.sizes().empty() ? 0 : input.sizes().back(), ") at non-singleton dimension");
      Tensor in = (b == 1.0 || is_bool)
                      ? input
                      : mul(input, integral ? scalar_tensor(b, input.dtype()) : beta);
      result = add(in, p);
    }
  }
  result = make_result(result.value(), result.dtype(), {});
  if (!needs_grad({&input, &x, &y})) return result;
  auto node = make_node(
      node_name, {&input, &x, &y},
      [in = input.sizes(), vjp = product.vjp, beta, alpha, a, b](FnNode& n, TensorList& gs) {
        const Tensor& g = gs[0];
        TensorList r(3);
        if (n.needs_input_grad(0)) r[0] = sum_to(b == 1.0 ? g : mul(g, conj_if_complex(beta)), in);
        if (n.needs_input_grad(1) || n.needs_input_grad(2)) {
          const Tensor ga = a == 1.0 ? g : mul(g, conj_if_complex(alpha));
          auto [gx, gy] = vjp(ga, n.saved(0), n.saved(1));
          r[1] = gx;
          r[2] = gy;
        }
        return r;
      });
  node->save(x);
  node->save(y);
  return with_history(result, node);
}

}  // namespace

Tensor outer(const Tensor& self, const Tensor& vec2) {
  MLXC_CHECK(self.dim() == 1, Runtime, "outer: Expected 1-D argument self, but got ", self.dim(),
             "-D");
  MLXC_CHECK(vec2.dim() == 1, Runtime, "outer: Expected 1-D argument vec2, but got ", vec2.dim(),
             "-D");
  return mul(reshape(self, {self.numel(), 1}), vec2);
}

Tensor tensordot(const Tensor& a_in, const Tensor& b_in, const std::vector<int64_t>& dims_a,
                 const std::vector<int64_t>& dims_b) {
  Tensor a = a_in, b = b_in;
  MLXC_CHECK(dims_a.size() == dims_b.size(), Runtime,
             "both dimension lists should have same length");
  std::vector<bool> ca(a.dim(), false), cb(b.dim(), false);
  std::vector<int64_t> perm_a, perm_b;
  int64_t k = 1;
  for (size_t i = 0; i < dims_a.size(); ++i) {
    const int64_t da = wrap_dim(dims_a[i], a.dim()), db = wrap_dim(dims_b[i], b.dim());
    const int64_t sa = a.sizes()[da], sb = b.sizes()[db];
    MLXC_CHECK(sa == sb || sa == 1 || sb == 1, Runtime,
               "contracted dimensions need to match, but first has size ", sa, " in dim ", da,
               " and second has size ", sb, " in dim ", db);
    // A size-1 dim against a longer one: torch sums the longer side over it first.
    if (sa != sb) {
      if (sa == 1) {
        b = sum(b, std::vector<int64_t>{db}, true);
      } else {
        a = sum(a, std::vector<int64_t>{da}, true);
      }
    }
    ca[da] = cb[db] = true;
    k *= sa == sb ? sa : 1;
  }
  IntArray out;
  int64_t pa = 1, pb = 1;
  for (int64_t i = 0; i < a.dim(); ++i) {
    if (ca[i]) continue;
    perm_a.push_back(i);
    out.push_back(a.sizes()[i]);
    pa *= a.sizes()[i];
  }
  for (size_t i = 0; i < dims_a.size(); ++i) perm_a.push_back(wrap_dim(dims_a[i], a.dim()));
  for (size_t i = 0; i < dims_b.size(); ++i) perm_b.push_back(wrap_dim(dims_b[i], b.dim()));
  for (int64_t i = 0; i < b.dim(); ++i) {
    if (cb[i]) continue;
    perm_b.push_back(i);
    out.push_back(b.sizes()[i]);
    pb *= b.sizes()[i];
  }
  Tensor ma = reshape(permute(a, perm_a), {pa, k});
  Tensor mb = reshape(permute(b, perm_b), {k, pb});
  return reshape(mm(ma, mb), out);
}

Tensor tensordot(const Tensor& a, const Tensor& b, int64_t n) {
  MLXC_CHECK(n >= 0, Runtime, "tensordot expects dims >= 0, but got dims=", n);
  MLXC_CHECK(n <= a.dim() && n <= b.dim(), Runtime,
             "tensordot expects dims < ndim_a or ndim_b, but got dims=", n);
  std::vector<int64_t> da, db;
  for (int64_t i = 0; i < n; ++i) {
    da.push_back(a.dim() - n + i);
    db.push_back(i);
  }
  return tensordot(a, b, da, db);
}

Tensor inner(const Tensor& self, const Tensor& other) {
  if (self.dim() == 0 || other.dim() == 0) return mul(self, other);
  MLXC_CHECK(self.sizes().back() == other.sizes().back(), Runtime,
             "inner() the last dimension must match on both input tensors but got shapes ",
             sizes_str(self.sizes()), " and ", sizes_str(other.sizes()));
  return tensordot(self, other, {-1}, {-1});
}

Tensor kron(const Tensor& self, const Tensor& other) {
  const int64_t nd = std::max(self.dim(), other.dim());
  IntArray sa(nd - self.dim(), 1), sb(nd - other.dim(), 1);
  sa.insert(sa.end(), self.sizes().begin(), self.sizes().end());
  sb.insert(sb.end(), other.sizes().begin(), other.sizes().end());
  IntArray ia, ib, out;
  for (int64_t i = 0; i < nd; ++i) {
    ia.push_back(sa[i]);
    ia.push_back(1);
    ib.push_back(1);
    ib.push_back(sb[i]);
    out.push_back(sa[i] * sb[i]);
  }
  // As torch: unsafe views around one broadcast product (UnsafeViewBackward0).
  return unsafe_view(mul(unsafe_view(self, ia), unsafe_view(other, ib)), out);
}

Tensor vdot(const Tensor& self, const Tensor& other) {
  MLXC_CHECK(self.dim() == 1 && other.dim() == 1, Runtime, "1D tensors expected, but got ",
             self.dim(), "D and ", other.dim(), "D tensors");
  MLXC_CHECK(self.dtype() == other.dtype(), Runtime,
             "vdot : expected both vectors to have same dtype, but found ",
             legacy_type_name(self.dtype()), " and ", legacy_type_name(other.dtype()));
  Tensor result = [&] {
    AutoGradMode no_grad(false);
    if (!is_complex(self.dtype())) return dot(self, other);
    return dot(complex(real(self), mul(imag(self), wrapped_scalar(-1.0))), other);
  }();
  if (!needs_grad({&self, &other})) return result;
  result = make_result(result.value(), result.dtype(), {});
  // torch's vdot formulas: conj(g) other for self, g self for other.
  const bool ga = needs_grad({&self}), gb = needs_grad({&other});
  auto node = make_node("VdotBackward0", {&self, &other}, [ga, gb](FnNode& n, TensorList& gs) {
    TensorList r(2);
    size_t k = 0;
    const Tensor y = ga ? n.saved(k++) : Tensor();
    const Tensor x = gb ? n.saved(k++) : Tensor();
    if (ga && n.needs_input_grad(0)) r[0] = mul(conj_if_complex(gs[0]), y);
    if (gb && n.needs_input_grad(1)) r[1] = mul(gs[0], x);
    return r;
  });
  if (ga) node->save(other);
  if (gb) node->save(self);
  return with_history(result, node);
}

Tensor addmv(const Tensor& input, const Tensor& mat, const Tensor& vec, const Tensor& beta,
             const Tensor& alpha) {
  MLXC_CHECK(mat.dim() == 2 && vec.dim() == 1 && input.dim() <= 1, Runtime,
             "vector + matrix @ vector expected, got ", input.dim(), ", ", mat.dim(), ", ",
             vec.dim());
  MLXC_CHECK(mat.sizes()[1] == vec.sizes()[0] &&
                 (input.dim() == 0 || input.sizes()[0] == mat.sizes()[0] || input.sizes()[0] == 1),
             Runtime, "size mismatch, got input (", input.dim() ? input.sizes()[0] : 1, "), mat (",
             mat.sizes()[0], "x", mat.sizes()[1], "), vec (", vec.sizes()[0], ")");
  return scaled_sum(input, mat, vec, kMv, beta, alpha, "addmv", "AddmvBackward0");
}

Tensor addr(const Tensor& input, const Tensor& vec1, const Tensor& vec2, const Tensor& beta,
            const Tensor& alpha) {
  MLXC_CHECK(vec1.dim() == 1, Runtime, "addr: Expected 1-D argument vec1, but got ", vec1.dim(),
             "-D");
  MLXC_CHECK(vec2.dim() == 1, Runtime, "addr: Expected 1-D argument vec2, but got ", vec2.dim(),
             "-D");
  if (input.dtype() == ScalarType::Bool) {
    Tensor prod = logical_and(reshape(vec1, {vec1.numel(), 1}), vec2);
    const bool a = item_double(alpha.value()) != 0.0, b = item_double(beta.value()) != 0.0;
    Tensor p = a ? prod : logical_and(prod, scalar_tensor(0.0, ScalarType::Bool));
    return b ? logical_or(input, p) : p;
  }
  return scaled_sum(input, vec1, vec2, kOuter, beta, alpha, "addr", "AddrBackward0", true);
}

namespace {

void check_batches(const Tensor& b1, const Tensor& b2) {
  MLXC_CHECK(b1.dim() == 3, Runtime, "batch1 must be a 3D tensor");
  MLXC_CHECK(b2.dim() == 3, Runtime, "batch2 must be a 3D tensor");
  MLXC_CHECK(b2.sizes()[0] == b1.sizes()[0] && b2.sizes()[1] == b1.sizes()[2], Runtime,
             "Expected size for first two dimensions of batch2 tensor to be: [", b1.sizes()[0],
             ", ", b1.sizes()[2], "] but got: [", b2.sizes()[0], ", ", b2.sizes()[1], "].");
}

}  // namespace

Tensor baddbmm(const Tensor& input, const Tensor& batch1, const Tensor& batch2, const Tensor& beta,
               const Tensor& alpha) {
  check_batches(batch1, batch2);
  return scaled_sum(input, batch1, batch2, kBmm, beta, alpha, "baddbmm", "BaddbmmBackward0");
}

Tensor addbmm(const Tensor& input, const Tensor& batch1, const Tensor& batch2, const Tensor& beta,
              const Tensor& alpha) {
  check_batches(batch1, batch2);
  return scaled_sum(input, batch1, batch2, kSummedBmm, beta, alpha, "addbmm", "AddbmmBackward0");
}

}  // namespace mlxc
