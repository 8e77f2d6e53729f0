#include "cli/import.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <zmq.hpp>

#include "cli/client_config.h"
#include "cli/data_value_set.h"
#include "collector/figure_check.h"
#include "collector/outbox.h"
#include "collector/rejection_file.h"
#include "collector/sender.h"
#include "core/catalog.h"
#include "core/clock.h"
#include "core/csv.h"
#include "core/decimal.h"
#include "core/rocksdb_util.h"
#include "core/transport.h"
#include "core/event_loop.h"
#include "core/messages.h"
#include "core/wire_protocol.h"
#include "core/wire_text.h"

namespace tonghop::cli {
namespace fs = std::filesystem;
namespace {

constexpr int64_t kProgressIntervalMs = 200;
// Rows printed on stderr when refused; the verdict file has them all.
constexpr size_t kPrintedProblems = 10;

// Writes to stderr, ignoring failure: a closed or full stderr must not stop the import.
void PrintError(std::string_view text) {
  (void)!std::fwrite(text.data(), 1, text.size(), stderr);
  std::fflush(stderr);
}

uint64_t Fnv1a(uint64_t hash, std::string_view bytes) {
  for (unsigned char c : bytes) {
    hash ^= c;
    hash *= 1'099'511'628'211ull;
  }
  return hash;
}

// One row of the file and what became of it.
struct Row {
  enum class Verdict { kPending, kStored, kDuplicate, kRefused, kNotSent };
  DataValue value;
  tonghop::v1::IndicatorUpdate figure;  // set when the row may be sent
  bool sendable = false;                // the row is good, and not a repeat
  uint64_t seq = 0;                     // its seq in the import's outbox, once appended
  Verdict verdict = Verdict::kPending;
  std::string reason;  // a RejectReason's name without its prefix, or INVALID, OTHER_UNIT, REPEATED
  std::string text;
};

const char* VerdictCode(Row::Verdict verdict) {
  switch (verdict) {
    case Row::Verdict::kStored: return "stored";
    case Row::Verdict::kDuplicate: return "duplicate";
    case Row::Verdict::kRefused: return "refused";
    case Row::Verdict::kNotSent: return "not_sent";
    case Row::Verdict::kPending: return "pending";
  }
  return "pending";
}

std::string ReasonName(tonghop::v1::RejectReason reason) {
  std::string name = tonghop::v1::RejectReason_Name(reason);
  constexpr std::string_view kPrefix = "REJECT_REASON_";
  return name.starts_with(kPrefix) ? name.substr(kPrefix.size()) : name;
}

class Import {
 public:
  Import(const ImportOptions& options, Language language) : options_(options), language_(language) {}

  Status Run() {
    LoadNames();
    TONGHOP_RETURN_IF_ERROR(ReadRows());
    TONGHOP_RETURN_IF_ERROR(ResolveLink(options_.ingest_endpoints, options_.security, /*ingest=*/true, &link_));
    TONGHOP_RETURN_IF_ERROR(CheckAggregatorEndpoints(link_.endpoints, "--ingest_endpoint"));
    // Each of a pair gets every figure, so their order names nothing: sorted, it names the same
    // import and the same positions in its outbox whichever order they are given in.
    std::sort(link_.endpoints.begin(), link_.endpoints.end());
    TONGHOP_RETURN_IF_ERROR(LoadClientKeys(link_.security, false, &curve_));
    TONGHOP_RETURN_IF_ERROR(OpenState());
    const Status sent = Send();
    Conclude();
    TONGHOP_RETURN_IF_ERROR(WriteVerdicts());
    if (!sent.ok()) return sent;
    const size_t unsettled = Count(Row::Verdict::kRefused) + Count(Row::Verdict::kNotSent);
    if (unsettled > 0) {
      return Status::InvalidArgument(Text(language_, Msg::kImportRefusedSome, unsettled, rows_.size(), verdict_path_));
    }
    return Status::OK();
  }

