#include "collector/outbox.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <rocksdb/write_batch.h>

#include "core/clock.h"
#include "core/rocksdb_util.h"
#include "core/transport.h"
#include "core/wire_protocol.h"

namespace tonghop {
namespace {

constexpr char kIdKey[] = "outbox_id";
constexpr char kNextSeqKey[] = "next_seq";
constexpr char kCatalogKey[] = "catalog";
constexpr char kEnteredAtKey[] = "entered_at_ms";
constexpr char kSettledSeqKey[] = "settled_seq";
// Aggregator i's settled_seq: "settled_seq" for the first (as before pairs), "settled_seq.<i>".
std::string SettledSeqKey(size_t aggregator) {
  return aggregator == 0 ? std::string(kSettledSeqKey) : fmt::format("{}.{}", kSettledSeqKey, aggregator);
}
constexpr char kRetainedFromSeqKey[] = "retained_from_seq";
constexpr char kRetainedCountKey[] = "retained_count";
constexpr char kRetainedBytesKey[] = "retained_bytes";
// A district's outbox holds minutes of figures, not gigabytes: a 1 MB write buffer per family
// (RocksDB's default is 64 MB) keeps a collector on a small machine under 20 MB resident
// (docs/PERFORMANCE.md).
constexpr size_t kMemtableBytes = 1 << 20;

// What collector-status shows of a record set aside.
std::string Summary(const tonghop::storage::v1::UnreadableRecord& record) {
  return fmt::format("seq {}: {}", record.seq(), record.reason());
}

// What stands in for a settled seq that is sent again but can no longer be: the aggregator refuses
// it MALFORMED and records the text, and its sequence goes on past it.
tonghop::v1::IndicatorUpdate Placeholder(uint64_t seq, std::string reason) {
  tonghop::v1::IndicatorUpdate placeholder;
  placeholder.set_seq(seq);
  placeholder.set_unreadable_reason(std::move(reason));
  return placeholder;
}

// A meta counter, `fallback` when it was never written (an outbox from before it existed).
Status ReadMeta(rocksdb::DB* db, const char* key, uint64_t fallback, uint64_t* value, bool* found = nullptr) {
  std::string bytes;
  rocksdb::Status s = db->Get({}, key, &bytes);
  if (found != nullptr) *found = s.ok();
  if (s.IsNotFound()) {
    *value = fallback;
    return Status::OK();
  }
  TONGHOP_RETURN_IF_ERROR(FromRocksDb(s, fmt::format("reading the outbox's {}", key)));
  if (!DecodeBigEndian64(bytes, value)) return Status::Corruption(fmt::format("the outbox's {} is not 8 bytes", key));
  return Status::OK();
}

}  // namespace

Status Outbox::Open(const std::string& path, std::unique_ptr<Outbox>* out, size_t aggregators) {
  if (aggregators == 0) return Status::InvalidArgument("an outbox needs at least one aggregator to send to");
  std::unique_ptr<Outbox> box(new Outbox());
  box->path_ = path;
  box->settled_seqs_.assign(aggregators, 0);
  TONGHOP_RETURN_IF_ERROR(
      RocksDb::Open(path, {"pending", "rejected", "files", "unreadable", "retained"}, &box->db_, kMemtableBytes)
          .WithContext("cannot open the outbox"));
  std::string value;
  rocksdb::Status s = box->db_->get()->Get({}, box->meta(), kIdKey, &value);
  if (s.IsNotFound()) {
    rocksdb::WriteBatch batch;
    batch.Put(box->meta(), kIdKey, EncodeBigEndian64(RandomNonZeroId()));
    batch.Put(box->meta(), kNextSeqKey, EncodeBigEndian64(1));
    batch.Put(box->meta(), kRetainedFromSeqKey, EncodeBigEndian64(1));
    TONGHOP_RETURN_IF_ERROR(box->Write(&batch, true, "cannot create the outbox"));
  }
  TONGHOP_RETURN_IF_ERROR(box->LoadState());
  bool retention_known = false;
  uint64_t ignored = 0;
  TONGHOP_RETURN_IF_ERROR(ReadMeta(box->db_->get(), kRetainedFromSeqKey, 0, &ignored, &retention_known));
  if (!retention_known) {
    // Written before retention: what was settled is gone, and the aggregator has everything below
    // the first pending seq.
    const uint64_t first_pending = box->FirstPendingSeq();
    rocksdb::WriteBatch batch;
    batch.Put(box->meta(), kRetainedFromSeqKey, EncodeBigEndian64(first_pending));
    batch.Put(box->meta(), kSettledSeqKey, EncodeBigEndian64(first_pending - 1));
    TONGHOP_RETURN_IF_ERROR(box->Write(&batch, true, "cannot add retention to the outbox"));
    TONGHOP_RETURN_IF_ERROR(box->LoadState());
  }
  TONGHOP_RETURN_IF_ERROR(box->KeepPositions());
  if (box->pending_count_ > 0) box->appended_ms_[box->FirstPendingSeq()] = NowMs();
  *out = std::move(box);
  return Status::OK();
}

Status Outbox::LoadState() {
  rocksdb::DB* db = db_->get();
  std::string value;
  rocksdb::Status s = db->Get({}, meta(), kIdKey, &value);
  if (!s.ok() || !DecodeBigEndian64(value, &id_) || id_ == 0) {
    return Status::Corruption(fmt::format(
        "outbox {} has no valid outbox_id ({}); move the folder aside and restart to start a new "
        "outbox (its pending figures must then be submitted again)", path_, s.ToString()));
  }
  s = db->Get({}, meta(), kNextSeqKey, &value);
  if (!s.ok() || !DecodeBigEndian64(value, &next_seq_) || next_seq_ == 0) {
    return Status::Corruption(fmt::format("outbox {} has no valid next_seq ({})", path_, s.ToString()));
  }
  // An aggregator not counted before starts where every one counted was: its heartbeat answer asks
  // for what it lacks.
  const uint64_t settled_by_all = FirstPendingSeq() - 1;
  for (size_t i = 0; i < settled_seqs_.size(); ++i) {
    TONGHOP_RETURN_IF_ERROR(ReadMeta(db, SettledSeqKey(i).c_str(), settled_by_all, &settled_seqs_[i]));
  }
  TONGHOP_RETURN_IF_ERROR(ReadMeta(db, kRetainedFromSeqKey, 1, &retained_from_seq_));
  uint64_t entered_at = 0;
  TONGHOP_RETURN_IF_ERROR(ReadMeta(db, kEnteredAtKey, 0, &entered_at));
  entered_at_ms_ = static_cast<int64_t>(entered_at);
  TONGHOP_RETURN_IF_ERROR(ReadMeta(db, kRetainedCountKey, 0, &retained_count_));
  TONGHOP_RETURN_IF_ERROR(ReadMeta(db, kRetainedBytesKey, 0, &retained_bytes_));
  TONGHOP_RETURN_IF_ERROR(ReadOldestRetainedAt(&oldest_retained_at_ms_));
  for (auto [cf, count] : {std::pair{family(kPending), &pending_count_}, std::pair{family(kRejected), &rejected_count_},
                           std::pair{family(kUnreadable), &unreadable_count_}}) {
    *count = 0;
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator({}, cf));
    for (it->SeekToFirst(); it->Valid(); it->Next()) ++*count;
    TONGHOP_RETURN_IF_ERROR(FromRocksDb(it->status(), fmt::format("cannot read the outbox at {}", path_)));
  }
  last_unreadable_.clear();
  std::unique_ptr<rocksdb::Iterator> last(db->NewIterator({}, family(kUnreadable)));
  last->SeekToLast();
  if (last->Valid()) {
    tonghop::storage::v1::UnreadableRecord record;
    uint64_t seq = 0;
    last_unreadable_ = record.ParseFromArray(last->value().data(), static_cast<int>(last->value().size()))
                           ? Summary(record)
                           : fmt::format("seq {}: the record kept of it cannot be read either",
                                         DecodeBigEndian64(last->key().ToStringView(), &seq) ? seq : 0);
  }
  return Status::OK();
}

