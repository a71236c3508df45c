// pad_sequences and timeseries_dataset_from_array against what Keras 3.15 returns for the same
// calls (each golden names its Keras call).
#include <gtest/gtest.h>

#include <keras/keras.hpp>

#include "harness/tensor_matchers.h"

namespace keras {
namespace {

using utils::pad_sequences;
using utils::timeseries_dataset_from_array;

std::vector<int64_t> ints(const Tensor& t) {
  const Tensor c = ops::cast(t, int64).cpu();
  return {c.span<int64_t>().begin(), c.span<int64_t>().end()};
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ValueError& e) {
    return e.what();
  }
  return "no ValueError";
}

TEST(PadSequences, KerasGoldens) {
  const std::vector<std::vector<int64_t>> s = {{1}, {2, 3}, {4, 5, 6}};
  // pad_sequences([[1], [2, 3], [4, 5, 6]])
  Tensor x = pad_sequences(s);
  EXPECT_EQ(x.dtype(), int32);
  EXPECT_EQ(x.shape(), (Shape{3, 3}));
  EXPECT_EQ(ints(x), (std::vector<int64_t>{0, 0, 1, 0, 2, 3, 4, 5, 6}));
  // maxlen=2
  EXPECT_EQ(ints(pad_sequences(s, {.maxlen = 2})), (std::vector<int64_t>{0, 1, 2, 3, 5, 6}));
  // maxlen=2, padding="post", truncating="post"
  EXPECT_EQ(ints(pad_sequences(s, {.maxlen = 2, .padding = "post", .truncating = "post"})),
            (std::vector<int64_t>{1, 0, 2, 3, 4, 5}));
  // value=-1.5, dtype="float32"
  x = pad_sequences(s, {.dtype = float32, .value = -1.5});
  EXPECT_EQ(x.dtype(), float32);
  const std::span<float> f = x.span<float>();
  EXPECT_EQ(std::vector<float>(f.begin(), f.end()),
            (std::vector<float>{-1.5f, -1.5f, 1, -1.5f, 2, 3, 4, 5, 6}));
  // pad_sequences([[1.7, 2.2], []]): int32 truncates, an empty sequence is all padding.
  EXPECT_EQ(ints(pad_sequences(std::vector<std::vector<double>>{{1.7, 2.2}, {}})),
            (std::vector<int64_t>{1, 2, 0, 0}));
  // pad_sequences([[[1, 2], [3, 4]], [[5, 6]]], padding="post"): samples of shape (2,)
  x = pad_sequences({Tensor::from_vector<int64_t>({1, 2, 3, 4}, {2, 2}),
                     Tensor::from_vector<int64_t>({5, 6}, {1, 2})},
                    {.padding = "post"});
  EXPECT_EQ(x.shape(), (Shape{2, 2, 2}));
  EXPECT_EQ(ints(x), (std::vector<int64_t>{1, 2, 3, 4, 5, 6, 0, 0}));
  EXPECT_EQ(pad_sequences(std::vector<std::vector<int>>{}).shape(), (Shape{0, 0}));
}

TEST(PadSequences, KerasErrors) {
  const std::vector<std::vector<int64_t>> s = {{1}, {2, 3}};
  EXPECT_EQ(error_of([&] { pad_sequences(s, {.padding = "mid"}); }),
            "Padding type \"mid\" not understood");
  EXPECT_EQ(error_of([&] { pad_sequences(s, {.truncating = "x"}); }),
            "Truncating type \"x\" not understood");
  EXPECT_EQ(error_of([&] {
              pad_sequences({Tensor::from_vector<int64_t>({1, 2}, {1, 2}),
                             Tensor::from_vector<int64_t>({1, 2, 3}, {1, 3})});
            }),
            "Shape of sample (3,) of sequence at position 1 is different from expected shape (2,)");
  EXPECT_NE(error_of([&] {
              pad_sequences({Tensor::scalar<float>(1)});
            }).find("`sequences` must be a list of iterables"),
            std::string::npos);
}

TEST(TimeseriesDataset, KerasWindowsAndTargets) {
  const Tensor data = ops::reshape(arange(20), {10, 2});
  const Tensor targets = ops::add(arange(10), Tensor::scalar<int64_t>(100));
  // timeseries_dataset_from_array(np.arange(20).reshape(10, 2), np.arange(100, 110),
  //     sequence_length=3, sequence_stride=2, sampling_rate=2, batch_size=2, start_index=1,
  //     end_index=9): one batch, x [[[2, 3], [6, 7], [10, 11]], [[6, 7], [10, 11], [14, 15]]],
  //     y [101, 103]
  auto ds = timeseries_dataset_from_array(data, targets, 3,
                                          {.sequence_stride = 2,
                                           .sampling_rate = 2,
                                           .batch_size = 2,
                                           .start_index = 1,
                                           .end_index = 9});
  ASSERT_EQ(ds->num_batches(), 1);
  const utils::Batch b = ds->get(0);
  EXPECT_EQ(b.x.list()[0].shape(), (Shape{2, 3, 2}));
  EXPECT_EQ(ints(b.x.list()[0]), (std::vector<int64_t>{2, 3, 6, 7, 10, 11, 6, 7, 10, 11, 14, 15}));
  EXPECT_EQ(ints(b.y.list()[0]), (std::vector<int64_t>{101, 103}));
  // timeseries_dataset_from_array(data, None, sequence_length=4, batch_size=5): (5, 4, 2), (2, 4,
  // 2)
  auto unlabeled = timeseries_dataset_from_array(data, {}, 4, {.batch_size = 5});
  ASSERT_EQ(unlabeled->num_batches(), 2);
  EXPECT_EQ(unlabeled->get(1).x.list()[0].shape(), (Shape{2, 4, 2}));
  EXPECT_TRUE(unlabeled->get(1).y.empty());
}

TEST(TimeseriesDataset, ShuffledEpochsHoldTheSameWindows) {
  const Tensor data = ops::reshape(arange(40), {20, 2});
  auto windows = [](utils::TimeseriesDataset& ds) {
    std::vector<int64_t> firsts;
    for (int64_t i = 0; i < ds.num_batches(); ++i) {
      const std::vector<int64_t> x = ints(ds.get(i).x.list()[0]);
      for (size_t k = 0; k < x.size(); k += 6) firsts.push_back(x[k]);
    }
    return firsts;
  };
  auto ds =
      timeseries_dataset_from_array(data, data, 3, {.batch_size = 4, .shuffle = true, .seed = 5});
  ds->on_epoch_begin();
  std::vector<int64_t> first = windows(*ds);
  ds->on_epoch_begin();
  std::vector<int64_t> second = windows(*ds);
  EXPECT_NE(first, second);
  std::ranges::sort(first);
  std::ranges::sort(second);
  EXPECT_EQ(first, second);
  EXPECT_EQ(first.size(), 18u);
  // The same seed, the same order.
  auto again =
      timeseries_dataset_from_array(data, data, 3, {.batch_size = 4, .shuffle = true, .seed = 5});
  again->on_epoch_begin();
  ds = timeseries_dataset_from_array(data, data, 3, {.batch_size = 4, .shuffle = true, .seed = 5});
  ds->on_epoch_begin();
  EXPECT_EQ(windows(*again), windows(*ds));
}

TEST(TimeseriesDataset, FitsAModel) {
  utils::set_random_seed(3);
  const Tensor series = random::uniform({64, 1}, 0, 1, float32, 4);
  auto train = timeseries_dataset_from_array(series, series, 5, {.batch_size = 16});
  auto inputs = Input({5, 1});
  Model model(inputs, layers::Dense(1)(layers::Flatten()(inputs)));
  model.compile({.optimizer = "sgd", .loss = "mse"});
  const auto history = model.fit(train, {}, {.epochs = 2, .verbose = 0});
  EXPECT_EQ(history.history.at("loss").size(), 2u);
  EXPECT_EQ(model.predict(train, {.verbose = 0})[0].shape(), (Shape{60, 1}));
}

TEST(TimeseriesDataset, KerasErrors) {
  const Tensor data = ops::reshape(arange(20), {10, 2});
  using O = utils::TimeseriesDatasetOptions;
  const std::vector<std::pair<O, std::string>> cases = {
      {O{.start_index = -1}, "`start_index` must be 0 or greater. Received: start_index=-1"},
      {O{.start_index = 10},
       "`start_index` must be lower than the length of the data. Received: start_index=10, for "
       "data of length 10"},
      {O{.end_index = 10},
       "`end_index` must be lower than the length of the data. Received: end_index=10, for data "
       "of length 10"},
      {O{.start_index = 3, .end_index = 2},
       "`end_index` must be higher than `start_index`. Received: start_index=3, and end_index=2 "},
      {O{.sampling_rate = 0}, "`sampling_rate` must be higher than 0. Received: sampling_rate=0"},
      {O{.sequence_stride = 10},
       "`sequence_stride` must be lower than the length of the data. Received: "
       "sequence_stride=10, for data of length 10"},
  };
  for (const auto& [options, message] : cases) {
    EXPECT_EQ(error_of([&] { timeseries_dataset_from_array(data, {}, 3, options); }), message);
  }
  EXPECT_NE(error_of([&] { timeseries_dataset_from_array(data, {}, 11); }).find("no window"),
            std::string::npos);
}

}  // namespace
}  // namespace keras
