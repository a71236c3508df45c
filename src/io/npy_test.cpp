#include "keras/io/npy.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace keras::io {
namespace {

namespace fs = std::filesystem;

// A fresh directory per test, removed afterwards.
class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = fs::temp_directory_path() /
            str("keras_npy_", info->test_suite_name(), "_", info->name(), "_", ::getpid());
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

void write_file(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string data_file(const std::string& name) {
  return str(KERAS_TEST_DATA_DIR, "/", name);
}

bool same(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() &&
         std::memcmp(a.raw_data(), b.raw_data(), a.nbytes()) == 0;
}

// A .npy file with the given version and header dict (padded like NumPy) and raw data.
std::string make_npy(const std::string& dict, std::string_view data, int major = 1) {
  const size_t fixed = major == 1 ? 10 : 12;
  const size_t len = (dict.size() + 1 + fixed + 63) / 64 * 64 - fixed;
  std::string out("\x93NUMPY", 6);
  out += static_cast<char>(major);
  out += '\0';
  for (size_t i = 0; i < fixed - 8; ++i) out += static_cast<char>(len >> (8 * i));
  out += dict + std::string(len - dict.size() - 1, ' ') + "\n";
  out += data;
  return out;
}

std::vector<Tensor> sample_tensors() {
  return {
      Tensor::from_vector<float>({1.5f, -2.f, 3.25f, 0.f, 1e30f, -1e-30f}, {2, 3}),
      Tensor::from_vector<double>({1.0 / 3, -2.5, 1e300}, {3}),
      Tensor::from_vector<int32_t>({-1, 2, 2147483647, -2147483647 - 1}, {2, 1, 2}),
      Tensor::from_vector<int64_t>({-1, int64_t{1} << 40, 7}, {3, 1}),
      Tensor::from_vector<uint8_t>({0, 1, 128, 255}, {4}),
      Tensor::from_vector<bool>({true, false, true, true, false, false}, {3, 2}),
  };
}

TEST(NpyRoundTrip, EveryDtypeInMemoryAndOnDisk) {
  TempDir dir;
  for (const Tensor& t : sample_tensors()) {
    SCOPED_TRACE(dtype_name(t.dtype()));
    EXPECT_TRUE(same(parse_npy(serialize_npy(t), "mem"), t));
    const std::string path = dir.file("t.npy");
    save_npy(path, t);
    EXPECT_TRUE(same(load_npy(path), t));
  }
}

TEST(NpyRoundTrip, ScalarsAndZeroSize) {
  for (const Tensor& t :
       {Tensor::scalar<float>(2.5f), Tensor::scalar<int64_t>(-9), Tensor::scalar<bool>(true),
        Tensor::empty({0}, float32), Tensor::empty({3, 0, 2}, int32), Tensor::empty({0}, bool_)}) {
    SCOPED_TRACE(shape_str(t.shape()));
    EXPECT_TRUE(same(parse_npy(serialize_npy(t), "mem"), t));
  }
}

TEST(NpyRoundTrip, SavesViews) {
  Tensor t = arange(12, int64).reshape({4, 3}).slice_rows(1, 3);
  Tensor back = parse_npy(serialize_npy(t), "mem");
  EXPECT_EQ(back.shape(), (Shape{2, 3}));
  EXPECT_EQ(back.at<int64_t>({0, 0}), 3);
  EXPECT_EQ(back.at<int64_t>({1, 2}), 8);
}

TEST(NpyFormat, HeaderMatchesNumpy) {
  const std::string bytes = serialize_npy(Tensor::from_vector<float>({1, 2, 3}));
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
  EXPECT_NE(bytes.find("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }"),
            std::string::npos);
  EXPECT_EQ((bytes.size() - 12) % 64, 0u);  // data starts 64-byte aligned
  EXPECT_EQ(bytes[bytes.size() - 13], '\n');
  EXPECT_NE(serialize_npy(Tensor::scalar<uint8_t>(1)).find("'descr': '|u1'"), std::string::npos);
  EXPECT_NE(serialize_npy(Tensor::scalar<bool>(true)).find("'shape': ()"), std::string::npos);
  EXPECT_NE(serialize_npy(zeros({2, 3}, int64))
                .find("'descr': '<i8', 'fortran_order': False, "
                      "'shape': (2, 3)"),
            std::string::npos);
}

TEST(NpyFormat, ReadsVersions2And3) {
  // NumPy writes 2.0 for headers over 64 KiB and 3.0 for UTF-8 headers; ours never need either.
  const std::string data(16, '\0');
  Tensor t = parse_npy(
      make_npy("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", data, 2), "v2");
  EXPECT_EQ(t.shape(), (Shape{2}));
  Tensor u = parse_npy(
      make_npy("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", data, 3), "v3");
  EXPECT_EQ(u.dtype(), int64);
}

TEST(NpyFormat, AcceptsHeaderVariants) {
  const std::string four(4, '\x01');
  // Other key order, double quotes, extra spaces, Python 2 longs, '=' byte order.
  Tensor a = parse_npy(
      make_npy("{ \"shape\" : ( 2L , 2L ) , 'fortran_order':False,'descr':'=u1'}", four), "a");
  EXPECT_EQ(a.shape(), (Shape{2, 2}));
  EXPECT_EQ(a.dtype(), uint8);
  // '<u1' and '>u1' are legal spellings of a one-byte type.
  EXPECT_EQ(
      parse_npy(make_npy("{'descr': '>u1', 'fortran_order': False, 'shape': (4,)}", four), "b")
          .dtype(),
      uint8);
  // Big-endian int32 is converted.
  Tensor c = parse_npy(make_npy("{'descr': '>i4', 'fortran_order': False, 'shape': (1,), }",
                                std::string("\x00\x00\x01\x02", 4)),
                       "c");
  EXPECT_EQ(c.data<int32_t>()[0], 0x0102);
  // Bool bytes other than 0/1 load as true.
  Tensor d = parse_npy(make_npy("{'descr': '|b1', 'fortran_order': False, 'shape': (2,), }",
                                std::string("\x00\x07", 2)),
                       "d");
  EXPECT_FALSE(d.data<bool>()[0]);
  EXPECT_TRUE(d.data<bool>()[1]);
}

TEST(NpyFormat, FortranOrderIsTransposed) {
  // Column-major (2, 3): memory 0 3 1 4 2 5 holds the row-major matrix 0 1 2 / 3 4 5.
  std::string data;
  for (int32_t v : {0, 3, 1, 4, 2, 5}) data.append(reinterpret_cast<const char*>(&v), 4);
  Tensor t =
      parse_npy(make_npy("{'descr': '<i4', 'fortran_order': True, 'shape': (2, 3), }", data), "f");
  for (int i = 0; i < 6; ++i) EXPECT_EQ(t.data<int32_t>()[i], i);
}

TEST(NpyNumpyFixtures, ReadsFilesWrittenByNumpy) {
  Tensor f = load_npy(data_file("numpy_f4.npy"));
  ASSERT_EQ(f.shape(), (Shape{2, 3}));
  ASSERT_EQ(f.dtype(), float32);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(f.data<float>()[i], 0.5f * i);

  Tensor fo = load_npy(data_file("numpy_i8_fortran.npy"));
  ASSERT_EQ(fo.shape(), (Shape{2, 3}));
  for (int i = 0; i < 6; ++i) EXPECT_EQ(fo.data<int64_t>()[i], i);

  Tensor be = load_npy(data_file("numpy_f8_big_endian.npy"));
  ASSERT_EQ(be.dtype(), float64);
  EXPECT_EQ(be.data<double>()[0], 1.5);
  EXPECT_EQ(be.data<double>()[1], -2.25);
  EXPECT_EQ(be.data<double>()[2], 3.0);

  Tensor b = load_npy(data_file("numpy_bool_scalar.npy"));
  EXPECT_EQ(b.shape(), Shape{});
  EXPECT_EQ(b.dtype(), bool_);
  EXPECT_TRUE(b.item<bool>());
}

TEST(NpyNumpyFixtures, OurBytesMatchNumpys) {
  Tensor f = load_npy(data_file("numpy_f4.npy"));
  EXPECT_EQ(serialize_npy(f), read_file(data_file("numpy_f4.npy")));
}

// Expects `fn` to throw E with a message containing every one of `parts`.
template <class E, class F>
void expect_error(F&& fn, std::initializer_list<std::string_view> parts) {
  try {
    fn();
    ADD_FAILURE() << "no exception";
  } catch (const E& e) {
    for (std::string_view p : parts) {
      EXPECT_NE(std::string_view(e.what()).find(p), std::string_view::npos)
          << "message \"" << e.what() << "\" lacks \"" << p << "\"";
    }
  }
}

TEST(NpyCorrupt, MissingFileNamesIt) {
  expect_error<IOError>([] { load_npy("/nonexistent/dir/x.npy"); },
                        {"/nonexistent/dir/x.npy", "cannot open"});
  TempDir dir;
  expect_error<IOError>([&] { load_npy(dir.path().string()); }, {"directory"});
}

TEST(NpyCorrupt, TruncatedAtEveryLength) {
  const std::string good = serialize_npy(sample_tensors()[0]);
  for (size_t n = 0; n < good.size(); ++n) {
    EXPECT_THROW(parse_npy(std::string_view(good).substr(0, n), "cut"), IOError) << n;
  }
  TempDir dir;
  write_file(dir.file("cut.npy"), good.substr(0, good.size() - 1));
  expect_error<IOError>([&] { load_npy(dir.file("cut.npy")); }, {"cut.npy", "truncated"});
}

TEST(NpyCorrupt, TrailingBytes) {
  const std::string good = serialize_npy(sample_tensors()[0]);
  EXPECT_THROW(parse_npy(good + "x", "long"), IOError);
}

TEST(NpyCorrupt, BadMagicAndVersion) {
  std::string bytes = serialize_npy(sample_tensors()[1]);
  std::string bad = bytes;
  bad[1] = 'X';
  expect_error<IOError>([&] { parse_npy(bad, "bad.npy"); }, {"bad.npy", "magic"});
  bad = bytes;
  bad[6] = 4;
  expect_error<IOError>([&] { parse_npy(bad, "v4.npy"); }, {"version 4.0"});
  EXPECT_THROW(parse_npy("PK\x03\x04 not an npy file at all", "zip"), IOError);
}

TEST(NpyCorrupt, HeaderLiesAboutSize) {
  // 10^15 float64s claimed by a ~100-byte file: rejected before any allocation.
  const std::string lie =
      make_npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000000,), }", "1234");
  expect_error<IOError>([&] { parse_npy(lie, "lie.npy"); }, {"lie.npy", "(1000000000000000,)"});
  TempDir dir;
  write_file(dir.file("lie.npy"), lie);
  EXPECT_THROW(load_npy(dir.file("lie.npy")), IOError);
  // Products that overflow 64 bits.
  EXPECT_THROW(parse_npy(make_npy("{'descr': '<f8', 'fortran_order': False, 'shape': "
                                  "(4294967296, 4294967296, 4294967296), }",
                                  ""),
                         "overflow"),
               IOError);
  EXPECT_THROW(parse_npy(make_npy("{'descr': '<f8', 'fortran_order': False, 'shape': "
                                  "(0, 9223372036854775807, 9223372036854775807), }",
                                  ""),
                         "overflow0"),
               IOError);
  EXPECT_THROW(parse_npy(make_npy("{'descr': '<f8', 'fortran_order': False, 'shape': "
                                  "(99999999999999999999,), }",
                                  ""),
                         "bigint"),
               IOError);
  // Header length beyond the file.
  std::string longer = serialize_npy(sample_tensors()[1]);
  longer[8] = '\xff';
  longer[9] = '\x7f';
  expect_error<IOError>([&] { parse_npy(longer, "hl"); }, {"truncated"});
}

