#include "keras/callbacks/progbar.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <iostream>

namespace keras::callbacks {
namespace {

const char* const kBarGlyph = "\u2501";   // ━
const char* const kRestGlyph = "\u2500";  // ─ (without colours, the rest of the bar is thinner)

std::string repeat(const char* s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

}  // namespace

std::string format_eta(double s) {
  char buf[64];
  const long t = static_cast<long>(s);
  if (s > 3600) {
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", t / 3600, (t % 3600) / 60, t % 60);
  } else if (s > 60) {
    std::snprintf(buf, sizeof buf, "%ld:%02ld", t / 60, t % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%lds", t);
  }
  return buf;
}

std::string format_step_time(double t) {
  if (t >= 1 || t == 0) return fmt(" %.0fs/step", t);
  if (t >= 1e-3) return fmt(" %.0fms/step", t * 1e3);
  return fmt(" %.0fus/step", t * 1e6);
}

std::string format_value(double v) {
  return std::abs(v) > 1e-3 || v == 0 ? fmt("%.4f", v) : fmt("%.4e", v);
}

Progbar::Progbar(int64_t target, int verbose, std::ostream& out, int dynamic)
    : target_(target), verbose_(verbose), out_(out) {
  dynamic_ = dynamic >= 0 ? dynamic != 0 : (&out == &std::cout && isatty(STDOUT_FILENO));
  start_ = last_update_ = Clock::now();
}

double Progbar::step_duration(int64_t current, Clock::time_point now) const {
  if (current <= 0) return 0.0;
  if (current > 1 && first_step_seen_) {
    return std::chrono::duration<double>(now - after_first_step_).count() /
           static_cast<double>(current - 1);
  }
  return std::chrono::duration<double>(now - start_).count() / static_cast<double>(current);
}

void Progbar::update(int64_t current,
                     const std::vector<std::pair<std::string, double>>& values,
                     bool finalize) {
  const auto now = Clock::now();
  if (!first_step_seen_ && current >= 1) {
    first_step_seen_ = true;
    after_first_step_ = now;
  }
  if (verbose_ == 0) return;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double per_step = step_duration(current, now);
  std::string metrics;
  for (const auto& [name, v] : values) metrics += " - " + name + ": " + format_value(v);
  const int digits =
      target_ > 0 ? static_cast<int>(std::log10(static_cast<double>(target_))) + 1 : 1;
  char counter[64];
  if (verbose_ == 2) {
    if (!finalize) return;
    std::snprintf(counter, sizeof counter, "%*lld/%lld", digits, static_cast<long long>(current),
                  static_cast<long long>(target_));
    out_ << counter << " - " << fmt("%.0fs", elapsed) << " -" << format_step_time(per_step)
         << metrics << '\n'
         << std::flush;
    return;
  }
  if (!finalize && std::chrono::duration<double>(now - last_update_).count() < 0.05) return;
  last_update_ = now;
  std::snprintf(counter, sizeof counter, "%*lld/%lld", digits, static_cast<long long>(current),
                static_cast<long long>(target_));
  const int width = 20;
  const int filled =
      target_ > 0
          ? static_cast<int>(width * static_cast<double>(current) / static_cast<double>(target_))
          : 0;
  const std::string bold = dynamic_ ? "\x1b[1m" : "", green = dynamic_ ? "\33[32m" : "",
                    grey = dynamic_ ? "\33[37m" : "", reset = dynamic_ ? "\x1b[0m" : "";
  std::string line = bold + counter + reset + " ";
  if (filled > 0) line += green + repeat(kBarGlyph, filled) + reset;
  line += grey + repeat(dynamic_ ? kBarGlyph : kRestGlyph, width - filled) + reset;
  const std::string when = finalize ? fmt("%.0fs", elapsed)
                                    : format_eta(per_step * static_cast<double>(target_ - current));
  line += " " + bold + when + reset + format_step_time(per_step) + metrics;
  if (dynamic_) {
    const size_t visible = line.size();
    if (visible < prev_width_) line += std::string(prev_width_ - visible, ' ');
    prev_width_ = visible;
    out_ << '\r' << line;
    if (finalize) out_ << '\n';
  } else {
    out_ << line << '\n';
  }
  out_ << std::flush;
}

}  // namespace keras::callbacks
