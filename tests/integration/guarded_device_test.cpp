// The backend/memory seam, proven with the test-only guarded device (harness/guarded_device.h):
// host code cannot touch its memory, yet models train on it with the CPU's results bit for bit.
// (The op harness and the layer contract test run every op case and every layer on it too.)
#include "harness/guarded_device.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <keras/keras.hpp>
#include <optional>
#include <string>

#include "harness/tensor_matchers.h"

namespace keras {
namespace {

using test::guarded_device;
using test::identical;
using test::OnGuardedDevice;
namespace L = keras::layers;

TEST(GuardedDevice, HostAccessorsGoThroughTheBackend) {
  const Tensor host = Tensor::from_vector(std::vector<float>{1, 2, 3}, {3}, Device::cpu());
  const Tensor t = host.to(guarded_device());
  EXPECT_EQ(t.device(), guarded_device());
  test::expect_throws_with<RuntimeError>([&] { t.data<float>(); },
                                         "host access to a tensor on device guarded:0");
  test::expect_throws_with<RuntimeError>([&] { t.host_data(); }, "guarded:0");
  EXPECT_TRUE(identical(t.cpu(), host));
  EXPECT_EQ(t.astype(float64).cpu().at<double>({2}), 3.0);  // astype is the cast kernel
  const Tensor back = zeros({3}, float32, Device::cpu());
  back.copy_from(t);
  EXPECT_TRUE(identical(back, host));
  const Tensor filled = full({2, 2}, 7.0, int32, guarded_device());
  EXPECT_EQ(filled.cpu().at<int32_t>({1, 1}), 7);
}

TEST(GuardedDevice, AStrayHostReadAborts) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const Tensor t = ones({16}, float32, guarded_device());
  EXPECT_DEATH(
      {
        volatile float v = *static_cast<const float*>(t.raw_data());
        (void)v;
      },
      "guarded device: host code touched device memory");
}

TEST(GuardedDevice, OpsRefuseInputsOnDifferentDevices) {
  const Tensor g = ones({2, 2}, float32, guarded_device());
  const Tensor c = ones({2, 2}, float32, Device::cpu());
  test::expect_throws_with<ValueError>(
      [&] { ops::add(g, c); },
      "elementwise op: expected all tensors on one device, got guarded:0 and cpu:0");
  test::expect_throws_with<ValueError>([&] { ops::matmul(c, g); },
                                       "matmul: expected all tensors on one device, got cpu:0 "
                                       "and guarded:0");
  test::expect_throws_with<ValueError>([&] { ops::concatenate({g, c}, 0); }, "concatenate:");
  const Tensor ids = zeros({3}, int32, Device::cpu());
  test::expect_throws_with<ValueError>([&] { ops::take(g, ids); }, "take:");
  EXPECT_NO_THROW(ops::add(g, g));
}

TEST(GuardedDevice, KernelsRefuseTensorsOfAnotherDevice) {
  const Tensor a = ones({2}, float32, guarded_device());
  const Tensor b = ones({2}, float32, Device::cpu());
  const Tensor y = ones({2}, float32, guarded_device());
  test::expect_throws_with<RuntimeError>(
      [&] { backend::backend_for(a).binary(backend::BinaryOp::add, a, b, y); },
      "guarded device: kernel binary was given a tensor on cpu:0");
}

TEST(GuardedDevice, RandomStreamsMatchTheCpu) {
  auto draw = [](std::optional<Device> device) {
    std::optional<DeviceScope> scope;
    if (device) scope.emplace(*device);
    utils::set_random_seed(5);
    return Tensors{random::normal({7, 3}),
                   random::truncated_normal({9}, 0.0, 2.0),
                   random::uniform({5}, -1.0, 1.0, float64, 3),
                   random::randint({6}, 0, 9, int32),
                   random::permutation(11),
                   random::dropout(ones({20}), 0.5)};
  };
  const Tensors cpu = draw(std::nullopt);
  const Tensors guarded = draw(guarded_device());
  for (size_t i = 0; i < cpu.size(); ++i) {
    EXPECT_EQ(guarded[i].device(), guarded_device()) << "draw " << i;
    EXPECT_TRUE(identical(guarded[i], cpu[i])) << "draw " << i;
  }
}

TEST(GuardedDevice, EmbeddingIdsAreCheckedByTheGatherKernel) {
  const OnGuardedDevice scope;
  L::Embedding embedding(10, 4);
  const Tensor ids = test::tensor_of({1, 2, 10, 3}, {2, 2}, int32);
  ASSERT_EQ(ids.device(), guarded_device());
  test::expect_throws_with<IndexError>([&] { embedding(ids); },
                                       "(type Embedding): indices[1,0] = 10 is not in [0, 10)");
}

// One training run of `make_model`, made and fitted on `device` (or the CPU): its history (a fit
// with class weights), evaluation, train_on_batch / test_on_batch results, predictions and final
// weights and optimizer iterations.
struct RunResult {
  std::map<std::string, std::vector<double>> history;
  std::vector<double> scores, on_batch;
  Tensor predictions;
  Tensors weights;
  int64_t iterations = 0;
};

template <class MakeModel, class MakeOptions>
RunResult train(std::optional<Device> device,
                MakeModel make_model,
                MakeOptions make_options,  // a fresh optimizer for each run
                const Tensor& x_host,
                const Tensor& y_host) {
  std::optional<DeviceScope> scope;
  if (device) scope.emplace(*device);
  utils::set_random_seed(17);
  Model model = make_model();
  model.compile(make_options());
  const Tensor x = x_host.to(default_device()), y = y_host.to(default_device());
  RunResult r;
  r.history = model
                  .fit(x, y,
                       {.epochs = 3,
                        .batch_size = 16,
                        .verbose = 0,
                        .validation_split = 0.2,
                        .class_weight = {{0, 1.0}, {1, 2.0}}})
                  .history;
  r.scores = model.evaluate(x, y, {.batch_size = 16, .verbose = 0});
  r.on_batch = model.train_on_batch(x.slice_rows(0, 16), y.slice_rows(0, 16));
  const std::vector<double> tested =
      model.test_on_batch(x.slice_rows(16, 32), y.slice_rows(16, 32));
  r.on_batch.insert(r.on_batch.end(), tested.begin(), tested.end());
  r.predictions = model.predict(x, {.batch_size = 16}).at(0);
  r.weights = model.get_weights();
  r.iterations = model.optimizer().iterations();
  return r;
}

void expect_same_run(const RunResult& guarded, const RunResult& cpu) {
  EXPECT_EQ(guarded.history, cpu.history);
  EXPECT_EQ(guarded.scores, cpu.scores);
  EXPECT_EQ(guarded.on_batch, cpu.on_batch);
  EXPECT_TRUE(identical(guarded.predictions, cpu.predictions)) << "predictions";
  ASSERT_EQ(guarded.weights.size(), cpu.weights.size());
  for (size_t i = 0; i < cpu.weights.size(); ++i) {
    EXPECT_EQ(guarded.weights[i].device(), guarded_device()) << "weight " << i;
    EXPECT_TRUE(identical(guarded.weights[i], cpu.weights[i])) << "weight " << i;
  }
  EXPECT_EQ(guarded.iterations, cpu.iterations);
}

// Dense, Dropout and BatchNormalization under Adam, with accuracy: the trainer's plans, the
// optimizer's slots and step counter, metric state and moving statistics all on the device.
TEST(GuardedDevice, MlpFitMatchesTheCpu) {
  const Tensor x = random::uniform({96, 8}, 0.0, 1.0, float32, 1);
  const Tensor y = utils::to_categorical(ops::argmax(ops::slice_axis(x, 1, 0, 3), -1), 3);
  auto make = [] {
    auto inputs = Input({8});
    auto h = L::Dense(16, {.activation = "relu"})(inputs);
    h = L::Dropout(0.25)(h);
    h = L::BatchNormalization()(h);
    return Model(inputs, L::Dense(3, {.activation = "softmax"})(h));
  };
  auto options = [] {
    return CompileOptions{.optimizer = optimizers::Adam({.learning_rate = 0.01}),
                          .loss = "categorical_crossentropy",
                          .metrics = {"accuracy"}};
  };
  expect_same_run(train(guarded_device(), make, options, x, y), train({}, make, options, x, y));
}

// Embedding (row-sparse RMSprop updates), LSTM (the fused sequence kernels) and pooling.
TEST(GuardedDevice, SequenceModelFitMatchesTheCpu) {
  const Tensor x = random::randint({80, 6}, 0, 20, int32, 2);
  const Tensor y = random::uniform({80, 1}, 0.0, 1.0, float32, 3);
  auto make = [] {
    auto inputs = Input({6}, {.dtype = int32});
    auto h = L::Embedding(20, 5)(inputs);
    h = L::LSTM(4, {.return_sequences = true})(h);
    h = L::GlobalAveragePooling1D()(h);
    return Model(inputs, L::Dense(1)(h));
  };
  auto options = [] {
    return CompileOptions{.optimizer = "rmsprop", .loss = "mse", .metrics = {"mae"}};
  };
  expect_same_run(train(guarded_device(), make, options, x, y), train({}, make, options, x, y));
}

// Convolution and max pooling under SGD with momentum.
TEST(GuardedDevice, ConvModelFitMatchesTheCpu) {
  const Tensor x = random::uniform({48, 6, 6, 2}, -1.0, 1.0, float32, 4);
  const Tensor y = utils::to_categorical(random::randint({48}, 0, 2, int32, 5), 2);
  auto make = [] {
    auto inputs = Input({6, 6, 2});
    auto h = L::Conv2D(4, 3, {.activation = "relu"})(inputs);
    h = L::MaxPooling2D(2)(h);
    h = L::Flatten()(h);
    return Model(inputs, L::Dense(2, {.activation = "softmax"})(h));
  };
  auto options = [] {
    return CompileOptions{.optimizer = optimizers::SGD({.learning_rate = 0.05, .momentum = 0.9}),
                          .loss = "categorical_crossentropy"};
  };
  expect_same_run(train(guarded_device(), make, options, x, y), train({}, make, options, x, y));
}

// A model trained on the device saves (through the host accessors) and loads back on the CPU.
TEST(GuardedDevice, SaveOnTheDeviceLoadOnTheCpu) {
  const Tensor x = random::uniform({10, 4}, 0.0, 1.0, float32, 6);
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("keras_guarded_" + std::to_string(::getpid()) + ".keras"))
                               .string();
  Tensor on_device;
  {
    const OnGuardedDevice scope;
    auto inputs = Input({4});
    Model model(inputs, L::Dense(3)(inputs));
    model.compile({.optimizer = "adam", .loss = "mse"});
    model.fit(x.to(guarded_device()), zeros({10, 3}), {.epochs = 1, .verbose = 0});
    on_device = model.predict(x.to(guarded_device())).at(0);
    model.save(path);
  }
  Model loaded = models::load_model(path);
  std::filesystem::remove(path);
  EXPECT_TRUE(identical(loaded.predict(x).at(0), on_device));
  EXPECT_EQ(loaded.optimizer().iterations(), 1);
}

}  // namespace
}  // namespace keras
