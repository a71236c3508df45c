// keras::distribution — Keras 3's keras.distribution for data-parallel training across
// processes (one device per process: its CPU), on Open MPI.
//
//   keras::distribution::initialize();                       // once, at the start of main()
//   auto devices = keras::distribution::list_devices();      // {"cpu:0", ..., "cpu:<n-1>"}
//   keras::distribution::DeviceMesh mesh({(int64_t)devices.size()}, {"batch"}, devices);
//   keras::distribution::set_distribution(
//       std::make_shared<keras::distribution::DataParallel>(mesh));
//   model.compile(...); model.fit(x, y, {.batch_size = 64});  // unchanged
//
// Launch with `mpirun -np 2 ./program` (see docs/distributed.md). Under DataParallel:
//   - fit broadcasts the weights, the optimizer's variables (when built) and the global random
//     generator from process 0 when it starts, so every process starts identical;
//   - fit, evaluate, train_on_batch and test_on_batch split every batch (`batch_size` is the global
//     batch) into contiguous shares by process (process r of n takes rows [r*b/n, (r+1)*b/n) of a
//     batch of b rows); each process's gradient is weighted by its share of the rows and the
//     gradients are summed across processes before the optimizer step, so the step is that of the
//     loss's mean over the global batch (losses with reduction "sum_over_batch_size", Keras's
//     default; others are a ValueError); a batch smaller than the number of processes is a
//     ValueError; the dense gradients are all-reduced in buckets overlapping the backward pass
//     and an Embedding's as the rows touched (see DataParallel::bucket_bytes, sparse_gradients);
//   - the metrics' (and loss trackers') state variables are summed across processes whenever
//     logs are read, so the progress bar, History and every callback see the global values;
//   - BatchNormalization({.synchronized = true}) normalizes with the global batch's statistics
//     (summed across processes, gradients included); unsynchronized, with its share's;
//   - predict splits every batch the same way (a batch smaller than the number of processes is
//     predicted whole by every process) and gathers the outputs, in order, on every process;
//     predict_on_batch, as Keras's, is not split;
//   - only process 0 prints (std::cout of the others is discarded unless
//     InitializeOptions::quiet_workers is false) and writes files (ModelCheckpoint, CSVLogger,
//     TensorBoard, BackupAndRestore's backups, Model::save / save_weights are no-ops elsewhere).
//     BackupAndRestore restores on every process, reading the backup from the same path (a
//     shared file system when processes run on several machines).
// Without set_distribution (or with nullptr) every process trains alone, as without initialize().
// A process that dies makes mpirun end the others (naming its rank); a collective call that
// waits longer than `timeout_seconds` for the others aborts the job (MPI_Abort) with a message
// naming the processes that stopped answering.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "keras/distribution/collective.h"

namespace keras::distribution {

struct InitializeOptions {
  // Keras's arguments. Under mpirun they are read from Open MPI's environment; given (here or as
  // KERAS_DISTRIBUTION_NUM_PROCESSES / KERAS_DISTRIBUTION_PROCESS_ID), they must agree with it
  // (ValueError). job_addresses (KERAS_DISTRIBUTION_JOB_ADDRESSES, "host1:port,host2:port") is
  // kept for Keras's signature: with MPI the hosts are mpirun's --host list.
  std::optional<std::string> job_addresses = std::nullopt;
  std::optional<int> num_processes = std::nullopt;
  std::optional<int> process_id = std::nullopt;
  // Seconds a collective call waits for the other processes before aborting the job
  // (KERAS_DISTRIBUTION_TIMEOUT overrides it).
  double timeout_seconds = 300;
  // Discard std::cout on processes other than 0.
  bool quiet_workers = true;
};

// Starts the job's collective: Open MPI when launched by mpirun (or an MPI launcher that sets
// OMPI_COMM_WORLD_SIZE / PMI_SIZE), else a one-process job (a ValueError if num_processes > 1
// asks for more). Call once, before any other keras call; later calls do nothing. MPI is
// finalized when the program exits.
void initialize(const InitializeOptions& options = {});
bool initialized();
// Keras's jax.process_count() / process_index(): 1 and 0 without initialize().
int process_count();
int process_id();
// True on process 0: the one that prints and writes files.
bool is_chief();

// Every device of the job, one per process: "cpu:0" ... "cpu:<process_count()-1>". device_type
// "cpu" (or none); any other is a ValueError (keras.cpp has no accelerator backend yet).
std::vector<std::string> list_devices(const std::optional<std::string>& device_type = std::nullopt);

// Keras's DeviceMesh: devices arranged in `shape` with a name per axis.
class DeviceMesh {
 public:
  // ValueError when shape and axis_names differ in length or the shape's product is not the
  // number of devices. `devices` defaults to list_devices().
  DeviceMesh(std::vector<int64_t> shape,
             std::vector<std::string> axis_names,
             std::vector<std::string> devices = {});
  const std::vector<int64_t>& shape() const { return shape_; }
  const std::vector<std::string>& axis_names() const { return axis_names_; }
  const std::vector<std::string>& devices() const { return devices_; }

