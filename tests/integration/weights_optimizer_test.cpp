// save_weights / load_weights and the optimizer, as Keras 3.15 does: the .weights.h5 of a
// compiled model holds the optimizer's variables (optimizer/vars/0: iterations, 1: learning
// rate, then the slots), and load_weights restores them into an optimizer already built, or warns
// and skips them ("Skipping variable loading for optimizer 'adam', ...").
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "core/file_util.h"
#include "harness/tensor_matchers.h"
#include "keras/keras.hpp"
#include "saving/h5_snapshot.h"

namespace keras {
namespace {

namespace fs = std::filesystem;
namespace L = keras::layers;

keras::Model model(bool compile = true) {
  utils::set_random_seed(11);
  auto x = Input({3});
  keras::Model m(x, L::Dense(1)(L::Dense(4, {.activation = "relu"})(x)));
  if (compile) m.compile({.optimizer = "adam", .loss = "mse"});
  return m;
}

size_t optimizer_entries(const std::string& path) {
  const std::string bytes = internal::read_file(path);
  const saving::h5::Node f = saving::h5::read_untrusted(bytes, path);
  const auto group = saving::h5::open_group(f, "optimizer/vars");
  return group ? saving::h5::children(*group).size() : 0;
}

TEST(WeightsOptimizer, SaveWeightsWritesTheCompiledModelsOptimizer) {
  const std::string path =
      (fs::temp_directory_path() / ("keras_wopt_" + std::to_string(::getpid()) + ".weights.h5"))
          .string();
  const Tensor x = test::random_tensor({8, 3}, float32, -1, 1, 1);
  const Tensor y = test::random_tensor({8, 1}, float32, -1, 1, 2);
  keras::Model trained = model();
  trained.save_weights(path);
  EXPECT_EQ(optimizer_entries(path), 2u);  // not built yet: iterations and learning rate
  trained.fit(x, y, {.epochs = 2, .batch_size = 4, .verbose = 0});
  trained.save_weights(path);
  EXPECT_EQ(optimizer_entries(path), 2u + 2 * 4);
  model(false).save_weights(path);
  EXPECT_EQ(optimizer_entries(path), 0u);
  trained.save_weights(path);

  keras::Model built = model();
  built.optimizer().build(built.impl().trainable_weights());
  built.load_weights(path);
  EXPECT_EQ(built.optimizer().iterations(), 4);
  for (size_t i = 0; i < built.optimizer().variables().size(); ++i) {
    test::expect_all_close(built.optimizer().variables()[i].value(),
                           trained.optimizer().variables()[i].value(), 0, 0);
  }
  keras::Model fresh = model();
  testing::internal::CaptureStderr();
  fresh.load_weights(path);
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("Skipping variable loading for optimizer 'adam', because it has 2 variables "
                     "whereas the saved optimizer has 10 variables."),
            std::string::npos)
      << err;
  EXPECT_EQ(fresh.optimizer().iterations(), 0);
  EXPECT_FALSE(fresh.optimizer().built());
  test::expect_all_close(fresh.get_weights()[0], trained.get_weights()[0], 0, 0);
  model(false).load_weights(path);  // an uncompiled model takes the weights only
  fs::remove(path);
}

}  // namespace
}  // namespace keras
