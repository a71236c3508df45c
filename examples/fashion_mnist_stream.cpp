// Data larger than memory: the guide's first model trained on Fashion-MNIST read from its IDX
// files batch by batch, through a keras::utils::PyDataset (Keras 3's keras.utils.PyDataset).
// Only the batches being read and trained on are in memory.
//
//   class FashionMnistRows(keras.utils.PyDataset):
//       def __len__(self): return math.ceil(self.count / self.batch_size)
//       def __getitem__(self, i): return images[i], labels[i]      # read from the files
//   model.fit(FashionMnistRows(...), validation_data=FashionMnistRows(...), epochs=5)
//
// Usage: fashion_mnist_stream [epochs=5] [training samples=54000] [dir]
// The gzipped files (Debian's dataset-fashion-mnist) are unpacked once into a temporary directory,
// a megabyte at a time, so that a batch is one read at its offset; uncompressed files are read
// where they are.
#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <keras/keras.hpp>
#include <string>
#include <vector>

namespace fs = std::filesystem;
namespace layers = keras::layers;

// An uncompressed IDX file of uint8 rows (images or labels), read a range of rows at a time.
// pread() keeps no file position, so several workers may read at once.
class IdxRows {
 public:
  explicit IdxRows(const std::string& path) : fd_(::open(path.c_str(), O_RDONLY)) {
    if (fd_ < 0) throw keras::IOError("cannot open " + path);
    unsigned char header[4];
    read_at(0, header, 4);
    if (header[0] != 0 || header[1] != 0 || header[2] != 0x08 || header[3] < 1) {
      throw keras::IOError(path + " is not an IDX file of unsigned bytes");
    }
    std::vector<unsigned char> dims(4 * header[3]);
    read_at(4, dims.data(), dims.size());
    header_bytes_ = 4 + static_cast<int64_t>(dims.size());
    for (size_t d = 0; d < header[3]; ++d) {
      const int64_t n = (int64_t{dims[4 * d]} << 24) | (int64_t{dims[4 * d + 1]} << 16) |
                        (int64_t{dims[4 * d + 2]} << 8) | int64_t{dims[4 * d + 3]};
      if (d == 0) {
        rows_ = n;
      } else {
        row_bytes_ *= n;
      }
    }
  }
  ~IdxRows() { ::close(fd_); }
  IdxRows(const IdxRows&) = delete;
  IdxRows& operator=(const IdxRows&) = delete;

  int64_t rows() const { return rows_; }
  int64_t row_bytes() const { return row_bytes_; }
  // Rows [begin, begin + count) into out (count * row_bytes() bytes).
  void read(int64_t begin, int64_t count, uint8_t* out) const {
    read_at(header_bytes_ + begin * row_bytes_, out, static_cast<size_t>(count * row_bytes_));
  }

 private:
  void read_at(int64_t offset, void* out, size_t size) const {
    auto* p = static_cast<char*>(out);
    while (size > 0) {
      const ssize_t got = ::pread(fd_, p, size, offset);
      if (got <= 0) throw keras::IOError("IDX file too short");
      p += got, size -= static_cast<size_t>(got), offset += got;
    }
  }
  int fd_;
  int64_t header_bytes_ = 0, rows_ = 0, row_bytes_ = 1;
};

// `dir/name`, uncompressed: the file itself, or `dir/name.gz` unpacked into `scratch`.
std::string unpacked(const fs::path& dir, const std::string& name, const fs::path& scratch) {
  if (fs::exists(dir / name)) return (dir / name).string();
  const std::string gz = (dir / (name + ".gz")).string();
  gzFile in = gzopen(gz.c_str(), "rb");
  if (in == nullptr) {
    throw keras::IOError("missing " + gz + " (apt-get install dataset-fashion-mnist)");
  }
  const std::string out_path = (scratch / name).string();
  std::FILE* out = std::fopen(out_path.c_str(), "wb");
  if (out == nullptr) {
    gzclose(in);
    throw keras::IOError("cannot write " + out_path);
  }
  std::vector<char> chunk(1 << 20);
  int got = 0;
  while ((got = gzread(in, chunk.data(), static_cast<unsigned>(chunk.size()))) > 0) {
    std::fwrite(chunk.data(), 1, static_cast<size_t>(got), out);
  }
  gzclose(in);
  std::fclose(out);
  if (got < 0) throw keras::IOError("corrupt " + gz);
  return out_path;
}

