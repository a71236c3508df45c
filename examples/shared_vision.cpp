// The guide's shared vision model: one image-processing module, weights and all, applied to two
// images to tell whether they show the same thing. Here the images are Fashion-MNIST's, cropped
// from 28x28 to 27x27 (the guide's size), and "the same thing" is the same clothing class.
//
//   digit_input = Input(shape=(27, 27, 1))
//   x = Conv2D(64, (3, 3))(digit_input)
//   x = Conv2D(64, (3, 3))(x)
//   x = MaxPooling2D((2, 2))(x)
//   out = Flatten()(x)
//   vision_model = Model(digit_input, out)
//   digit_a = Input(shape=(27, 27, 1))
//   digit_b = Input(shape=(27, 27, 1))
//   out_a = vision_model(digit_a)           # the vision model is shared, weights and all
//   out_b = vision_model(digit_b)
//   concatenated = concatenate([out_a, out_b])
//   out = Dense(1, activation='sigmoid')(concatenated)
//   classification_model = Model([digit_a, digit_b], out)
//
// The guide's classifier is a logistic regression on the concatenated vectors: its logit is
// w_a . f(a) + w_b . f(b) + b, one term per image, and no such sum can express "a and b are of
// the same class" (on balanced pairs it reaches at most 0.75 even with perfect per-image
// features: it can only say "same" for a set of class pairs closed under a ranking). So the model
// trained here puts one hidden layer, Dense(64, relu), between the concatenation and the sigmoid;
// the shared vision model is the guide's. Pass "guide" as the fourth argument to train the
// guide's classification_model instead.
//
// Usage: shared_vision [train_pairs] [epochs] [test_pairs] [guide]
// Pairs are balanced (half of each set same-class), drawn from the training images for training
// and from the test images for the held-out accuracy.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <keras/keras.hpp>
#include <random>
#include <vector>

namespace layers = keras::layers;
namespace ops = keras::ops;

struct Pairs {
  keras::Tensor a, b, same;  // (n, 27, 27, 1), (n, 27, 27, 1), (n, 1) of 0/1
};

// (n, 28, 28) uint8 -> (n, 27, 27, 1) float32 in [0, 1]: the last row and column are dropped
// (Fashion-MNIST's borders are background).
keras::Tensor crop_to_27(const keras::Tensor& images) {
  keras::Tensor x = ops::slice_axis(ops::slice_axis(images, 1, 0, 27), 2, 0, 27);
  return ops::divide(ops::cast(x, keras::float32), 255.0).reshape({images.dim(0), 27, 27, 1});
}

// n pairs, alternately of the same class and of two different classes.
Pairs make_pairs(const keras::Tensor& images,
                 const keras::Tensor& labels,
                 int64_t n,
                 std::mt19937& rng) {
  std::vector<std::vector<int32_t>> by_class(10);
  const uint8_t* y = labels.data<uint8_t>();
  for (int64_t i = 0; i < labels.dim(0); ++i) by_class[y[i]].push_back(static_cast<int32_t>(i));
  auto pick = [&](int c) {
    const auto& members = by_class[c];
    return members[std::uniform_int_distribution<size_t>(0, members.size() - 1)(rng)];
  };
  std::vector<int32_t> first(n), second(n);
  std::vector<float> same(n);
  for (int64_t i = 0; i < n; ++i) {
    const int c = static_cast<int>(rng() % 10);
    int other = c;
    if (i % 2 == 1) other = (c + 1 + static_cast<int>(rng() % 9)) % 10;  // any other class
    first[i] = pick(c);
    second[i] = pick(other);
    same[i] = other == c ? 1.0f : 0.0f;
  }
  return {ops::take(images, keras::Tensor::from_vector(first)),
          ops::take(images, keras::Tensor::from_vector(second)),
          keras::Tensor::from_vector(same, {n, 1})};
}

int main(int argc, char** argv) {
  const int64_t train_pairs = argc > 1 ? std::atoll(argv[1]) : 12000;
  const int epochs = argc > 2 ? std::atoi(argv[2]) : 2;
  const int64_t test_pairs = argc > 3 ? std::atoll(argv[3]) : 2000;
  const bool guide_head = argc > 4 && std::strcmp(argv[4], "guide") == 0;
  keras::utils::set_random_seed(1);

  // First, define the vision module.
  auto digit_input = keras::Input({27, 27, 1});
  auto x = layers::Conv2D(64, {3, 3})(digit_input);
  x = layers::Conv2D(64, {3, 3})(x);
  x = layers::MaxPooling2D({2, 2})(x);
  auto out = layers::Flatten()(x);
  keras::Model vision_model(digit_input, out, {.name = "vision_model"});
  vision_model.summary();

  // Then the tell-images-apart model: the vision model is shared, weights and all.
  auto digit_a = keras::Input({27, 27, 1});
  auto digit_b = keras::Input({27, 27, 1});
  auto out_a = vision_model(digit_a);
  auto out_b = vision_model(digit_b);
  auto concatenated = layers::concatenate({out_a, out_b});
  auto guide_out = layers::Dense(1, {.activation = "sigmoid"})(concatenated);
  keras::Model classification_model({digit_a, digit_b}, guide_out);
  classification_model.summary();
  std::printf("guide's classification_model: %lld parameters (vision model %lld, shared)\n",
              static_cast<long long>(classification_model.count_params()),
              static_cast<long long>(vision_model.count_params()));

  // The same shared vision model with a hidden layer that can compare the two images.
  auto hidden = layers::Dense(64, {.activation = "relu"})(concatenated);
  auto same_class = layers::Dense(1, {.activation = "sigmoid"})(hidden);
  keras::Model comparison_model({digit_a, digit_b}, same_class, {.name = "comparison_model"});
  keras::Model& model = guide_head ? classification_model : comparison_model;
  std::printf("training %s: %lld parameters\n", model.name().c_str(),
              static_cast<long long>(model.count_params()));

  auto [train, test] = keras::datasets::fashion_mnist::load_data();
  std::mt19937 rng(3);
  Pairs pairs = make_pairs(crop_to_27(train.x), train.y, train_pairs, rng);
  Pairs held_out = make_pairs(crop_to_27(test.x), test.y, test_pairs, rng);

  model.compile({.optimizer = "adam", .loss = "binary_crossentropy", .metrics = {"accuracy"}});
  auto history = model.fit({pairs.a, pairs.b}, pairs.same, {.epochs = epochs, .batch_size = 32});
  std::printf("training accuracy: %.4f\n", history.history.at("accuracy").back());
  auto scores = model.evaluate({held_out.a, held_out.b}, held_out.same, {.verbose = 0});
  std::printf("held-out pairs: %lld, loss %.4f\n", static_cast<long long>(test_pairs), scores[0]);
  std::printf("held-out accuracy: %.4f\n", scores[1]);
  return 0;
}