 private:
  std::vector<int64_t> shape_;
  std::vector<std::string> axis_names_;
  std::vector<std::string> devices_;
};

class Distribution {
 public:
  explicit Distribution(DeviceMesh mesh) : mesh_(std::move(mesh)) {}
  virtual ~Distribution() = default;
  const DeviceMesh& device_mesh() const { return mesh_; }

 private:
  DeviceMesh mesh_;
};

// Keras's DataParallel: a 1-D mesh over every device (axis "batch"), the batch split along it.
// keras.cpp runs one device per process, so the mesh must hold exactly one device per process
// (ValueError otherwise).
class DataParallel : public Distribution {
 public:
  // A mesh over list_devices().
  DataParallel();
  explicit DataParallel(std::vector<std::string> devices);
  explicit DataParallel(DeviceMesh mesh);
  const std::string& batch_dim_name() const { return device_mesh().axis_names()[0]; }

  // Gradient buckets: fit all-reduces the dense gradients in buckets of at least this many bytes,
  // each started (non-blocking) as soon as its gradients are final in the backward pass (the
  // last layers' first) and waited for before the optimizer step. 0: one all-reduce after the
  // backward pass. Default 1 MiB, or KERAS_DISTRIBUTION_BUCKET_BYTES when set. ValueError when
  // negative.
  int64_t bucket_bytes() const { return bucket_bytes_; }
  void set_bucket_bytes(int64_t bytes);
  // Row-sparse gradients (an Embedding's): when true (the default), each process sends only the
  // rows its share touched (an all-gather of row ids and rows, summed locally in process order)
  // whenever that moves fewer bytes than the dense all-reduce; false: always dense.
  bool sparse_gradients() const { return sparse_gradients_; }
  void set_sparse_gradients(bool sparse) { sparse_gradients_ = sparse; }
  // Tables shared in memory: when every process runs on one machine, a variable with row-sparse
  // gradients whose optimizer updates only the rows (SGD or RMSprop without momentum, Adagrad;
  // no clipping, weight decay, EMA, loss scaling or gradient accumulation) and which has no
  // constraint lives, from fit's second step to its end, in memory the processes share, with
  // its optimizer state: each process stages its rows there and sums and updates only the
  // rows it owns (ids r, r + n, r + 2n, ... on process r of n), instead of every process
  // receiving every row and updating the union. The same sums in the same order as the
  // all-gather. Default true, or KERAS_DISTRIBUTION_SHARED_TABLES=0 for false.
  bool shared_tables() const { return shared_tables_; }
  void set_shared_tables(bool shared) { shared_tables_ = shared; }
  // Balanced shares: when true, fit splits each training batch (those of its first batch's size)
  // in proportion to the processes' measured speeds instead of evenly: each step's rows per
  // second of time not spent waiting for the others, averaged over steps, exchanged without
  // blocking (a step's speeds steer the split one step later), with each share kept within a
  // quarter of the even share and moved in steps of 1/16 of the batch (so that at most a few
  // step plans are traced per batch size). The gradient
  // is still the global batch's mean (each share is weighted by its rows), so a run equals one
  // process within the rounding of another summation order, but which rows a process takes
  // depends on timing: two runs are no longer equal bit for bit. For machines whose processes
  // run at different or varying speeds (shared cores, other tenants), where an even split waits
  // at every step for the slowest. evaluate and predict split evenly. Default false, or
  // KERAS_DISTRIBUTION_BALANCE_SHARES=1 for true.
  bool balance_shares() const { return balance_shares_; }
  void set_balance_shares(bool balance) { balance_shares_ = balance; }

 private:
  int64_t bucket_bytes_;
  bool sparse_gradients_ = true;
  bool shared_tables_ = true;
  bool balance_shares_ = false;
};

// The distribution fit/evaluate use; nullptr: none (each process alone).
void set_distribution(std::shared_ptr<Distribution> distribution);
std::shared_ptr<Distribution> distribution();

// True when a DataParallel distribution is set and the job has more than one process.
bool data_parallel_active();

}  // namespace keras::distribution
