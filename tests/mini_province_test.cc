// The harness itself: what it promises the tests that run on it.
#include "tests/mini_province.h"

#include <chrono>
#include <csignal>
#include <fstream>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <gtest/gtest.h>

#include "core/clock.h"
#include "core/testing/temp_dir.h"

namespace tonghop::testing {
namespace {

// Whether `pid` still runs: a zombie nobody reaps has ended.
bool Runs(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string pid_field, command, state;
  if (!(stat >> pid_field >> command >> state)) return false;
  return state != "Z" && state != "X";
}

// A test binary killed midway (ctest's timeout, a person's Ctrl-\) never runs the province's
// destructor. Its nodes used to live on, binding ports and eating both cores: a killed ASan run
// left enough of them to fail the next run's timing tests.
TEST(MiniProvinceTest, ANodeDiesWithTheTestProcessThatStartedIt) {
  TempDir dir;
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  const pid_t test_process = fork();
  ASSERT_GE(test_process, 0);
  if (test_process == 0) {
    close(pipe_fds[0]);
    MiniProvince province(dir.path(), dir.path());
    const Status started = province.StartProgram("node", {"/bin/sh", "-c", "echo ready; exec sleep 120"}, "ready");
    const pid_t node = started.ok() ? province.Pid("node") : -1;
    (void)!write(pipe_fds[1], &node, sizeof node);
    while (true) pause();  // until killed, its province never destroyed
  }
  close(pipe_fds[1]);
  pid_t node = -1;
  ASSERT_EQ(read(pipe_fds[0], &node, sizeof node), static_cast<ssize_t>(sizeof node));
  close(pipe_fds[0]);
  ASSERT_GT(node, 0) << "the node did not start";
  ASSERT_TRUE(Runs(node));

  kill(test_process, SIGKILL);
  waitpid(test_process, nullptr, 0);
  const int64_t deadline = MonotonicMs() + 5'000;
  while (Runs(node) && MonotonicMs() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const bool outlived = Runs(node);
  if (outlived) kill(node, SIGKILL);
  EXPECT_FALSE(outlived) << "the node outlived the test process that started it by 5 s";
}

}  // namespace
}  // namespace tonghop::testing
