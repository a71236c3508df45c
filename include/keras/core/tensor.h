// Tensor: an n-dimensional, row-major, contiguous array with a dtype and a device.
//
// A Tensor is a cheap handle: copying one shares the same data (like torch::Tensor). reshape()
// and slice_rows() return views that share storage; everything else that computes returns a new
// tensor. Element access (data<T>(), at<T>()) is for host code and tests and requires a CPU tensor.
// Arithmetic lives in keras::ops (keras/ops/...), not here.
#pragma once

#include <cstdint>
#include <memory>
#include <ostream>
#include <span>
#include <vector>

#include "keras/core/device.h"
#include "keras/core/dtype.h"
#include "keras/core/error.h"
#include "keras/core/shape.h"

namespace keras {

// Raw memory owned by a tensor (or shared by several views).
class Storage {
 public:
  Storage(size_t nbytes, Device device);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;
  void* data() const { return data_; }
  size_t nbytes() const { return nbytes_; }
  Device device() const { return device_; }

 private:
  void* data_ = nullptr;
  size_t nbytes_ = 0;
  Device device_;
};

class Tensor {
 public:
  Tensor() = default;  // an undefined tensor: defined() is false

  // Uninitialized memory.
  static Tensor empty(Shape shape, DType dtype = float32, Device device = {});
  // Copies `values` into a new tensor of `shape`; throws ValueError when the sizes differ.
  template <class T>
  static Tensor from_vector(const std::vector<T>& values, Shape shape);
  template <class T>
  static Tensor from_vector(const std::vector<T>& values) {
    return from_vector(values, {static_cast<int64_t>(values.size())});
  }
  template <class T>
  static Tensor scalar(T value) {
    return from_vector(std::vector<T>{value}, {});
  }

  bool defined() const { return impl_ != nullptr; }
  const Shape& shape() const { return impl().shape; }
  int rank() const { return static_cast<int>(impl().shape.size()); }
  // Dimension `axis`; negative counts from the end.
  int64_t dim(int axis) const;
  int64_t size() const { return impl().numel; }
  DType dtype() const { return impl().dtype; }
  Device device() const { return impl().storage->device(); }
  size_t nbytes() const { return static_cast<size_t>(size()) * dtype_size(dtype()); }
  // Identity of this tensor value (views get their own id). Used by the gradient tape.
  uint64_t id() const { return impl().id; }

  // Trainable variables set this; a gradient tape watches such tensors automatically.
  bool requires_grad() const { return defined() && impl().requires_grad; }
  void set_requires_grad(bool value) { impl().requires_grad = value; }

  // Row-sparsity hint, set on the gradients of gathers (ops::take): this tensor is zero outside
  // the rows (along axis 0) whose ids `rows` holds (int32 or int64, any shape, duplicates
  // allowed, all in range). Optimizers use it to update only those rows. The tensor itself is
  // always complete; the hint is shared by copies of this handle and never inherited by tensors
  // computed from it. nonzero_rows() is undefined when there is no hint.
  Tensor nonzero_rows() const;
  void set_nonzero_rows(const Tensor& rows) const;

  // Keras mask (Keras 3's `_keras_mask`): a bool tensor of this tensor's leading dimensions,
  // usually (batch, timesteps), false at padding steps. Set by layers that make masks
  // (Embedding with mask_zero, Masking), carried forward by layers that support masking and
  // consumed by the recurrent layers. Shared by copies of this handle; undefined when none.
  Tensor keras_mask() const;
  void set_keras_mask(const Tensor& mask) const;

  // Raw pointer to the first element (any device). Kernels use this.
  void* raw_data() const {
    return static_cast<char*>(impl().storage->data()) + impl().offset * dtype_size(dtype());
  }
  // Typed host access; throws TypeError on a dtype mismatch and RuntimeError off the CPU.
  template <class T>
  T* data() const;
  template <class T>
  std::span<T> span() const {
    return {data<T>(), static_cast<size_t>(size())};
  }
  // Element at a full index; negative indices count from the end. Bounds are checked.
  template <class T>
  T& at(std::initializer_list<int64_t> index) const;
  // The single element of a size-1 tensor, converted to T.
  template <class T>
  T item() const;

