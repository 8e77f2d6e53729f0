#include "tests/small_filesystem.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fmt/format.h>
#include <sys/mount.h>
#include <unistd.h>
#include <vector>

namespace tonghop::testing {

SmallFilesystem::~SmallFilesystem() {
  if (mounted_) umount2(mount_point_.c_str(), MNT_DETACH);
}

Status SmallFilesystem::Mount(int size_mb) {
  if (geteuid() != 0) return Status::Unavailable("mounting a tmpfs needs root; CI runs as root");
  std::filesystem::create_directories(mount_point_);
  std::string options = fmt::format("size={}m", size_mb);
  if (mount("tmpfs", mount_point_.c_str(), "tmpfs", 0, options.c_str()) != 0) {
    return Status::Unavailable(fmt::format("cannot mount a tmpfs on {}: {}", mount_point_, std::strerror(errno)));
  }
  mounted_ = true;
  return Status::OK();
}

Status SmallFilesystem::Fill() {
  int fd = open((mount_point_ + "/filler").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return Status::IOError(fmt::format("cannot create the filler: {}", std::strerror(errno)));
  std::vector<char> block(64 * 1024, 'x');
  while (true) {
    ssize_t n = write(fd, block.data(), block.size());
    if (n > 0) continue;
    int error = errno;
    close(fd);
    if (n < 0 && error == ENOSPC) return Status::OK();
    return Status::IOError(fmt::format("filling {}: {}", mount_point_, std::strerror(error)));
  }
}

Status SmallFilesystem::Drain() {
  std::error_code ec;
  std::filesystem::remove(mount_point_ + "/filler", ec);
  if (ec) return Status::IOError(fmt::format("removing the filler: {}", ec.message()));
  return Status::OK();
}

}  // namespace tonghop::testing