Outbox::~Outbox() = default;

Status Outbox::Recover() {
  if (!db_->broken()) return Status::OK();
  // A write that "failed" may have been complete: counters come from what the reopened outbox holds.
  TONGHOP_RETURN_IF_ERROR(db_->Reopen().WithContext(fmt::format("outbox {} still cannot be written", path_)));
  spdlog::info("outbox {} is writable again", path_);
  return LoadState();
}

Status Outbox::Write(rocksdb::WriteBatch* batch, bool sync, const char* what) {
  rocksdb::WriteOptions options;
  options.sync = sync;
  return db_->Write(options, batch, fmt::format("{} (outbox {}; if the disk is full, free space there)", what, path_));
}

Status Outbox::Append(std::vector<tonghop::v1::IndicatorUpdate>* figures,
                      tonghop::storage::v1::IngestedFile* file) {
  TONGHOP_RETURN_IF_ERROR(Recover());
  rocksdb::WriteBatch batch;
  uint64_t seq = next_seq_;
  const int64_t entered_at = std::max(NowMs(), entered_at_ms_);
  std::string bytes;
  for (auto& figure : *figures) {
    figure.set_seq(seq);
    figure.set_entered_at_ms(entered_at);
    figure.SerializeToString(&bytes);
    batch.Put(family(kPending), EncodeBigEndian64(seq), bytes);
    ++seq;
  }
  batch.Put(meta(), kNextSeqKey, EncodeBigEndian64(seq));
  batch.Put(meta(), kEnteredAtKey, EncodeBigEndian64(static_cast<uint64_t>(entered_at)));
  if (file != nullptr) {
    file->set_first_seq(next_seq_);
    file->set_figures(static_cast<uint32_t>(figures->size()));
    batch.Put(family(kFiles), file->name(), file->SerializeAsString());
  }
  Status s = Write(&batch, /*sync=*/true, "cannot store figures in the outbox");
  if (!s.ok()) {
    for (auto& figure : *figures) {
      figure.set_seq(0);
      figure.set_entered_at_ms(0);
    }
    return s;
  }
  entered_at_ms_ = entered_at;
  pending_count_ += figures->size();
  if (!figures->empty()) appended_ms_.emplace(next_seq_, NowMs());
  next_seq_ = seq;
  return Status::OK();
}

