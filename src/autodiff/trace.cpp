#include "keras/autodiff/trace.h"

namespace keras::autodiff {
namespace {
thread_local KernelTrace* current_trace = nullptr;
}

KernelTrace::KernelTrace() : previous_(current_trace) {
  current_trace = this;
}
KernelTrace::~KernelTrace() {
  current_trace = previous_;
}
KernelTrace* active_trace() {
  return current_trace;
}

}  // namespace keras::autodiff
