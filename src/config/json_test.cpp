#include "keras/config/json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "keras/core/error.h"

namespace keras::config {
namespace {

const double kInf = std::numeric_limits<double>::infinity();

// Python's json (and so Keras's configs) writes float('nan') and the infinities as bare words.
TEST(Json, ReadsPythonsNonFiniteNumbers) {
  const Json j = parse_json(
      R"({"a": NaN, "b": [Infinity, -Infinity, -1.5], "NaN": "NaN Infinity", "c":-Infinity})",
      "test");
  EXPECT_TRUE(std::isnan(j["a"].get<double>()));
  EXPECT_EQ(j["b"][0].get<double>(), kInf);
  EXPECT_EQ(j["b"][1].get<double>(), -kInf);
  EXPECT_EQ(j["b"][2].get<double>(), -1.5);
  EXPECT_EQ(j["c"].get<double>(), -kInf);
  EXPECT_EQ(j["NaN"], "NaN Infinity");  // inside strings they are text
  EXPECT_EQ(parse_json(R"(["a\"NaN", "\\", 1])", "test"), Json::parse(R"(["a\"NaN", "\\", 1])"));
}

TEST(Json, WritesNonFiniteNumbersAsPythonDoes) {
  Json j = {
      {"a", std::numeric_limits<double>::quiet_NaN()}, {"b", {kInf, -kInf, 2.5}}, {"s", "NaN"}};
  const std::string text = dump_json(j);
  EXPECT_EQ(text, R"({"a":NaN,"b":[Infinity,-Infinity,2.5],"s":"NaN"})");
  const Json back = parse_json(text, "test");
  EXPECT_TRUE(std::isnan(back["a"].get<double>()));
  EXPECT_EQ(back["b"], Json({kInf, -kInf, 2.5}));
  EXPECT_EQ(back["s"], "NaN");
  EXPECT_EQ(dump_json(Json{{"x", 1}}), R"({"x":1})");
}

TEST(Json, StillRejectsOtherBareWords) {
  EXPECT_THROW(parse_json("[nan]", "test"), ValueError);
  EXPECT_THROW(parse_json("[NaNa]", "test"), ValueError);
  EXPECT_THROW(parse_json("[Inf]", "test"), ValueError);
  EXPECT_THROW(parse_json("[-NaN]", "test"), ValueError);
}

}  // namespace
}  // namespace keras::config
