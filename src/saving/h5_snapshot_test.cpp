// h5::read_untrusted: the loaders' reads of an untrusted HDF5 file, done by libhdf5 in a child
// process and answered here from its records. The answers match libhdf5's own reads (values,
// conversions, errors), the records cannot crash this process however they are cut, and files
// that hang libhdf5 or make it allocate gigabytes end as errors in bounded time and memory.
#include "saving/h5_snapshot.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <keras/keras.hpp>
#include <limits>
#include <sstream>

#include "harness/tensor_matchers.h"
#include "harness/test_files.h"
#include "saving/h5.h"
#include "saving/h5_records.h"

namespace keras {
namespace {

namespace fs = std::filesystem;
namespace h5 = saving::h5;
using ::testing::HasSubstr;

std::string data_path(const std::string& name) {
  return std::string(KERAS_TEST_DATA_DIR) + "/saving/" + name;
}

using test::read_bytes;

using test::ScopedEnv;

Tensor values(const std::vector<double>& v, DType dtype) {
  return test::tensor_of(v).astype(dtype);
}

// Groups, string attributes of every kind, numeric datasets of several stored types, a string
// dataset, a soft link, a dangling soft link and a hard link back to the root (a cycle).
std::string sample_image() {
  h5::File f = h5::File::create();
  h5::write_string_attr(f.id(), "model_config", "{\"a\": 1}");
  h5::write_string_list_attr(f.id(), "layer_names", {"dense", "dense_1", ""});
  {
    const hsize_t n = 3;
    h5::Handle space(H5Screate_simple(1, &n, nullptr), H5Sclose);
    h5::Handle attr(
        H5Acreate2(f.id(), "numbers", H5T_NATIVE_DOUBLE, space.id(), H5P_DEFAULT, H5P_DEFAULT),
        H5Aclose);
    const double v[3] = {1, 2, 3};
    H5Awrite(attr.id(), H5T_NATIVE_DOUBLE, v);
  }
  h5::Handle g = h5::make_group(f.id(), "model_weights/dense");
  h5::write_dataset(g.id(), "kernel", values({1.5, -2, 3, 4, 5, 6}, float32).reshape({2, 3}));
  h5::write_dataset(g.id(), "wide", values({1e300, -1e300, 3.7, -3.7, 200, -129}, float64));
  h5::write_dataset(g.id(), "nan", values({NAN, 1}, float64));
  h5::write_dataset(g.id(), "count", values({-5, 300, 1099511627776.0, 7}, int64));
  h5::write_dataset(g.id(), "scalar", values({42}, int32).reshape({}));
  h5::write_dataset(g.id(), "empty", Tensor::empty({0, 4}, float32));
  h5::write_string_attr(g.id(), "name", "dense");
  {
    h5::Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(type.id(), 4);
    h5::Handle space(H5Screate(H5S_SCALAR), H5Sclose);
    h5::Handle ds(
        H5Dcreate2(g.id(), "text", type.id(), space.id(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
        H5Dclose);
    H5Dwrite(ds.id(), type.id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, "abcd");
  }
  H5Lcreate_soft("/model_weights/dense", f.id(), "alias", H5P_DEFAULT, H5P_DEFAULT);
  H5Lcreate_soft("/nowhere", f.id(), "dangling", H5P_DEFAULT, H5P_DEFAULT);
  H5Lcreate_hard(f.id(), "/", g.id(), "root", H5P_DEFAULT, H5P_DEFAULT);
  return f.image();
}

// What the loaders read, through read_untrusted, in a child and in this process alike, equals
// what libhdf5 reads itself from the same (trusted) image.
TEST(SavingH5Snapshot, AnswersAsLibhdf5Reads) {
  const std::string image = sample_image();
  const h5::File trusted = h5::File::open_trusted(image, "sample");
  const h5::Handle g(H5Gopen2(trusted.id(), "model_weights/dense", H5P_DEFAULT), H5Gclose);
  for (const char* mode : {"1", "0"}) {
    SCOPED_TRACE(str("KERAS_HDF5_PROBE=", mode));
    ScopedEnv env("KERAS_HDF5_PROBE", mode);
    const h5::Node root = h5::read_untrusted(image, "sample.h5");
    EXPECT_EQ(h5::children(root), h5::children(trusted.id()));
    EXPECT_EQ(h5::children(root), (std::vector<std::string>{"alias", "dangling", "model_weights"}));
    EXPECT_EQ(h5::children(*h5::open_group(root, "alias")),
              (std::vector<std::string>{"count", "empty", "kernel", "nan", "root", "scalar", "text",
                                        "wide"}));
    EXPECT_EQ(h5::read_string_attr(root, "model_config"),
              h5::read_string_attr(trusted.id(), "model_config"));
    EXPECT_EQ(h5::read_string_attr(root, "layer_names"),
              (std::vector<std::string>{"dense", "dense_1", ""}));
    EXPECT_EQ(h5::read_string_attr(root, "absent"), std::nullopt);
    test::expect_throws_with<IOError>([&] { h5::read_string_attr(root, "numbers"); },
                                      "sample.h5: HDF5: attribute 'numbers' is not a string");

    const std::optional<h5::Node> dense = h5::open_group(root, "model_weights/dense");
    ASSERT_TRUE(dense.has_value());
    EXPECT_EQ(h5::read_string_attr(*dense, "name"), std::vector<std::string>{"dense"});
    EXPECT_EQ(h5::children(*dense), h5::children(g.id()));
    EXPECT_TRUE(h5::open_group(root, "alias").has_value());  // a soft link, followed
    EXPECT_TRUE(h5::open_group(root, "model_weights/dense/root/alias/root").has_value());
    EXPECT_FALSE(h5::open_group(root, "dangling").has_value());
    EXPECT_TRUE(h5::exists(root, "dangling"));  // as H5Lexists says
    EXPECT_FALSE(h5::exists(root, "dangling/x"));
    EXPECT_FALSE(h5::open_group(root, "model_weights/dense/kernel").has_value());
    EXPECT_FALSE(h5::open_group(root, "nothing").has_value());
    for (const char* odd : {"", ".", "/model_weights", "model_weights//dense", "model_weights/."}) {
      EXPECT_FALSE(h5::exists(root, odd)) << odd;  // names read from a damaged file
      EXPECT_FALSE(h5::open_group(root, odd).has_value()) << odd;
    }
    EXPECT_TRUE(h5::exists(root, "model_weights/dense/kernel"));
    EXPECT_FALSE(h5::exists(root, "model_weights/dense/kernel/x"));

    EXPECT_EQ(h5::dataset_shape(*dense, "kernel"), (Shape{2, 3}));
    EXPECT_EQ(h5::dataset_shape(root, "model_weights/dense/scalar"), Shape{});
    EXPECT_EQ(h5::dataset_shape(*dense, "empty"), (Shape{0, 4}));
    // Every stored type as every dtype a variable may have, as libhdf5 converts.
    for (const char* name : {"kernel", "wide", "count", "scalar", "empty"}) {
      const Shape shape = h5::dataset_shape(g.id(), name);
      for (DType dtype : {float32, float64, int32, int64, uint8}) {
        SCOPED_TRACE(str(name, " as ", dtype));
        const Tensor mine = h5::read_dataset(*dense, name, shape, dtype, "w");
        const Tensor theirs = h5::read_dataset(g.id(), name, shape, dtype, "w");
        EXPECT_TRUE(test::all_close(mine, theirs, 0, 0));
        if (dtype == int64) {  // above 2^53, beyond all_close's doubles
          EXPECT_EQ(std::memcmp(mine.raw_data(), theirs.raw_data(), mine.size() * 8), 0);
        }
      }
    }
    // NaN as an integer is 0 (libhdf5 1.10 leaves it to the C cast: INT_MIN on x86).
    for (DType dtype : {int32, int64, uint8}) {
      EXPECT_TRUE(test::all_close(h5::read_dataset(*dense, "nan", {2}, dtype, "w"),
                                  values({0, 1}, dtype), 0, 0));
    }
    test::expect_throws_with<ValueError>(
        [&] {
          h5::read_dataset(*dense, "kernel", {3, 2}, float32, "sample.h5: dense/kernel");
        },
        "sample.h5: dense/kernel: expected shape (3, 2), found (2, 3) in the file");
    test::expect_throws_with<ValueError>(
        [&] { h5::read_dataset(*dense, "bias", {3}, float32, "sample.h5: dense/bias"); },
        "sample.h5: dense/bias: missing dataset 'bias'");
    test::expect_throws_with<ValueError>(
        [&] { h5::read_dataset(*dense, "text", {}, float32, "sample.h5: text"); },
        "sample.h5: text: the file holds a non-numeric dataset");
    test::expect_throws_with<TypeError>(
        [&] {
          h5::read_dataset(*dense, "kernel", {2, 3}, bool_, "sample.h5: k");
        },
        "unsupported dtype");
    test::expect_throws_with<IOError>(
        [&] { h5::read_dataset(root, "dangling", {}, float32, "sample.h5: d"); },
        "sample.h5: d: HDF5: 'dangling' cannot be opened");
    test::expect_throws_with<IOError>(
        [&] { h5::read_dataset(root, "model_weights", {}, float32, "sample.h5: m"); },
        "is not a dataset");
  }
}

// However the records are cut or damaged, parsing them gives contents or an IOError.
TEST(SavingH5Snapshot, DamagedRecordsAreIOErrors) {
  const std::string stream = h5::detail::read_records(read_bytes(data_path("mlp.h5")), "mlp.h5");
  ASSERT_EQ(stream.back(), 'E');
  EXPECT_NO_THROW(h5::detail::parse_records(stream, "mlp.h5"));
  const size_t step = std::max<size_t>(1, stream.size() / 3000);
  for (size_t cut = 0; cut < stream.size(); cut += cut < 512 ? 1 : step) {
    EXPECT_THROW(h5::detail::parse_records(stream.substr(0, cut), "mlp.h5"), IOError) << cut;
  }
  for (size_t at = 0; at < stream.size(); at += step) {
    for (const unsigned char byte : {0x00, 0x01, 0x7f, 0xff}) {
      std::string damaged = stream;
      damaged[at] = static_cast<char>(byte);
      try {
        h5::detail::parse_records(damaged, "mlp.h5");
      } catch (const IOError&) {
      }
    }
  }
}

// What a load did in a child process of the test (a hang fails the test instead of stopping it).
struct Outcome {
  bool finished = false;
  std::string message;  // "IOError: ...", "Error: ...", "other: ..." or "loaded"
  // Peak resident memory of the load's own children (the HDF5 reader) beyond what the load's
  // process had resident when it started (a forked child starts with those pages).
  int64_t reader_growth_bytes = 0;
};

int64_t resident_bytes() {
  long pages[2] = {0, 0};
  if (FILE* statm = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(statm, "%ld %ld", &pages[0], &pages[1]) != 2) pages[1] = 0;
    std::fclose(statm);
  }
  return static_cast<int64_t>(pages[1]) * ::sysconf(_SC_PAGESIZE);
}

Outcome run_in_child(const std::function<void()>& load, std::chrono::seconds limit) {
  int fds[2];
  EXPECT_EQ(::pipe(fds), 0);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    const int64_t before = resident_bytes();
    std::string message;
    try {
      load();
      message = "loaded";
    } catch (const IOError& e) {
      message = str("IOError: ", e.what());
    } catch (const Error& e) {
      message = str("Error: ", e.what());
    } catch (const std::exception& e) {
      message = str("other: ", e.what());
    }
    rusage usage = {};
    ::getrusage(RUSAGE_CHILDREN, &usage);
    const std::string out = str(usage.ru_maxrss * 1024 - before, "\n", message);
    if (::write(fds[1], out.data(), out.size()) < 0) std::_Exit(1);
    std::_Exit(0);
  }
  ::close(fds[1]);
  Outcome outcome;
  std::string text;
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p = {fds[0], POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    char chunk[4096];
    const ssize_t got = ::read(fds[0], chunk, sizeof chunk);
    if (got <= 0) {
      outcome.finished = true;
      break;
    }
    text.append(chunk, static_cast<size_t>(got));
  }
  if (!outcome.finished) ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  ::close(fds[0]);
  const size_t newline = text.find('\n');
  if (outcome.finished && newline != std::string::npos) {
    outcome.reader_growth_bytes = std::stoll(text.substr(0, newline));
    outcome.message = text.substr(newline + 1);
  }
  return outcome;
}

// libFuzzer's find: H5Oget_info fails on this file's root group but its attributes can still be
// read by name, and H5Aread of model_config never returns. The former check in a child skipped
// the attributes (it listed them through H5Oget_info) and passed the file, and the loading
// process then hung in H5Aread; now only the child reads, and it is killed at the time limit.
TEST(SavingH5Snapshot, AFileThatHangsLibhdf5IsAnErrorInBoundedTime) {
  ScopedEnv timeout("KERAS_HDF5_PROBE_TIMEOUT", "2");
  const std::string path = data_path("hdf5_crashers/fuzz_hang_root_attributes.h5");
  const Outcome outcome = run_in_child([&] { models::load_model(path); }, std::chrono::seconds(60));
  ASSERT_TRUE(outcome.finished) << "load_model hung";
  EXPECT_THAT(outcome.message, HasSubstr("IOError: " + path + ": "));
}

// A legacy .h5 whose model_config lists 2048 variable-length strings that all point to one
// 1 MiB string: libhdf5 allocates and fills 2 GiB to read it (a damaged object header can
// likewise make it ask for 16 GiB at once). The child reading it runs under an address-space
// limit of 16x the file + 512 MiB, so libhdf5's allocations fail there instead of taking the
// machine's memory.
TEST(SavingH5Snapshot, Libhdf5CannotTakeMoreMemoryThanTheFileJustifies) {
  constexpr size_t kStrings = 2048, kBig = size_t{1} << 20;
  h5::File f = h5::File::create();
  {
    h5::Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(type.id(), H5T_VARIABLE);
    const hsize_t n = kStrings;
    h5::Handle space(H5Screate_simple(1, &n, nullptr), H5Sclose);
    h5::Handle attr(
        H5Acreate2(f.id(), "model_config", type.id(), space.id(), H5P_DEFAULT, H5P_DEFAULT),
        H5Aclose);
    const std::string big(kBig, 'x');
    std::vector<const char*> strings(kStrings, "y");
    strings[0] = big.c_str();
    ASSERT_GE(H5Awrite(attr.id(), type.id(), strings.data()), 0);
  }
  std::string image = f.image();
  // The attribute's data: 16 bytes per string (length, heap collection address, object index).
  auto u32 = [&](size_t at) {
    uint32_t v = 0;
    std::memcpy(&v, image.data() + at, 4);
    return v;
  };
  size_t first = 0;
  while (first + 16 * kStrings <= image.size() && !(u32(first) == kBig && u32(first + 16) == 1))
    ++first;
  ASSERT_LE(first + 16 * kStrings, image.size());
  for (size_t i = 1; i < kStrings; ++i) {
    ASSERT_EQ(u32(first + 16 * i), 1u);
    std::memcpy(image.data() + first + 16 * i, image.data() + first, 16);
  }
  const std::string path =
      (fs::temp_directory_path() / ("keras_h5_bomb_" + std::to_string(::getpid()) + ".h5"))
          .string();
  std::ofstream(path, std::ios::binary) << image;
  const Outcome outcome =
      run_in_child([&] { models::load_model(path); }, std::chrono::seconds(120));
  fs::remove(path);
  ASSERT_TRUE(outcome.finished) << "load_model hung";
  EXPECT_THAT(outcome.message, HasSubstr("IOError: " + path + ": "));
  // 16x + 512 MiB, and a quarter more for a sanitizer's shadow memory and redzones.
  const int64_t budget = 16 * static_cast<int64_t>(image.size()) + (int64_t{512} << 20);
  EXPECT_LT(outcome.reader_growth_bytes, budget + budget / 4) << outcome.message;
}

}  // namespace
}  // namespace keras
