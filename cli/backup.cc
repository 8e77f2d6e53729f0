#include "cli/backup.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

#include "aggregator/backup_manifest.h"
#include "aggregator/ingest_store.h"
#include "core/clock.h"
#include "core/crc32c.h"
#include "core/transport.h"

namespace tonghop::cli {
namespace {

// A chunk the aggregator did not answer in time, or that arrived damaged, is asked for again: the
// same file and offset get the same bytes.
constexpr int kChunkAttempts = 3;
constexpr int64_t kProgressIntervalMs = 500;
// Taking the checkpoint flushes what the aggregator holds in memory: seconds on a loaded machine.
constexpr int kDefaultTimeoutMs = 60'000;
// Telling the aggregator the backup is over need not wait long: an idle one is dropped anyway.
constexpr int kFinishTimeoutMs = 5'000;

double Megabytes(uint64_t bytes) { return static_cast<double>(bytes) / 1e6; }

Status Errno(const std::string& doing) { return Status::IOError(fmt::format("{}: {}", doing, std::strerror(errno))); }

// Makes what was written to `path` (a file or a folder) durable.
Status Sync(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Errno("cannot open " + path + " to sync it");
  const int synced = fsync(fd);
  close(fd);
  return synced == 0 ? Status::OK() : Errno("cannot sync " + path);
}

Status WriteAll(int fd, std::string_view bytes, const std::string& path) {
  while (!bytes.empty()) {
    const ssize_t written = write(fd, bytes.data(), bytes.size());
    if (written < 0 && errno == EINTR) continue;
    if (written < 0) return Errno("cannot write " + path);
    bytes.remove_prefix(static_cast<size_t>(written));
  }
  return Status::OK();
}

// "312.4 of 1203.0 MB copied (41.2 MB/s)" on stderr, redrawn in place, when stderr is a terminal.
class BackupProgress {
 public:
  explicit BackupProgress(uint64_t total) : total_(total), shown_(isatty(STDERR_FILENO) == 1), start_ms_(MonotonicMs()) {}
  void Update(uint64_t copied, bool done) {
    if (!shown_) return;
    const int64_t now = MonotonicMs();
    if (!done && now < next_ms_) return;
    next_ms_ = now + kProgressIntervalMs;
    const double seconds = static_cast<double>(std::max<int64_t>(now - start_ms_, 1)) / 1000;
    fmt::print(stderr, "\r{:.1f} of {:.1f} MB copied ({:.1f} MB/s){}", Megabytes(copied), Megabytes(total_),
               Megabytes(copied) / seconds, done ? "\n" : "");
    std::fflush(stderr);
  }

 private:
  const uint64_t total_;
  const bool shown_;
  const int64_t start_ms_;
  int64_t next_ms_ = 0;
};

// One backup on the aggregator: tells it the backup is over when done with, whatever happened.
// Of a pair, the one that answers Begin takes the whole backup: its token means nothing to the
// other.
class RemoteBackup {
 public:
  explicit RemoteBackup(const AggregatorLink& link) : link_(link) {}
  ~RemoteBackup() {
    if (token_.empty()) return;
    tonghop::v1::QueryRequest request;
    request.mutable_backup()->set_backup_token(token_);
    request.mutable_backup()->set_finish(true);
    AggregatorLink link = link_;
    link.timeout_ms = std::min(link.timeout_ms, kFinishTimeoutMs);
    tonghop::v1::QueryReply ignored;
    (void)CallAggregator(link, request, &ignored);
  }

  Status Begin(tonghop::v1::BackupReply* manifest) {
    tonghop::v1::QueryRequest request;
    request.mutable_backup();
    tonghop::v1::QueryReply reply;
    std::string answered;
    TONGHOP_RETURN_IF_ERROR(CallAggregator(link_, request, &reply, &answered));
    link_.endpoints = {answered};
    if (!reply.has_backup() || reply.backup().backup_token().empty() || reply.backup().files().empty()) {
      return Status::Corruption("the aggregator's answer to a backup is not a backup's manifest; use a tonghop of its "
                                "version");
    }
    *manifest = reply.backup();
    token_ = manifest->backup_token();
    return Status::OK();
  }

