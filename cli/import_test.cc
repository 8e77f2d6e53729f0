#include "cli/import.h"

#include <atomic>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <zmq.hpp>

#include "collector/test_aggregator.h"
#include "core/csv.h"
#include "core/testing/status_matchers.h"
#include "core/testing/temp_dir.h"

namespace tonghop::cli {
namespace {

using tonghop::v1::UpdateBatch;
using tonghop::v1::UpdateReplies;

// The aggregator's ingest side, played in a thread of its own: it says the sender's key is
// `sender_key`, hands each batch to `answer` (which returns the replies to send, or nothing) and
// records every update it received.
class FakeIngest {
 public:
  FakeIngest(std::string sender_key, std::function<std::optional<UpdateReplies>(const UpdateBatch&)> answer,
             const std::string& endpoint = "tcp://127.0.0.1:*")
      : aggregator_(context_, endpoint), answer_(std::move(answer)) {
    aggregator_.sender_key = std::move(sender_key);
    endpoint_ = aggregator_.endpoint();
    thread_ = std::thread([this] {
      while (!stop_) {
        auto batch = aggregator_.NextBatch(50);
        if (!batch) continue;
        for (const auto& u : batch->updates()) received_.push_back(u);
        if (auto replies = answer_(*batch)) aggregator_.Reply(*replies);
      }
    });
  }
  ~FakeIngest() {
    stop_ = true;
    thread_.join();
  }
  const std::string& endpoint() const { return endpoint_; }
  // Read once the import has returned.
  const std::vector<tonghop::v1::IndicatorUpdate>& received() const { return received_; }

