// BackupStreamer: the aggregator's side of online backups (docs/PROTOCOL.md, "Backups"), answering
// BackupRequest on the query thread, so that neither taking nor streaming a backup holds up ingest.
// The first request of a backup takes a RocksDB checkpoint of the store into a folder of its own
// under the database folder (IngestStore::CreateCheckpoint: a flush, then hard links, so it costs
// seconds and almost no disk while ingest goes on), and answers its manifest; each later request
// reads one chunk of one of its files, which never change; the last removes the folder.
//
// What a client can hold this way is bounded (docs/SECURITY.md): one backup at a time (a second is
// refused with an error saying to retry; the checkpoint pins the table files it links, as much
// disk as the database had, until it is removed), --backup_idle_ms before an abandoned one is
// dropped and its folder removed, --backup_chunk_bytes in one reply. A folder left by a run that
// stopped mid-backup is removed when the next one starts (the constructor), and an open one when the
// aggregator stops (the destructor). Each bound is logged (at most a line a second) when hit.
//
// Thread-compatible: the query thread owns it. The store is read through CreateCheckpoint, which
// any thread may call.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "aggregator/ingest_store.h"
#include "core/log_limiter.h"
#include "tonghop/v1/query.pb.h"

namespace tonghop {

struct BackupLimits {
  // Bytes of a file in one reply (the client's socket takes messages of up to 16 MiB).
  int chunk_bytes = 4 << 20;
  // A backup not asked for anything for this long is dropped and its checkpoint removed.
  int idle_ms = 60'000;
};

class BackupStreamer {
 public:
  // The checkpoint's folder under the database folder.
  static constexpr char kCheckpointFolder[] = "backup-checkpoint";

  // Removes a checkpoint folder a previous run left in the store's folder.
  BackupStreamer(const IngestStore* store, BackupLimits limits);
  // Removes the open backup's checkpoint.
  ~BackupStreamer();

  // The reply to `request`: its `backup` body, or an `error` saying what was wrong and what to do.
  tonghop::v1::QueryReply Answer(const tonghop::v1::BackupRequest& request);
  // Drops the open backup when idle for longer than limits.idle_ms.
  void ExpireIdle();
  bool backup_open() const { return open_.has_value(); }
  const std::string& checkpoint_dir() const { return checkpoint_dir_; }

 private:
  struct OpenBackup {
    std::string token;
    std::map<std::string, uint64_t> files;  // name -> size
    uint64_t bytes = 0;                     // of all files
    uint64_t sent = 0;                      // bytes sent, retries included
    int64_t started_ms = 0;
    int64_t last_used_ms = 0;
  };

  tonghop::v1::QueryReply Begin();
  tonghop::v1::QueryReply Chunk(const tonghop::v1::BackupRequest& request);
  void Close(const char* why);
  // Removes the checkpoint folder (and RocksDB's staging folder beside it), if there.
  void RemoveCheckpoint();

  const IngestStore* store_;
  const BackupLimits limits_;
  const std::string checkpoint_dir_;
  std::optional<OpenBackup> open_;
  LogLimiter limit_log_;
};

}  // namespace tonghop
