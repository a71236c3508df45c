#include "keras/backend/lanes.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "harness/tensor_matchers.h"
#include "keras/backend/backend.h"
#include "keras/backend/inference.h"
#include "keras/core/error.h"
#include "keras/ops/random.h"

namespace keras::backend {
namespace {

TEST(RunLanes, EachLaneRunsOnceOnItsOwnThread) {
  std::vector<std::thread::id> ids(3);
  std::vector<int> runs(3, 0);
  run_lanes(3, [&](int lane) {
    ids[lane] = std::this_thread::get_id();
    ++runs[lane];
  });
  EXPECT_EQ(runs, (std::vector<int>{1, 1, 1}));
  EXPECT_NE(ids[0], ids[1]);
  EXPECT_NE(ids[1], ids[2]);
  EXPECT_NE(ids[0], ids[2]);
}

// The lanes use the caller's backend (a test's ScopedBackend), and a pool thread does not keep
// it after the lanes end.
TEST(RunLanes, LanesUseTheCallersBackend) {
  std::vector<Backend*> seen(2, nullptr);
  {
    const ScopedBackend scope(reference_backend());
    run_lanes(2, [&](int lane) { seen[lane] = &backend_for(Device::cpu()); });
  }
  EXPECT_EQ(seen[0], &reference_backend());
  EXPECT_EQ(seen[1], &reference_backend());
  run_lanes(2, [&](int lane) { seen[lane] = &backend_for(Device::cpu()); });
  EXPECT_EQ(seen[0], &cpu_backend());
  EXPECT_EQ(seen[1], &cpu_backend());
}

// The lanes run in the caller's InferenceScope, and a pool thread does not keep it afterwards.
TEST(RunLanes, LanesRunInTheCallersInferenceScope) {
  std::vector<int> seen(2, -1);
  {
    const InferenceScope inference;
    EXPECT_TRUE(in_inference_scope());
    { const InferenceScope nested; }
    EXPECT_TRUE(in_inference_scope());  // scopes nest
    run_lanes(2, [&](int lane) { seen[lane] = in_inference_scope() ? 1 : 0; });
  }
  EXPECT_FALSE(in_inference_scope());
  EXPECT_EQ(seen, (std::vector<int>{1, 1}));
  run_lanes(2, [&](int lane) { seen[lane] = in_inference_scope() ? 1 : 0; });
  EXPECT_EQ(seen, (std::vector<int>{0, 0}));
}

// An exception in one lane reaches the caller once the others have ended (an exception leaving
// an OpenMP region would end the process).
TEST(RunLanes, AnExceptionInALaneReachesTheCaller) {
  std::atomic<int> ended{0};
  test::expect_throws_with<ValueError>(
      [&] {
        run_lanes(2, [&](int lane) {
          if (lane == 1) throw ValueError("lane 1 failed");
          ++ended;
        });
      },
      "lane 1 failed");
  EXPECT_EQ(ended.load(), 1);
}

// Lanes started from inside a lane run one after another on that lane's thread.
TEST(RunLanes, NestedLanesRunInTurnOnTheLanesThread) {
  std::vector<std::vector<std::thread::id>> inner(2, std::vector<std::thread::id>(2));
  std::vector<std::thread::id> outer(2);
  run_lanes(2, [&](int lane) {
    outer[lane] = std::this_thread::get_id();
    run_lanes(2, [&](int l) { inner[lane][l] = std::this_thread::get_id(); });
  });
  for (int lane = 0; lane < 2; ++lane) {
    EXPECT_EQ(inner[lane][0], outer[lane]);
    EXPECT_EQ(inner[lane][1], outer[lane]);
  }
}

TEST(RunLanes, OneLaneRunsOnTheCallingThread) {
  std::thread::id id;
  run_lanes(1, [&](int) { id = std::this_thread::get_id(); });
  EXPECT_EQ(id, std::this_thread::get_id());
  int calls = 0;
  run_lanes(0, [&](int) { ++calls; });
  EXPECT_EQ(calls, 0);
}

// Kernels that split a table's rows among a team of threads (scatter_add, fill_rows: large
// enough to) run whole on each lane, whose thread belongs to the lanes' team: every row of the
// lane's own table gets its sums.
TEST(RunLanes, RowKernelsInsideALaneCoverEveryRow) {
  const Tensor ids = keras::random::randint({600}, 0, 3000, int32, 5);
  const Tensor dy = keras::random::uniform({600, 128}, -1, 1, float32, 6);
  Tensor expected = zeros({3000, 128});
  reference_backend().scatter_add(dy, ids, expected);
  std::vector<Tensor> tables = {zeros({3000, 128}), zeros({3000, 128})};
  run_lanes(2, [&](int lane) {
    cpu_backend().fill_rows(tables[lane], ids, 0.0);
    cpu_backend().scatter_add(dy, ids, tables[lane]);
  });
  EXPECT_TRUE(test::identical(tables[0], expected));
  EXPECT_TRUE(test::identical(tables[1], expected));
}

}  // namespace
}  // namespace keras::backend