TEST(NpyCorrupt, MalformedHeaders) {
  for (const char* dict : {
           "",
           "{",
           "not a dict",
           "{'descr': '<f4', 'fortran_order': False}",
           "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'extra': 1}",
           "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,)}",
           "{'descr': '<f4', 'fortran_order': 0, 'shape': (1,)}",
           "{'descr': '<f4', 'fortran_order': False, 'shape': 1}",
           "{'descr': '<f4', 'fortran_order': False, 'shape': (1)}",
           "{'descr': '<f4', 'fortran_order': False, 'shape': [1]}",
           "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}",
           "{'descr': '<f4', 'fortran_order': False, 'shape': ('1',)}",
           "{'descr': '<f4, 'fortran_order': False, 'shape': (1,)}",
           "{'descr': '<f4', 'fortran_order': False, 'shape': (1,)} trailing",
           "{'descr': '<f4' 'fortran_order': False, 'shape': (1,)}",
           "{'descr': '<f4', 'fortran_order': Fals, 'shape': (1,)}",
       }) {
    SCOPED_TRACE(dict);
    EXPECT_THROW(parse_npy(make_npy(dict, "abcd"), "h"), IOError);
  }
  // Deep nesting is refused, not recursed into.
  const std::string deep = "{'descr': " + std::string(100000, '(') + "}";
  EXPECT_THROW(parse_npy(make_npy(deep, "", 2), "deep"), IOError);
}