Status Outbox::Settle(const std::vector<uint64_t>& acked, const std::vector<Rejection>& rejected,
                      int64_t now_ms, std::vector<tonghop::storage::v1::RejectedUpdate>* moved, size_t aggregator) {
  if (aggregator >= settled_seqs_.size()) {
    return Status::InvalidArgument(fmt::format("outbox {} keeps positions for {} aggregators, not for number {}", path_,
                                               settled_seqs_.size(), aggregator + 1));
  }
  TONGHOP_RETURN_IF_ERROR(Recover());
  std::vector<uint64_t> positions = settled_seqs_;
  // Seqs never assigned cannot be settled: an aggregator that says so is wrong, not ahead.
  for (uint64_t seq : acked) {
    if (seq < next_seq_) positions[aggregator] = std::max(positions[aggregator], seq);
  }
  for (const Rejection& r : rejected) {
    if (r.seq < next_seq_) positions[aggregator] = std::max(positions[aggregator], r.seq);
  }
  rocksdb::WriteBatch batch;
  // A refusal is recorded once, by the first aggregator that refuses a figure still pending.
  std::set<uint64_t> recorded;
  std::vector<tonghop::storage::v1::RejectedUpdate> records;
  std::string value;
  for (const Rejection& r : rejected) {
    if (r.seq >= next_seq_ || recorded.contains(r.seq) || FindRejected(r.seq)) continue;
    if (!db_->get()->Get({}, family(kPending), EncodeBigEndian64(r.seq), &value).ok()) continue;
    recorded.insert(r.seq);
    tonghop::storage::v1::RejectedUpdate record;
    if (!record.mutable_update()->ParseFromString(value)) record.mutable_update()->set_seq(r.seq);
    record.set_reason(r.reason);
    record.set_text(r.text);
    record.set_rejected_at_ms(now_ms);
    batch.Put(family(kRejected), EncodeBigEndian64(r.seq), record.SerializeAsString());
    records.push_back(std::move(record));
  }
  if (positions == settled_seqs_ && records.empty()) return Status::OK();
  batch.Put(meta(), SettledSeqKey(aggregator), EncodeBigEndian64(positions[aggregator]));
  uint64_t retained = 0;
  uint64_t retained_bytes = retained_bytes_;
  TONGHOP_RETURN_IF_ERROR(RetainUpTo(SettledFloor(positions), now_ms, &batch, &retained, &retained_bytes));
  TONGHOP_RETURN_IF_ERROR(Write(&batch, /*sync=*/!records.empty(), "cannot update the outbox"));
  pending_count_ -= retained;
  rejected_count_ += records.size();
  settled_seqs_ = std::move(positions);
  if (retained_count_ == 0 && retained > 0) oldest_retained_at_ms_ = now_ms;
  retained_count_ += retained;
  retained_bytes_ = retained_bytes;
  if (moved != nullptr) {
    for (auto& r : records) moved->push_back(std::move(r));
  }
  return Status::OK();
}

