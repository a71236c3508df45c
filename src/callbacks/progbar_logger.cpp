#include "keras/callbacks/progbar_logger.h"

#include <algorithm>

#include "keras/config/settings.h"

namespace keras::callbacks {

namespace {

// Keras's io_utils.print_msg: stdout while interactive logging is on, the log otherwise.
std::ostream& sink(std::ostream& out) {
  return &out == &std::cout && !config::is_interactive_logging_enabled() ? std::clog : out;
}

}  // namespace

int ProgbarLogger::verbose() const {
  auto it = params.find("verbose");
  return it == params.end() ? 1 : it->second;
}

int64_t ProgbarLogger::target() const {
  auto it = params.find("steps");
  return it == params.end() ? seen_ : it->second;
}

void ProgbarLogger::reset() {
  seen_ = 0;
  order_.clear();
  bar_.emplace(target(), verbose(), sink(out_));
}

std::vector<std::pair<std::string, double>> ProgbarLogger::ordered(const Logs& logs) {
  // Keys new at the end of an epoch come as Keras's epoch logs hold them: training metrics, then
  // validation metrics, then what callbacks added.
  auto rank = [](const std::string& k) {
    return k.rfind("val_", 0) == 0 ? 1 : k == "learning_rate" ? 2 : 0;
  };
  std::vector<std::string> fresh;
  for (const auto& [k, v] : logs) {
    if (std::find(order_.begin(), order_.end(), k) == order_.end()) fresh.push_back(k);
  }
  std::stable_sort(fresh.begin(), fresh.end(),
                   [&](const std::string& a, const std::string& b) { return rank(a) < rank(b); });
  order_.insert(order_.end(), fresh.begin(), fresh.end());
  std::vector<std::pair<std::string, double>> out;
  for (const std::string& k : order_) {
    auto it = logs.find(k);
    if (it != logs.end()) out.emplace_back(k, it->second);
  }
  return out;
}

void ProgbarLogger::update(int batch, const Logs& logs) {
  if (!bar_) reset();
  seen_ = batch + 1;
  // The last step is drawn by finalize(), with the epoch's complete logs. Verbose 2 draws
  // nothing per batch, but the bar still times the steps.
  if (verbose() == 1 && seen_ < target()) {
    bar_->update(seen_, ordered(logs));
  } else if (verbose() == 2) {
    bar_->update(seen_, {});
  }
}

void ProgbarLogger::finalize(const Logs& logs) {
  if (!bar_) reset();
  bar_->update(target(), ordered(logs), true);
}

void ProgbarLogger::on_train_begin(const Logs&) {
  called_in_fit_ = true;
}
void ProgbarLogger::on_train_end(const Logs&) {
  called_in_fit_ = false;
}

void ProgbarLogger::on_epoch_begin(int epoch, const Logs&) {
  const auto epochs = params.find("epochs");
  if (verbose() != 0 && epochs != params.end() && epochs->second > 1)
    sink(out_) << "Epoch " << epoch + 1 << "/" << epochs->second << std::endl;
  reset();
}

void ProgbarLogger::on_epoch_end(int, const Logs& logs) {
  finalize(logs);
}
void ProgbarLogger::on_train_batch_end(int batch, const Logs& logs) {
  update(batch, logs);
}

void ProgbarLogger::on_test_begin(const Logs&) {
  if (!called_in_fit_) reset();
}
void ProgbarLogger::on_test_batch_end(int batch, const Logs& logs) {
  if (!called_in_fit_) update(batch, logs);
}
void ProgbarLogger::on_test_end(const Logs& logs) {
  if (!called_in_fit_) finalize(logs);
}

void ProgbarLogger::on_predict_begin(const Logs&) {
  reset();
}
void ProgbarLogger::on_predict_batch_end(int batch, const Logs&) {
  update(batch, {});
}
void ProgbarLogger::on_predict_end(const Logs&) {
  finalize({});
}

}  // namespace keras::callbacks
