// Hostile .npy / .npz / IDX input gives a short keras::Error: deep and huge headers, long names,
// and the fuzzers' crashers (tests/data/io/corpus; tools/fuzz/README.md).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <keras/keras.hpp>
#include <sstream>

namespace keras::io {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr size_t kShortMessage = 1000;

// A format 2.0 .npy file (4-byte header length) with this header and data.
std::string npy_v2(const std::string& header, std::string_view data) {
  std::string out("\x93NUMPY\x02\x00", 8);
  const size_t len = header.size() + 1;
  for (int i = 0; i < 4; ++i) out += static_cast<char>(len >> (8 * i));
  return out + header + "\n" + std::string(data);
}

template <class E>
void expect_short_error(const std::string& bytes, const std::string& substring) {
  try {
    parse_npy(bytes, "hostile.npy");
    ADD_FAILURE() << "no error";
  } catch (const E& e) {
    EXPECT_THAT(e.what(), HasSubstr(substring));
    EXPECT_LT(std::string_view(e.what()).size(), kShortMessage) << e.what();
  }
}

TEST(UntrustedIo, NpyHeadersNested100000DeepAreClearErrors) {
  const std::string deep(100000, '[');
  expect_short_error<IOError>(npy_v2("{'descr': '<f4', 'shape': " + deep, ""), "nesting too deep");
  expect_short_error<IOError>(npy_v2(std::string(100000, '{'), ""), "nesting too deep");
  expect_short_error<IOError>(npy_v2("{'a': " + std::string(100000, '(') + "1", ""),
                              "nesting too deep");
}

TEST(UntrustedIo, NpyHeadersWithHugeStringsGiveShortMessages) {
  const std::string huge(500000, 'x');
  expect_short_error<TypeError>(
      npy_v2("{'descr': '" + huge + "', 'fortran_order': False, 'shape': (1,)}", "abcd"),
      "unsupported .npy dtype 'xxxx");
  expect_short_error<IOError>(
      npy_v2("{'" + huge + "': 1, '" + huge + "': 2, 'descr': '<f4'}", "abcd"), "unexpected key");
  expect_short_error<IOError>(npy_v2("{'shape': (1,), 'shape': (1,), '" + huge + "': 1}", "abcd"),
                              "repeats key 'shape'");
}

TEST(UntrustedIo, NpzMemberWithALongNameGivesAShortMessage) {
  const fs::path dir = fs::temp_directory_path() / str("keras_untrusted_io_", ::getpid());
  fs::create_directories(dir);
  const std::string path = (dir / "long.npz").string();
  const std::string name(60000, 'n');
  save_npz(path, {{name, Tensor::from_vector<float>({1, 2}, {2})}});
  // Damage the member's data (its CRC no longer matches): the error names the member.
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    bytes = s.str();
  }
  bytes[30 + name.size() + 4 + 80] ^= 0x55;
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(bytes.data(), bytes.size());
  try {
    load_npz(path);
    ADD_FAILURE() << "no error";
  } catch (const IOError& e) {
    EXPECT_LT(std::string_view(e.what()).size(), kShortMessage + path.size()) << e.what();
  }
  fs::remove_all(dir);
}

// Inputs that once failed keras_fuzz_npy or keras_fuzz_idx: ".idx" files go to load_idx, the
// rest to parse_npy, load_npy and (zip archives) load_npz; each gives a value or a keras::Error.
TEST(UntrustedIo, FuzzCorpusReplays) {
  const fs::path dir = fs::path(KERAS_TEST_DATA_DIR) / "io" / "corpus";
  if (!fs::exists(dir)) return;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string path = e.path().string();
    SCOPED_TRACE(path);
    auto clean = [&](auto&& load) {
      try {
        load();
      } catch (const Error&) {
      } catch (const std::exception& ex) {
        ADD_FAILURE() << "non-keras exception " << typeid(ex).name() << ": " << ex.what();
      }
    };
    if (e.path().extension() == ".idx") {
      clean([&] { load_idx(path); });
      continue;
    }
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    const std::string bytes = s.str();
    clean([&] { parse_npy(bytes, path); });
    clean([&] { load_npy(path); });
    if (bytes.starts_with("PK")) clean([&] { load_npz(path); });
  }
}

}  // namespace
}  // namespace keras::io
