// A row-sparse variable and its optimizer's row state held, while fit runs, in memory that every
// process of one machine maps (DataParallel::shared_tables): one copy for the job instead of one
// per process, plus a staging area per process for the gradient rows of a step.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "keras/core/tensor.h"

namespace keras::trainers::internal {

class SharedTable {
 public:
  // Collective: moves the storages of `tensors` (host tensors with the same values on every
  // process) into one shared allocation, process 0's values copied in, followed by
  // `staging_bytes` of staging per process. nullptr on every process when any cannot.
  // `on_release` runs when the table goes back to private memory.
  static std::shared_ptr<SharedTable> attach(const Tensors& tensors,
                                             size_t staging_bytes,
                                             std::function<void()> on_release);
  ~SharedTable();
  SharedTable(const SharedTable&) = delete;
  SharedTable& operator=(const SharedTable&) = delete;

  bool attached() const { return attached_; }
  // Whether `storage` is one of the table's.
  bool holds(const Storage* storage) const;
  // Process `process`'s staging area (8-byte aligned).
  char* staging(int process) const;
  // Collective: each process's storages back in its own memory, holding the shared values; the
  // shared memory is freed.
  void detach();
  // This process only (after an error, when the others may not take part): the values are
  // copied back; the shared memory stays mapped until the job ends.
  void abandon();

 private:
  SharedTable() = default;
  void copy_back();

  std::vector<std::shared_ptr<Storage>> storages_;
  std::vector<void*> private_;  // each storage's own memory while attached
  char* base_ = nullptr;
  size_t staging_offset_ = 0, staging_bytes_ = 0;
  std::function<void()> on_release_;
  bool attached_ = false;
};

// While alive (fit's steps), GradientExchange may attach shared tables; it collects them.
// close() (collective, after the last step) detaches them; the destructor abandons any left (an
// exception ended fit on this process).
class SharedTablesScope {
 public:
  SharedTablesScope();
  ~SharedTablesScope();
  SharedTablesScope(const SharedTablesScope&) = delete;
  SharedTablesScope& operator=(const SharedTablesScope&) = delete;
  void close();
};

// Whether a SharedTablesScope is open on this thread's trainer (fit, not train_on_batch).
bool shared_tables_allowed();
// Adds an attached table to the open scope.
void register_shared_table(std::shared_ptr<SharedTable> table);
// The open scope's attached table that holds `storage` (another plan of the same fit attached
// it), or nullptr.
std::shared_ptr<SharedTable> find_shared_table(const Storage* storage);
// Marks `storage` as refused in the open scope (the processes could not share it), and whether it
// is: a plan traced later (balanced shares of a new size, on some processes only) must not try
// again, since trying is collective.
void refuse_shared_table(const Storage* storage);
bool shared_table_refused(const Storage* storage);
// The number of tables attached in the open scope (for tests).
size_t shared_table_count();

}  // namespace keras::trainers::internal
