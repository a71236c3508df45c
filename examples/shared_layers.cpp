// The guide's shared layers and layer nodes: one LSTM instance encodes two tweets; the model
// decides whether they come from the same person. Then the node accessors.
//
//   tweet_a = Input(shape=(140, 256)); tweet_b = Input(shape=(140, 256))
//   shared_lstm = LSTM(64)
//   encoded_a = shared_lstm(tweet_a); encoded_b = shared_lstm(tweet_b)
//   merged_vector = keras.layers.concatenate([encoded_a, encoded_b], axis=-1)
//   predictions = Dense(1, activation='sigmoid')(merged_vector)
//   model = Model(inputs=[tweet_a, tweet_b], outputs=predictions)
//   model.compile(optimizer='rmsprop', loss='binary_crossentropy', metrics=['accuracy'])
//   model.fit([data_a, data_b], labels, epochs=10)
//   assert lstm.get_output_at(0) == encoded_a; assert lstm.get_output_at(1) == encoded_b
//
// Usage: shared_layers [samples] [epochs]
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <keras/keras.hpp>

namespace layers = keras::layers;
namespace ops = keras::ops;

int main(int argc, char** argv) {
  const int64_t samples = argc > 1 ? std::atoll(argv[1]) : 256;
  const int epochs = argc > 2 ? std::atoi(argv[2]) : 3;
  keras::utils::set_random_seed(1);

  auto tweet_a = keras::Input({140, 256});
  auto tweet_b = keras::Input({140, 256});
  // One layer instance, called on two inputs: one set of weights.
  auto shared_lstm = layers::LSTM(64);
  auto encoded_a = shared_lstm(tweet_a);
  auto encoded_b = shared_lstm(tweet_b);
  auto merged_vector = layers::concatenate({encoded_a, encoded_b}, {.axis = -1});
  auto predictions = layers::Dense(1, {.activation = "sigmoid"})(merged_vector);
  keras::Model model({tweet_a, tweet_b}, predictions);
  model.compile({.optimizer = "rmsprop", .loss = "binary_crossentropy", .metrics = {"accuracy"}});
  model.summary();

  // Learnable data: the label says whether the two tweets end with the same character.
  auto tweets = [&](keras::Tensor chars) {  // (samples, 140) ids -> one-hot (samples, 140, 256)
    return ops::one_hot(chars, 256);
  };
  keras::Tensor chars_a = keras::random::randint({samples, 140}, 0, 256);
  keras::Tensor chars_b = keras::random::randint({samples, 140}, 0, 256);
  keras::Tensor same = keras::random::randint({samples, 1}, 0, 2);
  // Where `same` is 1, copy tweet a's last character into tweet b.
  keras::Tensor last_b =
      ops::where(ops::cast(same, keras::bool_), ops::slice_axis(chars_a, 1, 139, 1),
                 ops::slice_axis(chars_b, 1, 139, 1));
  chars_b = ops::concatenate({ops::slice_axis(chars_b, 1, 0, 139), last_b}, 1);
  keras::Tensor labels = ops::cast(same, keras::float32);
  auto history =
      model.fit({tweets(chars_a), tweets(chars_b)}, labels, {.epochs = epochs, .batch_size = 32});

  std::cout << "one set of LSTM weights: " << shared_lstm.weights().size() << " tensors, "
            << shared_lstm.count_params() << " parameters\n";
  std::cout << "get_output_at(0) is encoded_a: " << (shared_lstm.get_output_at(0) == encoded_a)
            << "\nget_output_at(1) is encoded_b: " << (shared_lstm.get_output_at(1) == encoded_b)
            << "\n";
  try {
    (void)shared_lstm.output();
  } catch (const keras::AttributeError& e) {
    std::cout << "AttributeError: " << e.what() << "\n";
  }
  std::printf("loss: %.4f -> %.4f\n", history.history.at("loss").front(),
              history.history.at("loss").back());
  return 0;
}
