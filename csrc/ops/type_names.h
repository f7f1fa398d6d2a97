// torch's spelling of a dtype's C++ element type, as its TensorOptions, dtype
// and sampler errors print it ("float", "long int", "c10::complex<float>", ...).
#pragma once

#include <string>

#include "core/dtype.h"

namespace mlxc {

inline std::string cpp_type_name(ScalarType st) {
  switch (st) {
    case ScalarType::Bool:
      return "bool";
    case ScalarType::UInt8:
      return "unsigned char";
    case ScalarType::Int8:
      return "signed char";
    case ScalarType::Int16:
      return "short int";
    case ScalarType::Int32:
      return "int";
    case ScalarType::Int64:
      return "long int";
    case ScalarType::Float32:
      return "float";
    case ScalarType::Float64:
      return "double";
    case ScalarType::Float16:
      return "c10::Half";
    case ScalarType::BFloat16:
      return "c10::BFloat16";
    case ScalarType::Complex64:
      return "c10::complex<float>";
    default:
      return scalar_type_name(st);
  }
}

}  // namespace mlxc
