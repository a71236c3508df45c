#include "keras/distribution/distribution.h"

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <numeric>
#include <streambuf>

#include "distribution/mpi_collective.h"
#include "keras/core/error.h"

namespace keras::distribution {

namespace {

class LocalCollective final : public Collective {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  std::string name() const override { return "local"; }
  void broadcast(void*, int64_t, DType, int root) override {
    KERAS_CHECK(root == 0, ValueError, "broadcast: root must be in [0, 1), got ", root);
  }
  void all_reduce(void*, int64_t, DType dtype, ReduceOp) override {
    KERAS_CHECK(dtype == float32 || dtype == float64, TypeError,
                "all_reduce: expected float32 or float64, got ", dtype_name(dtype));
  }
  int64_t start_all_reduce(void* data, int64_t count, DType dtype) override {
    all_reduce(data, count, dtype, ReduceOp::sum);
    return 0;
  }
  void wait(int64_t) override {}
  void all_gather(const void* send, void* recv, const std::vector<int64_t>& bytes) override {
    KERAS_CHECK(bytes.size() == 1, ValueError, "all_gather: expected 1 count, got ", bytes.size());
    if (bytes[0] > 0) std::memcpy(recv, send, static_cast<size_t>(bytes[0]));
  }
  void barrier() override {}
};

class NullBuffer final : public std::streambuf {
 protected:
  int overflow(int c) override { return traits_type::not_eof(c); }
  std::streamsize xsputn(const char*, std::streamsize n) override { return n; }
};

struct State {
  std::unique_ptr<Collective> collective = std::make_unique<LocalCollective>();
  bool initialized = false;
  std::shared_ptr<Distribution> distribution;
};

// Never destroyed: std::cout is flushed at exit, after function-local statics are gone.
std::streambuf* null_buffer() {
  static NullBuffer* const buffer = new NullBuffer();
  return buffer;
}

State& state() {
  static State s;
  return s;
}

std::optional<int> env_int(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return std::nullopt;
  char* end = nullptr;
  const long value = std::strtol(v, &end, 10);
  KERAS_CHECK(*end == '\0', ValueError, name, " must be an integer, got \"", v, "\"");
  return static_cast<int>(value);
}

}  // namespace

Collective& collective() {
  return *state().collective;
}

void initialize(const InitializeOptions& options) {
  State& s = state();
  if (s.initialized) return;
  const std::optional<int> num_processes =
      options.num_processes ? options.num_processes : env_int("KERAS_DISTRIBUTION_NUM_PROCESSES");
  const std::optional<int> process_id =
      options.process_id ? options.process_id : env_int("KERAS_DISTRIBUTION_PROCESS_ID");
  double timeout = options.timeout_seconds;
  if (const char* t = std::getenv("KERAS_DISTRIBUTION_TIMEOUT")) timeout = std::atof(t);
  KERAS_CHECK(timeout > 0, ValueError, "timeout_seconds must be positive, got ", timeout);
  if (internal::launched_by_mpi()) {
    s.collective = internal::make_mpi_collective(timeout);
  } else {
    KERAS_CHECK(num_processes.value_or(1) == 1, ValueError,
                "initialize: num_processes=", *num_processes,
                " but this process was not started by mpirun. Launch every process with `mpirun "
                "-np ",
                *num_processes, " --host host1,host2,... program` (see docs/distributed.md).");
  }
  const Collective& c = *s.collective;
  KERAS_CHECK(!num_processes || *num_processes == c.size(), ValueError,
              "initialize: num_processes=", *num_processes, " but mpirun started ", c.size(),
              " processes");
  KERAS_CHECK(!process_id || *process_id == c.rank(), ValueError,
              "initialize: process_id=", *process_id, " but mpirun gave this process rank ",
              c.rank());
  s.initialized = true;
  if (options.quiet_workers && c.rank() != 0) std::cout.rdbuf(null_buffer());
}

bool initialized() {
  return state().initialized;
}
int process_count() {
  return collective().size();
}
int process_id() {
  return collective().rank();
}
bool is_chief() {
  return collective().rank() == 0;
}

std::vector<std::string> list_devices(const std::optional<std::string>& device_type) {
  KERAS_CHECK(!device_type || *device_type == "cpu" || *device_type == "CPU", ValueError,
              "list_devices: device_type must be \"cpu\" (keras.cpp runs one CPU device per "
              "process), got \"",
              *device_type, "\"");
  std::vector<std::string> devices;
  for (int i = 0; i < process_count(); ++i) devices.push_back("cpu:" + std::to_string(i));
  return devices;
}

DeviceMesh::DeviceMesh(std::vector<int64_t> shape,
                       std::vector<std::string> axis_names,
                       std::vector<std::string> devices)
    : shape_(std::move(shape)),
      axis_names_(std::move(axis_names)),
      devices_(devices.empty() ? list_devices() : std::move(devices)) {
  KERAS_CHECK(shape_.size() == axis_names_.size(), ValueError,
              "Shape and axis_names cannot be mismatched. Received: shape=", shape_.size(),
              " dims, axis_names=", axis_names_.size(), " names");
  const int64_t n = std::accumulate(shape_.begin(), shape_.end(), int64_t{1}, std::multiplies<>());
  KERAS_CHECK(n == static_cast<int64_t>(devices_.size()), ValueError,
              "Shape does not match the number of devices. Received: shape of ", n,
              " devices; devices.size=", devices_.size());
}

namespace {

DeviceMesh data_parallel_mesh(std::vector<std::string> devices) {
  if (devices.empty()) devices = list_devices();
  const auto n = static_cast<int64_t>(devices.size());
  return DeviceMesh({n}, {"batch"}, std::move(devices));
}

}  // namespace

DataParallel::DataParallel() : DataParallel(data_parallel_mesh({})) {}
DataParallel::DataParallel(std::vector<std::string> devices)
    : DataParallel(data_parallel_mesh(std::move(devices))) {}
DataParallel::DataParallel(DeviceMesh mesh) : Distribution(std::move(mesh)) {
  const char* bytes = std::getenv("KERAS_DISTRIBUTION_BUCKET_BYTES");
  set_bucket_bytes(bytes != nullptr && *bytes != '\0'
                       ? env_int("KERAS_DISTRIBUTION_BUCKET_BYTES").value()
                       : int64_t{1} << 20);
  if (const std::optional<int> shared = env_int("KERAS_DISTRIBUTION_SHARED_TABLES")) {
    shared_tables_ = *shared != 0;
  }
  if (const std::optional<int> balance = env_int("KERAS_DISTRIBUTION_BALANCE_SHARES")) {
    balance_shares_ = *balance != 0;
  }
  const DeviceMesh& m = device_mesh();
  KERAS_CHECK(m.shape().size() == 1, ValueError,
              "DataParallel: keras.cpp needs a 1-D device mesh (one device per process), got ",
              m.shape().size(), " axes");
  KERAS_CHECK(static_cast<int>(m.devices().size()) == process_count(), ValueError,
              "DataParallel: the mesh has ", m.devices().size(), " devices but the job has ",
              process_count(), " processes (keras.cpp runs one device per process)");
}

void DataParallel::set_bucket_bytes(int64_t bytes) {
  KERAS_CHECK(bytes >= 0, ValueError, "DataParallel: bucket_bytes must be >= 0, got ", bytes);
  bucket_bytes_ = bytes;
}

void set_distribution(std::shared_ptr<Distribution> d) {
  state().distribution = std::move(d);
}
std::shared_ptr<Distribution> distribution() {
  return state().distribution;
}

bool data_parallel_active() {
  return process_count() > 1 &&
         std::dynamic_pointer_cast<DataParallel>(state().distribution) != nullptr;
}

}  // namespace keras::distribution
