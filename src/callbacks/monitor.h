// Helpers shared by the built-in callbacks.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "keras/callbacks/callback.h"
#include "keras/callbacks/saver.h"
#include "keras/core/error.h"

namespace keras::callbacks::detail {

// Python's warnings.warn(message) as Keras uses it: "UserWarning: message" on std::cerr.
void warn(const std::string& message);

// "loss,val_loss": the logs' keys joined by `sep`, as Keras lists "Available metrics".
std::string keys(const Logs& logs, const char* sep = ",");

// Whether a metric named `name` ("val_" stripped) improves upwards (true) or downwards (false),
// as Keras's metric `_direction`; nullopt for a name Keras could not place either.
std::optional<bool> improves_upwards(std::string_view name);

// Mode "auto"'s direction for `monitor`, as Keras 3's MonitorCallback._set_monitor_op: "loss"
// improves downwards; a compiled metric of `trainer` (may be null) whose log name is `monitor`
// ("val_" stripped) goes by its Metric::higher_is_better(); a name no metric settles (per-output
// losses and metrics such as "out_a_loss") by improves_upwards(). Else ValueError naming
// `callback` ("EarlyStopping"), in Keras's words.
bool auto_direction(const std::string& monitor,
                    const trainers::Trainer* trainer,
                    const char* callback);

// "epoch" -> 0, a positive number N -> N; else ValueError(error_prefix + the value + error_suffix).
int parse_frequency(const Frequency& f,
                    const std::string& error_prefix,
                    const std::string& error_suffix);

// Keras keeps a learning rate in a float32 variable: the value logs report.
inline double as_float32(double v) {
  return static_cast<double>(static_cast<float>(v));
}

// The callback's own saving function, else its trainer's (the model's); RuntimeError when neither
// is set (`what`: "save weights").
template <class F>
const F& pick(const F& own, const F& fallback, const char* what) {
  const F& f = own ? own : fallback;
  KERAS_CHECK(f != nullptr, RuntimeError, "No function to ", what,
              " is available: pass one in the callback's `saver` option (this trainer's model "
              "has none)");
  return f;
}

// Keras's batch counting for save_freq = `every` batches (0: per epoch, never true): a batch
// index not above the last one seen starts a new epoch. True when a save is due.
bool count_batch(int batch, int every, int& last_seen, int& since_save);

}  // namespace keras::callbacks::detail
