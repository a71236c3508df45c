// plot_model and model_to_dot (keras.utils.plot_model / model_to_dot): a picture of a model's
// graph, drawn as Keras 2 draws it — one box per layer reading "name: ClassName" (or just the
// class name), optionally with its dtype, its input and output shapes as an "input: | output:"
// table, and whether it is trainable; one edge from each layer feeding another in this model.
//
//   keras::utils::plot_model(model, "model.png", {.show_shapes = true});
//
// A nested model is one box ("encoder: Model") unless expand_nested, which draws its layers in a
// dashed cluster labelled with its name; edges then reach its input layers and leave from its
// output layers. Shapes print as Python tuples ("(None, 100)"); a layer with several inputs lists
// them ("[(None, 32), (None, 5)]"); a layer called with different shapes shows "multiple".
#pragma once

#include <string>

#include "keras/models/model.h"

namespace keras::utils {

struct PlotModelOptions {
  bool show_shapes = false;
  bool show_layer_names = true;
  std::string rankdir = "TB";  // "TB" (top to bottom) or "LR" (left to right)
  bool expand_nested = false;
  int dpi = 96;
  bool show_dtype = false;
  bool show_trainable = false;  // "T" or "NT" beside each layer
};

// The DOT text of the graph (Graphviz's language): a digraph with record-shaped nodes whose ids
// are the layer names (prefixed "<model>/" inside expanded nested models).
// Throws ValueError for a rankdir other than TB, LR, BT or RL, or a Sequential model not built
// yet (Keras's message).
std::string model_to_dot(const Model& model, const PlotModelOptions& options = {});

// Renders the graph with Graphviz's dot layout into `to_file`, in the format its extension names:
// .png (the default when there is none), .svg, .pdf, .jpg/.jpeg, .gif, .ps; .dot or .gv writes
// model_to_dot's text. The file is written atomically (temporary file, then rename).
// Throws ValueError for a format Graphviz cannot write, IOError when the file cannot be written.
void plot_model(const Model& model,
                const std::string& to_file = "model.png",
                const PlotModelOptions& options = {});

}  // namespace keras::utils
