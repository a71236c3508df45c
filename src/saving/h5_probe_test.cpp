// h5::probe: files that crash libhdf5 itself become IOError, the child never outlives a load,
// and the opt-out and time limit work.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <keras/keras.hpp>
#include <sstream>

#include "harness/test_files.h"
#include "saving/h5.h"
#include "saving/h5_snapshot.h"

namespace keras {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::string data_path(const std::string& name) {
  return std::string(KERAS_TEST_DATA_DIR) + "/saving/" + name;
}

using test::read_bytes;

using test::ScopedEnv;

// True when this process has no child left to reap (no zombie, nothing still running).
bool no_children_left() {
  return ::waitpid(-1, nullptr, WNOHANG) < 0 && errno == ECHILD;
}

// Files that crash or hang libhdf5 1.10 (tests/data/saving/hdf5_crashers/README.md) fail
// cleanly. Most send H5Aread to a wrong global-heap object: where that memory is mapped, libhdf5
// reads garbage instead of crashing (in the reading child), and the garbage fails our checks as
// ValueError, or libhdf5 reports an error (IOError); elsewhere the child crashes or hangs
// (IOError: "the HDF5 library crashed ..." / "did not finish ...").
TEST(SavingH5Probe, FilesThatCrashLibhdf5AreClearErrors) {
  ScopedEnv timeout("KERAS_HDF5_PROBE_TIMEOUT", "2");  // one file hangs libhdf5
  int count = 0, crashed = 0;
  for (const auto& e : fs::directory_iterator(data_path("hdf5_crashers"))) {
    if (e.path().extension() != ".h5") continue;
    SCOPED_TRACE(e.path().filename().string());
    ++count;
    const auto start = std::chrono::steady_clock::now();
    try {
      models::load_model(e.path().string());
      ADD_FAILURE() << "loaded";
    } catch (const Error& err) {
      EXPECT_THAT(err.what(), HasSubstr(e.path().string()));
      if (dynamic_cast<const IOError*>(&err) &&
          std::string_view(err.what()).find("the HDF5 library ") != std::string_view::npos) {
        ++crashed;
      }
    }
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
    Model m = models::load_model(data_path("mlp.h5"));  // this process is still healthy
    EXPECT_EQ(m.layers().size(), 5u);
  }
  EXPECT_GE(count, 6);
  EXPECT_GE(crashed, 1);
  EXPECT_TRUE(no_children_left());
}

TEST(SavingH5Probe, GoodFilesPassAndLeaveNoChildBehind) {
  for (const char* name : {"mlp.h5", "conv.h5", "text_rnn.keras", "merges.keras"}) {
    SCOPED_TRACE(name);
    EXPECT_NO_THROW(models::load_model(data_path(name)));
  }
  const std::string image = read_bytes(data_path("sequential.h5"));
  EXPECT_NO_THROW(saving::h5::read_untrusted(image, "sequential.h5"));
  EXPECT_TRUE(no_children_left());
}

TEST(SavingH5Probe, AHungProbeIsKilledAndReported) {
  ScopedEnv env("KERAS_HDF5_PROBE_TIMEOUT", "0");
  try {
    models::load_model(data_path("mlp.h5"));
    ADD_FAILURE() << "loaded";
  } catch (const IOError& e) {
    EXPECT_THAT(e.what(), HasSubstr("did not finish reading this file"));
    EXPECT_THAT(e.what(), HasSubstr("mlp.h5"));
  }
  EXPECT_TRUE(no_children_left());
}

// Children are then reaped by the system: the probe learns the outcome from its pipe.
TEST(SavingH5Probe, WorksWhenSigchldIsIgnored) {
  struct sigaction ignore = {}, old = {};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  ASSERT_EQ(::sigaction(SIGCHLD, &ignore, &old), 0);
  EXPECT_NO_THROW(models::load_model(data_path("mlp.h5")));
  ScopedEnv timeout("KERAS_HDF5_PROBE_TIMEOUT", "2");
  for (const auto& e : fs::directory_iterator(data_path("hdf5_crashers"))) {
    if (e.path().extension() == ".h5") {
      EXPECT_THROW(models::load_model(e.path().string()), Error);
    }
  }
  {
    ScopedEnv env("KERAS_HDF5_PROBE_TIMEOUT", "0");
    EXPECT_THROW(models::load_model(data_path("mlp.h5")), IOError);
  }
  ::sigaction(SIGCHLD, &old, nullptr);
  EXPECT_TRUE(no_children_left());
}

TEST(SavingH5Probe, CanBeSwitchedOff) {
  ScopedEnv off("KERAS_HDF5_PROBE", "0");
  ScopedEnv timeout("KERAS_HDF5_PROBE_TIMEOUT", "0");  // would fail every probe that ran
  EXPECT_NO_THROW(models::load_model(data_path("mlp.h5")));
}

// A link to another file is refused, never followed (the target could be any file, or a FIFO).
TEST(SavingH5Probe, ExternalLinksAreNotFollowed) {
  const std::string target =
      (fs::temp_directory_path() / ("keras_h5_probe_target_" + std::to_string(::getpid()) + ".h5"))
          .string();
  {
    saving::h5::File t = saving::h5::File::create();
    saving::h5::make_group(t.id(), "inside");
    std::ofstream(target, std::ios::binary) << t.image();
  }
  saving::h5::File f = saving::h5::File::create();
  saving::h5::make_group(f.id(), "model_weights");
  ASSERT_GE(H5Lcreate_external(target.c_str(), "/", f.id(), "outside", H5P_DEFAULT, H5P_DEFAULT),
            0);
  const std::string image = f.image();
  const saving::h5::Node g = saving::h5::read_untrusted(image, "linked.h5");
  EXPECT_TRUE(saving::h5::open_group(g, "model_weights").has_value());
  EXPECT_FALSE(saving::h5::open_group(g, "outside").has_value());
  EXPECT_FALSE(saving::h5::exists(g, "outside/inside"));
  fs::remove(target);
}

}  // namespace
}  // namespace keras
