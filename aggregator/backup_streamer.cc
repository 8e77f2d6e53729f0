#include "aggregator/backup_streamer.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/clock.h"
#include "core/crc32c.h"
#include "core/rocksdb_util.h"
#include "core/transport.h"
#include "core/wire_text.h"

namespace tonghop {
namespace {

tonghop::v1::QueryReply Error(std::string text) {
  tonghop::v1::QueryReply reply;
  reply.set_error(std::move(text));
  return reply;
}

double Megabytes(uint64_t bytes) { return static_cast<double>(bytes) / 1e6; }

}  // namespace

BackupStreamer::BackupStreamer(const IngestStore* store, BackupLimits limits)
    : store_(store), limits_(limits), checkpoint_dir_(store->dir() + "/" + kCheckpointFolder) {
  std::error_code error;
  if (std::filesystem::exists(checkpoint_dir_, error) || std::filesystem::exists(checkpoint_dir_ + ".tmp", error)) {
    RemoveCheckpoint();
    spdlog::info("removed {}, the checkpoint of a backup that did not finish before the aggregator stopped",
                 checkpoint_dir_);
  }
}

BackupStreamer::~BackupStreamer() {
  if (open_) Close("abandoned: the aggregator is stopping");
}

tonghop::v1::QueryReply BackupStreamer::Answer(const tonghop::v1::BackupRequest& request) {
  if (request.backup_token().empty()) return Begin();
  if (!open_ || request.backup_token() != open_->token) {
    return Error(fmt::format("this backup is no longer open: it finished, was idle for more than {} ms "
                             "(--backup_idle_ms), or the aggregator restarted since; run the backup again",
                             limits_.idle_ms));
  }
  open_->last_used_ms = MonotonicMs();
  if (request.finish()) {
    Close("finished");
    tonghop::v1::QueryReply reply;
    reply.mutable_backup();
    return reply;
  }
  return Chunk(request);
}

tonghop::v1::QueryReply BackupStreamer::Begin() {
  const int64_t now = MonotonicMs();
  if (open_) {
    if (limit_log_.Allow()) {
      spdlog::warn("refused a backup: another one is in progress, started {} s ago, and the aggregator serves one at "
                   "a time ({} more held back)", (now - open_->started_ms) / 1000, limit_log_.suppressed());
    }
    return Error(fmt::format("a backup is in progress, started {} s ago, and the aggregator serves one at a time: "
                             "retry when it has finished, or in {} s if its client went away (--backup_idle_ms)",
                             (now - open_->started_ms) / 1000,
                             std::max<int64_t>(0, open_->last_used_ms + limits_.idle_ms - now) / 1000 + 1));
  }
  RemoveCheckpoint();
  const int64_t taken_at_ms = NowMs();
  IngestStore::Summary summary;
  Status status = store_->CreateCheckpoint(checkpoint_dir_);
  if (status.ok()) status = IngestStore::Summarize(checkpoint_dir_, /*verify_checksums=*/false, &summary);
  OpenBackup backup;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(checkpoint_dir_, error)) {
    if (!entry.is_regular_file(error)) continue;
    const uint64_t size = entry.file_size(error);
    backup.files[entry.path().filename().string()] = size;
    backup.bytes += size;
  }
  if (status.ok() && (error || backup.files.empty())) {
    status = Status::IOError(fmt::format("cannot list {}: {}", checkpoint_dir_, error ? error.message() : "empty"));
  }
  if (!status.ok()) {
    RemoveCheckpoint();
    spdlog::error("cannot take a backup: {}", status.ToString());
    return Error("the aggregator cannot take a backup now: " + status.message() +
                 " (if its disk is full, free space there: a backup needs room for what it flushes)");
  }
  backup.token = EncodeBigEndian64(RandomNonZeroId());
  backup.started_ms = now;
  backup.last_used_ms = MonotonicMs();
  tonghop::v1::QueryReply reply;
  auto* manifest = reply.mutable_backup();
  manifest->set_backup_token(backup.token);
  for (const auto& [name, size] : backup.files) {
    auto* file = manifest->add_files();
    file->set_name(name);
    file->set_size(size);
  }
  manifest->set_stream_id(summary.stream_id);
  manifest->set_aggregate_seq(summary.aggregate_seq);
  manifest->set_audit_seq(summary.audit_seq);
  manifest->set_outboxes(summary.outboxes);
  manifest->set_taken_at_ms(taken_at_ms);
  spdlog::info("backup: took a checkpoint of the database in {} ms, stream {:016x} at aggregate seq {} and audit record "
               "{}: {} files, {:.1f} MB, streamed to the client from {}", backup.last_used_ms - now, summary.stream_id,
               summary.aggregate_seq, summary.audit_seq, backup.files.size(), Megabytes(backup.bytes), checkpoint_dir_);
  open_ = std::move(backup);
  return reply;
}

tonghop::v1::QueryReply BackupStreamer::Chunk(const tonghop::v1::BackupRequest& request) {
  auto file = open_->files.find(request.file());
  if (file == open_->files.end()) {
    return Error(fmt::format("field 'file': '{}' is not a file of this backup", ClipUtf8(request.file(), kMaxIdLength)));
  }
  const uint64_t size = file->second;
  if (request.offset() > size) {
    return Error(fmt::format("field 'offset': {} is past the end of {}, {} bytes long", request.offset(), file->first,
                             size));
  }
  const size_t length = static_cast<size_t>(std::min<uint64_t>(size - request.offset(), limits_.chunk_bytes));
  tonghop::v1::QueryReply reply;
  std::string* data = reply.mutable_backup()->mutable_data();
  data->resize(length);
  std::ifstream in(checkpoint_dir_ + "/" + file->first, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(request.offset()));
  in.read(data->data(), static_cast<std::streamsize>(length));
  if (!in || static_cast<size_t>(in.gcount()) != length) {
    spdlog::error("backup: cannot read {} of {}/{} at {}", length, checkpoint_dir_, file->first, request.offset());
    Close("abandoned: a file of its checkpoint cannot be read");
    return Error(fmt::format("the aggregator cannot read {} of its backup's checkpoint; run the backup again",
                             file->first));
  }
  reply.mutable_backup()->set_data_crc32c(Crc32c::Of(*data));
  open_->sent += length;
  return reply;
}

void BackupStreamer::ExpireIdle() {
  if (!open_ || MonotonicMs() - open_->last_used_ms <= limits_.idle_ms) return;
  if (limit_log_.Allow()) {
    spdlog::warn("dropping a backup not asked for anything for more than {} ms (--backup_idle_ms): its client went "
                 "away or stalled ({} more held back)", limits_.idle_ms, limit_log_.suppressed());
  }
  Close("abandoned: idle");
}

void BackupStreamer::Close(const char* why) {
  RemoveCheckpoint();
  spdlog::info("backup {}: {:.1f} of {:.1f} MB sent in {:.1f} s; its checkpoint is removed", why, Megabytes(open_->sent),
               Megabytes(open_->bytes), static_cast<double>(MonotonicMs() - open_->started_ms) / 1000);
  open_.reset();
}

void BackupStreamer::RemoveCheckpoint() {
  for (const std::string& dir : {checkpoint_dir_, checkpoint_dir_ + ".tmp"}) {
    std::error_code error;
    std::filesystem::remove_all(dir, error);
    if (error) spdlog::error("cannot remove {}: {}; remove it by hand to free its disk space", dir, error.message());
  }
}

}  // namespace tonghop
