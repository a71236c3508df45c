// ModelCheckpoint, BackupAndRestore and the default ModelSaver.
#include "keras/callbacks/model_checkpoint.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "callbacks/monitor.h"
#include "callbacks/python_format.h"
#include "keras/callbacks/backup_and_restore.h"
#include "keras/core/error.h"
#include "keras/trainers/trainer.h"

namespace keras::callbacks {
namespace fs = std::filesystem;

namespace {

ModelSaver& saver_slot() {
  static ModelSaver saver;
  return saver;
}

const SaveFunction& pick(const SaveFunction& own, const SaveFunction& fallback, const char* what) {
  const SaveFunction& f = own ? own : fallback;
  // TODO(issue 5, saving): default_saver() is empty until the saving code registers model.save.
  KERAS_CHECK(f != nullptr, RuntimeError, "No function to ", what,
              " is available: pass one in the callback's `saver` option or register one with "
              "keras::callbacks::set_default_saver()");
  return f;
}

int parse_save_freq(const Frequency& save_freq) {
  return detail::parse_frequency(
      save_freq, "Unrecognized save_freq: ", ". Expected save_freq are 'epoch' or integer values");
}

// Keras's batch counting: a batch index not above the last one starts a new epoch.
bool count_batch(int batch, int every, int& last_seen, int& since_save) {
  if (every == 0) return false;
  since_save += batch <= last_seen ? batch + 1 : batch - last_seen;
  last_seen = batch;
  if (since_save < every) return false;
  since_save = 0;
  return true;
}

std::string fixed5(double v) {
  return python_format_value(v, ".5f");
}

}  // namespace

void set_default_saver(ModelSaver saver) {
  saver_slot() = std::move(saver);
}
const ModelSaver& default_saver() {
  return saver_slot();
}

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
    upwards_ = detail::improves_upwards(options_.monitor);
    KERAS_CHECK(upwards_.has_value(), ValueError,
                "ModelCheckpoint callback received monitor=", options_.monitor,
                " but Keras isn't able to automatically determine whether that metric should be "
                "maximized or minimized. Pass `mode='max'` in order to monitor based on the "
                "highest metric value, or pass `mode='min'` in order to use the lowest value.");
  }
  if (save_every_ == 0) save(epoch, -1, logs);
}

void ModelCheckpointImpl::on_train_batch_end(int batch, const Logs& logs) {
  if (count_batch(batch, save_every_, last_batch_seen_, batches_since_save_))
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
  // Before the first epoch end the direction may be unknown (batch saving): Keras's default.
  const bool up = upwards_.value_or(detail::improves_upwards(options_.monitor).value_or(false));
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
  const fs::path dir = fs::path(path).parent_path();
  if (!dir.empty()) fs::create_directories(dir);
  KERAS_CHECK(!fs::is_directory(path), IOError,
              "Please specify a non-directory filepath for ModelCheckpoint. Filepath used is an "
              "existing directory: ",
              path);
  const ModelSaver& fallback = default_saver();
  if (options_.save_weights_only) {
    pick(options_.saver.save_weights, fallback.save_weights, "save weights")(trainer().model(),
                                                                             path);
  } else {
    pick(options_.saver.save_model, fallback.save_model, "save the model")(trainer().model(), path);
  }
  if (options_.verbose > 0)
    std::cout << "\nEpoch " << epoch + 1 << ": finished saving model to " << path << std::endl;
}

std::shared_ptr<ModelCheckpointImpl> ModelCheckpoint(std::string filepath,
                                                     ModelCheckpointOptions options) {
  return std::make_shared<ModelCheckpointImpl>(std::move(filepath), std::move(options));
}

// ---- BackupAndRestore ----

BackupAndRestoreImpl::BackupAndRestoreImpl(std::string backup_dir, BackupAndRestoreOptions options)
    : backup_dir_(std::move(backup_dir)), options_(std::move(options)) {
  KERAS_CHECK(!backup_dir_.empty(), ValueError, "Empty `backup_dir` argument passed");
  save_every_ = parse_save_freq(options_.save_freq);
  weights_path_ = (fs::path(backup_dir_) / "latest.weights.h5").string();
  metadata_path_ = (fs::path(backup_dir_) / "training_metadata.json").string();
}

void BackupAndRestoreImpl::on_train_begin(const Logs&) {
  current_epoch_ = 0;
  last_batch_seen_ = 0;
  batches_since_save_ = 0;
  if (fs::exists(weights_path_)) {
    pick(options_.saver.load_weights, default_saver().load_weights, "load weights")(
        trainer().model(), weights_path_);
  }
  if (!fs::exists(metadata_path_)) return;
  std::ifstream in(metadata_path_);
  std::stringstream text;
  text << in.rdbuf();
  const std::string s = text.str();
  const size_t key = s.find("\"epoch\"");
  const size_t colon = key == std::string::npos ? key : s.find(':', key);
  KERAS_CHECK(colon != std::string::npos, IOError, "BackupAndRestore: ", metadata_path_,
              " has no \"epoch\" entry");
  char* end = nullptr;
  const long epoch = std::strtol(s.c_str() + colon + 1, &end, 10);
  KERAS_CHECK(end != s.c_str() + colon + 1 && epoch >= 0, IOError,
              "BackupAndRestore: ", metadata_path_, " has a bad \"epoch\" entry");
  current_epoch_ = static_cast<int>(epoch);
  trainer().initial_epoch = current_epoch_;
}

void BackupAndRestoreImpl::save() {
  fs::create_directories(backup_dir_);
  if (options_.double_checkpoint) {
    for (const std::string& p : {weights_path_, metadata_path_}) {
      if (fs::exists(p)) fs::copy_file(p, p + ".bkp", fs::copy_options::overwrite_existing);
    }
  }
  pick(options_.saver.save_weights, default_saver().save_weights, "save weights")(trainer().model(),
                                                                                  weights_path_);
  detail::write_file_atomic(
      metadata_path_, str("{\"epoch\": ", current_epoch_, ", \"batch\": ", last_batch_seen_, "}"));
}

void BackupAndRestoreImpl::on_epoch_end(int epoch, const Logs&) {
  current_epoch_ = epoch + 1;
  last_batch_seen_ = 0;
  if (save_every_ == 0) save();
}

void BackupAndRestoreImpl::on_train_batch_end(int batch, const Logs&) {
  if (count_batch(batch, save_every_, last_batch_seen_, batches_since_save_)) save();
}

void BackupAndRestoreImpl::on_train_end(const Logs&) {
  if (options_.delete_checkpoint && fs::exists(backup_dir_)) fs::remove_all(backup_dir_);
}

std::shared_ptr<BackupAndRestoreImpl> BackupAndRestore(std::string backup_dir,
                                                       BackupAndRestoreOptions options) {
  return std::make_shared<BackupAndRestoreImpl>(std::move(backup_dir), std::move(options));
}

}  // namespace keras::callbacks
