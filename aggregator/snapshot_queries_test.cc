// The query answers read from a database snapshot against those of the aggregator's in-memory
// state for the same data: a random province's worth of figures, corrections and rejections is
// applied to a ProvinceState and written to an IngestStore the way the aggregator does both, and
// every answer must be identical to the one computed the way the query link computed it before
// it moved off the ingest thread (from ProvinceState, and histories by a full scan of the log).
#include "aggregator/snapshot_queries.h"

#include <gtest/gtest.h>

#include <random>

#include "aggregator/completeness.h"
#include "aggregator/province_state.h"
#include "core/testing/status_matchers.h"
#include "core/testing/temp_dir.h"
#include "core/wire_protocol.h"

namespace tonghop {
namespace {

const std::string kTestData = std::string(TONGHOP_SOURCE_DIR) + "/tests/testdata";
constexpr int64_t kMsPerDay = 86'400'000;

bool Within(const Period& inner, const Period& outer) {
  return inner.year() == outer.year() && inner.first_month() >= outer.first_month() &&
         inner.last_month() <= outer.last_month();
}

// The revision of an audit record, by the one conversion there is (core/wire_protocol.h).
tonghop::v1::FigureRevision Revision(const tonghop::storage::v1::AuditRecord& record) {
  tonghop::v1::FigureRevision revision;
  EXPECT_OK(AuditRevision(record, &revision));
  return revision;
}

// The answers as the query link gave them from the aggregator's memory and a full scan of its
// audit log, before this change (the code of aggregator/query_service.cc then, unchanged).
class InMemoryAnswers {
 public:
  InMemoryAnswers(const Catalog* catalog, const ProvinceState* state, const IngestStore::ReadView* view)
      : catalog_(catalog), state_(state), view_(view) {}

  tonghop::v1::QueryReply Values(const tonghop::v1::ValuesRequest& request) const {
    Period period;
    EXPECT_OK(Period::Parse(request.period(), &period));
    const std::string canonical = period.ToString();
    tonghop::v1::QueryReply reply;
    auto* values = reply.mutable_values();
    for (const auto& [key, version] : state_->table().entries()) {
      if (key.second == canonical && key.first.starts_with(request.indicator_prefix())) *values->add_aggregates() = version;
    }
    if (!request.by_unit()) return reply;
    for (const Indicator& indicator : catalog_->indicators()) {
      if (!indicator.id.starts_with(request.indicator_prefix())) continue;
      for (const std::string& unit : indicator.reporting_units) {
        auto value = state_->ValueOfUnit(indicator, period, unit);
        if (!value) continue;
        auto* figure = values->add_figures();
        figure->set_reporting_unit(unit);
        figure->set_indicator(indicator.id);
        figure->set_period(canonical);
        SetValue(value->value, figure);
        figure->set_derived(value->derived);
        figure->set_complete(value->complete);
        figure->set_applied_at_ms(value->last_applied_ms);
      }
    }
    return reply;
  }

  tonghop::v1::QueryReply History(const tonghop::v1::HistoryRequest& request) const {
    const Indicator* indicator = catalog_->FindIndicator(request.indicator());
    Period period;
    EXPECT_OK(Period::Parse(request.period(), &period));
    tonghop::v1::QueryReply reply;
    auto* history = reply.mutable_history();
    const std::string canonical = period.ToString();
    ProvinceState replay(catalog_);
    std::optional<tonghop::v1::AggregateUpdate> last;
    EXPECT_OK(view_->ReadAudit([&](uint64_t, const tonghop::storage::v1::AuditRecord& record) {
      if (record.indicator() != indicator->id && record.indicator() != indicator->weight_indicator) return;
      Period record_period;
      if (!Period::Parse(record.period(), &record_period).ok()) return;
      if (!request.reporting_unit().empty()) {
        if (record.indicator() == indicator->id && record.reporting_unit() == request.reporting_unit() &&
            record_period.ToString() == canonical) {
          *history->add_figures() = Revision(record);
        }
        return;
      }
      if (record.rejected() != tonghop::v1::REJECT_REASON_UNSPECIFIED) return;
      const Indicator* recorded = catalog_->FindIndicator(record.indicator());
      replay.SetUnitValue(*recorded, record_period, record.reporting_unit(), Decimal::FromMicros(record.value_micros()),
                          record.applied_at_ms());
      if (!Within(record_period, period)) return;
      tonghop::v1::AggregateUpdate now = replay.Compute(indicator->id, canonical);
      if (last && last->value_decimal() == now.value_decimal() && last->units_reported() == now.units_reported()) return;
      auto* revision = history->add_province();
      SetValue(*ValueOf(now), revision);
      revision->set_units_reported(now.units_reported());
      // The catalog's units for the period, also before the first figure that makes a value.
      revision->set_units_expected(static_cast<uint32_t>(catalog_->ExpectedUnits(*indicator, period).size()));
      revision->set_partial(now.partial());
      revision->set_at_ms(record.applied_at_ms());
      *revision->mutable_cause() = Revision(record);
      last = std::move(now);
    }));
    return reply;
  }