uint64_t Outbox::SettledFloor(const std::vector<uint64_t>& positions) const {
  return *std::min_element(positions.begin(), positions.end());
}

Status Outbox::RetainUpTo(uint64_t floor, int64_t now_ms, rocksdb::WriteBatch* batch, uint64_t* moved_count,
                          uint64_t* retained_bytes) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->get()->NewIterator({}, family(kPending)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    uint64_t seq = 0;
    if (!DecodeBigEndian64(it->key().ToStringView(), &seq)) {
      return Status::Corruption(fmt::format("outbox {}: a pending key is not a seq", path_));
    }
    if (seq > floor) break;
    batch->Delete(family(kPending), it->key());
    tonghop::storage::v1::RetainedUpdate retained;
    retained.set_update(it->value().ToString());
    retained.set_settled_at_ms(now_ms);
    const std::string bytes = retained.SerializeAsString();
    batch->Put(family(kRetained), it->key(), bytes);
    *retained_bytes += bytes.size();
    ++*moved_count;
  }
  if (*moved_count > 0) batch->Put(meta(), kRetainedCountKey, EncodeBigEndian64(retained_count_ + *moved_count));
  batch->Put(meta(), kRetainedBytesKey, EncodeBigEndian64(*retained_bytes));
  return FromRocksDb(it->status(), fmt::format("cannot read the outbox at {}", path_));
}

Status Outbox::KeepPositions() {
  rocksdb::WriteBatch batch;
  for (size_t i = 0; i < settled_seqs_.size(); ++i) {
    batch.Put(meta(), SettledSeqKey(i), EncodeBigEndian64(settled_seqs_[i]));
  }
  // Pending only for an aggregator no longer counted: settled by every one that is.
  uint64_t retained = 0;
  uint64_t retained_bytes = retained_bytes_;
  const int64_t now_ms = NowMs();
  TONGHOP_RETURN_IF_ERROR(RetainUpTo(SettledFloor(settled_seqs_), now_ms, &batch, &retained, &retained_bytes));
  TONGHOP_RETURN_IF_ERROR(Write(&batch, /*sync=*/true, "cannot record the outbox's aggregators"));
  pending_count_ -= retained;
  if (retained_count_ == 0 && retained > 0) oldest_retained_at_ms_ = now_ms;
  retained_count_ += retained;
  retained_bytes_ = retained_bytes;
  return Status::OK();
}

