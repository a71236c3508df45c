// Row walk for masked_softmax: the offset of each row's mask, broadcast against x.
#pragma once

#include <cstdint>
#include <vector>

#include "backend/strided.h"
#include "keras/core/tensor.h"

namespace keras::backend {

// Calls f(x_offset, mask_offset, mask_step, n) for every row of x's last axis, where the row's
// mask value i is at mask_offset + i * mask_step (mask_step 0 when the mask's last dim is 1).
template <class F>
void for_each_masked_row(const Tensor& x, const Tensor& mask, F&& f) {
  const Shape& xs = x.shape();
  const int64_t n = xs.empty() ? 1 : xs.back();
  if (n == 0 || x.size() == 0) return;
  const std::vector<int64_t> ms = broadcast_strides(mask.shape(), xs);
  const int64_t step = xs.empty() ? 0 : ms.back();
  const Shape lead(xs.begin(), xs.empty() ? xs.end() : xs.end() - 1);
  const std::vector<int64_t> lead_strides[1] = {
      std::vector<int64_t>(ms.begin(), ms.empty() ? ms.end() : ms.end() - 1)};
  MultiIndex<1> it(lead, lead_strides);
  const int64_t rows = x.size() / n;
  for (int64_t r = 0; r < rows; ++r, it.next()) f(r * n, it.offset(0), step, n);
}

}  // namespace keras::backend
