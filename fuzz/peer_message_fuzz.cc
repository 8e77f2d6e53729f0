// Fuzz target: every other protobuf message a node reads from a socket. The first byte chooses
// the message, the rest is its frame:
//   0 SnapshotRequest   (a CloneServer: aggregator, publisher) -> filter check and matching
//   1 SnapshotReply     (a CloneReplica: publisher, watch)     -> applied, then shown as watch does
//   2 AggregateUpdate   (a CloneReplica, from the PUB feed)    -> the same
//   3 AggregatorMessage (a collector's Sender)                 -> its rejects' reasons named
//   4 LocalRequest      (a collector's local API)              -> the figure check
#include <cstdint>

#include "cli/aggregate_json.h"
#include "cli/watch_view.h"
#include "collector/figure_check.h"
#include "core/aggregate_table.h"
#include "core/topics.h"
#include "tonghop/v1/local.pb.h"
#include "tonghop/v1/tonghop.pb.h"

namespace {

void Show(const tonghop::AggregateTable& table) {
  // A catalog that lists nothing the peer names: the Vietnamese texts are said, with codes.
  static const tonghop::Catalog kEmptyCatalog;
  tonghop::cli::FormatAggregateTable(table, nullptr, {});
  tonghop::cli::AggregatesToJson(table, table.max_seq(), &kEmptyCatalog);
  for (const auto& [key, update] : table.entries()) {
    tonghop::cli::ValueCell(update);
    tonghop::cli::PlanCell(update);
    tonghop::cli::YoyCell(update);
    tonghop::cli::UnitsCell(update);
    tonghop::cli::DisplayWidth(update.indicator());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t kind = data[0];
  const void* body = data + 1;
  const int body_size = static_cast<int>(size - 1);
  switch (kind) {
    case 0: {
      tonghop::v1::SnapshotRequest request;
      if (!request.ParseFromArray(body, body_size)) return 0;
      if (!tonghop::ValidateFilter(request.filter()).empty()) return 0;
      tonghop::v1::AggregateUpdate update;
      update.set_indicator("agri.sown_area.total");
      update.set_period("2017-Q1");
      tonghop::FilterMatches(request.filter(), update);
      return 0;
    }
    case 1: {
      tonghop::v1::SnapshotReply reply;
      if (!reply.ParseFromArray(body, body_size)) return 0;
      tonghop::AggregateTable table;
      for (const auto& update : reply.aggregates()) {
        table.Apply(update);
        tonghop::IndicatorTopic(update);
        tonghop::PeriodTopic(update);
      }
      Show(table);
      return 0;
    }
    case 2: {
      tonghop::v1::AggregateUpdate update;
      if (!update.ParseFromArray(body, body_size)) return 0;
      tonghop::AggregateTable table;
      table.Apply(update);
      tonghop::FilterMatches("i/agri.", update);
      Show(table);
      return 0;
    }
    case 3: {
      tonghop::v1::AggregatorMessage message;
      if (!message.ParseFromArray(body, body_size)) return 0;
      // The Sender logs a reject's reason by name; an unknown enum value has none.
      for (const auto& reject : message.replies().rejects()) tonghop::v1::RejectReason_Name(reject.reason());
      return 0;
    }
    case 4: {
      tonghop::v1::LocalRequest request;
      if (!request.ParseFromArray(body, body_size)) return 0;
      for (const auto& figure : request.submit().figures()) {
        tonghop::v1::IndicatorUpdate copy = figure;
        tonghop::CheckFigure("cao-loc", tonghop::Language::kVietnamese, &copy);
      }
      return 0;
    }
    default:
      return 0;
  }
}
