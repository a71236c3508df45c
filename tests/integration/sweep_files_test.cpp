// The broad sweep: many small random models made by Keras 3 (.keras and legacy .h5) and tf_keras
// (.tf_keras.h5 and .tf_keras.keras) with tools/fixtures/make_sweep_fixtures.py into a folder
// (`make check-sweep`: build/sweep). keras.cpp loads each file, predicts Keras's predictions and
// saves the model again into <folder>/cpp for the reverse check in Python. The files are generated,
// never committed: without KERAS_SWEEP_DIR (as in `make test`) the test skips.
//
// Tolerance: |diff| <= 1e-4 + 1e-4 * |expected| per element: float32 on both sides through a few
// small layers, other kernels and summation orders (rounding near 1e-6), loose against that and
// tight against a wrong formula or option.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <keras/keras.hpp>

#include "harness/keras_fixtures.h"

namespace keras {
namespace {
namespace fs = std::filesystem;

fs::path sweep_dir() {
  const char* dir = std::getenv("KERAS_SWEEP_DIR");
  return dir && *dir ? fs::path(dir) : fs::path();
}

// Every model file of the folder, or one placeholder so that the suite exists (and skips).
std::vector<std::string> sweep_files() {
  const fs::path dir = sweep_dir();
  std::vector<std::string> out;
  if (!dir.empty() && fs::is_directory(dir)) {
    for (const fs::path& p : test::fixture_model_files(dir)) out.push_back(p.filename().string());
  }
  if (out.empty()) out.push_back("none");
  return out;
}

// The first element outside the tolerance, as a sentence; empty when all are within it.
std::string mismatch(const Tensor& got_any, const Tensor& expected) {
  if (got_any.shape() != expected.shape()) {
    return str("shape ", shape_str(got_any.shape()), " instead of ", shape_str(expected.shape()));
  }
  const Tensor g = ops::cast(got_any, float64), e = ops::cast(expected, float64);
  const double* gp = g.data<double>();
  const double* ep = e.data<double>();
  double worst = 0;
  int64_t bad = 0, first = -1;
  for (int64_t i = 0; i < g.size(); ++i) {
    const double diff = std::fabs(gp[i] - ep[i]);
    if (!(diff <= 1e-4 + 1e-4 * std::fabs(ep[i]))) {
      if (first < 0) first = i;
      ++bad;
      worst = std::max(worst, std::isnan(diff) ? INFINITY : diff);
    }
  }
  if (bad == 0) return {};
  return str(bad, " of ", g.size(), " elements differ, max |diff| ", worst, "; element ", first,
             ": ", gp[first], " instead of ", ep[first]);
}

void report(const fs::path& dir, const std::string& file, const std::string& what) {
  std::string line = what;
  for (char& c : line) c = c == '\n' || c == '\t' ? ' ' : c;
  if (line.size() > 400) line = line.substr(0, 400) + "...";
  std::ofstream(dir / "cpp_report.tsv", std::ios::app) << file << "\t" << line << "\n";
}

class SweepFiles : public ::testing::TestWithParam<std::string> {};

TEST_P(SweepFiles, LoadPredictSave) {
  const fs::path dir = sweep_dir();
  if (dir.empty() || GetParam() == "none") GTEST_SKIP() << "KERAS_SWEEP_DIR is not set";
  const fs::path file = dir / GetParam();
  const Tensors x = test::fixture_arrays(file, "x");
  const Tensors y = test::fixture_arrays(file, "y");
  std::optional<Model> model;
  try {
    model = models::load_model(file.string(), {.compile = false});
  } catch (const std::exception& e) {
    report(dir, GetParam(), str("LOAD\t", e.what()));
    FAIL() << "load: " << e.what();
  }
  Outputs got;
  try {
    got = model->predict(test::model_inputs(*model, x));
  } catch (const std::exception& e) {
    report(dir, GetParam(), str("PREDICT\t", e.what()));
    FAIL() << "predict: " << e.what();
  }
  std::string why;
  if (got.size() != y.size()) why = str(got.size(), " outputs instead of ", y.size());
  for (size_t i = 0; why.empty() && i < y.size(); ++i) {
    const std::string m = mismatch(got[i], y[i]);
    if (!m.empty()) why = str("output ", i, ": ", m);
  }
  if (!why.empty()) {
    report(dir, GetParam(), str("DIFF\t", why));
    ADD_FAILURE() << why;
  }
  // Saved again, with keras.cpp's predictions, for make_sweep_fixtures.py check.
  fs::create_directories(dir / "cpp");
  std::string stem = file.stem().string();
  try {
    test::export_for_python_check(*model, x, (dir / "cpp").string(), stem);
  } catch (const std::exception& e) {
    report(dir, GetParam(), str("SAVE\t", e.what()));
    FAIL() << "save: " << e.what();
  }
  if (why.empty()) report(dir, GetParam(), "OK");
}

INSTANTIATE_TEST_SUITE_P(Sweep,
                         SweepFiles,
                         ::testing::ValuesIn(sweep_files()),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace keras
