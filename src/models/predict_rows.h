// How many rows of each batch predict() runs at a time (the trainer reads it from the model's
// ModelSignature).
#pragma once

#include <cstdint>

namespace keras::models {
class FunctionalImpl;
}

namespace keras::models::internal {

// The most rows of a batch that predict() runs in one pass through the model, or 0 for no limit.
// A limit only for a functional model that is batch-independent (Layer::batch_independent: each
// sample's outputs depend on its inputs only), without recurrent layers (whose time steps get no
// fewer with fewer rows) and with fully known shapes: as many rows as keep its
// largest layer call (inputs and outputs; a nested functional model once per call, as its calls
// run as one batched call) within kPredictBytes, rounded down to a multiple of kPredictMinRows
// (and at least that), so that each layer's outputs are still in cache when the next layer reads
// them. Every row is computed as in the whole batch, though kernels may round differently at
// another batch size.
inline constexpr int64_t kPredictBytes = int64_t{4} << 20;
inline constexpr int64_t kPredictMinRows = 8;
int64_t predict_rows_at_a_time(const FunctionalImpl& model);

}  // namespace keras::models::internal
