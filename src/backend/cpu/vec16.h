// Sixteen-float vectors for kernels that use AVX-512 where the CPU has it. The build leaves
// AVX-512 off (cmake/KerasOptions.cmake: GCC 12 miscompiles some vector constants with it), so
// such kernels are functions marked KERAS_AVX512, called only when cpu_has_avx512() is true; the
// helpers below are for use inside them.
#pragma once

#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

#if defined(__x86_64__) || defined(__i386__)
#define KERAS_AVX512 [[gnu::target("avx512f,avx512vl,avx512bw,avx512dq,avx2,fma")]]
// For a kernel's 8-float form on CPUs with AVX2 but not AVX-512, called where cpu_has_avx2_fma().
#define KERAS_AVX2 [[gnu::target("avx2,fma")]]
#else
#define KERAS_AVX512  // elsewhere generic vectors, and cpu_has_avx512() is false
#define KERAS_AVX2
#endif

namespace keras::backend::vec16 {

// The most the kernels may use, from the environment: KERAS_MAX_CPU_ISA=avx2 leaves the AVX-512
// forms out, =sse41 the AVX2 ones too (case ignored; unset or another value: all the CPU has).
// Tests run the AVX2 forms on AVX-512 machines this way; oneDNN is told the same (registry.cpp).
enum class Isa { sse41, avx2, avx512 };
inline Isa max_isa() {
  static const Isa isa = [] {
    const char* v = std::getenv("KERAS_MAX_CPU_ISA");
    std::string s = v != nullptr ? v : "";
    for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return s == "avx2" ? Isa::avx2 : s == "sse41" ? Isa::sse41 : Isa::avx512;
  }();
  return isa;
}

// AVX-512F, DQ, BW and VL, as the functions marked KERAS_AVX512 are compiled for (and allowed).
inline bool cpu_has_avx512() {
#if defined(__x86_64__) || defined(__i386__)
  static const bool has = [] {
    __builtin_cpu_init();  // static initialization may run before libgcc's own
    return max_isa() == Isa::avx512 && __builtin_cpu_supports("avx512f") &&
           __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl");
  }();
  return has;
#else
  return false;
#endif
}

// AVX2 and FMA, as the functions marked KERAS_AVX2 are compiled for (and allowed).
inline bool cpu_has_avx2_fma() {
#if defined(__x86_64__) || defined(__i386__)
  static const bool has = [] {
    __builtin_cpu_init();
    return max_isa() != Isa::sse41 && __builtin_cpu_supports("avx2") &&
           __builtin_cpu_supports("fma");
  }();
  return has;
#else
  return false;
#endif
}

using v16 = float __attribute__((vector_size(64)));

// One vector V (v16, or 8 floats in AVX2 forms) from or to p. Always inlined, so it compiles for
// its caller's target; the ABI GCC warns about for a 16-float vector outside AVX-512 is never used.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpsabi"
template <class V>
[[gnu::always_inline]] inline V load(const float* p) {
  V v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}
template <class V>
[[gnu::always_inline]] inline void store(float* p, V v) {
  std::memcpy(p, &v, sizeof(v));
}
#pragma GCC diagnostic pop

KERAS_AVX512 [[gnu::always_inline]] inline v16 load16(const float* p) {
  return load<v16>(p);
}
KERAS_AVX512 [[gnu::always_inline]] inline void store16(float* p, v16 v) {
  store<v16>(p, v);
}

#if defined(__x86_64__) || defined(__i386__)
// The first min(left, 16) lanes of a 16-float vector as an AVX-512 mask (none when left <= 0).
inline __mmask16 first_lanes16(int64_t left) {
  return left >= 16  ? __mmask16(0xFFFF)
         : left <= 0 ? __mmask16(0)
                     : static_cast<__mmask16>((1u << left) - 1);
}

// The first min(left, 8) lanes of an 8-float vector, as AVX2's maskload/maskstore take them.
KERAS_AVX2 [[gnu::always_inline]] inline __m256i first_lanes8(int64_t left) {
  const int n = left >= 8 ? 8 : left <= 0 ? 0 : static_cast<int>(left);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
#endif

// y[r] = sum_c Coef{}(r, c) * x[c] for vectors V of any width (v16 here, 8 floats in the 1-D
// Winograd kernels): the loops unroll fully, so the coefficients are constants and zero ones drop
// out. Always inlined, so it compiles for its caller's target (AVX-512 in KERAS_AVX512 functions).
template <int Rows, int Cols, class Coef, class V>
[[gnu::always_inline]] inline void matvec(const V* x, V* y) {
#pragma GCC unroll 8
  for (int r = 0; r < Rows; ++r) {
    V acc{};
#pragma GCC unroll 8
    for (int c = 0; c < Cols; ++c) {
      if (Coef{}(r, c) != 0) acc += Coef{}(r, c) * x[c];
    }
    y[r] = acc;
  }
}

// dst[r][i] = sum_c Coef{}(r, c) * src[c][i] for i < n / 16 * 16, rows given by pointers; returns
// that count (the caller does the rest).
template <int Rows, int Cols, class Coef>
KERAS_AVX512 int64_t apply(const float* const* src, float* const* dst, int64_t n) {
  const int64_t full = n / 16 * 16;
  for (int64_t i = 0; i < full; i += 16) {
    v16 x[Cols], y[Rows];
    for (int c = 0; c < Cols; ++c) x[c] = load16(src[c] + i);
    matvec<Rows, Cols, Coef>(x, y);
    for (int r = 0; r < Rows; ++r) store16(dst[r] + i, y[r]);
  }
  return full;
}

}  // namespace keras::backend::vec16
