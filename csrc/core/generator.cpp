#include "core/generator.h"

namespace mlxc {

void Generator::set_seed(uint64_t seed) {
  seed_ = seed;
  engine_.seed(static_cast<uint32_t>(seed & 0xffffffffULL));
  next_double_normal.reset();
  next_float_normal.reset();
}

uint64_t Generator::reseed_random() {
  std::random_device rd;
  const uint64_t s = (static_cast<uint64_t>(rd()) << 32) | rd();
  set_seed(s);
  return s;
}

std::shared_ptr<Generator> default_generator() {
  static auto gen = std::make_shared<Generator>();
  return gen;
}

}  // namespace mlxc
