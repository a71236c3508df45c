// The base-optimizer arguments of any optimizer's options struct.
#pragma once

#include "keras/optimizers/optimizers.h"

namespace keras::optimizers {

template <class Options>
BaseOptions base_of(const Options& o) {
  return BaseOptions{o.weight_decay,
                     o.clip,
                     o.use_ema,
                     o.ema_momentum,
                     o.ema_overwrite_frequency,
                     o.gradient_accumulation_steps};
}

}  // namespace keras::optimizers
