// Status: the result of an operation that can fail, passed across module boundaries instead of
// exceptions (after leveldb's Status). An ok Status carries nothing; a failed one carries a code
// and a message meant for the person who has to act on it: what was wrong, and where.
#pragma once

#include <string>
#include <string_view>

namespace tonghop {

class Status {
 public:
  enum class Code { kOk, kInvalidArgument, kNotFound, kIOError, kUnavailable, kCorruption };

  Status() = default;
  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string msg) { return Status(Code::kInvalidArgument, std::move(msg)); }
  static Status NotFound(std::string msg) { return Status(Code::kNotFound, std::move(msg)); }
  static Status IOError(std::string msg) { return Status(Code::kIOError, std::move(msg)); }
  static Status Unavailable(std::string msg) { return Status(Code::kUnavailable, std::move(msg)); }
  static Status Corruption(std::string msg) { return Status(Code::kCorruption, std::move(msg)); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  bool IsInvalidArgument() const { return code_ == Code::kInvalidArgument; }
  bool IsNotFound() const { return code_ == Code::kNotFound; }
  bool IsIOError() const { return code_ == Code::kIOError; }
  bool IsUnavailable() const { return code_ == Code::kUnavailable; }
  bool IsCorruption() const { return code_ == Code::kCorruption; }

  // Returns a copy whose message is "<context>: <message>".
  Status WithContext(std::string_view context) const;
  // "OK", or the code's name followed by the message.
  std::string ToString() const;

 private:
  Status(Code code, std::string msg) : code_(code), message_(std::move(msg)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

}  // namespace tonghop

// Returns the Status of `expr` from the enclosing function when it is not ok.
#define TONGHOP_RETURN_IF_ERROR(expr)         \
  do {                                        \
    ::tonghop::Status _st = (expr);           \
    if (!_st.ok()) return _st;                \
  } while (0)
