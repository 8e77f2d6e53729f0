#include "collector/relay_memory.h"

#include <algorithm>

#include <rocksdb/iterator.h>
#include <rocksdb/write_batch.h>
#include <spdlog/spdlog.h>

#include "core/rocksdb_util.h"
#include "core/wire_protocol.h"

namespace tonghop {
namespace {

constexpr char kThroughSeqKey[] = "through_seq";
constexpr char kAggregatePrefix[] = "a/";
constexpr size_t kReadChunk = 1000;

// What the level above sees of a relayed figure.
bool SameForTheLevelAbove(const tonghop::v1::IndicatorUpdate& a, const tonghop::v1::IndicatorUpdate& b) {
  return a.value_decimal() == b.value_decimal() && a.partial() == b.partial() &&
         a.units_reported() == b.units_reported() && a.units_expected() == b.units_expected() &&
         a.partial_reason() == b.partial_reason();
}

}  // namespace

std::string RelayMemory::KeyOf(const tonghop::v1::IndicatorUpdate& figure) {
  std::string key = kAggregatePrefix;
  key += figure.indicator();
  key += '\0';
  key += figure.period();
  return key;
}

Status RelayMemory::Open(const std::string& path, Outbox* outbox, std::unique_ptr<RelayMemory>* out) {
  std::unique_ptr<RelayMemory> memory(new RelayMemory());
  TONGHOP_RETURN_IF_ERROR(RocksDb::Open(path, {}, &memory->db_).WithContext("cannot open the relay's memory"));
  rocksdb::DB* db = memory->db_->get();
  std::string value;
  rocksdb::Status s = db->Get({}, kThroughSeqKey, &value);
  if (s.ok()) {
    if (!DecodeBigEndian64(value, &memory->through_seq_)) {
      return Status::Corruption("the relay's memory has a through_seq that is not 8 bytes; remove " + path +
                                " to rebuild it from the outbox");
    }
  } else if (!s.IsNotFound()) {
    return FromRocksDb(s, "cannot read the relay's memory");
  }
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator({}));
  for (it->Seek(kAggregatePrefix); it->Valid() && it->key().starts_with(kAggregatePrefix); it->Next()) {
    tonghop::v1::IndicatorUpdate figure;
    if (!ParseQuietly(std::string_view(it->value().data(), it->value().size()), &figure)) {
      return Status::Corruption("the relay's memory has a record that does not parse; remove " + path +
                                " to rebuild it from the outbox");
    }
    memory->last_[it->key().ToString()] = std::move(figure);
  }
  TONGHOP_RETURN_IF_ERROR(FromRocksDb(it->status(), "cannot read the relay's memory"));
  TONGHOP_RETURN_IF_ERROR(memory->CatchUp(outbox));
  *out = std::move(memory);
  return Status::OK();
}

Status RelayMemory::CatchUp(Outbox* outbox) {
  const uint64_t until = outbox->next_seq();
  if (through_seq_ + 1 >= until) return Status::OK();
  std::vector<tonghop::v1::IndicatorUpdate> figures;
  for (uint64_t from = through_seq_ + 1; from < until;) {
    std::vector<tonghop::v1::IndicatorUpdate> chunk;
    const uint64_t chunk_until = std::min(until, from + kReadChunk);
    TONGHOP_RETURN_IF_ERROR(outbox->ReadSettled(from, chunk_until, kReadChunk, &chunk));
    TONGHOP_RETURN_IF_ERROR(outbox->ReadPending(from, kReadChunk, &chunk));
    for (auto& figure : chunk) {
      if (figure.seq() < chunk_until) figures.push_back(std::move(figure));
    }
    from = chunk_until;
  }
  std::sort(figures.begin(), figures.end(), [](const auto& a, const auto& b) { return a.seq() < b.seq(); });
  // Placeholders of records no longer readable or retained have no aggregate.
  std::erase_if(figures, [](const auto& figure) { return figure.indicator().empty(); });
  spdlog::info("relay memory: {} figure(s) of outbox seqs {}..{} were enqueued after it last recorded; folded in",
               figures.size(), through_seq_ + 1, until - 1);
  through_seq_ = until - 1;
  return Record(figures);
}

bool RelayMemory::Changed(const tonghop::v1::IndicatorUpdate& figure) const {
  auto it = last_.find(KeyOf(figure));
  return it == last_.end() || !SameForTheLevelAbove(it->second, figure);
}

Status RelayMemory::Record(const std::vector<tonghop::v1::IndicatorUpdate>& figures) {
  rocksdb::WriteBatch batch;
  for (const auto& figure : figures) {
    through_seq_ = std::max(through_seq_, figure.seq());
    const std::string key = KeyOf(figure);
    batch.Put(key, figure.SerializeAsString());
    last_[key] = figure;
  }
  batch.Put(kThroughSeqKey, EncodeBigEndian64(through_seq_));
  return db_->Write(rocksdb::WriteOptions(), &batch, "cannot record what the relay enqueued");
}

}  // namespace tonghop
