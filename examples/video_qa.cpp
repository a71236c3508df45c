// The guide's video question answering model, made from the visual QA model's parts: the vision
// model applied to every frame with TimeDistributed, an LSTM over the frame vectors, and the
// question encoder reused as a Model (its weights shared with the visual QA model).
//
//   video_input = Input(shape=(100, 224, 224, 3))
//   encoded_frame_sequence = TimeDistributed(vision_model)(video_input)  # a sequence of vectors
//   encoded_video = LSTM(256)(encoded_frame_sequence)                     # a vector
//   question_encoder = Model(inputs=question_input, outputs=encoded_question)
//   video_question_input = Input(shape=(100,), dtype='int32')
//   encoded_video_question = question_encoder(video_question_input)
//   merged = concatenate([encoded_video, encoded_video_question])
//   output = Dense(1000, activation='softmax')(merged)
//   video_qa_model = Model(inputs=[video_input, video_question_input], outputs=output)
//
// With 100 frames of 224x224 the model has 169,436,968 parameters (the LSTM over 160,000-feature
// frame vectors alone has 164,103,168). A forward pass at that size would hold every frame's
// activations (gigabytes per clip), so the forward pass runs on the same models built for short
// clips of small frames.
//
// Usage: video_qa [frames] [image_size] [clips]: the small models' sizes (4 frames of 64x64 and
// 2 clips by default).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <keras/keras.hpp>

namespace layers = keras::layers;
namespace ops = keras::ops;

// The visual QA model's parts and the video QA model, for frames of `size` x `size`.
struct QAModels {
  keras::Sequential vision_model;
  keras::Model vqa_model, question_encoder, video_qa_model;
};

QAModels build(int64_t frames, int64_t size) {
  keras::Sequential vision_model;
  vision_model.add(layers::Conv2D(
      64, {3, 3}, {.padding = "same", .activation = "relu", .input_shape = {{size, size, 3}}}));
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

  // The visual QA model.
  auto image_input = keras::Input({size, size, 3});
  auto encoded_image = vision_model(image_input);
  auto question_input = keras::Input({100}, {.dtype = keras::int32});
  auto embedded_question = layers::Embedding(
      {.input_dim = 10000, .output_dim = 256, .input_length = 100})(question_input);
  auto encoded_question = layers::LSTM(256)(embedded_question);
  auto merged = layers::concatenate({encoded_question, encoded_image});
  auto output = layers::Dense(1000, {.activation = "softmax"})(merged);
  keras::Model vqa_model({image_input, question_input}, output, {.name = "vqa_model"});

  // The video is encoded by the vision model (weights reused), one frame at a time.
  auto video_input = keras::Input({frames, size, size, 3});
  auto encoded_frame_sequence = layers::TimeDistributed(vision_model)(video_input);
  auto encoded_video = layers::LSTM(256)(encoded_frame_sequence);

  // A model-level representation of the question encoder, reusing the same weights as before.
  keras::Model question_encoder(question_input, encoded_question, {.name = "question_encoder"});
  auto video_question_input = keras::Input({100}, {.dtype = keras::int32});
  auto encoded_video_question = question_encoder(video_question_input);

  auto video_merged = layers::concatenate({encoded_video, encoded_video_question});
  auto video_output = layers::Dense(1000, {.activation = "softmax"})(video_merged);
  keras::Model video_qa_model({video_input, video_question_input}, video_output,
                              {.name = "video_qa_model"});
  return {vision_model, vqa_model, question_encoder, video_qa_model};
}

// Whether every weight of `part` is one of `model`'s (the same variable, not a copy).
bool shares_weights(const keras::Model& model, const keras::Model& part) {
  const auto all = model.weights();
  for (const keras::Variable& v : part.weights()) {
    if (std::find(all.begin(), all.end(), v) == all.end()) return false;
  }
  return true;
}

int main(int argc, char** argv) {
  const int64_t frames = argc > 1 ? std::atoll(argv[1]) : 4;
  const int64_t size = argc > 2 ? std::atoll(argv[2]) : 64;
  const int64_t clips = argc > 3 ? std::atoll(argv[3]) : 2;
  keras::utils::set_random_seed(1);

  {
    // The guide's sizes: 100 frames of 224x224.
    QAModels full = build(100, 224);
    full.video_qa_model.summary();
    std::printf("vqa_model parameters: %lld\n",
                static_cast<long long>(full.vqa_model.count_params()));
    std::printf("video_qa_model parameters: %lld\n",
                static_cast<long long>(full.video_qa_model.count_params()));
    std::printf("shared with the vqa model: vision model %s, question encoder %s\n",
                shares_weights(full.video_qa_model, full.vision_model) ? "yes" : "no",
                shares_weights(full.vqa_model, full.question_encoder) &&
                        shares_weights(full.video_qa_model, full.question_encoder)
                    ? "yes"
                    : "no");
  }

  // The same models for short clips of small frames, and a forward pass.
  QAModels small = build(frames, size);
  std::printf("small video_qa_model: input %s, %lld parameters\n",
              keras::shape_str(small.video_qa_model.inputs()[0].shape()).c_str(),
              static_cast<long long>(small.video_qa_model.count_params()));
  keras::Tensor video = keras::random::uniform({clips, frames, size, size, 3});
  keras::Tensor questions = keras::random::randint({clips, 100}, 1, 10000);
  keras::Tensor answers = small.video_qa_model.predict({video, questions});
  std::printf(
      "forward pass on %lld clips of %lld frames of %lldx%lld: answers %s, rows sum to "
      "%.4f\n",
      static_cast<long long>(clips), static_cast<long long>(frames), static_cast<long long>(size),
      static_cast<long long>(size), keras::shape_str(answers.shape()).c_str(),
      ops::sum(answers.slice_rows(0, 1)).item<double>());
  return 0;
}
