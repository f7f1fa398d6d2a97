// Note [Box-Muller kernels]
// torch turns each block of 16 uniforms into 16 normals with Box-Muller. Which
// code does it depends on the CPU kernel torch dispatches to:
// - On x86 machines with AVX2 and FMA (torch's AVX2 and AVX512 kernels), float
//   blocks go through an 8-lane kernel whose log, sin and cos are cephes-style
//   polynomial approximations, compiled with multiply-adds fused wherever a
//   product feeds a sum. The functions below evaluate the same formulas one lane
//   at a time, with every fusion written out as std::fma and every other
//   product and sum rounded on its own (this file is built without
//   floating-point contraction), so each lane rounds exactly as torch's does.
// - Elsewhere (torch's DEFAULT kernel, ATEN_CPU_CAPABILITY=default, other
//   architectures), and for double at all times, the block calls the C
//   library's log, cos and sin in the sample's own precision, with the angle
//   computed in double and rounded once.
#include "ops/normal_fill.h"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#pragma STDC FP_CONTRACT OFF

namespace mlxc {

namespace {

constexpr double kTwoPi = 2.0 * 3.14159265358979323846;

// The vector code's constants are written as double literals and rounded to float.
constexpr float f32(double d) { return static_cast<float>(d); }

uint32_t bits_of(float f) {
  uint32_t b;
  std::memcpy(&b, &f, sizeof b);
  return b;
}

float float_of(uint32_t b) {
  float f;
  std::memcpy(&f, &b, sizeof f);
  return f;
}

// Natural logarithm of x in (0, 1]: x = m * 2^e with m in [sqrt(1/2), sqrt(2)),
// log(x) = log1p(m - 1) + e * log(2), log1p by a degree-9 polynomial and
// log(2) split in two parts (0.693359375 - 2.12194440e-4).
float poly_log(float x) {
  constexpr float kMinNormal = 1.17549435e-38f;
  if (x < kMinNormal) x = kMinNormal;
  const uint32_t b = bits_of(x);
  // Mantissa in [0.5, 1) and the matching exponent.
  float m = float_of((b & 0x807fffffu) | 0x3f000000u);
  float e = static_cast<float>(static_cast<int32_t>(b >> 23) - 127) + 1.0f;
  if (m < f32(0.707106781186547524)) {
    // m + m - 1 in the same two roundings as the vector code: (m - 1) + m.
    e = e - 1.0f;
    m = (m - 1.0f) + m;
  } else {
    m = m - 1.0f;
  }
  static constexpr float kCoef[9] = {
      f32(7.0376836292E-2),  f32(-1.1514610310E-1), f32(1.1676998740E-1),
      f32(-1.2420140846E-1), f32(1.4249322787E-1),  f32(-1.6668057665E-1),
      f32(2.0000714765E-1),  f32(-2.4999993993E-1), f32(3.3333331174E-1)};
  const float z = m * m;
  float p = kCoef[0];
  for (int i = 1; i < 9; ++i) p = std::fma(p, m, kCoef[i]);
  p = p * m;
  float y = std::fma(p, z, e * f32(-2.12194440e-4));
  y = std::fma(-z, 0.5f, y);
  const float s = m + y;
  return std::fma(e, f32(0.693359375), s);
}

// Sine and cosine of x >= 0 together: reduce by multiples of pi/4 (three-part
// pi/4 for extra precision), evaluate the sine or cosine polynomial on the
// remainder and pick and sign them by octant.
void poly_sincos(float x, float* sin_out, float* cos_out) {
  const bool negative = std::signbit(x);
  x = std::fabs(x);
  int32_t j = static_cast<int32_t>(x * f32(1.27323954473516));  // 4 / pi, truncated
  j = (j + 1) & ~1;
  const float q = static_cast<float>(j);
  x = std::fma(q, f32(-0.78515625), x);
  x = std::fma(q, f32(-2.4187564849853515625e-4), x);
  x = std::fma(q, f32(-3.77489497744594108e-8), x);
  const float z = x * x;

  float c = f32(2.443315711809948E-005);
  c = std::fma(c, z, f32(-1.388731625493765E-003));
  c = std::fma(c, z, f32(4.166664568298827E-002));
  c = c * z;
  c = std::fma(c, z, -(z * 0.5f));
  c = c + 1.0f;

  float s = f32(-1.9515295891E-4);
  s = std::fma(s, z, f32(8.3321608736E-3));
  s = std::fma(s, z, f32(-1.6666654611E-1));
  s = s * z;
  s = std::fma(s, x, x);

  const bool sine_poly_for_sin = (j & 2) == 0;
  const float sv = sine_poly_for_sin ? s : c;
  const float cv = sine_poly_for_sin ? c : s;
  const bool flip_sin = negative != ((j & 4) != 0);
  const bool flip_cos = ((~(j - 2)) & 4) != 0;
  *sin_out = flip_sin ? -sv : sv;
  *cos_out = flip_cos ? -cv : cv;
}

bool cpu_has_avx2_fma() {
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
  return false;
#endif
}

}  // namespace

bool vector_normal_kernel() {
  static const bool use = [] {
    // torch reads ATEN_CPU_CAPABILITY to cap its kernels; "default" means the
    // scalar one.
    const char* cap = std::getenv("ATEN_CPU_CAPABILITY");
    if (cap && std::string(cap) == "default") return false;
    return cpu_has_avx2_fma();
  }();
  return use;
}

void normal_fill_16(float* data, float mean, float std) {
  const bool vec = vector_normal_kernel();
  const float two_pi = static_cast<float>(kTwoPi);
  for (int j = 0; j < 8; ++j) {
    const float u1 = 1.0f - data[j];
    const float u2 = data[j + 8];
    float radius, sin_t, cos_t;
    if (vec) {
      radius = std::sqrt(-2.0f * poly_log(u1));
      poly_sincos(two_pi * u2, &sin_t, &cos_t);
    } else {
      radius = std::sqrt(-2.0f * std::log(u1));
      const float theta = static_cast<float>(kTwoPi * u2);
      sin_t = std::sin(theta);
      cos_t = std::cos(theta);
    }
    data[j] = std::fma(radius * cos_t, std, mean);
    data[j + 8] = std::fma(radius * sin_t, std, mean);
  }
}

void normal_fill_16(double* data, double mean, double std) {
  for (int j = 0; j < 8; ++j) {
    const double u1 = 1.0 - data[j];
    const double u2 = data[j + 8];
    const double radius = std::sqrt(-2.0 * std::log(u1));
    const double theta = kTwoPi * u2;
    data[j] = std::fma(radius * std::cos(theta), std, mean);
    data[j + 8] = std::fma(radius * std::sin(theta), std, mean);
  }
}

}  // namespace mlxc
