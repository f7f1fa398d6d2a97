#include "core/device.h"

#include <cctype>

#include "core/error.h"
#include "mlx/device.h"

namespace mlxc {

namespace {

bool gpu_is_cuda() {
#ifdef __APPLE__
  return false;
#else
  return true;
#endif
}

}  // namespace

std::string device_type_name(DeviceType t) {
  switch (t) {
    case DeviceType::CPU:
      return "cpu";
    case DeviceType::CUDA:
      return "cuda";
    case DeviceType::MPS:
      return "mps";
  }
  return "cpu";
}

std::string device_str(const Device& d) {
  auto s = device_type_name(d.type);
  if (d.index >= 0) s += ":" + std::to_string(d.index);
  return s;
}

Device parse_device(const std::string& spec, int index) {
  std::string type = spec;
  int idx = index;
  if (auto colon = spec.find(':'); colon != std::string::npos) {
    type = spec.substr(0, colon);
    const std::string num = spec.substr(colon + 1);
    bool ok = !num.empty();
    for (char c : num) ok = ok && std::isdigit(static_cast<unsigned char>(c));
    MLXC_CHECK(ok, Runtime, "Invalid device string: '", spec, "'");
    MLXC_CHECK(
        index < 0, Runtime,
        "type (string) must not include an index because index was passed explicitly: ", spec);
    idx = std::stoi(num);
  }
  Device d;
  if (type == "cpu") {
    d.type = DeviceType::CPU;
  } else if (type == "cuda" || type == "gpu") {
    d.type = DeviceType::CUDA;
  } else if (type == "mps") {
    d.type = DeviceType::MPS;
  } else {
    fail(ErrorKind::Runtime,
         "Expected one of cpu, cuda, mps, gpu device type at start of device string: ", spec);
  }
  MLXC_CHECK(idx >= -1, Runtime, "Device index must not be negative");
  d.index = idx;
  return d;
}

bool device_available(DeviceType t) {
  if (t == DeviceType::CPU) return true;
  if (!mx::is_available(mx::Device::gpu)) return false;
  return (t == DeviceType::CUDA) == gpu_is_cuda();
}

int device_count(DeviceType t) {
  if (t == DeviceType::CPU) return 1;
  return device_available(t) ? 1 : 0;
}

Device resolve_device(const Device& d) {
  if (d.type == DeviceType::CPU) return Device{DeviceType::CPU, -1};
  if (!device_available(d.type)) {
    if (d.type == DeviceType::CUDA) {
      fail(ErrorKind::Assertion, "Torch not compiled with CUDA enabled");
    }
    fail(ErrorKind::NotImplemented,
         "Could not run operators on the 'MPS' backend: this build of MLX has no Metal device");
  }
  const int idx = d.index < 0 ? 0 : d.index;
  MLXC_CHECK(idx < device_count(d.type), Runtime, "CUDA error: invalid device ordinal (device ",
             idx, " of ", device_count(d.type), ")");
  return Device{d.type, idx};
}

mx::Device to_mlx_device(const Device& d) {
  return d.type == DeviceType::CPU ? mx::Device::cpu : mx::Device::gpu;
}

}  // namespace mlxc
