// keras.cpp — the Keras functional API in C++20. Include this one header.
//
//   #include <keras/keras.hpp>
//   namespace layers = keras::layers;
//   auto inputs = keras::Input({784});
//   auto x = layers::Dense(64, {.activation = "relu"})(inputs);
//   auto predictions = layers::Dense(10, {.activation = "softmax"})(x);
//   keras::Model model(inputs, predictions);
#pragma once

#include "keras/autodiff/tape.h"
#include "keras/backend/backend.h"
#include "keras/callbacks/callback.h"
#include "keras/callbacks/progbar.h"
#include "keras/core/dtype.h"
#include "keras/core/error.h"
#include "keras/core/random.h"
#include "keras/core/shape.h"
#include "keras/core/tensor.h"
#include "keras/core/variable.h"
#include "keras/datasets/fashion_mnist.h"
#include "keras/datasets/mnist.h"
#include "keras/initializers/initializers.h"
#include "keras/io/idx.h"
#include "keras/io/npy.h"
#include "keras/layers/activation.h"
#include "keras/layers/bidirectional.h"
#include "keras/layers/convolutional.h"
#include "keras/layers/core_layers.h"
#include "keras/layers/dense.h"
#include "keras/layers/embedding.h"
#include "keras/layers/input_layer.h"
#include "keras/layers/lambda.h"
#include "keras/layers/layer.h"
#include "keras/layers/merging.h"
#include "keras/layers/op_layer.h"
#include "keras/layers/pooling.h"
#include "keras/layers/recurrent.h"
#include "keras/layers/reshaping.h"
#include "keras/layers/time_distributed.h"
#include "keras/losses/losses.h"
#include "keras/metrics/metrics.h"
#include "keras/models/model.h"
#include "keras/ops/conv.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/linalg.h"
#include "keras/ops/nn.h"
#include "keras/ops/random.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"
#include "keras/optimizers/optimizers.h"
#include "keras/regularizers/regularizers.h"
#include "keras/trainers/compile_options.h"
#include "keras/utils/utils.h"
