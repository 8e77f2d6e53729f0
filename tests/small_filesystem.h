// SmallFilesystem: a tmpfs of a given size mounted on a test's folder, so that a node's data
// directory can really run out of space (ENOSPC from the kernel, not a simulated error). Needs
// root; Mount() says why it cannot otherwise and the test skips. Fill() takes the remaining space
// with a filler file; Drain() deletes it. Unmounted when destroyed.
#pragma once

#include <string>

#include "core/status.h"

namespace tonghop::testing {

class SmallFilesystem {
 public:
  explicit SmallFilesystem(std::string mount_point) : mount_point_(std::move(mount_point)) {}
  ~SmallFilesystem();

  Status Mount(int size_mb);
  const std::string& path() const { return mount_point_; }
  // Writes a filler file until the filesystem is full.
  Status Fill();
  // Deletes the filler file.
  Status Drain();

 private:
  std::string mount_point_;
  bool mounted_ = false;
};

}  // namespace tonghop::testing