// NumPy's str arrays ('<U<n>': UTF-32 code points, NUL-padded) and bytes arrays ('|S<n>') load as
// string tensors; string tensors save as '<U<n>' (or '|S<n>' when not UTF-8).
TEST(Npy, StringArrays) {
  auto utf32 = [](std::u32string_view s, size_t chars) {
    std::string out(chars * 4, '\0');
    for (size_t i = 0; i < s.size(); ++i) {
      for (int b = 0; b < 4; ++b) out[i * 4 + b] = static_cast<char>(s[i] >> (8 * b));
    }
    return out;
  };
  const Tensor u = parse_npy(make_npy("{'descr': '<U3', 'fortran_order': False, 'shape': (3,), }",
                                      utf32(U"ab", 3) + utf32(U"日本", 3) + utf32(U"", 3)),
                             "u.npy");
  EXPECT_EQ(u.dtype(), string_);
  EXPECT_EQ(std::vector<std::string>(u.strings().begin(), u.strings().end()),
            (std::vector<std::string>{"ab", "日本", ""}));
  // Big-endian code points; Fortran order.
  std::string be = utf32(U"xy", 2);
  for (size_t i = 0; i < be.size(); i += 4) std::reverse(be.begin() + i, be.begin() + i + 4);
  EXPECT_EQ(parse_npy(make_npy("{'descr': '>U2', 'fortran_order': False, 'shape': (), }", be), "b")
                .strings()[0],
            "xy");
  const Tensor f = parse_npy(
      make_npy("{'descr': '|S1', 'fortran_order': True, 'shape': (2, 2), }", "acbd"), "f.npy");
  EXPECT_EQ(std::vector<std::string>(f.strings().begin(), f.strings().end()),
            (std::vector<std::string>{"a", "b", "c", "d"}));
  expect_error<IOError>(
      [&] {
        parse_npy(make_npy("{'descr': '<U1', 'fortran_order': False, 'shape': (1,), }",
                           std::string("\x00\xd8\x00\x00", 4)),
                  "bad.npy");
      },
      {"bad.npy", "invalid code point"});
  EXPECT_THROW(parse_npy(make_npy("{'descr': '<U2', 'fortran_order': False, 'shape': (1,), }",
                                  utf32(U"a", 1)),
                         "short.npy"),
               IOError);
  // Round trips, through a file too.
  const Tensor t = Tensor::from_strings({"", "café", "日本語", "x"}, {2, 2});
  const std::string bytes = serialize_npy(t);
  EXPECT_NE(bytes.find("'descr': '<U4'"), std::string::npos);
  const Tensor back = parse_npy(bytes, "t");
  EXPECT_EQ(back.shape(), t.shape());
  EXPECT_EQ(std::vector<std::string>(back.strings().begin(), back.strings().end()),
            std::vector<std::string>(t.strings().begin(), t.strings().end()));
  const Tensor raw = Tensor::from_strings({"\xff\xfe", "ok"});
  const std::string raw_bytes = serialize_npy(raw);
  EXPECT_NE(raw_bytes.find("'descr': '|S2'"), std::string::npos);
  EXPECT_EQ(parse_npy(raw_bytes, "raw").strings()[0], "\xff\xfe");
  const std::string path = (fs::temp_directory_path() / str("npy_strings_", ::getpid())).string();
  save_npz(path, {{"words", t}});
  EXPECT_EQ(load_npz(path).at("words").strings()[2], "日本語");
  fs::remove(path);
}

