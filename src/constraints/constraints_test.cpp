#include "keras/constraints/constraints.h"

#include <gtest/gtest.h>

#include "harness/tensor_matchers.h"
#include "keras/config/json.h"

namespace keras::constraints {
namespace {

// Keras 3.15's outputs on this matrix (tools: keras.constraints.<C>(...)(w), float32).
Tensor w() {
  return test::tensor_of({1, -2, 3, -4, 0.5, 6}, {2, 3}, float32);
}

// The formulas are a few float32 ops on norms of size <= 7: a few ulps of difference from JAX.
void expect_keras(const Constraint& c, const std::vector<double>& keras) {
  test::expect_all_close(c(w()), test::tensor_of(keras, {2, 3}, float32), 1e-6, 1e-6);
}

TEST(Constraint, MatchesKeras) {
  expect_keras(MaxNorm(3), {0.72760689, -2.0, 1.34164071, -2.91042757, 0.5, 2.68328142});
  expect_keras(MaxNorm(2, 1),
               {0.53452247, -1.06904495, 1.60356736, -1.10674322, 0.1383429, 1.66011477});
  expect_keras(MaxNorm(5, {0, 1}),
               {0.61429513, -1.22859025, 1.84288538, -2.4571805, 0.30714756, 3.68577075});
  expect_keras(MinMaxNorm(2, 4, 0.5), {0.9850713, -2.0, 2.3944273, -3.94028521, 0.5, 4.7888546});
  expect_keras(NonNeg(), {1.0, 0.0, 3.0, 0.0, 0.5, 6.0});
  expect_keras(UnitNorm(),
               {0.24253564, -0.97014254, 0.44721359, -0.97014254, 0.24253564, 0.89442718});
  expect_keras(UnitNorm(1),
               {0.26726124, -0.53452247, 0.80178368, -0.55337161, 0.06917145, 0.83005738});
  // Keras's defaults: MaxNorm(2), MinMaxNorm(0, 1, 1).
  expect_keras(MaxNorm(),
               {0.48507127, -1.94028500, 0.89442718, -1.94028508, 0.48507125, 1.78885436});
  test::expect_all_close(MinMaxNorm()(w()), UnitNorm()(w()), 1e-6, 1e-6);
}

TEST(Constraint, SerializesAsKeras3) {
  EXPECT_EQ(
      serialize(MaxNorm(3)).dump(),
      R"({"module":"keras.constraints","class_name":"MaxNorm","config":{"max_value":3.0,"axis":0},"registered_name":null})");
  EXPECT_EQ(serialize(MaxNorm(3, {0, 1, 2}))["config"]["axis"], Json::parse("[0,1,2]"));
  EXPECT_EQ(serialize(NonNeg())["config"], Json::object());
  EXPECT_EQ(serialize(MinMaxNorm())["config"].dump(),
            R"({"min_value":0.0,"max_value":1.0,"rate":1.0,"axis":0})");
  EXPECT_TRUE(serialize(Constraint()).is_null());
}

TEST(Constraint, DeserializesKeras3Keras2AndNames) {
  const Constraint a = deserialize(Json::parse(
      R"({"module":"keras.constraints","class_name":"MaxNorm","config":{"max_value":3,"axis":[0,1]},"registered_name":null})"));
  EXPECT_EQ(a.name(), "MaxNorm");
  EXPECT_EQ(a.get_config().dump(), R"({"max_value":3.0,"axis":[0,1]})");
  const Constraint b =
      deserialize(Json::parse(R"({"class_name":"UnitNorm","config":{"axis":1}})"));  // Keras 2
  test::expect_all_close(b(w()), UnitNorm(1)(w()), 0, 0);
  EXPECT_EQ(deserialize("non_neg").name(), "NonNeg");
  EXPECT_EQ(deserialize("MinMaxNorm").name(), "MinMaxNorm");
  EXPECT_EQ(deserialize(Json::parse(R"({"class_name":"max_norm","config":{}})")).name(), "MaxNorm");
  EXPECT_FALSE(deserialize(nullptr));
  test::expect_throws_with<ValueError>([] { deserialize("clip"); },
                                       "Could not interpret constraint identifier: clip");
  test::expect_throws_with<ValueError>(
      [] { deserialize(Json::parse(R"({"class_name":"MaxNorm","config":{"max_value":"big"}})")); },
      "constraint: config key 'max_value' has an invalid value \"big\"");
  test::expect_throws_with<NotImplementedError>(
      [] { serialize(Constraint("Clip", [](const Tensor& t) { return t; })); },
      "cannot be serialized");
}

}  // namespace
}  // namespace keras::constraints
