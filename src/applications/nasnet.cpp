#include "keras/applications/nasnet.h"

#include <optional>
#include <tuple>
#include <utility>

#include "applications/imagenet_utils.h"
#include "keras/core/error.h"
#include "keras/layers/convolutional.h"
#include "keras/layers/dense.h"
#include "keras/layers/merging.h"
#include "keras/layers/normalization.h"
#include "keras/layers/pooling.h"
#include "keras/layers/spatial_reshaping.h"

namespace keras::applications {
namespace {

namespace L = keras::layers;

KerasTensor relu(const KerasTensor& x, const std::string& name = {}) {
  return L::Activation("relu", {.name = name})(x);
}

KerasTensor bn(const KerasTensor& x, const std::string& name) {
  return L::BatchNormalization({.axis = -1, .momentum = 0.9997, .epsilon = 1e-3, .name = name})(x);
}

KerasTensor conv1x1(const KerasTensor& x, int64_t filters, const std::string& name) {
  return L::Conv2D(
      filters, 1,
      {.padding = "same", .use_bias = false, .kernel_initializer = "he_normal", .name = name})(x);
}

KerasTensor avg_pool(const KerasTensor& x,
                     int64_t size,
                     int64_t strides,
                     const std::string& padding,
                     const std::string& name) {
  return L::AveragePooling2D(size, {.strides = strides, .padding = padding, .name = name})(x);
}

KerasTensor max_pool(const KerasTensor& x, const std::string& name) {
  return L::MaxPooling2D(3, {.strides = 2, .padding = "valid", .name = name})(x);
}

KerasTensor separable_conv_block(const KerasTensor& ip,
                                 int64_t filters,
                                 int64_t kernel_size,
                                 int64_t strides,
                                 const std::string& id) {
  KerasTensor x = relu(ip);
  if (strides == 2) {
    x = L::ZeroPadding2D(internal::correct_pad(x, kernel_size),
                         {.name = "separable_conv_1_pad_" + id})(x);
  }
  x = L::SeparableConv2D(filters, kernel_size,
                         {.strides = strides,
                          .padding = strides == 2 ? "valid" : "same",
                          .use_bias = false,
                          .name = "separable_conv_1_" + id})(x);
  x = bn(x, "separable_conv_1_bn_" + id);
  x = relu(x);
  x = L::SeparableConv2D(
      filters, kernel_size,
      {.padding = "same", .use_bias = false, .name = "separable_conv_2_" + id})(x);
  return bn(x, "separable_conv_2_bn_" + id);
}

// Keras's _adjust_block: p brought to ip's size and `filters` channels.
KerasTensor adjust_block(std::optional<KerasTensor> p,
                         const KerasTensor& ip,
                         int64_t filters,
                         const std::string& id) {
  if (!p) return ip;
  const Shape& ps = p->shape();
  const Shape& is = ip.shape();
  if (ps[ps.size() - 2] != is[is.size() - 2]) {
    KerasTensor q = relu(*p, "adjust_relu_1_" + id);
    auto p1 = avg_pool(q, 1, 2, "valid", "adjust_avg_pool_1_" + id);
    p1 = conv1x1(p1, filters / 2, "adjust_conv_1_" + id);
    auto p2 = L::ZeroPadding2D({L::PadPair{0, 1}, L::PadPair{0, 1}})(q);
    p2 = L::Cropping2D({L::PadPair{1, 0}, L::PadPair{1, 0}})(p2);
    p2 = avg_pool(p2, 1, 2, "valid", "adjust_avg_pool_2_" + id);
    p2 = conv1x1(p2, filters / 2, "adjust_conv_2_" + id);
    return bn(L::concatenate({p1, p2}, {.axis = -1}), "adjust_bn_" + id);
  }
  if (ps.back() != filters) {
    return bn(conv1x1(relu(*p), filters, "adjust_conv_projection_" + id), "adjust_bn_" + id);
  }
  return *p;
}

std::pair<KerasTensor, KerasTensor> normal_a_cell(const KerasTensor& ip,
                                                  const std::optional<KerasTensor>& prev,
                                                  int64_t filters,
                                                  const std::string& id) {
  const KerasTensor p = adjust_block(prev, ip, filters, id);
  KerasTensor h = bn(conv1x1(relu(ip), filters, "normal_conv_1_" + id), "normal_bn_1_" + id);
  auto x1 = L::add({separable_conv_block(h, filters, 5, 1, "normal_left1_" + id),
                    separable_conv_block(p, filters, 3, 1, "normal_right1_" + id)},
                   {.name = "normal_add_1_" + id});
  auto x2 = L::add({separable_conv_block(p, filters, 5, 1, "normal_left2_" + id),
                    separable_conv_block(p, filters, 3, 1, "normal_right2_" + id)},
                   {.name = "normal_add_2_" + id});
  auto x3 =
      L::add({avg_pool(h, 3, 1, "same", "normal_left3_" + id), p}, {.name = "normal_add_3_" + id});
  auto x4 = L::add({avg_pool(p, 3, 1, "same", "normal_left4_" + id),
                    avg_pool(p, 3, 1, "same", "normal_right4_" + id)},
                   {.name = "normal_add_4_" + id});
  auto x5 = L::add({separable_conv_block(h, filters, 3, 1, "normal_left5_" + id), h},
                   {.name = "normal_add_5_" + id});
  return {L::concatenate({p, x1, x2, x3, x4, x5}, {.axis = -1, .name = "normal_concat_" + id}), ip};
}

std::pair<KerasTensor, KerasTensor> reduction_a_cell(const KerasTensor& ip,
                                                     const std::optional<KerasTensor>& prev,
                                                     int64_t filters,
                                                     const std::string& id) {
  const KerasTensor p = adjust_block(prev, ip, filters, id);
  KerasTensor h = bn(conv1x1(relu(ip), filters, "reduction_conv_1_" + id), "reduction_bn_1_" + id);
  KerasTensor h3 =
      L::ZeroPadding2D(internal::correct_pad(h, 3), {.name = "reduction_pad_1_" + id})(h);
  auto x1 = L::add({separable_conv_block(h, filters, 5, 2, "reduction_left1_" + id),
                    separable_conv_block(p, filters, 7, 2, "reduction_right1_" + id)},
                   {.name = "reduction_add_1_" + id});
  auto x2 = L::add({max_pool(h3, "reduction_left2_" + id),
                    separable_conv_block(p, filters, 7, 2, "reduction_right2_" + id)},
                   {.name = "reduction_add_2_" + id});
  auto x3 = L::add({avg_pool(h3, 3, 2, "valid", "reduction_left3_" + id),
                    separable_conv_block(p, filters, 5, 2, "reduction_right3_" + id)},
                   {.name = "reduction_add3_" + id});
  auto x4 = L::add({x2, avg_pool(x1, 3, 1, "same", "reduction_left4_" + id)});
  auto x5 = L::add({separable_conv_block(x1, filters, 3, 1, "reduction_left4_" + id),
                    max_pool(h3, "reduction_right5_" + id)},
                   {.name = "reduction_add4_" + id});
  return {L::concatenate({x2, x3, x4, x5}, {.axis = -1, .name = "reduction_concat_" + id}), ip};
}

struct Config {
  int64_t penultimate_filters, num_blocks, stem_block_filters;
  bool skip_reduction;
  int64_t default_size;
  const char* name;
  const char* model;
};
constexpr int64_t kFilterMultiplier = 2;

Model nasnet(const Config& c, const NASNetOptions& o) {
  internal::check_weights(o.weights);
  internal::check_top_options(c.model, o.pooling, o.classes);
  // NASNetMobile and NASNetLarge fix the size without the top too (Keras's wrappers do).
  OptionalDims input_shape = o.input_shape;
  if (!o.include_top && !input_shape) {
    input_shape = std::vector<Dim>{c.default_size, c.default_size, 3};
  }
  const Shape shape = internal::obtain_input_shape(input_shape, c.default_size, 32, o.include_top);
  const KerasTensor img_input = internal::image_input(o.input_tensor, shape);

  const int64_t filters = c.penultimate_filters / 24;
  const int64_t m = kFilterMultiplier;
  KerasTensor x = L::Conv2D(c.stem_block_filters, 3,
                            {.strides = 2,
                             .padding = "valid",
                             .use_bias = false,
                             .kernel_initializer = "he_normal",
                             .name = "stem_conv1"})(img_input);
  x = bn(x, "stem_bn1");
  std::optional<KerasTensor> p;
  std::tie(x, p) = reduction_a_cell(x, p, filters / (m * m), "stem_1");
  std::tie(x, p) = reduction_a_cell(x, p, filters / m, "stem_2");
  const int64_t n = c.num_blocks;
  for (int64_t stage = 0; stage < 3; ++stage) {
    if (stage > 0) {
      KerasTensor p0 = x;
      const int64_t f = filters * (stage == 1 ? m : m * m);
      std::tie(x, p0) = reduction_a_cell(x, p, f, "reduce_" + std::to_string(stage * n));
      if (!c.skip_reduction) p = p0;
    }
    const int64_t f = filters * (stage == 0 ? 1 : stage == 1 ? m : m * m);
    for (int64_t i = 0; i < n; ++i) {
      const int64_t id = stage == 0 ? i : stage * n + i + 1;
      std::tie(x, p) = normal_a_cell(x, p, f, std::to_string(id));
    }
  }
  x = relu(x);
  if (o.include_top) {
    x = L::GlobalAveragePooling2D()(x);
    x = L::Dense(o.classes, {.activation = o.classifier_activation, .name = "predictions"})(x);
  } else {
    x = internal::top(x, {.include_top = false, .pooling = o.pooling});
  }
  return Model(internal::model_inputs(o.input_tensor, img_input), x,
               {.name = o.name.value_or(c.name)});
}

}  // namespace

Model NASNetMobile(const NASNetOptions& options) {
  return nasnet({1056, 4, 32, false, 224, "nasnet_mobile", "NASNetMobile"}, options);
}

Model NASNetLarge(const NASNetOptions& options) {
  return nasnet({4032, 6, 96, true, 331, "nasnet_large", "NASNetLarge"}, options);
}

}  // namespace keras::applications
