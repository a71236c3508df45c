// KerasTensor: a symbolic tensor in a functional graph (Keras's KerasTensor / Keras 2's
// tensor with `_keras_history`). It has a shape, whose batch dimension is usually kNone (None),
// and a dtype, but no values. It remembers where it came from: the layer that produced it, the
// node (one call of that layer) and which of that node's outputs it is.
//
// Ownership: a KerasTensor holds its producing layer alive; the layer owns its nodes; a node
// holds its input KerasTensors (and so the layers upstream). Nodes store only the *specs* of
// their outputs, so there are no ownership cycles.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "keras/core/dtype.h"
#include "keras/core/shape.h"

namespace keras {

namespace layers {
class Layer;
}

struct TensorSpec {
  Shape shape;
  DType dtype = float32;
  std::string name = {};
};

class KerasTensor {
 public:
  KerasTensor() = default;
  KerasTensor(std::shared_ptr<layers::Layer> layer, int node_index, int tensor_index);

  bool defined() const { return layer_ != nullptr; }
  const TensorSpec& spec() const;
  const Shape& shape() const { return spec().shape; }
  int rank() const { return static_cast<int>(shape().size()); }
  DType dtype() const { return spec().dtype; }
  const std::string& name() const { return spec().name; }

  // Keras history: (layer, node_index, tensor_index).
  const std::shared_ptr<layers::Layer>& layer() const { return layer_; }
  int node_index() const { return node_index_; }
  int tensor_index() const { return tensor_index_; }

  friend bool operator==(const KerasTensor& a, const KerasTensor& b) {
    return a.layer_ == b.layer_ && a.node_index_ == b.node_index_ &&
           a.tensor_index_ == b.tensor_index_;
  }

 private:
  std::shared_ptr<layers::Layer> layer_;
  int node_index_ = 0;
  int tensor_index_ = 0;
};

using KerasTensors = std::vector<KerasTensor>;

// Keras 2's str(tensor): Tensor("dense_1:0", shape=(None, 64), dtype=float32).
std::string to_string(const KerasTensor& t);

}  // namespace keras