 private:
  // Parses the file into rows, and checks each as a collector checks a figure.
  Status ReadRows() {
    TONGHOP_RETURN_IF_ERROR(ReadFileToString(options_.file, &bytes_));
    std::vector<DataValue> values;
    TONGHOP_RETURN_IF_ERROR(ParseDataValueSet(options_.file, bytes_, &values));
    const int64_t now = NowMs();
    std::map<std::tuple<std::string, std::string, std::string>, unsigned> first_line;
    for (DataValue& value : values) {
      Row row;
      row.value = std::move(value);
      const DataValue& v = row.value;
      auto& figure = row.figure;
      figure.set_reporting_unit(v.org_unit);
      figure.set_indicator(v.data_element);
      figure.set_period(v.period);
      int64_t observed = now;
      figure.set_observed_at_ms(ParseUtcIsoTime(v.last_updated, &observed) ? observed : now);
      std::vector<std::string> problems;
      Decimal decimal;
      if (Status s = ParseFigureValue(v.value, v.decimal_comma ? DecimalMark::kComma : DecimalMark::kPoint, language_,
                                      &decimal);
          !s.ok()) {
        problems.push_back(Text(language_, Msg::kImportRowInvalid, "value", s.message()));
      } else {
        SetFigureValue(decimal, &figure);
      }
      for (const FieldError& e : CheckFigure("", language_, &figure)) {
        problems.push_back(Text(language_, Msg::kImportRowInvalid, e.field, e.why));
      }
      if (!problems.empty()) {
        row.verdict = Row::Verdict::kNotSent;
        row.reason = "INVALID";
        for (const auto& p : problems) row.text += (row.text.empty() ? "" : "; ") + p;
      } else if (auto [at, fresh] = first_line.try_emplace({v.org_unit, v.data_element, v.period}, v.line); !fresh) {
        row.verdict = Row::Verdict::kNotSent;
        row.reason = "REPEATED";
        row.text = Text(language_, Msg::kImportRowRepeated, IndicatorLabel(v.data_element), UnitLabel(v.org_unit),
                        v.period, Text(language_, Msg::kLine, at->second));
      } else {
        row.sendable = true;
      }
      rows_.push_back(std::move(row));
    }
    return Status::OK();
  }

  // The import's own folder: its outbox, and the rejections the Sender records there.
  Status OpenState() {
    std::string state_root;
    TONGHOP_RETURN_IF_ERROR(ResolveStateDir(options_.state_dir, &state_root));
    uint64_t hash = Fnv1a(14'695'981'039'346'656'037ull, bytes_);
    std::vector<const std::string*> parts;
    for (const std::string& endpoint : link_.endpoints) parts.push_back(&endpoint);
    parts.push_back(&curve_.server_key);
    parts.push_back(&curve_.public_key);
    for (const std::string* part : parts) hash = Fnv1a(Fnv1a(hash, *part), std::string_view("\0", 1));
    const std::string name = fs::path(options_.file).filename().string();
    state_ = (fs::path(state_root) / "imports" / fmt::format("{}-{:016x}", name, hash)).string();
    std::error_code error;
    fs::create_directories(state_, error);
    if (error) return Status::IOError(fmt::format("cannot create {}: {}; give --state_dir a writable folder", state_,
                                                  error.message()));
    if (Status s = Outbox::Open(state_ + "/outbox", &outbox_, link_.endpoints.size()); !s.ok()) {
      return Status::IOError(Text(language_, Msg::kImportStateInUse, state_, s.message()));
    }
    verdict_path_ = options_.verdict_file.empty() ? options_.file + ".verdicts.csv" : options_.verdict_file;
    return Status::OK();
  }

  void LoadNames() {
    std::string dir;
    if (!ResolveCatalogDir(options_.catalog_dir, &dir).ok()) return;
    if (Catalog::LoadFromDirectory(dir, &catalog_).ok()) named_ = true;
  }

