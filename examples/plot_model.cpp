// The guide's picture of its headline model (multi-input-multi-output-graph.png), drawn with
// keras::utils::plot_model: two inputs, an LSTM branch with an auxiliary output, and a deep
// densely connected head.
//
//   keras.utils.plot_model(model, 'multi_input_and_output_model.png', show_shapes=True)
//
// Usage: plot_model [file] (default multi-input-multi-output-graph.png; the extension picks the
// format: .png, .svg, .pdf or .dot).
#include <keras/utils/plot_model.h>

#include <cstdio>
#include <keras/keras.hpp>

namespace layers = keras::layers;

int main(int argc, char** argv) {
  const std::string file = argc > 1 ? argv[1] : "multi-input-multi-output-graph.png";
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

  keras::utils::plot_model(model, file, {.show_shapes = true});
  std::printf("wrote %s\n", file.c_str());
  return 0;
}
