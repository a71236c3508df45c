#include "keras/config/settings.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cstdlib>
#include <limits>
#include <string_view>

#include "keras/core/error.h"

namespace keras::config {

namespace {

constexpr int64_t kNone = std::numeric_limits<int64_t>::min();

// Python's int(os.environ[name]), or none when unset.
int64_t from_env(const char* name) {
  const char* text = std::getenv(name);
  if (text == nullptr) return kNone;
  std::string_view s(text);
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n'))
    s.remove_suffix(1);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  KERAS_CHECK(!s.empty() && ec == std::errc() && end == s.data() + s.size(), ValueError,
              "invalid literal for int() with base 10: '", excerpt(text), "'");
  return v;
}

struct Settings {
  std::atomic<int64_t> max_epochs{from_env("KERAS_MAX_EPOCHS")};
  std::atomic<int64_t> max_steps{from_env("KERAS_MAX_STEPS_PER_EPOCH")};
  std::atomic<bool> interactive{true};
};

Settings& settings() {
  static Settings s;
  return s;
}

std::optional<int64_t> get(const std::atomic<int64_t>& v) {
  int64_t x = v.load();
  return x == kNone ? std::nullopt : std::optional<int64_t>(x);
}

}  // namespace

void set_max_epochs(std::optional<int> max_epochs) {
  settings().max_epochs = max_epochs ? *max_epochs : kNone;
}
std::optional<int> max_epochs() {
  auto v = get(settings().max_epochs);
  if (!v) return std::nullopt;
  return static_cast<int>(
      std::clamp<int64_t>(*v, std::numeric_limits<int>::min(), std::numeric_limits<int>::max()));
}
void set_max_steps_per_epoch(std::optional<int64_t> max_steps_per_epoch) {
  settings().max_steps = max_steps_per_epoch.value_or(kNone);
}
std::optional<int64_t> max_steps_per_epoch() {
  return get(settings().max_steps);
}

void enable_interactive_logging() {
  settings().interactive = true;
}
void disable_interactive_logging() {
  settings().interactive = false;
}
bool is_interactive_logging_enabled() {
  return settings().interactive;
}

}  // namespace keras::config
