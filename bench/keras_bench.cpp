// End-to-end training throughput of the guide's models, in the line format of
// ../shared/bench/torch_reference.py so the two can be compared side by side:
//   NAME  N samples/s  threads T  loss L
// Each model trains once per thread count (1 and all cores); the best is printed. The rate is
// the median over epochs of (samples per epoch / epoch time), as the PyTorch reference does.
// `mha` (MultiHeadAttention forward+backward, see bench_mha) has no inference lines.
// After training, at the same thread count, the trained model's inference is measured too:
//   NAME_predict  N samples/s  threads T           predict(x, batch_size=256), median of 3 runs
//   NAME_latency  N samples/s  threads T  p50_us A  p99_us B
// the latter over 1,000 predict_on_batch calls on one sample (N = 1e6 / p50 in microseconds),
// after 50 warm-up calls. KERAS_BENCH_INFERENCE=0 skips them. KERAS_BENCH_EPOCHS=E trains E
// epochs instead of 3 (a median over more epochs: tools/bench_distributed.sh).
#include <keras/distribution/distribution.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
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

struct Inference {
  double predict_rate = 0;        // samples/s of predict at batch 256
  double p50_us = 0, p99_us = 0;  // latency of one-sample predict_on_batch
  int predict_threads = 0, latency_threads = 0;
};

struct Result {
  double rate = 0;
  int threads = 0;
  double loss = 0;
  Inference inference;
};

bool inference_enabled() {
  const char* env = std::getenv("KERAS_BENCH_INFERENCE");
  return env == nullptr || std::strcmp(env, "0") != 0;
}

void report(const char* name, const Result& r) {
  if (!keras::distribution::is_chief()) return;  // under mpirun: process 0 reports the job's rate
  std::printf("%-14s %10.0f samples/s  threads %d  loss %.4f\n", name, r.rate, r.threads, r.loss);
  const Inference& i = r.inference;
  if (i.predict_rate > 0) {
    std::printf("%-22s %10.0f samples/s  threads %d\n", (std::string(name) + "_predict").c_str(),
                i.predict_rate, i.predict_threads);
    std::printf("%-22s %10.0f samples/s  threads %d  p50_us %.1f  p99_us %.1f\n",
                (std::string(name) + "_latency").c_str(), 1e6 / i.p50_us, i.latency_threads,
                i.p50_us, i.p99_us);
  }
  std::fflush(stdout);
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// predict's throughput at batch 256 and one-sample latency of the trained `model` on `x` (n
// rows), keeping the better of this thread count and what `best` holds.
void measure_inference(
    keras::Model& model, const keras::Data& x, int64_t n, int threads, Inference& best) {
  if (!inference_enabled()) return;
  // The median of 9 runs, as tools/bench_inference_peers.py takes for the peers: on a noisy
  // machine a third of a second of slowness can cover 3 runs of the mlp's 60,000 rows.
  std::vector<double> runs;
  for (int r = 0; r < 10; ++r) {  // the first run builds the predict plan
    const auto start = std::chrono::steady_clock::now();
    model.predict(x, {.batch_size = 256, .verbose = 0});
    if (r > 0) runs.push_back(seconds_since(start));
  }
  std::sort(runs.begin(), runs.end());
  const double rate = static_cast<double>(n) / runs[runs.size() / 2];
  if (rate > best.predict_rate) {
    best.predict_rate = rate;
    best.predict_threads = threads;
  }
  std::vector<keras::Tensor> one;
  for (const keras::Tensor& t : x.list()) one.push_back(t.slice_rows(0, 1));
  const keras::Data sample{one};
  for (int r = 0; r < 50; ++r) model.predict_on_batch(sample);
  std::vector<double> us;
  for (int r = 0; r < 1000; ++r) {
    const auto start = std::chrono::steady_clock::now();
    model.predict_on_batch(sample);
    us.push_back(1e6 * seconds_since(start));
  }
  std::sort(us.begin(), us.end());
  const double p50 = us[us.size() / 2], p99 = us[us.size() * 99 / 100];
  if (best.p50_us == 0 || p50 < best.p50_us) {
    best.p50_us = p50;
    best.p99_us = p99;
    best.latency_threads = threads;
  }
}

// KERAS_BENCH_BATCH_DIVISOR=N trains with each model's batch size / N: one process at the batch
// each of N data-parallel processes gets (tools/bench_distributed.sh), to tell what the smaller
// batch costs from what communication costs.
int batch_divisor() {
  const char* env = std::getenv("KERAS_BENCH_BATCH_DIVISOR");
  const long d = env != nullptr ? std::strtol(env, nullptr, 10) : 1;
  return d > 1 && d <= 32 ? static_cast<int>(d) : 1;
}

// KERAS_BENCH_EPOCHS=E: epochs per training run (default 3, the peers' count).
int epochs() {
  const char* env = std::getenv("KERAS_BENCH_EPOCHS");
  const long e = env != nullptr ? std::strtol(env, nullptr, 10) : 3;
  return e >= 1 && e <= 100 ? static_cast<int>(e) : 3;
}

// KERAS_BENCH_THREADS="1,2" overrides the thread counts tried (for profiling one of them).
std::vector<int> thread_counts() {
  if (const char* env = std::getenv("KERAS_BENCH_THREADS")) {
    std::vector<int> counts;
    for (const char* p = env; *p != '\0';) {
      char* end = nullptr;
      const long t = std::strtol(p, &end, 10);
      if (end == p) break;
      if (t > 0) counts.push_back(static_cast<int>(t));
      p = *end == ',' ? end + 1 : end;
    }
    if (!counts.empty()) return counts;
  }
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
    model.fit(x, y,
              {.epochs = epochs(),
               .batch_size = 32 / batch_divisor(),
               .verbose = 0,
               .callbacks = {timer}});
    std::sort(timer->seconds.begin(), timer->seconds.end());
    const double rate = static_cast<double>(n) / timer->seconds[timer->seconds.size() / 2];
    if (rate > best.rate) best = {rate, threads, timer->loss, best.inference};
    measure_inference(model, keras::Data{x}, n, threads, best.inference);
  }
  return best;
}

