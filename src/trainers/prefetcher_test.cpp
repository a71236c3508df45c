#include "trainers/prefetcher.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "keras/core/tensor.h"

namespace keras::trainers::internal {
namespace {

using namespace std::chrono_literals;

// An item that records its index in n.
ArrayData item(int64_t index) {
  ArrayData d;
  d.n = index;
  return d;
}

TEST(Prefetcher, DeliversInOrderFromEveryWorkerCount) {
  const std::vector<int64_t> indices = {4, 0, 7, 2, 9, 1, 3, 8, 5, 6};
  for (int workers : {0, 1, 2, 5}) {
    SCOPED_TRACE(workers);
    // Later items finish first: the order must still be the indices' order.
    Prefetcher p(
        [](int64_t i) {
          std::this_thread::sleep_for(std::chrono::microseconds(200 * (10 - i)));
          return item(i);
        },
        indices, 2, workers, 3);
    for (size_t k = 2; k < indices.size(); ++k) EXPECT_EQ(p.next().n, indices[k]);
  }
}

TEST(Prefetcher, ReadsAtMostCapacityAhead) {
  std::atomic<int> started{0};
  Prefetcher p(
      [&](int64_t i) {
        ++started;
        return item(i);
      },
      {0, 1, 2, 3, 4, 5, 6, 7}, 0, 3, 2);
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(started.load(), 2);
  p.next();
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(started.load(), 3);
}

TEST(Prefetcher, RethrowsALoadsExceptionAtItsItemAndStopsReading) {
  std::atomic<int> started{0};
  Prefetcher p(
      [&](int64_t i) {
        ++started;
        if (i == 2) throw ValueError("bad item 2");
        return item(i);
      },
      {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, 0, 2, 10);
  EXPECT_EQ(p.next().n, 0);
  EXPECT_EQ(p.next().n, 1);
  EXPECT_THAT([&] { p.next(); },
              ::testing::ThrowsMessage<ValueError>(::testing::HasSubstr("bad item 2")));
  // Reading stopped: only loads picked before the error was stored (one per worker) may start.
  const int at_error = started.load();
  std::this_thread::sleep_for(30ms);
  EXPECT_LE(started.load(), at_error + 2);
}

TEST(Prefetcher, DestroyedWhileLoadsRunWaitsForThemWithoutHanging) {
  std::atomic<int> finished{0};
  {
    Prefetcher p(
        [&](int64_t i) {
          std::this_thread::sleep_for(20ms);
          ++finished;
          return item(i);
        },
        {0, 1, 2, 3, 4, 5}, 0, 3, 6);
    p.next();
  }
  EXPECT_LE(finished.load(), 6);
}

}  // namespace
}  // namespace keras::trainers::internal