  // Runs a Sender for each aggregator until each holds every figure, or one stays silent, refuses
  // the key or stops taking figures, or a stop is asked for.
  Status Send() {
    zmq::context_t context(1);
    RejectionFile rejections(state_ + "/rejected.csv");
    const std::string node_id = "import:" + fs::path(options_.file).filename().string();
    std::vector<std::unique_ptr<Sender>> senders;
    EventLoop loop;
    for (size_t i = 0; i < link_.endpoints.size(); ++i) {
      SenderOptions sender_options;
      sender_options.aggregator_endpoint = link_.endpoints[i];
      sender_options.aggregator_index = i;
      sender_options.node_id = IsValidUtf8(node_id) ? std::string(ClipUtf8(node_id, kMaxIdLength)) : "import";
      sender_options.ack_timeout_ms = options_.ack_timeout_ms;
      sender_options.link.curve = curve_;
      Sender* sender = senders.emplace_back(std::make_unique<Sender>(context, sender_options, outbox_.get(),
                                                                     &rejections)).get();
      sender->OnSettled([this](const Sender::Settlement& settled) { Settle(settled); });
      TONGHOP_RETURN_IF_ERROR(sender->Start());
      loop.AddSocket([sender] { return sender->PollItem(); }, [](short) {});
      loop.AddTask([sender] { return sender->MillisUntilDue(); }, [sender] { sender->Process(); });
    }
    record_ = outbox_->FindFile(kRecordName);
    // The endpoints of the senders `which` picks, for a message.
    auto endpoints_where = [&](auto&& which) {
      std::vector<std::string> picked;
      for (size_t i = 0; i < senders.size(); ++i) {
        if (which(i)) picked.push_back(link_.endpoints[i]);
      }
      return fmt::format("{}", fmt::join(picked, ", "));
    };

    const int64_t start = MonotonicMs();
    int64_t last_progress_ms = start;
    uint64_t last_pending = UINT64_MAX;
    Status outcome;
    bool done = false;
    loop.AddTask(nullptr, [&] {
      const int64_t now = MonotonicMs();
      auto answered = [](const std::unique_ptr<Sender>& s) { return s->heard_from_aggregator(); };
      auto unheard = [&](size_t i) { return !answered(senders[i]); };
      // The messages are built only while an aggregator has not answered yet: the task runs at
      // every turn of the loop.
      if (!std::all_of(senders.begin(), senders.end(), answered)) {
        auto refused = [&](size_t i) { return unheard(i) && senders[i]->handshake_refused(); };
        if (const std::string at = endpoints_where(refused); !at.empty()) {
          outcome = Status::Unavailable(Text(language_, Msg::kImportKeyRefused, at, KeysFrom(), outbox_->pending_count(), state_));
          loop.Stop();
          return;
        }
        if (now - start >= options_.timeout_ms) {
          outcome = Status::Unavailable(Text(language_, Msg::kImportNoAnswer, endpoints_where(unheard),
                                             options_.timeout_ms / 1000.0, KeysFrom(), outbox_->pending_count(), state_));
          loop.Stop();
          return;
        }
      }
      // The first answer says as whom the key is registered; a pair shares one key registry.
      auto heard = std::find_if(senders.begin(), senders.end(), answered);
      if (heard == senders.end()) return;
      if (!appended_) {
        if (Status s = Append((*heard)->sender_key()); !s.ok()) {
          outcome = s;
          loop.Stop();
          return;
        }
        for (auto& sender : senders) sender->Process();  // the figures leave at once
      }
      if (outbox_->pending_count() == 0) {
        done = true;
        loop.Stop();
      } else if (outbox_->pending_count() != last_pending) {
        last_pending = outbox_->pending_count();
        last_progress_ms = now;
      } else if (now - last_progress_ms >= options_.timeout_ms) {
        std::vector<std::string> why;
        for (size_t i = 0; i < senders.size(); ++i) {
          if (outbox_->pending_count(i) == 0) continue;
          const Sender& sender = *senders[i];
          why.push_back(fmt::format("{}: {}", link_.endpoints[i],
                                    !sender.aggregator_storage_error().empty() ? sender.aggregator_storage_error()
                                    : sender.aggregator_reachable()            ? "-"
                                                                               : "unreachable"));
        }
        outcome = Status::Unavailable(Text(language_, Msg::kImportStalled, options_.timeout_ms / 1000.0,
                                           fmt::format("{}", fmt::join(why, "; ")), outbox_->pending_count(), state_));
        loop.Stop();
      }
    });
    const bool terminal = isatty(STDERR_FILENO) == 1;
    if (terminal) {
      loop.AddTimer(kProgressIntervalMs, [&] {
        PrintError("\r" + (appended_ ? Text(language_, Msg::kImportProgress, options_.file, Settled(), Sendable(),
                                            Count(Row::Verdict::kStored) + Count(Row::Verdict::kDuplicate),
                                            Count(Row::Verdict::kRefused))
                                     : Text(language_, Msg::kImportConnecting, options_.file,
                                            fmt::format("{}", fmt::join(link_.endpoints, ", ")),
                                            (MonotonicMs() - start) / 1000)) +
                   "\033[K");
      });
    }
    TONGHOP_RETURN_IF_ERROR(loop.Run());
    if (terminal) PrintError("\r\033[K");
    if (!done && outcome.ok()) outcome = Status::Unavailable(Text(language_, Msg::kImportInterrupted, outbox_->pending_count(), state_));
    return outcome;
  }

