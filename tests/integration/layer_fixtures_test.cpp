// Models made with real Keras 3 (and tf_keras) using issue 13's layers
// (tools/fixtures/make_layer_fixtures.py, tests/data/layers/): keras.cpp loads each file,
// predicts what Keras predicted, and saves it again (.keras and legacy .h5) so that it loads back
// and predicts the same. LayerFixturesExport writes keras.cpp's files for the reverse check in
// Python (make_layer_fixtures.py check DIR).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <keras/keras.hpp>
#include <string>
#include <vector>

#include "harness/tensor_matchers.h"

namespace keras {
namespace {

namespace fs = std::filesystem;

const fs::path kDir = fs::path(KERAS_TEST_DATA_DIR) / "layers";

// Every model file of the fixtures: <name>.keras, <name>.h5 and <name>.tf_keras.h5.
std::vector<fs::path> model_files() {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(kDir)) {
    const std::string ext = e.path().extension().string();
    if (ext == ".keras" || ext == ".h5") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// <stem>.x0.npy, <stem>.x1.npy, ... (or .y) beside the file <stem>.<ext>.
Tensors arrays(const fs::path& file, const char* kind) {
  const std::string stem = (file.parent_path() / file.stem()).string();
  Tensors out;
  for (int i = 0; fs::exists(str(stem, ".", kind, i, ".npy")); ++i) {
    out.push_back(io::load_npy(str(stem, ".", kind, i, ".npy")));
  }
  return out;
}

std::string temp_path(const std::string& name) {
  const fs::path dir =
      fs::temp_directory_path() / ("keras_layer_fixtures_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return (dir / name).string();
}

// float32 on both sides with other kernels (XLA vs OpenBLAS/oneDNN): the bound,
// |diff| <= 1e-4 + 1e-4 |expected|. The models are a few small layers deep, so their rounding
// stays near 1e-6; the bound is loose against that and tight against any wrong formula.
void expect_keras_close(const Tensors& got, const Tensors& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    SCOPED_TRACE(str("output ", i));
    test::expect_all_close(ops::cast(got[i], float32), want[i], 1e-4, 1e-4);
  }
}

TEST(LayerFixtures, KerasFilesPredictWhatKerasPredicted) {
  const std::vector<fs::path> files = model_files();
  ASSERT_FALSE(files.empty()) << kDir;
  for (const fs::path& file : files) {
    SCOPED_TRACE(file.filename().string());
    Model m = models::load_model(file.string());
    const Tensors x = arrays(file, "x");
    ASSERT_FALSE(x.empty());
    expect_keras_close(m.predict(x), arrays(file, "y"));
  }
}

TEST(LayerFixtures, SavedAgainTheyPredictTheSame) {
  for (const fs::path& file : model_files()) {
    Model m = models::load_model(file.string());
    const Tensors x = arrays(file, "x");
    const Outputs want = m.predict(x);
    for (const char* ext : {".keras", ".h5"}) {
      SCOPED_TRACE(file.filename().string() + " saved as " + ext);
      const std::string path = temp_path(file.stem().string() + ext);
      m.save(path);
      const Outputs got = models::load_model(path).predict(x);
      ASSERT_EQ(got.size(), want.size());
      // The same kernels on the same shapes: bit for bit.
      for (size_t i = 0; i < got.size(); ++i) test::expect_all_close(got[i], want[i], 0, 0);
    }
  }
}

// Writes keras.cpp's saves of every fixture, with inputs and keras.cpp's predictions, for
// make_layer_fixtures.py check DIR, when KERAS_LAYER_EXPORT_DIR is set.
TEST(LayerFixturesExport, WritesFilesForThePythonCheck) {
  const char* dir = std::getenv("KERAS_LAYER_EXPORT_DIR");
  if (dir == nullptr) GTEST_SKIP() << "KERAS_LAYER_EXPORT_DIR not set";
  fs::create_directories(dir);
  for (const fs::path& file : model_files()) {
    Model m = models::load_model(file.string());
    const Tensors x = arrays(file, "x");
    const Outputs y = m.predict(x);
    // name.keras -> name.cpp.keras and name.cpp_legacy.h5; name.tf_keras.h5 -> name.tf_keras...
    std::string base = file.filename().string();
    base = base.substr(0, base.size() - file.extension().string().size());
    if (file.extension() == ".h5" && base.find(".tf_keras") == std::string::npos) continue;
    for (const std::string& stem : {base + ".cpp", base + ".cpp_legacy"}) {
      m.save(str(dir, "/", stem, stem.ends_with("legacy") ? ".h5" : ".keras"));
      for (size_t i = 0; i < x.size(); ++i)
        io::save_npy(str(dir, "/", stem, ".x", i, ".npy"), x[i]);
      for (size_t i = 0; i < y.size(); ++i)
        io::save_npy(str(dir, "/", stem, ".y", i, ".npy"), y[i]);
    }
  }
}

}  // namespace
}  // namespace keras
