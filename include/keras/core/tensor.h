// Tensor: an n-dimensional, row-major, contiguous array with a dtype and a device.
//
// A Tensor is a cheap handle: copying one shares the same data (like torch::Tensor). reshape()
// and slice_rows() return views that share storage; everything else that computes returns a new
// tensor. Arithmetic lives in keras::ops (keras/ops/...), not here.
//
// Memory. A tensor's storage comes from the backend of its device (DeviceMemory below, which
// keras::backend::Backend implements): allocation, release, copies between devices, fills and
// conversions all go through it. Host code reads and writes tensor memory only through the host
// accessors, which serve host (cpu) tensors and throw RuntimeError for any other device:
//   data<T>(), span<T>(), at<T>(), host_data()   pointers into a host tensor's memory;
//   cpu() / to(device)                            a copy on the host (or another device), which
//                                                 waits for the source device;
//   copy_from(src), copy_rows_from(src, rows)     write src's values, from any device;
//   item<T>(), operator<<                         read through cpu().
// raw_data() is the address in the device's memory, for backends (kernels and copies); host
// code never dereferences it. The test-only guarded device (keras/core/device.h) makes any other
// access fault.
#pragma once

#include <cstdint>
#include <memory>
#include <ostream>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "keras/core/device.h"
#include "keras/core/dtype.h"
#include "keras/core/error.h"
#include "keras/core/shape.h"

namespace keras {

class Tensor;

// What tensors need from the backend of their device. keras::backend::Backend implements it
// (its header documents each function); core reaches it through device_memory(), which the
// backend module defines, so core includes nothing of backend/.
class DeviceMemory {
 public:
  virtual void* allocate(size_t nbytes, Device device) = 0;
  virtual void deallocate(void* data, size_t nbytes, Device device) noexcept = 0;
  virtual void copy_bytes(
      const void* src, Device src_device, void* dst, Device dst_device, size_t nbytes) = 0;
  virtual void synchronize(Device device) = 0;
  virtual void fill(const Tensor& y, double value) = 0;
  virtual void cast(const Tensor& src, const Tensor& dst) = 0;

 protected:
  ~DeviceMemory() = default;
};

// The backend of `device` (keras::backend::backend_for); RuntimeError when it has none.
DeviceMemory& device_memory(Device device);

// Copies nbytes from src (memory of src_device) to dst (memory of dst_device) as memmove does,
// through the backend of the device that is not the host (the host's between two host ranges).
// Returns once host memory written is complete (it waits for the source device).
void copy_bytes(const void* src, Device src_device, void* dst, Device dst_device, size_t nbytes);

// Memory owned by a tensor (or shared by several views): allocated by `owner`, the backend of
// `device`, and given back to it.
class Storage {
 public:
  Storage(size_t nbytes, Device device);
  // The elements of a string tensor (host memory; no bytes of the device).
  explicit Storage(std::vector<std::string> strings);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;
  void* data() const { return data_; }
  size_t nbytes() const { return nbytes_; }
  // Points this storage at `data` (nbytes() of the same device's memory, owned by the caller)
  // and returns what it pointed at; the caller puts its own pointer back before the storage is
  // freed. For execution plans that read a caller's rows in place instead of copying them.
  void* exchange_data(void* data) { return std::exchange(data_, data); }
  Device device() const { return device_; }
  // A string tensor's elements (nullptr for any other storage).
  std::vector<std::string>* strings() const { return strings_.get(); }

 private:
  void* data_ = nullptr;
  size_t nbytes_ = 0;
  Device device_;
  DeviceMemory* owner_ = nullptr;
  std::unique_ptr<std::vector<std::string>> strings_;
};

class Tensor {
 public:
  Tensor() = default;  // an undefined tensor: defined() is false

  // Uninitialized memory from the device's backend. Throws MemoryError "Unable to allocate
  // 4.00 PiB for a tensor with shape ... and data type ..." when the device cannot hold it.
  static Tensor empty(Shape shape, DType dtype = float32, Device device = default_device());
  // Copies `values` into a new tensor of `shape`; throws ValueError when the sizes differ.
  template <class T>
  static Tensor from_vector(const std::vector<T>& values,
                            Shape shape,
                            Device device = default_device());
  template <class T>
  static Tensor from_vector(const std::vector<T>& values) {
    return from_vector(values, {static_cast<int64_t>(values.size())});
  }
  template <class T>
  static Tensor scalar(T value, Device device = default_device()) {
    return from_vector(std::vector<T>{value}, {}, device);
  }
  // A string tensor (dtype string, on the host) of `shape` (default: 1-D), the values UTF-8
  // bytes; ValueError when the sizes differ. (Tensor::empty(shape, string_) holds empty strings.)
  static Tensor from_strings(std::vector<std::string> values, Shape shape);
  static Tensor from_strings(std::vector<std::string> values);

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

