#include "core/dtype.h"

#include <atomic>

#include "core/error.h"

namespace mlxc {

namespace {

struct DtypeInfo {
  const char* name;
  const char* legacy;
  mx::Dtype mlx;
};

const DtypeInfo kInfo[kNumScalarTypes] = {
    {"uint8", "ByteTensor", mx::uint8},
    {"int8", "CharTensor", mx::int8},
    {"int16", "ShortTensor", mx::int16},
    {"int32", "IntTensor", mx::int32},
    {"int64", "LongTensor", mx::int64},
    {"float16", "HalfTensor", mx::float16},
    {"float32", "FloatTensor", mx::float32},
    {"float64", "DoubleTensor", mx::float64},
    {"complex64", "ComplexFloatTensor", mx::complex64},
    {"bool", "BoolTensor", mx::bool_},
    {"bfloat16", "BFloat16Tensor", mx::bfloat16},
};

std::atomic<ScalarType> g_default_float{ScalarType::Float32};

// Rank of a floating dtype along torch's float ladder; f16 and bf16 share a rung.
int float_rank(ScalarType t) {
  switch (t) {
    case ScalarType::Float16:
    case ScalarType::BFloat16:
      return 0;
    case ScalarType::Float32:
      return 1;
    default:
      return 2;
  }
}

}  // namespace

const char* dtype_name(ScalarType t) { return kInfo[static_cast<int>(t)].name; }
const char* legacy_type_name(ScalarType t) { return kInfo[static_cast<int>(t)].legacy; }
std::string scalar_type_name(ScalarType t) {
  std::string s = legacy_type_name(t);
  return s.substr(0, s.size() - 6);  // drop "Tensor"
}

mx::Dtype to_mlx(ScalarType t) { return kInfo[static_cast<int>(t)].mlx; }

ScalarType from_mlx(mx::Dtype t) {
  for (int i = 0; i < kNumScalarTypes; ++i) {
    if (kInfo[i].mlx == t) return static_cast<ScalarType>(i);
  }
  fail(ErrorKind::Type, "MLX dtype has no torch counterpart (unsigned 16/32/64-bit integers)");
}

int itemsize(ScalarType t) { return static_cast<int>(to_mlx(t).size()); }

ScalarType to_complex(ScalarType t) {
  MLXC_CHECK(t != ScalarType::Float64, Type,
             "complex128 is not supported: MLX has no double-precision complex dtype");
  return ScalarType::Complex64;
}

ScalarType promote_types(ScalarType a, ScalarType b) {
  using S = ScalarType;
  if (a == b) return a;
  if (a == S::Bool) return b;
  if (b == S::Bool) return a;
  if (is_complex(a) || is_complex(b)) return to_complex(is_complex(a) ? b : a);
  const bool fa = is_floating(a), fb = is_floating(b);
  if (fa && fb) {
    const int ra = float_rank(a), rb = float_rank(b);
    if (ra == rb) return S::Float32;  // float16 with bfloat16
    return ra > rb ? a : b;
  }
  if (fa) return a;
  if (fb) return b;
  // Both integral. uint8 with a signed type needs a wider signed type.
  if (a == S::UInt8 || b == S::UInt8) {
    const S other = a == S::UInt8 ? b : a;
    return other == S::Int8 ? S::Int16 : other;
  }
  return static_cast<int>(a) > static_cast<int>(b) ? a : b;
}

bool can_cast(ScalarType from, ScalarType to) {
  if (is_complex(from) && !is_complex(to)) return false;
  if (is_floating(from) && is_integral(to, false)) return false;
  if (from != ScalarType::Bool && to == ScalarType::Bool) return false;
  return true;
}

ScalarType default_float_dtype() { return g_default_float.load(std::memory_order_relaxed); }

void set_default_float_dtype(ScalarType t) {
  MLXC_CHECK(is_floating(t), Type, "only floating-point types are supported as the default type");
  g_default_float.store(t, std::memory_order_relaxed);
}

}  // namespace mlxc
