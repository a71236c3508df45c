#include "callbacks/event_file.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "core/file_util.h"
#include "keras/core/error.h"

namespace keras::callbacks {
namespace {

constexpr std::array<uint32_t, 256> make_crc_table() {
  std::array<uint32_t, 256> t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    t[i] = c;
  }
  return t;
}
constexpr std::array<uint32_t, 256> kCrcTable = make_crc_table();

// ---- protobuf wire format ----
void varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7F) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
}
void tag(std::string& out, int field, int wire_type) {
  varint(out, static_cast<uint64_t>(field) << 3 | static_cast<uint64_t>(wire_type));
}
void bytes_field(std::string& out, int field, std::string_view data) {
  tag(out, field, 2);
  varint(out, data.size());
  out.append(data);
}
template <class T>
std::string little_endian(T v) {
  std::string s(sizeof v, '\0');
  std::memcpy(s.data(), &v, sizeof v);  // x86/ARM little-endian hosts
  return s;
}

std::string event_header(double wall_time, int64_t step) {
  std::string e;
  tag(e, 1, 1);  // wall_time: double
  e += little_endian(wall_time);
  if (step != 0) {
    tag(e, 2, 0);  // step: int64
    varint(e, static_cast<uint64_t>(step));
  }
  return e;
}

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

uint32_t crc32c(std::string_view data) {
  uint32_t c = 0xFFFFFFFFu;
  for (unsigned char b : data) c = kCrcTable[(c ^ b) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

uint32_t masked_crc32c(std::string_view data) {
  const uint32_t c = crc32c(data);
  return ((c >> 15) | (c << 17)) + 0xA282EAD8u;
}

std::string tfrecord(std::string_view data) {
  const std::string len = little_endian(static_cast<uint64_t>(data.size()));
  std::string r = len + little_endian(masked_crc32c(len));
  r.append(data);
  return r + little_endian(masked_crc32c(data));
}

std::string file_version_event(double wall_time) {
  std::string e = event_header(wall_time, 0);
  bytes_field(e, 3, "brain.Event:2");
  return e;
}

std::string scalar_event(double wall_time, int64_t step, std::string_view name, float value) {
  std::string plugin_data, metadata, tensor, summary_value, summary;
  bytes_field(plugin_data, 1, "scalars");  // PluginData.plugin_name
  bytes_field(metadata, 1, plugin_data);   // SummaryMetadata.plugin_data
  tag(metadata, 4, 0);                     // SummaryMetadata.data_class = DATA_CLASS_SCALAR
  varint(metadata, 1);
  tag(tensor, 1, 0);  // TensorProto.dtype = DT_FLOAT
  varint(tensor, 1);
  bytes_field(tensor, 2, "");                    // tensor_shape: [] (a scalar)
  bytes_field(tensor, 5, little_endian(value));  // float_val, packed
  bytes_field(summary_value, 1, name);           // Summary.Value.tag
  bytes_field(summary_value, 9, metadata);       // Summary.Value.metadata
  bytes_field(summary_value, 8, tensor);         // Summary.Value.tensor
  bytes_field(summary, 1, summary_value);        // Summary.value
  std::string e = event_header(wall_time, step);
  bytes_field(e, 5, summary);  // Event.summary
  return e;
}

std::string histogram_event(double wall_time,
                            int64_t step,
                            std::string_view name,
                            const std::vector<double>& values,
                            int bucket_count) {
  std::vector<double> buckets;  // rows of (left, right, count)
  if (!values.empty()) {
    const auto [lo_it, hi_it] = std::minmax_element(values.begin(), values.end());
    double lo = *lo_it, hi = *hi_it;
    if (lo == hi) {  // one value: a unit-wide range around it, as TensorBoard draws it
      lo -= 0.5;
      hi += 0.5;
    }
    const double width = (hi - lo) / bucket_count;
    std::vector<double> counts(static_cast<size_t>(bucket_count), 0.0);
    for (double v : values) {
      const auto k = static_cast<int64_t>((v - lo) / width);
      counts[static_cast<size_t>(std::clamp<int64_t>(k, 0, bucket_count - 1))] += 1;
    }
    for (int k = 0; k < bucket_count; ++k) {
      buckets.push_back(lo + k * width);
      buckets.push_back(k + 1 == bucket_count ? hi : lo + (k + 1) * width);
      buckets.push_back(counts[static_cast<size_t>(k)]);
    }
  }
  std::string plugin_data, metadata, shape, dim_k, dim_3, tensor, summary_value, summary;
  bytes_field(plugin_data, 1, "histograms");
  bytes_field(metadata, 1, plugin_data);
  tag(metadata, 4, 0);  // data_class = DATA_CLASS_TENSOR
  varint(metadata, 2);
  tag(dim_k, 1, 0);  // TensorShapeProto.Dim.size
  varint(dim_k, buckets.size() / 3);
  tag(dim_3, 1, 0);
  varint(dim_3, 3);
  bytes_field(shape, 2, dim_k);  // TensorShapeProto.dim
  bytes_field(shape, 2, dim_3);
  tag(tensor, 1, 0);  // dtype = DT_DOUBLE
  varint(tensor, 2);
  bytes_field(tensor, 2, shape);
  std::string content(buckets.size() * sizeof(double), '\0');
  if (!buckets.empty()) std::memcpy(content.data(), buckets.data(), content.size());
  bytes_field(tensor, 4, content);  // tensor_content, little-endian
  bytes_field(summary_value, 1, name);
  bytes_field(summary_value, 9, metadata);
  bytes_field(summary_value, 8, tensor);
  bytes_field(summary, 1, summary_value);
  std::string e = event_header(wall_time, step);
  bytes_field(e, 5, summary);
  return e;
}

EventFileWriter::EventFileWriter(const std::string& dir) {
  static std::atomic<int> counter{0};
  internal::create_directories(dir, "TensorBoard");
  char host[256] = "localhost";
  gethostname(host, sizeof host - 1);
  const double now = now_seconds();
  char name[512];
  std::snprintf(name, sizeof name, "events.out.tfevents.%010lld.%s.%d.%d.v2",
                static_cast<long long>(now), host, static_cast<int>(getpid()), counter++);
  path_ = (std::filesystem::path(dir) / name).string();
  out_.open(path_, std::ios::binary | std::ios::trunc);
  KERAS_CHECK(out_.is_open(), IOError, "TensorBoard: cannot create ", path_, " (",
              internal::errno_text(errno), ")");
  write(file_version_event(now));
  flush();
}

void EventFileWriter::write(const std::string& event) {
  out_ << tfrecord(event);
  KERAS_CHECK(out_.good(), IOError, "TensorBoard: cannot write to ", path_, " (",
              internal::errno_text(errno), ")");
}

void EventFileWriter::add_scalar(std::string_view name, double value, int64_t step) {
  write(scalar_event(now_seconds(), step, name, static_cast<float>(value)));
}

void EventFileWriter::add_histogram(std::string_view name,
                                    const std::vector<double>& values,
                                    int64_t step) {
  write(histogram_event(now_seconds(), step, name, values));
}

void EventFileWriter::flush() {
  out_.flush();
}

}  // namespace keras::callbacks
