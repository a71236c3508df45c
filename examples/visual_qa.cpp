// The guide's visual question answering model: it encodes a picture with a Sequential vision model
// and a question with an Embedding + LSTM, concatenates the two vectors and trains a logistic
// regression over 1000 candidate one-word answers on top.
//
//   vision_model = Sequential()
//   vision_model.add(Conv2D(64, (3, 3), activation='relu', padding='same', input_shape=(224, 224,
//   3))) vision_model.add(Conv2D(64, (3, 3), activation='relu')) vision_model.add(MaxPooling2D((2,
//   2))) vision_model.add(Conv2D(128, (3, 3), activation='relu', padding='same'))
//   vision_model.add(Conv2D(128, (3, 3), activation='relu'))
//   vision_model.add(MaxPooling2D((2, 2)))
//   vision_model.add(Conv2D(256, (3, 3), activation='relu', padding='same'))
//   vision_model.add(Conv2D(256, (3, 3), activation='relu'))
//   vision_model.add(Conv2D(256, (3, 3), activation='relu'))
//   vision_model.add(MaxPooling2D((2, 2)))
//   vision_model.add(Flatten())
//   image_input = Input(shape=(224, 224, 3))
//   encoded_image = vision_model(image_input)
//   question_input = Input(shape=(100,), dtype='int32')
//   embedded_question = Embedding(input_dim=10000, output_dim=256,
//   input_length=100)(question_input) encoded_question = LSTM(256)(embedded_question) merged =
//   concatenate([encoded_question, encoded_image]) output = Dense(1000,
//   activation='softmax')(merged) vqa_model = Model(inputs=[image_input, question_input],
//   outputs=output)
//
// 165,077,800 parameters, 160,257,000 of them in the last Dense layer (the flattened 25x25x256
// image features plus the 256 question features, times 1000 answers). One training step runs on a
// small batch of random images and questions (about 3.6 GB at the peak: the weights, their
// gradients and RMSprop's slots, 660 MB each for the last Dense layer alone).
//
// Usage: visual_qa [batch] (2 by default)
#include <cstdio>
#include <cstdlib>
#include <keras/keras.hpp>

namespace layers = keras::layers;
namespace ops = keras::ops;

int main(int argc, char** argv) {
  const int64_t batch = argc > 1 ? std::atoll(argv[1]) : 2;
  keras::utils::set_random_seed(1);

  // First, a vision model as a Sequential model: it encodes an image into a vector.
  keras::Sequential vision_model;
  vision_model.add(layers::Conv2D(
      64, {3, 3}, {.padding = "same", .activation = "relu", .input_shape = {{224, 224, 3}}}));
  vision_model.add(layers::Conv2D(64, {3, 3}, {.activation = "relu"}));
  vision_model.add(layers::MaxPooling2D({2, 2}));
  vision_model.add(layers::Conv2D(128, {3, 3}, {.padding = "same", .activation = "relu"}));
  vision_model.add(layers::Conv2D(128, {3, 3}, {.activation = "relu"}));
  vision_model.add(layers::MaxPooling2D({2, 2}));
  vision_model.add(layers::Conv2D(256, {3, 3}, {.padding = "same", .activation = "relu"}));
  vision_model.add(layers::Conv2D(256, {3, 3}, {.activation = "relu"}));
  vision_model.add(layers::Conv2D(256, {3, 3}, {.activation = "relu"}));
  vision_model.add(layers::MaxPooling2D({2, 2}));
  vision_model.add(layers::Flatten());

  // A tensor with the output of the vision model.
  auto image_input = keras::Input({224, 224, 3});
  auto encoded_image = vision_model(image_input);

  // A language model encodes the question (at most 100 words, ids 1..9999) into a vector.
  auto question_input = keras::Input({100}, {.dtype = keras::int32});
  auto embedded_question = layers::Embedding(
      {.input_dim = 10000, .output_dim = 256, .input_length = 100})(question_input);
  auto encoded_question = layers::LSTM(256)(embedded_question);

  // The question vector and the image vector, concatenated, and a logistic regression over
  // 1000 words on top.
  auto merged = layers::concatenate({encoded_question, encoded_image});
  auto output = layers::Dense(1000, {.activation = "softmax"})(merged);
  keras::Model vqa_model({image_input, question_input}, output);
  vqa_model.summary();
  std::printf("vision model: output %s, %lld parameters\n",
              keras::shape_str(encoded_image.shape()).c_str(),
              static_cast<long long>(vision_model.count_params()));
  std::printf("vqa_model parameters: %lld\n", static_cast<long long>(vqa_model.count_params()));

  // The next stage would be training on actual data; one step on a small random batch here.
  keras::Tensor images = keras::random::uniform({batch, 224, 224, 3});
  keras::Tensor questions = keras::random::randint({batch, 100}, 1, 10000);
  keras::Tensor answers =
      keras::utils::to_categorical(keras::random::randint({batch}, 0, 1000), 1000);
  vqa_model.compile({.optimizer = "rmsprop", .loss = "categorical_crossentropy"});
  keras::Tensor first_kernel = vision_model.get_weights()[0].clone();
  auto history = vqa_model.fit({images, questions}, answers,
                               {.epochs = 1, .batch_size = static_cast<int>(batch), .verbose = 0});
  const double change =
      ops::max(ops::abs(ops::subtract(vision_model.get_weights()[0], first_kernel))).item<double>();
  std::printf("one training step on %lld samples: loss %.4f, vision kernel updated: %s\n",
              static_cast<long long>(batch), history.history.at("loss").back(),
              change > 0 ? "yes" : "no");
  return 0;
}
