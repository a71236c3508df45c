// The fixed tile transforms of the Winograd 1-D convolutions (winograd_conv1d.h) and a small
// vector kernel that applies them to rows of channels, 8 at a time (16 with AVX-512).
#pragma once

#include <cstdint>
#include <cstring>

#include "backend/cpu/vec16.h"

namespace keras::backend::winograd {

constexpr int kAlpha = 8;

// Points 0, 1, -1, 2, -2, 1/2, -1/2 (and infinity, the last row): the smallest magnitudes that
// give 8 distinct points, which keeps float32 error low. Rows of B^T (the inverse of the
// transposed Vandermonde matrix) are scaled by 1 / kScale so that their entries are dyadic
// (exact in float32); the rows of G carry kScale instead.
constexpr double kPoints[kAlpha - 1] = {0, 1, -1, 2, -2, 0.5, -0.5};
constexpr double kScale[kAlpha] = {1,        -2.0 / 9,  2.0 / 9,   1.0 / 90,
                                   1.0 / 90, 32.0 / 45, 32.0 / 45, 1};
constexpr float kBt[kAlpha][kAlpha] = {
    {1, 0, -21.f / 4, 0, 21.f / 4, 0, -1, 0},  {0, 1, 1, -17.f / 4, -17.f / 4, 1, 1, 0},
    {0, 1, -1, -17.f / 4, 17.f / 4, 1, -1, 0}, {0, 0.5f, 0.25f, -2.5f, -1.25f, 2, 1, 0},
    {0, -0.5f, 0.25f, 2.5f, -1.25f, -2, 1, 0}, {0, 2, 4, -2.5f, -5, 0.5f, 1, 0},
    {0, -2, 4, 2.5f, -5, -0.5f, 1, 0},         {0, -1, 0, 21.f / 4, 0, -21.f / 4, 0, 1},
};

// F(m, r) with m + r - 1 = kAlpha: A^T (m, alpha) evaluates the output polynomial, G (alpha, r)
// the kernel's, both at the points above.
struct Transform {
  int m = 0, r = 0;
  float at[6][kAlpha] = {};
  float g[kAlpha][5] = {};
};

constexpr Transform make_transform(int m, int r) {
  Transform t;
  t.m = m;
  t.r = r;
  for (int x = 0; x < kAlpha - 1; ++x) {
    double p = 1;
    for (int i = 0; i < m; ++i, p *= kPoints[x]) t.at[i][x] = static_cast<float>(p);
    p = kScale[x];
    for (int j = 0; j < r; ++j, p *= kPoints[x]) t.g[x][j] = static_cast<float>(p);
  }
  t.at[m - 1][kAlpha - 1] = 1;
  t.g[kAlpha - 1][r - 1] = 1;
  return t;
}

inline constexpr Transform kF4x5 = make_transform(4, 5);
inline constexpr Transform kF6x3 = make_transform(6, 3);

// Eight floats (GCC/Clang vector extension). The transforms are fixed small matrices applied to 8
// channels at a time, with their coefficients folded in at compile time and zero coefficients
// left out, which makes them several times cheaper than a generic matrix loop.
using v8 = float __attribute__((vector_size(32)));
constexpr int64_t kLanes = 8;

// Loads and stores of `lanes` <= 8 floats; Full (lanes == 8) compiles to single instructions.
template <bool Full>
v8 load(const float* p, int64_t lanes) {
  v8 v{};
  if constexpr (Full) {
    std::memcpy(&v, p, sizeof(v));
  } else {
    for (int64_t i = 0; i < lanes; ++i) v[i] = p[i];
  }
  return v;
}
template <bool Full>
void store(float* p, v8 v, int64_t lanes) {
  if constexpr (Full) {
    std::memcpy(p, &v, sizeof(v));
  } else {
    for (int64_t i = 0; i < lanes; ++i) p[i] = v[i];
  }
}

// Calls body.template operator()<Full>(i, lanes) over i < n in steps of 8.
template <class Body>
void for_lanes(int64_t n, Body&& body) {
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) body.template operator()<true>(i, kLanes);
  if (i < n) body.template operator()<false>(i, n - i);
}

using vec16::matvec;

// dst[r][i] = sum_c Coef{}(r, c) * src[c][i] for i < n, rows given by pointers; 16 lanes at a time
// where the CPU has AVX-512 (the kernel transform of one sample, whose U stays in cache, computes
// at half the cost that way).
template <int Rows, int Cols, class Coef>
void apply(const float* const* src, float* const* dst, int64_t n) {
  int64_t i = 0;
  if (n >= 16 && vec16::cpu_has_avx512()) i = vec16::apply<Rows, Cols, Coef>(src, dst, n);
  if (i == n) return;
  // A plain loop over local copies of the row pointers: through for_lanes GCC made the body a
  // function called per 8 floats that reloaded every pointer (the kernel transform of a
  // one-sample posts_conv1d predict took 14% of its time that way on an AVX2 CPU).
  const float* s[Cols];
  float* d[Rows];
  for (int c = 0; c < Cols; ++c) s[c] = src[c];
  for (int r = 0; r < Rows; ++r) d[r] = dst[r];
  for (; i + kLanes <= n; i += kLanes) {
    v8 x[Cols], y[Rows];
    for (int c = 0; c < Cols; ++c) x[c] = load<true>(s[c] + i, kLanes);
    matvec<Rows, Cols, Coef>(x, y);
    for (int r = 0; r < Rows; ++r) store<true>(d[r] + i, y[r], kLanes);
  }
  if (i < n) {
    v8 x[Cols], y[Rows];
    for (int c = 0; c < Cols; ++c) x[c] = load<false>(s[c] + i, n - i);
    matvec<Rows, Cols, Coef>(x, y);
    for (int r = 0; r < Rows; ++r) store<false>(d[r] + i, y[r], n - i);
  }
}

// Coefficients of the matrices and their transposes, for matvec and apply.
struct Bt {
  constexpr float operator()(int xi, int j) const { return kBt[xi][j]; }
};
struct BtTransposed {
  constexpr float operator()(int j, int xi) const { return kBt[xi][j]; }
};
template <const Transform& T>
struct At {
  constexpr float operator()(int i, int xi) const { return T.at[i][xi]; }
};
template <const Transform& T>
struct AtTransposed {
  constexpr float operator()(int xi, int i) const { return T.at[i][xi]; }
};
template <const Transform& T>
struct G {
  constexpr float operator()(int xi, int j) const { return T.g[xi][j]; }
};
template <const Transform& T>
struct GTransposed {
  constexpr float operator()(int j, int xi) const { return T.g[xi][j]; }
};

}  // namespace keras::backend::winograd
