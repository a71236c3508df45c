// keras.utils.pack_x_y_sample_weight / unpack_x_y_sample_weight / split_dataset over keras.cpp's
// in-memory fit data (keras::Data, keras/trainers/data.h).
//
//   auto [x, y, sw] = keras::utils::unpack_x_y_sample_weight({features, labels});
//   auto [train, test] = keras::utils::split_dataset({x, y}, {.left_size = 0.8, .shuffle = true,
//                                                             .seed = 1});
#pragma once

#include <cstdint>
#include <optional>
#include <tuple>
#include <utility>
#include <variant>
#include <vector>

#include "keras/trainers/data.h"

namespace keras::utils {

// Keras's tuple (x,), (x, y) or (x, y, sample_weight) as fit takes it: {x} when y is empty
// (sample_weight is then dropped, as Keras drops it), {x, y} when sample_weight is empty, else
// all three. (Keras returns a lone x unwrapped; C++ has one type, the vector.)
std::vector<Data> pack_x_y_sample_weight(Data x, Data y = {}, Data sample_weight = {});

// (x, y, sample_weight) from 1 to 3 entries, empty Data for those not given. ValueError "Data is
// expected to be in format `x`, `(x,)`, `(x, y)`, or `(x, y, sample_weight)`, found: ..." for 0
// or more than 3.
std::tuple<Data, Data, Data> unpack_x_y_sample_weight(const std::vector<Data>& data);

// A split size: a count of samples (an integer) or a fraction in (0, 1) (a floating value), as
// Keras tells them apart by Python type.
class SplitSize {
 public:
  SplitSize(int count) : value_(int64_t{count}) {}  // NOLINT
  SplitSize(int64_t count) : value_(count) {}       // NOLINT
  SplitSize(double fraction) : value_(fraction) {}  // NOLINT
  bool is_fraction() const { return std::holds_alternative<double>(value_); }
  int64_t count() const { return std::get<int64_t>(value_); }
  double fraction() const { return std::get<double>(value_); }

 private:
  std::variant<int64_t, double> value_;
};

struct SplitDatasetOptions {
  // Samples of the left split; the complement of right_size when not given.
  std::optional<SplitSize> left_size = std::nullopt;
  // Samples of the right split (taken from the end); the complement of left_size when not given.
  std::optional<SplitSize> right_size = std::nullopt;
  bool shuffle = false;
  // Seed of the shuffle; a random one when not given.
  std::optional<uint64_t> seed = std::nullopt;
};

// Splits arrays along their first axis: the left split takes the first left_size samples, the
// right split the last right_size ones (samples between them, when the sizes add up to less than
// the total, are dropped, as in Keras). `dataset` is one tensor, a list or a dict of tensors of
// the same length; each split is a dict for a dict, a list otherwise (a lone tensor comes back as a
// list of one, which fit takes alike: Data does not tell them apart). Fractions are rounded as
// Python's round() (half to even). Errors as Keras's: ValueError when neither size is given, for a
// size out of range ("`left_size` should be either a positive integer smaller than 10, or a float
// within the range `[0, 1]`. Received: left_size=..."), for fractions summing over 1, sizes summing
// over the total, an empty split, arrays of different lengths or an empty list; TypeError for a
// PyDataset or no data.
// The shuffle uses keras.cpp's generator: a seed gives another order than Keras's Python
// random.shuffle with the same seed (docs/differences.md).
std::pair<Data, Data> split_dataset(const Data& dataset, SplitDatasetOptions options = {});

}  // namespace keras::utils
