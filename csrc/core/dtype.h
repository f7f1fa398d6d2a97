// torch dtypes, their MLX counterparts, and torch's type-promotion lattice.
#pragma once

#include <cstdint>
#include <string>

#include "mlx/dtype.h"

namespace mlxc {

namespace mx = mlx::core;

// The torch dtypes that MLX can hold, in torch's ScalarType order.
enum class ScalarType : int8_t {
  UInt8,
  Int8,
  Int16,
  Int32,
  Int64,
  Float16,
  Float32,
  Float64,
  Complex64,
  Bool,
  BFloat16,
};
constexpr int kNumScalarTypes = 11;

// torch's short name ("float32", "int64", ...).
const char* dtype_name(ScalarType t);
// torch's legacy tensor type name ("FloatTensor", ...).
const char* legacy_type_name(ScalarType t);
// torch's ScalarType name in messages ("Float", "Long", ...).
std::string scalar_type_name(ScalarType t);
mx::Dtype to_mlx(ScalarType t);
ScalarType from_mlx(mx::Dtype t);
int itemsize(ScalarType t);

inline bool is_complex(ScalarType t) { return t == ScalarType::Complex64; }
inline bool is_floating(ScalarType t) {
  return t == ScalarType::Float16 || t == ScalarType::Float32 || t == ScalarType::Float64 ||
         t == ScalarType::BFloat16;
}
inline bool is_integral(ScalarType t, bool include_bool) {
  return (t >= ScalarType::UInt8 && t <= ScalarType::Int64) ||
         (include_bool && t == ScalarType::Bool);
}
inline bool is_signed(ScalarType t) { return t != ScalarType::UInt8 && t != ScalarType::Bool; }

// torch.promote_types.
ScalarType promote_types(ScalarType a, ScalarType b);
// torch.can_cast: whether a value of `from` may be written into `to` by an in-place op.
bool can_cast(ScalarType from, ScalarType to);
// The complex dtype holding values of a floating dtype.
ScalarType to_complex(ScalarType t);

// torch.get_default_dtype / set_default_dtype (process wide, float32 or float64).
ScalarType default_float_dtype();
void set_default_float_dtype(ScalarType t);

}  // namespace mlxc
