// DropFolder: the folder a district officer (or the unit's own software) drops files of figures
// into: CSV files and Excel workbooks (.xlsx), read by collector/drop_file.h. Each scan takes the
// regular files directly in the folder (not those starting with '.', not Office's lock files
// "~$name", not the collector's own rejected.csv, not files modified within the last min_age_ms,
// which may still be being written: write elsewhere, then rename into the folder) and handles
// each exactly once:
//  - good file: all its figures and its IngestedFile record go into the outbox in one Append, then
//    the file moves to done/<name>;
//  - bad file (any bad row, no rows, unreadable, larger than max_file_bytes, a name that is not
//    UTF-8, or of a type the collector cannot read): nothing of it enters the outbox; it moves to
//    failed/<name> with failed/<name>.error.txt beside it listing every problem as
//    "<file>:<line>: field '<f>': <why>" (in the options' language) and what to do;
//  - a file the outbox already records with the same name, size and mtime (the collector stopped
//    between storing it and moving it) just moves to done/.
// A name already taken in done/ or failed/ gets a timestamp before its extension. When the outbox
// cannot store (disk full) the file stays where it is and is tried again at the next scan.
// File format: docs/COLLECTOR.md. Not thread-safe.
#pragma once

#include <set>
#include <string>

#include "collector/drop_file.h"
#include "collector/outbox.h"
#include "core/messages.h"
#include "core/status.h"

namespace tonghop {

struct DropFolderOptions {
  std::string dir;             // the watched folder; done/ and failed/ are made beneath it
  std::string reporting_unit;  // the collector's unit: rows may name only this one
  int min_age_ms = 500;        // files modified more recently are left for a later scan
  Language language = Language::kVietnamese;  // of the error files
  std::string xlsx_sheet;      // the sheet of a workbook to read; "": its first
  // Files larger than this fail whole; a workbook's parts may unpack to this much each.
  size_t max_file_bytes = 8 << 20;
  size_t max_rows = 20'000;    // rows of one file
};

class DropFolder {
 public:
  // The collector writes its rejections here; never taken as a drop file.
  static constexpr char kRejectionFileName[] = "rejected.csv";

  struct ScanResult {
    int ingested = 0;  // files whose figures entered the outbox (or had already)
    int failed = 0;    // files moved to failed/
    int waiting = 0;   // files left for a later scan (too recent, or the outbox cannot store)
  };

  DropFolder(DropFolderOptions options, Outbox* outbox);

  // Creates the folder, done/ and failed/ if missing.
  Status Init();

  // Handles every file ready now, in name order.
  ScanResult Scan();

  const std::string& dir() const { return options_.dir; }

 private:
  enum class Outcome { kIngested, kFailed, kWaiting };
  Outcome HandleFile(const std::string& name, uint64_t size, int64_t mtime_ns);
  // Moves `name` to failed/ with `errors` (every problem, a line each) in its error file; the log
  // line names the first, `first_in_english` when given.
  Outcome Fail(const std::string& name, const std::string& errors, const std::string& first_in_english = "");
  // Moves `name` into `subdir`; returns the name it got there, or "" after logging why not.
  std::string MoveTo(const std::string& subdir, const std::string& name);

  DropFolderOptions options_;
  Outbox* outbox_;
  bool append_failing_ = false;
  // Files that could not be moved, so that each is complained about once, not on every scan.
  std::set<std::string> stuck_;
};

}  // namespace tonghop
