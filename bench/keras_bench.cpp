// End-to-end training throughput of the guide's models, in the line format of
// ../shared/bench/torch_reference.py so the two can be compared side by side:
//   NAME  N samples/s  threads T  loss L
// Each model trains once per thread count (1 and all cores); the best is printed. The rate is
// the median over epochs of (samples per epoch / epoch time), as the PyTorch reference does.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <keras/keras.hpp>
#include <string>
#include <thread>
#include <vector>

namespace layers = keras::layers;
namespace ops = keras::ops;

namespace {

class EpochTimer : public keras::callbacks::Callback {
 public:
  void on_epoch_begin(int, const keras::callbacks::Logs&) override {
    start_ = std::chrono::steady_clock::now();
  }
  void on_epoch_end(int, const keras::callbacks::Logs& logs) override {
    seconds.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count());
    loss = logs.at("loss");
  }
  std::vector<double> seconds;
  double loss = 0;

 private:
  std::chrono::steady_clock::time_point start_;
};

struct Result {
  double rate = 0;
  int threads = 0;
  double loss = 0;
};

void report(const char* name, const Result& r) {
  std::printf("%-14s %10.0f samples/s  threads %d  loss %.4f\n", name, r.rate, r.threads, r.loss);
  std::fflush(stdout);
}

std::vector<int> thread_counts() {
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return cores > 1 ? std::vector<int>{1, cores} : std::vector<int>{1};
}

Result bench_mlp() {
  auto [train, test] = keras::datasets::fashion_mnist::load_data();
  const int64_t bs = 32, n = train.x.dim(0) / bs * bs;  // full batches only, as the reference
  keras::Tensor x =
      ops::divide(ops::cast(train.x.reshape({-1, 784}), keras::float32), 255.0).slice_rows(0, n);
  keras::Tensor y = keras::utils::to_categorical(train.y, 10).slice_rows(0, n);
  Result best;
  for (int threads : thread_counts()) {
    keras::backend::set_num_threads(threads);
    keras::utils::set_random_seed(0);
    auto inputs = keras::Input({784});
    auto h = layers::Dense(64, {.activation = "relu"})(inputs);
    h = layers::Dense(64, {.activation = "relu"})(h);
    auto outputs = layers::Dense(10, {.activation = "softmax"})(h);
    keras::Model model(inputs, outputs);
    model.compile({.optimizer = "rmsprop", .loss = "categorical_crossentropy"});
    auto timer = std::make_shared<EpochTimer>();
    model.fit(x, y, {.epochs = 3, .batch_size = 32, .verbose = 0, .callbacks = {timer}});
    std::sort(timer->seconds.begin(), timer->seconds.end());
    const double rate = static_cast<double>(n) / timer->seconds[timer->seconds.size() / 2];
    if (rate > best.rate) best = {rate, threads, timer->loss};
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> names(argv + 1, argv + argc);
  if (names.empty()) names = {"mlp"};
  for (const std::string& name : names) {
    if (name == "mlp") {
      report("mlp", bench_mlp());
    } else {
      std::fprintf(stderr, "keras_bench: unknown model '%s' (known: mlp)\n", name.c_str());
      return 2;
    }
  }
  return 0;
}