  // The bytes of `file` from `offset`, checked against their CRC-32C.
  Status Chunk(const std::string& file, uint64_t offset, std::string* data) {
    tonghop::v1::QueryRequest request;
    request.mutable_backup()->set_backup_token(token_);
    request.mutable_backup()->set_file(file);
    request.mutable_backup()->set_offset(offset);
    Status status;
    for (int attempt = 0; attempt < kChunkAttempts; ++attempt) {
      tonghop::v1::QueryReply reply;
      status = CallAggregator(link_, request, &reply);
      if (status.ok() && Crc32c::Of(reply.backup().data()) != reply.backup().data_crc32c()) {
        status = Status::Corruption(fmt::format("the bytes of {} at {} arrived damaged (CRC-32C)", file, offset));
      }
      if (status.ok()) {
        *data = std::move(*reply.mutable_backup()->mutable_data());
        return status;
      }
      if (!status.IsUnavailable() && !status.IsCorruption()) break;
    }
    return status;
  }

  // The aggregator that answered Begin, once it did.
  const std::string& endpoint() const { return link_.endpoints.front(); }

 private:
  AggregatorLink link_;
  std::string token_;
};

// Copies `file` of the backup into `path`, synced; its CRC-32C in *crc.
Status CopyFile(RemoteBackup* backup, const tonghop::v1::BackupFile& file, const std::string& path, uint64_t* copied,
                BackupProgress* progress, uint32_t* crc) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Errno("cannot create " + path);
  Crc32c whole;
  Status status;
  uint64_t offset = 0;
  while (status.ok() && offset < file.size()) {
    std::string data;
    status = backup->Chunk(file.name(), offset, &data);
    if (status.ok() && (data.empty() || data.size() > file.size() - offset)) {
      status = Status::Corruption(fmt::format("the aggregator sent {} bytes of {} at {}, which is {} bytes long",
                                              data.size(), file.name(), offset, file.size()));
    }
    if (status.ok()) status = WriteAll(fd, data, path);
    whole.Update(data);
    offset += data.size();
    *copied += data.size();
    progress->Update(*copied, false);
  }
  if (status.ok() && fsync(fd) != 0) status = Errno("cannot sync " + path);
  if (close(fd) != 0 && status.ok()) status = Errno("cannot write " + path);
  *crc = whole.Finish();
  return status;
}

// Opens the copy in `dir`, checks every table block's checksum, and that it holds what `manifest`
// announced.
Status CheckCopy(const std::string& dir, const tonghop::v1::BackupReply& manifest) {
  IngestStore::Summary copy;
  TONGHOP_RETURN_IF_ERROR(IngestStore::Summarize(dir, /*verify_checksums=*/true, &copy));
  if (copy.stream_id != manifest.stream_id() || copy.aggregate_seq != manifest.aggregate_seq() ||
      copy.audit_seq != manifest.audit_seq() || copy.outboxes != manifest.outboxes()) {
    return Status::Corruption(fmt::format(
        "the copy holds stream {:016x} at aggregate seq {}, audit record {}, {} outboxes, where the aggregator "
        "announced {:016x}, {}, {}, {}", copy.stream_id, copy.aggregate_seq, copy.audit_seq, copy.outboxes,
        manifest.stream_id(), manifest.aggregate_seq(), manifest.audit_seq(), manifest.outboxes()));
  }
  return Status::OK();
}

}  // namespace

CLI::App* AddBackupCommand(CLI::App& app, BackupOptions* options) {
  CLI::App* command = app.add_subcommand(
      "backup", "Copy the running aggregator's database into a new folder, without stopping ingest: a consistent "
                "backup to restore it from (docs/OPERATIONS.md, \"Backups\")");
  command->add_option("--output", options->output, "the folder to write, which must not exist yet (it is written as "
                      "FOLDER.part and renamed once complete and checked)")->required();
  options->aggregator.timeout_ms = kDefaultTimeoutMs;
  AddAggregatorFlags(command, &options->aggregator);
  command->footer("Example:\n  tonghop backup --aggregator tcp://tonghop.lang-son.example:5553 --output "
                  "/srv/backups/tonghop-$(date +%F) \\\n      --curve_secret_key_file ~/tonghop-keys/office-1.key "
                  "--curve_server_public_key ~/tonghop-keys/aggregator.pub");
  return command;
}