TEST(NpyCorrupt, UnsupportedDtypes) {
  for (const char* descr : {"<f2", "|U3", "|O", "<c8", "|i1", "<u4", "|f4", "<b2", "f"}) {
    SCOPED_TRACE(descr);
    expect_error<TypeError>(
        [&] {
          parse_npy(make_npy(str("{'descr': '", descr, "', 'fortran_order': False, 'shape': (), }"),
                             "abcdefgh"),
                    "d.npy");
        },
        {"d.npy", descr});
  }
  EXPECT_THROW(parse_npy(make_npy("{'descr': [('a', '<f4')], 'fortran_order': False, "
                                  "'shape': (), }",
                                  "abcd"),
                         "structured"),
               TypeError);
}

TEST(NpySave, WritesAtomically) {
  TempDir dir;
  const std::string path = dir.file("a.npy");
  save_npy(path, Tensor::from_vector<int32_t>({1, 2, 3}));
  save_npy(path, Tensor::from_vector<int32_t>({4, 5}));  // replaces the old file
  EXPECT_EQ(load_npy(path).shape(), (Shape{2}));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 1);
  expect_error<IOError>([&] { save_npy(dir.file("missing/b.npy"), Tensor::scalar<float>(1)); },
                        {"missing/b.npy"});
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 1);
  EXPECT_THROW(save_npy(path, Tensor()), ValueError);
}

