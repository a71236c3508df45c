// The fixed model that keras_fuzz_load_weights (load_weights_fuzzer.cpp) loads its inputs into,
// shared with the unit test that replays tests/data/saving/weights_corpus.
#pragma once

#include <cstddef>
#include <keras/keras.hpp>
#include <optional>

namespace keras::fuzz {

// Embedding, LSTM (a cell's sub-path), a nested model, BatchNormalization (non-trainable
// weights) and Dense; compiled, so that optimizer state can exist.
inline Model& load_weights_target() {
  static std::optional<Model> model;
  if (!model) {
    namespace L = keras::layers;
    auto ids = Input({5}, {.dtype = int32, .name = "ids"});
    auto x = Input({6}, {.name = "x"});
    auto h = L::LSTM(4)(L::Embedding(10, 3)(ids));
    auto inner_in = Input({6});
    Model inner(inner_in, L::Dense(4)(inner_in), {.name = "inner"});
    auto d = L::BatchNormalization()(inner(x));
    auto out = L::Dense(2)(L::Concatenate()({h, d}));
    model.emplace(KerasTensors{ids, x}, KerasTensors{out});
    model->compile({.optimizer = "adam", .loss = "mse"});
  }
  return *model;
}

// The options matter only for Keras 2's layout; the input's size picks them.
inline LoadWeightsOptions load_weights_options(size_t input_size) {
  return {.by_name = (input_size & 1) != 0, .skip_mismatch = (input_size & 2) != 0};
}

}  // namespace keras::fuzz
