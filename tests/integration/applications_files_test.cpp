// keras.applications models saved by Keras 3 (weights=None, non-trivial random weights) loaded,
// predicted and saved again by keras.cpp: `make check-applications` makes the files with
// tools/fixtures/make_applications_fixtures.py into build/applications, runs these tests with
// KERAS_APPLICATIONS_DIR pointing there, then has Keras load what keras.cpp wrote. The files are
// hundreds of MB, so they are generated, never committed: without KERAS_APPLICATIONS_DIR (as in
// `make test`) or without a model's files, the tests skip.
//
// Tolerance: |diff| <= 1e-4 + 1e-4 * |expected|, per element. The same maths as Keras on JAX
// (XLA's convolutions, float32) in a different order of summation, through up to ~500 layers
// whose BatchNormalization statistics are measured on similar images, so activations stay of
// order 1 and rounding grows roughly with the square root of the depth: a few 1e-6 relative.
// Where the script's f64 step wrote <name>.y64.npy (Keras's prediction in float64), a prediction
// within the tolerance of that exact answer passes too: Keras's own float32 rounding puts
// EfficientNetV2B0 1.6e-4 from it. `make check-applications` runs with KERAS_WINOGRAD=0: oneDNN's
// Winograd F(4x4, 3x3) rounds more than direct convolution (docs/differences.md, 22).
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <keras/keras.hpp>

