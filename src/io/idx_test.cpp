#include "keras/io/idx.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>

namespace keras::io {
namespace {

namespace fs = std::filesystem;

class IdxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           str("keras_idx_", ::testing::UnitTest::GetInstance()->current_test_info()->name(), "_",
               ::getpid());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& bytes) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary).write(bytes.data(), std::ssize(bytes));
    return path;
  }
  std::string write_gz(const std::string& name, const std::string& bytes) {
    const std::string path = (dir_ / name).string();
    gzFile gz = gzopen(path.c_str(), "wb");
    gzwrite(gz, bytes.data(), static_cast<unsigned>(bytes.size()));
    gzclose(gz);
    return path;
  }
  static std::string read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
  }

  fs::path dir_;
};

// An IDX file: magic 00 00 type rank, big-endian dims, then `data` as given.
std::string idx(uint8_t type, std::vector<uint32_t> dims, const std::string& data) {
  std::string out{'\0', '\0', static_cast<char>(type), static_cast<char>(dims.size())};
  for (uint32_t d : dims) {
    for (int shift : {24, 16, 8, 0}) out += static_cast<char>(d >> shift);
  }
  return out + data;
}

std::string bytes(std::initializer_list<int> values) {
  std::string out;
  for (int v : values) out += static_cast<char>(v);
  return out;
}

TEST_F(IdxTest, ReadsUint8Raw) {
  Tensor t = load_idx(write("a", idx(0x08, {2, 3}, bytes({0, 1, 2, 253, 254, 255}))));
  ASSERT_EQ(t.shape(), (Shape{2, 3}));
  ASSERT_EQ(t.dtype(), uint8);
  EXPECT_EQ(t.at<uint8_t>({1, 2}), 255);
  EXPECT_EQ(t.at<uint8_t>({0, 1}), 1);
}

TEST_F(IdxTest, ReadsGzip) {
  std::string pixels;
  for (int i = 0; i < 4 * 28 * 28; ++i) pixels += static_cast<char>(i % 251);
  Tensor t = load_idx(write_gz("imgs.gz", idx(0x08, {4, 28, 28}, pixels)));
  ASSERT_EQ(t.shape(), (Shape{4, 28, 28}));
  for (int i = 0; i < 4 * 28 * 28; ++i) ASSERT_EQ(t.data<uint8_t>()[i], i % 251);
  // Detection is by content, not by name.
  EXPECT_EQ(load_idx(write_gz("no_suffix", idx(0x08, {1}, "x"))).data<uint8_t>()[0], 'x');
  EXPECT_EQ(load_idx(write("raw.gz", idx(0x08, {1}, "y"))).data<uint8_t>()[0], 'y');
}

TEST_F(IdxTest, ReadsEveryTypeBigEndian) {
  Tensor i8 = load_idx(write("i8", idx(0x09, {3}, bytes({0x80, 0xff, 0x7f}))));
  EXPECT_EQ(i8.dtype(), int32);
  EXPECT_EQ(std::vector<int32_t>(i8.data<int32_t>(), i8.data<int32_t>() + 3),
            (std::vector<int32_t>{-128, -1, 127}));
  Tensor i16 = load_idx(write("i16", idx(0x0B, {2}, bytes({0x80, 0x00, 0x01, 0x02}))));
  EXPECT_EQ(i16.dtype(), int32);
  EXPECT_EQ(i16.data<int32_t>()[0], -32768);
  EXPECT_EQ(i16.data<int32_t>()[1], 0x0102);
  Tensor i32 = load_idx(write("i32", idx(0x0C, {1}, bytes({0xff, 0xff, 0xff, 0xfe}))));
  EXPECT_EQ(i32.item<int32_t>(), -2);
  Tensor f32 = load_idx(write("f32", idx(0x0D, {1}, bytes({0x3f, 0xc0, 0, 0}))));
  EXPECT_EQ(f32.dtype(), float32);
  EXPECT_EQ(f32.item<float>(), 1.5f);
  Tensor f64 = load_idx(write("f64", idx(0x0E, {1}, bytes({0xc0, 0x02, 0, 0, 0, 0, 0, 0}))));
  EXPECT_EQ(f64.dtype(), float64);
  EXPECT_EQ(f64.item<double>(), -2.25);
  Tensor empty = load_idx(write_gz("e", idx(0x0D, {0, 5}, "")));
  EXPECT_EQ(empty.shape(), (Shape{0, 5}));
}

template <class F>
void expect_io_error(F&& fn, std::initializer_list<std::string_view> parts) {
  try {
    fn();
    ADD_FAILURE() << "no exception";
  } catch (const IOError& e) {
    for (std::string_view p : parts) {
      EXPECT_NE(std::string_view(e.what()).find(p), std::string_view::npos)
          << "message \"" << e.what() << "\" lacks \"" << p << "\"";
    }
  }
}

TEST_F(IdxTest, MissingFile) {
  expect_io_error([] { load_idx("/nonexistent/train-images-idx3-ubyte"); },
                  {"/nonexistent/train-images-idx3-ubyte", "cannot open"});
  expect_io_error([&] { load_idx(dir_.string()); }, {"directory"});
}

TEST_F(IdxTest, BadMagicOrType) {
  expect_io_error(
      [&] {
        load_idx(write("m", bytes({1, 0, 8, 1, 0, 0, 0, 1, 5})));
      },
      {"not an IDX file"});
  expect_io_error([&] { load_idx(write("t", idx(0x0A, {1}, "x"))); }, {"not an IDX file"});
  expect_io_error([&] { load_idx(write("s", "")); }, {"truncated"});
  expect_io_error([&] { load_idx(write_gz("g", bytes({0, 0}))); }, {"truncated"});
}

TEST_F(IdxTest, SizeMismatch) {
  expect_io_error(
      [&] {
        load_idx(write("short", idx(0x08, {2, 3}, "abcde")));
      },
      {"short", "(2, 3)", "5 bytes"});
  expect_io_error([&] { load_idx(write("long", idx(0x08, {2, 3}, "abcdefg"))); }, {"long"});
  expect_io_error([&] { load_idx(write_gz("gshort", idx(0x0C, {2}, "abcd"))); },
                  {"gshort", "truncated"});
  expect_io_error([&] { load_idx(write_gz("glong", idx(0x08, {2}, "abc"))); }, {"glong", "beyond"});
  // A few bytes claiming 2^32 x 2^32 x 2^32 elements, or 4 GB in a tiny gzip file.
  expect_io_error(
      [&] {
        load_idx(write("huge", idx(0x0E, {0xffffffff, 0xffffffff, 0xffffffff}, "")));
      },
      {"huge"});
  expect_io_error([&] { load_idx(write_gz("ghuge", idx(0x08, {0xffffffff}, "abc"))); },
                  {"ghuge", "gzip"});
  expect_io_error([&] { load_idx(write("rank", idx(0x08, std::vector<uint32_t>(200, 1), "a"))); },
                  {"rank"});
}

TEST_F(IdxTest, CorruptGzip) {
  std::string gz = read(write_gz("ok.gz", idx(0x08, {64}, std::string(64, 'q'))));
  // The CRC-32 is the 8th-to-5th last byte of a gzip file.
  std::string bad = gz;
  bad[bad.size() - 8] ^= 1;
  expect_io_error([&] { load_idx(write("crc.gz", bad)); }, {"crc.gz"});
  // Truncation anywhere in the stream.
  for (size_t n = 2; n < gz.size(); ++n) {
    EXPECT_THROW(load_idx(write("cut.gz", gz.substr(0, n))), IOError) << n;
  }
}

}  // namespace
}  // namespace keras::io
