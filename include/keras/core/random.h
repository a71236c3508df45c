// Random numbers. One global generator, seeded by keras::utils::set_random_seed, feeds weight
// initializers, shuffling and dropout, so a run is reproducible for a given seed.
#pragma once

#include <array>
#include <cstdint>

namespace keras {

// xoshiro256** — small, fast, and the same sequence on every platform.
class Generator {
 public:
  explicit Generator(uint64_t seed = 1337) { reseed(seed); }
  void reseed(uint64_t seed);
  uint64_t next_u64();
  // Uniform in [0, 1) with 53 random bits.
  double next_double() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
  // Standard normal (Box–Muller; caches the second value).
  double next_normal();
  // Uniform integer in [0, n).
  uint64_t next_below(uint64_t n);

  // The complete state: restoring it repeats the sequence exactly (BackupAndRestore saves it).
  struct State {
    std::array<uint64_t, 4> s = {};
    bool has_spare = false;
    double spare = 0.0;
    bool operator==(const State&) const = default;
  };
  State state() const { return {{s_[0], s_[1], s_[2], s_[3]}, has_spare_, spare_}; }
  // Throws ValueError for the all-zero state, which xoshiro256** never leaves.
  void set_state(const State& state);

 private:
  uint64_t s_[4] = {};
  bool has_spare_ = false;
  double spare_ = 0.0;
};

// The process-wide generator used when no explicit one is given.
Generator& global_generator();

}  // namespace keras
