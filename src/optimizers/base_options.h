// The base-optimizer arguments of any optimizer's options struct, and helpers the update rules
// share.
#pragma once

#include <charconv>
#include <string>

#include "keras/ops/elementwise.h"
#include "keras/optimizers/optimizers.h"

namespace keras::optimizers {

template <class Options>
BaseOptions base_of(const Options& o) {
  return BaseOptions{o.weight_decay,
                     o.clip,
                     o.use_ema,
                     o.ema_momentum,
                     o.ema_overwrite_frequency,
                     o.gradient_accumulation_steps,
                     o.loss_scale_factor};
}

// Keras's optimizer.assign_sub: target -= value (in place).
inline void assign_sub(const Tensor& target, const Tensor& value) {
  ops::assign(target, ops::subtract(target, value));
}

// A float as Python prints it in Keras's messages: shortest round trip, "1.0" not "1".
inline std::string py_float(double v) {
  char buf[32];
  const auto end = std::to_chars(buf, buf + sizeof buf, v).ptr;
  std::string s(buf, end);
  if (s.find_first_of(".en") == std::string::npos) s += ".0";
  return s;
}

}  // namespace keras::optimizers
