#include "core/status.h"

namespace tonghop {

Status Status::WithContext(std::string_view context) const {
  if (ok()) return *this;
  return Status(code_, std::string(context) + ": " + message_);
}

std::string Status::ToString() const {
  const char* name = "OK";
  switch (code_) {
    case Code::kOk: return "OK";
    case Code::kInvalidArgument: name = "Invalid argument"; break;
    case Code::kNotFound: name = "Not found"; break;
    case Code::kIOError: name = "I/O error"; break;
    case Code::kUnavailable: name = "Unavailable"; break;
    case Code::kCorruption: name = "Corruption"; break;
  }
  return std::string(name) + ": " + message_;
}

}  // namespace tonghop
