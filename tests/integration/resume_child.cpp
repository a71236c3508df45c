// keras_resume_child: the training run that resume_kill_test.cpp kills at random instants and
// restarts. It trains a small Dense + Dropout model (one unseeded Dropout drawing from the global
// generator, one seeded), shuffling every epoch, on one thread, with BackupAndRestore, then
// writes the final weights and the optimizer's variables as raw bytes to <result_file>
// (atomically) and exits 0.
//
//   keras_resume_child <backup_dir> <result_file> <adam|rmsprop> <epoch|N batches> <double 0|1>
//                      [nobackup]
//
// "nobackup" trains without the callback (the backup must not change the training).
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>

#include "core/file_util.h"
#include "keras/backend/backend.h"
#include "keras/keras.hpp"

int main(int argc, char** argv) {
  if (argc < 6) {
    std::cerr << "usage: keras_resume_child DIR RESULT adam|rmsprop epoch|N 0|1 [nobackup]\n";
    return 2;
  }
  try {
    using namespace keras;  // NOLINT
    namespace L = keras::layers;
    const std::string dir = argv[1], result = argv[2], optimizer = argv[3], freq = argv[4];
    const bool double_checkpoint = std::string(argv[5]) == "1";
    const bool backup = !(argc > 6 && std::string(argv[6]) == "nobackup");
    backend::set_num_threads(1);
    utils::set_random_seed(42);

    const Tensor x = random::uniform({40, 8}, -1.0, 1.0, float32, 1);
    const Tensor y = ops::sum(ops::multiply(x, x), 1, true);
    auto in = Input({8});
    auto h = L::Dense(16, {.activation = "relu"})(in);
    h = L::Dropout(0.4)(h);
    h = L::Dense(16, {.activation = "tanh"})(h);
    h = L::Dropout(0.3, {.seed = 7})(h);
    Model model(in, L::Dense(1)(h));
    if (optimizer == "adam") {
      model.compile({.optimizer = optimizers::Adam({.learning_rate = 0.01}), .loss = "mse"});
    } else {
      model.compile({.optimizer = optimizers::RMSprop(
                         {.learning_rate = 0.01, .momentum = 0.5, .centered = true}),
                     .loss = "mse"});
    }
    callbacks::Frequency save_freq = freq == "epoch"
                                         ? callbacks::Frequency("epoch")
                                         : callbacks::Frequency(std::atoi(freq.c_str()));
    // An exact learning rate (not a float32) set by epoch: restored from the backup.
    std::vector<callbacks::CallbackPtr> cbs{callbacks::LearningRateScheduler(
        [](int epoch, double) { return 0.01 * std::pow(0.7, epoch) + 1e-9 / 3; })};
    // Where this run begins, for the test's summary of what the kills hit.
    const bool had_backup = std::filesystem::exists(dir + "/latest.weights.h5");
    bool began = false;
    auto report = [&](const char* what) {
      if (!began) std::cout << "start " << what << std::endl;
      began = true;
    };
    cbs.push_back(callbacks::LambdaCallback(
        {.on_train_end = [&](const callbacks::Logs&) { report("with nothing left to train"); },
         .on_train_batch_begin =
             [&](int batch, const callbacks::Logs&) {
               report(!had_backup  ? "from scratch"
                      : batch == 0 ? "at an epoch start"
                                   : "inside an epoch");
             }}));
    if (backup) {
      cbs.push_back(callbacks::BackupAndRestore(
          dir, {.save_freq = save_freq, .double_checkpoint = double_checkpoint}));
    }
    model.fit(x, y, {.epochs = 6, .batch_size = 8, .verbose = 0, .callbacks = cbs});

    std::string bytes;
    auto append = [&](const Tensor& t) {
      bytes.append(static_cast<const char*>(t.raw_data()), t.nbytes());
    };
    for (const Variable& v : model.weights()) append(v.value());
    for (const Variable& v : model.optimizer().variables()) append(v.value());
    const int64_t iterations = model.optimizer().iterations();
    bytes.append(reinterpret_cast<const char*>(&iterations), sizeof iterations);
    internal::write_file_atomic(result, bytes);
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "keras_resume_child: " << e.what() << "\n";
    return 1;
  }
}