  // Numbers the rows the key may send, in one write of the outbox, unless an earlier run did.
  // `sender_key` says which: a collector key its own unit's rows only.
  Status Append(const std::string& sender_key) {
    appended_ = true;
    const std::string unit = sender_key.starts_with("collector:") ? sender_key.substr(10) : "";
    std::vector<tonghop::v1::IndicatorUpdate> figures;
    std::vector<Row*> sent;
    for (Row& row : rows_) {
      if (!row.sendable) continue;
      if (!unit.empty() && row.figure.reporting_unit() != unit) {
        row.sendable = false;
        row.verdict = Row::Verdict::kNotSent;
        row.reason = "OTHER_UNIT";
        row.text = Text(language_, Msg::kImportRowOtherUnit, UnitLabel(row.figure.reporting_unit()), UnitLabel(unit));
        continue;
      }
      figures.push_back(row.figure);
      sent.push_back(&row);
    }
    uint64_t first_seq = 0;
    if (record_) {
      if (record_->figures() != figures.size()) {
        return Status::InvalidArgument(Text(language_, Msg::kImportKeyChanged, record_->figures(), figures.size(), state_));
      }
      first_seq = record_->first_seq();
    } else if (!figures.empty()) {
      tonghop::storage::v1::IngestedFile record;
      record.set_name(kRecordName);
      record.set_size(bytes_.size());
      TONGHOP_RETURN_IF_ERROR(outbox_->Append(&figures, &record));
      first_seq = record.first_seq();
    }
    for (size_t i = 0; i < sent.size(); ++i) {
      sent[i]->seq = first_seq + i;
      by_seq_[sent[i]->seq] = sent[i];
    }
    return Status::OK();
  }

  void Settle(const Sender::Settlement& settled) {
    auto it = by_seq_.find(settled.seq);
    if (it == by_seq_.end() || it->second->verdict != Row::Verdict::kPending) return;  // the first answer counts
    Row& row = *it->second;
    if (settled.acked) {
      row.verdict = settled.duplicate ? Row::Verdict::kDuplicate : Row::Verdict::kStored;
    } else {
      row.verdict = Row::Verdict::kRefused;
      row.reason = ReasonName(settled.reason);
      row.text = settled.text;
    }
  }

