// The guide's inception module: four towers over the same image (1x1 then 3x3 convolutions, 1x1
// then 5x5, a 3x3 max-pool with stride 1 then 1x1, all with same padding so the image size is
// kept), concatenated along the channel axis.
//
//   input_img = Input(shape=(3, 256, 256))
//   tower_1 = Convolution2D(64, 1, 1, border_mode='same', activation='relu')(input_img)
//   tower_1 = Convolution2D(64, 3, 3, border_mode='same', activation='relu')(tower_1)
//   tower_2 = Convolution2D(64, 1, 1, border_mode='same', activation='relu')(input_img)
//   tower_2 = Convolution2D(64, 5, 5, border_mode='same', activation='relu')(tower_2)
//   tower_3 = MaxPooling2D((3, 3), strides=(1, 1), border_mode='same')(input_img)
//   tower_3 = Convolution2D(64, 1, 1, border_mode='same', activation='relu')(tower_3)
//   output = merge([tower_1, tower_2, tower_3], mode='concat', concat_axis=1)
//
// The guide's images are channels_first (Theano's (3, 256, 256)); today's Keras default is
// channels_last ((256, 256, 3), channels on the last axis). Both are built here and run on a
// small batch.
//
// Usage: inception_module [image_size]  (256 by default; the forward pass uses 2 images)
#include <cstdio>
#include <cstdlib>
#include <keras/keras.hpp>
#include <string>

namespace layers = keras::layers;

// The module on `input_img`; `data_format` says where the channels are.
keras::KerasTensor inception_module(const keras::KerasTensor& input_img,
                                    const std::string& data_format) {
  const layers::ConvOptions same_relu{
      .padding = "same", .data_format = data_format, .activation = "relu"};
  auto tower_1 = layers::Conv2D(64, {1, 1}, same_relu)(input_img);
  tower_1 = layers::Conv2D(64, {3, 3}, same_relu)(tower_1);
  auto tower_2 = layers::Conv2D(64, {1, 1}, same_relu)(input_img);
  tower_2 = layers::Conv2D(64, {5, 5}, same_relu)(tower_2);
  auto tower_3 = layers::MaxPooling2D(
      {3, 3}, {.strides = {{1, 1}}, .padding = "same", .data_format = data_format})(input_img);
  tower_3 = layers::Conv2D(64, {1, 1}, same_relu)(tower_3);
  const int channel_axis = data_format == "channels_first" ? 1 : -1;
  return layers::concatenate({tower_1, tower_2, tower_3}, {.axis = channel_axis});
}

void run(keras::Model& model, const keras::Shape& batch_shape) {
  model.summary();
  std::printf("%s: output %s, parameters: %lld\n", model.name().c_str(),
              keras::shape_str(model.output().shape()).c_str(),
              static_cast<long long>(model.count_params()));
  keras::Tensor images = keras::random::uniform(batch_shape);
  keras::Tensor features = model.predict(images);
  std::printf("%s: predict on %s -> %s\n", model.name().c_str(),
              keras::shape_str(batch_shape).c_str(), keras::shape_str(features.shape()).c_str());
}

int main(int argc, char** argv) {
  const int64_t size = argc > 1 ? std::atoll(argv[1]) : 256;
  keras::utils::set_random_seed(1);

  // channels_last: (256, 256, 3) images, towers concatenated on the last axis.
  auto input_img = keras::Input({size, size, 3});
  keras::Model channels_last(input_img, inception_module(input_img, "channels_last"),
                             {.name = "inception_channels_last"});
  run(channels_last, {2, size, size, 3});

  // The guide's channels_first form: (3, 256, 256) images, concatenated on axis 1.
  auto input_chw = keras::Input({3, size, size});
  keras::Model channels_first(input_chw, inception_module(input_chw, "channels_first"),
                              {.name = "inception_channels_first"});
  run(channels_first, {2, 3, size, size});
  return 0;
}
