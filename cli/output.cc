#include "cli/output.h"

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

#include "core/csv.h"

namespace tonghop::cli {

Status WriteOutput(const std::string& text, const std::string& path) {
  if (path.empty()) {
    fmt::print("{}", text);
    return Status::OK();
  }
  Status status = WriteStringToFile(path, text);
  if (!status.ok()) return Status::IOError(status.message() + " (check the folder exists and is writable)");
  return Status::OK();
}

Status OutputStream::Open(const std::string& path, std::unique_ptr<OutputStream>* out) {
  if (path.empty()) {
    out->reset(new OutputStream("", stdout));
    return Status::OK();
  }
  FILE* file = std::fopen((path + ".part").c_str(), "wb");
  if (file == nullptr) {
    return Status::IOError(fmt::format("cannot write {}.part: {} (check the folder exists and is writable)", path,
                                       std::strerror(errno)));
  }
  out->reset(new OutputStream(path, file));
  return Status::OK();
}

OutputStream::~OutputStream() {
  if (path_.empty()) return;
  if (file_ != nullptr) std::fclose(file_);
  if (!finished_) {
    std::error_code ignored;
    std::filesystem::remove(path_ + ".part", ignored);
  }
}

Status OutputStream::Write(std::string_view text) {
  if (std::fwrite(text.data(), 1, text.size(), file_) != text.size()) {
    return Status::IOError(fmt::format("cannot write {}: {}", path_.empty() ? "stdout" : path_ + ".part",
                                       std::strerror(errno)));
  }
  return Status::OK();
}

Status OutputStream::Finish() {
  if (path_.empty()) {
    std::fflush(stdout);
    return Status::OK();
  }
  const int closed = std::fclose(file_);
  file_ = nullptr;
  if (closed != 0) return Status::IOError(fmt::format("cannot write {}.part: {}", path_, std::strerror(errno)));
  std::error_code error;
  std::filesystem::rename(path_ + ".part", path_, error);
  if (error) return Status::IOError(fmt::format("cannot rename {}.part to {}: {}", path_, path_, error.message()));
  finished_ = true;
  return Status::OK();
}

}  // namespace tonghop::cli
