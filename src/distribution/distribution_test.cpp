// keras::distribution in one process (no mpirun): the API as Keras's, everything a no-op, and
// BatchNormalization(synchronized) the same as unsynchronized. Across processes:
// tests/distributed/ (ctest distributed.*).
#include "keras/distribution/distribution.h"

#include <gtest/gtest.h>

#include "keras/config/json.h"
#include "keras/core/error.h"
#include "keras/layers/normalization.h"
#include "keras/ops/random.h"

namespace keras::distribution {
namespace {

TEST(Distribution, OneProcessWithoutMpirun) {
  EXPECT_THROW(initialize({.num_processes = 2}), ValueError);  // not started by mpirun
  EXPECT_FALSE(initialized());
  initialize();
  EXPECT_TRUE(initialized());
  EXPECT_EQ(process_count(), 1);
  EXPECT_EQ(process_id(), 0);
  EXPECT_TRUE(is_chief());
  EXPECT_EQ(list_devices(), std::vector<std::string>{"cpu:0"});
  EXPECT_EQ(collective().name(), "local");
  double v[2] = {1.5, 2.5};
  collective().all_reduce(v, 2, float64, ReduceOp::mean);
  collective().broadcast(v, 2, float64, 0);
  collective().barrier();
  EXPECT_EQ(v[0], 1.5);
  EXPECT_THROW(collective().all_reduce(v, 2, int64, ReduceOp::sum), TypeError);
}

TEST(Distribution, DeviceMeshAndDataParallelAsKeras) {
  DeviceMesh mesh({1}, {"batch"});
  EXPECT_EQ(mesh.devices(), std::vector<std::string>{"cpu:0"});
  EXPECT_THROW(DeviceMesh({2}, {"batch"}), ValueError);                    // 2 devices, 1 listed
  EXPECT_THROW(DeviceMesh({1}, {"batch", "model"}), ValueError);           // names != axes
  EXPECT_THROW(DataParallel(DeviceMesh({1, 1}, {"a", "b"})), ValueError);  // not 1-D
  EXPECT_THROW(list_devices("gpu"), ValueError);
  auto dp = std::make_shared<DataParallel>();
  EXPECT_EQ(dp->batch_dim_name(), "batch");
  set_distribution(dp);
  EXPECT_EQ(distribution(), dp);
  EXPECT_FALSE(data_parallel_active());  // one process: nothing to split
  set_distribution(nullptr);
  EXPECT_EQ(distribution(), nullptr);
}

TEST(Distribution, SynchronizedBatchNormalizationInOneProcessIsThePlainOne) {
  const Tensor x = random::normal({6, 3}, 0.0, 1.0, float32, 5);
  layers::BatchNormalization plain, synced({.synchronized = true});
  set_distribution(std::make_shared<DataParallel>());
  const Tensor a = plain(x, true), b = synced(x, true);
  set_distribution(nullptr);
  for (int64_t i = 0; i < a.size(); ++i) EXPECT_EQ(a.data<float>()[i], b.data<float>()[i]);
  EXPECT_EQ(synced->get_config()["synchronized"], true);
  EXPECT_EQ(plain->get_config()["synchronized"], false);
  auto loaded = layers::BatchNormalizationImpl::from_config(synced->get_config());
  EXPECT_TRUE(
      std::static_pointer_cast<layers::BatchNormalizationImpl>(loaded)->options().synchronized);
}

}  // namespace
}  // namespace keras::distribution
