#include "keras/core/tensor.h"

#include <algorithm>
#include <atomic>
#include <iomanip>

namespace keras {
namespace {

std::atomic<uint64_t> next_tensor_id{1};
thread_local Device current_default_device{};

// The backend that moves bytes between two devices: the one that is not the host.
DeviceMemory& transfer_backend(Device src, Device dst) {
  return device_memory(dst.is_host() ? src : dst);
}

}  // namespace

Device default_device() {
  return current_default_device;
}

DeviceScope::DeviceScope(Device device) : previous_(current_default_device) {
  current_default_device = device;
}
DeviceScope::~DeviceScope() {
  current_default_device = previous_;
}

void copy_bytes(const void* src, Device src_device, void* dst, Device dst_device, size_t nbytes) {
  if (nbytes == 0) return;
  if (!src_device.is_host() && !dst_device.is_host() && src_device.type != dst_device.type) {
    std::vector<char> staging(nbytes);  // two backends that do not know each other
    copy_bytes(src, src_device, staging.data(), Device::cpu(), nbytes);
    copy_bytes(staging.data(), Device::cpu(), dst, dst_device, nbytes);
    return;
  }
  DeviceMemory& backend = transfer_backend(src_device, dst_device);
  backend.copy_bytes(src, src_device, dst, dst_device, nbytes);
  if (dst_device.is_host() && !src_device.is_host()) backend.synchronize(src_device);
}

Storage::Storage(size_t nbytes, Device device)
    : nbytes_(nbytes), device_(device), owner_(&device_memory(device)) {
  data_ = owner_->allocate(nbytes, device);
}

Storage::Storage(std::vector<std::string> strings)
    : device_(Device::cpu()),
      strings_(std::make_unique<std::vector<std::string>>(std::move(strings))) {}

Storage::~Storage() {
  if (owner_ != nullptr) owner_->deallocate(data_, nbytes_, device_);
}

Tensor Tensor::make(std::shared_ptr<Storage> storage, Shape shape, DType dtype, int64_t offset) {
  Tensor t;
  t.impl_ = std::make_shared<Impl>();
  t.impl_->numel = num_elements(shape);
  t.impl_->storage = std::move(storage);
  t.impl_->shape = std::move(shape);
  t.impl_->offset = offset;
  t.impl_->dtype = dtype;
  t.impl_->id = next_tensor_id.fetch_add(1, std::memory_order_relaxed);
  return t;
}

Tensor Tensor::empty(Shape shape, DType dtype, Device device) {
  for (int64_t d : shape) {
    KERAS_CHECK(d >= 0, ValueError, "Tensor::empty: shape ", shape_str(shape),
                " must have known, non-negative dimensions");
  }
  const int64_t n = num_elements(shape);
  if (dtype == DType::string) {
    KERAS_CHECK(device.is_host(), TypeError, "string tensors live on the host; not on ", device);
    return make(std::make_shared<Storage>(std::vector<std::string>(static_cast<size_t>(n))),
                std::move(shape), dtype, 0);
  }
  const auto nbytes =
      static_cast<size_t>(checked_mul(n, static_cast<int64_t>(dtype_size(dtype)), "Tensor::empty"));
  std::shared_ptr<Storage> storage;
  try {
    storage = std::make_shared<Storage>(nbytes, device);
  } catch (const MemoryError& e) {  // the backend's "Unable to allocate 4.00 PiB"
    throw MemoryError(
        str(e.what(), " for a tensor with shape ", shape_str(shape), " and data type ", dtype));
  } catch (const std::bad_alloc&) {
    throw MemoryError(str("Unable to allocate ", byte_size_str(nbytes), " for a tensor with shape ",
                          shape_str(shape), " and data type ", dtype));
  }
  return make(std::move(storage), std::move(shape), dtype, 0);
}

Tensor Tensor::from_strings(std::vector<std::string> values, Shape shape) {
  for (int64_t d : shape) {
    KERAS_CHECK(d >= 0, ValueError, "Tensor::from_strings: shape ", shape_str(shape),
                " must have known, non-negative dimensions");
  }
  KERAS_CHECK(static_cast<int64_t>(values.size()) == num_elements(shape), ValueError,
              "Tensor::from_strings: ", values.size(), " values do not fill shape ",
              shape_str(shape));
  return make(std::make_shared<Storage>(std::move(values)), std::move(shape), DType::string, 0);
}

Tensor Tensor::from_strings(std::vector<std::string> values) {
  const auto n = static_cast<int64_t>(values.size());
  return from_strings(std::move(values), {n});
}

std::span<std::string> Tensor::strings() const {
  KERAS_CHECK(dtype() == DType::string, TypeError, "Tensor of dtype ", dtype(),
              " accessed as strings");
  return {impl().storage->strings()->data() + impl().offset, static_cast<size_t>(size())};
}

int64_t Tensor::dim(int axis) const {
  return shape()[normalize_axis(axis, rank())];
}

void Tensor::check_host_access(DType want) const {
  KERAS_CHECK(dtype() == want, TypeError, "Tensor of dtype ", dtype(), " accessed as ", want);
  KERAS_CHECK(device().is_host(), RuntimeError, "host access to a tensor on device ", device(),
              " (copy it to the host with cpu())");
}

void* Tensor::host_data() const {
  check_host_access(dtype());
  return raw_data();
}

Tensor Tensor::to(Device target) const {
  if (device() == target) return *this;
  Tensor t = empty(shape(), dtype(), target);
  t.copy_from(*this);
  return t;
}

Tensor Tensor::reshape(Shape shape) const {
  int infer = -1;
  int64_t known = 1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      KERAS_CHECK(infer < 0, ValueError, "reshape: can only infer one dimension, got ",
                  shape_str(shape));
      infer = static_cast<int>(i);
    } else {
      KERAS_CHECK(shape[i] >= 0, ValueError, "reshape: invalid target shape ", shape_str(shape));
      known *= shape[i];
    }
  }
  if (infer >= 0) {
    KERAS_CHECK(known > 0 && size() % known == 0, ValueError,
                "reshape: cannot reshape a tensor of ", size(), " elements into shape ",
                shape_str(shape));
    shape[infer] = size() / known;
  }
  KERAS_CHECK(num_elements(shape) == size(), ValueError, "reshape: cannot reshape array of size ",
              size(), " into shape ", shape_str(shape));
  return make(impl().storage, std::move(shape), dtype(), impl().offset);
}

