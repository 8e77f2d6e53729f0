#include "tests/audit_summary.h"

#include <memory>
#include <set>
#include <utility>

#include "aggregator/ingest_store.h"

namespace tonghop::testing {

Status SummarizeAudit(const std::string& aggregator_data_dir, AuditSummary* out) {
  std::unique_ptr<IngestStore> store;
  TONGHOP_RETURN_IF_ERROR(IngestStore::Open(aggregator_data_dir, Durability::kWal, &store));
  std::set<std::pair<uint64_t, uint64_t>> updates;
  *out = AuditSummary();
  std::unique_ptr<IngestStore::ReadView> view;
  TONGHOP_RETURN_IF_ERROR(store->NewReadView(&view));
  TONGHOP_RETURN_IF_ERROR(view->ReadAudit([&](uint64_t, const tonghop::storage::v1::AuditRecord& r) {
    ++out->records;
    if (r.rejected() != tonghop::v1::REJECT_REASON_UNSPECIFIED && out->rejected++ == 0) {
      out->first_rejection = r.reject_text();
    }
    updates.emplace(r.outbox_id(), r.seq());
  }));
  out->distinct_updates = updates.size();
  return Status::OK();
}

}  // namespace tonghop::testing
