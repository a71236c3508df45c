#include <algorithm>
#include <atomic>
#include <exception>
#include <iterator>
#include <thread>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "backend/cpu/cpu_backend.h"
#include "backend/cpu/vec16.h"
#include "keras/backend/inference.h"
#include "keras/backend/lanes.h"
#ifdef KERAS_HAVE_ONEDNN
#include "backend/cpu/onednn/conv.h"
#endif

extern "C" void openblas_set_num_threads(int num_threads);

namespace keras::backend {
namespace {

thread_local Backend* cpu_override = nullptr;
thread_local bool inference_scope = false;
thread_local bool on_one_thread = false;  // OnOneThread, or a lane of run_lanes
int g_num_threads = 0;
// The backends of the other device kinds, by DeviceType (none is built in yet).
std::atomic<Backend*> registered[static_cast<size_t>(DeviceType::guarded) + 1] = {};

}  // namespace

Backend& reference_backend() {
  static ReferenceBackend backend;
  return backend;
}

Backend& cpu_backend() {
#ifdef KERAS_HAVE_ONEDNN
  // Before oneDNN's first kernel: KERAS_MAX_CPU_ISA (vec16.h) holds for its kernels too.
  static const bool limited = (onednn::limit_isa(vec16::max_isa()), true);
  (void)limited;
#endif
  static CpuBackend backend;
  return backend;
}

Backend& backend_for(Device device) {
  if (device.is_host()) [[likely]] {
    return cpu_override != nullptr ? *cpu_override : cpu_backend();
  }
  const auto kind = static_cast<size_t>(device.type);
  Backend* backend = kind < std::size(registered) ? registered[kind].load() : nullptr;
  KERAS_CHECK(backend != nullptr, RuntimeError, "no backend for device ", device);
  return *backend;
}

Backend& backend_for(std::string_view op, std::span<const Tensor> tensors) {
  const Tensor* first = nullptr;
  for (const Tensor& t : tensors) {
    if (!t.defined()) continue;
    if (first == nullptr) {
      first = &t;
      continue;
    }
    KERAS_CHECK(t.device() == first->device(), ValueError, op,
                ": expected all tensors on one device, got ", first->device(), " and ", t.device());
  }
  KERAS_CHECK(first != nullptr, ValueError, op, ": no input tensor");
  return backend_for(first->device());
}

void register_backend(DeviceType type, Backend* backend) {
  KERAS_CHECK(type != DeviceType::cpu, ValueError,
              "register_backend: the host's backend is built in (ScopedBackend swaps it)");
  registered[static_cast<size_t>(type)] = backend;
}

ScopedBackend::ScopedBackend(Backend& backend) : previous_(cpu_override) {
  cpu_override = &backend;
}
ScopedBackend::~ScopedBackend() {
  cpu_override = previous_;
}

InferenceScope::InferenceScope() : previous_(inference_scope) {
  inference_scope = true;
}
InferenceScope::~InferenceScope() {
  inference_scope = previous_;
}
bool in_inference_scope() {
  return inference_scope;
}

void set_num_threads(int n) {
  g_num_threads = std::max(1, n);
  openblas_set_num_threads(g_num_threads);
#ifdef KERAS_HAVE_ONEDNN
  onednn::set_num_threads(g_num_threads);
#endif
}

int num_threads() {
  if (on_one_thread) return 1;
  if (g_num_threads > 0) return g_num_threads;
#ifdef _OPENMP
  // OpenMP's default honours OMP_NUM_THREADS and the CPU affinity mask (taskset, cgroups), as
  // OpenBLAS and oneDNN, which run on the same OpenMP pool, do.
  return std::max(1, omp_get_max_threads());
#else
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
#endif
}

OnOneThread::OnOneThread() : previous_(on_one_thread), omp_threads_(1) {
  on_one_thread = true;
#ifdef _OPENMP
  omp_threads_ = omp_get_max_threads();
  omp_set_num_threads(1);
#endif
}
OnOneThread::~OnOneThread() {
  on_one_thread = previous_;
#ifdef _OPENMP
  omp_set_num_threads(omp_threads_);
#endif
}

void run_lanes(int lanes, const std::function<void(int)>& f) {
#ifdef _OPENMP
  if (lanes > 1 && !omp_in_parallel()) {
    Backend* const caller_backend = cpu_override;
    const bool caller_inference = inference_scope;
    const Device device = default_device();
    std::exception_ptr error;
#pragma omp parallel num_threads(lanes)
    {
      Backend* const own_backend = cpu_override;
      const bool own_inference = inference_scope;
      cpu_override = caller_backend;
      inference_scope = caller_inference;
      const DeviceScope scope(device);
      const OnOneThread one;
      // A team smaller than asked for (a thread limit) runs the lanes left over in turn.
      for (int lane = omp_get_thread_num(); lane < lanes; lane += omp_get_num_threads()) {
        try {
          f(lane);
        } catch (...) {
#pragma omp critical(keras_run_lanes)
          if (!error) error = std::current_exception();
        }
      }
      cpu_override = own_backend;
      inference_scope = own_inference;
    }
    if (error) std::rethrow_exception(error);
    return;
  }
#endif
  for (int lane = 0; lane < lanes; ++lane) f(lane);
}

const char* unary_op_name(UnaryOp op) {
  static const char* const kNames[] = {"neg",        "abs",
                                       "sign",       "square",
                                       "sqrt",       "exp",
                                       "log",        "log1p",
                                       "reciprocal", "floor",
                                       "round",      "relu",
                                       "relu6",      "leaky_relu",
                                       "sigmoid",    "tanh",
                                       "softplus",   "softsign",
                                       "elu",        "selu",
                                       "gelu",       "gelu_approximate",
                                       "silu",       "hard_sigmoid",
                                       "hard_silu",  "clip",
                                       "pow",        "logical_not",
                                       "sin",        "cos",
                                       "tan",        "arcsin",
                                       "arccos",     "arctan",
                                       "sinh",       "cosh",
                                       "arcsinh",    "arccosh",
                                       "arctanh",    "ceil",
                                       "trunc",      "expm1",
                                       "log2",       "log10",
                                       "exp2",       "erf"};
  return kNames[static_cast<int>(op)];
}

}  // namespace keras::backend

namespace keras {

// Declared by core (keras/core/tensor.h), which cannot include backend/.
DeviceMemory& device_memory(Device device) {
  return backend::backend_for(device);
}

}  // namespace keras
