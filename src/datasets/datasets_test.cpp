#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>

#include "keras/datasets/fashion_mnist.h"
#include "keras/datasets/mnist.h"

namespace keras::datasets {
namespace {

namespace fs = std::filesystem;

class DatasetsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           str("keras_datasets_", ::testing::UnitTest::GetInstance()->current_test_info()->name(),
               "_", ::getpid());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Writes an IDX uint8 file; gzipped when the name ends in ".gz".
  void write_idx(const std::string& name, std::vector<uint32_t> dims, uint8_t first) {
    std::string bytes{'\0', '\0', '\x08', static_cast<char>(dims.size())};
    size_t n = 1;
    for (uint32_t d : dims) {
      n *= d;
      for (int shift : {24, 16, 8, 0}) bytes += static_cast<char>(d >> shift);
    }
    for (size_t i = 0; i < n; ++i) bytes += static_cast<char>(first + i % 10);
    const std::string path = (dir_ / name).string();
    if (name.ends_with(".gz")) {
      gzFile gz = gzopen(path.c_str(), "wb");
      gzwrite(gz, bytes.data(), static_cast<unsigned>(bytes.size()));
      gzclose(gz);
    } else {
      std::ofstream(path, std::ios::binary).write(bytes.data(), std::ssize(bytes));
    }
  }

  void write_small_mnist(uint32_t test_labels = 2) {
    write_idx("train-images-idx3-ubyte.gz", {3, 28, 28}, 0);
    write_idx("train-labels-idx1-ubyte.gz", {3}, 0);
    write_idx("t10k-images-idx3-ubyte", {2, 28, 28}, 100);  // un-gzipped names work too
    write_idx("t10k-labels-idx1-ubyte", {test_labels}, 5);
  }

  fs::path dir_;
};

TEST_F(DatasetsTest, MnistLoadsSmallFiles) {
  write_small_mnist();
  auto [train, test] = mnist::load_data(dir_.string());
  EXPECT_EQ(train.x.shape(), (Shape{3, 28, 28}));
  EXPECT_EQ(train.x.dtype(), uint8);
  EXPECT_EQ(train.y.shape(), (Shape{3}));
  EXPECT_EQ(train.y.dtype(), uint8);
  EXPECT_EQ(test.x.shape(), (Shape{2, 28, 28}));
  EXPECT_EQ(test.x.at<uint8_t>({0, 0, 1}), 101);
  EXPECT_EQ(test.y.at<uint8_t>({1}), 6);
  auto [x_train, y_train] = train;
  EXPECT_EQ(y_train.at<uint8_t>({2}), 2);
}

TEST_F(DatasetsTest, MnistCountMismatch) {
  write_small_mnist(/*test_labels=*/3);
  try {
    mnist::load_data(dir_.string());
    ADD_FAILURE() << "no exception";
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("2 images but t10k-labels-idx1-ubyte has 3 labels"),
              std::string::npos)
        << e.what();
  }
}

TEST_F(DatasetsTest, MnistWrongImageShape) {
  write_small_mnist();
  write_idx("train-images-idx3-ubyte.gz", {3, 28, 27}, 0);
  EXPECT_THROW(mnist::load_data(dir_.string()), ValueError);
}

TEST_F(DatasetsTest, FashionMnistMissingFileNamesPackage) {
  write_small_mnist();
  fs::remove(dir_ / "t10k-labels-idx1-ubyte");
  try {
    fashion_mnist::load_data(dir_.string());
    ADD_FAILURE() << "no exception";
  } catch (const IOError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("t10k-labels-idx1-ubyte.gz"), std::string::npos) << msg;
    EXPECT_NE(msg.find("dataset-fashion-mnist"), std::string::npos) << msg;
    EXPECT_NE(msg.find("apt-get install dataset-fashion-mnist"), std::string::npos) << msg;
  }
  EXPECT_THROW(fashion_mnist::load_data((dir_ / "nowhere").string()), IOError);
}

TEST_F(DatasetsTest, FashionMnistInstalled) {
  const std::string dir = "/usr/share/datasets/fashion-mnist";
  if (!fs::exists(fs::path(dir) / "train-images-idx3-ubyte.gz") &&
      !fs::exists(fs::path(dir) / "train-images-idx3-ubyte")) {
    GTEST_SKIP() << "Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)";
  }
  auto [train, test] = fashion_mnist::load_data();
  EXPECT_EQ(train.x.shape(), (Shape{60000, 28, 28}));
  EXPECT_EQ(train.y.shape(), (Shape{60000}));
  EXPECT_EQ(test.x.shape(), (Shape{10000, 28, 28}));
  EXPECT_EQ(test.y.shape(), (Shape{10000}));
  EXPECT_EQ(train.x.dtype(), uint8);
  EXPECT_EQ(train.y.dtype(), uint8);
  std::vector<int64_t> counts(10, 0);
  for (const Tensor& y : {train.y, test.y}) {
    for (uint8_t label : y.span<uint8_t>()) {
      ASSERT_LT(label, 10);
      ++counts[label];
    }
  }
  for (int64_t c : counts) EXPECT_EQ(c, 7000);  // Fashion-MNIST is balanced
  uint8_t max_pixel = 0;
  for (uint8_t p : train.x.span<uint8_t>()) max_pixel = std::max(max_pixel, p);
  EXPECT_EQ(max_pixel, 255);
}

}  // namespace
}  // namespace keras::datasets
