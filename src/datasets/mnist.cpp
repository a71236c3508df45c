#include "keras/datasets/mnist.h"

#include <filesystem>

#include "keras/io/idx.h"

namespace keras::datasets {
namespace detail {
namespace {

Tensor load_file(const std::string& dir,
                 const std::string& name,
                 std::string_view dataset,
                 std::string_view missing_hint) {
  const std::filesystem::path base = std::filesystem::path(dir) / name;
  for (const std::filesystem::path& p : {std::filesystem::path(base.string() + ".gz"), base}) {
    std::error_code ec;
    if (std::filesystem::exists(p, ec)) return io::load_idx(p.string());
  }
  throw IOError(str(dataset, ".load_data: missing file ", base.string(), ".gz (or ", base.string(),
                    ")", missing_hint));
}

Split load_split(const std::string& dir,
                 const std::string& prefix,
                 std::string_view dataset,
                 std::string_view missing_hint) {
  const std::string images = prefix + "-images-idx3-ubyte";
  const std::string labels = prefix + "-labels-idx1-ubyte";
  Split s{load_file(dir, images, dataset, missing_hint),
          load_file(dir, labels, dataset, missing_hint)};
  KERAS_CHECK(s.x.dtype() == uint8 && s.x.rank() == 3 && s.x.dim(1) == 28 && s.x.dim(2) == 28,
              ValueError, dataset, ".load_data: ", dir, "/", images,
              " should hold uint8 images of shape (n, 28, 28), got ", s.x.dtype(), " ",
              shape_str(s.x.shape()));
  KERAS_CHECK(s.y.dtype() == uint8 && s.y.rank() == 1, ValueError, dataset, ".load_data: ", dir,
              "/", labels, " should hold uint8 labels of shape (n,), got ", s.y.dtype(), " ",
              shape_str(s.y.shape()));
  KERAS_CHECK(s.x.dim(0) == s.y.dim(0), ValueError, dataset, ".load_data: ", dir, "/", images,
              " has ", s.x.dim(0), " images but ", labels, " has ", s.y.dim(0), " labels");
  return s;
}

}  // namespace

Dataset load_idx_dataset(const std::string& dir,
                         std::string_view dataset,
                         std::string_view missing_hint) {
  Split train = load_split(dir, "train", dataset, missing_hint);
  Split test = load_split(dir, "t10k", dataset, missing_hint);
  return {std::move(train), std::move(test)};
}

}  // namespace detail

namespace mnist {

Dataset load_data(const std::string& dir) {
  return detail::load_idx_dataset(dir, "mnist", "");
}

}  // namespace mnist
}  // namespace keras::datasets