  // Same data, new shape (one dimension may be -1 and is inferred). Throws ValueError.
  Tensor reshape(Shape shape) const;
  // Rows [start, stop) along axis 0, sharing storage. Throws IndexError when out of range.
  Tensor slice_rows(int64_t start, int64_t stop) const;
  // Deep copy (same device).
  Tensor clone() const;
  // Converted copy (or *this when the dtype already matches).
  Tensor astype(DType dtype) const;
  // Copies src's elements into this tensor in place; shapes must have equal sizes, dtypes equal.
  void copy_from(const Tensor& src) const;
  // True when both handles refer to the same memory (same storage and offset).
  bool shares_memory_with(const Tensor& other) const;
  const std::shared_ptr<Storage>& storage() const { return impl().storage; }

 private:
  struct Impl {
    std::shared_ptr<Storage> storage;
    Shape shape;
    int64_t numel = 0;
    int64_t offset = 0;  // in elements
    DType dtype = float32;
    bool requires_grad = false;
    uint64_t id = 0;
    std::shared_ptr<Impl> nonzero_rows;
    std::shared_ptr<Impl> keras_mask;
  };
  Impl& impl() const {
    KERAS_CHECK(impl_ != nullptr, RuntimeError, "use of an undefined Tensor");
    return *impl_;
  }
  static Tensor make(std::shared_ptr<Storage> storage, Shape shape, DType dtype, int64_t offset);
  void check_host_access(DType want) const;
  std::shared_ptr<Impl> impl_;
};

using Tensors = std::vector<Tensor>;

// Creation helpers (CPU unless a device is given).
Tensor zeros(const Shape& shape, DType dtype = float32, Device device = {});
Tensor ones(const Shape& shape, DType dtype = float32, Device device = {});
Tensor full(const Shape& shape, double value, DType dtype = float32, Device device = {});
// 0, 1, ..., n-1.
Tensor arange(int64_t n, DType dtype = int64);

// Prints like NumPy: "Tensor(shape=(2, 3), dtype=float32)\n[[...]]", eliding the middle of
// large tensors.
std::ostream& operator<<(std::ostream& out, const Tensor& t);

// ---- template definitions ----
template <class T>
T* Tensor::data() const {
  check_host_access(dtype_of<T>());
  return static_cast<T*>(raw_data());
}

template <class T>
Tensor Tensor::from_vector(const std::vector<T>& values, Shape shape) {
  Tensor t = empty(std::move(shape), dtype_of<T>());
  KERAS_CHECK(static_cast<int64_t>(values.size()) == t.size(), ValueError,
              "Tensor::from_vector: ", values.size(), " values do not fill shape ",
              shape_str(t.shape()));
  T* out = t.data<T>();
  for (size_t i = 0; i < values.size(); ++i) out[i] = values[i];
  return t;
}

template <class T>
T& Tensor::at(std::initializer_list<int64_t> index) const {
  KERAS_CHECK(static_cast<int>(index.size()) == rank(), IndexError, "Tensor::at: ", index.size(),
              " indices for a tensor of rank ", rank());
  int64_t flat = 0;
  int axis = 0;
  for (int64_t i : index) {
    const int64_t n = shape()[axis];
    if (i < 0) i += n;
    KERAS_CHECK(i >= 0 && i < n, IndexError, "Tensor::at: index ", i, " is out of bounds for axis ",
                axis, " with size ", n);
    flat = flat * n + i;
    ++axis;
  }
  return data<T>()[flat];
}

template <class T>
T Tensor::item() const {
  KERAS_CHECK(size() == 1, ValueError,
              "Tensor::item: expected a tensor with one element, got shape ", shape_str(shape()));
  return visit_dtype(dtype(), [&]<class U>() { return static_cast<T>(data<U>()[0]); });
}

}  // namespace keras
