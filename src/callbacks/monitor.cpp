#include "callbacks/monitor.h"

#include <iostream>

#include "keras/core/error.h"
#include "keras/metrics/metric.h"
#include "keras/trainers/trainer.h"

namespace keras::callbacks::detail {

void warn(const std::string& message) {
  std::cerr << "UserWarning: " << message << std::endl;
}

std::string keys(const Logs& logs, const char* sep) {
  std::string out;
  for (const auto& [k, v] : logs) out += (out.empty() ? "" : sep) + k;
  return out;
}

std::optional<bool> improves_upwards(std::string_view name) {
  if (name.starts_with("val_")) name.remove_prefix(4);
  auto has = [&](std::string_view s) { return name.find(s) != std::string_view::npos; };
  auto ends = [&](std::string_view s) { return name.ends_with(s); };
  if (ends("loss") || has("error") || has("crossentropy") || has("hinge") || ends("mae") ||
      ends("mse") || ends("mape") || ends("msle") || has("kl_divergence") || has("poisson") ||
      has("logcosh")) {
    return false;
  }
  if (has("acc") || has("auc") || has("precision") || has("recall") || has("cosine_similarity") ||
      has("f1_score") || has("fbeta_score") || has("r2_score") || has("iou")) {
    return true;
  }
  return std::nullopt;
}

bool auto_direction(const std::string& monitor,
                    const trainers::Trainer* trainer,
                    const char* callback) {
  const std::string_view name =
      std::string_view(monitor).starts_with("val_") ? std::string_view(monitor).substr(4) : monitor;
  if (name == "loss") return false;
  if (trainer != nullptr) {
    const std::vector<std::string> names = trainer->metrics_names();
    const std::vector<metrics::MetricPtr> metrics = trainer->metrics();
    if (names.size() == metrics.size()) {
      for (size_t i = 0; i < names.size(); ++i) {
        if (names[i] != name || !metrics[i]) continue;
        if (const std::optional<bool> up = metrics[i]->higher_is_better()) return *up;
      }
    }
  }
  const std::optional<bool> up = improves_upwards(name);
  KERAS_CHECK(up.has_value(), ValueError, callback, " callback received monitor=", monitor,
              ", but Keras isn't able to automatically determine whether that metric should be "
              "maximized or minimized. Pass `mode='max'` in order to monitor based on the "
              "highest metric value, or pass `mode='min'` in order to use the lowest value.");
  return *up;
}

int parse_frequency(const Frequency& f,
                    const std::string& error_prefix,
                    const std::string& error_suffix) {
  if (const int* n = std::get_if<int>(&f)) {
    KERAS_CHECK(*n > 0, ValueError, error_prefix, *n, error_suffix);
    return *n;
  }
  const std::string& s = std::get<std::string>(f);
  if (s == "epoch") return 0;
  char* end = nullptr;
  const long n = std::strtol(s.c_str(), &end, 10);
  KERAS_CHECK(!s.empty() && *end == '\0' && n > 0, ValueError, error_prefix, s, error_suffix);
  return static_cast<int>(n);
}

bool count_batch(int batch, int every, int& last_seen, int& since_save) {
  if (every == 0) return false;
  since_save += batch <= last_seen ? batch + 1 : batch - last_seen;
  last_seen = batch;
  if (since_save < every) return false;
  since_save = 0;
  return true;
}

}  // namespace keras::callbacks::detail
