// Typed errors raised by the core; the Python layer maps each kind to the
// exception class torch raises for the same situation.
#pragma once

#include <exception>
#include <sstream>
#include <string>
#include <utility>

namespace mlxc {

enum class ErrorKind { Runtime, Type, Value, Index, NotImplemented, Assertion };

// An error carrying the Python exception kind torch would raise.
class Error : public std::exception {
 public:
  Error(ErrorKind kind, std::string msg) : kind_(kind), msg_(std::move(msg)) {}
  const char* what() const noexcept override { return msg_.c_str(); }
  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
  std::string msg_;
};

// Concatenates any streamable values into one string.
template <typename... Args>
std::string str(const Args&... args) {
  std::ostringstream os;
  (os << ... << args);
  return os.str();
}

template <typename... Args>
[[noreturn]] void fail(ErrorKind kind, const Args&... args) {
  throw Error(kind, str(args...));
}

}  // namespace mlxc

// Raise a torch-style error of the given kind unless `cond` holds.
#define MLXC_CHECK(cond, kind, ...)                       \
  do {                                                    \
    if (!(cond)) [[unlikely]]                             \
      ::mlxc::fail(::mlxc::ErrorKind::kind, __VA_ARGS__); \
  } while (0)