// Trains `make_model()` on (x, y) once per thread count; the median epoch rate of the best.
template <class MakeModel>
Result bench_fit(
    MakeModel&& make_model, const keras::Data& x, const keras::Data& y, int64_t n, int batch_size) {
  Result best;
  for (int threads : thread_counts()) {
    keras::backend::set_num_threads(threads);
    keras::utils::set_random_seed(0);
    keras::Model model = make_model();
    auto timer = std::make_shared<EpochTimer>();
    model.fit(x, y,
              {.epochs = epochs(),
               .batch_size = batch_size / batch_divisor(),
               .verbose = 0,
               .callbacks = {timer}});
    std::sort(timer->seconds.begin(), timer->seconds.end());
    const double rate = static_cast<double>(n) / timer->seconds[timer->seconds.size() / 2];
    if (rate > best.rate) best = {rate, threads, timer->loss, best.inference};
    measure_inference(model, x, n, threads, best.inference);
  }
  return best;
}

// The guide's headline model (torch_reference.py's news_mimo): 2048 samples, batch 32.
Result bench_news_mimo() {
  const int64_t n = 2048;
  keras::utils::set_random_seed(0);
  keras::Tensor tokens = keras::random::randint({n, 100}, 1, 10000);
  keras::Tensor extra = keras::random::uniform({n, 5});
  keras::Tensor labels = ops::cast(keras::random::randint({n, 1}, 0, 2), keras::float32);
  auto make = [] {
    auto main_input = keras::Input({100}, {.dtype = keras::int32, .name = "main_input"});
    auto x = layers::Embedding(10000, 512)(main_input);
    auto lstm_out = layers::LSTM(32)(x);
    auto aux = layers::Dense(1, {.activation = "sigmoid", .name = "aux_output"})(lstm_out);
    auto aux_input = keras::Input({5}, {.name = "aux_input"});
    x = layers::concatenate({lstm_out, aux_input});
    for (int i = 0; i < 3; ++i) x = layers::Dense(64, {.activation = "relu"})(x);
    auto main = layers::Dense(1, {.activation = "sigmoid", .name = "main_output"})(x);
    keras::Model model({main_input, aux_input}, {main, aux});
    model.compile(
        {.optimizer = "rmsprop", .loss = "binary_crossentropy", .loss_weights = {1.0, 0.2}});
    return model;
  };
  return bench_fit(make, keras::Data{tokens, extra}, keras::Data{labels, labels}, n, 32);
}