Status Outbox::ReadPending(uint64_t from_seq, size_t max, std::vector<tonghop::v1::IndicatorUpdate>* out) {
  // No Recover() here: a full disk leaves the outbox readable, and what it holds must still go out.
  // Setting an unreadable record aside is a write, which then fails until Append or Settle has
  // reopened the outbox (never under this live iterator).
  std::unique_ptr<rocksdb::Iterator> it(db_->get()->NewIterator({}, family(kPending)));
  size_t read = 0;
  for (it->Seek(EncodeBigEndian64(from_seq)); it->Valid() && read < max; it->Next(), ++read) {
    tonghop::v1::IndicatorUpdate update;
    if (Status parsed = ParseWireMessage(it->value().ToStringView(), &update); !parsed.ok()) {
      uint64_t seq = 0;
      if (!DecodeBigEndian64(it->key().ToStringView(), &seq)) {
        return Status::Corruption(fmt::format("outbox {}: a pending key is not a seq", path_));
      }
      // The iterator reads a snapshot: setting aside under it changes what later reads see only.
      TONGHOP_RETURN_IF_ERROR(SetAside(seq, it->value().ToStringView(), parsed.message(), &update));
    }
    out->push_back(std::move(update));
  }
  return FromRocksDb(it->status(), fmt::format("cannot read the outbox at {}", path_));
}

Status Outbox::SetAside(uint64_t seq, std::string_view raw, const std::string& why,
                        tonghop::v1::IndicatorUpdate* placeholder) {
  tonghop::storage::v1::UnreadableRecord record;
  record.set_seq(seq);
  record.set_raw(raw.data(), raw.size());
  const std::string origin = Origin(seq);
  record.set_reason(origin.empty() ? why : fmt::format("{} ({})", why, origin));
  record.set_set_aside_at_ms(NowMs());
  placeholder->Clear();
  placeholder->set_seq(seq);
  placeholder->set_unreadable_reason(
      fmt::format("the collector could not read its outbox record of seq {}: {}; the record is set aside there",
                  seq, record.reason()));
  rocksdb::WriteBatch batch;
  batch.Put(family(kUnreadable), EncodeBigEndian64(seq), record.SerializeAsString());
  batch.Put(family(kPending), EncodeBigEndian64(seq), placeholder->SerializeAsString());
  TONGHOP_RETURN_IF_ERROR(Write(&batch, /*sync=*/true, "cannot set an unreadable record aside"));
  ++unreadable_count_;
  last_unreadable_ = Summary(record);
  spdlog::error("outbox {}: pending update {} is unreadable: {}. Its {} bytes are set aside in the outbox and a "
                "placeholder is sent for its seq, which the aggregator refuses, so the figures after it go on. "
                "Enter that figure again.",
                path_, seq, record.reason(), raw.size());
  return Status::OK();
}

std::string Outbox::Origin(uint64_t seq) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->get()->NewIterator({}, family(kFiles)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    tonghop::storage::v1::IngestedFile file;
    if (file.ParseFromArray(it->value().data(), static_cast<int>(it->value().size())) && file.first_seq() <= seq &&
        seq < file.first_seq() + file.figures()) {
      return fmt::format("figure {} of drop file {}", seq - file.first_seq() + 1, file.name());
    }
  }
  return "";
}

uint64_t Outbox::FirstPendingSeq() const {
  std::unique_ptr<rocksdb::Iterator> it(db_->get()->NewIterator({}, family(kPending)));
  it->SeekToFirst();
  uint64_t seq = 0;
  if (it->Valid() && DecodeBigEndian64(it->key().ToStringView(), &seq)) return seq;
  return next_seq_;
}

