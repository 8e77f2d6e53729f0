#include "core/testing/command_output.h"

#include <cstdio>

namespace tonghop::testing {

std::string CommandOutput(const std::string& command, int* status) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) {
    if (status) *status = -1;
    return out;
  }
  char buffer[4096];
  for (size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, n);
  const int closed = pclose(pipe);
  if (status) *status = closed;
  return out;
}

}  // namespace tonghop::testing
