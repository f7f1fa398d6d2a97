// Maps C++ exceptions to the Python exceptions torch raises.
#include "core/error.h"
#include "python/bind.h"

namespace mlxc::py {

void init_errors(nb::module_&) {
  nb::register_exception_translator([](const std::exception_ptr& p, void*) {
    try {
      std::rethrow_exception(p);
    } catch (const Error& e) {
      PyObject* type = PyExc_RuntimeError;
      switch (e.kind()) {
        case ErrorKind::Type:
          type = PyExc_TypeError;
          break;
        case ErrorKind::Value:
          type = PyExc_ValueError;
          break;
        case ErrorKind::Index:
          type = PyExc_IndexError;
          break;
        case ErrorKind::NotImplemented:
          type = PyExc_NotImplementedError;
          break;
        case ErrorKind::Assertion:
          type = PyExc_AssertionError;
          break;
        default:
          break;
      }
      PyErr_SetString(type, e.what());
    } catch (nb::python_error& e) {
      e.restore();
    } catch (const nb::builtin_exception&) {
      throw;
    } catch (const std::bad_alloc&) {
      PyErr_SetString(PyExc_MemoryError, "out of memory");
    } catch (const std::exception& e) {
      // MLX reports shape and argument errors with std::invalid_argument; torch
      // raises RuntimeError for those.
      PyErr_SetString(PyExc_RuntimeError, e.what());
    }
  });
}

}  // namespace mlxc::py
