#include "keras/core/tensor.h"

#include <sys/sysinfo.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <iomanip>
#include <limits>

namespace keras {
namespace {

std::atomic<uint64_t> next_tensor_id{1};
constexpr size_t kAlignment = 64;

// Physical memory plus swap.
size_t machine_memory_bytes() {
  static const size_t bytes = [] {
    struct sysinfo info {};
    if (sysinfo(&info) != 0) return std::numeric_limits<size_t>::max();
    return static_cast<size_t>(info.totalram + info.totalswap) * info.mem_unit;
  }();
  return bytes;
}

// "3.64 TiB", as NumPy's MemoryError says it.
std::string byte_size_str(size_t nbytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double v = static_cast<double>(nbytes);
  int u = 0;
  while (v >= 1024 && u < 6) {
    v /= 1024;
    ++u;
  }
  std::ostringstream out;
  out << std::fixed << std::setprecision(u == 0 ? 0 : 2) << v << " " << units[u];
  return out.str();
}

}  // namespace

Storage::Storage(size_t nbytes, Device device) : nbytes_(nbytes), device_(device) {
  KERAS_CHECK(device.type == DeviceType::cpu, RuntimeError,
              "only CPU tensors are supported in this build, got device ", device);
  const size_t rounded = (std::max<size_t>(nbytes, 1) + kAlignment - 1) / kAlignment * kAlignment;
  // Tensors are written in full, so one larger than the machine's memory could never be filled:
  // refuse it here rather than let an overcommitting kernel kill the process later.
  const bool fits = rounded >= nbytes && rounded <= machine_memory_bytes();
  data_ = fits ? std::aligned_alloc(kAlignment, rounded) : nullptr;
  if (data_ == nullptr) throw MemoryError(str("Unable to allocate ", byte_size_str(nbytes)));
}

Storage::~Storage() {
  std::free(data_);
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
  const auto nbytes =
      static_cast<size_t>(checked_mul(n, static_cast<int64_t>(dtype_size(dtype)), "Tensor::empty"));
  std::shared_ptr<Storage> storage;
  try {
    storage = std::make_shared<Storage>(nbytes, device);
  } catch (const MemoryError& e) {
    throw MemoryError(
        str(e.what(), " for a tensor with shape ", shape_str(shape), " and data type ", dtype));
  } catch (const std::bad_alloc&) {
    throw MemoryError(str("Unable to allocate ", byte_size_str(nbytes), " for a tensor with shape ",
                          shape_str(shape), " and data type ", dtype));
  }
  return make(std::move(storage), std::move(shape), dtype, 0);
}

int64_t Tensor::dim(int axis) const {
  return shape()[normalize_axis(axis, rank())];
}

void Tensor::check_host_access(DType want) const {
  KERAS_CHECK(dtype() == want, TypeError, "Tensor of dtype ", dtype(), " accessed as ", want);
  KERAS_CHECK(device().type == DeviceType::cpu, RuntimeError, "host access to a tensor on device ",
              device());
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
  KERAS_CHECK(device().type == DeviceType::cpu && src.device().type == DeviceType::cpu,
              RuntimeError, "copy_from: only CPU tensors are supported");
  if (raw_data() != src.raw_data()) std::memmove(raw_data(), src.raw_data(), nbytes());
}

Tensor Tensor::astype(DType to) const {
  if (to == dtype()) return *this;
  Tensor out = empty(shape(), to, device());
  visit_dtype(dtype(), [&]<class S>() {
    visit_dtype(to, [&]<class D>() {
      const S* s = data<S>();
      D* d = out.data<D>();
      for (int64_t i = 0; i < size(); ++i) d[i] = value_cast<D>(s[i]);
    });
  });
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
  Tensor t = Tensor::empty(shape, dtype, device);
  visit_dtype(dtype, [&]<class T>() {
    T* p = t.data<T>();
    const T v = static_cast<T>(value);
    for (int64_t i = 0; i < t.size(); ++i) p[i] = v;
  });
  return t;
}

Tensor zeros(const Shape& shape, DType dtype, Device device) {
  Tensor t = Tensor::empty(shape, dtype, device);
  std::memset(t.raw_data(), 0, t.nbytes());
  return t;
}

Tensor ones(const Shape& shape, DType dtype, Device device) {
  return full(shape, 1.0, dtype, device);
}

Tensor arange(int64_t n, DType dtype) {
  Tensor t = Tensor::empty({n}, dtype);
  visit_dtype(dtype, [&]<class T>() {
    T* p = t.data<T>();
    for (int64_t i = 0; i < n; ++i) p[i] = static_cast<T>(i);
  });
  return t;
}

namespace {

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

std::ostream& operator<<(std::ostream& out, const Tensor& t) {
  if (!t.defined()) return out << "Tensor(undefined)";
  out << "Tensor(shape=" << shape_str(t.shape()) << ", dtype=" << t.dtype() << ")\n";
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
