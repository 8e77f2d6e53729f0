// BackupManifest: what a backup copy of the aggregator's database holds, in the file
// tonghop-backup.json beside the database files (docs/OPERATIONS.md, "Backups"). `tonghop backup`
// writes it last, once every file is copied and checked, so a folder without it is not a
// complete backup. It names the state the copy restores (the stream it was taken of, its last
// aggregate seq and audit record, its outbox positions) and each file with its size and CRC-32C,
// which the aggregator checks before it opens a restored copy (IngestStore::Open).
// A value type; thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace tonghop {

struct BackupManifest {
  static constexpr char kFileName[] = "tonghop-backup.json";
  // What a restored database renames it to once it has started a new stream from it.
  static constexpr char kRestoredFileName[] = "tonghop-backup.json.restored";

  struct File {
    std::string name;
    uint64_t size = 0;
    uint32_t crc32c = 0;
  };

  std::string aggregator;  // the query endpoint it was taken from
  int64_t taken_at_ms = 0;
  uint64_t stream_id = 0;
  uint64_t aggregate_seq = 0;
  uint64_t audit_seq = 0;
  uint64_t outboxes = 0;
  std::vector<File> files;

  // "2026-11-30T01:02:03Z", for people.
  std::string TakenAt() const;
  std::string ToJson() const;
  // InvalidArgument naming the field that is missing or wrong.
  static Status Parse(std::string_view json, BackupManifest* out);
  // Reads `dir`/kFileName; NotFound when there is none.
  static Status Read(const std::string& dir, BackupManifest* out);

  // Whether every file listed is in `dir` with its size and CRC-32C (each is read whole);
  // Corruption naming the first that is not, and saying to copy the backup again.
  Status Verify(const std::string& dir) const;
};

}  // namespace tonghop
