// Keras 3's autocast: a layer casts floating-point inputs of another floating-point dtype to its
// own dtype before call(), eagerly and symbolically alike (measured with Keras 3.15 on the
// TensorFlow backend, which has float64; JAX without x64 turns every float64 into float32).
#include <gtest/gtest.h>

#include <functional>
#include <keras/keras.hpp>
#include <string>
#include <vector>

#include "harness/tensor_matchers.h"

namespace keras {
namespace {

namespace L = keras::layers;

struct Case {
  std::string name;
  std::function<L::LayerRef()> make;
  Shape shape;
};

std::vector<Case> float_cases() {
  return {
      {"Dropout", [] { return L::LayerRef(L::Dropout(0.5)); }, {4, 6}},
      {"Masking", [] { return L::LayerRef(L::Masking()); }, {2, 3, 4}},
      {"Activation", [] { return L::LayerRef(L::Activation("relu")); }, {4, 6}},
      {"Reshape",
       [] {
         return L::LayerRef(L::Reshape({3, 2}));
       },
       {4, 6}},
      {"Flatten", [] { return L::LayerRef(L::Flatten()); }, {2, 3, 4}},
      {"MaxPooling1D", [] { return L::LayerRef(L::MaxPooling1D(2)); }, {2, 4, 3}},
      {"GlobalAveragePooling1D",
       [] { return L::LayerRef(L::GlobalAveragePooling1D()); },
       {2, 4, 3}},
      {"Identity", [] { return L::LayerRef(L::Identity()); }, {4, 6}},
      {"Softmax", [] { return L::LayerRef(L::Softmax()); }, {4, 6}},
      {"LeakyReLU", [] { return L::LayerRef(L::LeakyReLU()); }, {4, 6}},
      {"Lambda",
       [] { return L::LayerRef(L::Lambda([](const Tensor& t) { return ops::multiply(t, 2.0); })); },
       {4, 6}},
      {"Dense", [] { return L::LayerRef(L::Dense(3)); }, {4, 6}},
      {"LayerNormalization", [] { return L::LayerRef(L::LayerNormalization()); }, {4, 6}},
  };
}

// float64 in, float32 out, for every layer, called on arrays and on a float64 Input; the values
// are the float32 layer's on the float32-rounded input.
TEST(Autocast, Float64InputsOfFloat32LayersGiveFloat32) {
  for (const Case& c : float_cases()) {
    SCOPED_TRACE(c.name);
    const Tensor x64 = random::uniform(c.shape, -1, 1, float64, 3);
    L::LayerRef layer = c.make();
    const Tensor y = layer(x64);
    EXPECT_EQ(y.dtype(), float32);
    test::expect_all_close(y, layer(x64.astype(float32)), 0, 0);
    const Shape s(c.shape.begin() + 1, c.shape.end());
    const KerasTensor symbolic =
        c.make()(Input(std::vector<Dim>(s.begin(), s.end()), {.dtype = float64}));
    EXPECT_EQ(symbolic.dtype(), float32);
  }
}

TEST(Autocast, MergeLayersCastEachFloatInput) {
  const Tensor a = random::uniform({4, 6}, -1, 1, float64, 4);
  const Tensor b = random::uniform({4, 6}, -1, 1, float32, 5);
  EXPECT_EQ(L::Add()(Tensors{a, b}).dtype(), float32);
  EXPECT_EQ(L::Concatenate()(Tensors{a, a}).dtype(), float32);
  EXPECT_EQ(L::Add()(KerasTensors{Input({6}, {.dtype = float64}), Input({6}, {.dtype = float64})})
                .dtype(),
            float32);
  // Integers are not cast: int32 + int32 stays int32, as in Keras.
  const Tensor i = random::randint({4, 6}, 0, 5, int32, 6);
  EXPECT_EQ(L::Add()(Tensors{i, i}).dtype(), int32);
}

// A float64 layer casts float32 inputs up.
TEST(Autocast, Float64LayersCastFloat32InputsUp) {
  const Tensor x = random::uniform({4, 6}, -1, 1, float32, 7);
  L::Dense dense(3);
  dense->set_dtype(float64);
  EXPECT_EQ(dense(x).dtype(), float64);
  L::Dropout dropout(0.5);
  dropout->set_dtype(float64);
  EXPECT_EQ(dropout(x).dtype(), float64);
}

// A model does not cast its inputs (Keras's Functional turns off input conversion): an identity
// model on a float64 Input predicts float64; its layers cast for themselves.
TEST(Autocast, ModelsLeaveTheirInputsToTheirLayers) {
  auto in = Input({3}, {.dtype = float64});
  Model identity(in, in);
  const Tensor x = random::uniform({5, 3}, -1, 1, float64, 8);
  EXPECT_EQ(identity.predict(Data{x}, {.verbose = 0})[0].dtype(), float64);
  auto in2 = Input({3}, {.dtype = float64});
  Model dropped(in2, L::Dropout(0.5)(in2));
  EXPECT_EQ(dropped.outputs()[0].dtype(), float32);
  const Tensor y = dropped.predict(Data{x}, {.verbose = 0})[0];
  EXPECT_EQ(y.dtype(), float32);
  test::expect_all_close(y, x.astype(float32), 0, 0);
}

// The mask of a cast input goes with it: Masking then LSTM on float64 equals the float32 run.
TEST(Autocast, ACastInputKeepsItsMask) {
  utils::set_random_seed(3);
  Tensor x = random::uniform({2, 4, 3}, -1, 1, float64, 9);
  for (int f = 0; f < 3; ++f) x.data<double>()[(0 * 4 + 3) * 3 + f] = 0.0;  // sample 0, step 3
  L::Masking masking;
  L::LSTM lstm(2);
  const Tensor y64 = lstm(masking(x));
  const Tensor y32 = lstm(masking(x.astype(float32)));
  EXPECT_EQ(y64.dtype(), float32);
  test::expect_all_close(y64, y32, 0, 0);
}

}  // namespace
}  // namespace keras