// ---- .npz ----

std::map<std::string, Tensor> sample_archive() {
  std::vector<Tensor> ts = sample_tensors();
  return {{"f32", ts[0]},
          {"f64", ts[1]},
          {"i32", ts[2]},
          {"i64", ts[3]},
          {"u8", ts[4]},
          {"flags", ts[5]},
          {"scalar", Tensor::scalar<double>(4.5)},
          {"empty", Tensor::empty({0, 3}, float32)},
          {"big", arange(5000, int64)},
          {"nested/name", Tensor::from_vector<float>({7})}};
}

void expect_same_archive(const std::map<std::string, Tensor>& a,
                         const std::map<std::string, Tensor>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (const auto& [name, t] : a) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(b.contains(name));
    EXPECT_TRUE(same(t, b.at(name)));
  }
}

TEST(NpzRoundTrip, Stored) {
  TempDir dir;
  save_npz(dir.file("a.npz"), sample_archive());
  expect_same_archive(load_npz(dir.file("a.npz")), sample_archive());
}

TEST(NpzRoundTrip, Compressed) {
  TempDir dir;
  save_npz(dir.file("stored.npz"), sample_archive());
  save_npz(dir.file("c.npz"), sample_archive(), /*compressed=*/true);
  expect_same_archive(load_npz(dir.file("c.npz")), sample_archive());
  EXPECT_LT(fs::file_size(dir.file("c.npz")), fs::file_size(dir.file("stored.npz")));
}

TEST(NpzRoundTrip, EmptyArchive) {
  TempDir dir;
  save_npz(dir.file("e.npz"), {});
  EXPECT_TRUE(load_npz(dir.file("e.npz")).empty());
  save_npz(dir.file("e.npz"), {}, true);
  EXPECT_TRUE(load_npz(dir.file("e.npz")).empty());
}

TEST(NpzRoundTrip, RejectsBadNames) {
  TempDir dir;
  EXPECT_THROW(save_npz(dir.file("x.npz"), {{"", Tensor::scalar<float>(1)}}), ValueError);
  EXPECT_THROW(save_npz(dir.file("x.npz"), {{std::string("a\0b", 3), Tensor::scalar<float>(1)}}),
               ValueError);
  EXPECT_FALSE(fs::exists(dir.file("x.npz")));
}

void check_numpy_archive(const std::map<std::string, Tensor>& a) {
  ASSERT_EQ(a.size(), 4u);
  const Tensor& w = a.at("weights");
  ASSERT_EQ(w.shape(), (Shape{3, 4}));
  for (int i = 0; i < 12; ++i) EXPECT_EQ(w.data<float>()[i], (i - 6) / 4.0f);
  const Tensor& l = a.at("labels");
  ASSERT_EQ(l.dtype(), int32);
  EXPECT_EQ(std::vector<int32_t>(l.data<int32_t>(), l.data<int32_t>() + 5),
            (std::vector<int32_t>{3, 1, 4, 1, 5}));
  const Tensor& p = a.at("pixels");
  ASSERT_EQ(p.shape(), (Shape{3, 16, 16}));
  ASSERT_EQ(p.dtype(), uint8);
  for (int i = 0; i < 768; ++i) EXPECT_EQ(p.data<uint8_t>()[i], i % 256);
  EXPECT_EQ(a.at("empty").shape(), (Shape{0, 5}));
  EXPECT_EQ(a.at("empty").dtype(), float64);
}