  // The verdicts of the rows an earlier run settled: refused ones from its rejected.csv, the
  // others stored.
  void Conclude() {
    std::set<uint64_t> pending;
    std::vector<tonghop::v1::IndicatorUpdate> waiting;
    if (outbox_->ReadPending(1, SIZE_MAX, &waiting).ok()) {
      for (const auto& u : waiting) pending.insert(u.seq());
    }
    std::map<uint64_t, std::pair<std::string, std::string>> refused;
    std::string text;
    if (ReadFileToString(state_ + "/rejected.csv", &text).ok()) {
      static constexpr std::array<const char*, 3> kColumns = {"seq", "reason", "text"};
      (void)ReadCsv<3>("rejected.csv", text, kColumns, {"seq"}, [&](const CsvRow<3>& r) {
        refused[std::strtoull(r.cells[0].c_str(), nullptr, 10)] = {r.cells[1], r.cells[2]};
        return Status::OK();
      });
    }
    for (auto& [seq, row] : by_seq_) {
      if (row->verdict != Row::Verdict::kPending || pending.count(seq)) continue;
      if (auto r = refused.find(seq); r != refused.end()) {
        row->verdict = Row::Verdict::kRefused;
        row->reason = r->second.first;
        row->text = r->second.second;
      } else {
        row->verdict = Row::Verdict::kStored;
        row->text = Text(language_, Msg::kImportStoredEarlier);
      }
    }
  }

  Status WriteVerdicts() {
    std::string csv = "line,reporting_unit,indicator,name,period,value,verdict,reason,text\n";
    size_t printed = 0;
    for (const Row& row : rows_) {
      const DataValue& v = row.value;
      const Indicator* indicator = named_ ? catalog_.FindIndicator(v.data_element) : nullptr;
      csv += fmt::format("{},{},{},{},{},{},{},{},{}\n", v.line, CsvEscape(EscapeInvalidUtf8(v.org_unit)),
                         CsvEscape(EscapeInvalidUtf8(v.data_element)), CsvEscape(indicator ? indicator->name : ""),
                         CsvEscape(EscapeInvalidUtf8(v.period)), CsvEscape(EscapeInvalidUtf8(v.value)),
                         VerdictCode(row.verdict), row.reason, CsvEscape(row.text));
      if ((row.verdict == Row::Verdict::kRefused || row.verdict == Row::Verdict::kNotSent) && printed++ < kPrintedProblems) {
        PrintError(fmt::format("{}:{}: {}\n", options_.file, v.line, row.text));
      }
    }
    const Status written = WriteStringToFile(verdict_path_, csv);
    fmt::print("{}\n{}\n",
               Text(language_, Msg::kImportSummary, options_.file, rows_.size(), Count(Row::Verdict::kStored),
                    Count(Row::Verdict::kDuplicate), Count(Row::Verdict::kRefused), Count(Row::Verdict::kNotSent),
                    Count(Row::Verdict::kPending)),
               Text(language_, Msg::kImportVerdictFile, verdict_path_));
    std::fflush(stdout);
    if (!written.ok()) return written.WithContext("the verdicts (--verdict_file names another place)");
    return Status::OK();
  }

  size_t Count(Row::Verdict verdict) const {
    return std::count_if(rows_.begin(), rows_.end(), [&](const Row& r) { return r.verdict == verdict; });
  }
  size_t Sendable() const { return by_seq_.size(); }
  size_t Settled() const {
    return std::count_if(by_seq_.begin(), by_seq_.end(),
                         [](const auto& entry) { return entry.second->verdict != Row::Verdict::kPending; });
  }
  // "'bac-son' (Bắc Sơn)": the code, and the catalog's name when it knows the unit.
  std::string UnitLabel(const std::string& code) const {
    const ReportingUnit* unit = named_ ? catalog_.FindUnit(code) : nullptr;
    return unit == nullptr ? fmt::format("'{}'", code) : fmt::format("'{}' ({})", code, unit->name);
  }
  // "agri.herd.pigs (Đàn lợn)", likewise.
  std::string IndicatorLabel(const std::string& id) const {
    const Indicator* indicator = named_ ? catalog_.FindIndicator(id) : nullptr;
    return indicator == nullptr ? id : fmt::format("{} ({})", id, indicator->name);
  }
  std::string KeysFrom() const {
    return link_.keys_from.empty() ? "no key: plain text" : link_.security.curve_secret_key_file + ", from " + link_.keys_from;
  }

