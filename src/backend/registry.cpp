#include <algorithm>
#include <thread>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "backend/cpu/cpu_backend.h"
#ifdef KERAS_HAVE_ONEDNN
#include "backend/cpu/onednn/conv.h"
#endif

extern "C" void openblas_set_num_threads(int num_threads);

namespace keras::backend {
namespace {

thread_local Backend* cpu_override = nullptr;
int g_num_threads = 0;

}  // namespace

Backend& reference_backend() {
  static ReferenceBackend backend;
  return backend;
}

Backend& cpu_backend() {
  static CpuBackend backend;
  return backend;
}

Backend& backend_for(Device device) {
  KERAS_CHECK(device.type == DeviceType::cpu, RuntimeError, "no backend for device ", device);
  return cpu_override != nullptr ? *cpu_override : cpu_backend();
}

ScopedBackend::ScopedBackend(Backend& backend) : previous_(cpu_override) {
  cpu_override = &backend;
}
ScopedBackend::~ScopedBackend() {
  cpu_override = previous_;
}

void set_num_threads(int n) {
  g_num_threads = std::max(1, n);
  openblas_set_num_threads(g_num_threads);
#ifdef KERAS_HAVE_ONEDNN
  onednn::set_num_threads(g_num_threads);
#endif
}

int num_threads() {
  if (g_num_threads > 0) return g_num_threads;
#ifdef _OPENMP
  // OpenMP's default honours OMP_NUM_THREADS and the CPU affinity mask (taskset, cgroups), as
  // OpenBLAS and oneDNN, which run on the same OpenMP pool, do.
  return std::max(1, omp_get_max_threads());
#else
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
#endif
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
                                       "pow",        "logical_not"};
  return kNames[static_cast<int>(op)];
}

}  // namespace keras::backend
