// CSVLogger (keras.callbacks.CSVLogger): streams one row per epoch to a CSV file, as Keras
// writes it: a header "epoch,<log names sorted>" (written unless appending to a non-empty
// file), then the 0-based epoch and each value as Python's repr(float) ("0.5301234483718872",
// "1e-05"); "NA" for a value an epoch lacks. Rows end with "\r\n" (Python's csv excel dialect);
// a field holding the separator, a quote or a line break is quoted. The columns are fixed at the
// first epoch of each fit(); when that epoch has no "val_" log (validation_freq > 1, or no
// validation), a "val_<name>" column follows for every name, as Keras 3 writes them.
//
// Errors: IOError when the file cannot be opened or written.
#pragma once

#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "keras/callbacks/callback.h"

namespace keras::callbacks {

struct CSVLoggerOptions {
  std::string separator = ",";
  bool append = false;  // true: add rows to an existing file (when resuming training)
};

class CSVLoggerImpl : public Callback {
 public:
  CSVLoggerImpl(std::string filename, CSVLoggerOptions options = {});
  void on_train_begin(const Logs& logs) override;
  void on_epoch_end(int epoch, const Logs& logs) override;
  void on_train_end(const Logs& logs) override;

 private:
  void write_row(const std::vector<std::string>& fields);

  std::string filename_;
  CSVLoggerOptions options_;
  std::ofstream file_;
  std::optional<std::vector<std::string>> keys_;
  bool append_header_ = true;
};

std::shared_ptr<CSVLoggerImpl> CSVLogger(std::string filename, CSVLoggerOptions options = {});

}  // namespace keras::callbacks
