// The guide's three-output model: from a social media user's posts (variable-length sequences of
// word ids), predict the user's age (regression), income group (10 classes) and gender (binary).
//
//   posts_input = Input(shape=(None,), dtype='int32', name='posts')
//   embedded_posts = layers.Embedding(vocabulary_size, 256)(posts_input)
//   x = layers.Conv1D(128, 5, activation='relu')(embedded_posts)
//   x = layers.MaxPool1D(5)(x)
//   x = layers.Conv1D(256, 5, activation='relu')(x)   (twice)
//   x = layers.MaxPool1D(5)(x)
//   x = layers.Conv1D(256, 5, activation='relu')(x)   (twice)
//   x = layers.GlobalMaxPool1D()(x)
//   x = layers.Dense(128, activation='relu')(x)
//   age_prediction = layers.Dense(1, name='age')(x)
//   income_prediction = layers.Dense(num_income_groups, activation='softmax', name='income')(x)
//   gender_prediction = layers.Dense(1, activation='sigmoid', name='gender')(x)
//   model = Model(posts_input, [age_prediction, income_prediction, gender_prediction])
//   model.compile(optimizer='rmsprop',
//                 loss=['mse', 'categorical_crossentropy', 'binary_crossentropy'],
//                 loss_weights=[0.25, 1., 10.])          (or the same as name-keyed dicts)
//   model.fit(posts, [age_targets, income_targets, gender_targets], epochs=10, batch_size=64)
//   model.fit(posts, {'age': age_targets, 'income': income_targets, 'gender': gender_targets}, ...)
//
// Usage: posts_multi_output [samples] [epochs] [post_length]. The targets are learnable from the
// words: gender-1 users write words 25000..49999, the others 1..24999; a user's income group is
// marked by word 1 + group appearing at every tenth position, and the age grows with the group.
#include <cstdio>
#include <cstdlib>
#include <keras/keras.hpp>
#include <random>
#include <vector>

namespace layers = keras::layers;

