// op_table_numpy.cpp's rows, each loaded from the node Keras 3.15 writes (config and call
// arguments as in its .keras files) and called. The graph-shaped ones also load in the
// numpy_ops_tail fixture (tests/data/ops); these are the ones Keras saves but whose scalar or
// batch-free outputs a fixture cannot predict.
#include <gtest/gtest.h>

#include "harness/tensor_matchers.h"
#include "keras/config/json.h"
#include "keras/layers/op_layer.h"

namespace keras::layers {
namespace {

using test::tensor_of;
using test::to_doubles;

const Json kTensor = {{"class_name", "__keras_tensor__"}};

Tensors run(const char* cls, const Json& config, const Json& args, const Tensors& in) {
  OpLayerImpl op(cls, config, args);
  return op.call(in, false);
}

TEST(OpTableNumpy, ScalarAndBatchFreeNodesLoadAndRun) {
  const Tensor x = tensor_of({1, 0, 3, 0.5, 0.5, 2}, {2, 3}, float32);
  // keras.ops.allclose(x, x) in a graph: {"rtol": 1e-05, "atol": 1e-08, "equal_nan": false}
  Tensors y = run("AllClose", {{"rtol", 1e-5}, {"atol", 1e-8}, {"equal_nan", false}},
                  Json::array({kTensor, kTensor}), {x, x});
  EXPECT_EQ(y.at(0).dtype(), bool_);
  EXPECT_EQ(to_doubles(y[0]), std::vector<double>{1});
  y = run("AllClose", {{"rtol", 0.0}, {"atol", 0.1}}, Json::array({kTensor, 1.0}), {x});
  EXPECT_EQ(to_doubles(y[0]), std::vector<double>{0});
  // Ndim and Size: 2 and 6 (int32 scalars)
  y = run("Ndim", Json::object(), Json::array({kTensor}), {x});
  EXPECT_EQ(y.at(0).dtype(), int32);
  EXPECT_EQ(to_doubles(y[0]), std::vector<double>{2});
  y = run("Size", Json::object(), Json::array({kTensor}), {x});
  EXPECT_EQ(to_doubles(y.at(0)), std::vector<double>{6});
  // Histogram {"bins": 4, "range": null} of a row, and with a range
  const Tensor row = tensor_of({0.1, 0.5, 0.2, 0.9, 1.0, 0.0, 0.45}, {7}, float32);
  y = run("Histogram", {{"bins", 4}, {"range", nullptr}}, Json::array({kTensor}), {row});
  ASSERT_EQ(y.size(), 2u);
  EXPECT_EQ(to_doubles(y[0]), (std::vector<double>{3, 1, 1, 2}));
  EXPECT_EQ(to_doubles(y[1]), (std::vector<double>{0, 0.25, 0.5, 0.75, 1}));
  y = run("Histogram", {{"bins", 2}, {"range", {0.0, 0.5}}}, Json::array({kTensor}), {row});
  EXPECT_EQ(to_doubles(y[0]), (std::vector<double>{3, 2}));
  // Full {"shape": [2, 3], "dtype": null} of a (3,) fill value; EmptyLike and Array as int32
  y = run("Full", {{"shape", {2, 3}}, {"dtype", nullptr}}, Json::array({kTensor}),
          {tensor_of({1, 2, 3}, {3}, int32)});
  EXPECT_EQ(y.at(0).dtype(), float32);
  EXPECT_EQ(to_doubles(y[0]), (std::vector<double>{1, 2, 3, 1, 2, 3}));
  y = run("EmptyLike", {{"dtype", "int32"}}, Json::array({kTensor}), {x});
  EXPECT_EQ(y.at(0).dtype(), int32);
  EXPECT_EQ(to_doubles(y[0]), std::vector<double>(6, 0));
  y = run("Array", {{"dtype", "int32"}}, Json::array({kTensor}), {x});
  EXPECT_EQ(to_doubles(y.at(0)), (std::vector<double>{1, 0, 3, 0, 0, 2}));
  // Trapezoid with constant sample points {"x": [0, 1, 3]}
  y = run("Trapezoid", {{"x", {0, 1, 3}}, {"dx", 1.0}, {"axis", -1}}, Json::array({kTensor}),
          {tensor_of({1, 2, 4}, {3}, float32)});
  EXPECT_EQ(to_doubles(y.at(0)), std::vector<double>{7.5});
  // ArraySplit at indices (the op class takes them; keras.ops.array_split does not)
  y = run("ArraySplit", {{"indices_or_sections", {1}}, {"axis", 1}}, Json::array({kTensor}), {x});
  ASSERT_EQ(y.size(), 2u);
  EXPECT_EQ(y[1].shape(), (Shape{2, 2}));
}

TEST(OpTableNumpy, BadConfigsAreValueErrors) {
  EXPECT_THAT(
      [] {
        OpLayerImpl("Histogram", {{"bins", -1}}, Json::array({kTensor}));
      },
      test::ThrowsMessage<ValueError>("bins"));
  EXPECT_THAT(
      [] {
        OpLayerImpl("Histogram", {{"range", {1.0}}}, Json::array({kTensor}));
      },
      test::ThrowsMessage<ValueError>("two elements"));
  EXPECT_THAT(
      [] {
        OpLayerImpl("View", {{"dtype", "float32"}, {"axis", 1}}, Json::array({kTensor}));
      },
      test::ThrowsMessage<ValueError>("axis"));
}

}  // namespace
}  // namespace keras::layers
