// What every tonghop executable does the same way: logging set-up, the flags every node takes
// (--config, --log_level), and shutdown on SIGINT/SIGTERM.
#pragma once

#include <functional>
#include <string>

#include <CLI/CLI.hpp>

#include "core/status.h"

namespace tonghop {

struct CommonFlags {
  std::string log_level = "info";
};

// "0.1.0": the version of this build of tonghop.
const char* Version();

// Adds --config FILE (a TOML file whose keys are the long flag names; flags on the command line
// win), --log_level and --version to `app`.
void AddCommonFlags(CLI::App& app, CommonFlags* flags);

// Sets the default spdlog logger: stderr, "[time] [level] [name] message", at `level`
// (trace, debug, info, warn, error, off).
Status InitLogging(const std::string& name, const std::string& level);

// Installs SIGINT and SIGTERM handlers that make ShutdownRequested() true, and a SIGHUP handler
// that makes the next TakeReloadRequest() true (nodes reload their key registry).
void InstallShutdownHandlers();
bool ShutdownRequested();
// True once after each SIGHUP.
bool TakeReloadRequest();
// The read end of a pipe the handlers write a byte to on every such signal, so that a poll wakes
// at once (core/event_loop.h); -1 before InstallShutdownHandlers.
int SignalWakeFd();
// Requests shutdown as SIGTERM does (tests, and a node that must stop itself).
void RequestShutdown();

// Parses `argv` with `app` and runs `run` with logging initialised; prints a failed Status and
// returns the process exit code: 0 ok, 1 failure, 2 usage (a bad flag, or a config file key that
// names no flag). SIGPIPE is ignored, and an output that cannot be written (a closed pipe) is a
// failure (1), never an abort. The whole body of every *_main.cc.
int RunMain(CLI::App& app, int argc, char** argv, const std::string& node_name,
            const CommonFlags& flags, const std::function<Status()>& run);

}  // namespace tonghop
