// image_dataset_from_directory and text_dataset_from_directory against Keras 3.15.1: file order,
// class names, labels, split sizes, batch shapes and Keras's errors for a tree built in a
// per-process temporary directory from the fixtures of tests/data/images (the same tree Keras
// indexed for the expected values below), pixel values against image_dataset_test_goldens.inc,
// and fit / evaluate / predict on a dataset.
#include "keras/utils/image_dataset.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "keras/layers/core_layers.h"
#include "keras/layers/dense.h"
#include "keras/layers/input_layer.h"
#include "keras/layers/preprocessing/rescaling.h"
#include "keras/models/model.h"
#include "keras/utils/text_dataset.h"
#include "keras/utils/utils.h"

namespace keras {
namespace {

namespace fs = std::filesystem;
using utils::image_dataset_from_directory;
using utils::ImageDatasetOptions;

const fs::path kImages = fs::path(KERAS_SOURCE_DIR) / "tests/data/images";

struct Tree {
  fs::path root = fs::temp_directory_path() / ("keras_image_dataset_" + std::to_string(getpid()));
  explicit Tree(const std::map<std::string, std::string>& files) {
    fs::remove_all(root);
    for (const auto& [dst, src] : files) {
      fs::create_directories((root / dst).parent_path());
      if (src.starts_with("text:")) {
        std::ofstream(root / dst) << src.substr(5);
      } else {
        fs::copy_file(kImages / src, root / dst);
      }
    }
  }
  ~Tree() { fs::remove_all(root); }
  std::string dir() const { return root.string(); }
  std::vector<std::string> relative(const std::vector<std::string>& paths) const {
    std::vector<std::string> out;
    for (const auto& p : paths) out.push_back(fs::relative(p, root).string());
    return out;
  }
};

// The tree tools/fixtures/make_image_goldens.py --dirs indexes with Keras: three classes, a nested
// folder, an uppercase extension, a file that is not an image and a hidden folder.
const std::map<std::string, std::string> kTree = {
    {"cats/a.png", "rgb.png"},      {"cats/b.jpg", "photo.jpg"},   {"cats/c.gif", "anim.gif"},
    {"cats/notes.txt", "text:hi"},  {"dogs/d.bmp", "rgb.bmp"},     {"dogs/E.PNG", "palette.png"},
    {"dogs/sub/f.png", "gray.png"}, {"dogs/sub/g.bmp", "rgb.bmp"}, {".hidden/h.png", "rgb.png"},
    {"birds/i.bmp", "palette.bmp"}};

std::vector<int32_t> ints(const Tensor& t) {
  std::vector<int32_t> v(t.cpu().span<int32_t>().begin(), t.cpu().span<int32_t>().end());
  return v;
}
std::vector<float> floats(const Tensor& t) {
  const Tensor c = t.cpu();
  return {c.span<float>().begin(), c.span<float>().end()};
}

template <class F>
std::string error_of(F f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "no error";
}

TEST(ImageDatasetFromDirectory, FilesClassesAndLabelsAsKeras) {
  Tree tree(kTree);
  auto ds = image_dataset_from_directory(
      tree.dir(), {.batch_size = 3, .image_size = {6, 5}, .shuffle = false, .verbose = false});
  // ds.class_names, [os.path.relpath(p, root) for p in ds.file_paths] and the batches' y of
  // image_dataset_from_directory(root, shuffle=False, image_size=(6, 5), batch_size=3)
  EXPECT_EQ(ds->class_names(), (std::vector<std::string>{"birds", "cats", "dogs"}));
  EXPECT_EQ(
      tree.relative(ds->file_paths()),
      (std::vector<std::string>{"birds/i.bmp", "cats/a.png", "cats/b.jpg", "cats/c.gif",
                                "dogs/E.PNG", "dogs/d.bmp", "dogs/sub/f.png", "dogs/sub/g.bmp"}));
  ASSERT_EQ(ds->num_batches(), 3);
  ds->on_epoch_begin();
  const std::vector<std::vector<int32_t>> want = {{0, 1, 1}, {1, 2, 2}, {2, 2}};
  for (int64_t i = 0; i < 3; ++i) {
    const utils::Batch b = ds->get(i);
    const int64_t n = i < 2 ? 3 : 2;
    EXPECT_EQ(b.x.list()[0].shape(), (Shape{n, 6, 5, 3}));
    EXPECT_EQ(b.y.list()[0].dtype(), int32);
    EXPECT_EQ(ints(b.y.list()[0]), want[static_cast<size_t>(i)]);
  }
}

TEST(ImageDatasetFromDirectory, LabelModesAsKeras) {
  Tree tree(kTree);
  const ImageDatasetOptions base{
      .batch_size = 9, .image_size = {6, 5}, .shuffle = false, .verbose = false};
  ImageDatasetOptions o = base;
  o.label_mode = "categorical";
  const Tensor cat = image_dataset_from_directory(tree.dir(), o)->get(0).y.list()[0];
  EXPECT_EQ(cat.shape(), (Shape{8, 3}));
  EXPECT_EQ(floats(cat), (std::vector<float>{1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0,
                                             0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1}));
  // class_names=["dogs", "cats"], label_mode="binary": the given order, 7 files, (7, 1) floats.
  o = base;
  o.label_mode = "binary";
  o.class_names = std::vector<std::string>{"dogs", "cats"};
  auto binary = image_dataset_from_directory(tree.dir(), o);
  EXPECT_EQ(tree.relative(binary->file_paths()),
            (std::vector<std::string>{"dogs/E.PNG", "dogs/d.bmp", "dogs/sub/f.png",
                                      "dogs/sub/g.bmp", "cats/a.png", "cats/b.jpg", "cats/c.gif"}));
  const Tensor y = binary->get(0).y.list()[0];
  EXPECT_EQ(y.shape(), (Shape{7, 1}));
  EXPECT_EQ(floats(y), (std::vector<float>{0, 0, 0, 0, 1, 1, 1}));
  // labels=[3, 1, 3, 0, 1, 1, 0, 3, 1], label_mode="categorical": every file under root (the
  // hidden folder too), class_names the sorted labels, one_hot over 3 classes (3 is outside).
  o = base;
  o.labels = std::vector<int64_t>{3, 1, 3, 0, 1, 1, 0, 3, 1};
  o.label_mode = "categorical";
  auto listed = image_dataset_from_directory(tree.dir(), o);
  EXPECT_EQ(listed->class_names(), (std::vector<std::string>{"0", "1", "3"}));
  EXPECT_EQ(tree.relative(listed->file_paths()).front(), ".hidden/h.png");
  EXPECT_EQ(floats(listed->get(0).y.list()[0]),
            (std::vector<float>{0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 1,
                                0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0}));
  // labels=None: x only.
  o = base;
  o.labels = nullptr;
  const utils::Batch none = image_dataset_from_directory(tree.dir(), o)->get(0);
  EXPECT_EQ(none.x.list()[0].shape(), (Shape{9, 6, 5, 3}));
  EXPECT_TRUE(none.y.empty());
  // Grayscale, channels first (Keras's TensorFlow decoder cannot make gray BMPs; ours can).
  o = base;
  o.color_mode = "grayscale";
  o.data_format = "channels_first";
  EXPECT_EQ(image_dataset_from_directory(tree.dir(), o)->get(0).x.list()[0].shape(),
            (Shape{8, 1, 6, 5}));
}

TEST(ImageDatasetFromDirectory, ValidationSplitSizesAsKeras) {
  Tree tree(kTree);
  // validation_split=0.25, subset="both", seed=1337, batch_size=4: 6 and 2 files, batches of
  // (4, 2) and (2,); Keras's files differ (NumPy shuffles them), the sizes and labels match.
  auto [train, val] =
      utils::image_dataset_from_directory_both(tree.dir(), {.batch_size = 4,
                                                            .image_size = {6, 5},
                                                            .seed = 1337,
                                                            .validation_split = 0.25,
                                                            .verbose = false});
  EXPECT_EQ(train->file_paths().size(), 6u);
  EXPECT_EQ(val->file_paths().size(), 2u);
  EXPECT_EQ(train->num_batches(), 2);
  EXPECT_EQ(val->num_batches(), 1);
  std::vector<std::string> all = train->file_paths();
  all.insert(all.end(), val->file_paths().begin(), val->file_paths().end());
  std::sort(all.begin(), all.end());
  EXPECT_EQ(std::adjacent_find(all.begin(), all.end()), all.end()) << "overlapping subsets";
  EXPECT_EQ(all.size(), 8u);
  for (auto* ds : {train.get(), val.get()}) {
    for (size_t i = 0; i < ds->file_paths().size(); ++i) {
      const std::string cls = tree.relative({ds->file_paths()[i]})[0].substr(0, 4);
      EXPECT_EQ(ds->class_names()[static_cast<size_t>(ds->labels()[i])].substr(0, 4), cls);
    }
  }
  // The same seed splits the same way; the training subset alone is the same files.
  auto train_only = image_dataset_from_directory(tree.dir(), {.image_size = {6, 5},
                                                              .seed = 1337,
                                                              .validation_split = 0.25,
                                                              .subset = "training",
                                                              .verbose = false});
  EXPECT_EQ(train_only->file_paths(), train->file_paths());
  // validation_split=0.1 of 8 files: int(0.8) == 0, so Keras's [:-0] leaves training empty
  // and [-0:] gives validation every file.
  EXPECT_EQ(error_of([&] {
              image_dataset_from_directory(
                  tree.dir(),
                  {.seed = 1, .validation_split = 0.1, .subset = "training", .verbose = false});
            }),
            "No images found in directory " + tree.dir() +
                ". Allowed formats: ('.bmp', '.gif', '.jpeg', '.jpg', '.png')");
  EXPECT_EQ(image_dataset_from_directory(
                tree.dir(),
                {.seed = 1, .validation_split = 0.1, .subset = "validation", .verbose = false})
                ->file_paths()
                .size(),
            8u);
}

TEST(ImageDatasetFromDirectory, KerasErrors) {
  Tree tree(kTree);
  const std::string d = tree.dir();
  auto err = [&](ImageDatasetOptions o) {
    o.verbose = false;
    return error_of([&] { image_dataset_from_directory(d, o); });
  };
  EXPECT_EQ(err({.validation_split = 0.2}),
            "If `subset` is set, `validation_split` must be set, and inversely.");
  EXPECT_EQ(err({.subset = "training"}),
            "If `subset` is set, `validation_split` must be set, and inversely.");
  EXPECT_EQ(err({.validation_split = 0.2, .subset = "training"}),
            "If using `validation_split` and shuffling the data, you must provide a `seed` "
            "argument, to make sure that there is no overlap between the training and validation "
            "subset.");
  EXPECT_EQ(err({.seed = 1, .validation_split = 1.5, .subset = "training"}),
            "`validation_split` must be between 0 and 1, received: 1.5");
  EXPECT_EQ(err({.seed = 1, .validation_split = 0.2, .subset = "train"}),
            "`subset` must be either \"training\", \"validation\" or \"both\", received: train");
  EXPECT_EQ(err({.color_mode = "cmyk"}),
            "`color_mode` must be one of {\"rgb\", \"rgba\", \"grayscale\"}. Received: "
            "color_mode=cmyk");
  EXPECT_EQ(err({.interpolation = "cubic"}),
            "Argument `interpolation` should be one of ('bilinear', 'nearest', 'bicubic', 'area', "
            "'lanczos3', 'lanczos5', 'gaussian', 'mitchellcubic'). Received: interpolation=cubic");
  EXPECT_EQ(err({.label_mode = "sparse"}),
            "`label_mode` argument must be one of \"int\", \"categorical\", \"binary\", or None. "
            "Received: label_mode=sparse");
  EXPECT_EQ(err({.class_names = std::vector<std::string>{"cats", "cows"}}),
            "The `class_names` passed did not match the names of the subdirectories of the target "
            "directory. Expected: ['birds', 'cats', 'dogs'] (or a subset of it), but received: "
            "class_names=['cats', 'cows']");
  EXPECT_EQ(err({.labels = "foo"}),
            "`labels` argument should be a list/tuple of integer labels, of the same size as the "
            "number of image files in the target directory. If you wish to infer the labels from "
            "the subdirectory names in the target directory, pass `labels=\"inferred\"`. If you "
            "wish to get a dataset that only contains images (no labels), pass `labels=None`. "
            "Received: labels=foo");
  EXPECT_EQ(err({.labels = std::vector<int64_t>{1, 2, 3}}),
            "Expected the lengths of `labels` to match the number of files in the target "
            "directory. len(labels) is 3 while we found 9 files in directory " +
                d + ".");
  EXPECT_EQ(
      err({.labels = std::vector<int64_t>{0, 1}, .class_names = std::vector<std::string>{"cats"}}),
      "You can only pass `class_names` if `labels=\"inferred\"`. Received: labels=[0, 1], "
      "and class_names=['cats']");
  EXPECT_EQ(err({.label_mode = "binary"}),
            "When passing `label_mode=\"binary\"`, there must be exactly 2 class_names. Received: "
            "class_names=['birds', 'cats', 'dogs']");
  EXPECT_EQ(err({.labels = nullptr, .class_names = std::vector<std::string>{"cats"}}),
            "When `labels=None` (no labels), argument `class_names` cannot be specified.");
  EXPECT_EQ(error_of([&] { image_dataset_from_directory(d + "/missing"); }),
            "[Errno 2] No such file or directory: '" + d + "/missing'");
  fs::create_directories(tree.root / "empty/x");
  EXPECT_EQ(error_of([&] { image_dataset_from_directory(d + "/empty", {.verbose = false}); }),
            "No images found in directory " + d +
                "/empty. Allowed formats: ('.bmp', '.gif', '.jpeg', '.jpg', '.png')");
  EXPECT_THROW(
      image_dataset_from_directory(d, {.seed = 1, .validation_split = 0.2, .subset = "both"}),
      ValueError);
}

TEST(ImageDatasetFromDirectory, PixelsAsKerasGrainFormat) {
  const std::map<std::string, std::vector<float>> goldens = {
#include "utils/image_dataset_test_goldens.inc"
  };
  Tree tree({{"x/a.png", "rgb.png"}, {"x/b.png", "rgba.png"}, {"x/c.bmp", "rgb.bmp"}});
  const std::map<std::string, ImageDatasetOptions> cases = {
      {"bilinear", {}},
      {"nearest", {.interpolation = "nearest"}},
      {"crop", {.crop_to_aspect_ratio = true}},
      {"pad", {.pad_to_aspect_ratio = true}},
      {"bicubic", {.interpolation = "bicubic"}}};
  for (auto [name, o] : cases) {
    o.batch_size = 3, o.image_size = {6, 5}, o.shuffle = false, o.verbose = false;
    const std::vector<float> got =
        floats(image_dataset_from_directory(tree.dir(), o)->get(0).x.list()[0]);
    const std::vector<float> want = goldens.at(name);
    ASSERT_EQ(got.size(), want.size()) << name;
    // Same decoded pixels; the resize runs in float32 by the same formulas in another order
    // (JAX's kernels vs keras.cpp's), and the goldens are printed to 4 decimals. (Against
    // Keras's default format="tf", measured: bilinear, nearest and crop agree within 2e-3 too;
    // TensorFlow's bicubic differs by up to 0.07 and its pad_to_aspect_ratio places the image
    // otherwise.)
    float worst = 0;
    size_t at = 0;
    for (size_t i = 0; i < got.size(); ++i) {
      if (std::abs(got[i] - want[i]) > worst) worst = std::abs(got[i] - want[i]), at = i;
    }
    EXPECT_LE(worst, 2e-3f) << name << " at " << at << ": " << got[at] << " vs " << want[at];
  }
}

TEST(ImageDatasetFromDirectory, TrainsEvaluatesAndPredicts) {
  Tree tree(kTree);
  utils::set_random_seed(3);
  auto [train, val] =
      utils::image_dataset_from_directory_both(tree.dir(), {.label_mode = "categorical",
                                                            .batch_size = 4,
                                                            .image_size = {6, 5},
                                                            .seed = 42,
                                                            .validation_split = 0.25,
                                                            .verbose = false});
  auto inputs = Input({6, 5, 3});
  auto x = layers::Rescaling(1.0 / 255)(inputs);
  x = layers::Flatten()(x);
  auto outputs = layers::Dense(3, {.activation = "softmax"})(x);
  Model model(inputs, outputs);
  model.compile({.optimizer = "adam", .loss = "categorical_crossentropy", .metrics = {"accuracy"}});
  const auto history =
      model.fit(train, {}, {.epochs = 3, .verbose = 0, .validation_data = ValidationData{val}});
  ASSERT_EQ(history.history.at("loss").size(), 3u);
  EXPECT_TRUE(std::isfinite(history.history.at("val_loss").back()));
  EXPECT_EQ(model.predict(val, {.verbose = 0})[0].shape(), (Shape{2, 3}));
  EXPECT_EQ(model.evaluate(train, {}, {.verbose = 0}).size(), 2u);
}

TEST(TextDatasetFromDirectory, FilesLabelsAndMaxLength) {
  Tree tree({{"neg/a.txt", "text:bad movie"},
             {"neg/b.TXT", "text:awful"},
             {"pos/c.txt", "text:great film, loved it"},
             {"pos/d.md", "text:ignored"}});
  auto ds = utils::text_dataset_from_directory(
      tree.dir(), {.batch_size = 2, .max_length = 5, .shuffle = false, .verbose = false});
  EXPECT_EQ(ds->class_names(), (std::vector<std::string>{"neg", "pos"}));
  EXPECT_EQ(ds->num_batches(), 2);
  ds->on_epoch_begin();
  const utils::Batch b0 = ds->get(0), b1 = ds->get(1);
  const auto s0 = b0.x.list()[0].strings(), s1 = b1.x.list()[0].strings();
  EXPECT_EQ(std::vector<std::string>(s0.begin(), s0.end()),
            (std::vector<std::string>{"bad m", "awful"}));
  EXPECT_EQ(std::vector<std::string>(s1.begin(), s1.end()), (std::vector<std::string>{"great"}));
  EXPECT_EQ(ints(b0.y.list()[0]), (std::vector<int32_t>{0, 0}));
  EXPECT_EQ(ints(b1.y.list()[0]), (std::vector<int32_t>{1}));
  EXPECT_TRUE(error_of([&] {
                utils::text_dataset_from_directory(tree.dir(), {.labels = "x", .verbose = false});
              })
                  .starts_with("`labels` argument should be a list/tuple of integer labels, of the "
                               "same size as the number of text files in the target directory."));
  fs::create_directories(tree.root / "none");
  EXPECT_EQ(error_of([&] {
              utils::text_dataset_from_directory((tree.root / "none").string(), {.verbose = false});
            }),
            "No text files found in directory " + (tree.root / "none").string() +
                ". Allowed format: .txt");
}

}  // namespace
}  // namespace keras
