// Progress bar in Keras 3's format:
//   1875/1875 ━━━━━━━━━━━━━━━━━━━━ 3s 2ms/step - accuracy: 0.8123 - loss: 0.5301
// verbose 1 redraws in place on a terminal (at most every 50 ms) and prints one line per update
// otherwise; verbose 2 prints one line when finalized.
#pragma once

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace keras::callbacks {

class Progbar {
 public:
  // `dynamic` = rewrite in place with \r (default: whether `out` is std::cout on a terminal).
  Progbar(int64_t target, int verbose, std::ostream& out, int dynamic = -1);
  void update(int64_t current,
              const std::vector<std::pair<std::string, double>>& values,
              bool finalize = false);

 private:
  using Clock = std::chrono::steady_clock;
  double step_duration(int64_t current, Clock::time_point now) const;

  int64_t target_;
  int verbose_;
  std::ostream& out_;
  bool dynamic_;
  Clock::time_point start_, last_update_, after_first_step_;
  bool first_step_seen_ = false;
  size_t prev_width_ = 0;
};

// "3s", "1:05", "1:01:05" as Keras formats an ETA.
std::string format_eta(double seconds);
// " 2ms/step", " 1s/step", " 350us/step".
std::string format_step_time(double seconds);
// "0.8123" or "1.2345e-04" for |v| <= 1e-3 (and v != 0).
std::string format_value(double v);

}  // namespace keras::callbacks
