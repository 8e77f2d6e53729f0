// `tonghop watch` as a person sees it: in tmux at 80x24 (a real terminal emulator, so what is
// checked is what the screen shows), against a real province whose aggregator and publisher the
// test kills. Issue 12: rows of ~130 columns wrapped at 80, and with the aggregator killed the
// status line said "stream live" for more than 40 s. The terminal's locale (C.UTF-8) asks for no
// language, so the view speaks Vietnamese, as it does in the office.
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "cli/watch_view.h"
#include "core/clock.h"
#include "core/testing/command_output.h"
#include "core/testing/status_matchers.h"
#include "core/testing/temp_dir.h"
#include "core/transport.h"
#include "tests/mini_province.h"

namespace tonghop {
namespace {

const std::string kLangSon = std::string(TONGHOP_SOURCE_DIR) + "/deploy/lang-son";
const std::string kScenario = kLangSon + "/scenarios/lang-son-2017-q1";
constexpr size_t kColumns = 80;
constexpr size_t kRows = 24;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
    lines.push_back(text.substr(start, end - start));
  }
  return lines;
}

// A tmux server of the test's own (its socket in the temp dir) running one command in an
// 80x24 window, UTF-8.
class Tmux {
 public:
  explicit Tmux(std::string socket) : tmux_("LANG=C.UTF-8 LC_ALL=C.UTF-8 tmux -S '" + socket + "' ") {}
  // The server's end hangs up the pane's terminal, which ends the watch (SIGHUP).
  ~Tmux() { testing::CommandOutput(tmux_ + "kill-server 2>/dev/null"); }

  void Start(const std::string& command) {
    testing::CommandOutput(tmux_ + fmt::format("new-session -d -x {} -y {} \"{}\"", kColumns, kRows, command));
  }
  void SendKeys(const std::string& keys) { testing::CommandOutput(tmux_ + "send-keys " + keys); }
  // The screen's lines; -J joins a line the terminal wrapped, so a line too long shows as one.
  std::vector<std::string> Screen() const { return Lines(testing::CommandOutput(tmux_ + "capture-pane -p -J")); }

 private:
  std::string tmux_;
};

class WatchTerminalTest : public ::testing::Test {
 protected:
  WatchTerminalTest() : province_(root_.path(), kLangSon), tmux_(root_.path() + "/tmux.sock") {}

  // Polls the screen until its last non-empty line starts with `state` (the status line).
  std::vector<std::string> WaitForStatus(const std::string& state, int timeout_ms) {
    const int64_t deadline = MonotonicMs() + timeout_ms;
    std::vector<std::string> screen;
    while (MonotonicMs() < deadline) {
      screen = tmux_.Screen();
      while (!screen.empty() && screen.back().find_first_not_of(' ') == std::string::npos) screen.pop_back();
      if (!screen.empty() && screen.back().starts_with(state)) return screen;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    std::string shown;
    for (const auto& line : screen) shown += line + "\n";
    ADD_FAILURE() << "no status line starting with '" << state << "' within " << timeout_ms << " ms; the screen:\n"
                  << shown;
    return screen;
  }

  static void ExpectFits(const std::vector<std::string>& screen) {
    EXPECT_LE(screen.size(), kRows);
    for (const auto& line : screen) EXPECT_LE(cli::DisplayWidth(line), kColumns) << line;
  }

  testing::TempDir root_;
  testing::MiniProvince province_;
  Tmux tmux_;
};

TEST_F(WatchTerminalTest, FitsEightyByTwentyFourAndTellsWhichHopIsDown) {
  ASSERT_OK(province_.StartAggregator());
  ASSERT_OK(province_.StartPublisher());
  ASSERT_OK(province_.StartCollector("cao-loc"));
  for (const auto& entry : std::filesystem::directory_iterator(kScenario + "/cao-loc")) {
    ASSERT_OK(province_.Drop("cao-loc", entry.path().string()));
  }
  ASSERT_OK(province_.WaitForWatch([](const nlohmann::json& state) { return state["aggregates"].size() > 30; },
                                   60'000));

  tmux_.Start(fmt::format("{}/tonghop watch --catalog_dir {} --publish_endpoint {} --snapshot_endpoint {}",
                          TONGHOP_BIN_DIR, kLangSon, province_.PublisherPublishEndpoint(),
                          province_.PublisherSnapshotEndpoint()));
  std::vector<std::string> screen = WaitForStatus("trực tiếp |", 30'000);
  ExpectFits(screen);
  ASSERT_GE(screen.size(), 3u);
  EXPECT_TRUE(screen[1].starts_with("CHỈ TIÊU")) << screen[1];
  EXPECT_EQ(screen.size(), kRows) << "more figures than rows: the view fills the screen";
  const std::string first_row = screen[2];

  // Scrolled to the end: the column header stays, and the first body row is the title of the
  // sector the rows below it belong to (rows are indented, titles are not).
  tmux_.SendKeys("End");
  const int64_t deadline = MonotonicMs() + 10'000;
  while (MonotonicMs() < deadline && (screen = tmux_.Screen()).size() > 2 && screen[2] == first_row) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_GT(screen.size(), 3u);
  EXPECT_NE(screen[2], first_row) << "End did not scroll";
  EXPECT_TRUE(screen[1].starts_with("CHỈ TIÊU")) << screen[1];
  EXPECT_FALSE(screen[2].starts_with(" ")) << screen[2];
  EXPECT_TRUE(screen[3].starts_with("  ")) << screen[3];
  ExpectFits(screen);

  ASSERT_OK(province_.Kill("aggregator"));
  ExpectFits(WaitForStatus("publisher không nhận được tin từ aggregator", 60'000));
  ASSERT_OK(province_.Kill("publisher"));
  ExpectFits(WaitForStatus("không nhận được tin từ publisher (", 60'000));
}

}  // namespace
}  // namespace tonghop
