// SnapshotQueries: the answers of the query link (docs/PROTOCOL.md, "Query link"), read from one
// consistent view of the aggregator's database (IngestStore::ReadView), never from the memory the
// ingest thread changes:
//  - aggregate versions as stored in the `aggregates` family (what was last published);
//  - each unit's value of a period, reported or derived, from the `values` family by the rule of
//    aggregator/unit_values.h, the one ProvinceState applies;
//  - histories through the audit log's history index: a unit's figure reads only its own records;
//    the province value over time replays, through a scratch ProvinceState with the catalog's
//    rules, only the records of the indicator (and of the indicator its average is weighted by)
//    for the periods within the one asked about, which are all that value reads;
//  - the sums of the comparable groups of a period and of the same span a year earlier, from the
//    same unit values (ValuesRequest.by_group);
//  - export pages (ExportRequest): the unit values of a period, or the stored figures of a range
//    of periods, from a resume point to a bounded page.
// Answers are identical to those computed from ProvinceState for the same data
// (snapshot_queries_test.cc checks it on random data). A request that cannot be answered gets a
// reply whose `error` says why.
// Thread-compatible: an object per answer, on the thread that owns the view; the catalog is
// immutable.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "aggregator/ingest_store.h"
#include "aggregator/unit_values.h"
#include "core/catalog.h"
#include "core/status.h"
#include "tonghop/v1/query.pb.h"

namespace tonghop {

class SnapshotQueries {
 public:
  SnapshotQueries(const Catalog* catalog, const IngestStore::ReadView* view) : catalog_(catalog), view_(view) {}

  tonghop::v1::QueryReply Values(const tonghop::v1::ValuesRequest& request) const;
  // At most `max_revisions` revisions, the latest; earlier_omitted counts the others.
  tonghop::v1::QueryReply History(const tonghop::v1::HistoryRequest& request, size_t max_revisions) const;
  // The completeness matrix, and the reason of each total of the period partial because of the
  // level below (AggregateUpdate.partial_reason).
  tonghop::v1::QueryReply PeriodStatus(const tonghop::v1::StatusRequest& request, int64_t now_ms) const;

  // "" when `request` names figures that can be exported, else what is wrong with it.
  static std::string CheckExport(const tonghop::v1::ExportRequest& request);
  // The page of checked `request` that starts at `resume` ("" for the first): at most
  // `max_figures` figures, read from at most a bounded number of records. *next is where the next
  // page starts, "" after the last. InvalidArgument when `resume` is not one this class made.
  Status ExportPage(const tonghop::v1::ExportRequest& request, std::string_view resume, size_t max_figures,
                    tonghop::v1::ExportReply* reply, std::string* next) const;

 private:
  // Every unit's value of (indicator, period), from the view's figures.
  Status ValuesOfUnits(const Indicator& indicator, const Period& period, UnitValues* out) const;
  // The GroupFigures of a sum `indicator` for `period` (query.proto), added to `values`.
  Status AddGroupFigures(const Indicator& indicator, const Period& period, tonghop::v1::ValuesReply* values) const;
  tonghop::v1::QueryReply ProvinceHistory(const Indicator& indicator, const Period& period, size_t max_revisions) const;
  Status ExportStored(const tonghop::v1::ExportRequest& request, std::string_view resume, size_t max_figures,
                      tonghop::v1::ExportReply* reply, std::string* next) const;
  Status ExportUnitValues(const tonghop::v1::ExportRequest& request, std::string_view resume, size_t max_figures,
                          tonghop::v1::ExportReply* reply, std::string* next) const;

  const Catalog* catalog_;
  const IngestStore::ReadView* view_;
};

}  // namespace tonghop
