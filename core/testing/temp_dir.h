// TempDir: a fresh directory under /tmp (or a parent folder given) for one test, removed with
// everything in it when the object goes out of scope. Tests use real RocksDB databases and ipc
// sockets inside it.
#pragma once

#include <filesystem>
#include <string>

namespace tonghop::testing {

class TempDir {
 public:
  TempDir();
  // Under `parent` instead of the system's temp folder (e.g. /dev/shm, for fsync-heavy fuzzing).
  explicit TempDir(const std::filesystem::path& parent);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // path() + "/" + name
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }
  // Writes `content` to Sub(name), creating parent folders.
  void Write(const std::string& name, const std::string& content) const;

 private:
  std::string path_;
};

}  // namespace tonghop::testing
