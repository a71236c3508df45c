#include "keras/layers/input_layer.h"

#include <gtest/gtest.h>

#include <memory>

#include "harness/tensor_matchers.h"
#include "keras/layers/dense.h"
#include "keras/models/model.h"
#include "keras/utils/utils.h"

namespace keras {
namespace {

layers::InputLayerImpl* input_layer_of(const KerasTensor& t) {
  return dynamic_cast<layers::InputLayerImpl*>(t.layer().get());
}

TEST(Input, ShapeHasANoneBatchDimension) {
  const KerasTensor x = Input({784});
  EXPECT_EQ(shape_str(x.shape()), "(None, 784)");
  EXPECT_EQ(x.rank(), 2);
  EXPECT_EQ(x.dtype(), float32);
  EXPECT_EQ(x.node_index(), 0);
  EXPECT_EQ(x.tensor_index(), 0);
}

TEST(Input, UnknownDimensionsStayNone) {
  const KerasTensor x = Input({std::nullopt, 128});
  EXPECT_EQ(shape_str(x.shape()), "(None, None, 128)");
  const KerasTensor y = Input({std::nullopt, std::nullopt, 3});
  EXPECT_EQ(shape_str(y.shape()), "(None, None, None, 3)");
}

TEST(Input, EmptyShapeIsRankOne) {
  const KerasTensor x = Input({});
  EXPECT_EQ(shape_str(x.shape()), "(None,)");
}

TEST(Input, BatchSizeFixesTheBatchDimension) {
  const KerasTensor x = Input({3, 4}, {.batch_size = 8});
  EXPECT_EQ(shape_str(x.shape()), "(8, 3, 4)");
  ASSERT_NE(input_layer_of(x), nullptr);
  EXPECT_EQ(shape_str(input_layer_of(x)->batch_shape()), "(8, 3, 4)");
}

TEST(Input, DtypeIsKept) {
  const KerasTensor x = Input({5}, {.dtype = int32});
  EXPECT_EQ(x.dtype(), int32);
  ASSERT_NE(input_layer_of(x), nullptr);
  EXPECT_EQ(input_layer_of(x)->input_dtype(), int32);
  EXPECT_EQ(x.layer()->dtype(), int32);
  EXPECT_EQ(Input({2}, {.dtype = float64}).dtype(), float64);
}

TEST(Input, DefaultNamesCountUpAndResetWithClearSession) {
  utils::clear_session();
  const KerasTensor a = Input({1});
  const KerasTensor b = Input({1});
  EXPECT_EQ(a.layer()->name(), "input_1");
  EXPECT_EQ(b.layer()->name(), "input_2");
  EXPECT_EQ(a.name(), "input_1:0");
  const KerasTensor named = Input({1}, {.name = "main_input"});
  EXPECT_EQ(named.layer()->name(), "main_input");
  EXPECT_EQ(Input({1}).layer()->name(), "input_3");
  utils::clear_session();
  EXPECT_EQ(Input({1}).layer()->name(), "input_1");
}

TEST(Input, ToStringReadsLikeKeras2) {
  utils::clear_session();
  EXPECT_EQ(to_string(Input({64})), "Tensor(\"input_1:0\", shape=(None, 64), dtype=float32)");
}

TEST(InputLayer, IsBuiltWithoutWeightsAndHasOneNodeWithoutInputs) {
  const KerasTensor x = Input({3});
  const auto& layer = x.layer();
  EXPECT_EQ(layer->class_name(), "InputLayer");
  EXPECT_TRUE(layer->built());
  EXPECT_TRUE(layer->weights().empty());
  EXPECT_EQ(layer->count_params(), 0);
  ASSERT_EQ(layer->inbound_nodes().size(), 1u);
  EXPECT_TRUE(layer->inbound_nodes()[0]->is_input());
  EXPECT_TRUE(layer->output() == x);
  EXPECT_EQ(shape_str(layer->output_shape()), "(None, 3)");
  EXPECT_EQ(layer->output_shape_str(), "(None, 3)");
}

TEST(InputLayer, ComputeOutputShapeIsTheBatchShape) {
  const KerasTensor x = Input({std::nullopt, 2});
  EXPECT_EQ(shape_str(x.layer()->compute_output_shape({})[0]), "(None, None, 2)");
}

TEST(InputLayer, EagerCallIsTheIdentity) {
  const KerasTensor x = Input({3});
  const Tensor t = test::random_tensor({2, 3}, float32, -1, 1, 1);
  const Tensors out = (*x.layer())(Tensors{t});
  ASSERT_EQ(out.size(), 1u);
  test::expect_all_close(out[0], t, 0, 0);
}

TEST(InputLayer, CanOnlyMakeOneTensor) {
  const KerasTensor x = Input({3});
  test::expect_throws_with<ValueError>([&] { input_layer_of(x)->make_input_tensor(); },
                                       "already has a tensor");
}

TEST(Input, NegativeDimensionsThrow) {
  test::expect_throws_with<ValueError>([] { Input({-3}); }, "Negative dimensions are not allowed");
  // As Keras refuses shape=(-1,): kNone is not how an options struct spells None.
  test::expect_throws_with<ValueError>(
      [] {
        Input({kNone, 3});
      },
      "(Keras's None is std::nullopt, or Dim{}, here)");
}

TEST(Input, FeedsAModel) {
  const KerasTensor x = Input({4}, {.name = "features"});
  const KerasTensor y = layers::Dense(2)(x);
  Model model(x, y);
  ASSERT_EQ(model.input_names().size(), 1u);
  EXPECT_EQ(model.input_names()[0], "features");
  const Tensor out = model.predict(test::random_tensor({5, 4}, float32, -1, 1, 2));
  EXPECT_EQ(shape_str(out.shape()), "(5, 2)");
}

}  // namespace
}  // namespace keras
