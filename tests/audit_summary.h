// What an aggregator's audit log says about delivery, for system tests that must prove each
// update was applied exactly once. Read after the aggregator has stopped (RocksDB lock).
#pragma once

#include <cstddef>
#include <string>

#include "core/status.h"

namespace tonghop::testing {

struct AuditSummary {
  size_t records = 0;           // audit records, applied or rejected
  size_t distinct_updates = 0;  // distinct (outbox_id, seq) among them: records when none was applied twice
  size_t rejected = 0;
  std::string first_rejection;  // the text of the first rejected record, for failure messages
};

Status SummarizeAudit(const std::string& aggregator_data_dir, AuditSummary* out);

}  // namespace tonghop::testing
