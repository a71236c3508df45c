// Node: one call of a layer on symbolic inputs. Layer::inbound_nodes()[i] is the i-th call;
// KerasTensors refer to a node by that index. A node keeps its input tensors (whose histories
// name the inbound layers, node indices and tensor indices Keras 2 exposes) and the specs of the
// outputs it produced. The layer that was called owns the node.
//
// Explicit masks (Keras's `layer(x, mask=m)`, which Keras 3 writes into saved nodes for every
// layer whose call takes a mask) are more inputs of the node: masks[i] replaces the run-time mask
// of input_tensors[i] (Tensor::keras_mask) while the layer runs. The graph computes them like
// any other tensor (usually with ops such as not_equal); a model runs their producers first.
//
// A training flag given at the call (`Dropout(0.5)(x, {.training = true})`, Keras 2's
// Monte-Carlo dropout idiom) is fixed for the node: the model runs that call in that mode
// whatever mode it runs in itself (predict, evaluate, fit). Saved in the node's kwargs as
// {"training": true}.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "keras/layers/keras_tensor.h"

namespace keras::layers {

class Layer;

struct Node {
  Layer* outbound_layer = nullptr;  // the layer called (owner of this node)
  int index = 0;                    // position in outbound_layer->inbound_nodes()
  KerasTensors input_tensors;
  // Keras's `mask` argument: masks[i] (when defined) is input i's mask for this call. Empty, or
  // at most one per input; most nodes have none.
  KerasTensors masks;
  // Keras's `training` argument of this call: unset = the model's own mode.
  std::optional<bool> training;
  std::vector<TensorSpec> outputs;

  // The tensors the node needs to run: input_tensors, then the defined masks.
  KerasTensors required_tensors() const;
  bool is_input() const { return input_tensors.empty(); }
};

}  // namespace keras::layers