namespace keras {
namespace {

namespace A = keras::applications;

const std::vector<std::string> kModels = {"xception",
                                          "vgg16",
                                          "vgg19",
                                          "resnet50",
                                          "resnet101",
                                          "resnet152",
                                          "resnet50v2",
                                          "resnet101v2",
                                          "resnet152v2",
                                          "inception_v3",
                                          "inception_resnet_v2",
                                          "mobilenet",
                                          "mobilenet_v2",
                                          "mobilenet_v3_small",
                                          "mobilenet_v3_large",
                                          "densenet121",
                                          "nasnet_mobile",
                                          "efficientnet_b0",
                                          "efficientnet_v2_b0",
                                          "convnext_tiny"};

// The directory with the files, or empty (the test skips).
std::string files_for(const std::string& name) {
  const char* dir = std::getenv("KERAS_APPLICATIONS_DIR");
  if (!dir || !*dir) return {};
  const std::string base = std::string(dir) + "/" + name;
  return std::filesystem::exists(base + ".keras") ? base : std::string{};
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// The largest |got - expected|, and whether every element is within atol + 1e-4 |expected|.
// Against Keras's float32 run atol is 1e-4. Against the float64 run it is 2.5e-4: Winograd's
// float32 rounding through a 150-layer network (docs/differences.md, item 22) measured max 1.9e-4
// (rms 4.2e-5) on ResNet152, 1.3-1.5e-4 with oneDNN's Winograd alone; a weight loaded wrongly
// moves these outputs by 1e-2 or more.
std::pair<double, bool> compare(const Tensor& got, const Tensor& expected, double atol = 1e-4) {
  EXPECT_EQ(got.shape(), expected.shape());
  if (got.shape() != expected.shape()) return {INFINITY, false};
  const Tensor g = ops::cast(got, float64), e = ops::cast(expected, float64);
  const double* gp = g.data<double>();
  const double* ep = e.data<double>();
  double worst = 0;
  bool ok = true;
  for (int64_t i = 0; i < g.size(); ++i) {
    const double diff = std::fabs(gp[i] - ep[i]);
    if (!(diff <= atol + 1e-4 * std::fabs(ep[i]))) ok = false;
    worst = std::max(worst, std::isnan(diff) ? INFINITY : diff);
  }
  return {worst, ok};
}

// One line per file for the report: model, file, result, max |diff|, load and predict seconds.
void report(const std::string& base, const std::string& line) {
  std::ofstream(std::filesystem::path(base).parent_path() / "cpp_report.tsv", std::ios::app)
      << line << "\n";
  std::cout << line << std::endl;
}

class ApplicationsFiles : public ::testing::TestWithParam<std::string> {};

TEST_P(ApplicationsFiles, LoadPredictAndSaveAsKeras) {
  const std::string name = GetParam();
  const std::string base = files_for(name);
  if (base.empty()) GTEST_SKIP() << "no KERAS_APPLICATIONS_DIR/" << name << ".keras";
  const Tensor x = io::load_npy(base + ".x.npy");
  const Tensor y = io::load_npy(base + ".y.npy");
  const bool has_exact = std::filesystem::exists(base + ".y64.npy");
  const Tensor exact = has_exact ? io::load_npy(base + ".y64.npy") : Tensor();
  std::optional<Model> loaded;
  for (const std::string ext : {".keras", ".h5"}) {
    auto t0 = std::chrono::steady_clock::now();
    try {
      Model model = models::load_model(base + ext, {.compile = false});
      const double load_s = seconds_since(t0);
      t0 = std::chrono::steady_clock::now();
      const Tensor got = model.predict(x, {.batch_size = static_cast<int>(x.shape()[0])});
      const double predict_s = seconds_since(t0);
      const auto [diff, close] = compare(got, y);
      const auto [diff64, close64] =
          has_exact ? compare(got, exact, 2.5e-4) : std::pair<double, bool>{NAN, false};
      const bool ok = close || close64;
      EXPECT_TRUE(ok) << name << ext << ": max |diff| " << diff << " from Keras, " << diff64
                      << " from float64";
      report(base, name + "\t" + ext + "\t" + (ok ? "OK" : "DIFF") + "\t" + std::to_string(diff) +
                       "\t" + std::to_string(load_s) + "\t" + std::to_string(predict_s) + "\t" +
                       std::to_string(diff64));
      if (!loaded) {
        loaded = model;
        io::save_npy(base + ".cpp.y.npy", got);  // for looking into differences
      }
    } catch (const Error& e) {
      ADD_FAILURE() << name << ext << ": " << e.what();
      std::string what = e.what();
      if (what.size() > 300) what = what.substr(0, 300) + "...";
      for (char& c : what) c = c == '\n' || c == '\t' ? ' ' : c;
      report(base, name + "\t" + ext + "\tERROR\t" + what);
    }
  }
  if (!loaded) return;
  // Saved again for the reverse check (make_applications_fixtures.py check).
  for (const std::string ext : {".cpp.keras", ".cpp.h5"}) {
    try {
      loaded->save(base + ext);
    } catch (const Error& e) {
      ADD_FAILURE() << name << ext << ": " << e.what();
      report(base, name + "\t" + ext + "\tSAVE ERROR\t" + e.what());
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Keras3,
                         ApplicationsFiles,
                         ::testing::ValuesIn(kModels),
                         [](const auto& info) { return info.param; });

// The models keras.cpp builds itself take Keras's weights by layer name and predict the same:
// the architecture, not only the loader, matches Keras's. Sizes and options as the script's.
// legacy_by_name: also from the .h5 file by layer name (not for Xception and EfficientNet, whose
// unnamed layers' automatic names, "conv2d_3", are numbered differently in each process and for
// each model built: Keras 2's by_name skips them, leaving their random weights).
void expect_cpp_built_predicts_as_keras(const std::string& name,
                                        const std::function<Model()>& build,
                                        bool legacy_by_name = true) {
  const std::string base = files_for(name);
  if (base.empty()) GTEST_SKIP() << "no KERAS_APPLICATIONS_DIR/" << name << ".keras";
  const Tensor x = io::load_npy(base + ".x.npy");
  const Tensor y = io::load_npy(base + ".y.npy");
  const bool has_exact = std::filesystem::exists(base + ".y64.npy");
  const Tensor exact = has_exact ? io::load_npy(base + ".y64.npy") : Tensor();
  Model from_keras_archive = build();
  from_keras_archive.load_weights(base + ".keras");
  auto [diff, ok] = compare(from_keras_archive.predict(x), y);
  EXPECT_TRUE(ok) << name << ".keras weights: max |diff| " << diff;
  if (!legacy_by_name) return;
  Model from_legacy = build();
  from_legacy.load_weights(base + ".h5", {.by_name = true});
  std::tie(diff, ok) = compare(from_legacy.predict(x), y);
  EXPECT_TRUE(ok) << name << ".h5 weights by name: max |diff| " << diff;
}

TEST(ApplicationsFiles, CppBuiltResNet50TakesKerasWeights) {
  expect_cpp_built_predicts_as_keras("resnet50", [] {
    return A::ResNet50({.input_shape = {{64, 64, 3}}, .classifier_activation = "linear"});
  });
}

TEST(ApplicationsFiles, CppBuiltMobileNetV2TakesKerasWeights) {
  expect_cpp_built_predicts_as_keras("mobilenet_v2", [] {
    return A::MobileNetV2({.input_shape = {{64, 64, 3}}, .classifier_activation = "linear"});
  });
}

TEST(ApplicationsFiles, CppBuiltEfficientNetB0TakesKerasWeights) {
  // Not by name from the .h5: its stem's Rescaling and Normalization are unnamed in Keras too.
  expect_cpp_built_predicts_as_keras(
      "efficientnet_b0",
      [] {
        return A::EfficientNetB0({.input_shape = {{64, 64, 3}}, .classifier_activation = "linear"});
      },
      false);
}

TEST(ApplicationsFiles, CppBuiltXceptionTakesKerasWeights) {
  expect_cpp_built_predicts_as_keras(
      "xception",
      [] {
        return A::Xception({.input_shape = {{96, 96, 3}}, .classifier_activation = "linear"});
      },
      false);
}

}  // namespace
}  // namespace keras
