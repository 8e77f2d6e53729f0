#include "tests/browser.h"

#include <csignal>
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include "core/clock.h"
#include "core/transport.h"

namespace tonghop::testing {
namespace {

const std::string kBridge = std::string(TONGHOP_SOURCE_DIR) + "/tests/browser.py";
// Debian's python, which has python3-selenium (another python3 may come first on PATH).
constexpr char kPython[] = "/usr/bin/python3";

}  // namespace

Browser::~Browser() {
  if (pid_ <= 0) return;
  close(to_browser_);  // the bridge ends at the end of its input, and quits Chromium
  const int64_t deadline = MonotonicMs() + 10'000;
  while (waitpid(pid_, nullptr, WNOHANG) == 0) {
    if (MonotonicMs() > deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
      break;
    }
    usleep(20'000);
  }
  close(from_browser_);
}

Status Browser::Start(int timeout_ms) {
  int in[2], out[2];
  if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) return Status::IOError("pipe failed");
  pid_ = fork();
  if (pid_ < 0) return Status::IOError("fork failed");
  if (pid_ == 0) {
    dup2(in[0], STDIN_FILENO);
    dup2(out[1], STDOUT_FILENO);
    execl(kPython, kPython, kBridge.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  to_browser_ = in[1];
  from_browser_ = out[0];
  nlohmann::json ready;
  Status s = Call(nullptr, &ready, timeout_ms);
  if (!s.ok()) {
    return Status::Unavailable(fmt::format("headless Chromium did not start ({}); deploy/install-deps.sh installs "
                                           "chromium, chromium-driver and python3-selenium", s.ToString()));
  }
  return Status::OK();
}

Status Browser::Call(const nlohmann::json& command, nlohmann::json* answer, int timeout_ms) {
  if (!command.is_null()) {
    const std::string line = command.dump() + "\n";
    if (write(to_browser_, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
      return Status::IOError("the browser bridge is gone");
    }
  }
  const int64_t deadline = MonotonicMs() + timeout_ms;
  size_t newline;
  while ((newline = pending_.find('\n')) == std::string::npos) {
    const int64_t left = deadline - MonotonicMs();
    pollfd item{from_browser_, POLLIN, 0};
    if (left <= 0 || poll(&item, 1, static_cast<int>(left)) <= 0) {
      return Status::Unavailable(fmt::format("no answer from the browser within {} ms", timeout_ms));
    }
    char buffer[65536];
    const ssize_t n = read(from_browser_, buffer, sizeof buffer);
    if (n <= 0) return Status::IOError("the browser bridge ended");
    pending_.append(buffer, static_cast<size_t>(n));
  }
  const std::string line = pending_.substr(0, newline);
  pending_.erase(0, newline + 1);
  *answer = nlohmann::json::parse(line, nullptr, false);
  if (answer->is_discarded()) return Status::Corruption("the browser bridge said: " + line);
  if (answer->contains("error")) {
    return Status::Unavailable(fmt::format("{} (last value {})", (*answer)["error"].get<std::string>(),
                                           answer->value("value", nlohmann::json()).dump()));
  }
  return Status::OK();
}

Status Browser::Open(const std::string& url) {
  nlohmann::json answer;
  return Call({{"open", url}}, &answer, 60'000);
}

Status Browser::Eval(const std::string& expression, nlohmann::json* value) {
  nlohmann::json answer;
  TONGHOP_RETURN_IF_ERROR(Call({{"eval", expression}}, &answer, 60'000));
  *value = answer["value"];
  return Status::OK();
}

Status Browser::WaitFor(const std::string& expression, int timeout_ms, nlohmann::json* value, double* waited_ms) {
  nlohmann::json answer;
  Status s = Call({{"wait", expression}, {"timeout_ms", timeout_ms}}, &answer, timeout_ms + 60'000);
  if (value != nullptr) *value = answer.value("value", nlohmann::json());
  if (waited_ms != nullptr && answer.contains("ms")) *waited_ms = answer["ms"].get<double>();
  return s;
}

Status Browser::Screenshot(const std::string& png_path) {
  nlohmann::json answer;
  return Call({{"screenshot", png_path}}, &answer, 60'000);
}

Status Browser::Resize(int width, int height) {
  nlohmann::json answer;
  return Call({{"size", {width, height}}}, &answer, 60'000);
}

}  // namespace tonghop::testing
