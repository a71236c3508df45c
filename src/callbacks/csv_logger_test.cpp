#include "keras/callbacks/csv_logger.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <keras/keras.hpp>
#include <sstream>

#include "callbacks/python_format.h"

namespace keras {
namespace {

namespace cb = keras::callbacks;
namespace fs = std::filesystem;

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A per-process scratch directory, removed when the tests exit.
struct ScratchDir {
  fs::path path = fs::temp_directory_path() / ("keras_csv_" + std::to_string(::getpid()));
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

fs::path temp_path(const std::string& name) {
  static ScratchDir scratch;
  fs::create_directories(scratch.path);
  return scratch.path / name;
}

TEST(CSVLogger, WritesKerasText) {
  const fs::path path = temp_path("log.csv");
  auto csv = cb::CSVLogger(path.string());
  csv->on_train_begin({});
  csv->on_epoch_end(0, {{"loss", 0.5}, {"val_loss", 0.1 + 0.2}, {"accuracy", 1e-5}});
  csv->on_epoch_end(1, {{"loss", 0.25}, {"accuracy", 12.0}});  // no val_loss this epoch
  csv->on_train_end({});
  EXPECT_EQ(read(path),
            "epoch,accuracy,loss,val_loss\r\n"
            "0,1e-05,0.5,0.30000000000000004\r\n"
            "1,12.0,0.25,NA\r\n");

  // append: rows go on without a second header; a separator inside a field is quoted.
  auto more = cb::CSVLogger(path.string(), {.separator = ".", .append = true});
  more->on_train_begin({});
  more->on_epoch_end(2, {{"loss", 0.125}});
  more->on_train_end({});
  // Its first epoch has no val_ log: a val_ column per name (Keras 3), NA here.
  EXPECT_THAT(read(path), ::testing::EndsWith("1,12.0,0.25,NA\r\n2.\"0.125\".NA\r\n"));
}

// Keras 3's csv_logger_test case 3: validation every third epoch still gives val_ columns, NA in
// the epochs without it.
TEST(CSVLogger, ValidationEveryFewEpochsKeepsItsColumns) {
  const fs::path path = temp_path("freq.tsv");
  auto inputs = Input({3});
  Model model(inputs, layers::Dense(1)(inputs));
  model.compile({.optimizer = "sgd", .loss = "mse", .metrics = {"mse"}});
  Tensor x = random::uniform({8, 3}, 0.0, 1.0, float32, 6);
  Tensor y = random::uniform({8, 1}, 0.0, 1.0, float32, 7);
  auto h = model.fit(x, y,
                     {.epochs = 5,
                      .batch_size = 4,
                      .verbose = 0,
                      .callbacks = {cb::CSVLogger(path.string(), {.separator = "\t"})},
                      .validation_data = ValidationData{x, y},
                      .validation_freq = 3});
  std::istringstream lines(read(path));
  std::string line;
  std::getline(lines, line);
  EXPECT_EQ(line, "epoch\tloss\tmse\tval_loss\tval_mse\r");
  for (int e = 0; e < 5; ++e) {
    std::getline(lines, line);
    const std::string val =
        e == 2 ? cb::python_float_repr(h.history.at("val_loss")[0]) : std::string("NA");
    EXPECT_THAT(line, ::testing::HasSubstr("\t" + val + "\t")) << line;
  }
}

TEST(CSVLogger, LogsEveryEpochOfAFit) {
  const fs::path path = temp_path("fit.csv");
  auto inputs = Input({3});
  Model model(inputs, layers::Dense(2, {.activation = "softmax"})(inputs));
  model.compile({.optimizer = "sgd", .loss = "categorical_crossentropy", .metrics = {"accuracy"}});
  Tensor x = random::uniform({10, 3}, 0.0, 1.0, float32, 5);
  Tensor y = utils::to_categorical(ops::argmax(ops::slice_axis(x, 1, 0, 2), -1), 2);
  auto h = model.fit(x, y,
                     {.epochs = 2,
                      .batch_size = 4,
                      .verbose = 0,
                      .callbacks = {cb::CSVLogger(path.string())},
                      .validation_split = 0.2});
  std::string expected = "epoch,accuracy,loss,val_accuracy,val_loss\r\n";
  for (int e = 0; e < 2; ++e) {
    expected += std::to_string(e);
    for (const char* k : {"accuracy", "loss", "val_accuracy", "val_loss"})
      expected += "," + cb::python_float_repr(h.history.at(k)[static_cast<size_t>(e)]);
    expected += "\r\n";
  }
  EXPECT_EQ(read(path), expected);
}

TEST(PythonFormat, FloatReprMatchesPython) {
  EXPECT_EQ(cb::python_float_repr(0.1), "0.1");
  EXPECT_EQ(cb::python_float_repr(1.0), "1.0");
  EXPECT_EQ(cb::python_float_repr(-2.5), "-2.5");
  EXPECT_EQ(cb::python_float_repr(0.0001), "0.0001");
  EXPECT_EQ(cb::python_float_repr(0.00001), "1e-05");
  EXPECT_EQ(cb::python_float_repr(1.5e-7), "1.5e-07");
  EXPECT_EQ(cb::python_float_repr(1e16), "1e+16");
  EXPECT_EQ(cb::python_float_repr(123456789012345.0), "123456789012345.0");
  EXPECT_EQ(cb::python_float_repr(static_cast<float>(0.001)), "0.0010000000474974513");
  EXPECT_EQ(cb::python_float_repr(NAN), "nan");
  EXPECT_EQ(cb::python_float_repr(-INFINITY), "-inf");
}

TEST(PythonFormat, FormatSpecsFollowPython) {
  using cb::python_format_value;
  EXPECT_EQ(python_format_value(int64_t{3}, "02d"), "03");
  EXPECT_EQ(python_format_value(int64_t{123}, "02d"), "123");
  EXPECT_EQ(python_format_value(int64_t{-3}, "03d"), "-03");
  EXPECT_EQ(python_format_value(int64_t{1234567}, ","), "1,234,567");
  EXPECT_EQ(python_format_value(int64_t{5}, ">4"), "   5");
  EXPECT_EQ(python_format_value(int64_t{5}, "*<4"), "5***");
  EXPECT_EQ(python_format_value(int64_t{5}, "^5"), "  5  ");
  EXPECT_EQ(python_format_value(int64_t{5}, ".2f"), "5.00");
  EXPECT_EQ(python_format_value(0.41234, ".2f"), "0.41");
  EXPECT_EQ(python_format_value(0.41234, "+.3f"), "+0.412");
  EXPECT_EQ(python_format_value(0.000123, ".2e"), "1.23e-04");
  EXPECT_EQ(python_format_value(12345.678, "E"), "1.234568E+04");
  EXPECT_EQ(python_format_value(0.5, ".1%"), "50.0%");
  EXPECT_EQ(python_format_value(0.5, ""), "0.5");
  EXPECT_EQ(python_format_value(0.5, "08.3f"), "0000.500");
  EXPECT_EQ(python_format_value(-0.5, "08.3f"), "-000.500");
  EXPECT_EQ(python_format_value(1234.5, ",.1f"), "1,234.5");
  EXPECT_EQ(python_format_value(0.0001234, "g"), "0.0001234");
  EXPECT_EQ(python_format_value(1.0, ".3"), "1.0");
  EXPECT_THAT([] { python_format_value(0.5, "d"); },
              ::testing::ThrowsMessage<ValueError>(
                  ::testing::HasSubstr("Unknown format code 'd' for object of type 'float'")));
  // Integer bases, with '#' prefixes that zero padding goes after (as Python).
  EXPECT_EQ(python_format_value(int64_t{255}, "x"), "ff");
  EXPECT_EQ(python_format_value(int64_t{255}, "#X"), "0XFF");
  EXPECT_EQ(python_format_value(int64_t{255}, "#010x"), "0x000000ff");
  EXPECT_EQ(python_format_value(int64_t{-10}, "b"), "-1010");
  EXPECT_EQ(python_format_value(int64_t{8}, "#o"), "0o10");
  EXPECT_THAT([] { python_format_value(int64_t{1}, "s"); },
              ::testing::ThrowsMessage<ValueError>(
                  ::testing::HasSubstr("Unknown format code 's' for object of type 'int'")));
  // Long results are whole; widths and precisions past 4096 are refused (no wrap-around).
  EXPECT_EQ(python_format_value(1.0, ".600f").size(), 602u);
  EXPECT_THROW(python_format_value(1.0, ".4294967297f"), ValueError);
  EXPECT_THROW(python_format_value(int64_t{1}, "4294967297d"), ValueError);
  EXPECT_THROW(python_format_value(int64_t{1}, ">4000000000"), ValueError);
  EXPECT_EQ(cb::python_format("{epoch:02d}-{val_loss:.2f}.keras",
                              {{"epoch", int64_t{7}}, {"val_loss", 0.41999}}),
            "07-0.42.keras");
  EXPECT_EQ(cb::python_format("{{x}}{epoch}", {{"epoch", int64_t{12}}}), "{x}12");
  EXPECT_THROW(cb::python_format("{missing}.keras", {}), ValueError);
  EXPECT_THROW(cb::python_format("{epoch.keras", {{"epoch", int64_t{1}}}), ValueError);
}

}  // namespace
}  // namespace keras