  // The name of the outbox's record of the rows it numbered (Outbox::FindFile).
  static constexpr char kRecordName[] = "import";

  const ImportOptions& options_;
  const Language language_;
  std::string bytes_;
  std::vector<Row> rows_;
  std::map<uint64_t, Row*> by_seq_;
  ResolvedLink link_;
  CurveSocketKeys curve_;
  std::string state_;
  std::string verdict_path_;
  std::unique_ptr<Outbox> outbox_;
  std::optional<tonghop::storage::v1::IngestedFile> record_;
  bool appended_ = false;
  Catalog catalog_;
  bool named_ = false;
};

}  // namespace

CLI::App* AddImportCommand(CLI::App& app, ImportOptions* options) {
  CLI::App* command = app.add_subcommand(
      "import", "Load a data value set (CSV or JSON, DHIS2 dataValueSets style) into the aggregator, validated and "
                "audited like live figures, and write each row's verdict beside the file");
  command->add_option("file", options->file, "the data value set; docs/DATA-MODEL.md describes the format")->required();
  command->add_option("--ingest_endpoint", options->ingest_endpoints,
                      fmt::format("the aggregator's --ingest_endpoint; for a pair each one's (a,b, or the flag twice): "
                                  "every figure goes to each, and the import is done once each holds them all "
                                  "(default: the configuration file's ingest_endpoint, else {})",
                                  kDefaultIngestEndpoint))
      ->delimiter(',');
  command->add_option("--state_dir", options->state_dir,
                      "where the import keeps its outbox, so that running it again resumes it (default: the "
                      "configuration file's state_dir, else $XDG_STATE_HOME/tonghop, ~/.local/state/tonghop)");
  command->add_option("--verdict_file", options->verdict_file, "where to write each row's verdict (default: FILE.verdicts.csv)");
  command->add_option("--catalog_dir", options->catalog_dir,
                      "catalog for the indicators' names in the verdicts (default: as the other office commands find it)");
  command->add_option("--timeout_ms", options->timeout_ms,
                      "how long to wait for the aggregator's first answer, and then for each next figure settled")
      ->check(CLI::Range(1, 3'600'000))
      ->capture_default_str();
  command->add_option("--ack_timeout_ms", options->ack_timeout_ms, "resend figures unanswered this long")
      ->check(CLI::Range(1, 600'000))
      ->capture_default_str();
  AddClientSecurityFlags(*command, &options->security, "the aggregator", true);
  command->footer(
      "Examples:\n"
      "  tonghop export --period 2016-Q1 --format json > 2016-q1.json\n"
      "  tonghop import 2016-q1.json          # with the office's key: every unit's rows\n"
      "  tonghop import cao-loc.csv --curve_secret_key_file cao-loc.key --curve_server_public_key aggregator.pub\n"
      "An office key (role office) sends every row, for any unit; a unit's collector key only that unit's rows, the\n"
      "others are listed as not sent. Keys and endpoint come from the flags, else the configuration file, else the\n"
      "local province (docs/OPERATIONS.md, \"Where the office commands find their keys\"). Running the same command\n"
      "again resumes an import that stopped; exit code 1 when a row was not stored (see FILE.verdicts.csv).");
  return command;
}

Status RunImport(const ImportOptions& options) {
  Import import(options, ChooseLanguage(ResolveLanguageCode(options.lang)));
  return import.Run();
}

}  // namespace tonghop::cli
