// Fuzz target: a QueryRequest as the aggregator's query thread reads it from an office client
// (aggregator/query_service.h), answered from a snapshot of a small database: values, history
// (of a unit and of the province), status, and export pages, with the page token taken as sent
// (its resume key is bytes a client chose).
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <memory>

#include "aggregator/ingest_store.h"
#include "aggregator/snapshot_queries.h"
#include "core/catalog.h"
#include "core/testing/temp_dir.h"
#include "tonghop/v1/query.pb.h"

namespace {

// A database with a few figures, revisions and a rejection, opened once per process.
struct Fixture {
  Fixture() {
    if (!tonghop::Catalog::LoadFromDirectory(std::string(TONGHOP_SOURCE_DIR) + "/tests/testdata/catalog", &catalog).ok() ||
        !tonghop::IngestStore::Open(dir.path(), tonghop::Durability::kWal, &store).ok()) {
      std::abort();
    }
    tonghop::IngestStore::Batch batch = store->NewBatch();
    uint64_t seq = 0;
    for (const char* period : {"2017-01", "2017-02", "2017-Q1", "2016-Q1"}) {
      for (const char* unit : {"north", "south", "capital"}) {
        for (const char* indicator : {"agri.area.total", "agri.area.rice", "agri.herd.pigs"}) {
          tonghop::storage::v1::UnitValue value;
          value.set_value_micros(static_cast<int64_t>(++seq) * 1'000'000);
          batch.PutValue(indicator, period, unit, value);
          tonghop::storage::v1::AuditRecord audit;
          audit.set_indicator(indicator);
          audit.set_period(period);
          audit.set_reporting_unit(unit);
          audit.set_value_micros(value.value_micros());
          if (seq % 7 == 0) audit.set_rejected(tonghop::v1::REJECT_REASON_INVALID_VALUE);
          batch.PutAudit(seq, audit);
        }
      }
    }
    tonghop::v1::AggregateUpdate version;
    version.set_indicator("agri.area.total");
    version.set_period("2017-Q1");
    batch.PutAggregate(version);
    if (!store->Commit(&batch).ok()) std::abort();
  }
  tonghop::testing::TempDir dir;
  tonghop::Catalog catalog;
  std::unique_ptr<tonghop::IngestStore> store;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture fixture;  // its folder is removed at exit
  tonghop::v1::QueryRequest request;
  if (!request.ParseFromArray(data, static_cast<int>(size))) return 0;
  std::unique_ptr<tonghop::IngestStore::ReadView> view;
  if (!fixture.store->NewReadView(&view).ok()) std::abort();
  tonghop::SnapshotQueries queries(&fixture.catalog, view.get());
  switch (request.body_case()) {
    case tonghop::v1::QueryRequest::kValues: queries.Values(request.values()); break;
    case tonghop::v1::QueryRequest::kHistory: queries.History(request.history(), 50); break;
    case tonghop::v1::QueryRequest::kStatus: queries.PeriodStatus(request.status(), 1'500'000'000'000); break;
    case tonghop::v1::QueryRequest::kExportFigures: {
      const tonghop::v1::ExportRequest& page = request.export_figures();
      if (!tonghop::SnapshotQueries::CheckExport(page).empty()) break;
      const std::string& token = page.page_token();
      const std::string resume = token.size() >= 8 ? token.substr(8) : std::string();
      tonghop::v1::ExportReply reply;
      std::string next;
      (void)queries.ExportPage(page, resume, std::clamp<size_t>(page.max_figures(), 1, 100), &reply, &next);
      break;
    }
    default: break;
  }
  return 0;
}