// Rows [first, first + count) of an images file and its labels file, in batches: x is
// (batch, 784) float32 in [0, 1], y the one-hot labels (batch, 10).
class FashionMnistRows : public keras::utils::PyDataset {
 public:
  FashionMnistRows(const IdxRows& images,
                   const IdxRows& labels,
                   int64_t first,
                   int64_t count,
                   int64_t batch_size)
      : PyDataset({.workers = 2, .max_queue_size = 8}),
        images_(images),
        labels_(labels),
        first_(first),
        count_(count),
        batch_size_(batch_size) {}

  int64_t num_batches() const override { return (count_ + batch_size_ - 1) / batch_size_; }

  keras::utils::Batch get(int64_t index) override {
    const int64_t begin = first_ + index * batch_size_;
    const int64_t n = std::min(batch_size_, first_ + count_ - begin);
    std::vector<uint8_t> pixels(static_cast<size_t>(n * 784));
    images_.read(begin, n, pixels.data());
    keras::Tensor x = keras::Tensor::empty({n, 784}, keras::float32);
    float* xs = x.data<float>();
    for (size_t i = 0; i < pixels.size(); ++i) xs[i] = static_cast<float>(pixels[i]) / 255.0f;
    keras::Tensor y = keras::Tensor::empty({n}, keras::uint8);
    labels_.read(begin, n, y.data<uint8_t>());
    return {.x = x, .y = keras::utils::to_categorical(y, 10)};
  }

 private:
  const IdxRows& images_;
  const IdxRows& labels_;
  int64_t first_, count_, batch_size_;
};

int main(int argc, char** argv) {
  const int epochs = argc > 1 ? std::atoi(argv[1]) : 5;
  const int64_t train_samples = argc > 2 ? std::atoll(argv[2]) : 54000;
  const fs::path dir = argc > 3 ? argv[3] : "/usr/share/datasets/fashion-mnist";
  keras::utils::set_random_seed(2);

  const fs::path scratch =
      fs::temp_directory_path() / ("keras_fashion_mnist_" + std::to_string(::getpid()));
  fs::create_directories(scratch);
  int status = 0;
  try {
    const IdxRows train_images(unpacked(dir, "train-images-idx3-ubyte", scratch));
    const IdxRows train_labels(unpacked(dir, "train-labels-idx1-ubyte", scratch));
    const IdxRows test_images(unpacked(dir, "t10k-images-idx3-ubyte", scratch));
    const IdxRows test_labels(unpacked(dir, "t10k-labels-idx1-ubyte", scratch));
    // Training rows from the start of the file, validation from its last 10%.
    const int64_t val_first = train_images.rows() * 9 / 10;
    const int64_t train_count = std::min(train_samples, val_first);
    FashionMnistRows train(train_images, train_labels, 0, train_count, 32);
    FashionMnistRows val(train_images, train_labels, val_first, train_images.rows() - val_first,
                         32);
    FashionMnistRows test(test_images, test_labels, 0, test_images.rows(), 32);
    std::printf("streaming %lld training, %lld validation and %lld test images in batches of 32\n",
                static_cast<long long>(train_count),
                static_cast<long long>(train_images.rows() - val_first),
                static_cast<long long>(test_images.rows()));

    auto inputs = keras::Input({784});
    auto x = layers::Dense(64, {.activation = "relu"})(inputs);
    x = layers::Dense(64, {.activation = "relu"})(x);
    auto predictions = layers::Dense(10, {.activation = "softmax"})(x);
    keras::Model model(inputs, predictions);
    model.summary();
    model.compile(
        {.optimizer = "rmsprop", .loss = "categorical_crossentropy", .metrics = {"accuracy"}});
    model.fit(train, {}, {.epochs = epochs, .validation_data = keras::ValidationData{val}});
    auto scores = model.evaluate(test, {}, {.verbose = 0});
    std::printf("test loss: %.4f\n", scores["loss"]);
    std::printf("test accuracy: %.4f\n", scores["accuracy"]);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fashion_mnist_stream: %s\n", e.what());
    status = 1;
  }
  fs::remove_all(scratch);
  return status;
}