TEST(NpzNumpyFixtures, ReadsSavez) {
  check_numpy_archive(load_npz(data_file("numpy_arrays.npz")));
}

TEST(NpzNumpyFixtures, ReadsSavezCompressed) {
  check_numpy_archive(load_npz(data_file("numpy_arrays_compressed.npz")));
}

size_t find_sig(const std::string& bytes, std::string_view sig, size_t from = 0) {
  const size_t at = bytes.find(sig, from);
  EXPECT_NE(at, std::string::npos);
  return at;
}

void put32_at(std::string& bytes, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) bytes[at + i] = static_cast<char>(v >> (8 * i));
}

void put16(std::string& s, uint64_t v) {
  for (int i = 0; i < 2; ++i) s += static_cast<char>(v >> (8 * i));
}
void put32(std::string& s, uint64_t v) {
  for (int i = 0; i < 4; ++i) s += static_cast<char>(v >> (8 * i));
}
void put64(std::string& s, uint64_t v) {
  for (int i = 0; i < 8; ++i) s += static_cast<char>(v >> (8 * i));
}

struct ZipOptions {
  bool zip64_central = false;    // sizes and offsets in zip64 extra fields, as for > 4 GiB
  bool zip64_end = false;        // zip64 end-of-central-directory record and locator
  bool data_descriptor = false;  // local header without sizes, a descriptor after the data
  std::string comment;
};

