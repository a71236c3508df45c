// A per-thread cap on the bytes of weights that layers may create, set while a model is rebuilt
// from a file: a hostile config (Dense with 10^12 units) then fails with ValueError in
// add_weight instead of exhausting memory. Internal to the library (used by src/saving).
#pragma once

#include <cstdint>

namespace keras::layers::internal {

// -1: no limit (the default).
int64_t& weight_budget_bytes();

class WeightBudget {
 public:
  explicit WeightBudget(int64_t bytes) : saved_(weight_budget_bytes()) {
    weight_budget_bytes() = bytes;
  }
  ~WeightBudget() { weight_budget_bytes() = saved_; }
  WeightBudget(const WeightBudget&) = delete;
  WeightBudget& operator=(const WeightBudget&) = delete;

 private:
  int64_t saved_;
};

}  // namespace keras::layers::internal
