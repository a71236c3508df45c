#include "keras/callbacks/backup_and_restore.h"

#include <filesystem>
#include <limits>

#include "callbacks/monitor.h"
#include "core/file_util.h"
#include "keras/config/json.h"
#include "keras/core/error.h"
#include "keras/core/random.h"
#include "keras/distribution/distribution.h"
#include "keras/layers/layer.h"
#include "keras/trainers/trainer.h"

namespace keras::callbacks {
namespace fs = std::filesystem;

namespace {

Json to_json(const Generator::State& g) {
  return Json{{"s", g.s}, {"spare", g.has_spare ? Json(g.spare) : Json(nullptr)}};
}

Generator::State generator_state(const Json& j) {
  Generator::State g;
  g.s = j.at("s").get<std::array<uint64_t, 4>>();
  g.has_spare = !j.at("spare").is_null();
  if (g.has_spare) g.spare = j.at("spare").get<double>();
  return g;
}

// The fields of the training metadata, read strictly.
struct Metadata {
  int epoch = 0, batch = 0, step = 0;
  int64_t iterations = 0;
  double learning_rate = 0;
  Generator::State global, shuffle;
  std::vector<Generator::State> seed_generators;
};

Metadata parse_metadata(const std::string& text, const std::string& path) {
  try {
    const Json j = Json::parse(text);
    // Counts as integers within range (a float or a wrapped value would pass as another count).
    auto count = [&](const char* key, int64_t most) {
      const Json& v = j.at(key);
      KERAS_CHECK(v.is_number_integer(), IOError, "\"", key, "\" is not an integer");
      const int64_t n =
          v.is_number_unsigned() && v.get<uint64_t>() > uint64_t{INT64_MAX} ? -1 : v.get<int64_t>();
      KERAS_CHECK(n >= 0 && n <= most, IOError, "\"", key, "\" is ", v.dump(), ", outside [0, ",
                  most, "]");
      return n;
    };
    constexpr int64_t kMostInt = std::numeric_limits<int>::max();
    Metadata m;
    m.epoch = static_cast<int>(count("epoch", kMostInt));
    m.batch = static_cast<int>(count("batch", kMostInt));
    m.step = static_cast<int>(count("step", kMostInt));
    m.iterations = count("iterations", std::numeric_limits<int64_t>::max());
    m.learning_rate = j.at("learning_rate").get<double>();
    const Json& random = j.at("random");
    m.global = generator_state(random.at("global"));
    if (m.step > 0) m.shuffle = generator_state(random.at("shuffle"));
    for (const Json& g : random.at("seed_generators")) {
      m.seed_generators.push_back(generator_state(g));
    }
    return m;
  } catch (const Json::exception& e) {
    throw IOError(
        str("BackupAndRestore: ", path, " has malformed training metadata (", e.what(), ")"));
  } catch (const Error& e) {
    throw IOError(
        str("BackupAndRestore: ", path, " has malformed training metadata (", e.what(), ")"));
  }
}

}  // namespace

BackupAndRestoreImpl::BackupAndRestoreImpl(std::string backup_dir, BackupAndRestoreOptions options)
    : backup_dir_(std::move(backup_dir)), options_(std::move(options)) {
  KERAS_CHECK(!backup_dir_.empty(), ValueError, "Empty `backup_dir` argument passed");
  save_every_ = detail::parse_frequency(options_.save_freq,
                                        "Invalid value for argument `save_freq`. Received: "
                                        "save_freq=",
                                        ". Expected either 'epoch' or an integer value.");
  weights_path_ = (fs::path(backup_dir_) / "latest.weights.h5").string();
  previous_path_ = weights_path_ + ".bkp";
}

void BackupAndRestoreImpl::on_train_begin(const Logs&) {
  current_epoch_ = 0;
  last_batch_seen_ = 0;
  batches_since_save_ = 0;
  std::error_code ec;
  if (!fs::exists(weights_path_, ec)) return;
  try {
    restore(weights_path_);
  } catch (const IOError& e) {
    if (!fs::exists(previous_path_, ec)) throw;
    detail::warn(str(e.what(), "; restoring the previous backup ", previous_path_));
    restore(previous_path_);
  }
}

void BackupAndRestoreImpl::restore(const std::string& path) {
  const std::string text = detail::pick(options_.saver.load_backup, trainer().saver().load_backup,
                                        "load a backup")(trainer().model(), path);
  const Metadata m = parse_metadata(text, path);
  optimizers::Optimizer& opt = trainer().optimizer();
  KERAS_CHECK(opt.iterations() == m.iterations, IOError, "BackupAndRestore: ", path, " records ",
              m.iterations, " optimizer iterations but the restored optimizer has ",
              opt.iterations(), " (a saver's load_backup must restore the optimizer)");
  std::vector<Generator*> generators = trainer().model().seed_generators();
  KERAS_CHECK(generators.size() == m.seed_generators.size(), ValueError, "BackupAndRestore: ", path,
              " holds the state of ", m.seed_generators.size(),
              " seeded random layers but the model has ", generators.size(),
              " (a different model?)");
  opt.set_learning_rate(m.learning_rate);
  for (size_t i = 0; i < generators.size(); ++i) generators[i]->set_state(m.seed_generators[i]);
  global_generator().set_state(m.global);
  trainer().initial_epoch = m.epoch;
  if (m.step > 0) {
    trainer().resume_within_epoch =
        trainers::Trainer::ResumePoint{.step = m.step, .shuffle_state = m.shuffle};
  }
  current_epoch_ = m.epoch;
  last_batch_seen_ = m.batch;
}

void BackupAndRestoreImpl::save(int step) {
  if (!distribution::is_chief()) return;  // only process 0 writes; every process restores
  internal::create_directories(backup_dir_, "BackupAndRestore");
  Json seeded = Json::array();
  for (Generator* g : trainer().model().seed_generators()) seeded.push_back(to_json(g->state()));
  Json random{{"global", to_json(global_generator().state())}, {"seed_generators", seeded}};
  if (step > 0) random["shuffle"] = to_json(trainer().epoch_shuffle_state());
  const optimizers::Optimizer& opt = trainer().optimizer();
  const Json metadata{{"epoch", current_epoch_},
                      {"batch", last_batch_seen_},
                      {"step", step},
                      {"iterations", opt.iterations()},
                      {"learning_rate", opt.learning_rate()},
                      {"random", random}};
  std::error_code ec;
  if (options_.double_checkpoint && fs::exists(weights_path_, ec)) {
    internal::write_file_atomic(previous_path_, internal::read_file(weights_path_));
  }
  detail::pick(options_.saver.save_backup, trainer().saver().save_backup, "save a backup")(
      trainer().model(), weights_path_, metadata.dump());
}

void BackupAndRestoreImpl::on_epoch_begin(int epoch, const Logs&) {
  current_epoch_ = epoch;
}

void BackupAndRestoreImpl::on_epoch_end(int epoch, const Logs&) {
  current_epoch_ = epoch + 1;
  last_batch_seen_ = 0;
  if (save_every_ == 0) save(0);
}

void BackupAndRestoreImpl::on_train_batch_end(int batch, const Logs&) {
  if (detail::count_batch(batch, save_every_, last_batch_seen_, batches_since_save_)) {
    save(batch + 1);
  }
}

void BackupAndRestoreImpl::on_train_end(const Logs&) {
  if (!options_.delete_checkpoint || !distribution::is_chief()) return;
  // latest.weights.h5 last: until it goes, a restart resumes after the last epoch and trains
  // nothing; after, it trains from the start. Both end with these weights.
  std::error_code ec;
  for (const std::string& p : {previous_path_, weights_path_}) {
    fs::remove(p, ec);
    KERAS_CHECK(!ec, IOError, "BackupAndRestore: cannot delete ", p, " (", ec.message(), ")");
  }
  fs::remove_all(backup_dir_, ec);
  KERAS_CHECK(!ec, IOError, "BackupAndRestore: cannot delete ", backup_dir_, " (", ec.message(),
              ")");
}

std::shared_ptr<BackupAndRestoreImpl> BackupAndRestore(std::string backup_dir,
                                                       BackupAndRestoreOptions options) {
  return std::make_shared<BackupAndRestoreImpl>(std::move(backup_dir), std::move(options));
}

}  // namespace keras::callbacks