// A STORED zip archive built field by field, independently of save_npz.
std::string make_zip(const std::vector<std::pair<std::string, std::string>>& members,
                     const ZipOptions& opt) {
  std::string out, cd;
  for (const auto& [name, data] : members) {
    const uint32_t crc = static_cast<uint32_t>(
        crc32(0, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
    const uint64_t offset = out.size();
    put32(out, 0x04034b50);
    put16(out, 20);
    put16(out, opt.data_descriptor ? 8 : 0);
    put16(out, 0);
    put32(out, 0);
    put32(out, opt.data_descriptor ? 0 : crc);
    put32(out, opt.data_descriptor ? 0 : data.size());
    put32(out, opt.data_descriptor ? 0 : data.size());
    put16(out, name.size());
    put16(out, 0);
    out += name + data;
    if (opt.data_descriptor) {
      put32(out, 0x08074b50);
      put32(out, crc);
      put32(out, data.size());
      put32(out, data.size());
    }
    const uint64_t big = opt.zip64_central ? 0xFFFFFFFF : 0;
    put32(cd, 0x02014b50);
    put16(cd, 45);
    put16(cd, 45);
    put16(cd, opt.data_descriptor ? 8 : 0);
    put16(cd, 0);
    put32(cd, 0);
    put32(cd, crc);
    put32(cd, big ? big : data.size());
    put32(cd, big ? big : data.size());
    put16(cd, name.size());
    put16(cd, opt.zip64_central ? 28 : 0);
    put16(cd, 0);
    put16(cd, 0);
    put16(cd, 0);
    put32(cd, 0);
    put32(cd, big ? big : offset);
    cd += name;
    if (opt.zip64_central) {
      put16(cd, 1);
      put16(cd, 24);
      put64(cd, data.size());
      put64(cd, data.size());
      put64(cd, offset);
    }
  }
  const uint64_t cd_offset = out.size();
  out += cd;
  if (opt.zip64_end) {
    const uint64_t record = out.size();
    put32(out, 0x06064b50);
    put64(out, 44);
    put16(out, 45);
    put16(out, 45);
    put32(out, 0);
    put32(out, 0);
    put64(out, members.size());
    put64(out, members.size());
    put64(out, cd.size());
    put64(out, cd_offset);
    put32(out, 0x07064b50);
    put32(out, 0);
    put64(out, record);
    put32(out, 1);
  }
  put32(out, 0x06054b50);
  put32(out, 0);
  put16(out, opt.zip64_end ? 0xFFFF : members.size());
  put16(out, opt.zip64_end ? 0xFFFF : members.size());
  put32(out, opt.zip64_end ? 0xFFFFFFFF : cd.size());
  put32(out, opt.zip64_end ? 0xFFFFFFFF : cd_offset);
  put16(out, opt.comment.size());
  return out + opt.comment;
}

TEST(NpzZipVariants, Zip64DataDescriptorsAndComments) {
  TempDir dir;
  const std::vector<std::pair<std::string, std::string>> members = {
      {"a.npy", serialize_npy(arange(4, int32))},
      {"sub/", ""},  // a directory entry: skipped
      {"b.npy", serialize_npy(Tensor::scalar<double>(2.5))}};
  for (int mask = 0; mask < 16; ++mask) {
    ZipOptions opt{(mask & 1) != 0, (mask & 2) != 0, (mask & 4) != 0,
                   mask & 8 ? "a comment with PK\x05\x06 inside" : ""};
    SCOPED_TRACE(mask);
    write_file(dir.file("z.npz"), make_zip(members, opt));
    std::map<std::string, Tensor> a = load_npz(dir.file("z.npz"));
    ASSERT_EQ(a.size(), 2u);
    EXPECT_EQ(a.at("a").data<int32_t>()[3], 3);
    EXPECT_EQ(a.at("b").item<double>(), 2.5);
  }
}

TEST(NpzCorrupt, MissingAndNotZip) {
  expect_error<IOError>([] { load_npz("/nonexistent/a.npz"); }, {"/nonexistent/a.npz"});
  TempDir dir;
  save_npy(dir.file("a.npy"), Tensor::scalar<float>(1));
  expect_error<IOError>([&] { load_npz(dir.file("a.npy")); }, {"a.npy", "load_npy"});
  write_file(dir.file("junk.npz"), std::string(100, 'j'));
  expect_error<IOError>([&] { load_npz(dir.file("junk.npz")); }, {"junk.npz", "zip"});
  write_file(dir.file("tiny.npz"), "PK");
  EXPECT_THROW(load_npz(dir.file("tiny.npz")), IOError);
}

TEST(NpzCorrupt, TruncatedAtEveryLength) {
  TempDir dir;
  for (bool compressed : {false, true}) {
    save_npz(dir.file("a.npz"), {{"x", arange(10, float32)}, {"y", Tensor::scalar<uint8_t>(3)}},
             compressed);
    const std::string good = read_file(dir.file("a.npz"));
    for (size_t n = 0; n < good.size(); ++n) {
      write_file(dir.file("cut.npz"), good.substr(0, n));
      EXPECT_THROW(load_npz(dir.file("cut.npz")), IOError) << n;
    }
  }
}

TEST(NpzCorrupt, EveryFlippedByteIsCaughtOrHarmless) {
  TempDir dir;
  for (bool compressed : {false, true}) {
    save_npz(dir.file("a.npz"), {{"x", arange(10, float32)}, {"y", Tensor::scalar<bool>(true)}},
             compressed);
    const std::string good = read_file(dir.file("a.npz"));
    for (size_t i = 0; i < good.size(); ++i) {
      std::string bad = good;
      bad[i] = static_cast<char>(bad[i] ^ 0x5a);
      write_file(dir.file("bad.npz"), bad);
      try {
        load_npz(dir.file("bad.npz"));  // fields nobody checks (times, attributes) may change
      } catch (const Error&) {
      }
    }
  }
}

TEST(NpzCorrupt, CrcMismatch) {
  TempDir dir;
  save_npz(dir.file("a.npz"), {{"x", arange(10, int32)}});
  std::string bytes = read_file(dir.file("a.npz"));
  bytes[find_sig(bytes, "PK\x01\x02") - 1] ^= 1;  // last data byte
  write_file(dir.file("a.npz"), bytes);
  expect_error<IOError>([&] { load_npz(dir.file("a.npz")); }, {"a.npz:x.npy", "CRC"});
}

TEST(NpzCorrupt, DeflateSizeLies) {
  TempDir dir;
  save_npz(dir.file("a.npz"), {{"x", zeros({1000}, float64)}}, true);
  const std::string good = read_file(dir.file("a.npz"));
  const size_t central = find_sig(good, "PK\x01\x02");
  // The central directory claims 4 GB from a few dozen compressed bytes: refused up front.
  std::string bad = good;
  put32_at(bad, central + 24, 0xFFFFFFF0u);
  write_file(dir.file("b.npz"), bad);
  expect_error<IOError>([&] { load_npz(dir.file("b.npz")); }, {"deflate"});
  // Off by one in either direction.
  for (int delta : {-1, 1}) {
    bad = good;
    const uint32_t real =
        static_cast<uint8_t>(good[central + 24]) | static_cast<uint8_t>(good[central + 25]) << 8;
    put32_at(bad, central + 24, real + delta);
    write_file(dir.file("b.npz"), bad);
    EXPECT_THROW(load_npz(dir.file("b.npz")), IOError) << delta;
  }
}

TEST(NpzCorrupt, OffsetsOutsideTheFile) {
  TempDir dir;
  save_npz(dir.file("a.npz"), {{"x", arange(10, int32)}});
  const std::string good = read_file(dir.file("a.npz"));
  const size_t central = find_sig(good, "PK\x01\x02");
  const size_t eocd = find_sig(good, "PK\x05\x06");
  std::string bad = good;
  put32_at(bad, central + 42, 0x7FFFFFFF);  // local header offset
  write_file(dir.file("b.npz"), bad);
  EXPECT_THROW(load_npz(dir.file("b.npz")), IOError);
  bad = good;
  put32_at(bad, eocd + 16, 0x7FFFFFFF);  // central directory offset
  write_file(dir.file("b.npz"), bad);
  EXPECT_THROW(load_npz(dir.file("b.npz")), IOError);
  bad = good;
  bad[eocd + 10] = '\x30';  // 0x7530 entries in a ~100-byte directory
  bad[eocd + 11] = '\x75';
  write_file(dir.file("b.npz"), bad);
  EXPECT_THROW(load_npz(dir.file("b.npz")), IOError);
}

TEST(NpzCorrupt, EncryptedAndOddMembers) {
  TempDir dir;
  save_npz(dir.file("a.npz"), {{"x", arange(3, int32)}});
  const std::string good = read_file(dir.file("a.npz"));
  const size_t central = find_sig(good, "PK\x01\x02");
  std::string bad = good;
  bad[central + 8] |= 1;  // encrypted
  write_file(dir.file("b.npz"), bad);
  expect_error<IOError>([&] { load_npz(dir.file("b.npz")); }, {"encrypted"});
  bad = good;
  bad[central + 10] = 12;  // bzip2
  write_file(dir.file("b.npz"), bad);
  expect_error<IOError>([&] { load_npz(dir.file("b.npz")); }, {"compression method 12"});
  // Rename the member to x.txt in both headers.
  bad = good;
  for (size_t at = 0; (at = bad.find("x.npy", at)) != std::string::npos;)
    bad.replace(at, 5, "x.txt");
  write_file(dir.file("b.npz"), bad);
  expect_error<IOError>([&] { load_npz(dir.file("b.npz")); }, {"x.txt", "not a .npy"});
}

TEST(NpzCorrupt, DuplicateMembers) {
  TempDir dir;
  save_npz(dir.file("a.npz"), {{"a", arange(3, int32)}, {"b", arange(3, int32)}});
  std::string bytes = read_file(dir.file("a.npz"));
  for (size_t at = 0; (at = bytes.find("b.npy", at)) != std::string::npos;) bytes[at] = 'a';
  write_file(dir.file("a.npz"), bytes);
  expect_error<IOError>([&] { load_npz(dir.file("a.npz")); }, {"twice"});
}

TEST(NpzCorrupt, MemberNpyIsValidated) {
  TempDir dir;
  save_npz(dir.file("a.npz"), {{"x", arange(3, int32)}});
  std::string bytes = read_file(dir.file("a.npz"));
  bytes[find_sig(bytes, "\x93NUMPY")] = 'X';  // CRC would also fail; the magic check comes first
  write_file(dir.file("a.npz"), bytes);
  expect_error<IOError>([&] { load_npz(dir.file("a.npz")); }, {"a.npz:x.npy", "magic"});
}

}  // namespace
}  // namespace keras::io
