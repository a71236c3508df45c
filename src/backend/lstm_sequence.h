// The LSTM recurrence over a whole sequence, shared by the reference and CPU kernels, for the
// batch rows [r0, r1) (rows are independent, so kernels may give each thread its own rows).
// `gemm(ta, tb, m, n, k, a, lda, b, ldb, beta, c, ldc)` is row-major C = op(A) op(B) + beta C;
// `cell(z, c_prev, h, c, ws)` is one row of the forward cell (backend/lstm_cell.h's arithmetic).
// The backward steps each row with lstm_cell_backward_row. Layouts as in Backend::lstm_sequence:
// hs, cs, ws and the gradients dhs are in processing order; xs and dxs in time order.
#pragma once

#include <algorithm>
#include <cstdint>

#include "backend/kernel_data.h"
#include "backend/lstm_cell.h"
#include "keras/backend/backend.h"
#include "keras/core/tensor.h"

namespace keras::backend {

template <class T>
struct LstmSequence {
  const T* xs;
  const T* u;  // (units, 4 units)
  const T* h0;
  const T* c0;
  T* hs;
  T* cs;
  T* ws;
  int64_t batch, steps, units;
  bool reverse;

  int64_t gates() const { return 4 * units; }
  int64_t time(int64_t k) const { return reverse ? steps - 1 - k : k; }
  // Row (b, k) of a (batch, steps, width) tensor.
  int64_t row(int64_t b, int64_t k) const { return b * steps + k; }
};

// The raw view of Backend::lstm_sequence's arguments (the batch and steps come from hs; xs is
// null when undefined, as in the backward).
template <class T>
LstmSequence<T> sequence_of(const LstmSequenceArgs& a) {
  return {a.xs.defined() ? kernel_data<T>(a.xs) : nullptr,
          kernel_data<T>(a.u_kernel),
          kernel_data<T>(a.h0),
          kernel_data<T>(a.c0),
          kernel_data<T>(a.hs),
          kernel_data<T>(a.cs),
          kernel_data<T>(a.ws),
          a.hs.dim(0),
          a.hs.dim(1),
          a.h0.dim(1),
          a.reverse};
}

// z: scratch of (r1 - r0) x 4u.
template <class T, class Gemm, class Cell>
void lstm_sequence_rows(
    const LstmSequence<T>& s, int64_t r0, int64_t r1, T* z, Gemm gemm, Cell cell) {
  const int64_t nb = r1 - r0, u = s.units, g = s.gates(), t_u = s.steps * u;
  for (int64_t k = 0; k < s.steps; ++k) {
    const T* h_prev = k == 0 ? s.h0 + r0 * u : s.hs + s.row(r0, k - 1) * u;
    const T* c_prev = k == 0 ? s.c0 + r0 * u : s.cs + s.row(r0, k - 1) * u;
    const int64_t ld_prev = k == 0 ? u : t_u;
    gemm(false, false, nb, g, u, h_prev, ld_prev, s.u, g, T(0), z, g);
    for (int64_t b = 0; b < nb; ++b) {
      T* zb = z + b * g;
      const T* x = s.xs + s.row(r0 + b, s.time(k)) * g;
      for (int64_t j = 0; j < g; ++j) zb[j] += x[j];
      const int64_t at = s.row(r0 + b, k);
      cell(zb, c_prev + b * ld_prev, s.hs + at * u, s.cs + at * u, s.ws + at * 5 * u);
    }
  }
}

// Gradients for rows [r0, r1): writes their dxs (processing order; the caller reverses time
// when s.reverse), dh0, dc0 rows, and du_part (u x 4u), this row range's share of du.
template <class T, class Gemm>
void lstm_sequence_backward_rows(const LstmSequence<T>& s,
                                 const T* dhs,
                                 const T* dc_last,
                                 int64_t r0,
                                 int64_t r1,
                                 T* dxs,
                                 T* dh0,
                                 T* dc0,
                                 T* du_part,
                                 Gemm gemm) {
  const int64_t nb = r1 - r0, u = s.units, g = s.gates();
  T* dc = dc0 + r0 * u;
  T* dh_next = dh0 + r0 * u;
  std::copy(dc_last + r0 * u, dc_last + r1 * u, dc);
  std::fill(dh_next, dh_next + nb * u, T(0));
  for (int64_t k = s.steps - 1; k >= 0; --k) {
    for (int64_t b = 0; b < nb; ++b) {
      const int64_t at = s.row(r0 + b, k);
      const T* c_prev = k == 0 ? s.c0 + (r0 + b) * u : s.cs + s.row(r0 + b, k - 1) * u;
      lstm_cell_backward_row(dh_next + b * u, dhs + at * u, dc + b * u, c_prev, s.ws + at * 5 * u,
                             dxs + at * g, u);
    }
    // dh_prev = dz U^T
    gemm(false, true, nb, u, g, dxs + s.row(r0, k) * g, s.steps * g, s.u, g, T(0), dh_next, u);
  }
  // du = sum over steps of h_prev^T dz: the first step's h_prev is h0, the others' are hs rows.
  gemm(true, false, u, g, nb, s.h0 + r0 * u, u, dxs + s.row(r0, 0) * g, s.steps * g, T(0), du_part,
       g);
  if (s.steps > 1) {
    for (int64_t b = r0; b < r1; ++b) {
      gemm(true, false, u, g, s.steps - 1, s.hs + s.row(b, 0) * u, u, dxs + s.row(b, 1) * g, g,
           T(1), du_part, g);
    }
  }
  if (s.reverse) {  // processing order -> time order
    for (int64_t b = r0; b < r1; ++b) {
      for (int64_t k = 0; k < s.steps / 2; ++k) {
        std::swap_ranges(dxs + s.row(b, k) * g, dxs + s.row(b, k) * g + g,
                         dxs + s.row(b, s.steps - 1 - k) * g);
      }
    }
  }
}

}  // namespace keras::backend
