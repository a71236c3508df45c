// The guide's headline model: two inputs (a headline's word ids and 5 extra features) and two
// outputs (the main prediction and an auxiliary one from the LSTM alone).
//
//   main_input = Input(shape=(100,), dtype='int32', name='main_input')
//   x = Embedding(output_dim=512, input_dim=10000, input_length=100)(main_input)
//   lstm_out = LSTM(32)(x)
//   auxiliary_output = Dense(1, activation='sigmoid', name='aux_output')(lstm_out)
//   auxiliary_input = Input(shape=(5,), name='aux_input')
//   x = keras.layers.concatenate([lstm_out, auxiliary_input])
//   x = Dense(64, activation='relu')(x)  (three times)
//   main_output = Dense(1, activation='sigmoid', name='main_output')(x)
//   model = Model(inputs=[main_input, auxiliary_input], outputs=[main_output, auxiliary_output])
//
// Usage: news_mimo [samples] [epochs]. The label is a learnable function of the inputs: headlines
// labelled 1 use words 5000..9999, the others words 1..4999.
#include <cstdio>
#include <cstdlib>
#include <keras/keras.hpp>

namespace layers = keras::layers;
namespace ops = keras::ops;

int main(int argc, char** argv) {
  const int64_t samples = argc > 1 ? std::atoll(argv[1]) : 2048;
  const int epochs = argc > 2 ? std::atoi(argv[2]) : 5;
  keras::utils::set_random_seed(1);

  auto main_input = keras::Input({100}, {.dtype = keras::int32, .name = "main_input"});
  auto x =
      layers::Embedding({.input_dim = 10000, .output_dim = 512, .input_length = 100})(main_input);
  auto lstm_out = layers::LSTM(32)(x);
  auto auxiliary_output =
      layers::Dense(1, {.activation = "sigmoid", .name = "aux_output"})(lstm_out);
  auto auxiliary_input = keras::Input({5}, {.name = "aux_input"});
  x = layers::concatenate({lstm_out, auxiliary_input});
  x = layers::Dense(64, {.activation = "relu"})(x);
  x = layers::Dense(64, {.activation = "relu"})(x);
  x = layers::Dense(64, {.activation = "relu"})(x);
  auto main_output = layers::Dense(1, {.activation = "sigmoid", .name = "main_output"})(x);
  keras::Model model({main_input, auxiliary_input}, {main_output, auxiliary_output});
  model.summary();
  std::printf("parameters: %lld\n", static_cast<long long>(model.count_params()));

  keras::Tensor labels = ops::cast(keras::random::randint({samples, 1}, 0, 2), keras::float32);
  keras::Tensor headline_data = ops::add(keras::random::randint({samples, 100}, 1, 5000),
                                         ops::cast(ops::multiply(labels, 5000.0), keras::int32));
  keras::Tensor additional_data = keras::random::uniform({samples, 5});

  // One loss for both outputs, with loss weights as a list; inputs and targets as lists.
  model.compile({.optimizer = "rmsprop",
                 .loss = "binary_crossentropy",
                 .loss_weights = {1.0, 0.2},
                 .metrics = {"accuracy"}});
  auto history = model.fit({headline_data, additional_data}, {labels, labels},
                           {.epochs = epochs, .batch_size = 32});

  // The same with name-keyed maps, as the guide's second form.
  model.compile(
      {.optimizer = "rmsprop",
       .loss = {{"main_output", "binary_crossentropy"}, {"aux_output", "binary_crossentropy"}},
       .loss_weights = {{"main_output", 1.0}, {"aux_output", 0.2}},
       .metrics = {"accuracy"}});
  auto history2 =
      model.fit({{"main_input", headline_data}, {"aux_input", additional_data}},
                {{"main_output", labels}, {"aux_output", labels}}, {.epochs = 1, .batch_size = 32});
  const auto& loss = history.history.at("loss");
  std::printf("loss: %.4f -> %.4f\n", loss.front(), history2.history.at("loss").back());
  std::printf("main_output accuracy: %.4f\n", history2.history.at("main_output_accuracy").back());
  return 0;
}
