// Where a command's text goes: a file given by --output, or stdout.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

namespace tonghop::cli {

// Prints `text` to stdout when `path` is empty; otherwise replaces the file at `path` with it
// (WriteStringToFile), IOError naming the file when it cannot be written.
Status WriteOutput(const std::string& text, const std::string& path);

// The same for text written piece by piece, as a long export arrives: to stdout when `path` is
// empty, else to `path`.part, renamed to `path` by Finish(), so that a file at `path` is always
// whole. Without Finish() (an export that failed) the .part file is removed.
class OutputStream {
 public:
  // IOError naming the file when it cannot be created.
  static Status Open(const std::string& path, std::unique_ptr<OutputStream>* out);
  ~OutputStream();
  Status Write(std::string_view text);
  Status Finish();

 private:
  OutputStream(std::string path, FILE* file) : path_(std::move(path)), file_(file) {}
  std::string path_;
  FILE* file_;
  bool finished_ = false;
};

}  // namespace tonghop::cli
