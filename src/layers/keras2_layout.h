// While a Keras2Layout exists on this thread, get_config() of a merge layer that combines masks
// as Keras 2's do (MergeImpl::set_keras2_masks) says so ("keras2_masks": true), for the writer
// of Keras 2's layout (saving/tf_keras_config.cpp), which drops the key, and for clone_layer
// (models/cloning.cpp), which makes the copy from that config. Internal.
#pragma once

namespace keras::layers::internal {

class Keras2Layout {
 public:
  Keras2Layout() { ++depth(); }
  ~Keras2Layout() { --depth(); }
  Keras2Layout(const Keras2Layout&) = delete;
  Keras2Layout& operator=(const Keras2Layout&) = delete;
  static bool active() { return depth() > 0; }

 private:
  static int& depth() {
    thread_local int d = 0;
    return d;
  }
};

}  // namespace keras::layers::internal
