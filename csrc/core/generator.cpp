#include "core/generator.h"

#include <cstring>
#include <sstream>

#include "core/error.h"

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

namespace {
constexpr char kStateMagic[8] = {'M', 'L', 'X', 'C', 'G', 'E', 'N', '1'};

template <typename T>
void put(std::vector<uint8_t>& out, const T& v) {
  const auto* p = reinterpret_cast<const uint8_t*>(&v);
  out.insert(out.end(), p, p + sizeof(T));
}

template <typename T>
T take(const std::vector<uint8_t>& in, size_t& pos) {
  MLXC_CHECK(pos + sizeof(T) <= in.size(), Runtime, "RNG state is wrong size");
  T v;
  std::memcpy(&v, in.data() + pos, sizeof(T));
  pos += sizeof(T);
  return v;
}
}  // namespace

std::vector<uint8_t> Generator::get_state() const {
  std::vector<uint8_t> out(kStateMagic, kStateMagic + 8);
  put(out, seed_);
  put(out, static_cast<uint8_t>(next_double_normal.has_value()));
  put(out, next_double_normal.value_or(0.0));
  put(out, static_cast<uint8_t>(next_float_normal.has_value()));
  put(out, next_float_normal.value_or(0.0f));
  std::ostringstream os;
  os << engine_;
  const std::string text = os.str();
  out.insert(out.end(), text.begin(), text.end());
  return out;
}

void Generator::set_state(const std::vector<uint8_t>& state) {
  MLXC_CHECK(state.size() > 8 && std::memcmp(state.data(), kStateMagic, 8) == 0, Runtime,
             "RNG state is wrong size or was not produced by get_state()");
  size_t pos = 8;
  const auto seed = take<uint64_t>(state, pos);
  const bool has_d = take<uint8_t>(state, pos) != 0;
  const auto d = take<double>(state, pos);
  const bool has_f = take<uint8_t>(state, pos) != 0;
  const auto f = take<float>(state, pos);
  std::istringstream is(std::string(state.begin() + static_cast<std::ptrdiff_t>(pos), state.end()));
  std::mt19937 engine;
  is >> engine;
  MLXC_CHECK(!is.fail(), Runtime, "RNG state is corrupted: cannot read the mt19937 engine");
  seed_ = seed;
  engine_ = engine;
  next_double_normal = has_d ? std::optional<double>(d) : std::nullopt;
  next_float_normal = has_f ? std::optional<float>(f) : std::nullopt;
}

std::shared_ptr<Generator> default_generator() {
  static auto gen = std::make_shared<Generator>();
  return gen;
}

}  // namespace mlxc