Status Outbox::ReadSettled(uint64_t from_seq, uint64_t until_seq, size_t max,
                           std::vector<tonghop::v1::IndicatorUpdate>* out) {
  std::unique_ptr<rocksdb::Iterator> it(db_->get()->NewIterator({}, family(kRetained)));
  it->Seek(EncodeBigEndian64(from_seq));
  size_t read = 0;
  for (uint64_t seq = from_seq; seq < until_seq && read < max;) {
    uint64_t next_retained = UINT64_MAX;
    if (it->Valid() && !DecodeBigEndian64(it->key().ToStringView(), &next_retained)) {
      return Status::Corruption(fmt::format("outbox {}: a retained key is not a seq", path_));
    }
    if (seq == next_retained) {
      tonghop::storage::v1::RetainedUpdate retained;
      tonghop::v1::IndicatorUpdate update;
      Status parsed = retained.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))
                          ? ParseWireMessage(retained.update(), &update)
                          : Status::Corruption("the retained record does not parse");
      if (!parsed.ok()) {
        update = Placeholder(seq, fmt::format("the collector could not read its retained record of seq {}: {}", seq,
                                              parsed.message()));
      }
      out->push_back(std::move(update));
      it->Next();
      ++seq;
      ++read;
    } else if (seq < retained_from_seq_) {
      out->push_back(Placeholder(
          seq, fmt::format("the collector no longer retains seq {}: the aggregator had acknowledged it, and the "
                           "collector dropped it after its retention window (--retention_hours, "
                           "--retention_max_bytes); the aggregator's database lost it when it was restored from a "
                           "backup, so its figure must be entered again", seq)));
      ++seq;
      ++read;
    } else {
      seq = next_retained;  // the seqs between are pending
    }
  }
  return FromRocksDb(it->status(), fmt::format("cannot read the outbox at {}", path_));
}

Status Outbox::PruneRetained(int64_t settled_before_ms, uint64_t max_bytes, size_t max_records, size_t* pruned) {
  if (pruned != nullptr) *pruned = 0;
  if (retained_count_ == 0) return Status::OK();
  TONGHOP_RETURN_IF_ERROR(Recover());
  std::unique_ptr<rocksdb::Iterator> it(db_->get()->NewIterator({}, family(kRetained)));
  uint64_t bytes = retained_bytes_;
  uint64_t dropped = 0;
  uint64_t last_dropped = 0;
  int64_t oldest_kept_ms = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    tonghop::storage::v1::RetainedUpdate retained;
    uint64_t seq = 0;
    if (!DecodeBigEndian64(it->key().ToStringView(), &seq)) {
      return Status::Corruption(fmt::format("outbox {}: a retained key is not a seq", path_));
    }
    // A record that does not parse counts as settled long ago: it could not be sent again anyway.
    const int64_t settled_at =
        retained.ParseFromArray(it->value().data(), static_cast<int>(it->value().size())) ? retained.settled_at_ms() : 0;
    if ((settled_at >= settled_before_ms && bytes <= max_bytes) || dropped == max_records) {
      oldest_kept_ms = settled_at;
      break;
    }
    bytes -= std::min<uint64_t>(bytes, it->value().size());
    ++dropped;
    last_dropped = seq;
  }
  TONGHOP_RETURN_IF_ERROR(FromRocksDb(it->status(), fmt::format("cannot read the outbox at {}", path_)));
  if (dropped == 0) return Status::OK();
  // Exactly the records read above: every retained key up to the last one dropped.
  const uint64_t floor = std::max(retained_from_seq_, last_dropped + 1);
  rocksdb::WriteBatch batch;
  batch.DeleteRange(family(kRetained), EncodeBigEndian64(0), EncodeBigEndian64(last_dropped + 1));
  batch.Put(meta(), kRetainedFromSeqKey, EncodeBigEndian64(floor));
  const uint64_t kept = retained_count_ - std::min(retained_count_, dropped);
  batch.Put(meta(), kRetainedCountKey, EncodeBigEndian64(kept));
  batch.Put(meta(), kRetainedBytesKey, EncodeBigEndian64(bytes));
  // Not synced: a prune lost in a power cut is done again.
  TONGHOP_RETURN_IF_ERROR(Write(&batch, /*sync=*/false, "cannot drop retained figures from the outbox"));
  retained_from_seq_ = floor;
  retained_count_ = kept;
  retained_bytes_ = bytes;
  oldest_retained_at_ms_ = retained_count_ == 0 ? 0 : oldest_kept_ms;
  if (pruned != nullptr) *pruned = dropped;
  return Status::OK();
}

