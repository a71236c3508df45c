// The guide's convolutional examples (examples/posts_multi_output.cpp, inception_module.cpp,
// residual_connections.cpp, shared_vision.cpp, visual_qa.cpp, video_qa.cpp,
// xception_siamese.cpp): shapes, Keras's parameter counts, and that they train and run.
//
// Parameter counts (as Keras 3 gives them; kernel k*k*C*F + F biases):
//   posts model      Embedding 50000*256 = 12,800,000; Conv1D(128, 5) on 256: 163,968;
//                    Conv1D(256, 5) on 128: 164,096; three Conv1D(256, 5) on 256: 3 * 327,936;
//                    Dense(128): 32,896; age 129, income 1,290, gender 129      = 14,146,316
//   inception        1x1 3->64: 256 (three); 3x3 64->64: 36,928; 5x5 64->64: 102,464 = 140,160
//   residual         3x3 3->3: 84; projection block on 64 channels: 73,856 + 147,584 + 8,320
//   shared vision    vision model 640 + 36,928 = 37,568; guide head Dense(1) on 2 * 7,744: 15,489
//   VQA              vision 1,735,488; Embedding 2,560,000; LSTM(256) on 256: 525,312;
//                    Dense(1000) on 160,000 + 256: 160,257,000             = 165,077,800
//   video QA         vision and question encoder shared (1,735,488 + 3,085,312); LSTM(256) on
//                    160,000: 164,103,168; Dense(1000) on 512: 513,000     = 169,436,968
//   Xception         20,861,480 without the top (54,528 of them non-trainable moving statistics);
//                    with GlobalAveragePooling2D + Dense(1000): 22,910,480
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <keras/keras.hpp>
#include <random>

#include "harness/tensor_matchers.h"

