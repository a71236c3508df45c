// Each rule has a scalar form (also the AVX-512 loops' tail) and an AVX-512 loop compiled through
// a target attribute (vec16.h). The division and square root are exact (correctly rounded) at any
// width. The decay keeps each vector in registers for all `times` steps
// rather than passing over the row once per step (a row last seen 20 steps ago: 20 passes).
#include "backend/cpu/rmsprop_f32.h"

// The AVX-512 functions are compiled with FMA; where the rest of the build is not, contracting
// a * b + c into one FMA there would round differently from the plain loop (so processes on
// different CPUs would drift apart).
#ifndef __FMA__
#pragma GCC optimize("fp-contract=off")
#endif

#include <cmath>

#include "backend/cpu/vec16.h"

namespace keras::backend::rows {
namespace {

struct Rule {
  float rho, one_minus_rho, lr, eps;
  explicit Rule(const RmspropParams& p)
      : rho(static_cast<float>(p.rho)),
        one_minus_rho(static_cast<float>(1.0 - p.rho)),
        lr(static_cast<float>(p.learning_rate)),
        eps(static_cast<float>(p.epsilon)) {}
};

[[gnu::always_inline]] inline void update_one(float* pw,
                                              const float* pg,
                                              float* pv,
                                              const Rule& r) {
  const float grad = *pg;
  const float v = r.rho * *pv + r.one_minus_rho * grad * grad;
  *pv = v;
  *pw -= r.lr * grad / std::sqrt(v + r.eps);
}

[[gnu::always_inline]] inline void decay_one(float* pv, int64_t times, float rho) {
  float v = *pv;
  for (int64_t k = 0; k < times; ++k) v = rho * v + 0.0f;
  *pv = v;
}

#if defined(__x86_64__) || defined(__i386__)
KERAS_AVX512 void update_avx512(float* pw, const float* pg, float* pv, int64_t n, const Rule& r) {
  using vec16::v16;
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const v16 grad = vec16::load16(pg + i);
    const v16 v = r.rho * vec16::load16(pv + i) + r.one_minus_rho * grad * grad;
    vec16::store16(pv + i, v);
    v16 root;
    for (int l = 0; l < 16; ++l) root[l] = __builtin_sqrtf(v[l] + r.eps);
    vec16::store16(pw + i, vec16::load16(pw + i) - r.lr * grad / root);
  }
  for (; i < n; ++i) update_one(pw + i, pg + i, pv + i, r);
}

KERAS_AVX512 void decay_avx512(float* pv, int64_t n, int64_t times, float rho) {
  using vec16::v16;
  int64_t i = 0;
  for (; i + 64 <= n; i += 64) {  // four independent chains hide the latency
    v16 a = vec16::load16(pv + i), b = vec16::load16(pv + i + 16);
    v16 c = vec16::load16(pv + i + 32), d = vec16::load16(pv + i + 48);
    for (int64_t k = 0; k < times; ++k) {
      a = rho * a + 0.0f;
      b = rho * b + 0.0f;
      c = rho * c + 0.0f;
      d = rho * d + 0.0f;
    }
    vec16::store16(pv + i, a);
    vec16::store16(pv + i + 16, b);
    vec16::store16(pv + i + 32, c);
    vec16::store16(pv + i + 48, d);
  }
  for (; i + 16 <= n; i += 16) {
    v16 a = vec16::load16(pv + i);
    for (int64_t k = 0; k < times; ++k) a = rho * a + 0.0f;
    vec16::store16(pv + i, a);
  }
  for (; i < n; ++i) decay_one(pv + i, times, rho);
}
#endif

}  // namespace

void rmsprop_f32(float* pw, const float* pg, float* pv, int64_t n, const RmspropParams& p) {
  const Rule r(p);
#if defined(__x86_64__) || defined(__i386__)
  if (vec16::cpu_has_avx512()) {
    update_avx512(pw, pg, pv, n, r);
    return;
  }
#endif
  for (int64_t i = 0; i < n; ++i) update_one(pw + i, pg + i, pv + i, r);
}

void rmsprop_decay_f32(float* pv, int64_t n, int64_t times, const RmspropParams& p) {
  if (times <= 0) return;
  const float rho = static_cast<float>(p.rho);
#if defined(__x86_64__) || defined(__i386__)
  if (vec16::cpu_has_avx512()) {
    decay_avx512(pv, n, times, rho);
    return;
  }
#endif
  for (int64_t k = 0; k < times; ++k) {
    for (int64_t i = 0; i < n; ++i) pv[i] = rho * pv[i] + 0.0f;
  }
}

}  // namespace keras::backend::rows
