#include "keras/callbacks/tensorboard.h"

#include <filesystem>

#include "callbacks/event_file.h"
#include "callbacks/monitor.h"
#include "keras/core/error.h"
#include "keras/distribution/distribution.h"
#include "keras/layers/layer.h"
#include "keras/optimizers/optimizers.h"
#include "keras/trainers/trainer.h"

namespace keras::callbacks {

TensorBoardImpl::TensorBoardImpl(TensorBoardOptions options) : options_(std::move(options)) {
  KERAS_CHECK(options_.histogram_freq >= 0, ValueError,
              "TensorBoard: histogram_freq must be non-negative, got ", options_.histogram_freq);
  const std::string* name = std::get_if<std::string>(&options_.update_freq);
  update_every_ = name && *name == "batch"
                      ? 1
                      : detail::parse_frequency(options_.update_freq,
                                                "TensorBoard: update_freq must be 'epoch', "
                                                "'batch' or a positive integer, got ",
                                                "");
}

TensorBoardImpl::~TensorBoardImpl() = default;

void TensorBoardImpl::log_weights(int epoch) {
  EventFileWriter& train = writer(train_, "train");
  for (const Variable& v : trainer().model().weights()) {
    const Tensor values = v.value().astype(float64).cpu();
    const double* p = values.data<double>();
    train.add_histogram(v.path() + "/histogram", std::vector<double>(p, p + values.size()), epoch);
  }
  train.flush();
}

EventFileWriter& TensorBoardImpl::writer(std::unique_ptr<EventFileWriter>& slot,
                                         const char* subdir) {
  if (!slot) {
    slot = std::make_unique<EventFileWriter>(
        (std::filesystem::path(options_.log_dir) / subdir).string());
  }
  return *slot;
}

void TensorBoardImpl::on_train_begin(const Logs&) {
  global_train_batch_ = 0;
  train_.reset();
  val_.reset();
}

void TensorBoardImpl::on_train_end(const Logs&) {
  train_.reset();  // closes the files
  val_.reset();
}

void TensorBoardImpl::on_epoch_begin(int, const Logs&) {
  if (options_.write_steps_per_second) {
    epoch_start_iterations_ = trainer().optimizer().iterations();
    epoch_start_ = std::chrono::steady_clock::now();
  }
}

void TensorBoardImpl::on_epoch_end(int epoch, const Logs& logs) {
  if (logs.empty() || !distribution::is_chief()) return;  // only process 0 writes files
  Logs train_logs, val_logs;
  for (const auto& [k, v] : logs) (k.rfind("val_", 0) == 0 ? val_logs : train_logs)[k] = v;
  train_logs["learning_rate"] = static_cast<float>(trainer().optimizer().learning_rate());
  if (options_.write_steps_per_second) {
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - epoch_start_).count();
    const double steps =
        static_cast<double>(trainer().optimizer().iterations() - epoch_start_iterations_);
    train_logs["steps_per_second"] = seconds > 0 ? steps / seconds : 0.0;
  }
  EventFileWriter& train = writer(train_, "train");
  for (const auto& [k, v] : train_logs) train.add_scalar("epoch_" + k, v, epoch);
  train.flush();
  if (options_.histogram_freq > 0 && epoch % options_.histogram_freq == 0) log_weights(epoch);
  if (!val_logs.empty()) {
    EventFileWriter& val = writer(val_, "validation");
    for (const auto& [k, v] : val_logs) val.add_scalar("epoch_" + k.substr(4), v, epoch);
    val.flush();
  }
}

void TensorBoardImpl::on_train_batch_begin(int, const Logs&) {
  ++global_train_batch_;
}

void TensorBoardImpl::on_train_batch_end(int, const Logs& logs) {
  if (update_every_ == 0 || global_train_batch_ % update_every_ != 0) return;
  if (!distribution::is_chief()) return;
  EventFileWriter& train = writer(train_, "train");
  for (const auto& [k, v] : logs) train.add_scalar("batch_" + k, v, global_train_batch_);
}

void TensorBoardImpl::on_test_end(const Logs& logs) {
  if (logs.empty() || !distribution::is_chief()) return;
  EventFileWriter& val = writer(val_, "validation");
  const int64_t step = trainer().optimizer().iterations();
  for (const auto& [k, v] : logs) val.add_scalar("evaluation_" + k + "_vs_iterations", v, step);
  val.flush();
}

std::shared_ptr<TensorBoardImpl> TensorBoard(TensorBoardOptions options) {
  return std::make_shared<TensorBoardImpl>(std::move(options));
}

}  // namespace keras::callbacks