 private:
  zmq::context_t context_{1};
  testing::TestAggregator aggregator_;
  std::function<std::optional<UpdateReplies>(const UpdateBatch&)> answer_;
  std::string endpoint_;
  std::atomic<bool> stop_{false};
  std::vector<tonghop::v1::IndicatorUpdate> received_;
  std::thread thread_;
};

UpdateReplies AckAll(const UpdateBatch& batch) {
  UpdateReplies replies;
  replies.set_outbox_id(batch.outbox_id());
  for (const auto& u : batch.updates()) replies.add_acks()->set_seq(u.seq());
  return replies;
}

struct Verdict {
  std::string line, unit, verdict, reason, text;
};

std::vector<Verdict> ReadVerdicts(const std::string& path) {
  std::vector<Verdict> verdicts;
  static constexpr std::array<const char*, 5> kColumns = {"line", "reporting_unit", "verdict", "reason", "text"};
  Status s = ReadCsvFile<5>(path, kColumns, {"line", "verdict"}, [&](const CsvRow<5>& row) {
    verdicts.push_back({row.cells[0], row.cells[1], row.cells[2], row.cells[3], row.cells[4]});
    return Status::OK();
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return verdicts;
}

class ImportTest : public ::testing::Test {
 protected:
  ImportOptions Options(const std::string& file, const std::string& endpoint) {
    ImportOptions options;
    options.file = dir_.Sub(file);
    options.ingest_endpoints = {endpoint};
    options.state_dir = dir_.Sub("state");
    options.catalog_dir = TONGHOP_SOURCE_DIR "/deploy/lang-son";
    options.lang = "en";
    options.timeout_ms = 10'000;
    options.security.plaintext_for_development = true;
    return options;
  }
  // Runs the import with stdout and stderr captured.
  Status Run(const ImportOptions& options, std::string* out = nullptr) {
    ::testing::internal::CaptureStdout();
    ::testing::internal::CaptureStderr();
    Status s = RunImport(options);
    const std::string printed = ::testing::internal::GetCapturedStdout() + ::testing::internal::GetCapturedStderr();
    if (out) *out = printed;
    return s;
  }

  testing::TempDir dir_;
};

// A mixed file of 3 rows of Cao Lộc, 1 of Bắc Sơn and 3 more of Cao Lộc, sent with Cao Lộc's key.
// The old import sent all seven: the aggregator refused Bắc Sơn's row without using up its seq,
// every row after it was then out of sequence, and only the first three were stored.
TEST_F(ImportTest, AUnitsKeySendsOnlyItsRowsAndTheOthersNeverTakeASeq) {
  dir_.Write("mixed.csv",
             "dataelement,period,orgunit,value\n"
             "agri.sown_area.total,2017-Q1,cao-loc,1\n"
             "agri.sown_area.rice_spring,2017-Q1,cao-loc,2\n"
             "agri.sown_area.maize_spring,2017-Q1,cao-loc,3\n"
             "agri.sown_area.total,2017-Q1,bac-son,4\n"
             "agri.sown_area.tobacco,2017-Q1,cao-loc,5\n"
             "agri.herd.pigs,2017-Q1,cao-loc,6\n"
             "agri.herd.cattle,2017-Q1,cao-loc,7\n");
  FakeIngest aggregator("collector:cao-loc", [](const UpdateBatch& batch) { return AckAll(batch); });
  std::string out;
  Status s = Run(Options("mixed.csv", aggregator.endpoint()), &out);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString() << out;
  EXPECT_NE(out.find("mixed.csv: 7 rows: 6 stored, 0 duplicate, 0 refused, 1 not sent"), std::string::npos) << out;
  ASSERT_EQ(aggregator.received().size(), 6u);
  for (size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(aggregator.received()[i].seq(), i + 1);
    EXPECT_EQ(aggregator.received()[i].reporting_unit(), "cao-loc");
  }
  auto verdicts = ReadVerdicts(dir_.Sub("mixed.csv.verdicts.csv"));
  ASSERT_EQ(verdicts.size(), 7u);
  EXPECT_EQ(verdicts[0].verdict, "stored");
  EXPECT_EQ(verdicts[3].line, "5");
  EXPECT_EQ(verdicts[3].verdict, "not_sent");
  EXPECT_EQ(verdicts[3].reason, "OTHER_UNIT");
  EXPECT_NE(verdicts[3].text.find("unit 'bac-son' (Bắc Sơn) is not 'cao-loc' (Cao Lộc), the unit this key reports for"),
            std::string::npos)
      << verdicts[3].text;
  EXPECT_EQ(verdicts[6].verdict, "stored");
}

// An office key sends every unit's rows; a refusal is the row's alone, and running the same
// command again resumes the import: nothing is sent twice, and the verdicts are the same.
TEST_F(ImportTest, AnOfficeKeySendsEveryRowAndARunAgainResumes) {
  dir_.Write("2016.json", R"({"dataValues": [
      {"dataElement": "agri.sown_area.total", "period": "2016Q1", "orgUnit": "cao-loc", "value": "2310.5"},
      {"dataElement": "agri.bogus", "period": "2016Q1", "orgUnit": "bac-son", "value": "1"},
      {"dataElement": "agri.sown_area.total", "period": "2016Q1", "orgUnit": "bac-son", "value": 17.25},
      {"dataElement": "agri.sown_area.total", "period": "2016-Q5", "orgUnit": "loc-binh", "value": "1"}]})");
  int batches = 0;
  FakeIngest aggregator("office:office-1", [&](const UpdateBatch& batch) {
    ++batches;
    UpdateReplies replies = AckAll(batch);
    replies.clear_acks();
    for (const auto& u : batch.updates()) {
      if (u.indicator() == "agri.bogus") {
        auto* reject = replies.add_rejects();
        reject->set_seq(u.seq());
        reject->set_reason(tonghop::v1::REJECT_REASON_UNKNOWN_INDICATOR);
        reject->set_text("field 'indicator': unknown indicator 'agri.bogus'");
      } else {
        replies.add_acks()->set_seq(u.seq());
      }
    }
    return replies;
  });
  ImportOptions options = Options("2016.json", aggregator.endpoint());
  std::string out;
  Status s = Run(options, &out);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString() << out;
  EXPECT_NE(out.find("2016.json: 4 rows: 2 stored, 0 duplicate, 1 refused, 1 not sent"), std::string::npos) << out;
  EXPECT_NE(out.find("2016.json:2: field 'indicator': unknown indicator 'agri.bogus'"), std::string::npos) << out;
  EXPECT_NE(out.find("2016.json:4: field 'period': period '2016-Q5'"), std::string::npos) << out;
  ASSERT_EQ(aggregator.received().size(), 3u);
  EXPECT_EQ(aggregator.received()[2].value(), 17.25);
  const auto first = ReadVerdicts(dir_.Sub("2016.json.verdicts.csv"));
  ASSERT_EQ(first.size(), 4u);
  EXPECT_EQ(first[1].verdict, "refused");
  EXPECT_EQ(first[1].reason, "UNKNOWN_INDICATOR");
  EXPECT_EQ(first[3].verdict, "not_sent");
  EXPECT_EQ(first[3].reason, "INVALID");

  const int before = batches;
  s = Run(options, &out);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString() << out;
  EXPECT_EQ(batches, before) << "nothing is sent again";
  EXPECT_EQ(aggregator.received().size(), 3u);
  const auto again = ReadVerdicts(dir_.Sub("2016.json.verdicts.csv"));
  ASSERT_EQ(again.size(), 4u);
  EXPECT_EQ(again[0].verdict, "stored");
  EXPECT_EQ(again[0].text, "stored by an earlier run of this import");
  EXPECT_EQ(again[1].verdict, "refused");
  EXPECT_EQ(again[1].text, "field 'indicator': unknown indicator 'agri.bogus'");
}

// Go-back-N through the collector's Sender: a batch lost in transit is answered out of sequence
// and resent; an aggregator that cannot store is waited for.
TEST_F(ImportTest, LostBatchesAreResentAndUnavailableIsWaitedFor) {
  std::string csv = "dataelement;period;orgunit;value\n";
  for (int i = 0; i < 250; ++i) csv += fmt::format("agri.i{};2017-Q1;cao-loc;{},5\n", i, i);
  dir_.Write("many.csv", csv);
  int batches = 0;
  uint64_t expected = 1;
  FakeIngest aggregator("", [&](const UpdateBatch& batch) -> std::optional<UpdateReplies> {
    ++batches;
    if (batches == 1) return std::nullopt;  // lost: no answer at all
    UpdateReplies replies;
    replies.set_outbox_id(batch.outbox_id());
    for (const auto& u : batch.updates()) {
      auto* reject = replies.add_rejects();
      reject->set_seq(u.seq());
      if (batches == 2) {
        reject->set_reason(tonghop::v1::REJECT_REASON_UNAVAILABLE);
        reject->set_text("the aggregator cannot store updates now: disk full");
      } else if (u.seq() > expected) {
        reject->set_reason(tonghop::v1::REJECT_REASON_OUT_OF_SEQUENCE);
        reject->set_expected_seq(expected);
      } else {
        replies.mutable_rejects()->RemoveLast();
        replies.add_acks()->set_seq(u.seq());
        if (u.seq() == expected) ++expected;
      }
    }
    return replies;
  });
  ImportOptions options = Options("many.csv", aggregator.endpoint());
  options.ack_timeout_ms = 300;
  std::string out;
  Status s = Run(options, &out);
  ASSERT_TRUE(s.ok()) << s.ToString() << out;
  EXPECT_NE(out.find("many.csv: 250 rows: 250 stored"), std::string::npos) << out;
  EXPECT_EQ(expected, 251u);
  EXPECT_EQ(aggregator.received().back().value(), 249.5) << "a ';' file's decimal commas";
}

TEST_F(ImportTest, NoAnswerSaysWhatToCheckAndKeepsTheFigures) {
  dir_.Write("one.csv", "dataelement,period,orgunit,value\nagri.herd.pigs,2017-Q1,cao-loc,1\n");
  zmq::context_t context(1);
  testing::TestAggregator silent(context);  // bound, never read
  ImportOptions options = Options("one.csv", silent.endpoint());
  options.timeout_ms = 500;
  options.lang = "vi";
  std::string out;
  Status s = Run(options, &out);
  EXPECT_TRUE(s.IsUnavailable()) << s.ToString();
  EXPECT_NE(s.message().find("máy chủ tổng hợp ở " + silent.endpoint() + " không trả lời"), std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("chạy lại đúng lệnh này để gửi tiếp"), std::string::npos) << s.message();
}

// A pair's aggregators each get every figure, as a collector's do, and the import is done once
// both hold them. Before, it sent to the first only, and B never had the imported figures.
TEST_F(ImportTest, EachOfAPairGetsEveryFigure) {
  dir_.Write("pair.csv",
             "dataelement,period,orgunit,value\n"
             "agri.sown_area.total,2017-Q1,cao-loc,1\n"
             "agri.herd.pigs,2017-Q1,cao-loc,2\n"
             "agri.herd.cattle,2017-Q1,cao-loc,3\n");
  FakeIngest a("office:office", [](const UpdateBatch& batch) { return AckAll(batch); });
  FakeIngest b("office:office", [](const UpdateBatch& batch) { return AckAll(batch); });
  ImportOptions options = Options("pair.csv", a.endpoint());
  options.ingest_endpoints.push_back(b.endpoint());
  std::string out;
  Status s = Run(options, &out);
  ASSERT_TRUE(s.ok()) << s.ToString() << out;
  EXPECT_NE(out.find("pair.csv: 3 rows: 3 stored"), std::string::npos) << out;
  for (const FakeIngest* aggregator : {&a, &b}) {
    ASSERT_EQ(aggregator->received().size(), 3u) << aggregator->endpoint();
    for (size_t i = 0; i < 3; ++i) EXPECT_EQ(aggregator->received()[i].seq(), i + 1);
  }
}

// With B silent, A takes every figure, the import names B and stops; run again once B is back, it
// sends B what it lacks and nothing to A. The order the pair is given in does not matter.
TEST_F(ImportTest, AnAggregatorOfAPairThatDoesNotAnswerIsNamedAndARunAgainCatchesItUp) {
  dir_.Write("pair.csv",
             "dataelement,period,orgunit,value\n"
             "agri.sown_area.total,2017-Q1,cao-loc,1\n"
             "agri.herd.pigs,2017-Q1,cao-loc,2\n");
  FakeIngest a("office:office", [](const UpdateBatch& batch) { return AckAll(batch); });
  std::string b_endpoint;
  {
    zmq::context_t context(1);
    testing::TestAggregator silent(context);  // bound, never read
    b_endpoint = silent.endpoint();
    ImportOptions options = Options("pair.csv", a.endpoint());
    options.ingest_endpoints.push_back(b_endpoint);
    options.timeout_ms = 1'500;
    std::string out;
    Status s = Run(options, &out);
    EXPECT_TRUE(s.IsUnavailable()) << s.ToString() << out;
    EXPECT_NE(s.message().find("no answer from the aggregator at " + b_endpoint), std::string::npos) << s.message();
    EXPECT_EQ(s.message().find(a.endpoint()), std::string::npos) << s.message();
    EXPECT_NE(s.message().find("2 figures wait"), std::string::npos) << s.message();
    EXPECT_EQ(a.received().size(), 2u);
  }
  FakeIngest b("office:office", [](const UpdateBatch& batch) { return AckAll(batch); }, b_endpoint);
  ImportOptions options = Options("pair.csv", b_endpoint);
  options.ingest_endpoints.push_back(a.endpoint());
  std::string out;
  Status s = Run(options, &out);
  ASSERT_TRUE(s.ok()) << s.ToString() << out;
  ASSERT_EQ(b.received().size(), 2u);
  EXPECT_EQ(b.received()[0].seq(), 1u);
  EXPECT_EQ(a.received().size(), 2u) << "A had them all: nothing is sent to it again";
}

TEST_F(ImportTest, AnEndpointGivenTwiceIsRefusedBeforeAnythingIsSent) {
  dir_.Write("one.csv", "dataelement,period,orgunit,value\nagri.herd.pigs,2017-Q1,cao-loc,1\n");
  FakeIngest a("office:office", [](const UpdateBatch& batch) { return AckAll(batch); });
  ImportOptions options = Options("one.csv", a.endpoint());
  options.ingest_endpoints.push_back(a.endpoint());
  Status s = Run(options);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.message().find("--ingest_endpoint " + a.endpoint() + " is given twice"), std::string::npos)
      << s.message();
  EXPECT_TRUE(a.received().empty());
}

}  // namespace
}  // namespace tonghop::cli
