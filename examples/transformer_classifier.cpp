// A small Transformer text classifier (Keras's "Text classification with Transformer" example,
// on data it generates): token and position embeddings, one encoder block (MultiHeadAttention,
// residual connections, LayerNormalization, a feed-forward network), average pooling over the
// tokens that are not padding, softmax.
//
// The task: sequences of up to 16 token ids (0 pads the end); the class is which of the marker
// tokens 1, 2 and 3 occurs most often. Telling needs every token, wherever it is.
//
//   ./transformer_classifier [num_samples] [epochs]   (default 4000, 8)
#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <keras/keras.hpp>
#include <random>

namespace layers = keras::layers;

namespace {

constexpr int64_t kVocab = 40, kLen = 16, kDim = 32, kHeads = 4, kClasses = 3;

struct Data {
  keras::Tensor tokens, positions, labels;
};

Data make_data(int64_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  keras::Tensor tokens = keras::Tensor::empty({n, kLen}, keras::int32, keras::Device::cpu());
  keras::Tensor positions = keras::Tensor::empty({n, kLen}, keras::int32, keras::Device::cpu());
  keras::Tensor labels = keras::Tensor::empty({n}, keras::int32, keras::Device::cpu());
  for (int64_t i = 0; i < n; ++i) {
    const int64_t length = std::uniform_int_distribution<int64_t>(6, kLen)(rng);
    std::array<int, kClasses> counts{};
    const int winner = std::uniform_int_distribution<int>(0, kClasses - 1)(rng);
    for (int64_t t = 0; t < kLen; ++t) {
      int id = 0;
      if (t < length) {
        // Markers appear often, the winner more often; the rest are filler tokens 4..39.
        const double u = std::uniform_real_distribution<double>(0, 1)(rng);
        if (u < 0.2) {
          id = 1 + winner;
        } else if (u < 0.35) {
          id = 1 + std::uniform_int_distribution<int>(0, kClasses - 1)(rng);
        } else {
          id = std::uniform_int_distribution<int>(4, kVocab - 1)(rng);
        }
      }
      if (id >= 1 && id <= kClasses) ++counts[static_cast<size_t>(id - 1)];
      tokens.data<int32_t>()[i * kLen + t] = id;
      positions.data<int32_t>()[i * kLen + t] = static_cast<int32_t>(t);
    }
    labels.data<int32_t>()[i] =
        static_cast<int32_t>(std::max_element(counts.begin(), counts.end()) - counts.begin());
  }
  return {tokens, positions, labels};
}

keras::Model transformer_classifier() {
  auto tokens = keras::Input({kLen}, {.dtype = keras::int32, .name = "tokens"});
  auto positions = keras::Input({kLen}, {.dtype = keras::int32, .name = "positions"});
  auto x = layers::Add({.name = "embedding"})(
      {layers::Embedding(kVocab, kDim, {.mask_zero = true, .name = "token_embedding"})(tokens),
       layers::Embedding(kLen, kDim, {.name = "position_embedding"})(positions)});
  auto attention = layers::MultiHeadAttention(kHeads, kDim / kHeads, {.name = "attention"})(x, x);
  x = layers::LayerNormalization({.epsilon = 1e-6})(layers::Add()({x, attention}));
  auto ff = layers::Dense(2 * kDim, {.activation = "relu"})(x);
  ff = layers::Dense(kDim)(ff);
  x = layers::LayerNormalization({.epsilon = 1e-6})(layers::Add()({x, ff}));
  x = layers::GlobalAveragePooling1D()(x);
  auto probabilities = layers::Dense(kClasses, {.activation = "softmax"})(x);
  return keras::Model({tokens, positions}, probabilities, {.name = "transformer_classifier"});
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t n = argc > 1 ? std::atoll(argv[1]) : 4000;
  const int epochs = argc > 2 ? std::atoi(argv[2]) : 8;
  keras::utils::set_random_seed(7);
  const Data train = make_data(n, 1), test = make_data(1000, 2);

  keras::Model model = transformer_classifier();
  model.summary();
  model.compile({.optimizer = keras::optimizers::Adam({.learning_rate = 3e-3}),
                 .loss = "sparse_categorical_crossentropy",
                 .metrics = {"accuracy"}});
  auto history = model.fit({train.tokens, train.positions}, train.labels,
                           {.epochs = epochs, .batch_size = 32, .verbose = 2});
  const auto& loss = history.history.at("loss");
  std::printf("loss: first epoch %.4f, last epoch %.4f\n", loss.front(), loss.back());
  const auto scores = model.evaluate({test.tokens, test.positions}, test.labels, {.verbose = 0});
  std::printf("test accuracy: %.4f (chance: about 0.33)\n", scores.at(1));
  return 0;
}
