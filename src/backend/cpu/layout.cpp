// Transposes that keep the last axis (attention's head split and merge) copy whole rows.
#include <cstring>

#include "backend/cpu/cpu_backend.h"
#include "backend/cpu/parallel.h"
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

// Integer indices into rows of at least 1 KiB, a quarter megabyte or more in all (an Embedding's
// lookup of a long sequence): the row copies miss the cache, and two threads keep more misses in
// flight (one-sample posts model: ~20 us on one thread). Indices are all checked first, so that an
// out-of-range one throws the reference's error before anything is copied.
void CpuBackend::gather(const Tensor& params,
                        const Tensor& indices,
                        const Tensor& y,
                        const GatherParams& p) {
  const int64_t rows = params.shape().empty() ? 0 : params.shape()[0];
  const int64_t row = rows == 0 ? 0 : params.size() / rows;
  const size_t bytes = static_cast<size_t>(row) * dtype_size(params.dtype());
  const bool ints = indices.dtype() == DType::int32 || indices.dtype() == DType::int64;
  if (!ints || bytes < 1024 || static_cast<size_t>(indices.size()) * bytes < (size_t{1} << 18)) {
    ReferenceBackend::gather(params, indices, y, p);
    return;
  }
  const auto* src = static_cast<const char*>(params.raw_data());
  auto* dst = static_cast<char*>(y.raw_data());
  auto copy = [&]<class I>(const I* idx) {
    for (int64_t i = 0; i < indices.size(); ++i) {
      if (idx[i] < 0 || static_cast<int64_t>(idx[i]) >= rows) {
        ReferenceBackend::gather(params, indices, y, p);  // throws its error for the first
        return;
      }
    }
    parallel_chunks(
        indices.size(), 1,
        [&](int64_t b, int64_t e) {
          for (int64_t i = b; i < e; ++i) {
            std::memcpy(dst + i * bytes, src + static_cast<int64_t>(idx[i]) * bytes, bytes);
          }
        },
        1);
  };
  if (indices.dtype() == DType::int32) {
    copy(static_cast<const int32_t*>(indices.raw_data()));
  } else {
    copy(static_cast<const int64_t*>(indices.raw_data()));
  }
}

}  // namespace keras::backend