namespace keras {
namespace {

using ::testing::HasSubstr;
namespace L = keras::layers;

double max_abs_difference(const Tensor& a, const Tensor& b) {
  return ops::max(ops::abs(ops::subtract(a, b))).item<double>();
}

bool contains_all(const std::vector<Variable>& all, const std::vector<Variable>& part) {
  return std::all_of(part.begin(), part.end(), [&](const Variable& v) {
    return std::find(all.begin(), all.end(), v) != all.end();
  });
}

// ---- 1. Three-output posts model ----

Model posts_model() {
  auto posts_input = Input({std::nullopt}, {.dtype = int32, .name = "posts"});
  auto embedded_posts = L::Embedding(50000, 256)(posts_input);
  auto x = L::Conv1D(128, 5, {.activation = "relu"})(embedded_posts);
  x = L::MaxPool1D(5)(x);
  x = L::Conv1D(256, 5, {.activation = "relu"})(x);
  x = L::Conv1D(256, 5, {.activation = "relu"})(x);
  x = L::MaxPool1D(5)(x);
  x = L::Conv1D(256, 5, {.activation = "relu"})(x);
  x = L::Conv1D(256, 5, {.activation = "relu"})(x);
  x = L::GlobalMaxPool1D()(x);
  x = L::Dense(128, {.activation = "relu"})(x);
  auto age = L::Dense(1, {.name = "age"})(x);
  auto income = L::Dense(10, {.activation = "softmax", .name = "income"})(x);
  auto gender = L::Dense(1, {.activation = "sigmoid", .name = "gender"})(x);
  return Model(posts_input, {age, income, gender});
}

struct PostsData {
  Tensor posts, age, income, gender;
};

PostsData posts_data(int64_t n, int64_t length) {
  Tensor gender = ops::cast(random::randint({n, 1}, 0, 2, int32, 11), float32);
  Tensor posts = ops::add(random::randint({n, length}, 1, 25000, int32, 12),
                          ops::cast(ops::multiply(gender, 25000.0), int32));
  Tensor age = random::uniform({n, 1}, 0, 1, float32, 13);
  Tensor income = utils::to_categorical(random::randint({n}, 0, 10, int32, 14), 10);
  return {posts, age, income, gender};
}

TEST(GuideConvExamples, PostsModelShapesAndParameters) {
  Model model = posts_model();
  EXPECT_EQ(model.count_params(), 14146316);
  EXPECT_EQ(model.output_names(), (std::vector<std::string>{"age", "income", "gender"}));
  EXPECT_EQ(shape_str(model.inputs()[0].shape()), "(None, None)");
  ASSERT_EQ(model.outputs().size(), 3u);
  EXPECT_EQ(shape_str(model.outputs()[0].shape()), "(None, 1)");
  EXPECT_EQ(shape_str(model.outputs()[1].shape()), "(None, 10)");
  EXPECT_EQ(shape_str(model.outputs()[2].shape()), "(None, 1)");
  // Variable-length posts: any length the convolutions and poolings leave at least one step for.
  for (int64_t length : {269, 300, 500}) {
    Outputs out = model.predict(random::randint({3, length}, 1, 50000, int32, 1));
    EXPECT_EQ(out[1].shape(), (Shape{3, 10})) << length;
  }
  // Too short a post: Keras's error for a negative output size, not a crash.
  EXPECT_THAT(test::message_of([&] {
                model.predict(random::randint({2, 100}, 1, 50000, int32, 2));
              }),
              HasSubstr("negative"));
}

TEST(GuideConvExamples, PostsModelListAndMapFormsTrainTheSame) {
  const PostsData d = posts_data(64, 300);
  auto run = [&](bool maps) {
    utils::clear_session();
    utils::set_random_seed(3);
    Model model = posts_model();
    if (maps) {
      model.compile({.optimizer = "rmsprop",
                     .loss = {{"age", "mse"},
                              {"income", "categorical_crossentropy"},
                              {"gender", "binary_crossentropy"}},
                     .loss_weights = {{"age", 0.25}, {"income", 1.0}, {"gender", 10.0}}});
      return model.fit(d.posts, {{"age", d.age}, {"income", d.income}, {"gender", d.gender}},
                       {.epochs = 2, .batch_size = 32, .verbose = 0, .shuffle = false});
    }
    model.compile({.optimizer = "rmsprop",
                   .loss = {"mse", "categorical_crossentropy", "binary_crossentropy"},
                   .loss_weights = {0.25, 1.0, 10.0}});
    return model.fit(d.posts, {d.age, d.income, d.gender},
                     {.epochs = 2, .batch_size = 32, .verbose = 0, .shuffle = false});
  };
  auto lists = run(false), maps = run(true);
  EXPECT_EQ(lists.history, maps.history);
  const auto& h = lists.history;
  for (size_t e = 0; e < 2; ++e) {
    ASSERT_TRUE(std::isfinite(h.at("loss")[e]));
    EXPECT_NEAR(h.at("loss")[e],
                0.25 * h.at("age_loss")[e] + h.at("income_loss")[e] + 10.0 * h.at("gender_loss")[e],
                1e-4 * h.at("loss")[e]);
  }
  // Losses without weights, as a list and as a map, also agree.
  utils::clear_session();
  Model model = posts_model();
  const Tensors initial = model.get_weights();
  model.compile({.loss = {"mse", "categorical_crossentropy", "binary_crossentropy"}});
  auto a = model.evaluate(d.posts, {d.age, d.income, d.gender}, {.verbose = 0});
  model.compile({.loss = {{"gender", "binary_crossentropy"},
                          {"age", "mse"},
                          {"income", "categorical_crossentropy"}}});
  auto b = model.evaluate(d.posts, {{"gender", d.gender}, {"age", d.age}, {"income", d.income}},
                          {.verbose = 0});
  EXPECT_EQ(a, b);
  EXPECT_NEAR(a[0], a[1] + a[2] + a[3], 1e-4 * a[0]);
}

// ---- 2. Inception module ----

Model inception(bool channels_first, int64_t size) {
  const std::string f = channels_first ? "channels_first" : "channels_last";
  auto input_img = channels_first ? Input({3, size, size}) : Input({size, size, 3});
  const L::ConvOptions same_relu{.padding = "same", .data_format = f, .activation = "relu"};
  auto tower_1 = L::Conv2D(64, {1, 1}, same_relu)(input_img);
  tower_1 = L::Conv2D(64, {3, 3}, same_relu)(tower_1);
  auto tower_2 = L::Conv2D(64, {1, 1}, same_relu)(input_img);
  tower_2 = L::Conv2D(64, {5, 5}, same_relu)(tower_2);
  auto tower_3 =
      L::MaxPooling2D({3, 3}, {.strides = 1, .padding = "same", .data_format = f})(input_img);
  tower_3 = L::Conv2D(64, {1, 1}, same_relu)(tower_3);
  return Model(input_img,
               L::concatenate({tower_1, tower_2, tower_3}, {.axis = channels_first ? 1 : -1}));
}

TEST(GuideConvExamples, InceptionModuleBothDataFormats) {
  Model last = inception(false, 256), first = inception(true, 256);
  EXPECT_EQ(shape_str(last.output().shape()), "(None, 256, 256, 192)");
  EXPECT_EQ(shape_str(first.output().shape()), "(None, 192, 256, 256)");
  EXPECT_EQ(last.count_params(), 140160);
  EXPECT_EQ(first.count_params(), 140160);

  // The same weights (Keras's kernel layout does not depend on data_format) give the same
  // features, transposed.
  Model small_last = inception(false, 12), small_first = inception(true, 12);
  small_first.set_weights(small_last.get_weights());
  Tensor images = random::uniform({2, 12, 12, 3}, -1, 1, float32, 4);
  Tensor a = small_last.predict(images);
  Tensor b = small_first.predict(ops::transpose(images, {0, 3, 1, 2}));
  EXPECT_EQ(b.shape(), (Shape{2, 192, 12, 12}));
  EXPECT_LT(max_abs_difference(a, ops::transpose(b, {0, 2, 3, 1})), 1e-4);
}

// ---- 3. Residual connections ----

TEST(GuideConvExamples, ResidualConnections) {
  auto x = Input({256, 256, 3});
  L::Conv2D conv(3, {3, 3}, {.padding = "same"});
  auto y = conv(x);
  auto z = L::add({x, y});
  Model identity(x, z);
  EXPECT_EQ(shape_str(z.shape()), "(None, 256, 256, 3)");
  EXPECT_EQ(identity.count_params(), 84);
  Tensor image = random::uniform({1, 256, 256, 3}, 0, 1, float32, 5);
  EXPECT_LT(max_abs_difference(identity.predict(image), ops::add(image, conv(image))), 1e-5);

  auto input = Input({16, 16, 64});
  auto block = L::Conv2D(128, 3, {.padding = "same", .activation = "relu"})(input);
  block = L::Conv2D(128, 3, {.padding = "same", .activation = "relu"})(block);
  block = L::MaxPooling2D(2, {.strides = 2})(block);
  auto residual = L::Conv2D(128, 1, {.strides = 2, .padding = "same"})(input);
  auto output = L::add({block, residual});
  EXPECT_EQ(shape_str(block.shape()), "(None, 8, 8, 128)");
  EXPECT_EQ(shape_str(residual.shape()), "(None, 8, 8, 128)");
  Model projection(input, output);
  EXPECT_EQ(projection.count_params(), 73856 + 147584 + 8320);
  // Without the projection the shapes don't match: Keras's error at graph-building time.
  EXPECT_THAT(test::message_of([&] { L::add({block, input}); }), HasSubstr("shape"));

  // Both branches train.
  Tensor xs = random::uniform({16, 16, 16, 64}, 0, 1, float32, 6);
  Tensor ys = random::uniform({16, 8, 8, 128}, 0, 1, float32, 7);
  const Tensors before = projection.get_weights();
  projection.compile({.optimizer = "adam", .loss = "mse"});
  auto history = projection.fit(xs, ys, {.epochs = 3, .batch_size = 8, .verbose = 0});
  EXPECT_LT(history.history.at("loss").back(), history.history.at("loss").front());
  const Tensors after = projection.get_weights();
  for (size_t i = 0; i < before.size(); ++i) EXPECT_GT(max_abs_difference(before[i], after[i]), 0);
}

// ---- 4. Shared vision model ----

Model vision_model() {
  auto digit_input = Input({27, 27, 1});
  auto x = L::Conv2D(64, {3, 3})(digit_input);
  x = L::Conv2D(64, {3, 3})(x);
  x = L::MaxPooling2D({2, 2})(x);
  return Model(digit_input, L::Flatten()(x));
}

TEST(GuideConvExamples, SharedVisionModelSharesItsWeights) {
  Model vision = vision_model();
  EXPECT_EQ(vision.count_params(), 37568);
  auto digit_a = Input({27, 27, 1}), digit_b = Input({27, 27, 1});
  auto out_a = vision(digit_a), out_b = vision(digit_b);
  auto concatenated = L::concatenate({out_a, out_b});
  EXPECT_EQ(shape_str(concatenated.shape()), "(None, 15488)");
  Model classification_model({digit_a, digit_b},
                             L::Dense(1, {.activation = "sigmoid"})(concatenated));
  EXPECT_EQ(classification_model.count_params(), 37568 + 15489);
  EXPECT_TRUE(contains_all(classification_model.weights(), vision.weights()));
  // Both calls use the same weights: swapping the images swaps the two halves.
  Tensor a = random::uniform({3, 27, 27, 1}, 0, 1, float32, 8);
  Tensor b = random::uniform({3, 27, 27, 1}, 0, 1, float32, 9);
  Model features({digit_a, digit_b}, concatenated);
  Tensor ab = features.predict({a, b}), ba = features.predict({b, a});
  EXPECT_LT(max_abs_difference(ops::slice_axis(ab, 1, 0, 7744), ops::slice_axis(ba, 1, 7744, 7744)),
            1e-5);
  EXPECT_LT(max_abs_difference(ops::slice_axis(ab, 1, 0, 7744), vision.predict(a)), 1e-5);
}

// Fashion-MNIST pairs (27x27 crops), alternately same class and different classes.
struct Pairs {
  Tensor a, b, same;
};

Pairs fashion_pairs(const Tensor& images, const Tensor& labels, int64_t n, uint32_t seed) {
  Tensor crops = ops::divide(
      ops::cast(ops::slice_axis(ops::slice_axis(images, 1, 0, 27), 2, 0, 27), float32), 255.0);
  crops = crops.reshape({images.dim(0), 27, 27, 1});
  std::vector<std::vector<int32_t>> by_class(10);
  for (int64_t i = 0; i < labels.dim(0); ++i) {
    by_class[labels.data<uint8_t>()[i]].push_back(static_cast<int32_t>(i));
  }
  std::mt19937 rng(seed);
  std::vector<int32_t> first(n), second(n);
  std::vector<float> same(n);
  for (int64_t i = 0; i < n; ++i) {
    const int c = static_cast<int>(rng() % 10);
    const int other = i % 2 == 0 ? c : (c + 1 + static_cast<int>(rng() % 9)) % 10;
    first[i] = by_class[c][rng() % by_class[c].size()];
    second[i] = by_class[other][rng() % by_class[other].size()];
    same[i] = c == other ? 1.0f : 0.0f;
  }
  return {ops::take(crops, Tensor::from_vector(first)),
          ops::take(crops, Tensor::from_vector(second)), Tensor::from_vector(same, {n, 1})};
}

TEST(GuideConvExamples, SharedVisionModelLearnsSameOrDifferentFashionClass) {
  utils::set_random_seed(1);
  Model vision = vision_model();
  auto digit_a = Input({27, 27, 1}), digit_b = Input({27, 27, 1});
  auto concatenated = L::concatenate({vision(digit_a), vision(digit_b)});
  auto hidden = L::Dense(64, {.activation = "relu"})(concatenated);
  Model model({digit_a, digit_b}, L::Dense(1, {.activation = "sigmoid"})(hidden));
  EXPECT_EQ(model.count_params(), 37568 + 991296 + 65);

  auto [train, test] = datasets::fashion_mnist::load_data();
  Pairs pairs = fashion_pairs(train.x, train.y, 3000, 1);
  Pairs held_out = fashion_pairs(test.x, test.y, 1000, 2);
  EXPECT_DOUBLE_EQ(ops::mean(pairs.same).item<double>(), 0.5);
  model.compile({.optimizer = "adam", .loss = "binary_crossentropy", .metrics = {"accuracy"}});
  model.fit({pairs.a, pairs.b}, pairs.same, {.epochs = 1, .batch_size = 32, .verbose = 0});
  auto scores = model.evaluate({held_out.a, held_out.b}, held_out.same, {.verbose = 0});
  EXPECT_GT(scores[1], 0.62) << "loss "
                             << scores[0];  // a quick run; examples/shared_vision reaches >= 0.80
}

// ---- 5. and 6. Visual and video question answering ----

struct QAModels {
  Sequential vision_model;
  Model vqa_model, question_encoder, video_qa_model;
};

QAModels qa_models(int64_t frames, int64_t size) {
  Sequential vision_model;
  vision_model.add(L::Conv2D(
      64, {3, 3}, {.padding = "same", .activation = "relu", .input_shape = {{size, size, 3}}}));
  vision_model.add(L::Conv2D(64, {3, 3}, {.activation = "relu"}));
  vision_model.add(L::MaxPooling2D({2, 2}));
  vision_model.add(L::Conv2D(128, {3, 3}, {.padding = "same", .activation = "relu"}));
  vision_model.add(L::Conv2D(128, {3, 3}, {.activation = "relu"}));
  vision_model.add(L::MaxPooling2D({2, 2}));
  vision_model.add(L::Conv2D(256, {3, 3}, {.padding = "same", .activation = "relu"}));
  vision_model.add(L::Conv2D(256, {3, 3}, {.activation = "relu"}));
  vision_model.add(L::Conv2D(256, {3, 3}, {.activation = "relu"}));
  vision_model.add(L::MaxPooling2D({2, 2}));
  vision_model.add(L::Flatten());

  auto image_input = Input({size, size, 3});
  auto encoded_image = vision_model(image_input);
  auto question_input = Input({100}, {.dtype = int32});
  auto embedded_question =
      L::Embedding({.input_dim = 10000, .output_dim = 256, .input_length = 100})(question_input);
  auto encoded_question = L::LSTM(256)(embedded_question);
  auto merged = L::concatenate({encoded_question, encoded_image});
  Model vqa_model({image_input, question_input}, L::Dense(1000, {.activation = "softmax"})(merged));

  auto video_input = Input({frames, size, size, 3});
  auto encoded_frame_sequence = L::TimeDistributed(vision_model)(video_input);
  auto encoded_video = L::LSTM(256)(encoded_frame_sequence);
  Model question_encoder(question_input, encoded_question);
  auto video_question_input = Input({100}, {.dtype = int32});
  auto encoded_video_question = question_encoder(video_question_input);
  auto video_merged = L::concatenate({encoded_video, encoded_video_question});
  Model video_qa_model({video_input, video_question_input},
                       L::Dense(1000, {.activation = "softmax"})(video_merged));
  return {vision_model, vqa_model, question_encoder, video_qa_model};
}

TEST(GuideConvExamples, VisualAndVideoQuestionAnsweringAtTheGuidesSize) {
  QAModels m = qa_models(100, 224);
  EXPECT_EQ(shape_str(m.vision_model.outputs()[0].shape()), "(None, 160000)");
  EXPECT_EQ(m.vision_model.count_params(), 1735488);
  EXPECT_EQ(m.question_encoder.count_params(), 2560000 + 525312);
  EXPECT_EQ(m.vqa_model.count_params(), 165077800);
  EXPECT_THAT(m.vqa_model.summary_string(), HasSubstr("Total params: 165,077,800"));
  EXPECT_EQ(m.video_qa_model.count_params(), 169436968);
  EXPECT_EQ(shape_str(m.video_qa_model.output().shape()), "(None, 1000)");
  // The vision model and the question encoder are the visual QA model's, weights and all.
  EXPECT_TRUE(contains_all(m.video_qa_model.weights(), m.vision_model.weights()));
  EXPECT_TRUE(contains_all(m.video_qa_model.weights(), m.question_encoder.weights()));
  EXPECT_TRUE(contains_all(m.vqa_model.weights(), m.question_encoder.weights()));

  // One training step of the visual QA model on two images.
  Tensor images = random::uniform({2, 224, 224, 3}, 0, 1, float32, 20);
  Tensor questions = random::randint({2, 100}, 1, 10000, int32, 21);
  Tensor answers = utils::to_categorical(Tensor::from_vector(std::vector<int32_t>{3, 999}), 1000);
  const Tensor kernel = m.vision_model.get_weights()[0].clone();
  const Tensor embeddings = m.question_encoder.get_weights()[0].clone();
  m.vqa_model.compile({.optimizer = "rmsprop", .loss = "categorical_crossentropy"});
  auto history =
      m.vqa_model.fit({images, questions}, answers, {.epochs = 1, .batch_size = 2, .verbose = 0});
  const double loss = history.history.at("loss").back();
  EXPECT_TRUE(std::isfinite(loss));
  EXPECT_NEAR(loss, std::log(1000.0), 1.0);  // near-uniform answers before training
  EXPECT_GT(max_abs_difference(m.vision_model.get_weights()[0], kernel), 0);
  EXPECT_GT(max_abs_difference(m.question_encoder.get_weights()[0], embeddings), 0);
}

TEST(GuideConvExamples, VideoQuestionAnsweringForwardPassOnShortClips) {
  QAModels m = qa_models(4, 40);  // 40 -> 38 -> 19 -> 17 -> 8 -> 6 -> 4 -> 2: 1024 features
  EXPECT_EQ(shape_str(m.vision_model.outputs()[0].shape()), "(None, 1024)");
  Tensor video = random::uniform({2, 4, 40, 40, 3}, 0, 1, float32, 30);
  Tensor questions = random::randint({2, 100}, 1, 10000, int32, 31);
  Tensor answers = m.video_qa_model.predict({video, questions});
  EXPECT_EQ(answers.shape(), (Shape{2, 1000}));
  EXPECT_NEAR(ops::sum(answers).item<double>(), 2.0, 1e-4);
  // TimeDistributed(vision_model) is the vision model on each frame.
  L::LayerRef time_distributed;
  for (const L::LayerRef& layer : m.video_qa_model.layers()) {
    if (layer.class_name() == "TimeDistributed") time_distributed = layer;
  }
  ASSERT_TRUE(time_distributed);
  Model frames(m.video_qa_model.inputs()[0], time_distributed.output());
  Tensor encoded = frames.predict(video);
  EXPECT_EQ(encoded.shape(), (Shape{2, 4, 1024}));
  Tensor third_frame = ops::slice_axis(video, 1, 2, 1).reshape({2, 40, 40, 3});
  EXPECT_LT(max_abs_difference(ops::slice_axis(encoded, 1, 2, 1).reshape({2, 1024}),
                               m.vision_model.predict(third_frame)),
            1e-4);
}

// ---- 7. Xception as a layer ----

TEST(GuideConvExamples, XceptionBaseCalledOnTwoImages) {
  Model xception_base = applications::Xception({.include_top = false, .weights = std::nullopt});
  EXPECT_EQ(xception_base.name(), "xception");
  EXPECT_EQ(shape_str(xception_base.inputs()[0].shape()), "(None, None, None, 3)");
  EXPECT_EQ(shape_str(xception_base.outputs()[0].shape()), "(None, None, None, 2048)");
  EXPECT_EQ(xception_base.count_params(), 20861480);
  EXPECT_EQ(xception_base.layers().size(), 132u);  // as in Keras 3, the InputLayer included
  int64_t non_trainable = 0;
  for (const Variable& v : xception_base.non_trainable_weights()) non_trainable += v.value().size();
  EXPECT_EQ(non_trainable, 54528);
  for (const char* name : {"block1_conv1", "block1_conv1_bn", "block2_sepconv2_act", "block4_pool",
                           "block12_sepconv3_bn", "block14_sepconv2_act"}) {
    EXPECT_NO_THROW(xception_base.get_layer(name)) << name;
  }
  EXPECT_EQ(xception_base.get_layer("block5_sepconv1").class_name(), "SeparableConv2D");
  EXPECT_EQ(xception_base.layers().back().name(), "block14_sepconv2_act");

  auto left_input = Input({250, 250, 3}), right_input = Input({250, 250, 3});
  auto left_features = xception_base(left_input);
  auto right_features = xception_base(right_input);
  EXPECT_EQ(shape_str(left_features.shape()), "(None, 8, 8, 2048)");
  auto merged_features = L::concatenate({left_features, right_features}, {.axis = -1});
  EXPECT_EQ(shape_str(merged_features.shape()), "(None, 8, 8, 4096)");
  Model stereo({left_input, right_input}, merged_features);
  EXPECT_EQ(stereo.count_params(), 20861480);

  // A forward pass at the smallest size Xception accepts.
  auto small_left = Input({71, 71, 3}), small_right = Input({71, 71, 3});
  Model small({small_left, small_right},
              L::concatenate({xception_base(small_left), xception_base(small_right)}));
  EXPECT_EQ(shape_str(small.output().shape()), "(None, 3, 3, 4096)");
  Tensor left = random::uniform({1, 71, 71, 3}, -1, 1, float32, 40);
  Tensor right = random::uniform({1, 71, 71, 3}, -1, 1, float32, 41);
  Tensor features = small.predict({left, right});
  EXPECT_EQ(features.shape(), (Shape{1, 3, 3, 4096}));
  EXPECT_LT(
      max_abs_difference(ops::slice_axis(features, 3, 2048, 2048), xception_base.predict(right)),
      1e-4);
}

TEST(GuideConvExamples, XceptionWithTopAndOptions) {
  Model with_top = applications::Xception({.weights = std::nullopt});
  EXPECT_EQ(with_top.count_params(), 22910480);
  EXPECT_EQ(shape_str(with_top.inputs()[0].shape()), "(None, 299, 299, 3)");
  EXPECT_EQ(shape_str(with_top.output().shape()), "(None, 1000)");
  EXPECT_EQ(with_top.get_layer("avg_pool").class_name(), "GlobalAveragePooling2D");
  EXPECT_EQ(with_top.get_layer("predictions").count_params(), 2049000);

  Model ten = applications::Xception(
      {.input_shape = {{150, 150, 3}}, .classes = 10, .classifier_activation = "linear"});
  EXPECT_EQ(ten.count_params(), 20861480 + 20490);
  Model pooled = applications::Xception({.include_top = false, .pooling = "avg"});
  EXPECT_EQ(shape_str(pooled.output().shape()), "(None, 2048)");
  Model max_pooled = applications::Xception({.include_top = false, .pooling = "max"});
  EXPECT_EQ(max_pooled.layers().back().class_name(), "GlobalMaxPooling2D");

  // An input tensor: the model's input is its source Input.
  auto image = Input({100, 100, 3}, {.name = "image"});
  Model from_tensor = applications::Xception({.include_top = false, .input_tensor = image});
  EXPECT_EQ(from_tensor.inputs()[0], image);
  EXPECT_EQ(shape_str(from_tensor.output().shape()), "(None, 3, 3, 2048)");

  // Nothing is downloaded: only random initialization.
  EXPECT_THAT(test::message_of([] { applications::Xception({.weights = "imagenet"}); }),
              HasSubstr("The `weights` argument should be either `None`"));
  EXPECT_THAT(test::message_of([] { applications::Xception({.weights = "xception.h5"}); }),
              HasSubstr("downloads nothing"));
  EXPECT_THAT(test::message_of([] {
                applications::Xception({.input_shape = {{64, 64, 3}}});
              }),
              HasSubstr("Input size must be at least 71x71"));
  EXPECT_THAT(test::message_of([] {
                applications::Xception({.include_top = false, .input_shape = {{299, 299}}});
              }),
              HasSubstr("`input_shape` must be a tuple of three integers"));
  EXPECT_THAT(test::message_of([] {
                applications::Xception({.input_shape = {{std::nullopt, std::nullopt, 3}}});
              }),
              HasSubstr("you should specify a static `input_shape`"));
  EXPECT_THAT(
      test::message_of([] { applications::Xception({.include_top = false, .pooling = "mean"}); }),
      HasSubstr("pooling"));
  // 250x250 images through Xception with a top built for them.
  EXPECT_EQ(shape_str(applications::Xception({.input_shape = {{250, 250, 3}}}).output().shape()),
            "(None, 1000)");
}

}  // namespace
}  // namespace keras