int main(int argc, char** argv) {
  const int64_t samples = argc > 1 ? std::atoll(argv[1]) : 1024;
  const int epochs = argc > 2 ? std::atoi(argv[2]) : 2;
  const int64_t length = argc > 3 ? std::atoll(argv[3]) : 500;
  keras::utils::set_random_seed(1);

  const int64_t vocabulary_size = 50000;
  const int64_t num_income_groups = 10;

  auto posts_input = keras::Input({std::nullopt}, {.dtype = keras::int32, .name = "posts"});
  auto embedded_posts = layers::Embedding(vocabulary_size, 256)(posts_input);
  auto x = layers::Conv1D(128, 5, {.activation = "relu"})(embedded_posts);
  x = layers::MaxPool1D(5)(x);
  x = layers::Conv1D(256, 5, {.activation = "relu"})(x);
  x = layers::Conv1D(256, 5, {.activation = "relu"})(x);
  x = layers::MaxPool1D(5)(x);
  x = layers::Conv1D(256, 5, {.activation = "relu"})(x);
  x = layers::Conv1D(256, 5, {.activation = "relu"})(x);
  x = layers::GlobalMaxPool1D()(x);
  x = layers::Dense(128, {.activation = "relu"})(x);

  // The output layers are named, so losses, loss weights and targets can be keyed by name.
  auto age_prediction = layers::Dense(1, {.name = "age"})(x);
  auto income_prediction =
      layers::Dense(num_income_groups, {.activation = "softmax", .name = "income"})(x);
  auto gender_prediction = layers::Dense(1, {.activation = "sigmoid", .name = "gender"})(x);
  keras::Model model(posts_input, {age_prediction, income_prediction, gender_prediction});
  model.summary();
  std::printf("parameters: %lld\n", static_cast<long long>(model.count_params()));

  // Posts and targets.
  std::mt19937 rng(7);
  std::vector<int32_t> words(static_cast<size_t>(samples * length));
  std::vector<float> ages(samples), genders(samples);
  std::vector<int32_t> groups(samples);
  for (int64_t i = 0; i < samples; ++i) {
    const int gender = static_cast<int>(rng() % 2);
    const int group = static_cast<int>(rng() % num_income_groups);
    std::uniform_int_distribution<int32_t> word(1 + gender * 25000, 24999 + gender * 25000);
    for (int64_t t = 0; t < length; ++t) {
      words[i * length + t] = t % 10 == 0 ? 1 + group : word(rng);
    }
    genders[i] = static_cast<float>(gender);
    groups[i] = group;
    ages[i] = 0.2f + 0.05f * static_cast<float>(group);  // ages scaled to [0, 1]
  }
  keras::Tensor posts = keras::Tensor::from_vector(words, {samples, length});
  keras::Tensor age_targets = keras::Tensor::from_vector(ages, {samples, 1});
  keras::Tensor income_targets = keras::utils::to_categorical(
      keras::Tensor::from_vector(groups, {samples}), num_income_groups);
  keras::Tensor gender_targets = keras::Tensor::from_vector(genders, {samples, 1});

  // Compiling with a list of losses, in the order of the outputs...
  model.compile(
      {.optimizer = "rmsprop", .loss = {"mse", "categorical_crossentropy", "binary_crossentropy"}});
  // ...or, equivalently, with a map keyed by output name.
  model.compile({.optimizer = "rmsprop",
                 .loss = {{"age", "mse"},
                          {"income", "categorical_crossentropy"},
                          {"gender", "binary_crossentropy"}}});

  // The three losses have different scales (the guide: mse on ages in years is around 3-5, while
  // crossentropies can be as low as 0.1); loss weights balance them. As a list...
  model.compile({.optimizer = "rmsprop",
                 .loss = {"mse", "categorical_crossentropy", "binary_crossentropy"},
                 .loss_weights = {0.25, 1.0, 10.0}});
  // ...with the targets as a list.
  auto history = model.fit(posts, {age_targets, income_targets, gender_targets},
                           {.epochs = epochs, .batch_size = 64});
  std::printf("list form: loss %.4f -> %.4f\n", history.history.at("loss").front(),
              history.history.at("loss").back());

  // The same with name-keyed maps: losses, loss weights and targets.
  model.compile({.optimizer = "rmsprop",
                 .loss = {{"age", "mse"},
                          {"income", "categorical_crossentropy"},
                          {"gender", "binary_crossentropy"}},
                 .loss_weights = {{"age", 0.25}, {"income", 1.0}, {"gender", 10.0}},
                 .metrics = {{"gender", {"accuracy"}}, {"income", {"accuracy"}}}});
  auto history2 = model.fit(
      posts, {{"age", age_targets}, {"income", income_targets}, {"gender", gender_targets}},
      {.epochs = epochs, .batch_size = 64});
  const auto& h = history2.history;
  std::printf("map form: loss %.4f -> %.4f (age_loss %.4f, income_loss %.4f, gender_loss %.4f)\n",
              h.at("loss").front(), h.at("loss").back(), h.at("age_loss").back(),
              h.at("income_loss").back(), h.at("gender_loss").back());
  std::printf("gender accuracy: %.4f\n", h.at("gender_accuracy").back());
  std::printf("income accuracy: %.4f\n", h.at("income_accuracy").back());

  // Posts of another length run through the same model: its input is (None, None).
  const int64_t short_length = 300;
  keras::Outputs predictions = model.predict(keras::ops::slice_axis(posts, 1, 0, short_length));
  std::printf("predictions for posts of length %lld: age %s, income %s, gender %s\n",
              static_cast<long long>(short_length),
              keras::shape_str(predictions[0].shape()).c_str(),
              keras::shape_str(predictions[1].shape()).c_str(),
              keras::shape_str(predictions[2].shape()).c_str());
  return 0;
}
