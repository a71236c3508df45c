// ModelCheckpoint and the default ModelSaver.
#include "keras/callbacks/model_checkpoint.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "callbacks/monitor.h"
#include "callbacks/python_format.h"
#include "core/file_util.h"
#include "keras/core/error.h"
#include "keras/distribution/distribution.h"
#include "keras/trainers/trainer.h"

namespace keras::callbacks {
namespace fs = std::filesystem;

namespace {

int parse_save_freq(const Frequency& save_freq) {
  return detail::parse_frequency(
      save_freq, "Unrecognized save_freq: ", ". Expected save_freq are 'epoch' or integer values");
}

std::string fixed5(double v) {
  return python_format_value(v, ".5f");
}

}  // namespace

// ---- ModelCheckpoint ----

ModelCheckpointImpl::ModelCheckpointImpl(std::string filepath, ModelCheckpointOptions options)
    : filepath_(std::move(filepath)), options_(std::move(options)) {
  save_every_ = parse_save_freq(options_.save_freq);
  if (options_.save_weights_only) {
    KERAS_CHECK(filepath_.ends_with(".weights.h5"), ValueError,
                "When using `save_weights_only=True` in `ModelCheckpoint`, the filepath provided "
                "must end in `.weights.h5` (Keras weights format). Received: filepath=",
                filepath_);
  } else {
    KERAS_CHECK(filepath_.ends_with(".keras") || filepath_.ends_with(".h5"), ValueError,
                "The filepath provided must end in `.keras` (Keras model format). Received: "
                "filepath=",
                filepath_);
  }
  if (options_.mode != "auto" && options_.mode != "min" && options_.mode != "max") {
    detail::warn(
        str("ModelCheckpoint mode '", options_.mode, "' is unknown, fallback to auto mode."));
    options_.mode = "auto";
  }
  if (options_.mode != "auto") upwards_ = options_.mode == "max";
  best = options_.initial_value_threshold;
}

std::string ModelCheckpointImpl::file_path(int epoch, int batch, const Logs& logs) const {
  std::map<std::string, FormatArg> args;
  for (const auto& [k, v] : logs) args.emplace(k, v);
  args["epoch"] = static_cast<int64_t>(epoch + 1);
  if (batch >= 0 && !logs.contains("batch")) args["batch"] = static_cast<int64_t>(batch + 1);
  try {
    return python_format(filepath_, args);
  } catch (const ValueError& e) {
    throw ValueError(
        str("Failed to format this callback filepath: \"", filepath_, "\". Reason: ", e.what()));
  }
}

void ModelCheckpointImpl::on_epoch_begin(int epoch, const Logs&) {
  current_epoch_ = epoch;
}

void ModelCheckpointImpl::on_epoch_end(int epoch, const Logs& logs) {
  if (!upwards_) {
    upwards_ = detail::auto_direction(options_.monitor, trainer_if_set(), "ModelCheckpoint");
  }
  if (save_every_ == 0) save(epoch, -1, logs);
}

void ModelCheckpointImpl::on_train_batch_end(int batch, const Logs& logs) {
  if (detail::count_batch(batch, save_every_, last_batch_seen_, batches_since_save_))
    save(current_epoch_, batch, logs);
}

bool ModelCheckpointImpl::should_save(int epoch, const Logs& logs, const std::string& path) {
  if (!options_.save_best_only) {
    if (options_.verbose > 0)
      std::cout << "\nEpoch " << epoch + 1 << ": saving model to " << path << std::endl;
    return true;
  }
  auto it = logs.find(options_.monitor);
  if (it == logs.end()) {
    detail::warn(str("Can save best model only with ", options_.monitor, " available."));
    return true;
  }
  const double current = it->second;
  const std::string best_str = best ? fixed5(*best) : "None";
  // Saving per batch may come before the first epoch end has settled the direction.
  if (!upwards_) {
    upwards_ = detail::auto_direction(options_.monitor, trainer_if_set(), "ModelCheckpoint");
  }
  const bool up = *upwards_;
  if (!best || (up ? current > *best : current < *best)) {
    if (options_.verbose > 0) {
      std::cout << "\nEpoch " << epoch + 1 << ": " << options_.monitor << " improved from "
                << best_str << " to " << fixed5(current) << ", saving model to " << path
                << std::endl;
    }
    best = current;
    return true;
  }
  if (options_.verbose > 0) {
    std::cout << "\nEpoch " << epoch + 1 << ": " << options_.monitor << " did not improve from "
              << best_str << std::endl;
  }
  return false;
}

void ModelCheckpointImpl::save(int epoch, int batch, const Logs& logs) {
  const std::string path = file_path(epoch, batch, logs);
  if (!should_save(epoch, logs, path)) return;
  if (!distribution::is_chief()) return;  // only process 0 writes files
  internal::create_directories(fs::path(path).parent_path().string(), "ModelCheckpoint");
  std::error_code ec;
  KERAS_CHECK(!fs::is_directory(path, ec), IOError,
              "Please specify a non-directory filepath for ModelCheckpoint. Filepath used is an "
              "existing directory: ",
              path);
  const ModelSaver& fallback = trainer().saver();
  if (options_.save_weights_only) {
    detail::pick(options_.saver.save_weights, fallback.save_weights, "save weights")(
        trainer().model(), path);
  } else {
    detail::pick(options_.saver.save_model, fallback.save_model, "save the model")(
        trainer().model(), path);
  }
  if (options_.verbose > 0)
    std::cout << "\nEpoch " << epoch + 1 << ": finished saving model to " << path << std::endl;
}

std::shared_ptr<ModelCheckpointImpl> ModelCheckpoint(std::string filepath,
                                                     ModelCheckpointOptions options) {
  return std::make_shared<ModelCheckpointImpl>(std::move(filepath), std::move(options));
}

}  // namespace keras::callbacks
