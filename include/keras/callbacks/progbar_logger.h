// ProgbarLogger (keras.callbacks.ProgbarLogger): prints Keras's progress bar for fit, evaluate
// and predict. fit/evaluate/predict add one when verbose != 0 and none was passed; params
// "verbose", "epochs" and "steps" come from the call. In fit it prints "Epoch i/N" (N > 1), a bar
// per epoch, and stays silent during validation; the last line of an epoch lists the training
// metrics, then the validation metrics, then anything callbacks added (learning_rate).
#pragma once

#include <iostream>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "keras/callbacks/callback.h"
#include "keras/callbacks/progbar.h"

namespace keras::callbacks {

class ProgbarLogger : public Callback {
 public:
  // `out`: where to print (std::cout by default; the bar redraws in place only on a terminal).
  explicit ProgbarLogger(std::ostream& out = std::cout) : out_(out) {}

  void on_train_begin(const Logs& logs) override;
  void on_train_end(const Logs& logs) override;
  void on_epoch_begin(int epoch, const Logs& logs) override;
  void on_epoch_end(int epoch, const Logs& logs) override;
  void on_train_batch_end(int batch, const Logs& logs) override;
  void on_test_begin(const Logs& logs) override;
  void on_test_batch_end(int batch, const Logs& logs) override;
  void on_test_end(const Logs& logs) override;
  void on_predict_begin(const Logs& logs) override;
  void on_predict_batch_end(int batch, const Logs& logs) override;
  void on_predict_end(const Logs& logs) override;

 private:
  int verbose() const;
  int64_t target() const;
  void reset();
  void update(int batch, const Logs& logs);
  void finalize(const Logs& logs);
  // Logs in the order Keras's Progbar shows them: first appearance wins.
  std::vector<std::pair<std::string, double>> ordered(const Logs& logs);

  std::ostream& out_;
  std::optional<Progbar> bar_;
  int64_t seen_ = 0;
  bool called_in_fit_ = false;
  std::vector<std::string> order_;
};

}  // namespace keras::callbacks