Tensor Tensor::slice_rows(int64_t start, int64_t stop) const {
  KERAS_CHECK(rank() >= 1, IndexError, "slice_rows: tensor is a scalar");
  const int64_t n = shape()[0];
  KERAS_CHECK(0 <= start && start <= stop && stop <= n, IndexError, "slice_rows: rows [", start,
              ", ", stop, ") out of range for axis 0 of size ", n);
  Shape s = shape();
  s[0] = stop - start;
  const int64_t row = n == 0 ? 0 : size() / n;
  return make(impl().storage, std::move(s), dtype(), impl().offset + start * row);
}

Tensor Tensor::clone() const {
  Tensor t = empty(shape(), dtype(), device());
  t.copy_from(*this);
  return t;
}

void Tensor::copy_from(const Tensor& src) const {
  KERAS_CHECK(src.size() == size() && src.dtype() == dtype(), ValueError, "copy_from: source ",
              shape_str(src.shape()), " ", src.dtype(), " does not match destination ",
              shape_str(shape()), " ", dtype());
  if (dtype() == DType::string) {
    const std::span<std::string> from = src.strings(), to = strings();
    if (from.data() != to.data()) std::copy(from.begin(), from.end(), to.begin());
    return;
  }
  if (raw_data() == src.raw_data() && device() == src.device()) return;
  copy_bytes(src.raw_data(), src.device(), raw_data(), device(), nbytes());
}

void Tensor::copy_rows_from(const Tensor& src, std::span<const int64_t> rows) const {
  KERAS_CHECK(rank() >= 1 && src.rank() >= 1, ValueError, "copy_rows_from: a scalar has no rows");
  const int64_t dst_rows = shape()[0], src_rows = src.shape()[0];
  const int64_t row = dst_rows == 0 ? 0 : size() / dst_rows;
  KERAS_CHECK(src.dtype() == dtype() && (src_rows == 0 ? 0 : src.size() / src_rows) == row,
              ValueError, "copy_rows_from: rows of ", shape_str(src.shape()), " ", src.dtype(),
              " do not match rows of ", shape_str(shape()), " ", dtype());
  KERAS_CHECK(static_cast<int64_t>(rows.size()) <= dst_rows, IndexError,
              "copy_rows_from: ", rows.size(), " rows do not fit in ", shape_str(shape()));
  const bool strings = dtype() == DType::string;
  const size_t row_bytes = static_cast<size_t>(row) * dtype_size(dtype());
  const auto* s = strings ? nullptr : static_cast<const char*>(src.raw_data());
  auto* d = strings ? nullptr : static_cast<char*>(raw_data());
  size_t i = 0;
  while (i < rows.size()) {
    size_t j = i + 1;
    while (j < rows.size() && rows[j] == rows[j - 1] + 1) ++j;
    KERAS_CHECK(rows[i] >= 0 && rows[j - 1] < src_rows, IndexError, "copy_rows_from: row ",
                rows[i] < 0 ? rows[i] : rows[j - 1], " is out of range for ",
                shape_str(src.shape()));
    if (strings) {
      const auto from = src.strings().begin() + rows[i] * row;
      std::copy(from, from + static_cast<int64_t>(j - i) * row,
                this->strings().begin() + static_cast<int64_t>(i) * row);
    } else {
      copy_bytes(s + rows[i] * row_bytes, src.device(), d + i * row_bytes, device(),
                 (j - i) * row_bytes);
    }
    i = j;
  }
}

Tensor Tensor::astype(DType to) const {
  if (to == dtype()) return *this;
  if (to == DType::string || dtype() == DType::string) {
    throw TypeError(str("astype: cannot convert a tensor of dtype ", dtype(), " to ", to));
  }
  Tensor out = empty(shape(), to, device());
  if (size() > 0) device_memory(device()).cast(*this, out);
  return out;
}

