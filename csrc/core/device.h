// torch.device: a device type plus an optional index, mapped onto MLX devices.
#pragma once

#include <cstdint>
#include <string>

#include "mlx/device.h"

namespace mlxc {

namespace mx = mlx::core;

enum class DeviceType : int8_t { CPU, CUDA, MPS };

struct Device {
  DeviceType type = DeviceType::CPU;
  int index = -1;  // -1: no index given
  bool operator==(const Device& o) const = default;
};

// Parses "cpu", "cuda", "cuda:1", "mps", "gpu"; raises RuntimeError as torch does.
Device parse_device(const std::string& spec, int index = -1);
std::string device_type_name(DeviceType t);
// "cpu", "cuda:0"
std::string device_str(const Device& d);
// Whether MLX has an accelerator that backs this device type.
bool device_available(DeviceType t);
int device_count(DeviceType t);
// The MLX device that computes for `d`; raises if that device does not exist.
mx::Device to_mlx_device(const Device& d);
// Normalises a requested device (fills in the index, checks it exists).
Device resolve_device(const Device& d);

}  // namespace mlxc
