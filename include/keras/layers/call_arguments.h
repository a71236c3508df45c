// CustomCallArguments: what a layer implements when its Keras call takes named arguments besides
// `inputs`, `mask` and `training` (MultiHeadAttention's value, key, attention_mask,
// use_causal_mask, return_attention_scores). Functional models save and load such a layer's
// calls through it, and run each of its nodes with that node's arguments (one layer may be called
// with different arguments, as in Keras); every other layer keeps the default layout of its saved
// nodes.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "keras/config/json_fwd.h"
#include "keras/core/tensor.h"
#include "keras/layers/node.h"

namespace keras::layers {

// The tensors of a saved call, as JSON: the layer's inputs in order, and explicit masks (one per
// input or fewer; null = the input's own mask), which become the node's masks (node.h).
struct SavedCallTensors {
  std::vector<const Json*> inputs;
  std::vector<const Json*> masks;
};

class CustomCallArguments {
 public:
  virtual ~CustomCallArguments() = default;
  // From a saved node's "args" and "kwargs" (null when absent): the tensors the call takes. The
  // layer keeps the other arguments (ValueError for one it does not know).
  virtual SavedCallTensors bind_saved_call(const Json& args, const Json& kwargs) = 0;
  // Node `node`'s {"args": [...], "kwargs": {...}} as Keras writes it, given the JSON of the
  // node's input tensors and of its explicit masks (one per node.masks entry, null when none).
  virtual Json saved_call(const Node& node,
                          const std::vector<Json>& inputs,
                          const std::vector<Json>& masks) const = 0;
  // Node `node`'s call on the concrete `inputs` with that node's arguments: what a model runs in
  // place of Layer::call_with_masks.
  virtual Tensors call_node(const Node& node, const Tensors& inputs, bool training) = 0;
  // True when nodes a and b of the layer take the same arguments (a model may then run them as
  // one call on their concatenated batch).
  virtual bool same_call(const Node& a, const Node& b) const = 0;
};

// The arguments of each node of a CustomCallArguments layer, and those in effect while a call
// runs. The layer records a call's arguments (set) before the symbolic call that makes node
// `index`; a node made by a plain Layer call has none recorded, and the layer says what it takes
// then (`fallback` below). A Scope puts arguments in effect for a node's run or an eager call.
template <class Args>
class ArgumentsByNode {
 public:
  void set(size_t index, const Args& args) {
    if (by_node_.size() <= index) by_node_.resize(index + 1);
    by_node_[index] = args;
  }
  // Node `index`'s recorded arguments, else `fallback`.
  const Args& of(size_t index, const Args& fallback) const {
    return index < by_node_.size() && by_node_[index] ? *by_node_[index] : fallback;
  }
  // Those of the Scope in effect, else of(next, fallback) (`next`: the node the layer's next
  // symbolic call makes, whose arguments are set while it is created).
  const Args& current(size_t next, const Args& fallback) const {
    return active_ != nullptr ? *active_ : of(next, fallback);
  }

  // Puts `args` in effect for its life (nested scopes restore the outer one).
  class Scope {
   public:
    Scope(ArgumentsByNode& owner, const Args& args)
        : owner_(owner), args_(args), outer_(owner.active_) {
      owner_.active_ = &args_;
    }
    ~Scope() { owner_.active_ = outer_; }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    ArgumentsByNode& owner_;
    const Args args_;
    const Args* outer_;
  };

 private:
  std::vector<std::optional<Args>> by_node_;
  const Args* active_ = nullptr;
};

}  // namespace keras::layers
