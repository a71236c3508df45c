// LambdaCallback (keras.callbacks.LambdaCallback): a callback made of functions, one per hook;
// hooks left empty do nothing.
//
//   callbacks::LambdaCallback({.on_epoch_end = [](int epoch, const callbacks::Logs& logs) {
//     std::cout << epoch << " " << logs.at("loss") << "\n";
//   }});
#pragma once

#include <functional>
#include <memory>

#include "keras/callbacks/callback.h"

namespace keras::callbacks {

using EpochHook = std::function<void(int epoch, const Logs& logs)>;
using BatchHook = std::function<void(int batch, const Logs& logs)>;
using PhaseHook = std::function<void(const Logs& logs)>;

// Keras's argument order first (epoch, train, train batch), then the test and predict hooks.
struct LambdaCallbackOptions {
  EpochHook on_epoch_begin = nullptr;
  EpochHook on_epoch_end = nullptr;
  PhaseHook on_train_begin = nullptr;
  PhaseHook on_train_end = nullptr;
  BatchHook on_train_batch_begin = nullptr;
  BatchHook on_train_batch_end = nullptr;
  PhaseHook on_test_begin = nullptr;
  PhaseHook on_test_end = nullptr;
  BatchHook on_test_batch_begin = nullptr;
  BatchHook on_test_batch_end = nullptr;
  PhaseHook on_predict_begin = nullptr;
  PhaseHook on_predict_end = nullptr;
  BatchHook on_predict_batch_begin = nullptr;
  BatchHook on_predict_batch_end = nullptr;
};

class LambdaCallbackImpl : public Callback {
 public:
  explicit LambdaCallbackImpl(LambdaCallbackOptions hooks) : hooks_(std::move(hooks)) {}
  void on_train_begin(const Logs& l) override { call(hooks_.on_train_begin, l); }
  void on_train_end(const Logs& l) override { call(hooks_.on_train_end, l); }
  void on_epoch_begin(int e, const Logs& l) override { call(hooks_.on_epoch_begin, e, l); }
  void on_epoch_end(int e, const Logs& l) override { call(hooks_.on_epoch_end, e, l); }
  void on_train_batch_begin(int b, const Logs& l) override {
    call(hooks_.on_train_batch_begin, b, l);
  }
  void on_train_batch_end(int b, const Logs& l) override { call(hooks_.on_train_batch_end, b, l); }
  void on_test_begin(const Logs& l) override { call(hooks_.on_test_begin, l); }
  void on_test_end(const Logs& l) override { call(hooks_.on_test_end, l); }
  void on_test_batch_begin(int b, const Logs& l) override {
    call(hooks_.on_test_batch_begin, b, l);
  }
  void on_test_batch_end(int b, const Logs& l) override { call(hooks_.on_test_batch_end, b, l); }
  void on_predict_begin(const Logs& l) override { call(hooks_.on_predict_begin, l); }
  void on_predict_end(const Logs& l) override { call(hooks_.on_predict_end, l); }
  void on_predict_batch_begin(int b, const Logs& l) override {
    call(hooks_.on_predict_batch_begin, b, l);
  }
  void on_predict_batch_end(int b, const Logs& l) override {
    call(hooks_.on_predict_batch_end, b, l);
  }

 private:
  template <class F, class... Args>
  static void call(const F& f, Args&&... args) {
    if (f) f(std::forward<Args>(args)...);
  }
  LambdaCallbackOptions hooks_;
};

inline std::shared_ptr<LambdaCallbackImpl> LambdaCallback(LambdaCallbackOptions hooks) {
  return std::make_shared<LambdaCallbackImpl>(std::move(hooks));
}

}  // namespace keras::callbacks
