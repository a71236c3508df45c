// Every file operation (save, save_weights, load_model, load_weights, the callbacks that write
// files, io::save_npy/npz, plot_model) reports a file-system failure as keras::IOError naming the
// user's path (never a temporary) and the system's reason: no std::filesystem::filesystem_error
// and no bare "cannot write". The failures are provoked in ways that stop root too (CI runs as
// root, which ignores permissions): a path under a regular file, a missing directory, a path
// that is a directory.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include "keras/keras.hpp"

namespace keras {
namespace {

namespace fs = std::filesystem;
namespace L = keras::layers;

struct Scratch {
  fs::path root = fs::temp_directory_path() / ("keras_cpp_ferr_" + std::to_string(::getpid()));
  fs::path file = root / "regular";   // a regular file: paths under it fail with ENOTDIR
  fs::path dir = root / "dir.keras";  // a directory named like a model file
  Scratch() {
    fs::remove_all(root);
    fs::create_directories(dir);
    std::ofstream(file) << "x";
  }
  ~Scratch() { fs::remove_all(root); }
};

// Expects an IOError whose message names `path` and the reason, and no temporary.
void expect_io_error(const std::function<void()>& f, const std::string& path, const char* reason) {
  try {
    f();
    ADD_FAILURE() << "no exception for " << path;
  } catch (const IOError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(path), std::string::npos) << what;
    EXPECT_NE(what.find(reason), std::string::npos) << what << " (expected " << reason << ")";
    EXPECT_EQ(what.find(".tmp"), std::string::npos) << what;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "not an IOError for " << path << ": " << e.what();
  }
}

keras::Model small_model() {
  auto x = Input({3});
  keras::Model model(x, L::Dense(2)(x));
  model.compile({.optimizer = "adam", .loss = "mse"});
  return model;
}

constexpr const char* kNotDir = "Not a directory";
constexpr const char* kMissing = "No such file or directory";
constexpr const char* kIsDir = "Is a directory";

TEST(FileErrors, SavingNamesThePathAndTheReason) {
  const Scratch s;
  keras::Model model = small_model();
  for (const char* name : {"m.keras", "m.h5", "w.weights.h5"}) {
    const std::string under_file = (s.file / name).string();
    const std::string missing = (s.root / (std::string("missing_") + name) / name).string();
    auto save = [&](const std::string& p) {
      return [&, p] {
        if (std::string(name) == "w.weights.h5") {
          model.save_weights(p);
        } else {
          model.save(p);
        }
      };
    };
    expect_io_error(save(under_file), under_file, kNotDir);
    if (std::string(name) == "m.h5") {  // Keras's legacy h5 saving creates missing folders
      save(missing)();
      EXPECT_TRUE(fs::exists(missing));
    } else {
      expect_io_error(save(missing), missing, kMissing);
    }
  }
  expect_io_error([&] { model.save(s.dir.string()); }, s.dir.string(), kIsDir);
  for (const auto& e : fs::directory_iterator(s.root)) {
    EXPECT_EQ(e.path().string().find(".tmp"), std::string::npos) << e.path();
  }
}

TEST(FileErrors, LoadingNamesThePathAndTheReason) {
  const Scratch s;
  keras::Model model = small_model();
  const std::string missing = (s.root / "missing.keras").string();
  const std::string under_file = (s.file / "m.keras").string();
  expect_io_error([&] { models::load_model(missing); }, missing, kMissing);
  expect_io_error([&] { models::load_model(under_file); }, under_file, kNotDir);
  expect_io_error([&] { models::load_model(s.dir.string()); }, s.dir.string(), kIsDir);
  expect_io_error([&] { model.load_weights(missing); }, missing, kMissing);
  expect_io_error([&] { model.load_weights(s.dir.string()); }, s.dir.string(), kIsDir);
}

TEST(FileErrors, CallbacksNameThePathAndTheReason) {
  const Scratch s;
  keras::Model model = small_model();
  const Tensor x = keras::ones({4, 3}), y = keras::ones({4, 2});
  auto fit = [&](callbacks::CallbackPtr cb) {
    return [&, cb] { model.fit(x, y, {.epochs = 1, .verbose = 0, .callbacks = {cb}}); };
  };
  const std::string ckpt_dir = (s.file / "ckpt").string();
  expect_io_error(fit(callbacks::ModelCheckpoint(ckpt_dir + "/m.keras", {.monitor = "loss"})),
                  ckpt_dir, kNotDir);
  const std::string ckpt = (s.root / "missing_is_created" / "m.keras").string();
  fit(callbacks::ModelCheckpoint(ckpt, {.monitor = "loss"}))();
  EXPECT_TRUE(fs::exists(ckpt));
  const std::string backup = (s.file / "backup").string();
  expect_io_error(fit(callbacks::BackupAndRestore(backup)), backup, kNotDir);
  const std::string csv = (s.file / "log.csv").string();
  expect_io_error(fit(callbacks::CSVLogger(csv)), csv, kNotDir);
  expect_io_error(fit(callbacks::CSVLogger(s.dir.string())), s.dir.string(), kIsDir);
  const std::string logs = (s.file / "logs").string();
  expect_io_error(fit(callbacks::TensorBoard({.log_dir = logs})), logs, kNotDir);
}

TEST(FileErrors, ArraysAndPlotsNameThePathAndTheReason) {
  const Scratch s;
  const Tensor t = keras::ones({2, 2});
  const std::string npy = (s.file / "a.npy").string();
  const std::string npz = (s.root / "missing" / "a.npz").string();
  expect_io_error([&] { io::save_npy(npy, t); }, npy, kNotDir);
  expect_io_error([&] { io::save_npz(npz, {{"a", t}}); }, npz, kMissing);
  expect_io_error([&] { io::load_npy(npy); }, npy, kNotDir);
  expect_io_error([&] { io::load_npz(npz); }, npz, kMissing);
  keras::Model model = small_model();
  for (const char* name : {"m.png", "m.dot"}) {
    const std::string png = (s.file / name).string();
    expect_io_error([&] { utils::plot_model(model, png); }, png, kNotDir);
  }
}

}  // namespace
}  // namespace keras
