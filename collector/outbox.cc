#include "collector/outbox.h"

#include <set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <rocksdb/write_batch.h>

#include "core/rocksdb_util.h"
#include "core/transport.h"
#include "core/wire_protocol.h"

namespace tonghop {
namespace {

constexpr char kIdKey[] = "outbox_id";
constexpr char kNextSeqKey[] = "next_seq";
// A district's outbox holds minutes of figures, not gigabytes: a 1 MB write buffer per family
// (RocksDB's default is 64 MB) keeps a collector on a small machine under 20 MB resident
// (docs/PERFORMANCE.md).
constexpr size_t kMemtableBytes = 1 << 20;

// What collector-status shows of a record set aside.
std::string Summary(const tonghop::storage::v1::UnreadableRecord& record) {
  return fmt::format("seq {}: {}", record.seq(), record.reason());
}

}  // namespace

Status Outbox::Open(const std::string& path, std::unique_ptr<Outbox>* out) {
  std::unique_ptr<Outbox> box(new Outbox());
  box->path_ = path;
  TONGHOP_RETURN_IF_ERROR(
      RocksDb::Open(path, {"pending", "rejected", "files", "unreadable"}, &box->db_, kMemtableBytes).WithContext("cannot open the outbox"));
  std::string value;
  rocksdb::Status s = box->db_->get()->Get({}, box->meta(), kIdKey, &value);
  if (s.IsNotFound()) {
    rocksdb::WriteBatch batch;
    batch.Put(box->meta(), kIdKey, EncodeBigEndian64(RandomNonZeroId()));
    batch.Put(box->meta(), kNextSeqKey, EncodeBigEndian64(1));
    TONGHOP_RETURN_IF_ERROR(box->Write(&batch, true, "cannot create the outbox"));
  }
  TONGHOP_RETURN_IF_ERROR(box->LoadState());
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
  std::string bytes;
  for (auto& figure : *figures) {
    figure.set_seq(seq);
    figure.SerializeToString(&bytes);
    batch.Put(family(kPending), EncodeBigEndian64(seq), bytes);
    ++seq;
  }
  batch.Put(meta(), kNextSeqKey, EncodeBigEndian64(seq));
  if (file != nullptr) {
    file->set_first_seq(next_seq_);
    file->set_figures(static_cast<uint32_t>(figures->size()));
    batch.Put(family(kFiles), file->name(), file->SerializeAsString());
  }
  Status s = Write(&batch, /*sync=*/true, "cannot store figures in the outbox");
  if (!s.ok()) {
    for (auto& figure : *figures) figure.set_seq(0);
    return s;
  }
  pending_count_ += figures->size();
  if (!figures->empty()) appended_ms_.emplace(next_seq_, NowMs());
  next_seq_ = seq;
  return Status::OK();
}

Status Outbox::Settle(const std::vector<uint64_t>& acked, const std::vector<Rejection>& rejected,
                      int64_t now_ms, std::vector<tonghop::storage::v1::RejectedUpdate>* moved) {
  TONGHOP_RETURN_IF_ERROR(Recover());
  rocksdb::WriteBatch batch;
  std::set<uint64_t> settled;
  std::vector<tonghop::storage::v1::RejectedUpdate> records;
  std::string value;
  // A seq is settled at most once: the first reply about it wins.
  auto take = [&](uint64_t seq) -> bool {
    if (settled.contains(seq)) return false;
    rocksdb::Status s = db_->get()->Get({}, family(kPending), EncodeBigEndian64(seq), &value);
    if (!s.ok()) return false;
    settled.insert(seq);
    batch.Delete(family(kPending), EncodeBigEndian64(seq));
    return true;
  };
  for (uint64_t seq : acked) take(seq);
  for (const Rejection& r : rejected) {
    if (!take(r.seq)) continue;
    tonghop::storage::v1::RejectedUpdate record;
    if (!record.mutable_update()->ParseFromString(value)) record.mutable_update()->set_seq(r.seq);
    record.set_reason(r.reason);
    record.set_text(r.text);
    record.set_rejected_at_ms(now_ms);
    batch.Put(family(kRejected), EncodeBigEndian64(r.seq), record.SerializeAsString());
    records.push_back(std::move(record));
  }
  if (settled.empty()) return Status::OK();
  TONGHOP_RETURN_IF_ERROR(Write(&batch, /*sync=*/!records.empty(), "cannot update the outbox"));
  pending_count_ -= settled.size();
  rejected_count_ += records.size();
  if (moved != nullptr) {
    for (auto& r : records) moved->push_back(std::move(r));
  }
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

}  // namespace tonghop
