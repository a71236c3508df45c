// TensorFlow event files: TFRecord framing and hand-encoded Event protobufs (no protobuf
// library). Field numbers follow tensorflow/core/util/event.proto and summary.proto.
#pragma once

#include <cstdint>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace keras::callbacks {

// CRC-32C (Castagnoli), and TFRecord's masking of it.
uint32_t crc32c(std::string_view data);
uint32_t masked_crc32c(std::string_view data);

// One TFRecord: uint64 length (little-endian), masked CRC of those 8 bytes, data, masked CRC of
// the data.
std::string tfrecord(std::string_view data);

// Event{wall_time, step, file_version}.
std::string file_version_event(double wall_time);
// Event{wall_time, step, summary{value{tag, metadata{plugin "scalars"}, tensor{DT_FLOAT, []}}}}.
std::string scalar_event(double wall_time, int64_t step, std::string_view tag, float value);

// Event{wall_time, step, summary{value{tag, metadata{plugin "histograms"}, tensor}}}: TensorBoard's
// histogram_v2 layout, a float64 tensor [k, 3] of (left edge, right edge, count) per bucket.
std::string histogram_event(double wall_time,
                            int64_t step,
                            std::string_view tag,
                            const std::vector<double>& values,
                            int bucket_count = 30);

// An event file in `dir` (created with its parents): events.out.tfevents.<time>.<host>.<pid>.<n>.v2
// whose first record is the file_version event. Throws IOError when it cannot be created.
class EventFileWriter {
 public:
  explicit EventFileWriter(const std::string& dir);
  void add_scalar(std::string_view tag, double value, int64_t step);
  void add_histogram(std::string_view tag, const std::vector<double>& values, int64_t step);
  void flush();
  const std::string& path() const { return path_; }

 private:
  void write(const std::string& event);
  std::string path_;
  std::ofstream out_;
};

}  // namespace keras::callbacks
