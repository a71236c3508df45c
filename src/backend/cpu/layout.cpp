// Transposes that keep the last axis (attention's head split and merge) copy whole rows.
#include <cstring>

#include "backend/cpu/cpu_backend.h"
#include "backend/strided.h"

namespace keras::backend {

void CpuBackend::transpose(const Tensor& x, std::span<const int> perm, const Tensor& y) {
  const int rank = static_cast<int>(perm.size());
  if (rank < 2 || perm[static_cast<size_t>(rank - 1)] != rank - 1 || y.size() == 0) {
    return ReferenceBackend::transpose(x, perm, y);
  }
  const std::vector<int64_t> xs = contiguous_strides(x.shape());
  std::vector<int64_t> permuted(static_cast<size_t>(rank - 1));
  for (size_t i = 0; i + 1 < perm.size(); ++i) permuted[i] = xs[static_cast<size_t>(perm[i])];
  const std::vector<int64_t> strides[1] = {permuted};
  const Shape rows(y.shape().begin(), y.shape().end() - 1);
  const int64_t n = y.shape().back();
  const size_t bytes = static_cast<size_t>(n) * dtype_size(x.dtype());
  const char* in = static_cast<const char*>(x.raw_data());
  char* out = static_cast<char*>(y.raw_data());
  const size_t elem = dtype_size(x.dtype());
  MultiIndex<1> it(rows, strides);
  const int64_t count = y.size() / n;
  for (int64_t r = 0; r < count; ++r, it.next()) {
    std::memcpy(out + static_cast<size_t>(r) * bytes, in + static_cast<size_t>(it.offset(0)) * elem,
                bytes);
  }
}

}  // namespace keras::backend
