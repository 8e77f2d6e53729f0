#include "core/process.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace tonghop {
namespace {
std::atomic<bool> g_shutdown{false};
std::atomic<bool> g_reload{false};
int g_wake_fds[2] = {-1, -1};
void Wake() {
  if (g_wake_fds[1] < 0) return;
  const int saved_errno = errno;  // a handler must leave errno as it found it
  const char byte = 0;
  (void)!write(g_wake_fds[1], &byte, 1);
  errno = saved_errno;
}
void OnSignal(int) {
  g_shutdown.store(true);
  Wake();
}
void OnReload(int) {
  g_reload.store(true);
  Wake();
}
}  // namespace

const char* Version() { return TONGHOP_VERSION; }

void AddCommonFlags(CLI::App& app, CommonFlags* flags) {
  app.set_version_flag("--version", fmt::format("tonghop {} (wire protocol tonghop.v1)", Version()),
                       "print the version and exit");
  app.set_config("--config", "", "TOML file of flag values (keys are the long flag names)");
  // A misspelt key would otherwise leave its flag at the default without a word.
  app.allow_config_extras(CLI::config_extras_mode::error);
  app.add_option("--log_level", flags->log_level, "trace, debug, info, warn, error or off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}))
      ->capture_default_str();
}

Status InitLogging(const std::string& name, const std::string& level) {
  auto logger = spdlog::stderr_color_mt(name);
  logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ [%n] %v");
  logger->set_level(spdlog::level::from_str(level));
  spdlog::set_default_logger(logger);
  return Status::OK();
}

void InstallShutdownHandlers() {
  if (g_wake_fds[0] < 0 && pipe2(g_wake_fds, O_NONBLOCK | O_CLOEXEC) != 0) g_wake_fds[0] = g_wake_fds[1] = -1;
  struct sigaction action {};
  action.sa_handler = OnSignal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  action.sa_handler = OnReload;
  sigaction(SIGHUP, &action, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
}

bool ShutdownRequested() { return g_shutdown.load(); }
void RequestShutdown() { OnSignal(SIGTERM); }
int SignalWakeFd() { return g_wake_fds[0]; }
bool TakeReloadRequest() { return g_reload.exchange(false); }

int RunMain(CLI::App& app, int argc, char** argv, const std::string& node_name,
            const CommonFlags& flags, const std::function<Status()>& run) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;  // usage errors exit 2, as the docs and scripts expect
  }
  InitLogging(node_name, flags.log_level);
  // SIGPIPE is ignored here too, so a write to a closed pipe fails with EPIPE instead of killing
  // the process; fmt reports that failure by throwing, which must not abort (exit 134) either.
  InstallShutdownHandlers();
  Status s;
  try {
    s = run();
  } catch (const std::exception& e) {
    s = Status::IOError(fmt::format("cannot write the output: {}", e.what()));
  }
  if (!s.ok()) {
    spdlog::error("{}", s.ToString());
    return 1;
  }
  return 0;
}

}  // namespace tonghop
