// Transposes that keep the last axis (attention's head split and merge) copy whole rows.
#include <cmath>
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

namespace {

// Calls f(idx) with the indices' pointer when they are int32 or int64 and all in [0, rows);
// returns false (f not called) otherwise, for the reference to throw its error.
template <class F>
bool with_checked_indices(const Tensor& indices, int64_t rows, F&& f) {
  auto run = [&]<class I>(const I* idx) {
    for (int64_t i = 0; i < indices.size(); ++i) {
      if (idx[i] < 0 || static_cast<int64_t>(idx[i]) >= rows) return false;
    }
    f(idx);
    return true;
  };
  if (indices.dtype() == DType::int32) return run(static_cast<const int32_t*>(indices.raw_data()));
  if (indices.dtype() == DType::int64) return run(static_cast<const int64_t*>(indices.raw_data()));
  return false;
}

// Rows visited in index order (an Embedding's lookup or gradient: random rows of a large table)
// miss the cache one after another; fetching the row kAhead on keeps misses in flight.
constexpr int64_t kAhead = 8;

template <int Write>
void prefetch_row(const char* row, size_t bytes) {
  for (size_t at = 0; at < bytes; at += 64) __builtin_prefetch(row + at, Write);
}

// Calls f(i) for each listed id idx[i], i < n, whose destination row (`bytes` long, at base +
// idx[i] * bytes) is written: on several threads when the rows are many, each thread the ids whose
// rows it owns (owns_row) in list order, fetching its row kAhead on before it is written.
template <class I, class F>
void for_each_listed_row(const I* idx, int64_t n, char* base, size_t bytes, F&& f) {
  const auto floats = static_cast<int64_t>(bytes / sizeof(float));
  on_each_thread(chunk_threads(n * floats, floats), [&](int t, int threads) {
    for (int64_t i = 0; i < n; ++i) {
      if (!owns_row(idx[i], t, threads)) continue;
      if (i + kAhead < n && owns_row(idx[i + kAhead], t, threads)) {
        prefetch_row<1>(base + idx[i + kAhead] * bytes, bytes);
      }
      f(i);
    }
  });
}

}  // namespace

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
  if (bytes < 1024 || static_cast<size_t>(indices.size()) * bytes < (size_t{1} << 18) ||
      !with_checked_indices(indices, rows, [&]<class I>(const I* idx) {
        const auto* src = static_cast<const char*>(params.raw_data());
        auto* dst = static_cast<char*>(y.raw_data());
        parallel_chunks(
            indices.size(), 1,
            [&](int64_t b, int64_t e) {
              for (int64_t i = b; i < e; ++i) {
                if (i + kAhead < e) prefetch_row<0>(src + idx[i + kAhead] * bytes, bytes);
                std::memcpy(dst + i * bytes, src + static_cast<int64_t>(idx[i]) * bytes, bytes);
              }
            },
            1);
      })) {
    ReferenceBackend::gather(params, indices, y, p);  // or throws its error for the first
  }
}

// float32 rows of 16 floats or more: the reference's sums, in the same order (the same bits),
// with the destination rows prefetched; on several threads split by destination (owns_row).
void CpuBackend::scatter_add(const Tensor& dy, const Tensor& indices, const Tensor& dparams) {
  const int64_t rows = dparams.shape().empty() ? 0 : dparams.shape()[0];
  const int64_t row = rows == 0 ? 0 : dparams.size() / rows;
  if (dparams.dtype() != DType::float32 || dy.dtype() != DType::float32 || row < 16 ||
      !with_checked_indices(indices, rows, [&]<class I>(const I* idx) {
        const float* src = static_cast<const float*>(dy.raw_data());
        float* dst = static_cast<float*>(dparams.raw_data());
        for_each_listed_row(idx, indices.size(), reinterpret_cast<char*>(dst),
                            static_cast<size_t>(row) * sizeof(float), [&](int64_t i) {
                              float* __restrict d = dst + static_cast<int64_t>(idx[i]) * row;
                              const float* __restrict s = src + i * row;
                              for (int64_t j = 0; j < row; ++j) d[j] += s[j];
                            });
      })) {
    ReferenceBackend::scatter_add(dy, indices, dparams);
  }
}

// +0 (all-zero bytes in every dtype) into rows of 64 bytes or more, split as scatter_add.
void CpuBackend::fill_rows(const Tensor& y, const Tensor& rows, double value) {
  const int64_t count = y.shape().empty() ? 0 : y.shape()[0];
  const size_t bytes =
      static_cast<size_t>(count == 0 ? 0 : y.size() / count) * dtype_size(y.dtype());
  if (value != 0.0 || std::signbit(value) || bytes < 64 ||
      !with_checked_indices(rows, count, [&]<class I>(const I* idx) {
        char* base = static_cast<char*>(y.raw_data());
        for_each_listed_row(idx, rows.size(), base, bytes, [&](int64_t i) {
          std::memset(base + static_cast<int64_t>(idx[i]) * bytes, 0, bytes);
        });
      })) {
    ReferenceBackend::fill_rows(y, rows, value);
  }
}

}  // namespace keras::backend
