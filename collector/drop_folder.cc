#include "collector/drop_folder.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/clock.h"
#include "core/csv.h"
#include "core/transport.h"
#include "core/wire_protocol.h"
#include "core/wire_text.h"

namespace tonghop {
namespace fs = std::filesystem;
namespace {

constexpr size_t kMaxListedErrors = 1000;

// Hidden files are being written (a rename puts them in place); "~$agriculture.xlsx" is the lock
// file Excel keeps beside a workbook it has open, which is taken once Excel saves and closes it.
bool IsSkipped(const std::string& name) {
  return name.front() == '.' || name.starts_with("~$") || name == DropFolder::kRejectionFileName;
}

// `name` in `dir` if free, else "<stem>-<timestamp>[-n]<ext>", keeping the extension so that the
// file still opens in a spreadsheet.
std::string FreeName(const fs::path& dir, const std::string& name) {
  std::error_code ec;
  if (!fs::exists(dir / name, ec)) return name;
  fs::path p(name);
  std::string base = fmt::format("{}-{}", p.stem().string(), LocalFileStamp(NowMs()));
  std::string candidate = base + p.extension().string();
  for (int n = 2; fs::exists(dir / candidate, ec); ++n) {
    candidate = fmt::format("{}-{}{}", base, n, p.extension().string());
  }
  return candidate;
}

}  // namespace

DropFolder::DropFolder(DropFolderOptions options, Outbox* outbox)
    : options_(std::move(options)), outbox_(outbox) {}

Status DropFolder::Init() {
  for (const char* sub : {"", "done", "failed"}) {
    fs::path dir = fs::path(options_.dir) / sub;
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec || !fs::is_directory(dir)) {
      return Status::IOError(fmt::format(
          "cannot create drop folder {}: {}; choose a writable --drop_dir", dir.string(),
          ec ? ec.message() : "not a directory"));
    }
  }
  return Status::OK();
}

