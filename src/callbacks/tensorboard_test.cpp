// TensorBoard event files: TFRecord framing with CRC-32C, and the Event protobufs decoded by a
// small protobuf reader here (no Python, no protobuf library).
#include "keras/callbacks/tensorboard.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <keras/keras.hpp>
#include <map>

#include "callbacks/event_file.h"

namespace keras {
namespace {

namespace cb = keras::callbacks;
namespace fs = std::filesystem;

// ---- a minimal protobuf reader: field number -> raw values (varint, fixed, or bytes) ----
struct Field {
  int wire = 0;
  uint64_t number = 0;  // varint, fixed32, fixed64 bits
  std::string bytes;    // length-delimited
};
using Message = std::multimap<int, Field>;

uint64_t read_varint(std::string_view s, size_t& i) {
  uint64_t v = 0;
  for (int shift = 0; i < s.size(); shift += 7) {
    const auto b = static_cast<unsigned char>(s[i++]);
    v |= static_cast<uint64_t>(b & 0x7F) << shift;
    if (!(b & 0x80)) return v;
  }
  ADD_FAILURE() << "truncated varint";
  return v;
}

Message decode(std::string_view s) {
  Message m;
  size_t i = 0;
  while (i < s.size()) {
    const uint64_t key = read_varint(s, i);
    Field f;
    f.wire = static_cast<int>(key & 7);
    if (f.wire == 0) {
      f.number = read_varint(s, i);
    } else if (f.wire == 1 || f.wire == 5) {
      const size_t n = f.wire == 1 ? 8 : 4;
      std::memcpy(&f.number, s.data() + i, n);
      i += n;
    } else if (f.wire == 2) {
      const uint64_t n = read_varint(s, i);
      f.bytes = std::string(s.substr(i, n));
      i += n;
    } else {
      ADD_FAILURE() << "unexpected wire type " << f.wire;
      return m;
    }
    m.emplace(static_cast<int>(key >> 3), f);
  }
  return m;
}

struct Scalar {
  std::string tag;
  int64_t step;
  float value;
};
struct Histogram {
  std::string tag;
  int64_t step;
  std::vector<double> rows;  // (left, right, count) per bucket
};

struct Events {
  std::string version;
  std::vector<Scalar> scalars;
  std::vector<Histogram> histograms;
};

// Reads every record, checking lengths and CRCs.
Events read_events(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  const std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Events out;
  size_t i = 0;
  while (i < data.size()) {
    EXPECT_LE(i + 12, data.size());
    uint64_t len;
    uint32_t len_crc, data_crc;
    std::memcpy(&len, data.data() + i, 8);
    std::memcpy(&len_crc, data.data() + i + 8, 4);
    EXPECT_EQ(len_crc, cb::masked_crc32c(std::string_view(data).substr(i, 8)));
    const std::string_view event = std::string_view(data).substr(i + 12, len);
    std::memcpy(&data_crc, data.data() + i + 12 + len, 4);
    EXPECT_EQ(data_crc, cb::masked_crc32c(event));
    i += 12 + len + 4;
    const Message e = decode(event);
    EXPECT_EQ(e.count(1), 1u);  // wall_time
    if (e.contains(3)) {
      out.version = e.find(3)->second.bytes;
      continue;
    }
    const int64_t step = e.contains(2) ? static_cast<int64_t>(e.find(2)->second.number) : 0;
    const Message summary = decode(e.find(5)->second.bytes);
    for (auto [it, end] = summary.equal_range(1); it != end; ++it) {
      const Message value = decode(it->second.bytes);
      const Message metadata = decode(value.find(9)->second.bytes);
      const std::string plugin = decode(metadata.find(1)->second.bytes).find(1)->second.bytes;
      const Message tensor = decode(value.find(8)->second.bytes);
      if (plugin == "histograms") {
        EXPECT_EQ(tensor.find(1)->second.number, 2u);  // DT_DOUBLE
        const Message shape = decode(tensor.find(2)->second.bytes);
        std::vector<uint64_t> dims;
        for (auto [d, end] = shape.equal_range(2); d != end; ++d)
          dims.push_back(decode(d->second.bytes).find(1)->second.number);
        const std::string& content = tensor.find(4)->second.bytes;
        EXPECT_EQ(dims, (std::vector<uint64_t>{content.size() / 24, 3}));
        Histogram h{value.find(1)->second.bytes, step, std::vector<double>(content.size() / 8)};
        std::memcpy(h.rows.data(), content.data(), content.size());
        out.histograms.push_back(h);
        continue;
      }
      EXPECT_EQ(plugin, "scalars");
      EXPECT_EQ(tensor.find(1)->second.number, 1u);  // DT_FLOAT
      const std::string& floats = tensor.find(5)->second.bytes;
      EXPECT_EQ(floats.size(), 4u);
      float v;
      std::memcpy(&v, floats.data(), 4);
      out.scalars.push_back({value.find(1)->second.bytes, step, v});
    }
  }
  return out;
}

fs::path only_file(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) files.push_back(entry.path());
  EXPECT_EQ(files.size(), 1u) << dir;
  return files.empty() ? fs::path() : files[0];
}

TEST(TensorBoard, Crc32cMatchesTheStandardCheckValue) {
  EXPECT_EQ(cb::crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(cb::crc32c(""), 0u);
}

TEST(TensorBoard, WritesEpochAndBatchScalarsKerasNamesThem) {
  const fs::path dir = fs::temp_directory_path() / ("keras_tb_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  auto inputs = Input({3});
  Model model(inputs, layers::Dense(1)(inputs));
  model.compile(
      {.optimizer = optimizers::SGD({.learning_rate = 0.05}), .loss = "mse", .metrics = {"mae"}});
  Tensor x = random::uniform({10, 3}, 0.0, 1.0, float32, 2);
  auto h = model.fit(x, ops::sum(x, 1, true),
                     {.epochs = 2,
                      .batch_size = 4,
                      .verbose = 0,
                      .callbacks = {cb::TensorBoard(
                          {.log_dir = dir.string(), .histogram_freq = 2, .update_freq = "batch"})},
                      .validation_split = 0.2});

  const fs::path train_file = only_file(dir / "train");
  EXPECT_THAT(train_file.filename().string(),
              ::testing::MatchesRegex("events\\.out\\.tfevents\\.[0-9]{10}\\..+\\.v2"));
  const Events train_events = read_events(train_file);
  const std::vector<Scalar>& train = train_events.scalars;
  EXPECT_EQ(train_events.version, "brain.Event:2");
  std::map<std::pair<std::string, int64_t>, float> got;
  for (const Scalar& s : train) got[{s.tag, s.step}] = s.value;
  for (int e = 0; e < 2; ++e) {
    EXPECT_EQ(got.at({"epoch_loss", e}), static_cast<float>(h.history.at("loss")[e]));
    EXPECT_EQ(got.at({"epoch_mae", e}), static_cast<float>(h.history.at("mae")[e]));
    EXPECT_EQ(got.at({"epoch_learning_rate", e}), 0.05f);
  }
  // 8 training rows in batches of 4: global batches 1..4 over two epochs.
  for (int64_t b = 1; b <= 4; ++b) {
    EXPECT_TRUE(got.contains({"batch_loss", b})) << b;
    EXPECT_TRUE(got.contains({"batch_mae", b})) << b;
  }
  EXPECT_EQ(train.size(), 2u * 3 + 4u * 2);
  // histogram_freq 2: weights at epoch 0 only; counts add up to each weight's size.
  ASSERT_EQ(train_events.histograms.size(), 2u);
  const Histogram& kernel = train_events.histograms[0];
  EXPECT_THAT(kernel.tag, ::testing::MatchesRegex(".+/kernel/histogram"));
  EXPECT_EQ(kernel.step, 0);
  EXPECT_EQ(kernel.rows.size(), 30u * 3);
  double count = 0;
  for (size_t r = 0; r < kernel.rows.size(); r += 3) count += kernel.rows[r + 2];
  EXPECT_EQ(count, 3.0);
  EXPECT_THAT(train_events.histograms[1].tag, ::testing::MatchesRegex(".+/bias/histogram"));

  const Events val_events = read_events(only_file(dir / "validation"));
  const std::vector<Scalar>& val = val_events.scalars;
  EXPECT_EQ(val_events.version, "brain.Event:2");
  std::map<std::pair<std::string, int64_t>, float> vgot;
  for (const Scalar& s : val) vgot[{s.tag, s.step}] = s.value;
  for (int e = 0; e < 2; ++e)
    EXPECT_EQ(vgot.at({"epoch_loss", e}), static_cast<float>(h.history.at("val_loss")[e]));
  EXPECT_TRUE(vgot.contains({"evaluation_loss_vs_iterations", 2}));
  EXPECT_TRUE(vgot.contains({"evaluation_mae_vs_iterations", 4}));
  fs::remove_all(dir);
}

TEST(TensorBoard, UpdateFreqIsEpochBatchOrACount) {
  EXPECT_THROW(cb::TensorBoard({.update_freq = "sometimes"}), ValueError);
  EXPECT_THROW(cb::TensorBoard({.update_freq = 0}), ValueError);
  EXPECT_NO_THROW(cb::TensorBoard({.update_freq = 25}));
  EXPECT_NO_THROW(cb::TensorBoard({.update_freq = "epoch"}));
}

}  // namespace
}  // namespace keras
