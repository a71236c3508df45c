// keras.config's global run settings: caps on fit's epochs and on the steps of an epoch (for
// debugging runs), and whether progress output is interactive.
//
//   keras::config::set_max_epochs(2);            // every fit runs at most 2 epochs
//   keras::config::set_max_steps_per_epoch(3);   // fit, evaluate, predict: at most 3 batches
//   keras::config::set_max_epochs(std::nullopt); // no cap again
//
// As in Keras, the environment variables KERAS_MAX_EPOCHS and KERAS_MAX_STEPS_PER_EPOCH (read
// once, at the first query) give the initial caps; a cap of 0 (or none) caps nothing. A cap
// that lowers what a call asked for prints Keras's warning on stderr ("UserWarning: Limiting
// epochs to 2", "UserWarning: Limiting steps_per_epoch to 3"). Thread-safe.
//
// Interactive logging (on by default): the ProgbarLogger that fit, evaluate and predict add
// writes its bar and "Epoch i/N" lines to std::cout. Off, as Keras sends them to absl.logging
// instead of stdout, they go to std::clog as plain log lines (no in-place redraw). A
// ProgbarLogger given its own stream writes there either way.
// (keras.config's traceback filtering has no C++ counterpart: C++ exceptions carry no Keras
// frames to filter.)
#pragma once

#include <cstdint>
#include <optional>

namespace keras::config {

void set_max_epochs(std::optional<int> max_epochs);
std::optional<int> max_epochs();
void set_max_steps_per_epoch(std::optional<int64_t> max_steps_per_epoch);
std::optional<int64_t> max_steps_per_epoch();

void enable_interactive_logging();
void disable_interactive_logging();
bool is_interactive_logging_enabled();

}  // namespace keras::config

// Keras exports these under keras.utils too.
namespace keras::utils {
using config::disable_interactive_logging;
using config::enable_interactive_logging;
using config::is_interactive_logging_enabled;
}  // namespace keras::utils