// The guide's shared LSTM (torch_reference.py's shared_lstm): 512 pairs of (140, 256), batch 32.
Result bench_shared_lstm() {
  const int64_t n = 512;
  keras::utils::set_random_seed(0);
  auto sparse = [n] {
    return ops::cast(ops::less(keras::random::uniform({n, 140, 256}), keras::full({}, 0.05)),
                     keras::float32);
  };
  keras::Tensor a = sparse(), b = sparse();
  keras::Tensor labels = ops::cast(keras::random::randint({n, 1}, 0, 2), keras::float32);
  auto make = [] {
    auto tweet_a = keras::Input({140, 256});
    auto tweet_b = keras::Input({140, 256});
    auto shared_lstm = layers::LSTM(64);
    auto merged = layers::concatenate({shared_lstm(tweet_a), shared_lstm(tweet_b)});
    auto predictions = layers::Dense(1, {.activation = "sigmoid"})(merged);
    keras::Model model({tweet_a, tweet_b}, predictions);
    model.compile({.optimizer = "rmsprop", .loss = "binary_crossentropy"});
    return model;
  };
  return bench_fit(make, keras::Data{a, b}, keras::Data{labels}, n, 32);
}

// The guide's three-output posts model (torch_reference.py's posts_conv1d): 512 samples of
// length 500, batch 64, losses mse / sparse CCE / BCE weighted 0.25 / 1 / 10.
Result bench_posts_conv1d() {
  const int64_t n = 512;
  keras::utils::set_random_seed(0);
  keras::Tensor tokens = keras::random::randint({n, 500}, 1, 50000);
  keras::Tensor age = ops::multiply(keras::random::uniform({n, 1}), 80.0);
  keras::Tensor income = keras::random::randint({n, 1}, 0, 10);
  keras::Tensor gender = ops::cast(keras::random::randint({n, 1}, 0, 2), keras::float32);
  auto make = [] {
    auto posts = keras::Input({std::nullopt}, {.dtype = keras::int32, .name = "posts"});
    auto x = layers::Embedding(50000, 256)(posts);
    x = layers::Conv1D(128, 5, {.activation = "relu"})(x);
    x = layers::MaxPooling1D(5)(x);
    x = layers::Conv1D(256, 5, {.activation = "relu"})(x);
    x = layers::Conv1D(256, 5, {.activation = "relu"})(x);
    x = layers::MaxPooling1D(5)(x);
    x = layers::Conv1D(256, 5, {.activation = "relu"})(x);
    x = layers::Conv1D(256, 5, {.activation = "relu"})(x);
    x = layers::GlobalMaxPooling1D()(x);
    x = layers::Dense(128, {.activation = "relu"})(x);
    auto age = layers::Dense(1, {.name = "age"})(x);
    auto income = layers::Dense(10, {.activation = "softmax", .name = "income"})(x);
    auto gender = layers::Dense(1, {.activation = "sigmoid", .name = "gender"})(x);
    keras::Model model(posts, {age, income, gender});
    model.compile({.optimizer = "rmsprop",
                   .loss = {"mse", "sparse_categorical_crossentropy", "binary_crossentropy"},
                   .loss_weights = {0.25, 1.0, 10.0}});
    return model;
  };
  return bench_fit(make, keras::Data{tokens}, keras::Data{age, income, gender}, n, 64);
}

// The guide's shared vision model (torch_reference.py's shared_vision): 1024 pairs of 27x27x1,
// batch 32.
Result bench_shared_vision() {
  const int64_t n = 1024;
  keras::utils::set_random_seed(0);
  keras::Tensor a = keras::random::uniform({n, 27, 27, 1});
  keras::Tensor b = keras::random::uniform({n, 27, 27, 1});
  keras::Tensor labels = ops::cast(keras::random::randint({n, 1}, 0, 2), keras::float32);
  auto make = [] {
    auto digit_input = keras::Input({27, 27, 1});
    auto x = layers::Conv2D(64, {3, 3})(digit_input);
    x = layers::Conv2D(64, {3, 3})(x);
    x = layers::MaxPooling2D({2, 2})(x);
    auto out = layers::Flatten()(x);
    keras::Model vision_model(digit_input, out);
    auto digit_a = keras::Input({27, 27, 1});
    auto digit_b = keras::Input({27, 27, 1});
    auto concatenated = layers::concatenate({vision_model(digit_a), vision_model(digit_b)});
    auto output = layers::Dense(1, {.activation = "sigmoid"})(concatenated);
    keras::Model model({digit_a, digit_b}, output);
    model.compile({.optimizer = "rmsprop", .loss = "binary_crossentropy"});
    return model;
  };
  return bench_fit(make, keras::Data{a, b}, keras::Data{labels}, n, 32);
}