Status RunBackup(const BackupOptions& options) {
  namespace fs = std::filesystem;
  std::error_code error;
  const std::string output = fs::path(options.output).lexically_normal().string();
  if (fs::exists(output, error)) {
    return Status::InvalidArgument(fmt::format("--output {} exists; give a folder that does not exist yet (a backup "
                                               "never writes into one)", output));
  }
  const std::string part = output + ".part";
  fs::remove_all(part, error);  // what an earlier backup that failed left
  if (!fs::create_directories(part, error) || error) {
    return Status::IOError(fmt::format("cannot create {}: {} (check that its parent folder exists and is writable)",
                                       part, error ? error.message() : "it exists"));
  }
  const int64_t start = MonotonicMs();
  RemoteBackup backup(options.aggregator);
  tonghop::v1::BackupReply announced;
  Status status = backup.Begin(&announced);
  BackupManifest manifest;
  if (status.ok()) manifest.aggregator = backup.endpoint();
  manifest.taken_at_ms = announced.taken_at_ms();
  manifest.stream_id = announced.stream_id();
  manifest.aggregate_seq = announced.aggregate_seq();
  manifest.audit_seq = announced.audit_seq();
  manifest.outboxes = announced.outboxes();
  uint64_t total = 0;
  for (const auto& file : announced.files()) total += file.size();
  BackupProgress progress(total);
  uint64_t copied = 0;
  for (int i = 0; status.ok() && i < announced.files_size(); ++i) {
    const auto& file = announced.files(i);
    if (file.name().empty() || file.name().find('/') != std::string::npos || file.name() == "." || file.name() == "..") {
      status = Status::Corruption(fmt::format("the aggregator's manifest names a file '{}'", file.name()));
      break;
    }
    BackupManifest::File copy{file.name(), file.size(), 0};
    status = CopyFile(&backup, file, part + "/" + file.name(), &copied, &progress, &copy.crc32c);
    manifest.files.push_back(std::move(copy));
  }
  if (status.ok()) status = Sync(part);
  if (status.ok()) status = CheckCopy(part, announced);
  if (status.ok()) {
    // Last, so that a folder with a manifest is a whole backup.
    const std::string path = part + "/" + BackupManifest::kFileName;
    const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    status = fd < 0 ? Errno("cannot create " + path) : WriteAll(fd, manifest.ToJson(), path);
    if (fd >= 0 && fsync(fd) != 0 && status.ok()) status = Errno("cannot sync " + path);
    if (fd >= 0) close(fd);
  }
  if (status.ok()) status = Sync(part);
  if (status.ok()) {
    fs::rename(part, output, error);
    if (error) status = Status::IOError(fmt::format("cannot rename {} to {}: {}", part, output, error.message()));
  }
  if (status.ok()) status = Sync(fs::path(output).parent_path().empty() ? "." : fs::path(output).parent_path().string());
  if (!status.ok()) {
    fs::remove_all(part, error);
    return status.WithContext("the backup failed, and nothing was kept of it");
  }
  progress.Update(copied, true);
  const double seconds = static_cast<double>(MonotonicMs() - start) / 1000;
  fmt::print("backup of the aggregator at {} taken at {}: stream {:016x} at aggregate seq {}, audit record {}, {} "
             "outboxes; {} files, {:.1f} MB, copied and checked in {:.1f} s into {}\n"
             "To restore it, see docs/OPERATIONS.md, \"Restoring the aggregator from a backup\".\n",
             manifest.aggregator, manifest.TakenAt(), manifest.stream_id, manifest.aggregate_seq,
             manifest.audit_seq, manifest.outboxes, manifest.files.size(), Megabytes(total), seconds, output);
  return Status::OK();
}

}  // namespace tonghop::cli
