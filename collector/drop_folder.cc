#include "collector/drop_folder.h"

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "collector/collector_catalog.h"
#include "collector/figure_check.h"
#include "core/csv.h"
#include "core/decimal.h"
#include "core/transport.h"
#include "core/wire_protocol.h"
#include "core/wire_text.h"

namespace tonghop {
namespace fs = std::filesystem;
namespace {

constexpr size_t kMaxListedErrors = 1000;

bool IsCsvName(const std::string& name) {
  if (name.size() <= 4 || name.front() == '.') return false;
  std::string ext = name.substr(name.size() - 4);
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext == ".csv";
}

std::string Timestamp() {
  int64_t ms = NowMs();
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  localtime_r(&t, &tm);
  return fmt::format("{:04d}{:02d}{:02d}T{:02d}{:02d}{:02d}.{:03d}", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms % 1000);
}

// `name` in `dir` if free, else "<stem>-<timestamp>[-n]<ext>", keeping the extension so that the
// file still opens in a spreadsheet.
std::string FreeName(const fs::path& dir, const std::string& name) {
  std::error_code ec;
  if (!fs::exists(dir / name, ec)) return name;
  fs::path p(name);
  std::string base = fmt::format("{}-{}", p.stem().string(), Timestamp());
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
    if (!IsCsvName(name) || name == kRejectionFileName) continue;
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
  if (!IsValidUtf8(name)) {
    // The outbox keeps the file's name (IngestedFile), where it must be UTF-8 like every string.
    return Fail(name, fmt::format("{}: the file's name is not valid UTF-8; rename it, e.g. with letters, digits "
                                  "and '-' only\n", EscapeInvalidUtf8(name)));
  }
  const fs::path path = fs::path(options_.dir) / name;
  if (auto known = outbox_->FindFile(name);
      known && known->size() == size && known->mtime_ns() == mtime_ns) {
    if (MoveTo("done", name).empty()) return Outcome::kWaiting;
    spdlog::info("{} was already ingested ({} figures from seq {}); moved it to done/", name,
                 known->figures(), known->first_seq());
    return Outcome::kIngested;
  }

  std::string text;
  if (Status s = ReadFileToString(path.string(), &text); !s.ok()) {
    // Gone (moved away by someone) or unreadable now: look again at the next scan.
    if (stuck_.insert(name).second) spdlog::warn("cannot read drop file {}: {}", name, s.message());
    return Outcome::kWaiting;
  }

  std::vector<tonghop::v1::IndicatorUpdate> figures;
  std::vector<std::string> errors;
  std::map<std::pair<std::string, std::string>, unsigned> first_line;  // (indicator, period) -> line
  const int64_t default_observed_ms = mtime_ns / 1'000'000;
  constexpr std::array<const char*, 5> kColumns = {"indicator", "period", "value", "reporting_unit",
                                                   "observed_at"};
  Status read = ReadCsv<5>(name, text, kColumns, {"indicator", "period", "value"},
                           [&](const CsvRow<5>& row) {
    auto error = [&](std::string_view field, std::string_view why) {
      errors.push_back(fmt::format("{}:{}: field '{}': {}", name, row.line, field, why));
    };
    tonghop::v1::IndicatorUpdate figure;
    figure.set_indicator(row.cells[0]);
    figure.set_period(row.cells[1]);
    figure.set_reporting_unit(row.cells[3]);
    figure.set_observed_at_ms(default_observed_ms);
    Decimal value;
    if (row.cells[2].empty()) {
      error("value", "is empty; write the figure with '.' as the decimal point, e.g. 5180.5");
    } else if (Status s = Decimal::Parse(row.cells[2], &value); !s.ok()) {
      error("value", s.message());
    } else {
      SetFigureValue(value, &figure);
    }
    if (!row.cells[4].empty()) {
      int64_t ms = 0;
      if (Status s = ParseObservedAt(row.cells[4], &ms); !s.ok()) {
        error("observed_at", s.message());
      } else {
        figure.set_observed_at_ms(ms);
      }
    }
    const size_t errors_before = errors.size();
    for (const FieldError& e : CheckFigure(options_.reporting_unit, &figure)) {
      error(e.field, e.why);
    }
    // The catalog judges a row the collector's own checks passed.
    if (options_.catalog != nullptr && errors.size() == errors_before) {
      for (const FieldError& e : options_.catalog->Check(figure, NowMs())) error(e.field, e.why);
    }
    auto [it, inserted] = first_line.try_emplace({figure.indicator(), figure.period()}, row.line);
    if (!inserted && !figure.indicator().empty()) {
      error("indicator", fmt::format("{} for {} is already given on line {}; keep one of the two rows",
                                     EscapeInvalidUtf8(figure.indicator()), EscapeInvalidUtf8(figure.period()),
                                     it->second));
    }
    figures.push_back(std::move(figure));
    return Status::OK();
  });
  if (!read.ok()) errors.push_back(read.message());
  if (read.ok() && figures.empty()) {
    errors.push_back(fmt::format("{}: the file has a header but no figures", name));
  }
  if (!errors.empty()) {
    std::string listing;
    for (size_t i = 0; i < errors.size() && i < kMaxListedErrors; ++i) listing += errors[i] + "\n";
    if (errors.size() > kMaxListedErrors) {
      listing += fmt::format("... and {} more problems\n", errors.size() - kMaxListedErrors);
    }
    return Fail(name, listing);
  }

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
  spdlog::info("ingested {} figures from {} (seqs {}..{})", figures.size(), name,
               figures.front().seq(), figures.back().seq());
  // If this move fails the next scan finds the file recorded and only moves it.
  MoveTo("done", name);
  return Outcome::kIngested;
}

DropFolder::Outcome DropFolder::Fail(const std::string& name, const std::string& errors) {
  std::string moved = MoveTo("failed", name);
  if (moved.empty()) return Outcome::kWaiting;
  fs::path error_path = fs::path(options_.dir) / "failed" / (moved + ".error.txt");
  std::ofstream out(error_path);
  out << errors << "\nNothing from " << name << " was stored. Correct the lines above and drop the "
      << "corrected file into " << options_.dir << " again (write it elsewhere, then move it in).\n";
  out.close();
  if (!out) spdlog::error("cannot write {}", error_path.string());
  size_t count = std::count(errors.begin(), errors.end(), '\n');
  spdlog::warn("drop file {} has {} problem(s), moved to failed/{}; first: {}", name, count, moved,
               errors.substr(0, errors.find('\n')));
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
