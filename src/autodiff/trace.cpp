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

void depends_on_values() {
  for (KernelTrace* t = current_trace; t != nullptr; t = t->previous_) t->replayable_ = false;
}

}  // namespace keras::autodiff