DropFolder::ScanResult DropFolder::Scan() {
  struct Candidate {
    std::string name;
    uint64_t size;
    int64_t mtime_ns;
  };
  std::vector<Candidate> candidates;
  std::error_code ec;
  for (fs::directory_iterator it(options_.dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (IsSkipped(name)) continue;
    struct stat st {};
    if (::stat(it->path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    int64_t mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
    candidates.push_back({name, static_cast<uint64_t>(st.st_size), mtime_ns});
  }
  if (ec) spdlog::warn("cannot list drop folder {}: {}", options_.dir, ec.message());
  std::sort(candidates.begin(), candidates.end(),
            [](const Candidate& a, const Candidate& b) { return a.name < b.name; });

  ScanResult result;
  const int64_t now_ns = NowMs() * 1'000'000;
  for (const Candidate& c : candidates) {
    // A file modified just now may still be being written. One dated in the future (a clock
    // elsewhere) is not being written now.
    if (std::abs(now_ns - c.mtime_ns) < int64_t{options_.min_age_ms} * 1'000'000) {
      ++result.waiting;
      continue;
    }
    switch (HandleFile(c.name, c.size, c.mtime_ns)) {
      case Outcome::kIngested: ++result.ingested; break;
      case Outcome::kFailed: ++result.failed; break;
      case Outcome::kWaiting: ++result.waiting; break;
    }
  }
  return result;
}

DropFolder::Outcome DropFolder::HandleFile(const std::string& name, uint64_t size, int64_t mtime_ns) {
  const Language language = options_.language;
  if (!IsValidUtf8(name)) {
    // The outbox keeps the file's name (IngestedFile), where it must be UTF-8 like every string.
    return Fail(name, Text(language, Msg::kFileNameNotUtf8, EscapeInvalidUtf8(name)) + "\n",
                Text(Language::kEnglish, Msg::kFileNameNotUtf8, EscapeInvalidUtf8(name)));
  }
  const DropFileType type = DropFileTypeOf(name);
  if (type == DropFileType::kOther || type == DropFileType::kOldExcel) {
    const Msg why = type == DropFileType::kOther ? Msg::kFileTypeUnknown : Msg::kFileTypeOldExcel;
    return Fail(name, Text(language, why, name) + "\n", Text(Language::kEnglish, why, name));
  }
  const fs::path path = fs::path(options_.dir) / name;
  if (auto known = outbox_->FindFile(name);
      known && known->size() == size && known->mtime_ns() == mtime_ns) {
    if (MoveTo("done", name).empty()) return Outcome::kWaiting;
    spdlog::info("{} was already ingested ({} figures from seq {}); moved it to done/", name,
                 known->figures(), known->first_seq());
    return Outcome::kIngested;
  }
  if (size > options_.max_file_bytes) {
    return Fail(name, Text(language, Msg::kFileTooLarge, name, size, options_.max_file_bytes) + "\n",
                Text(Language::kEnglish, Msg::kFileTooLarge, name, size, options_.max_file_bytes));
  }

  std::string bytes;
  if (Status s = ReadFileToString(path.string(), &bytes); !s.ok()) {
    // Gone (moved away by someone) or unreadable now: look again at the next scan.
    if (stuck_.insert(name).second) spdlog::warn("cannot read drop file {}: {}", name, s.message());
    return Outcome::kWaiting;
  }
  DropFileOptions read_options;
  read_options.reporting_unit = options_.reporting_unit;
  read_options.language = language;
  read_options.xlsx_sheet = options_.xlsx_sheet;
  read_options.xlsx_limits.max_part_bytes = options_.max_file_bytes;
  read_options.xlsx_limits.max_rows = options_.max_rows;
  read_options.max_rows = options_.max_rows;
  read_options.catalog = options_.catalog;
  DropFileContent content;
  ReadDropFile(name, type, bytes, mtime_ns / 1'000'000, read_options, &content);
  if (!content.problems.empty()) {
    // The log is the operators', in English: the file is read again for its first problem in it.
    std::string first_in_english;
    if (language != Language::kEnglish) {
      DropFileContent english;
      read_options.language = Language::kEnglish;
      ReadDropFile(name, type, bytes, mtime_ns / 1'000'000, read_options, &english);
      if (!english.problems.empty()) first_in_english = english.problems.front();
    }
    std::string listing;
    for (size_t i = 0; i < content.problems.size() && i < kMaxListedErrors; ++i) listing += content.problems[i] + "\n";
    if (content.problems.size() > kMaxListedErrors) {
      listing += Text(language, Msg::kMoreProblems, content.problems.size() - kMaxListedErrors) + "\n";
    }
    return Fail(name, listing, first_in_english);
  }
  bytes.clear();
  bytes.shrink_to_fit();
  std::vector<tonghop::v1::IndicatorUpdate>& figures = content.figures;

  tonghop::storage::v1::IngestedFile record;
  record.set_name(name);
  record.set_size(size);
  record.set_mtime_ns(mtime_ns);
  if (Status s = outbox_->Append(&figures, &record); !s.ok()) {
    if (!append_failing_) {
      spdlog::error("cannot store the figures of {}: {}. The file stays in {} and is tried again; "
                    "figures already stored are kept", name, s.message(), options_.dir);
    }
    append_failing_ = true;
    return Outcome::kWaiting;
  }
  if (append_failing_) spdlog::info("the outbox stores figures again");
  append_failing_ = false;
  spdlog::info("ingested {} figures from {} (seqs {}..{}{})", figures.size(), name, figures.front().seq(),
               figures.back().seq(),
               content.rows_without_value ? fmt::format("; {} rows without a value skipped", content.rows_without_value)
                                          : "");
  // If this move fails the next scan finds the file recorded and only moves it.
  MoveTo("done", name);
  return Outcome::kIngested;
}

DropFolder::Outcome DropFolder::Fail(const std::string& name, const std::string& errors, const std::string& first_in_english) {
  std::string moved = MoveTo("failed", name);
  if (moved.empty()) return Outcome::kWaiting;
  const Status written =
      WriteStringToFile((fs::path(options_.dir) / "failed" / (moved + ".error.txt")).string(),
                        errors + "\n" + Text(options_.language, Msg::kNothingStored, name, options_.dir) + "\n");
  if (!written.ok()) spdlog::error("{}", written.ToString());
  size_t count = std::count(errors.begin(), errors.end(), '\n');
  spdlog::warn("drop file {} has {} problem(s), moved to failed/{}; first: {}", name, count, moved,
               first_in_english.empty() ? errors.substr(0, errors.find('\n')) : first_in_english);
  return Outcome::kFailed;
}

std::string DropFolder::MoveTo(const std::string& subdir, const std::string& name) {
  const fs::path target_dir = fs::path(options_.dir) / subdir;
  std::string target = FreeName(target_dir, name);
  std::error_code ec;
  fs::rename(fs::path(options_.dir) / name, target_dir / target, ec);
  if (ec) {
    if (stuck_.insert(name).second) {
      spdlog::error("cannot move {} to {}/: {}; check the folder's permissions", name, subdir,
                    ec.message());
    }
    return "";
  }
  stuck_.erase(name);
  return target;
}

}  // namespace tonghop
