#include "ops/random.h"

#include <cmath>
#include <vector>

#include "core/eval.h"
#include "core/tensor.h"
#include "ops/normal_fill.h"
#include "ops/pointwise.h"
#include "ops/reduce.h"
#include "ops/shape.h"
#include "ops/type_names.h"

namespace mlxc {

namespace {

constexpr double kPi = 3.14159265358979323846;

Generator& gen_or_default(const GenPtr& gen) { return gen ? *gen : *default_generator(); }

int64_t numel_of(const IntArray& size) {
  int64_t n = 1;
  for (auto s : size) {
    MLXC_CHECK(s >= 0, Runtime, "Trying to create tensor with negative dimension ", s, ": ",
               sizes_str(size));
    n *= s;
  }
  return n;
}

// torch's uniform_real_distribution: 24 random bits for float, 53 for double.
// 24 random bits scaled to [0, 1); the affine map is done in double, then
// rounded once, as torch's CPU kernel does.
float uniform_float(Generator& g, float from, float to) {
  const double x = static_cast<double>(g.random() & ((1u << 24) - 1)) * (1.0 / (1u << 24));
  return static_cast<float>(x * (static_cast<double>(to) - from) + from);
}
double uniform_double(Generator& g, double from, double to) {
  const double x = static_cast<double>(g.random64() & ((1ULL << 53) - 1)) * (1.0 / (1ULL << 53));
  return x * (to - from) + from;
}

// Fills `out` with uniforms in [from, to) of the given floating kind.
template <typename T>
void fill_uniform(Generator& g, std::vector<T>& out, T from, T to) {
  for (auto& v : out) {
    if constexpr (std::is_same_v<T, double>) {
      v = uniform_double(g, from, to);
    } else {
      v = uniform_float(g, from, to);
    }
  }
}

// torch's normal_distribution<double> for small tensors (one cached sample).
double normal_double(Generator& g, double mean, double std) {
  if (g.next_double_normal) {
    const double r = std::fma(*g.next_double_normal, std, mean);
    g.next_double_normal.reset();
    return r;
  }
  const double u1 = uniform_double(g, 0.0, 1.0);
  const double u2 = uniform_double(g, 0.0, 1.0);
  const double r = std::sqrt(-2.0 * std::log1p(-u2));
  const double theta = 2.0 * kPi * u1;
  g.next_double_normal = r * std::sin(theta);
  // torch's build contracts x * std + mean into one fused multiply-add.
  return std::fma(r * std::cos(theta), std, mean);
}

// The block path works in T; the serial one (fewer than 16) in double, as torch's.
// torch draws all uniforms up front for float and double, but block by block
// for float16/bfloat16 (computed in float): the two differ in which draws the
// final partial block uses, so `by_block` follows the second order.
template <typename T>
std::vector<T> sample_normal(Generator& g, int64_t n, double mean_d, double std_d,
                             bool by_block = false) {
  std::vector<T> data(n);
  const T mean = static_cast<T>(mean_d), std = static_cast<T>(std_d);
  auto draw = [&g](T* out, int64_t count) {
    for (int64_t j = 0; j < count; ++j) {
      if constexpr (std::is_same_v<T, double>) {
        out[j] = uniform_double(g, 0, 1);
      } else {
        out[j] = uniform_float(g, 0, 1);
      }
    }
  };
  if (n < 16) {
    for (auto& v : data) v = static_cast<T>(normal_double(g, mean_d, std_d));
    return data;
  }
  const int64_t full = n / 16 * 16;
  draw(data.data(), by_block ? full : n);
  for (int64_t i = 0; i < full; i += 16) normal_fill_16(data.data() + i, mean, std);
  if (n % 16 != 0) {
    // The last 16 elements are drawn again and recomputed.
    T* tail = data.data() + n - 16;
    draw(tail, 16);
    normal_fill_16(tail, mean, std);
  }
  return data;
}

// Builds a tensor of dtype st from host doubles or floats.
template <typename T>
Tensor host_tensor(const std::vector<T>& v, const IntArray& size, ScalarType st) {
  mx::array a(v.begin(), to_shape(size), std::is_same_v<T, double> ? mx::float64 : mx::float32);
  if (to_mlx(st) != a.dtype()) a = mx::astype(a, to_mlx(st));
  return Tensor::from_array(std::move(a), st);
}

// Note [Random fill order]
// torch fills a tensor with random numbers in memory order (TensorIterator walks
// the storage), so a non-contiguous target receives the draws in a different
// logical order than a contiguous one. Samplers here draw in sequence and then
// place draw k at the element with the k-th smallest storage offset.

bool contiguous_layout(const IntArray& sizes, const IntArray& strides) {
  return strides == contiguous_strides(sizes) || numel_of(sizes) <= 1 || [&] {
    int64_t expected = 1;
    for (int64_t i = static_cast<int64_t>(sizes.size()) - 1; i >= 0; --i) {
      if (sizes[i] == 1) continue;
      if (strides[i] != expected) return false;
      expected *= sizes[i];
    }
    return true;
  }();
}

// For each logical (row-major) element, the index of the draw it receives.
std::vector<int64_t> draw_ranks(const IntArray& sizes, const IntArray& strides) {
  const int64_t n = numel_of(sizes);
  std::vector<std::pair<int64_t, int64_t>> order(n);
  std::vector<int64_t> idx(sizes.size(), 0);
  for (int64_t i = 0; i < n; ++i) {
    int64_t off = 0;
    for (size_t d = 0; d < sizes.size(); ++d) off += idx[d] * strides[d];
    order[i] = {off, i};
    for (int64_t d = static_cast<int64_t>(sizes.size()) - 1; d >= 0; --d) {
      if (++idx[d] < sizes[d]) break;
      idx[d] = 0;
    }
  }
  std::stable_sort(order.begin(), order.end());
  std::vector<int64_t> rank(n);
  for (int64_t k = 0; k < n; ++k) rank[order[k].second] = k;
  return rank;
}

// Moves draws made in memory order of (sizes, strides) to logical positions.
Tensor to_logical(const Tensor& drawn, const IntArray& sizes, const IntArray& strides) {
  if (contiguous_layout(sizes, strides)) return drawn;
  auto rank = draw_ranks(sizes, strides);
  mx::array r(rank.begin(), mx::Shape{static_cast<int32_t>(rank.size())}, mx::int64);
  mx::array v = mx::reshape(mx::take(mx::reshape(drawn.value(), {-1}), r, 0), to_shape(sizes));
  return Tensor::from_array(v, drawn.dtype());
}

ScalarType float_dtype(const TensorOptions& opts, const char* what) {
  const ScalarType st = opts.dtype ? *opts.dtype : default_float_dtype();
  MLXC_CHECK(is_floating(st) || is_complex(st), NotImplemented, '"', what,
             "\" not implemented for '", scalar_type_name(st), "'");
  return st;
}

// A complex64 tensor of `size` whose (real, imaginary) pairs are the float32
// draws of `floats` in sequence: torch samples a complex tensor through its
// real view, two floats per element.
Tensor complex_from_pairs(const Tensor& floats, const IntArray& size) {
  mx::array c = mx::view(mx::reshape(floats.value(), {-1}), mx::complex64);
  return Tensor::from_array(mx::reshape(c, to_shape(size)), ScalarType::Complex64);
}

// torch's check for random_(from, to): integer dtypes must hold from and to - 1.
void check_random_bounds(ScalarType st, int64_t from, int64_t to) {
  MLXC_CHECK(!is_complex(st), Runtime,
             "check_random_bounds handles only integral, floating-point and boolean types");
  if (is_floating(st)) return;
  int64_t lo = 0, hi = 1;
  if (st == ScalarType::UInt8) {
    hi = 255;
  } else if (st != ScalarType::Bool) {
    hi = static_cast<int64_t>((1ULL << (8 * itemsize(st) - 1)) - 1);
    lo = -hi - 1;
  }
  MLXC_CHECK(from >= lo && from <= hi, Runtime, "from is out of bounds for ", cpp_type_name(st));
  MLXC_CHECK(to - 1 >= lo && to - 1 <= hi, Runtime, "to - 1 is out of bounds for ",
             cpp_type_name(st));
}

Tensor sample_uniform(const IntArray& size, Generator& g, ScalarType st, double from, double to) {
  if (is_complex(st)) {
    // Real and imaginary parts each uniform in [from, to).
    Tensor floats = sample_uniform({2 * numel_of(size)}, g, ScalarType::Float32, from, to);
    return complex_from_pairs(floats, size);
  }
  std::lock_guard<std::mutex> lock(g.mutex);
  const int64_t n = numel_of(size);
  if (st == ScalarType::Float64) {
    std::vector<double> v(n);
    fill_uniform<double>(g, v, from, to);
    return host_tensor(v, size, st);
  }
  std::vector<float> v(n);
  fill_uniform<float>(g, v, static_cast<float>(from), static_cast<float>(to));
  return host_tensor(v, size, st);
}

Tensor sample_normal_tensor(const IntArray& size, Generator& g, ScalarType st, double mean,
                            double std, bool contiguous = true) {
  if (is_complex(st)) {
    // Real and imaginary parts each N(mean, std^2 / 2), so |z - mean|^2 has mean std^2.
    Tensor floats = sample_normal_tensor({2 * numel_of(size)}, g, ScalarType::Float32, mean,
                                         std / std::sqrt(2.0), contiguous);
    return complex_from_pairs(floats, size);
  }
  std::lock_guard<std::mutex> lock(g.mutex);
  const int64_t n = numel_of(size);
  if (!contiguous) {
    // torch's kernel for non-contiguous targets: one double sample per element.
    std::vector<double> v(n);
    for (auto& x : v) x = normal_double(g, mean, std);
    return host_tensor(v, size, st);
  }
  if (st == ScalarType::Float64)
    return host_tensor(sample_normal<double>(g, n, mean, std), size, st);
  const bool by_block = st == ScalarType::Float16 || st == ScalarType::BFloat16;
  return host_tensor(sample_normal<float>(g, n, mean, std, by_block), size, st);
}

}  // namespace

Tensor rand(const IntArray& size, const GenPtr& gen, const TensorOptions& opts) {
  const ScalarType st = float_dtype(opts, "check_uniform_bounds");
  return finish_factory(sample_uniform(size, gen_or_default(gen), st, 0.0, 1.0), opts);
}

Tensor randn(const IntArray& size, const GenPtr& gen, const TensorOptions& opts) {
  const ScalarType st = float_dtype(opts, "normal_kernel_cpu");
  return finish_factory(sample_normal_tensor(size, gen_or_default(gen), st, 0.0, 1.0), opts);
}

Tensor randint(int64_t low, int64_t high, const IntArray& size, const GenPtr& gen,
               const TensorOptions& opts) {
  MLXC_CHECK(low < high, Runtime, "random_ expects 'from' to be less than 'to', but got from=", low,
             " >= to=", high);
  const ScalarType st = opts.dtype ? *opts.dtype : ScalarType::Int64;
  check_random_bounds(st, low, high);
  Generator& g = gen_or_default(gen);
  std::lock_guard<std::mutex> lock(g.mutex);
  const int64_t n = numel_of(size);
  const uint64_t range = static_cast<uint64_t>(high) - static_cast<uint64_t>(low);
  std::vector<int64_t> v(n);
  for (auto& x : v) {
    const uint64_t r = range >= (1ULL << 32) ? g.random64() % range : g.random() % range;
    x = static_cast<int64_t>(r + static_cast<uint64_t>(low));
  }
  mx::array a(v.begin(), to_shape(size), mx::int64);
  return finish_factory(Tensor::from_array(mx::astype(a, to_mlx(st)), st), opts);
}

Tensor randperm(int64_t n, const GenPtr& gen, const TensorOptions& opts) {
  MLXC_CHECK(n >= 0, Runtime, "n must be non-negative, got", n);
  const ScalarType st = opts.dtype ? *opts.dtype : ScalarType::Int64;
  Generator& g = gen_or_default(gen);
  std::lock_guard<std::mutex> lock(g.mutex);
  std::vector<int64_t> r(n);
  for (int64_t i = 0; i < n; ++i) r[i] = i;
  for (int64_t i = 0; i + 1 < n; ++i) {
    const uint64_t span = static_cast<uint64_t>(n - i);
    const int64_t z =
        static_cast<int64_t>(n < (1LL << 32) / 20 ? g.random() % span : g.random64() % span);
    std::swap(r[i], r[z + i]);
  }
  mx::array a(r.begin(), mx::Shape{static_cast<int32_t>(n)}, mx::int64);
  return finish_factory(Tensor::from_array(mx::astype(a, to_mlx(st)), st), opts);
}

const Tensor& uniform_(const Tensor& self, double from, double to, const GenPtr& gen) {
  const ScalarType st = self.dtype();
  MLXC_CHECK(is_floating(st) || is_complex(st), NotImplemented,
             "\"check_uniform_bounds\" not implemented for '", scalar_type_name(st), "'");
  MLXC_CHECK(from <= to, Runtime,
             "uniform_ expects to return a [from, to) range, but found from=", from, " > to=", to);
  Tensor s = sample_uniform(self.sizes(), gen_or_default(gen), self.dtype(), from, to);
  return apply_inplace(self, to_logical(s, self.sizes(), self.strides()));
}

const Tensor& normal_(const Tensor& self, double mean, double std, const GenPtr& gen) {
  MLXC_CHECK(std >= 0.0, Runtime, "normal expects std >= 0.0, but found std ", std);
  if (self.numel() == 0) return self;
  const ScalarType st = self.dtype();
  MLXC_CHECK(is_floating(st) || is_complex(st), NotImplemented,
             "\"normal_kernel_cpu\" not implemented for '", scalar_type_name(st), "'");
  const bool contig = contiguous_layout(self.sizes(), self.strides());
  Tensor s =
      sample_normal_tensor(self.sizes(), gen_or_default(gen), self.dtype(), mean, std, contig);
  return apply_inplace(self, to_logical(s, self.sizes(), self.strides()));
}

const Tensor& random_(const Tensor& self, const GenPtr& gen) {
  MLXC_CHECK(!is_complex(self.dtype()), NotImplemented,
             "\"random_kernel_cpu\" not implemented for '", scalar_type_name(self.dtype()), "'");
  Generator& g = gen_or_default(gen);
  std::lock_guard<std::mutex> lock(g.mutex);
  const ScalarType st = self.dtype();
  const int64_t n = self.numel();
  std::vector<double> dv;
  std::vector<int64_t> iv;
  for (int64_t i = 0; i < n; ++i) {
    switch (st) {
      case ScalarType::Int64:
        iv.push_back(static_cast<int64_t>(g.random64() % (static_cast<uint64_t>(INT64_MAX) + 1)));
        break;
      case ScalarType::Float64:
        dv.push_back(static_cast<double>(g.random64() % ((1ULL << 53) + 1)));
        break;
      case ScalarType::Float32:
        dv.push_back(static_cast<double>(g.random() % ((1ULL << 24) + 1)));
        break;
      case ScalarType::Bool:
        iv.push_back(g.random() & 1);
        break;
      default: {
        const uint64_t mod = st == ScalarType::UInt8 ? 256 : (1ULL << (8 * itemsize(st) - 1));
        iv.push_back(static_cast<int64_t>(g.random() % mod));
      }
    }
  }
  mx::array a = dv.empty() ? mx::array(iv.begin(), self.shape(), mx::int64)
                           : mx::array(dv.begin(), self.shape(), mx::float64);
  return apply_inplace(
      self,
      to_logical(Tensor::from_array(mx::astype(a, to_mlx(st)), st), self.sizes(), self.strides()),
      false);
}

namespace {

// Evaluated host copy of a tensor's values as doubles.
std::vector<double> host_doubles(const Tensor& t) {
  mx::array a = mx::contiguous(mx::astype(mx::reshape(t.value(), {-1}), mx::float64));
  eval_arrays({a});
  const double* p = a.data<double>();
  return std::vector<double>(p, p + a.size());
}

Tensor host_result(const std::vector<double>& v, const IntArray& sizes, ScalarType st) {
  mx::array a(v.begin(), to_shape(sizes), mx::float64);
  return Tensor::from_array(mx::astype(a, to_mlx(st)), st);
}

}  // namespace

const Tensor& random_range_(const Tensor& self, int64_t from, int64_t to, const GenPtr& gen) {
  MLXC_CHECK(from < to, Runtime, "random_ expects 'from' to be less than 'to', but got from=", from,
             " >= to=", to);
  check_random_bounds(self.dtype(), from, to);
  Generator& g = gen_or_default(gen);
  std::lock_guard<std::mutex> lock(g.mutex);
  const uint64_t range = static_cast<uint64_t>(to) - static_cast<uint64_t>(from);
  std::vector<double> v(self.numel());
  for (auto& x : v) {
    const uint64_t r = range >= (1ULL << 32) ? g.random64() % range : g.random() % range;
    x = static_cast<double>(static_cast<int64_t>(r + static_cast<uint64_t>(from)));
  }
  return apply_inplace(
      self, to_logical(host_result(v, self.sizes(), self.dtype()), self.sizes(), self.strides()),
      false);
}

const Tensor& bernoulli_(const Tensor& self, double p, const GenPtr& gen) {
  MLXC_CHECK(p >= 0.0 && p <= 1.0, Runtime, "bernoulli_ expects p to be in [0, 1], but got p=", p);
  MLXC_CHECK(!is_complex(self.dtype()), NotImplemented,
             "\"bernoulli_scalar_cpu_\" not implemented for '", scalar_type_name(self.dtype()),
             "'");
  Generator& g = gen_or_default(gen);
  std::lock_guard<std::mutex> lock(g.mutex);
  std::vector<double> v(self.numel());
  for (auto& x : v) x = uniform_double(g, 0.0, 1.0) < p ? 1.0 : 0.0;
  return apply_inplace(
      self, to_logical(host_result(v, self.sizes(), self.dtype()), self.sizes(), self.strides()),
      false);
}

namespace {

// Fills self in logical order with one double-precision draw per element, as
// torch's serial CPU kernels (exponential_, cauchy_, log_normal_, geometric_) do.
template <class Draw>
const Tensor& fill_serial(const Tensor& self, const GenPtr& gen, const char* kernel, Draw draw,
                          bool any_dtype = false) {
  MLXC_CHECK(any_dtype || is_floating(self.dtype()), NotImplemented, "\"", kernel,
             "\" not implemented for '", scalar_type_name(self.dtype()), "'");
  Generator& g = gen_or_default(gen);
  std::lock_guard<std::mutex> lock(g.mutex);
  std::vector<double> v(self.numel());
  for (auto& x : v) x = draw(g);
  return apply_inplace(
      self, to_logical(host_result(v, self.sizes(), self.dtype()), self.sizes(), self.strides()),
      false);
}

}  // namespace

const Tensor& exponential_(const Tensor& self, double lambd, const GenPtr& gen) {
  MLXC_CHECK(lambd > 0.0, Runtime, "exponential_ expects lambda > 0.0, but found lambda=", lambd);
  if (self.numel() == 0) return self;
  MLXC_CHECK(is_floating(self.dtype()), Runtime,
             "Exponential distribution is a continuous probability distribution. dtype must be a "
             "floating point but you specified ",
             scalar_type_name(self.dtype()));
  return fill_serial(self, gen, "exponential_cpu", [lambd](Generator& g) {
    return -1.0 / lambd * std::log1p(-uniform_double(g, 0.0, 1.0));
  });
}

const Tensor& cauchy_(const Tensor& self, double median, double sigma, const GenPtr& gen) {
  MLXC_CHECK(is_floating(self.dtype()), Runtime,
             "Cauchy distribution is a continuous probability distribution. dtype must be a "
             "floating point but you specified ",
             cpp_type_name(self.dtype()));
  return fill_serial(self, gen, "cauchy_cpu", [median, sigma](Generator& g) {
    return median + sigma * std::tan(M_PI * (uniform_double(g, 0.0, 1.0) - 0.5));
  });
}

const Tensor& log_normal_(const Tensor& self, double mean, double std, const GenPtr& gen) {
  MLXC_CHECK(std > 0.0, Runtime, "log_normal_ expects std > 0.0, but found std=", std);
  return fill_serial(self, gen, "log_normal_cpu",
                     [mean, std](Generator& g) { return std::exp(normal_double(g, mean, std)); });
}

const Tensor& geometric_(const Tensor& self, double p, const GenPtr& gen) {
  MLXC_CHECK(p > 0.0 && p < 1.0, Runtime, "geometric_ expects p to be in (0, 1), but got p=", p);
  if (self.numel() == 0) return self;
  MLXC_CHECK(!is_complex(self.dtype()) && self.dtype() != ScalarType::Bool, NotImplemented,
             "\"geometric_cpu\" not implemented for '", scalar_type_name(self.dtype()), "'");
  const double denom = std::log1p(-p);
  return fill_serial(
      self, gen, "geometric_cpu",
      [denom](Generator& g) { return std::ceil(std::log(uniform_double(g, 0.0, 1.0)) / denom); },
      true);
}

Tensor rrelu(const Tensor& input, double lower, double upper, bool training, const GenPtr& gen) {
  MLXC_CHECK(is_floating(input.dtype()), NotImplemented,
             "\"rrelu_with_noise_out_cpu\" not implemented for '", scalar_type_name(input.dtype()),
             "'");
  std::vector<double> x = host_doubles(input);
  std::vector<double> noise(x.size(), 1.0);
  if (training) {
    // torch draws one uniform(lower, upper) per non-positive element, in order.
    Generator& g = gen_or_default(gen);
    std::lock_guard<std::mutex> lock(g.mutex);
    for (size_t i = 0; i < x.size(); ++i)
      if (x[i] <= 0) noise[i] = uniform_double(g, lower, upper);
  } else {
    const double slope = (lower + upper) / 2.0;
    for (size_t i = 0; i < x.size(); ++i)
      if (x[i] <= 0) noise[i] = slope;
  }
  const Tensor n = host_result(noise, input.sizes(), input.dtype());
  Tensor result = make_result(mx::multiply(input.value(), n.value()), input.dtype(), {&input});
  if (!needs_grad({&input})) return result;
  auto node = make_node("RreluWithNoiseBackward0", {&input},
                        [n](FnNode&, TensorList& gs) { return TensorList{mul(gs[0], n)}; });
  return with_history(result, node);
}

Tensor zero_grad_history(const Tensor& drawn, const char* name, TensorRefs inputs) {
  if (!needs_grad(inputs)) return drawn;
  std::vector<std::pair<IntArray, ScalarType>> metas;
  for (const Tensor* t : inputs) metas.emplace_back(t->sizes(), t->dtype());
  auto node = make_node(name, inputs, [metas](FnNode&, TensorList&) {
    TensorList r;
    for (const auto& [sizes, st] : metas)
      r.push_back(zeros(sizes, TensorOptions{st, Device{}, false}));
    return r;
  });
  return with_history(drawn, node);
}

Tensor bernoulli(const Tensor& probs, const GenPtr& gen) {
  MLXC_CHECK(is_floating(probs.dtype()), NotImplemented, "\"bernoulli_tensor_cpu_",
             is_complex(probs.dtype()) ? "self_" : "p_", "\" not implemented for '",
             scalar_type_name(probs.dtype()), "'");
  std::vector<double> p = host_doubles(probs);
  Generator& g = gen_or_default(gen);
  std::lock_guard<std::mutex> lock(g.mutex);
  std::vector<double> v(p.size());
  // torch.bernoulli(p) fills a contiguous result, in logical order.
  for (size_t i = 0; i < p.size(); ++i) {
    MLXC_CHECK(p[i] >= 0.0 && p[i] <= 1.0, Runtime,
               "Expected p_in >= 0 && p_in <= 1 to be true, but got false.");
    // torch draws in the probabilities' own precision.
    v[i] = probs.dtype() == ScalarType::Float64
               ? (uniform_double(g, 0.0, 1.0) < p[i] ? 1.0 : 0.0)
               : (uniform_float(g, 0.0f, 1.0f) < static_cast<float>(p[i]) ? 1.0 : 0.0);
  }
  return host_result(v, probs.sizes(), probs.dtype());
}

Tensor multinomial(const Tensor& probs, int64_t num_samples, bool replacement, const GenPtr& gen) {
  MLXC_CHECK(probs.dim() == 1 || probs.dim() == 2, Runtime, "prob_dist must be 1 or 2 dim");
  MLXC_CHECK(is_floating(probs.dtype()), Runtime,
             "multinomial only supports floating-point dtypes for input, got: ",
             scalar_type_name(probs.dtype()));
  MLXC_CHECK(num_samples > 0, Runtime, "cannot sample n_sample <= 0 samples");
  const int64_t cats = probs.sizes()[probs.dim() - 1];
  MLXC_CHECK(replacement || num_samples <= cats, Runtime,
             "cannot sample n_sample > prob_dist.size(-1) samples without replacement");
  const int64_t rows = probs.dim() == 2 ? probs.sizes()[0] : 1;
  std::vector<double> w = host_doubles(probs);
  for (int64_t r = 0; r < rows; ++r) {
    double total = 0;
    for (int64_t c = 0; c < cats; ++c) {
      const double x = w[r * cats + c];
      MLXC_CHECK(std::isfinite(x) && x >= 0, Runtime,
                 "probability tensor contains either `inf`, `nan` or element < 0");
      total += x;
    }
    MLXC_CHECK(total > 0, Runtime, "invalid multinomial distribution (sum of probabilities <= 0)");
  }
  std::vector<int64_t> out(rows * num_samples);
  Generator& g = gen_or_default(gen);
  if (!replacement) {
    // torch's method: keys w / Exp(1) draws, then the num_samples largest keys.
    Tensor q = Tensor::from_array(mx::zeros(probs.shape(), to_mlx(probs.dtype())), probs.dtype());
    exponential_(q, 1.0, gen);
    if (non_overlapping_and_dense(probs.sizes(), probs.strides())) {
      // empty_like(self) keeps self's layout (Note [Random fill order]).
      Tensor drawn = q;
      q = to_logical(drawn, probs.sizes(), probs.strides());
    }
    std::vector<double> e = host_doubles(q);
    for (int64_t r = 0; r < rows; ++r) {
      std::vector<std::pair<double, int64_t>> keys;
      for (int64_t c = 0; c < cats; ++c) keys.emplace_back(w[r * cats + c] / e[r * cats + c], c);
      std::stable_sort(keys.begin(), keys.end(),
                       [](const auto& a, const auto& b) { return a.first > b.first; });
      for (int64_t k = 0; k < num_samples; ++k) out[r * num_samples + k] = keys[k].second;
    }
  } else {
    std::lock_guard<std::mutex> lock(g.mutex);
    for (int64_t r = 0; r < rows; ++r) {
      std::vector<double> cum(cats);
      double acc = 0;
      for (int64_t c = 0; c < cats; ++c) cum[c] = (acc += w[r * cats + c]);
      for (auto& c : cum) c /= acc;
      cum[cats - 1] = 1.0;
      for (int64_t k = 0; k < num_samples; ++k) {
        const double u = uniform_double(g, 0.0, 1.0);
        int64_t lo = 0, hi = cats;
        while (hi - lo > 0) {
          const int64_t mid = lo + (hi - lo) / 2;
          if (cum[mid] < u)
            lo = mid + 1;
          else
            hi = mid;
        }
        out[r * num_samples + k] = lo;
      }
    }
  }
  mx::Shape shape = probs.dim() == 2
                        ? mx::Shape{static_cast<int32_t>(rows), static_cast<int32_t>(num_samples)}
                        : mx::Shape{static_cast<int32_t>(num_samples)};
  return Tensor::from_array(mx::array(out.begin(), shape, mx::int64), ScalarType::Int64);
}

namespace {

// One Poisson sample as torch's CPU kernel draws it: Hoermann's transformed
// rejection for large rates, multiplication of uniforms otherwise.
int64_t sample_poisson(double lambda, Generator& g) {
  if (lambda >= 10) {
    const double slam = std::sqrt(lambda), loglam = std::log(lambda);
    const double b = 0.931 + 2.53 * slam;
    const double a = -0.059 + 0.02483 * b;
    const double invalpha = 1.1239 + 1.1328 / (b - 3.4);
    const double vr = 0.9277 - 3.6224 / (b - 2);
    while (true) {
      const double u = uniform_double(g, 0.0, 1.0) - 0.5;
      const double v = uniform_double(g, 0.0, 1.0);
      const double us = 0.5 - std::fabs(u);
      const auto k = static_cast<int64_t>(std::floor((2 * a / us + b) * u + lambda + 0.43));
      if (us >= 0.07 && v <= vr) return k;
      if (k < 0 || (us < 0.013 && v > us)) continue;
      if (std::log(v) + std::log(invalpha) - std::log(a / (us * us) + b) <=
          -lambda + static_cast<double>(k) * loglam - std::lgamma(static_cast<double>(k) + 1)) {
        return k;
      }
    }
  }
  if (lambda == 0) return 0;
  const double enlam = std::exp(-lambda);
  int64_t x = 0;
  double prod = 1.0;
  while (true) {
    prod *= uniform_double(g, 0.0, 1.0);
    if (prod > enlam) {
      x += 1;
    } else {
      return x;
    }
  }
}

}  // namespace

Tensor poisson(const Tensor& rates, const GenPtr& gen) {
  MLXC_CHECK(is_floating(rates.dtype()), NotImplemented, "\"poisson_cpu\" not implemented for '",
             scalar_type_name(rates.dtype()), "'");
  std::vector<double> lam = host_doubles(rates);
  for (double l : lam)
    MLXC_CHECK(l >= 0, Runtime, "invalid Poisson rate, expected rate to be non-negative");
  Generator& g = gen_or_default(gen);
  std::lock_guard<std::mutex> lock(g.mutex);
  std::vector<double> v(lam.size());
  for (size_t i = 0; i < lam.size(); ++i) v[i] = static_cast<double>(sample_poisson(lam[i], g));
  return host_result(v, rates.sizes(), rates.dtype());
}

namespace {

bool strided_like(const Tensor& like) {
  return non_overlapping_and_dense(like.sizes(), like.strides()) &&
         !contiguous_layout(like.sizes(), like.strides());
}

}  // namespace

// Gives draws (made in sequence) the layout of `like` when it is dense and not
// contiguous: storage holds the draws, the tensor uses like's strides.
Tensor with_layout_of(const Tensor& drawn, const Tensor& like) {
  if (!non_overlapping_and_dense(like.sizes(), like.strides()) ||
      contiguous_layout(like.sizes(), like.strides())) {
    return drawn;
  }
  Tensor storage = Tensor::from_array(mx::reshape(drawn.value(), {-1}), drawn.dtype());
  Tensor out = make_view(storage, like.sizes(), like.strides(), 0);
  out.impl()->is_view = false;
  out.impl()->base.reset();
  return out;
}

Tensor rand_like(const Tensor& like, const GenPtr& gen, const TensorOptions& opts) {
  const ScalarType st = float_dtype(opts, "check_uniform_bounds");
  Tensor drawn = sample_uniform({like.numel()}, gen_or_default(gen), st, 0.0, 1.0);
  Tensor out = strided_like(like) ? with_layout_of(drawn, like) : reshape(drawn, like.sizes());
  return finish_factory(out, opts);
}

Tensor randn_like(const Tensor& like, const GenPtr& gen, const TensorOptions& opts) {
  const ScalarType st = float_dtype(opts, "normal_kernel_cpu");
  // A non-contiguous result takes torch's per-element path (Note [Random fill order]).
  Tensor drawn =
      sample_normal_tensor({like.numel()}, gen_or_default(gen), st, 0.0, 1.0, !strided_like(like));
  Tensor out = strided_like(like) ? with_layout_of(drawn, like) : reshape(drawn, like.sizes());
  return finish_factory(out, opts);
}

Tensor randint_like(const Tensor& like, int64_t low, int64_t high, const GenPtr& gen,
                    const TensorOptions& opts) {
  TensorOptions flat = opts;
  flat.requires_grad = false;
  Tensor drawn = randint(low, high, {like.numel()}, gen, flat);
  Tensor out = strided_like(like) ? with_layout_of(drawn, like) : reshape(drawn, like.sizes());
  return finish_factory(out, opts);
}

}  // namespace mlxc
