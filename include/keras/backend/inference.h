// Telling the CPU kernels that they compute inference only (predict).
#pragma once

namespace keras::backend {

// While alive, the kernels this thread runs compute inference only (predict): no gradient
// follows and no training step replays them, so the CPU backend may take kernels that are faster
// there but allocate on every call, which a training step must not (a Dense forward through
// oneDNN's matmul primitive). Their sums may be blocked differently from gemm's, so the bits may
// differ from a training-mode call's within float32 rounding. Scopes nest; run_lanes passes the
// caller's on to its lanes.
class InferenceScope {
 public:
  InferenceScope();
  ~InferenceScope();
  InferenceScope(const InferenceScope&) = delete;
  InferenceScope& operator=(const InferenceScope&) = delete;

 private:
  bool previous_;
};

// Whether an InferenceScope is alive on this thread.
bool in_inference_scope();

}  // namespace keras::backend
