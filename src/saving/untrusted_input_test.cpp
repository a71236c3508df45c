// Untrusted input of any depth or size gives a short keras::Error quickly: deep JSON in
// config.json, a legacy .h5 model_config and model_from_json text; huge strings; the fuzzers'
// crashers for model_from_json and load_weights (tests/data/saving/json_corpus, weights_corpus).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <keras/keras.hpp>
#include <sstream>

#include "../tools/fuzz/load_weights_target.h"
#include "harness/tensor_matchers.h"
#include "harness/test_files.h"
#include "io/zip.h"
#include "saving/h5.h"

namespace keras {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr size_t kDeep = 100000;
// A message quotes at most a short excerpt of the file; this leaves room for the path and words.
constexpr size_t kShortMessage = 1000;

std::string data_path(const std::string& name) {
  return std::string(KERAS_TEST_DATA_DIR) + "/saving/" + name;
}

using test::read_bytes;

std::string temp_path(const std::string& name) {
  const fs::path dir =
      fs::temp_directory_path() / ("keras_untrusted_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return (dir / name).string();
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// mlp.keras's config.json with `value` (JSON text) as the first Dense layer's "units".
std::string config_with_units(const std::string& value) {
  const auto entries = io::zip::read(read_bytes(data_path("mlp.keras")), "mlp", 1 << 30);
  std::string config = entries.at("config.json");
  const std::string key = "\"units\": ";
  const size_t at = config.find(key);
  EXPECT_NE(at, std::string::npos);
  const size_t end = config.find_first_of(",}", at);
  return config.replace(at + key.size(), end - at - key.size(), value);
}

std::string deep_array(size_t depth) {
  return std::string(depth, '[') + std::string(depth, ']');
}

// `f` throws E with a short message containing `substring`, within `seconds` (a generous bound
// for a loaded machine; the work is linear in the input, about a millisecond per megabyte).
template <class E, class F>
void expect_short_error(F&& f, const std::string& substring, double seconds = 20) {
  const auto start = std::chrono::steady_clock::now();
  try {
    f();
    ADD_FAILURE() << "no error";
  } catch (const E& e) {
    EXPECT_THAT(e.what(), HasSubstr(substring));
    EXPECT_LT(std::string_view(e.what()).size(), kShortMessage) << e.what();
  }
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
            seconds);
}

TEST(UntrustedInput, DeepJsonInAKerasArchiveIsAClearError) {
  const auto entries = io::zip::read(read_bytes(data_path("mlp.keras")), "mlp", 1 << 30);
  const std::string path = temp_path("deep.keras");
  for (const std::string& config :
       {config_with_units(deep_array(kDeep)), deep_array(kDeep), std::string(kDeep, '{')}) {
    write_bytes(path, io::zip::write({{"metadata.json", entries.at("metadata.json")},
                                      {"config.json", config},
                                      {"model.weights.h5", entries.at("model.weights.h5")}}));
    expect_short_error<ValueError>([&] { models::load_model(path); },
                                   "config.json: invalid JSON: arrays and objects nested more "
                                   "than 512 levels deep");
  }
}

TEST(UntrustedInput, DeepJsonInALegacyModelConfigIsAClearError) {
  saving::h5::File f = saving::h5::File::create();
  saving::h5::write_string_attr(f.id(), "model_config", config_with_units(deep_array(kDeep)));
  const std::string path = temp_path("deep.h5");
  write_bytes(path, f.image());
  expect_short_error<ValueError>([&] { models::load_model(path); },
                                 "model_config: invalid JSON: arrays and objects nested more");
}

TEST(UntrustedInput, DeepJsonInModelFromJsonIsAClearError) {
  for (const std::string& text : {config_with_units(deep_array(kDeep)), deep_array(kDeep),
                                  std::string(kDeep, '['), "{\"a\": " + std::string(kDeep, '{')}) {
    expect_short_error<ValueError>([&] { models::model_from_json(text); },
                                   "model_from_json: invalid JSON: arrays and objects nested");
  }
}

TEST(UntrustedInput, NestingWithinTheLimitGivesAShortMessage) {
  // 500 levels parse; the reader then rejects the value, quoting only an excerpt of it.
  expect_short_error<ValueError>(
      [&] { models::model_from_json(config_with_units(deep_array(500))); }, "'units'");
  // Brackets inside strings are not nesting.
  const std::string brackets(kDeep, '[');
  expect_short_error<ValueError>(
      [&] { models::model_from_json(config_with_units("\"" + brackets + "\"")); }, "[[[[...");
  // A long layer class name and a long unknown key value are cut.
  const std::string long_name(1 << 20, 'A');
  std::string config = config_with_units("3");
  config.replace(config.find("\"Dense\""), 7, "\"" + long_name + "\"");
  expect_short_error<ValueError>([&] { models::model_from_json(config); }, "Unknown layer");
}

TEST(UntrustedInput, JsonTextOverTheSizeLimitIsRejectedBeforeParsing) {
  std::string text = "[" + std::string(config::kMaxJsonBytes, ' ') + "]";
  expect_short_error<ValueError>([&] { models::model_from_json(text); }, "reads at most");
}

TEST(UntrustedInput, ExcerptOfJsonIsShortAndNeverRecursesDeeply) {
  // Built in place: nested copies would be quadratic (and recursive).
  Json deep;
  Json* p = &deep;
  for (size_t i = 0; i < kDeep; ++i) {
    *p = Json::array({nullptr, i});
    p = &(*p)[0];
  }
  EXPECT_EQ(config::json_excerpt(deep), "[[[[[...],3],2],1],0]");
  EXPECT_EQ(config::json_excerpt(Json::parse(R"({"a": [1, "x"], "b": null})")),
            R"({"a":[1,"x"],"b":null})");
  const std::string cut = config::json_excerpt(Json(std::string(10000, 'x')), 50);
  EXPECT_LE(cut.size(), 60u);
  EXPECT_THAT(cut, HasSubstr("xxx..."));
  Json wide = Json::array();
  for (int i = 0; i < 100000; ++i) wide.push_back(i);
  EXPECT_LE(config::json_excerpt(wide).size(), 210u);
  EXPECT_THAT(config::json_excerpt(wide), HasSubstr("..."));
  // A cut never splits a UTF-8 character (dump() would throw on the result).
  for (size_t max = 95; max < 110; ++max) {
    const std::string e =
        config::json_excerpt(Json(std::string(99, 'a') + "\xc3\xa9\xc3\xa9"), max);
    EXPECT_NO_THROW(Json(e).dump()) << max;
    EXPECT_LE(e.size(), max + 3);
  }
}

TEST(UntrustedInput, ExcerptOfTextEscapesAndCuts) {
  EXPECT_EQ(excerpt("dense_1"), "dense_1");
  EXPECT_EQ(excerpt(std::string_view("a\nb\x01\x7f", 5)), "a\\nb\\x01\\x7f");
  EXPECT_EQ(excerpt(std::string(300, 'n'), 10), "nnnnnnnnnn...");
  EXPECT_EQ(excerpt("\xc3\xa9\xc3\xa9", 3), "\xc3\xa9...");  // not inside the second character
  EXPECT_EQ(excerpt("caf\xc3\xa9"), "caf\xc3\xa9");
}

TEST(UntrustedInput, ConfigNumbersOutOfRangeAreErrorsNotUndefinedBehaviour) {
  using config::convert;
  EXPECT_EQ(convert<int>(Json(3.0), "k", "t"), 3);
  EXPECT_EQ(convert<int64_t>(Json(-9223372036854775808.0), "k", "t"), INT64_MIN);
  EXPECT_EQ(convert<uint64_t>(Json(UINT64_MAX), "k", "t"), UINT64_MAX);
  EXPECT_EQ(convert<int>(Json(-2147483648LL), "k", "t"), INT32_MIN);
  EXPECT_THROW(convert<int>(Json(5e9), "k", "t"), ValueError);
  EXPECT_THROW(convert<int>(Json(5000000000LL), "k", "t"), ValueError);  // was silently 705032704
  EXPECT_THROW(convert<int64_t>(Json(UINT64_MAX), "k", "t"), ValueError);
  EXPECT_THROW(convert<int64_t>(Json(9.3e18), "k", "t"), ValueError);
  EXPECT_THROW(convert<int64_t>(Json(4.4e36), "k", "t"), ValueError);
  EXPECT_THROW(convert<size_t>(Json(-1), "k", "t"), ValueError);
  EXPECT_THROW(convert<size_t>(Json(-1.0), "k", "t"), ValueError);
  EXPECT_THROW(convert<int>(Json(2.5), "k", "t"), ValueError);
  EXPECT_THROW(convert<float>(Json(1e300), "k", "t"), ValueError);
  EXPECT_EQ(convert<float>(Json(1e30), "k", "t"), 1e30f);
  expect_short_error<ValueError>(
      [&] { models::model_from_json(read_bytes(data_path("json_corpus/kernel_size_4e36.json"))); },
      "'kernel_size' has an invalid value 4.4e+36");
  // libFuzzer's crash-dc3c12b4 as it was found: a 37-digit dilation rate in a functional model.
  expect_short_error<ValueError>(
      [&] {
        models::model_from_json(read_bytes(data_path("json_corpus/dilation_rate_4e36.json")));
      },
      "'dilation_rate' has an invalid value 4.44");
}

// Sizes from a config whose arithmetic overflows int64 (undefined behaviour before; found by
// keras_fuzz_model_from_json and its huge-number seeds) are ValueErrors naming the layer.
TEST(UntrustedInput, SizesThatOverflowInt64AreValueErrors) {
  for (const char* name :
       {"conv_transpose_length_overflows", "dilated_kernel_overflows", "upsampling_overflows",
        "lstm_units_overflow", "gru_units_overflow", "flatten_overflows", "zero_padding_overflows",
        "cropping_overflows", "reshape_product_overflows"}) {
    SCOPED_TRACE(name);
    expect_short_error<ValueError>(
        [&] { models::model_from_json(read_bytes(data_path(str("json_corpus/", name, ".json")))); },
        "does not fit in 64 bits");
  }
  for (const char* name : {"permute_dims_1e300", "reshape_target_1e300"}) {
    SCOPED_TRACE(name);
    expect_short_error<ValueError>(
        [&] { models::model_from_json(read_bytes(data_path(str("json_corpus/", name, ".json")))); },
        "has an invalid value [1e+300");
  }
  EXPECT_THROW(num_elements({int64_t{1} << 62, 4}), ValueError);
  EXPECT_EQ(num_elements({int64_t{1} << 62, 4, 0}), 0);
  EXPECT_THROW(checked_add(INT64_MAX, 1, "x"), ValueError);
  EXPECT_EQ(checked_mul(int64_t{1} << 31, int64_t{1} << 31, "x"), int64_t{1} << 62);
}

// A functional config of n Dense layers in a chain, listed from the output back to the input.
std::string reversed_chain(int n) {
  Json layers = Json::array();
  for (int k = 0; k < n; ++k) {
    const std::string name = str("d", k), source = k + 1 < n ? str("d", k + 1) : "in";
    layers.push_back(
        {{"class_name", "Dense"},
         {"name", name},
         {"config", {{"name", name}, {"units", 1}}},
         {"inbound_nodes", Json::array({Json::array({{source, 0, 0, Json::object()}})})}});
  }
  layers.push_back({{"class_name", "InputLayer"},
                    {"name", "in"},
                    {"config", {{"name", "in"}, {"batch_input_shape", {nullptr, 1}}}},
                    {"inbound_nodes", Json::array()}});
  return Json{{"class_name", "Functional"},
              {"config",
               {{"name", "chain"},
                {"layers", layers},
                {"input_layers", {{"in", 0, 0}}},
                {"output_layers", {{"d0", 0, 0}}}}}}
      .dump();
}

TEST(UntrustedInput, LayersListedInReverseOrderLoadOrFailQuickly) {
  // Each pass of the loader resolves one layer here: n passes over n layers.
  EXPECT_EQ(models::model_from_json(reversed_chain(100)).layers().size(), 101u);
  expect_short_error<ValueError>([&] { models::model_from_json(reversed_chain(3000)); },
                                 "in reasonable time");
}

// Little-endian field of a zip structure.
void put32(std::string& s, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) s[at + i] = static_cast<char>(v >> (8 * i));
}

TEST(UntrustedInput, ZipEntriesMayNotShareDataOrClaimImpossibleSizes) {
  const std::string path = temp_path("bomb.keras");
  const std::string good = io::zip::write({{"a", std::string(1000, 'a')},
                                           {"b", std::string(1000, 'a')},
                                           {"c", std::string(1000, 'a')}});
  // Every central entry points at the first local header: one stream inflated three times.
  std::string shared = good;
  for (size_t cd = shared.find("PK\x01\x02"); cd != std::string::npos;
       cd = shared.find("PK\x01\x02", cd + 4)) {
    put32(shared, cd + 42, 0);
  }
  EXPECT_THROW(io::zip::read(shared, "shared", 1 << 30), IOError);
  write_bytes(path, shared);
  // The local header names the first entry, not the second that points at it.
  expect_short_error<IOError>([&] { models::load_model(path); },
                              "bomb.keras:b: local header names");
  // A second entry whose local header lies inside the first entry's data, where a copy of a
  // valid header for it was planted: found by the overlap check.
  const std::string plain = io::zip::write({{"a", "x"}, {"a", ""}});
  const size_t header_len = plain.find("PK\x03\x04", 4);  // the first header and its 1 byte
  const std::string second_header = plain.substr(header_len, plain.find("PK\x01\x02") - header_len);
  std::string planted = io::zip::write({{"a", std::string(49, 'x') + second_header}, {"a", ""}});
  const size_t second_cd = planted.find("PK\x01\x02", planted.find("PK\x01\x02") + 4);
  put32(planted, second_cd + 42, static_cast<uint32_t>(header_len - 1 + 49));
  expect_short_error<IOError>([&] { io::zip::read(planted, "planted", 1 << 30); },
                              "overlaps another entry");
  // A deflated entry of 100 bytes cannot hold 2 GiB: refused before allocating them.
  std::string lie = good;
  const size_t cd = lie.find("PK\x01\x02");
  lie[cd + 10] = 8;
  put32(lie, cd + 24, 0x80000000u);
  write_bytes(path, lie);
  expect_short_error<IOError>([&] { models::load_model(path); }, "claims 2147483648 bytes");
}

// Inputs that once failed a fuzzer (tools/fuzz/README.md): each must give a model or a
// keras::Error.
template <class F>
void replay(const std::string& dir, F&& load) {
  if (!fs::exists(dir)) return;
  for (const auto& e : fs::directory_iterator(dir)) {
    SCOPED_TRACE(e.path().string());
    try {
      load(e.path().string());
    } catch (const Error&) {
    } catch (const std::exception& ex) {
      ADD_FAILURE() << "non-keras exception " << typeid(ex).name() << ": " << ex.what();
    }
  }
}

TEST(UntrustedInput, ModelFromJsonCorpusReplays) {
  replay(data_path("json_corpus"),
         [](const std::string& path) { models::model_from_json(read_bytes(path)); });
}

TEST(UntrustedInput, LoadWeightsCorpusReplays) {
  replay(data_path("weights_corpus"), [](const std::string& path) {
    const size_t size = fs::file_size(path);
    fuzz::load_weights_target().load_weights(path, fuzz::load_weights_options(size));
  });
}

}  // namespace
}  // namespace keras