// Not a seed model: shared_vision's tower with BatchNormalization after each convolution, trained
// alone (tools/bench_vision_bn_torch.py is its PyTorch twin). Run by name: keras_bench vision_bn.
Result bench_vision_bn() {
  const int64_t n = 1024;
  keras::utils::set_random_seed(0);
  keras::Tensor images = keras::random::uniform({n, 27, 27, 1});
  keras::Tensor labels = ops::cast(keras::random::randint({n, 1}, 0, 2), keras::float32);
  auto make = [] {
    auto input = keras::Input({27, 27, 1});
    auto x = layers::Conv2D(64, {3, 3})(input);
    x = layers::BatchNormalization()(x);
    x = layers::Activation("relu")(x);
    x = layers::Conv2D(64, {3, 3})(x);
    x = layers::BatchNormalization()(x);
    x = layers::Activation("relu")(x);
    x = layers::MaxPooling2D({2, 2})(x);
    x = layers::Flatten()(x);
    auto output = layers::Dense(1, {.activation = "sigmoid"})(x);
    keras::Model model(input, output);
    model.compile({.optimizer = "rmsprop", .loss = "binary_crossentropy"});
    return model;
  };
  return bench_fit(make, keras::Data{images}, keras::Data{labels}, n, 32);
}

// Not a guide model: MultiHeadAttention(8 heads, key_dim 32) as self-attention on (batch 32,
// sequence 128, model dim 256), one forward and backward (gradients of sum(output) for the
// weights and the input) per step, no optimizer; the rate is 32 / the median step time over 20
// steps after 3 warm-up steps. tools/bench_mha_peers.py is its PyTorch and Keras 3 twin.
Result bench_mha() {
  const int64_t batch = 32, seq = 128, dim = 256, heads = 8;
  Result best;
  for (int threads : thread_counts()) {
    keras::backend::set_num_threads(threads);
    keras::utils::set_random_seed(0);
    layers::MultiHeadAttention mha(heads, dim / heads);
    const keras::Tensor x = keras::random::normal({batch, seq, dim});
    double loss = 0;
    auto step = [&] {
      keras::autodiff::GradientTape tape;
      keras::Tensors watched{x};
      for (const keras::Variable& v : mha->trainable_weights()) watched.push_back(v.value());
      for (const keras::Tensor& t : watched) tape.watch(t);
      const keras::Tensor y = mha({x, x});
      const keras::Tensor sum = ops::sum(y);
      const keras::Tensors grads = tape.gradient(sum, watched);
      loss = static_cast<double>(sum.item<float>()) / static_cast<double>(y.size());
      return grads.size();
    };
    std::vector<double> seconds;
    for (int s = 0; s < 23; ++s) {
      const auto start = std::chrono::steady_clock::now();
      step();
      if (s >= 3) seconds.push_back(seconds_since(start));
    }
    std::sort(seconds.begin(), seconds.end());
    const double rate = static_cast<double>(batch) / seconds[seconds.size() / 2];
    if (rate > best.rate) best = {rate, threads, loss, {}};
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  // Under mpirun (docs/distributed.md's scaling measurement) every process trains its share of
  // each global batch; the epoch rates are the job's.
  keras::distribution::initialize();
  if (keras::distribution::process_count() > 1) {
    keras::distribution::set_distribution(std::make_shared<keras::distribution::DataParallel>());
  }
  std::vector<std::string> names(argv + 1, argv + argc);
  if (names.empty()) {
    names = {"mlp", "news_mimo", "shared_lstm", "posts_conv1d", "shared_vision", "mha"};
  }
  for (const std::string& name : names) {
    if (name == "mlp") {
      report("mlp", bench_mlp());
    } else if (name == "news_mimo") {
      report("news_mimo", bench_news_mimo());
    } else if (name == "shared_lstm") {
      report("shared_lstm", bench_shared_lstm());
    } else if (name == "posts_conv1d") {
      report("posts_conv1d", bench_posts_conv1d());
    } else if (name == "shared_vision") {
      report("shared_vision", bench_shared_vision());
    } else if (name == "vision_bn") {
      report("vision_bn", bench_vision_bn());
    } else if (name == "mha") {
      report("mha", bench_mha());
    } else {
      std::fprintf(stderr,
                   "keras_bench: unknown model '%s' (known: mlp, news_mimo, shared_lstm, "
                   "posts_conv1d, shared_vision, vision_bn, mha)\n",
                   name.c_str());
      return 2;
    }
  }
  return 0;
}
