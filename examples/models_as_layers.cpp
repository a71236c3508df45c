// The guide's "all models are callable, just like layers": a model called on a new input reuses
// its weights, TimeDistributed(model) applies it to every timestep, and an encoder model is
// reused inside another model and trained there.
//
//   x = Input(shape=(784,)); y = model(x)
//   input_sequences = Input(shape=(20, 784))
//   processed_sequences = TimeDistributed(model)(input_sequences)   # (None, 20, 10)
//
// Usage: models_as_layers [samples] [epochs]
#include <cstdio>
#include <cstdlib>
#include <keras/keras.hpp>

namespace layers = keras::layers;
namespace ops = keras::ops;

int main(int argc, char** argv) {
  const int64_t samples = argc > 1 ? std::atoll(argv[1]) : 512;
  const int epochs = argc > 2 ? std::atoi(argv[2]) : 3;
  keras::utils::set_random_seed(1);

  // A 10-way softmax classifier on 784 features.
  auto inputs = keras::Input({784});
  auto h = layers::Dense(64, {.activation = "relu"})(inputs);
  auto predictions = layers::Dense(10, {.activation = "softmax"})(h);
  keras::Model model(inputs, predictions);

  // This works, and returns the 10-way softmax defined above: the weights are reused.
  auto x = keras::Input({784});
  auto y = model(x);
  std::printf("model(x): %s, node %d of %s\n", keras::shape_str(y.shape()).c_str(), y.node_index(),
              model.name().c_str());

  // Sequences of 20 timesteps, each a 784-dimensional vector -> sequences of 20 softmaxes.
  auto input_sequences = keras::Input({20, 784});
  auto processed_sequences = layers::TimeDistributed(model)(input_sequences);
  std::printf("TimeDistributed(model): %s\n",
              keras::shape_str(processed_sequences.shape()).c_str());
  keras::Model sequence_model(input_sequences, processed_sequences);
  std::printf("same weights: %s\n",
              sequence_model.count_params() == model.count_params() ? "yes" : "no");

  // A question encoder as a model, reused inside a bigger model and trained there.
  auto question_input = keras::Input({30}, {.dtype = keras::int32});
  auto embedded_question = layers::Embedding({.input_dim = 1000, .output_dim = 32})(question_input);
  auto encoded_question = layers::LSTM(32)(embedded_question);
  keras::Model question_encoder(question_input, encoded_question);

  auto question = keras::Input({30}, {.dtype = keras::int32});
  auto features = keras::Input({8});
  auto merged = layers::concatenate({question_encoder(question), features});
  auto answer = layers::Dense(1, {.activation = "sigmoid"})(merged);
  keras::Model qa({question, features}, answer);
  qa.compile({.optimizer = "rmsprop", .loss = "binary_crossentropy", .metrics = {"accuracy"}});
  qa.summary();

  // Learnable data: questions with label 1 use words 500..999.
  keras::Tensor labels = ops::cast(keras::random::randint({samples, 1}, 0, 2), keras::float32);
  keras::Tensor words = ops::add(keras::random::randint({samples, 30}, 1, 500),
                                 ops::cast(ops::multiply(labels, 500.0), keras::int32));
  keras::Tensor extra = keras::random::uniform({samples, 8});
  keras::Tensor before = question_encoder.predict(words.slice_rows(0, 4));
  auto history = qa.fit({words, extra}, labels, {.epochs = epochs, .batch_size = 32});
  keras::Tensor after = question_encoder.predict(words.slice_rows(0, 4));
  std::printf("encoder trained inside the QA model: %s\n",
              before.data<float>()[0] != after.data<float>()[0] ? "yes" : "no");
  std::printf("accuracy: %.4f\n", history.history.at("accuracy").back());
  return 0;
}
