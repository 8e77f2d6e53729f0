// `tonghop backup --output DIR`: an online backup of the aggregator, from wherever its query
// endpoint answers an office key (docs/OPERATIONS.md, "Backups"; docs/PROTOCOL.md, "Backups").
// The aggregator takes a checkpoint of its database while ingest goes on; this command copies it
// file by file into DIR.part, checks each chunk's CRC-32C as it arrives, syncs the files, opens
// the copy and checks every table block's checksum and that it holds the state the aggregator
// announced, then writes the manifest (tonghop-backup.json, with each file's size and CRC-32C) and
// renames DIR.part to DIR. So DIR, once there, is a whole backup; a restore starts an aggregator
// on a copy of it. Progress is shown on a terminal.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "cli/aggregator_client.h"
#include "core/status.h"

namespace tonghop::cli {

struct BackupOptions {
  AggregatorLink aggregator;
  std::string output;
};

CLI::App* AddBackupCommand(CLI::App& app, BackupOptions* options);
Status RunBackup(const BackupOptions& options);

}  // namespace tonghop::cli
