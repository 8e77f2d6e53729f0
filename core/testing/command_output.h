// CommandOutput: runs a shell command, as the tests run the real programs, and returns what it
// printed on stdout (append " 2>&1" for stderr too). Thread-safe as popen is.
#pragma once

#include <string>

namespace tonghop::testing {

// `*status`, when given, is pclose's: 0 for an exit code of 0, -1 when the command could not start.
std::string CommandOutput(const std::string& command, int* status = nullptr);

}  // namespace tonghop::testing
