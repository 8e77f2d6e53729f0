#include "collector/outbox.h"

#include <set>

#include <fmt/format.h>
#include <rocksdb/write_batch.h>

#include "core/rocksdb_util.h"

namespace tonghop {
namespace {

constexpr char kIdKey[] = "outbox_id";
constexpr char kNextSeqKey[] = "next_seq";

}  // namespace

Status Outbox::Open(const std::string& path, std::unique_ptr<Outbox>* out) {
  std::unique_ptr<Outbox> box(new Outbox());
  box->path_ = path;
  TONGHOP_RETURN_IF_ERROR(OpenRocksDb(path, {"pending", "rejected", "files"}, &box->db_, &box->handles_)
                              .WithContext("cannot open the outbox"));
  rocksdb::DB* db = box->db_.get();
  box->meta_ = db->DefaultColumnFamily();
  box->pending_ = box->handles_[0];
  box->rejected_ = box->handles_[1];
  box->files_ = box->handles_[2];

  std::string value;
  rocksdb::Status s = db->Get({}, box->meta_, kIdKey, &value);
  if (s.IsNotFound()) {
    box->id_ = RandomNonZeroId();
    rocksdb::WriteBatch batch;
    batch.Put(box->meta_, kIdKey, EncodeBigEndian64(box->id_));
    batch.Put(box->meta_, kNextSeqKey, EncodeBigEndian64(1));
    TONGHOP_RETURN_IF_ERROR(box->Write(&batch, true, "cannot create the outbox"));
  } else if (!s.ok() || !DecodeBigEndian64(value, &box->id_) || box->id_ == 0) {
    return Status::Corruption(fmt::format(
        "outbox {} has no valid outbox_id ({}); move the folder aside and restart to start a new "
        "outbox (its pending figures must then be submitted again)", path, s.ToString()));
  }
  s = db->Get({}, box->meta_, kNextSeqKey, &value);
  if (!s.ok() || !DecodeBigEndian64(value, &box->next_seq_) || box->next_seq_ == 0) {
    return Status::Corruption(fmt::format("outbox {} has no valid next_seq ({})", path, s.ToString()));
  }

  for (auto [cf, count] : {std::pair{box->pending_, &box->pending_count_},
                           std::pair{box->rejected_, &box->rejected_count_}}) {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator({}, cf));
    for (it->SeekToFirst(); it->Valid(); it->Next()) ++*count;
    TONGHOP_RETURN_IF_ERROR(FromRocksDb(it->status(), fmt::format("cannot read the outbox at {}", path)));
  }
  *out = std::move(box);
  return Status::OK();
}

Outbox::~Outbox() {
  if (!db_) return;
  for (auto* handle : handles_) db_->DestroyColumnFamilyHandle(handle);
  db_->Close();
}

Status Outbox::Write(rocksdb::WriteBatch* batch, bool sync, const char* what) {
  if (needs_resume_) {
    // Succeeds once the cause (usually a full disk) is gone; if not, the write below says why.
    if (db_->Resume().ok()) needs_resume_ = false;
  }
  rocksdb::WriteOptions options;
  options.sync = sync;
  rocksdb::Status s = db_->Write(options, batch);
  if (!s.ok()) {
    needs_resume_ = true;
    return FromRocksDb(s, fmt::format("{} (outbox {}; if the disk is full, free space there)", what, path_));
  }
  return Status::OK();
}

Status Outbox::Append(std::vector<tonghop::v1::IndicatorUpdate>* figures,
                      tonghop::storage::v1::IngestedFile* file) {
  rocksdb::WriteBatch batch;
  uint64_t seq = next_seq_;
  std::string bytes;
  for (auto& figure : *figures) {
    figure.set_seq(seq);
    figure.SerializeToString(&bytes);
    batch.Put(pending_, EncodeBigEndian64(seq), bytes);
    ++seq;
  }
  batch.Put(meta_, kNextSeqKey, EncodeBigEndian64(seq));
  if (file != nullptr) {
    file->set_first_seq(next_seq_);
    file->set_figures(static_cast<uint32_t>(figures->size()));
    batch.Put(files_, file->name(), file->SerializeAsString());
  }
  Status s = Write(&batch, /*sync=*/true, "cannot store figures in the outbox");
  if (!s.ok()) {
    for (auto& figure : *figures) figure.set_seq(0);
    return s;
  }
  pending_count_ += figures->size();
  next_seq_ = seq;
  return Status::OK();
}

Status Outbox::Settle(const std::vector<uint64_t>& acked, const std::vector<Rejection>& rejected,
                      int64_t now_ms, std::vector<tonghop::storage::v1::RejectedUpdate>* moved) {
  rocksdb::WriteBatch batch;
  std::set<uint64_t> settled;
  std::vector<tonghop::storage::v1::RejectedUpdate> records;
  std::string value;
  // A seq is settled at most once: the first reply about it wins.
  auto take = [&](uint64_t seq) -> bool {
    if (settled.contains(seq)) return false;
    rocksdb::Status s = db_->Get({}, pending_, EncodeBigEndian64(seq), &value);
    if (!s.ok()) return false;
    settled.insert(seq);
    batch.Delete(pending_, EncodeBigEndian64(seq));
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
    batch.Put(rejected_, EncodeBigEndian64(r.seq), record.SerializeAsString());
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

Status Outbox::ReadPending(uint64_t from_seq, size_t max,
                          std::vector<tonghop::v1::IndicatorUpdate>* out) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}, pending_));
  size_t read = 0;
  for (it->Seek(EncodeBigEndian64(from_seq)); it->Valid() && read < max; it->Next(), ++read) {
    tonghop::v1::IndicatorUpdate update;
    if (!update.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      uint64_t seq = 0;
      DecodeBigEndian64(it->key().ToStringView(), &seq);
      return Status::Corruption(fmt::format("outbox {}: pending update {} is unreadable", path_, seq));
    }
    out->push_back(std::move(update));
  }
  return FromRocksDb(it->status(), fmt::format("cannot read the outbox at {}", path_));
}

uint64_t Outbox::FirstPendingSeq() const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}, pending_));
  it->SeekToFirst();
  uint64_t seq = 0;
  if (it->Valid() && DecodeBigEndian64(it->key().ToStringView(), &seq)) return seq;
  return next_seq_;
}

std::optional<tonghop::storage::v1::IngestedFile> Outbox::FindFile(const std::string& name) const {
  std::string value;
  if (!db_->Get({}, files_, name, &value).ok()) return std::nullopt;
  tonghop::storage::v1::IngestedFile file;
  if (!file.ParseFromString(value)) return std::nullopt;
  return file;
}

}  // namespace tonghop
