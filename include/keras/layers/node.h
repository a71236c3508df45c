// Node: one call of a layer on symbolic inputs. Layer::inbound_nodes()[i] is the i-th call;
// KerasTensors refer to a node by that index. A node keeps its input tensors (whose histories
// name the inbound layers, node indices and tensor indices Keras 2 exposes) and the specs of the
// outputs it produced. The layer that was called owns the node.
#pragma once

#include <string>
#include <vector>

#include "keras/layers/keras_tensor.h"

namespace keras::layers {

class Layer;

struct Node {
  Layer* outbound_layer = nullptr;  // the layer called (owner of this node)
  int index = 0;                    // position in outbound_layer->inbound_nodes()
  KerasTensors input_tensors;
  std::vector<TensorSpec> outputs;

  std::vector<Layer*> inbound_layers() const;
  bool is_input() const { return input_tensors.empty(); }
};

}  // namespace keras::layers
