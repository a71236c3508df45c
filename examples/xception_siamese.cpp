// The guide's "models as layers" with Xception: one convolutional base, weights and all, applied
// to two images (say, from the two cameras of a stereo pair), and the two feature maps
// concatenated.
//
//   xception_base = applications.Xception(weights=None, include_top=False)
//   left_input = Input(shape=(250, 250, 3))
//   right_input = Input(shape=(250, 250, 3))
//   left_features = xception_base(left_input)
//   right_features = xception_base(right_input)
//   merged_features = layers.concatenate([left_features, right_features], axis=-1)
//
// Usage: xception_siamese [image_size] (the forward pass runs one pair of image_size^2 images;
// 250 by default)
#include <cstdio>
#include <cstdlib>
#include <keras/keras.hpp>

namespace applications = keras::applications;
namespace layers = keras::layers;
namespace ops = keras::ops;

int main(int argc, char** argv) {
  const int64_t size = argc > 1 ? std::atoll(argv[1]) : 250;
  keras::utils::set_random_seed(1);

  // The image-processing base model: Xception's convolutional base, randomly initialized.
  keras::Model xception_base =
      applications::Xception({.include_top = false, .weights = std::nullopt});
  std::printf("xception_base: input %s, output %s, %lld parameters (%zu layers)\n",
              keras::shape_str(xception_base.inputs()[0].shape()).c_str(),
              keras::shape_str(xception_base.outputs()[0].shape()).c_str(),
              static_cast<long long>(xception_base.count_params()), xception_base.layers().size());

  // The inputs are 250x250 RGB images; the same vision model is called twice.
  auto left_input = keras::Input({size, size, 3});
  auto right_input = keras::Input({size, size, 3});
  auto left_features = xception_base(left_input);
  auto right_features = xception_base(right_input);
  auto merged_features = layers::concatenate({left_features, right_features}, {.axis = -1});
  keras::Model stereo({left_input, right_input}, merged_features, {.name = "stereo_features"});
  stereo.summary();
  std::printf("left features %s, right features %s, merged %s\n",
              keras::shape_str(left_features.shape()).c_str(),
              keras::shape_str(right_features.shape()).c_str(),
              keras::shape_str(merged_features.shape()).c_str());
  std::printf("stereo model parameters: %lld (the base's, shared)\n",
              static_cast<long long>(stereo.count_params()));

  // One pair of images through it (inference: BatchNormalization uses its moving statistics).
  keras::Tensor left = keras::random::uniform({1, size, size, 3});
  keras::Tensor right = keras::random::uniform({1, size, size, 3});
  keras::Tensor features = stereo.predict({left, right});
  keras::Tensor left_alone = xception_base.predict(left);
  const double difference =
      ops::max(ops::abs(ops::subtract(ops::slice_axis(features, 3, 0, 2048), left_alone)))
          .item<double>();
  std::printf("forward pass: %s, left half equals xception_base(left): %s\n",
              keras::shape_str(features.shape()).c_str(), difference < 1e-4 ? "yes" : "no");

  // With the classification top (GlobalAveragePooling2D + Dense(1000, softmax)) on 299x299.
  keras::Model classifier = applications::Xception({.weights = std::nullopt});
  std::printf("xception with top: input %s, output %s, %lld parameters\n",
              keras::shape_str(classifier.inputs()[0].shape()).c_str(),
              keras::shape_str(classifier.outputs()[0].shape()).c_str(),
              static_cast<long long>(classifier.count_params()));
  return 0;
}
