// The LSTM cell's arithmetic, shared by the reference and CPU kernels; `Sigmoid` and `Tanh` are
// the scalar functions to use (exact ones for the reference, vectorizable ones on the CPU).
#pragma once

#include <cstdint>

namespace keras::backend {

template <class T, class Sigmoid, class Tanh>
void lstm_cell_forward(const T* z,
                       const T* c_prev,
                       T* h,
                       T* c,
                       T* ws,
                       int64_t batch,
                       int64_t units,
                       Sigmoid sigmoid,
                       Tanh tanh) {
  for (int64_t b = 0; b < batch; ++b) {
    const T* zb = z + b * 4 * units;
    T* wb = ws + b * 5 * units;
    for (int64_t u = 0; u < units; ++u) {
      const T i = sigmoid(zb[u]), f = sigmoid(zb[units + u]);
      const T g = tanh(zb[2 * units + u]), o = sigmoid(zb[3 * units + u]);
      const T cn = f * c_prev[b * units + u] + i * g;
      const T tc = tanh(cn);
      c[b * units + u] = cn;
      h[b * units + u] = o * tc;
      wb[u] = i;
      wb[units + u] = f;
      wb[2 * units + u] = g;
      wb[3 * units + u] = o;
      wb[4 * units + u] = tc;
    }
  }
}

// dz and dc_prev from dh and dc: c = f c_prev + i g, h = o tanh(c).
template <class T>
void lstm_cell_backward_loops(const T* dh,
                              const T* dc,
                              const T* c_prev,
                              const T* ws,
                              T* dz,
                              T* dc_prev,
                              int64_t batch,
                              int64_t units) {
  for (int64_t b = 0; b < batch; ++b) {
    const T* wb = ws + b * 5 * units;
    T* db = dz + b * 4 * units;
    for (int64_t u = 0; u < units; ++u) {
      const int64_t k = b * units + u;
      const T i = wb[u], f = wb[units + u], g = wb[2 * units + u], o = wb[3 * units + u];
      const T tc = wb[4 * units + u];
      const T dct = dc[k] + dh[k] * o * (T(1) - tc * tc);
      dc_prev[k] = dct * f;
      db[u] = dct * g * i * (T(1) - i);
      db[units + u] = dct * c_prev[k] * f * (T(1) - f);
      db[2 * units + u] = dct * i * (T(1) - g * g);
      db[3 * units + u] = dh[k] * tc * o * (T(1) - o);
    }
  }
}

// One row of the same backward, as the sequence kernels step it: dh = dh_next + dy, and dc is
// updated in place to dc_prev. Restrict-qualified so that the loop vectorizes.
template <class T>
void lstm_cell_backward_row(const T* __restrict dh_next,
                            const T* __restrict dy,
                            T* __restrict dc,
                            const T* __restrict c_prev,
                            const T* __restrict ws,
                            T* __restrict dz,
                            int64_t units) {
  const T* i = ws;
  const T* f = ws + units;
  const T* g = ws + 2 * units;
  const T* o = ws + 3 * units;
  const T* tc = ws + 4 * units;
  for (int64_t u = 0; u < units; ++u) {
    const T dh = dh_next[u] + dy[u];
    const T dct = dc[u] + dh * o[u] * (T(1) - tc[u] * tc[u]);
    dz[u] = dct * g[u] * i[u] * (T(1) - i[u]);
    dz[units + u] = dct * c_prev[u] * f[u] * (T(1) - f[u]);
    dz[2 * units + u] = dct * i[u] * (T(1) - g[u] * g[u]);
    dz[3 * units + u] = dh * tc[u] * o[u] * (T(1) - o[u]);
    dc[u] = dct * f[u];
  }
}

}  // namespace keras::backend