  tonghop::v1::QueryReply PeriodStatus(const tonghop::v1::StatusRequest& request, int64_t now_ms) const {
    Period period;
    EXPECT_OK(Period::Parse(request.period(), &period));
    tonghop::v1::QueryReply reply;
    auto* status = reply.mutable_status();
    status->set_period(period.ToString());
    status->set_now_ms(now_ms);
    std::map<std::pair<std::string, std::string>, tonghop::v1::StatusCell> cells;
    for (const Indicator& indicator : catalog_->indicators()) {
      const std::vector<Period> due = DuePeriodsWithin(indicator, period);
      for (const std::string& unit : indicator.reporting_units) {
        auto& cell = cells[{unit, indicator.sector}];
        cell.set_reporting_unit(unit);
        cell.set_sector(indicator.sector);
        if (due.empty()) {
          auto value = state_->ValueOfUnit(indicator, period, unit);
          if (value && value->complete) cell.set_reported_not_due(cell.reported_not_due() + 1);
          continue;
        }
        std::vector<std::optional<UnitValue>> values;
        std::vector<const UnitValue*> pointers;
        for (const Period& p : due) values.push_back(state_->ValueOfUnit(indicator, p, unit));
        for (const auto& value : values) pointers.push_back(value ? &*value : nullptr);
        const UnitTimeliness judged = JudgeUnit(indicator, due, pointers, now_ms);
        cell.set_expected(cell.expected() + 1);
        if (judged.reported) cell.set_reported(cell.reported() + 1);
        if (judged.late) cell.set_late(cell.late() + 1);
        if (judged.overdue) cell.set_overdue(cell.overdue() + 1);
      }
    }
    for (const ReportingUnit& unit : catalog_->units()) {
      for (auto& [key, cell] : cells) {
        if (key.first == unit.code) *status->add_cells() = cell;
      }
    }
    return reply;
  }

 private:
  const Catalog* catalog_;
  const ProvinceState* state_;
  const IngestStore::ReadView* view_;
};

class SnapshotQueriesTest : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    ASSERT_OK(Catalog::LoadFromDirectory(kTestData + "/" + GetParam(), &catalog_));
    ASSERT_OK(IngestStore::Open(dir_.path(), Durability::kWal, &store_));
  }

