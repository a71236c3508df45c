// BackupAndRestore against SIGKILL: keras_resume_child (resume_child.cpp) is killed after a
// random delay (microseconds to its whole run), restarted, killed again, ... until it completes;
// its final weights and optimizer variables must equal, bit for bit, those of a run never
// interrupted. Exact equality is right here: the same program on the same thread count runs the
// same kernels on the same shapes, so any difference is state the backup lost.
//
// KERAS_RESUME_TRIALS=N runs N trials instead of 32; KERAS_RESUME_SEED=S replays a seed.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Config {
  std::string optimizer, save_freq, double_checkpoint;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Starts the child with its output in `log`; returns its pid.
pid_t spawn(const std::vector<std::string>& args, const fs::path& log) {
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const std::string log_path = log.string();
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

// Runs the child, killing it after `delay` (none: let it finish). Returns the wait status.
int run(const std::vector<std::string>& args,
        const fs::path& log,
        std::optional<std::chrono::microseconds> delay) {
  const pid_t pid = spawn(args, log);
  EXPECT_GT(pid, 0);
  if (delay) {
    std::this_thread::sleep_for(*delay);
    ::kill(pid, SIGKILL);  // harmless on a child that has exited but not been reaped
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

// Where two results (float32 weights and slots, then the int64 iteration count) differ.
std::string difference(const std::string& got, const std::string& want) {
  if (got.size() != want.size()) {
    return "results of " + std::to_string(got.size()) + " and " + std::to_string(want.size()) +
           " bytes";
  }
  size_t first = got.size(), count = 0;
  for (size_t i = 0; i < got.size(); i += 4) {
    if (got.compare(i, 4, want, i, 4) != 0) {
      first = std::min(first, i);
      ++count;
    }
  }
  return std::to_string(count) + " of " + std::to_string(got.size() / 4) +
         " values differ, the first at byte " + std::to_string(first);
}

std::vector<std::string> child_args(const Config& c, const fs::path& dir, const fs::path& result) {
  return {KERAS_RESUME_CHILD, dir.string(), result.string(),
          c.optimizer,        c.save_freq,  c.double_checkpoint};
}

TEST(ResumeAfterKill, EndsBitIdenticalToAnUninterruptedRun) {
  const char* env_trials = std::getenv("KERAS_RESUME_TRIALS");
  const char* env_seed = std::getenv("KERAS_RESUME_SEED");
  const int trials = env_trials ? std::atoi(env_trials) : 32;
  const uint64_t seed = env_seed ? std::strtoull(env_seed, nullptr, 10) : std::random_device{}();
  std::cout << "seed " << seed << " (KERAS_RESUME_SEED replays it), " << trials << " trials\n";
  const fs::path root = fs::temp_directory_path() / ("keras_resume_" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::create_directories(root);

  // Adam and RMSprop (momentum and centered: three slots per weight), backups per epoch and per
  // few batches (resumed inside an epoch), with and without double_checkpoint.
  const std::vector<Config> configs = {
      {"adam", "epoch", "0"}, {"adam", "3", "1"}, {"rmsprop", "epoch", "1"}, {"rmsprop", "2", "0"}};
  std::vector<std::string> reference;
  std::vector<double> seconds;
  for (const Config& c : configs) {
    const fs::path dir = root / "reference", result = root / "reference.bin";
    const auto start = Clock::now();
    const int status = run(child_args(c, dir, result), root / "reference.log", std::nullopt);
    seconds.push_back(std::chrono::duration<double>(Clock::now() - start).count());
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << slurp(root / "reference.log");
    reference.push_back(slurp(result));
    ASSERT_FALSE(reference.back().empty());
    EXPECT_FALSE(fs::exists(dir)) << "a finished fit deletes its backup";
    // The backups themselves do not change the training.
    std::vector<std::string> args = child_args(c, dir, root / "plain.bin");
    args.push_back("nobackup");
    ASSERT_EQ(run(args, root / "reference.log", std::nullopt), 0) << slurp(root / "reference.log");
    EXPECT_TRUE(slurp(root / "plain.bin") == reference.back())
        << difference(slurp(root / "plain.bin"), reference.back()) << " without the backup, "
        << c.optimizer << " " << c.save_freq;
  }

  std::cout << "uninterrupted runs:";
  for (double t : seconds) std::cout << " " << static_cast<int>(t * 1000) << " ms";
  std::cout << "\n";
  std::mt19937_64 rng(seed);
  std::map<std::string, int> starts;  // how the restarted runs began
  int kills = 0, runs = 0;
  for (int trial = 0; trial < trials; ++trial) {
    const size_t k = static_cast<size_t>(trial) % configs.size();
    const Config& c = configs[k];
    const fs::path dir = root / "backup", result = root / "result.bin", log = root / "trial.log";
    fs::remove_all(dir);
    fs::remove(result);
    fs::remove(log);
    std::vector<double> delays_us;
    for (int attempt = 0;; ++attempt) {
      // Up to 3 kills, each uniform over the run or log-uniform from 10 us (early instants).
      std::optional<std::chrono::microseconds> delay;
      if (attempt < 3) {
        const double full_us = seconds[k] * 1.1e6;
        const double u = std::uniform_real_distribution<double>(0, 1)(rng);
        const double us = rng() % 2 ? u * full_us : 10 * std::pow(full_us / 10, u);
        delay = std::chrono::microseconds(static_cast<int64_t>(us));
        delays_us.push_back(us);
      }
      const int status = run(child_args(c, dir, result), log, delay);
      ++runs;
      if (WIFEXITED(status) && WEXITSTATUS(status) == 0) break;
      ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
          << "trial " << trial << " (seed " << seed << "): the child failed:\n"
          << slurp(log);
      ++kills;
    }
    std::istringstream lines(slurp(log));
    for (std::string line; std::getline(lines, line);) {
      if (line.starts_with("start ")) ++starts[line.substr(6)];
    }
    std::string delays;
    for (double d : delays_us) delays += std::to_string(static_cast<int64_t>(d)) + "us ";
    const std::string got = slurp(result);
    ASSERT_TRUE(got == reference[k])
        << difference(got, reference[k]) << " in trial " << trial << " (seed " << seed << ", "
        << c.optimizer << ", save_freq " << c.save_freq << "), kills after " << delays << "\n"
        << slurp(log);
    EXPECT_FALSE(fs::exists(dir)) << "a finished fit deletes its backup";
  }
  std::cout << trials << " trials, " << runs << " runs, " << kills << " kills; runs began:";
  for (const auto& [how, n] : starts) std::cout << " " << how << " x" << n << ";";
  std::cout << "\n";
  fs::remove_all(root);
}

}  // namespace
