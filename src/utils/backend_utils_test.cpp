// keras.utils.normalize, is_keras_tensor and standardize_dtype against Keras 3.15.
#include "keras/utils/backend_utils.h"

#include <gtest/gtest.h>

#include <keras/keras.hpp>

#include "harness/tensor_matchers.h"

namespace keras::utils {
namespace {

TEST(UtilsNormalize, MatchesKeras) {
  // keras.utils.normalize(keras.ops.convert_to_tensor([[3., 4.], [1., 2.]]))
  //   -> [[0.6, 0.8], [0.4472136, 0.8944272]]
  Tensor x = test::tensor_of({3, 4, 1, 2}, {2, 2}, float32);
  // float32 results printed by NumPy to 7 digits: 1e-6 covers the printing and one rounding.
  test::expect_all_close(
      normalize(x), test::tensor_of({0.6, 0.8, 0.4472136, 0.8944272}, {2, 2}, float32), 0, 1e-6);
  test::expect_all_close(normalize(x, 0),
                         test::tensor_of({3 / std::sqrt(10.0), 4 / std::sqrt(20.0),
                                          1 / std::sqrt(10.0), 2 / std::sqrt(20.0)},
                                         {2, 2}, float32),
                         0, 1e-6);
}

TEST(UtilsIsKerasTensor, SymbolicOnly) {
  // keras.utils.is_keras_tensor(keras.Input((2,))) -> True; (np.ones(2)) -> False
  EXPECT_TRUE(is_keras_tensor(keras::Input({2})));
  EXPECT_FALSE(is_keras_tensor(test::tensor_of({1, 1})));
  EXPECT_FALSE(is_keras_tensor(3));
}

TEST(UtilsStandardizeDtype, KerasNames) {
  // keras.utils.standardize_dtype(d) for None, "int", "float32", "bfloat16", "int64", "bool",
  // "uint16" -> float32, int32, float32, bfloat16, int64, bool, uint16
  EXPECT_EQ(standardize_dtype(), "float32");
  EXPECT_EQ(standardize_dtype("int"), "int32");
  EXPECT_EQ(standardize_dtype("float32"), "float32");
  EXPECT_EQ(standardize_dtype("bfloat16"), "bfloat16");
  EXPECT_EQ(standardize_dtype("int64"), "int64");
  EXPECT_EQ(standardize_dtype("bool"), "bool");
  EXPECT_EQ(standardize_dtype("uint16"), "uint16");
  EXPECT_EQ(standardize_dtype(float64), "float64");
  // ... "float", "double", "str" -> ValueError: Invalid dtype: float
  for (const char* bad : {"float", "double", "str"}) {
    try {
      standardize_dtype(bad);
      ADD_FAILURE() << bad;
    } catch (const ValueError& e) {
      EXPECT_EQ(std::string(e.what()), std::string("Invalid dtype: ") + bad);
    }
  }
}

}  // namespace
}  // namespace keras::utils