Status Outbox::ReadOldestRetainedAt(int64_t* out) const {
  *out = 0;
  std::unique_ptr<rocksdb::Iterator> it(db_->get()->NewIterator({}, family(kRetained)));
  it->SeekToFirst();
  tonghop::storage::v1::RetainedUpdate retained;
  if (it->Valid() && retained.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
    *out = retained.settled_at_ms();
  }
  return FromRocksDb(it->status(), fmt::format("cannot read the outbox at {}", path_));
}

std::vector<std::string> Outbox::FilesWithSeqs(uint64_t first_seq, uint64_t last_seq, size_t max) const {
  std::vector<std::string> names;
  std::unique_ptr<rocksdb::Iterator> it(db_->get()->NewIterator({}, family(kFiles)));
  for (it->SeekToFirst(); it->Valid() && names.size() < max; it->Next()) {
    tonghop::storage::v1::IngestedFile file;
    if (file.ParseFromArray(it->value().data(), static_cast<int>(it->value().size())) && file.figures() > 0 &&
        file.first_seq() <= last_seq && first_seq < file.first_seq() + file.figures()) {
      names.push_back(file.name());
    }
  }
  return names;
}

int64_t Outbox::PendingSinceMs() {
  if (pending_count_ == 0) {
    appended_ms_.clear();
    return 0;
  }
  // The Append that holds the first pending seq is the last one that starts at or before it.
  auto holding = appended_ms_.upper_bound(FirstPendingSeq());
  if (holding == appended_ms_.begin()) return 0;
  --holding;
  appended_ms_.erase(appended_ms_.begin(), holding);
  return holding->second;
}

std::optional<tonghop::storage::v1::IngestedFile> Outbox::FindFile(const std::string& name) const {
  std::string value;
  if (!db_->get()->Get({}, family(kFiles), name, &value).ok()) return std::nullopt;
  tonghop::storage::v1::IngestedFile file;
  if (!file.ParseFromString(value)) return std::nullopt;
  return file;
}

bool Outbox::IsPending(uint64_t seq) const {
  std::string value;
  return db_->get()->Get({}, family(kPending), EncodeBigEndian64(seq), &value).ok();
}

std::optional<tonghop::storage::v1::RejectedUpdate> Outbox::FindRejected(uint64_t seq) const {
  std::string value;
  if (!db_->get()->Get({}, family(kRejected), EncodeBigEndian64(seq), &value).ok()) return std::nullopt;
  tonghop::storage::v1::RejectedUpdate record;
  if (!ParseQuietly(value, &record)) return std::nullopt;
  return record;
}

Status Outbox::SaveCatalog(const tonghop::v1::CatalogFiles& catalog) {
  TONGHOP_RETURN_IF_ERROR(Recover());
  rocksdb::WriteBatch batch;
  batch.Put(meta(), kCatalogKey, catalog.SerializeAsString());
  return Write(&batch, /*sync=*/true, "saving the aggregator's catalog");
}

std::optional<tonghop::v1::CatalogFiles> Outbox::LoadCatalog() const {
  std::string value;
  if (!db_->get()->Get({}, meta(), kCatalogKey, &value).ok()) return std::nullopt;
  tonghop::v1::CatalogFiles catalog;
  if (!ParseQuietly(value, &catalog)) return std::nullopt;
  return catalog;
}

}  // namespace tonghop
