#include "keras/core/random.h"

#include <cmath>
#include <numbers>

#include "keras/core/error.h"

namespace keras {
namespace {

uint64_t splitmix64(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t rotl(uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}

}  // namespace

void Generator::reseed(uint64_t seed) {
  for (uint64_t& s : s_) s = splitmix64(seed);
  has_spare_ = false;
}

void Generator::set_state(const State& state) {
  KERAS_CHECK(state.s != (std::array<uint64_t, 4>{}), ValueError,
              "Generator.set_state: the all-zero state is invalid");
  for (size_t i = 0; i < 4; ++i) s_[i] = state.s[i];
  has_spare_ = state.has_spare;
  spare_ = state.spare;
}

uint64_t Generator::next_u64() {
  const uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double Generator::next_normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  double u1 = next_double();
  while (u1 <= 0.0) u1 = next_double();
  const double u2 = next_double();
  const double r = std::sqrt(-2.0 * std::log(u1));
  spare_ = r * std::sin(2.0 * std::numbers::pi * u2);
  has_spare_ = true;
  return r * std::cos(2.0 * std::numbers::pi * u2);
}

uint64_t Generator::next_below(uint64_t n) {
  // Lemire's nearly-divisionless method with rejection: unbiased.
  const uint64_t threshold = (0 - n) % n;
  while (true) {
    const __uint128_t m = static_cast<__uint128_t>(next_u64()) * n;
    if (static_cast<uint64_t>(m) >= threshold) return static_cast<uint64_t>(m >> 64);
  }
}

Generator& global_generator() {
  static Generator generator;
  return generator;
}

}  // namespace keras
