// CommandOutput: runs a shell command, as the tests run the real programs, and returns what it
// printed on stdout (append " 2>&1" for stderr too). Thread-safe as popen is.
#pragma once

#include <string>

namespace tonghop::testing {

// `*status`, when given, is pclose's (WEXITSTATUS gives the exit code; a command the shell cannot
// find exits 127), or -1 when no shell could be started.
std::string CommandOutput(const std::string& command, int* status = nullptr);

}  // namespace tonghop::testing
