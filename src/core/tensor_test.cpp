#include "keras/core/tensor.h"

#include <gtest/gtest.h>

#include <sstream>

namespace keras {
namespace {

TEST(Tensor, FromVectorAndAccess) {
  Tensor t = Tensor::from_vector<float>({1, 2, 3, 4, 5, 6}, {2, 3});
  EXPECT_EQ(t.shape(), (Shape{2, 3}));
  EXPECT_EQ(t.at<float>({1, 2}), 6.0f);
  EXPECT_EQ(t.at<float>({-1, 0}), 4.0f);
  EXPECT_THROW(t.at<float>({2, 0}), IndexError);
  EXPECT_THROW(t.at<double>({0, 0}), TypeError);
}

TEST(Tensor, ReshapeSharesMemoryAndInfers) {
  Tensor t = arange(12, float32);
  Tensor r = t.reshape({3, -1});
  EXPECT_EQ(r.shape(), (Shape{3, 4}));
  r.at<float>({0, 1}) = 42;
  EXPECT_EQ(t.data<float>()[1], 42);
  EXPECT_THROW(t.reshape({5, -1}), ValueError);
}

TEST(Tensor, SliceRowsIsAView) {
  Tensor t = arange(12, int32).reshape({4, 3});
  Tensor s = t.slice_rows(1, 3);
  EXPECT_EQ(s.shape(), (Shape{2, 3}));
  EXPECT_EQ(s.at<int32_t>({0, 0}), 3);
  EXPECT_THROW(t.slice_rows(3, 5), IndexError);
}

TEST(Tensor, CopyRowsFromGathersRows) {
  const Tensor src = arange(12, int32).reshape({4, 3});
  const Tensor dst = zeros({3, 3}, int32);
  const std::vector<int64_t> rows = {2, 3, 0};  // a run of two rows, then one
  dst.copy_rows_from(src, rows);
  EXPECT_EQ(dst.at<int32_t>({0, 0}), 6);
  EXPECT_EQ(dst.at<int32_t>({1, 2}), 11);
  EXPECT_EQ(dst.at<int32_t>({2, 1}), 1);
  const std::vector<int64_t> out_of_range = {3, 4};
  EXPECT_THROW(dst.copy_rows_from(src, out_of_range), IndexError);
  EXPECT_THROW(dst.copy_rows_from(src.astype(int64), rows), ValueError);
  EXPECT_THROW(zeros({3, 2}, int32).copy_rows_from(src, rows), ValueError);
  const std::vector<int64_t> too_many = {0, 1, 2, 3};
  EXPECT_THROW(dst.copy_rows_from(src, too_many), IndexError);
}

TEST(Tensor, AstypeConverts) {
  Tensor t = Tensor::from_vector<float>({1.7f, -2.2f});
  Tensor i = t.astype(int32);
  EXPECT_EQ(i.dtype(), int32);
  EXPECT_EQ(i.data<int32_t>()[0], 1);
  EXPECT_EQ(i.data<int32_t>()[1], -2);
}

TEST(Tensor, PrintsLikeNumpy) {
  std::ostringstream out;
  out << Tensor::from_vector<int32_t>({1, 2, 3, 4}, {2, 2});
  EXPECT_EQ(out.str(), "Tensor(shape=(2, 2), dtype=int32)\n[[1, 2],\n [3, 4]]");
}

// String tensors: host strings behind the same handle semantics (views share, copies copy); no
// numeric access.
TEST(Tensor, HoldsStrings) {
  const Tensor t = Tensor::from_strings({"a", "bc", "", "日本", "x\ny", "z"}, {3, 2});
  EXPECT_EQ(t.dtype(), string_);
  EXPECT_EQ(t.shape(), (Shape{3, 2}));
  EXPECT_EQ(t.strings()[3], "日本");
  EXPECT_EQ(Tensor::from_strings({"p", "q"}).shape(), (Shape{2}));
  const Tensor row = t.slice_rows(1, 2);
  EXPECT_EQ(row.strings()[1], "日本");
  const Tensor flat = t.reshape({-1});
  flat.strings()[0] = "A";  // views share their strings
  EXPECT_EQ(t.strings()[0], "A");
  const Tensor copy = t.clone();
  copy.strings()[0] = "B";
  EXPECT_EQ(t.strings()[0], "A");
  const Tensor picked = Tensor::empty({2, 2}, string_);
  EXPECT_EQ(picked.strings()[3], "");
  const int64_t rows[] = {2, 0};
  picked.copy_rows_from(t, rows);
  EXPECT_EQ(picked.strings()[0], "x\ny");
  EXPECT_EQ(picked.strings()[2], "A");
  EXPECT_THROW(picked.copy_rows_from(Tensor::from_vector<float>({1, 2}, {1, 2}), rows), ValueError);
  EXPECT_EQ(t.cpu().strings()[1], "bc");
  std::ostringstream out;
  out << Tensor::from_strings({"it's", "a\\b", "\x01"});
  EXPECT_EQ(out.str(), "Tensor(shape=(3,), dtype=string)\n['it\\'s', 'a\\\\b', '\\x01']");
  // Numbers are not strings, nor strings numbers.
  EXPECT_THROW(t.raw_data(), TypeError);
  EXPECT_THROW(t.host_data(), TypeError);
  EXPECT_THROW(t.data<float>(), TypeError);
  EXPECT_THROW(t.astype(float32), TypeError);
  EXPECT_THROW(Tensor::from_vector<float>({1}).astype(string_), TypeError);
  EXPECT_THROW(Tensor::from_vector<float>({1}).strings(), TypeError);
  EXPECT_THROW(zeros({2}, string_), TypeError);
  EXPECT_THROW(t.item<float>(), ValueError);
  EXPECT_THROW(Tensor::from_strings({"a"}, {2}), ValueError);
  EXPECT_EQ(dtype_from_name("string"), string_);
  EXPECT_EQ(dtype_name(string_), "string");
}

TEST(Shape, PrintsAsPythonTuple) {
  EXPECT_EQ(shape_str({kNone, 784}), "(None, 784)");
  EXPECT_EQ(shape_str({10}), "(10,)");
  EXPECT_EQ(shape_str({}), "()");
}

TEST(Shape, Broadcasts) {
  EXPECT_EQ(broadcast_shapes({3, 1, 5}, {4, 1}), (Shape{3, 4, 5}));
  EXPECT_THROW(broadcast_shapes({3}, {4}), ValueError);
}

}  // namespace
}  // namespace keras
