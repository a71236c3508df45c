// pack/unpack_x_y_sample_weight and split_dataset against Keras 3.15 (each golden names its call;
// the sizes come from keras.src.utils.dataset_utils._rescale_dataset_split_sizes).
#include "keras/utils/dataset_utils.h"

#include <gtest/gtest.h>

#include <keras/keras.hpp>

#include "harness/tensor_matchers.h"

namespace keras::utils {
namespace {

std::vector<double> rows(const Data& d, size_t i = 0) {
  return test::to_doubles(d.list()[i]);
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

Tensor x10() {
  return test::tensor_of({0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {10, 1}, float32);
}
Tensor y10() {
  return test::tensor_of({0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {10}, int64);
}

TEST(PackXYSampleWeight, KerasTuples) {
  Tensor x = x10(), y = y10();
  EXPECT_EQ(pack_x_y_sample_weight(x).size(), 1u);
  EXPECT_EQ(pack_x_y_sample_weight(x, y).size(), 2u);
  EXPECT_EQ(pack_x_y_sample_weight(x, y, y).size(), 3u);
  // utils.pack_x_y_sample_weight(1, None, 3) -> 1: the weight is dropped without targets.
  EXPECT_EQ(pack_x_y_sample_weight(x, {}, y).size(), 1u);
  // utils.unpack_x_y_sample_weight([1, 2]) -> (1, 2, None)
  auto [ux, uy, usw] = unpack_x_y_sample_weight({x, y});
  EXPECT_FALSE(ux.empty());
  EXPECT_FALSE(uy.empty());
  EXPECT_TRUE(usw.empty());
  // utils.unpack_x_y_sample_weight((1, 2, 3, 4)) -> ValueError
  EXPECT_EQ(error_of([&] {
              unpack_x_y_sample_weight({x, y, y, y});
            }),
            "Data is expected to be in format `x`, `(x,)`, `(x, y)`, or `(x, y, sample_weight)`, "
            "found: a tuple of 4 items");
  EXPECT_THROW(unpack_x_y_sample_weight({}), ValueError);
}

using Sizes = std::pair<int64_t, int64_t>;

TEST(SplitDataset, SizesAsKeras) {
  auto sizes = [](std::optional<SplitSize> left, std::optional<SplitSize> right) {
    auto [a, b] = split_dataset({x10(), y10()}, {.left_size = left, .right_size = right});
    return std::pair{a.list()[0].dim(0), b.list()[0].dim(0)};
  };
  // _rescale_dataset_split_sizes(l, r, 10) for (0.8, None), (None, 3), (0.25, None) [round half
  // to even], (0.35, None), (4, 0.5), (3, 3)
  EXPECT_EQ(sizes(0.8, {}), (Sizes{8, 2}));
  EXPECT_EQ(sizes({}, 3), (Sizes{7, 3}));
  EXPECT_EQ(sizes(0.25, {}), (Sizes{2, 8}));
  EXPECT_EQ(sizes(0.35, {}), (Sizes{4, 6}));
  EXPECT_EQ(sizes(4, 0.5), (Sizes{4, 5}));
  EXPECT_EQ(sizes(3, 3), (Sizes{3, 3}));
}

TEST(SplitDataset, RightSplitIsTheTail) {
  // utils.split_dataset((x, y), left_size=3, right_size=2): y of the splits [0, 1, 2] and [8, 9]
  auto [left, right] = split_dataset({x10(), y10()}, {.left_size = 3, .right_size = 2});
  EXPECT_EQ(rows(left, 1), (std::vector<double>{0, 1, 2}));
  EXPECT_EQ(rows(right, 1), (std::vector<double>{8, 9}));
  EXPECT_EQ(left.list()[0].shape(), (Shape{3, 1}));
  EXPECT_EQ(right.list()[1].dtype(), int64);
}

TEST(SplitDataset, ShuffleKeepsRowsTogetherAndSeedRepeats) {
  SplitDatasetOptions o{.left_size = 0.6, .shuffle = true, .seed = 7};
  auto [left, right] = split_dataset({x10(), y10()}, o);
  auto [left2, right2] = split_dataset({x10(), y10()}, o);
  EXPECT_EQ(rows(left), rows(left2));
  EXPECT_EQ(rows(left), rows(left, 1));  // x and y rows moved together
  std::vector<double> all = rows(left);
  for (double v : rows(right)) all.push_back(v);
  std::sort(all.begin(), all.end());
  EXPECT_EQ(all, (std::vector<double>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
}

TEST(SplitDataset, DictsAndSingleTensors) {
  auto [left, right] = split_dataset(Data{{"a", x10()}, {"b", y10()}}, {.right_size = 0.3});
  ASSERT_TRUE(left.is_map());
  EXPECT_EQ(test::to_doubles(right.map().at("b")), (std::vector<double>{7, 8, 9}));
  auto [l1, r1] = split_dataset(x10(), {.left_size = 5});
  EXPECT_EQ(rows(l1), (std::vector<double>{0, 1, 2, 3, 4}));
}

TEST(SplitDataset, ErrorsInKerasWording) {
  auto err = [](std::optional<SplitSize> left, std::optional<SplitSize> right) {
    return error_of([&] { split_dataset({x10()}, {.left_size = left, .right_size = right}); });
  };
  // utils.split_dataset(x, left_size=None)
  EXPECT_EQ(err({}, {}),
            "At least one of the `left_size` or `right_size` must be specified. Received: "
            "left_size=None and right_size=None");
  // _rescale_dataset_split_sizes(0, 0, 10), (0, None, 10), (None, 10, 10), (1.5, None, 10),
  // (0.6, 0.6, 10), (7, 0.5, 10), (0.01, None, 10), (0.01, 3, 10)
  EXPECT_EQ(err(0, 0),
            "Both `left_size` and `right_size` are zero. At least one of the split sizes must be "
            "non-zero.");
  EXPECT_EQ(err(0, {}),
            "`left_size` should be either a positive integer smaller than 10, or a float within "
            "the range `[0, 1]`. Received: left_size=0");
  EXPECT_EQ(err({}, 10),
            "`right_size` should be either a positive integer and smaller than 10 or a float "
            "within the range `[0, 1]`. Received: right_size=10");
  EXPECT_EQ(err(1.5, {}),
            "`left_size` should be either a positive integer smaller than 10, or a float within "
            "the range `[0, 1]`. Received: left_size=1.5");
  EXPECT_EQ(err(0.6, 0.6),
            "The sum of `left_size` and `right_size` is greater than 1. It must be less than or "
            "equal to 1.");
  EXPECT_EQ(err(7, 0.5),
            "The sum of `left_size` and `right_size` should be smaller than the 10. Received: "
            "left_size + right_size = 12.0and total_length = 10");
  EXPECT_EQ(err(0.01, {}),
            "With `dataset` of length=10, `left_size`=0 and `right_size`=10.Resulting left side "
            "dataset split will be empty. Adjust any of the aforementioned parameters");
  EXPECT_EQ(err(0.01, 3),
            "With `dataset` of length=10, `left_size`=0 and `right_size`=3.0.Resulting left side "
            "dataset split will be empty. Adjust any of the aforementioned parameters");
  // utils.split_dataset([x, np.arange(9)], left_size=0.5)
  Tensor y9 = test::tensor_of({0, 1, 2, 3, 4, 5, 6, 7, 8}, {9}, int64);
  EXPECT_EQ(error_of([&] {
              split_dataset({x10(), y9}, {.left_size = 0.5});
            }),
            "Received a list of NumPy arrays with different lengths.Mismatch found at index 1, "
            "Expected shape=(10, 1) Received shape=(9,).Please provide a list of NumPy arrays of "
            "the same length.");
  EXPECT_THROW(split_dataset(Data(), {.left_size = 0.5}), TypeError);
}

}  // namespace
}  // namespace keras::utils