Tensor Tensor::nonzero_rows() const {
  Tensor rows;
  rows.impl_ = impl().nonzero_rows;
  return rows;
}

void Tensor::set_nonzero_rows(const Tensor& rows) const {
  KERAS_CHECK(rank() >= 1, ValueError, "set_nonzero_rows: a scalar has no rows");
  KERAS_CHECK(rows.dtype() == DType::int32 || rows.dtype() == DType::int64, TypeError,
              "set_nonzero_rows: row ids must be int32 or int64, got ", rows.dtype());
  impl().nonzero_rows = rows.impl_;
}

Tensor Tensor::keras_mask() const {
  Tensor mask;
  mask.impl_ = impl().keras_mask;
  return mask;
}

void Tensor::set_keras_mask(const Tensor& mask) const {
  if (mask.defined()) {
    KERAS_CHECK(mask.dtype() == DType::bool_ && mask.rank() <= rank(), ValueError,
                "set_keras_mask: a mask is a bool tensor of the leading dimensions of ",
                shape_str(shape()), ", got ", mask.dtype(), " ", shape_str(mask.shape()));
  }
  impl().keras_mask = mask.impl_;
}

bool Tensor::shares_memory_with(const Tensor& other) const {
  return defined() && other.defined() && impl().storage == other.impl().storage &&
         impl().offset == other.impl().offset;
}

Tensor full(const Shape& shape, double value, DType dtype, Device device) {
  if (dtype == DType::string) throw_string_dtype("full (zeros, ones)");
  Tensor t = Tensor::empty(shape, dtype, device);
  if (t.size() > 0) device_memory(device).fill(t, value);
  return t;
}

Tensor zeros(const Shape& shape, DType dtype, Device device) {
  return full(shape, 0.0, dtype, device);
}

Tensor ones(const Shape& shape, DType dtype, Device device) {
  return full(shape, 1.0, dtype, device);
}

Tensor arange(int64_t n, DType dtype, Device device) {
  Tensor t = Tensor::empty({n}, dtype, Device::cpu());
  visit_dtype(dtype, [&]<class T>() {
    T* p = t.data<T>();
    for (int64_t i = 0; i < n; ++i) p[i] = static_cast<T>(i);
  });
  return t.to(device);
}

namespace {

// A string as Python prints bytes' contents: in quotes, control bytes and quotes escaped.
std::string string_repr(const std::string& s) {
  std::string q = "'";
  for (unsigned char c : s) {
    if (c == '\\' || c == '\'') {
      q += '\\';
      q += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      static const char* hex = "0123456789abcdef";
      q += "\\x";
      q += hex[c >> 4];
      q += hex[c & 15];
    } else {
      q += static_cast<char>(c);
    }
  }
  return q + "'";
}

template <class T>
void print_value(std::ostream& out, T v) {
  if constexpr (std::is_same_v<T, bool>) {
    out << (v ? "True" : "False");
  } else if constexpr (std::is_floating_point_v<T>) {
    out << std::setprecision(6) << v;
  } else {
    out << static_cast<int64_t>(v);
  }
}

template <class T>
void print_block(std::ostream& out, const Tensor& t, const T* p, int axis, int64_t stride) {
  const int64_t n = t.shape()[axis];
  const bool last = axis == t.rank() - 1;
  const int64_t inner = last ? 1 : stride / n;
  out << '[';
  for (int64_t i = 0; i < n; ++i) {
    if (n > 6 && i == 3) {
      out << "..., ";
      i = n - 3;
    }
    if (last) {
      print_value(out, p[i]);
    } else {
      print_block(out, t, p + i * inner, axis + 1, inner);
    }
    if (i + 1 < n) out << (last ? ", " : ",\n" + std::string(axis + 1, ' '));
  }
  out << ']';
}

}  // namespace

std::ostream& operator<<(std::ostream& out, const Tensor& device_tensor) {
  if (!device_tensor.defined()) return out << "Tensor(undefined)";
  const Tensor t = device_tensor.cpu();
  out << "Tensor(shape=" << shape_str(t.shape()) << ", dtype=" << t.dtype() << ")\n";
  if (t.dtype() == DType::string) {
    const std::span<std::string> v = t.strings();
    if (t.rank() == 0) return out << string_repr(v[0]);
    out << "[";  // flat: the strings in row-major order
    for (size_t i = 0; i < v.size(); ++i) {
      if (v.size() > 6 && i == 3) {
        out << "..., ";
        i = v.size() - 3;
      }
      out << string_repr(v[i]) << (i + 1 < v.size() ? ", " : "");
    }
    return out << "]";
  }
  visit_dtype(t.dtype(), [&]<class T>() {
    if (t.rank() == 0) {
      print_value(out, t.data<T>()[0]);
    } else if (t.size() == 0) {
      out << "[]";
    } else {
      print_block(out, t, t.data<T>(), 0, t.size());
    }
  });
  return out;
}

}  // namespace keras