  // Address of the first element in its device's memory, for backends (kernels, copies). Host
  // code uses the host accessors instead: on a device this is not host memory.
  void* raw_data() const {
    if (dtype() == DType::string) throw_string_dtype("raw memory access");
    return static_cast<char*>(impl().storage->data()) + impl().offset * dtype_size(dtype());
  }
  // A string tensor's elements in row-major order (its view of them), writable; TypeError for
  // any other dtype.
  std::span<std::string> strings() const;
  // ---- host accessors (host tensors; RuntimeError on any other device) ----
  // Typed host access; also throws TypeError on a dtype mismatch.
  template <class T>
  T* data() const;
  template <class T>
  std::span<T> span() const {
    return {data<T>(), static_cast<size_t>(size())};
  }
  // Untyped host access to the nbytes() bytes.
  void* host_data() const;
  // Element at a full index; negative indices count from the end. Bounds are checked.
  template <class T>
  T& at(std::initializer_list<int64_t> index) const;
  // The single element of a size-1 tensor on any device (read through cpu()), converted to T.
  template <class T>
  T item() const;
  // A copy on `device` (waiting for the copy when it reads a device into host memory), or
  // *this when the tensor is already there: write through copy_from, not through cpu().
  Tensor to(Device device) const;
  Tensor cpu() const { return to(Device::cpu()); }

  // Same data, new shape (one dimension may be -1 and is inferred). Throws ValueError.
  Tensor reshape(Shape shape) const;
  // Rows [start, stop) along axis 0, sharing storage. Throws IndexError when out of range.
  Tensor slice_rows(int64_t start, int64_t stop) const;
  // Deep copy (same device).
  Tensor clone() const;
  // Converted copy on the same device, by the backend's cast kernel (or *this when the dtype
  // already matches).
  Tensor astype(DType dtype) const;
  // Copies src's elements into this tensor in place, from any device; shapes must have equal
  // sizes, dtypes equal.
  void copy_from(const Tensor& src) const;
  // Row i (along axis 0) of this tensor = row rows[i] of src, for i < rows.size(), from any
  // device; runs of consecutive rows are copied at once. Rows must be of equal size and dtype
  // (ValueError) and in range (IndexError). Allocates nothing (the trainer stages every batch
  // with it).
  void copy_rows_from(const Tensor& src, std::span<const int64_t> rows) const;
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

// Creation helpers (filled by the device's backend).
Tensor zeros(const Shape& shape, DType dtype = float32, Device device = default_device());
Tensor ones(const Shape& shape, DType dtype = float32, Device device = default_device());
Tensor full(const Shape& shape,
            double value,
            DType dtype = float32,
            Device device = default_device());
// 0, 1, ..., n-1.
Tensor arange(int64_t n, DType dtype = int64, Device device = default_device());

// Prints like NumPy: "Tensor(shape=(2, 3), dtype=float32)\n[[...]]", eliding the middle of
// large tensors (read through cpu()).
std::ostream& operator<<(std::ostream& out, const Tensor& t);

// ---- template definitions ----
template <class T>
T* Tensor::data() const {
  check_host_access(dtype_of<T>());
  return static_cast<T*>(raw_data());
}

template <class T>
Tensor Tensor::from_vector(const std::vector<T>& values, Shape shape, Device device) {
  Tensor t = empty(std::move(shape), dtype_of<T>(), Device::cpu());
  KERAS_CHECK(static_cast<int64_t>(values.size()) == t.size(), ValueError,
              "Tensor::from_vector: ", values.size(), " values do not fill shape ",
              shape_str(t.shape()));
  T* out = t.data<T>();
  for (size_t i = 0; i < values.size(); ++i) out[i] = values[i];
  return t.to(device);
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
  const Tensor host = cpu();
  return visit_dtype(dtype(), [&]<class U>() { return static_cast<T>(host.data<U>()[0]); });
}

}  // namespace keras