  // Applies `count` random updates in bursts as the aggregator does: each figure to the state and
  // the store, a rejection to the audit log only, then the burst's new aggregate versions.
  void ApplyRandomUpdates(int count, uint32_t seed) {
    std::mt19937 random(seed);
    const std::vector<std::string> periods = {"2016-01", "2016-02", "2016-03", "2016-04", "2016-Q1", "2016-Q2",
                                              "2017-01", "2017-02", "2017-03", "2017-05", "2017-Q1", "2017-Q2",
                                              "2017-Q3", "2017-12"};
    const auto& indicators = catalog_.indicators();
    for (int done = 0; done < count;) {
      IngestStore::Batch batch = store_->NewBatch();
      for (int i = 0; i < 50 && done < count; ++i, ++done) {
        const Indicator& indicator = indicators[random() % indicators.size()];
        Period period;
        ASSERT_OK(Period::Parse(periods[random() % periods.size()], &period));
        if ((indicator.period_types & PeriodTypeBit(period.type())) == 0) continue;
        const std::string& unit = indicator.reporting_units[random() % indicator.reporting_units.size()];
        const Decimal value = Decimal::FromMicros(static_cast<int64_t>(random() % 2000) * 250'000);
        // Spread over the year, so that some figures are late against their deadlines.
        const int64_t applied_at = 1'451'606'400'000 + static_cast<int64_t>(random() % 800) * kMsPerDay;
        tonghop::storage::v1::AuditRecord audit;
        audit.set_reporting_unit(unit);
        audit.set_indicator(indicator.id);
        audit.set_period(period.ToString());
        audit.set_node_id("collector-" + unit);
        audit.set_seq(counters_.audit_seq + 1);
        audit.set_applied_at_ms(applied_at);
        if (random() % 10 == 0) {
          audit.set_rejected(tonghop::v1::REJECT_REASON_INVALID_VALUE);
          audit.set_reject_text("field 'value': made up");
        } else {
          std::optional<Decimal> previous = state_.SetUnitValue(indicator, period, unit, value, applied_at);
          tonghop::storage::v1::UnitValue stored;
          SetStoredValue(value, &stored);
          stored.set_applied_at_ms(applied_at);
          batch.PutValue(indicator.id, period.ToString(), unit, stored);
          if (previous) SetAuditPreviousValue(*previous, &audit);
          SetAuditValue(value, &audit);
        }
        batch.PutAudit(++counters_.audit_seq, audit);
      }
      for (const auto& version : state_.Flush(&counters_.aggregate_seq, 1'500'000'000'000 + done)) {
        batch.PutAggregate(version);
      }
      batch.PutCounters(counters_);
      ASSERT_OK(store_->Commit(&batch));
    }
  }

  testing::TempDir dir_;
  Catalog catalog_;
  ProvinceState state_{&catalog_};
  std::unique_ptr<IngestStore> store_;
  IngestStore::Counters counters_;
};

INSTANTIATE_TEST_SUITE_P(Catalogs, SnapshotQueriesTest, ::testing::Values("catalog", "statistics-catalog"));

const std::vector<std::string> kAskedPeriods = {"2016", "2016-H1", "2016-Q1", "2016-02", "2016-Q3", "2017",
                                                "2017-H1", "2017-H2", "2017-Q1", "2017-03", "2017-Q3", "2018"};

TEST_P(SnapshotQueriesTest, AnswersAreThoseOfTheInMemoryStateOnRandomData) {
  ASSERT_NO_FATAL_FAILURE(ApplyRandomUpdates(3'000, 41));
  std::unique_ptr<IngestStore::ReadView> view;
  ASSERT_OK(store_->NewReadView(&view));
  SnapshotQueries queries(&catalog_, view.get());
  InMemoryAnswers expected(&catalog_, &state_, view.get());
  size_t figures = 0, revisions = 0;
  for (const std::string& period : kAskedPeriods) {
    for (const char* prefix : {"", "a", "agri.area.", "wage", "x"}) {
      for (bool by_unit : {false, true}) {
        tonghop::v1::ValuesRequest request;
        request.set_period(period);
        request.set_indicator_prefix(prefix);
        request.set_by_unit(by_unit);
        const auto answer = queries.Values(request);
        EXPECT_EQ(answer.DebugString(), expected.Values(request).DebugString()) << period << " " << prefix;
        figures += answer.values().figures_size();
      }
    }
    tonghop::v1::StatusRequest status;
    status.set_period(period);
    EXPECT_EQ(queries.PeriodStatus(status, 1'500'000'000'000).DebugString(),
              expected.PeriodStatus(status, 1'500'000'000'000).DebugString()) << period;
    for (const Indicator& indicator : catalog_.indicators()) {
      tonghop::v1::HistoryRequest history;
      history.set_indicator(indicator.id);
      history.set_period(period);
      const auto province = queries.History(history, SIZE_MAX);
      EXPECT_EQ(province.DebugString(), expected.History(history).DebugString()) << indicator.id << " " << period;
      revisions += province.history().province_size();
      for (const std::string& unit : indicator.reporting_units) {
        history.set_reporting_unit(unit);
        EXPECT_EQ(queries.History(history, SIZE_MAX).DebugString(), expected.History(history).DebugString())
            << indicator.id << " " << period << " " << unit;
      }
    }
  }
  // The data set exercises what it compares.
  EXPECT_GT(figures, 150u);
  EXPECT_GT(revisions, 150u) << revisions;
}

// A history longer than the reply may hold: its latest revisions, and how many it leaves out.
TEST_P(SnapshotQueriesTest, ALongHistoryListsItsLatestRevisionsAndCountsTheOthers) {
  ASSERT_NO_FATAL_FAILURE(ApplyRandomUpdates(3'000, 47));
  std::unique_ptr<IngestStore::ReadView> view;
  ASSERT_OK(store_->NewReadView(&view));
  SnapshotQueries queries(&catalog_, view.get());
  const Indicator& indicator = catalog_.indicators().front();
  tonghop::v1::HistoryRequest request;
  request.set_indicator(indicator.id);
  request.set_period("2017-Q1");
  for (const std::string unit : {std::string(), indicator.reporting_units.front()}) {
    request.set_reporting_unit(unit);
    const tonghop::v1::HistoryReply whole = queries.History(request, SIZE_MAX).history();
    const int total = unit.empty() ? whole.province_size() : whole.figures_size();
    ASSERT_GE(total, 2) << unit;
    const int kept = total / 2;
    const tonghop::v1::HistoryReply latest = queries.History(request, kept).history();
    EXPECT_EQ(whole.earlier_omitted(), 0u);
    EXPECT_EQ(latest.earlier_omitted(), static_cast<uint64_t>(total - kept));
    ASSERT_EQ(unit.empty() ? latest.province_size() : latest.figures_size(), kept);
    for (int i = 0; i < kept; ++i) {
      if (unit.empty()) {
        EXPECT_EQ(latest.province(i).DebugString(), whole.province(total - kept + i).DebugString());
      } else {
        EXPECT_EQ(latest.figures(i).DebugString(), whole.figures(total - kept + i).DebugString());
      }
    }
  }
}

TEST_P(SnapshotQueriesTest, BadRequestsGetAnErrorNamingWhatIsWrong) {
  std::unique_ptr<IngestStore::ReadView> view;
  ASSERT_OK(store_->NewReadView(&view));
  SnapshotQueries queries(&catalog_, view.get());
  tonghop::v1::HistoryRequest history;
  history.set_indicator("agri.nope");
  history.set_period("2017-Q1");
  EXPECT_NE(queries.History(history, SIZE_MAX).error().find("unknown indicator 'agri.nope'"), std::string::npos);
  history.set_indicator(catalog_.indicators().front().id);
  history.set_reporting_unit("atlantis");
  EXPECT_NE(queries.History(history, SIZE_MAX).error().find("unknown reporting unit 'atlantis'"), std::string::npos);
  tonghop::v1::ValuesRequest values;
  values.set_period("2017-Q5");
  EXPECT_NE(queries.Values(values).error().find("period '2017-Q5'"), std::string::npos);
  tonghop::v1::ExportRequest export_request;
  EXPECT_NE(SnapshotQueries::CheckExport(export_request).find("field 'period' is empty"), std::string::npos);
  export_request.set_stored(true);
  EXPECT_EQ(SnapshotQueries::CheckExport(export_request), "");
  export_request.set_period("2017-13");
  EXPECT_NE(SnapshotQueries::CheckExport(export_request).find("field 'period'"), std::string::npos);
}

// Export pages of any size, put together, are the unit values ValuesRequest gives, or every
// stored figure of the periods within the range, each once.
TEST_P(SnapshotQueriesTest, ExportPagesTogetherAreTheWholeAnswerEachFigureOnce) {
  ASSERT_NO_FATAL_FAILURE(ApplyRandomUpdates(2'000, 43));
  std::unique_ptr<IngestStore::ReadView> view;
  ASSERT_OK(store_->NewReadView(&view));
  SnapshotQueries queries(&catalog_, view.get());
  auto pages = [&](const tonghop::v1::ExportRequest& request, size_t page_figures) {
    std::vector<std::string> figures;
    std::string resume;
    for (int page = 0; page < 100'000; ++page) {
      tonghop::v1::ExportReply reply;
      std::string next;
      EXPECT_OK(queries.ExportPage(request, resume, page_figures, &reply, &next));
      EXPECT_LE(static_cast<size_t>(reply.figures_size()), page_figures);
      for (const auto& f : reply.figures()) figures.push_back(f.DebugString());
      if (next.empty()) return figures;
      resume = next;
    }
    ADD_FAILURE() << "the export did not end";
    return figures;
  };
  for (const std::string& period : kAskedPeriods) {
    tonghop::v1::ValuesRequest values;
    values.set_period(period);
    values.set_by_unit(true);
    std::vector<std::string> whole;
    const tonghop::v1::QueryReply reply = queries.Values(values);
    for (const auto& f : reply.values().figures()) whole.push_back(f.DebugString());
    tonghop::v1::ExportRequest request;
    request.set_period(period);
    for (size_t page_figures : {1, 7, 1000}) EXPECT_EQ(pages(request, page_figures), whole) << period << " " << page_figures;
  }
  std::vector<std::string> stored_2017, stored_all;
  ASSERT_OK(store_->Load({[&](const std::string& indicator, const std::string& period, const std::string& unit,
                              const tonghop::storage::v1::UnitValue& value) {
                            tonghop::v1::UnitFigure f;
                            f.set_reporting_unit(unit);
                            f.set_indicator(indicator);
                            f.set_period(period);
                            SetValue(Decimal::FromMicros(value.value_micros()), &f);
                            f.set_complete(true);
                            f.set_applied_at_ms(value.applied_at_ms());
                            stored_all.push_back(f.DebugString());
                            if (period.starts_with("2017")) stored_2017.push_back(f.DebugString());
                          },
                          [](uint64_t, const tonghop::storage::v1::OutboxPosition&) {},
                          [](const tonghop::v1::AggregateUpdate&) {}},
                         &counters_));
  tonghop::v1::ExportRequest request;
  request.set_stored(true);
  for (size_t page_figures : {1, 7, 1000}) EXPECT_EQ(pages(request, page_figures), stored_all) << page_figures;
  request.set_period("2017");
  for (size_t page_figures : {1, 7, 1000}) EXPECT_EQ(pages(request, page_figures), stored_2017) << page_figures;
  EXPECT_GT(stored_2017.size(), 50u);
  EXPECT_LT(stored_2017.size(), stored_all.size());
}

}  // namespace
}  // namespace tonghop
