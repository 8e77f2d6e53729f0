// Three levels (issue 16): the units of two provinces, the two provinces, and the nation. Lạng Sơn
// runs the reference quarter; Cao Bằng, a small catalog with sample figures. At the national
// aggregator (the same binary, a catalog whose units are provinces) each province is a collector
// started as a relay of its province's publisher (--relay_publish_endpoint). Relays, a province
// aggregator and the national aggregator are SIGKILLed mid-stream; the national totals stay exact
// and each relayed update is applied once (issue 16).
#include <chrono>
#include <filesystem>
#include <map>
#include <thread>

#include <gtest/gtest.h>

#include "core/clock.h"
#include "core/csv.h"
#include "core/curve_keys.h"
#include "core/decimal.h"
#include "core/testing/status_matchers.h"
#include "core/transport.h"
#include "tests/audit_summary.h"
#include "tests/reference_quarter.h"

namespace tonghop::testing {
namespace {

constexpr char kArea[] = "agri.sown_area.total";
constexpr char kExams[] = "health.examinations";
constexpr int kTimeoutMs = 120'000;

// A catalog of `units` (code, kind) all reporting kArea and kExams, summed.
void WriteCatalog(const TempDir& dir, const std::vector<std::pair<std::string, std::string>>& units,
                  const std::string& kind) {
  std::string units_csv = "code,name_vi,kind\n";
  for (const auto& [code, name] : units) units_csv += code + "," + name + "," + kind + "\n";
  dir.Write("units.csv", units_csv);
  dir.Write("indicators.csv",
            "id,sector,name_vi,unit,reported_by,space_agg,time_agg,period_type\n"
            "agri.sown_area.total,agriculture,Tổng diện tích gieo trồng,ha," + kind + ",sum,sum,month|quarter\n"
            "health.examinations,health,Số lượt khám bệnh,lượt," + kind + ",sum,sum,month|quarter\n");
  dir.Write("plans.csv", "indicator,year,plan\n");
  dir.Write("baselines.csv", "indicator,period,value\n");
  dir.Write("years.csv", "first_year,last_year\n2016,next_year\n");
}

Decimal ValueIn(const nlohmann::json& state, const std::string& indicator) {
  const nlohmann::json* a = FindAggregate(state, indicator, "2017-Q1");
  Decimal d;
  if (a == nullptr || !Decimal::Parse((*a)["value"].dump(), &d).ok()) return Decimal::FromMicros(-1);
  return d;
}

class NationalRelayTest : public ReferenceQuarterTest {
 protected:
  void SetUp() override {
    WriteCatalog(cao_bang_catalog_, {{"bao-lac", "Bảo Lạc"}, {"ha-quang", "Hà Quảng"}}, "district");
    WriteCatalog(national_catalog_, {{"lang-son", "Lạng Sơn"}, {"cao-bang", "Cao Bằng"}}, "province");
  }

  Status StartRelay(MiniProvince& province, const std::string& code) {
    return nation_.StartCollector(code, {.extra_flags = {"--relay_publish_endpoint", province.PublisherPublishEndpoint(),
                                                         "--relay_snapshot_endpoint",
                                                         province.PublisherSnapshotEndpoint()}});
  }

  // The national aggregator's revisions of `unit`'s figure of `indicator` for 2017-Q1.
  nlohmann::json NationalHistory(const std::string& unit, const std::string& indicator) {
    std::string out, err;
    const int code = nation_.RunCli({"history", "--unit", unit, "--indicator", indicator, "--period", "2017-Q1",
                                     "--json", "--aggregator", nation_.QueryEndpoint()},
                                    &out, &err);
    EXPECT_EQ(code, 0) << err;
    return nlohmann::json::parse(out, nullptr, false)["figures"];
  }

  // The sum of Lạng Sơn's scenario figures of `indicator` for 2017-Q1: its province total.
  Decimal ScenarioSum(const std::string& indicator) {
    Decimal sum;
    for (const auto& [unit, path] : ScenarioFiles()) {
      EXPECT_OK(ReadCsvFile<3>(path, {"indicator", "period", "value"}, {"indicator", "period", "value"},
                               [&](const CsvRow<3>& row) {
                                 Decimal value;
                                 if (row.cells[0] != indicator || row.cells[1] != "2017-Q1") return Status::OK();
                                 TONGHOP_RETURN_IF_ERROR(Decimal::Parse(row.cells[2], &value));
                                 sum += value;
                                 return Status::OK();
                               }));
    }
    return sum;
  }

  // (indicator, period) -> value
  using Totals = std::map<std::pair<std::string, std::string>, Decimal>;

  // Waits until the nation's totals, every one, are `expected` (of quarters) and the half and year
  // the nation derives from them.
  void ExpectNationalTotals(const Totals& expected) {
    auto totals_of = [](const nlohmann::json& state) {
      Totals shown;
      for (const auto& a : state["aggregates"]) {
        Decimal value;
        if (!Decimal::Parse(a["value"].dump(), &value).ok()) value = Decimal::FromMicros(-1);
        shown[{a["indicator"], a["period"]}] = value;
      }
      return shown;
    };
    Totals with_derived = expected;
    for (const auto& [key, value] : expected) {
      const auto& [indicator, quarter] = key;  // "2017-Q1"
      with_derived[{indicator, quarter.substr(0, 4)}] += value;
      with_derived[{indicator, quarter.substr(0, 4) + (quarter.back() <= '2' ? "-H1" : "-H2")}] += value;
    }
    nlohmann::json nation;
    Status s = nation_.WaitForWatch([&](const nlohmann::json& state) { return totals_of(state) == with_derived; },
                                    kTimeoutMs, &nation);
    ASSERT_TRUE(s.ok()) << s.ToString() << "\n" << nation.dump(1) << "\n" << nation_.LogTail("aggregator") << "\n"
                        << nation_.LogTail("collector-lang-son");
  }

  // The national aggregator and publisher, and Cao Bằng's province with its two collectors.
  void StartNationAndCaoBang() {
    ASSERT_OK(nation_.StartAggregator());
    ASSERT_OK(nation_.StartPublisher());
    ASSERT_OK(cao_bang_.StartAggregator());
    ASSERT_OK(cao_bang_.StartPublisher());
    ASSERT_OK(cao_bang_.StartCollector("bao-lac"));
    ASSERT_OK(cao_bang_.StartCollector("ha-quang"));
  }

  TempDir cao_bang_catalog_, national_catalog_;
  MiniProvince cao_bang_{dir_.Sub("cao-bang"), cao_bang_catalog_.path()};
  MiniProvince nation_{dir_.Sub("nation"), national_catalog_.path()};
};

TEST_F(NationalRelayTest, TheNationIsExactAndHasEachUpdateOnceThroughRelaysAndAggregatorsKilledMidStream) {
  ASSERT_NO_FATAL_FAILURE(StartNationAndCaoBang());
  StartProvince();
  ASSERT_OK(StartRelay(province_, "lang-son"));
  ASSERT_OK(StartRelay(cao_bang_, "cao-bang"));

  // Cao Bằng: both districts report the area, only Bảo Lạc the examinations.
  ASSERT_OK(cao_bang_.DropText("bao-lac", "q1.csv",
                               "indicator,period,value\nagri.sown_area.total,2017-Q1,1200.25\n"
                               "health.examinations,2017-Q1,8000\n"));
  ASSERT_OK(cao_bang_.DropText("ha-quang", "q1.csv", "indicator,period,value\nagri.sown_area.total,2017-Q1,900.5\n"));
  // Lạng Sơn's quarter flows in a slice of its files at a time. After each slice one node is
  // SIGKILLed while the slice is on its way, and restarted: the relay, Lạng Sơn's aggregator, the
  // national aggregator, the relay again; never two at once.
  const std::vector<std::pair<MiniProvince*, std::string>> kills = {{&nation_, "collector-lang-son"},
                                                                    {&province_, "aggregator"},
                                                                    {&nation_, "aggregator"},
                                                                    {&nation_, "collector-lang-son"}};
  const std::vector<std::pair<std::string, std::string>> files = ScenarioFiles();
  const size_t slice = files.size() / (kills.size() + 1);
  for (size_t i = 0, killed = 0; i < files.size(); ++i) {
    ASSERT_OK(province_.Drop(files[i].first, files[i].second));
    if ((i + 1) % slice != 0 || killed == kills.size()) continue;
    auto& [level, node] = kills[killed++];
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    ASSERT_OK(level->Kill(node));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    ASSERT_OK(level->Restart(node));
  }
  WaitForCompleteQuarter(kTimeoutMs);

  // Every national total is what the figures sum to: Lạng Sơn's scenario and Cao Bằng's files.
  const Decimal lang_son_area = ScenarioSum(kArea), lang_son_exams = ScenarioSum(kExams);
  Totals expected = {{{kArea, "2017-Q1"}, lang_son_area + Decimal::FromMicros(2'100'750'000)},
                     {{kExams, "2017-Q1"}, lang_son_exams + Decimal::FromUnits(8000)}};
  ASSERT_NO_FATAL_FAILURE(ExpectNationalTotals(expected));

  // Nothing doubled: each revision of Lạng Sơn's national figure is a new value. Its districts'
  // figures are all positive, so the province total only grew while they came in.
  const nlohmann::json history = NationalHistory("lang-son", kArea);
  ASSERT_GE(history.size(), 1u) << history.dump(1);
  Decimal previous;
  for (const auto& revision : history) {
    Decimal value;
    ASSERT_OK(Decimal::Parse(revision["value"].dump(), &value));
    EXPECT_TRUE(previous < value) << "a revision that is no change:\n" << history.dump(1);
    previous = value;
  }
  EXPECT_EQ(previous, lang_son_area);

  // A correction at a unit reaches the national total once: one new revision.
  std::string out, err;
  ASSERT_EQ(province_.RunCli({"submit", "--collector", province_.CollectorApiEndpoint("cao-loc"), "--indicator", kArea,
                              "--period", "2017-Q1", "--value", "2315.5", "--wait_ms", "60000"},
                             &out, &err), 0) << out << err;
  const Decimal correction = Decimal::FromMicros(1'500'000);
  expected[{kArea, "2017-Q1"}] += correction;
  ASSERT_NO_FATAL_FAILURE(ExpectNationalTotals(expected));
  std::this_thread::sleep_for(std::chrono::seconds(2));  // time for a second revision, were there one
  const nlohmann::json corrected = NationalHistory("lang-son", kArea);
  ASSERT_EQ(corrected.size(), history.size() + 1) << corrected.dump(1);
  EXPECT_EQ(corrected.back()["value"].dump(), (lang_son_area + correction).ToString());

  // The national aggregator's audit log holds each update the relays enqueued exactly once: as
  // many records as the two outboxes hold figures, all of them distinct, none refused.
  size_t enqueued = 0;
  for (const char* relay : {"lang-son", "cao-bang"}) {
    std::map<std::string, std::string> status;
    for (int64_t deadline = MonotonicMs() + kTimeoutMs; MonotonicMs() < deadline;) {
      if ((status = nation_.CollectorStatus(relay))["pending"] == "0") break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ASSERT_EQ(status["pending"], "0") << relay << "\n" << nation_.LogTail("collector-" + std::string(relay));
    enqueued += std::stoul(status["next_seq"]) - 1;
  }
  ASSERT_OK(nation_.TerminateAll());
  AuditSummary audit;
  ASSERT_OK(SummarizeAudit(nation_.AggregatorDataDir(), &audit));
  EXPECT_EQ(audit.rejected, 0u) << audit.first_rejection;
  EXPECT_EQ(audit.distinct_updates, enqueued);
  EXPECT_EQ(audit.records, enqueued);
}

TEST_F(NationalRelayTest, AProvinceLeftPartialMakesTheNationPartialWithTheReason) {
  ASSERT_NO_FATAL_FAILURE(StartNationAndCaoBang());
  ASSERT_OK(StartRelay(cao_bang_, "cao-bang"));
  ASSERT_OK(cao_bang_.DropText("bao-lac", "q1.csv", "indicator,period,value\nhealth.examinations,2017-Q1,8000\n"));

  nlohmann::json nation;
  Status s = nation_.WaitForWatch(
      [&](const nlohmann::json& state) {
        const nlohmann::json* exams = FindAggregate(state, kExams, "2017-Q1");
        return exams != nullptr && (*exams)["value"].dump() == "8000";
      },
      kTimeoutMs, &nation);
  ASSERT_TRUE(s.ok()) << s.ToString() << nation.dump(1) << nation_.LogTail("collector-cao-bang");
  const nlohmann::json& exams = *FindAggregate(nation, kExams, "2017-Q1");
  EXPECT_EQ(exams["partial"], true);
  EXPECT_EQ(exams["units_reported"], 0);  // Cao Bằng's figure is there, but not complete; Lạng Sơn's is missing
  EXPECT_EQ(exams["units_expected"], 2);
  EXPECT_EQ(exams["partial_reason"], "cao-bang: 1 of 2 units") << exams.dump(1);
  EXPECT_EQ(exams["partial_units"],
            nlohmann::json::parse(R"([{"unit": "cao-bang", "units_reported": 1, "units_expected": 2}])"))
      << exams.dump(1);
  // `tonghop status` at the nation says why too, under its matrix and in its --json.
  std::string text, json, err;
  ASSERT_EQ(nation_.RunCli({"status", "--period", "2017-Q1", "--aggregator", nation_.QueryEndpoint()}, &text, &err), 0)
      << err;
  EXPECT_NE(text.find("~ partial: cao-bang: 1 of 2 units\n  " + std::string(kExams) + "\n"), std::string::npos) << text;
  ASSERT_EQ(nation_.RunCli({"status", "--period", "2017-Q1", "--json", "--aggregator", nation_.QueryEndpoint()}, &json,
                           &err),
            0)
      << err;
  EXPECT_EQ(nlohmann::json::parse(json, nullptr, false)["partial_totals"],
            nlohmann::json::parse(R"([{"indicator": ")" + std::string(kExams) + R"(", "reason": "cao-bang: 1 of 2 units"}])"))
      << json;

  // Hà Quảng reports: Cao Bằng is complete, and so is its part of the nation.
  ASSERT_OK(cao_bang_.DropText("ha-quang", "q1.csv", "indicator,period,value\nhealth.examinations,2017-Q1,500.5\n"));
  s = nation_.WaitForWatch(
      [&](const nlohmann::json& state) {
        const nlohmann::json* a = FindAggregate(state, kExams, "2017-Q1");
        return a != nullptr && (*a)["units_reported"] == 1;
      },
      kTimeoutMs, &nation);
  ASSERT_TRUE(s.ok()) << s.ToString() << nation.dump(1);
  const nlohmann::json& complete = *FindAggregate(nation, kExams, "2017-Q1");
  EXPECT_EQ(complete["value"].dump(), "8500.5");
  EXPECT_EQ(complete["partial"], true);  // Lạng Sơn has not reported
  EXPECT_FALSE(complete.contains("partial_reason")) << complete.dump(1);
  EXPECT_EQ(complete["partial_units"], nlohmann::json::array()) << complete.dump(1);
  // The year is derived at the nation from the relayed quarter, not relayed itself.
  EXPECT_EQ(NationalHistory("cao-bang", kExams).size(), 2u);
}

// Every link of the three levels under CURVE, as SECURITY.md asks: at each province, collectors
// to the aggregator, the publisher to the aggregator, the relay to the publisher (which admits only
// registered subscribers); at the nation, the relays to the aggregator and the publisher to it.
// Lạng Sơn here is two districts, as Cao Bằng is.
class NationalRelayCurveTest : public NationalRelayTest {
 protected:
  void SetUp() override {
    NationalRelayTest::SetUp();
    WriteCatalog(lang_son_catalog_, {{"cao-loc", "Cao Lộc"}, {"loc-binh", "Lộc Bình"}}, "district");
    keys_ = dir_.Sub("keys");
    std::filesystem::create_directories(keys_);
    for (const char* name : {"nation-aggregator", "nation-publisher", "lang-son-aggregator", "lang-son-publisher",
                             "cao-bang-aggregator", "cao-bang-publisher", "watcher", "lang-son", "cao-bang",
                             "cao-loc", "loc-binh", "bao-lac", "ha-quang"}) {
      CurveKeyPair pair;
      ASSERT_OK(GenerateCurveKeyPair(&pair));
      ASSERT_OK(WriteCurveKeyFiles(keys_ + "/" + name, name, pair));
      public_keys_[name] = pair.public_key;
    }
  }

  std::string Key(const std::string& name, const std::string& ext) const { return keys_ + "/" + name + "." + ext; }

  // Starts `level`'s aggregator, which admits its publisher and the collector keys of `units`, its
  // publisher, which admits the test's watcher and `subscribers`, and a collector for each of
  // `collectors`, all under CURVE; `name` names the level's own keys.
  void StartUnderCurve(MiniProvince& level, const std::string& name, const std::vector<std::string>& units,
                       const std::vector<std::string>& subscribers, const std::vector<std::string>& collectors) {
    std::string ingest = "role,name,public_key,comment\npublisher," + name + "-publisher," +
                         public_keys_[name + "-publisher"] + ",\n";
    for (const auto& unit : units) ingest += "collector," + unit + "," + public_keys_[unit] + ",\n";
    dir_.Write("keys/" + name + "-ingest.csv", ingest);
    WriteSubscribers(name, subscribers);
    level.set_plaintext_for_development(false);
    level.set_watch_key_flags({"--curve_secret_key_file", Key("watcher", "key"), "--curve_server_public_key",
                               Key(name + "-publisher", "pub")});
    ASSERT_OK(level.StartAggregator({"--curve_secret_key_file", Key(name + "-aggregator", "key"),
                                     "--key_registry_file", Key(name + "-ingest", "csv")}));
    ASSERT_OK(level.StartPublisher({"--curve_secret_key_file", Key(name + "-publisher", "key"),
                                    "--curve_server_public_key", Key(name + "-aggregator", "pub"),
                                    "--subscriber_access", "authenticated",
                                    "--key_registry_file", Key(name + "-subscribers", "csv")}));
    for (const auto& unit : collectors) {
      ASSERT_OK(level.StartCollector(unit, {.extra_flags = {"--curve_secret_key_file", Key(unit, "key"),
                                                            "--curve_server_public_key",
                                                            Key(name + "-aggregator", "pub")}}));
    }
  }

  // The registry of `name`'s publisher: the watcher and `subscribers` (read at start and on SIGHUP).
  void WriteSubscribers(const std::string& name, const std::vector<std::string>& subscribers) {
    std::string text = "role,name,public_key,comment\nsubscriber,watcher," + public_keys_["watcher"] + ",\n";
    for (const auto& s : subscribers) text += "subscriber," + s + "," + public_keys_[s] + ",relay\n";
    dir_.Write("keys/" + name + "-subscribers.csv", text);
  }

  // The relay of `province` (its code), with its key towards the nation and the province publisher.
  Status StartCurveRelay(MiniProvince& province, const std::string& code, const std::string& key) {
    return nation_.StartCollector(
        code, {.extra_flags = {"--relay_publish_endpoint", province.PublisherPublishEndpoint(),
                               "--relay_snapshot_endpoint", province.PublisherSnapshotEndpoint(),
                               "--curve_secret_key_file", Key(key, "key"),
                               "--curve_server_public_key", Key("nation-aggregator", "pub"),
                               "--relay_curve_server_public_key", Key(code + "-publisher", "pub")}});
  }

  void StartTheThreeLevels(const std::vector<std::string>& lang_son_subscribers) {
    ASSERT_NO_FATAL_FAILURE(StartUnderCurve(nation_, "nation", {"lang-son", "cao-bang"}, {}, {}));
    ASSERT_NO_FATAL_FAILURE(
        StartUnderCurve(lang_son_, "lang-son", {"cao-loc", "loc-binh"}, lang_son_subscribers, {"cao-loc", "loc-binh"}));
    ASSERT_NO_FATAL_FAILURE(
        StartUnderCurve(cao_bang_, "cao-bang", {"bao-lac", "ha-quang"}, {"cao-bang"}, {"bao-lac", "ha-quang"}));
    ASSERT_OK(lang_son_.DropText("cao-loc", "q1.csv", "indicator,period,value\nagri.sown_area.total,2017-Q1,2314\n"
                                                      "health.examinations,2017-Q1,10011\n"));
    ASSERT_OK(lang_son_.DropText("loc-binh", "q1.csv", "indicator,period,value\nagri.sown_area.total,2017-Q1,616.5\n"
                                                       "health.examinations,2017-Q1,5005\n"));
    ASSERT_OK(cao_bang_.DropText("bao-lac", "q1.csv", "indicator,period,value\nagri.sown_area.total,2017-Q1,1200.25\n"
                                                      "health.examinations,2017-Q1,8000\n"));
    ASSERT_OK(cao_bang_.DropText("ha-quang", "q1.csv", "indicator,period,value\nagri.sown_area.total,2017-Q1,900.5\n"
                                                       "health.examinations,2017-Q1,700\n"));
  }

  static constexpr Decimal kLangSonArea = Decimal::FromMicros(2'930'500'000), kLangSonExams = Decimal::FromUnits(15'016);
  static constexpr Decimal kCaoBangArea = Decimal::FromMicros(2'100'750'000), kCaoBangExams = Decimal::FromUnits(8'700);

  std::string keys_;
  std::map<std::string, std::string> public_keys_;
  TempDir lang_son_catalog_;
  MiniProvince lang_son_{dir_.Sub("lang-son"), lang_son_catalog_.path()};
};

TEST_F(NationalRelayCurveTest, EveryLinkOfTheThreeLevelsUnderCurveCarriesTheExactTotals) {
  ASSERT_NO_FATAL_FAILURE(StartTheThreeLevels({"lang-son"}));
  ASSERT_OK(StartCurveRelay(lang_son_, "lang-son", "lang-son"));
  ASSERT_OK(StartCurveRelay(cao_bang_, "cao-bang", "cao-bang"));

  ASSERT_NO_FATAL_FAILURE(ExpectNationalTotals({{{kArea, "2017-Q1"}, kLangSonArea + kCaoBangArea},
                                                {{kExams, "2017-Q1"}, kLangSonExams + kCaoBangExams}}));
  for (const char* relay : {"collector-lang-son", "collector-cao-bang"}) {
    const std::string log = nation_.LogTail(relay, 200);
    EXPECT_EQ(log.find("PLAIN-TEXT MODE"), std::string::npos) << log;
  }
}

TEST_F(NationalRelayCurveTest, ARelayWhoseKeyThePublisherDoesNotKnowGetsNothingAndSaysSo) {
  // Lạng Sơn's publisher admits no relay yet.
  ASSERT_NO_FATAL_FAILURE(StartTheThreeLevels({}));
  ASSERT_OK(StartCurveRelay(lang_son_, "lang-son", "lang-son"));
  ASSERT_OK(StartCurveRelay(cao_bang_, "cao-bang", "cao-bang"));

  // Lạng Sơn's totals are at its publisher, and Cao Bằng's at the nation; Lạng Sơn's relay logged
  // the refusal and enqueued nothing.
  ASSERT_OK(lang_son_.WaitForWatch(
      [](const nlohmann::json& state) { return ValueIn(state, kArea) == kLangSonArea; }, kTimeoutMs));
  nlohmann::json nation;
  Status s = nation_.WaitForWatch(
      [](const nlohmann::json& state) {
        return ValueIn(state, kArea) == kCaoBangArea && ValueIn(state, kExams) == kCaoBangExams;
      },
      kTimeoutMs, &nation);
  ASSERT_TRUE(s.ok()) << s.ToString() << nation.dump(1);
  const std::string refused = "refused this node's key";
  for (int64_t deadline = MonotonicMs() + kTimeoutMs;
       nation_.LogTail("collector-lang-son", 200).find(refused) == std::string::npos && MonotonicMs() < deadline;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_NE(nation_.LogTail("collector-lang-son", 200).find(refused), std::string::npos)
      << nation_.LogTail("collector-lang-son", 200);
  EXPECT_NE(lang_son_.LogTail("publisher", 200).find("not in the key registry"), std::string::npos)
      << lang_son_.LogTail("publisher", 200);
  EXPECT_EQ(nation_.CollectorStatus("lang-son")["next_seq"], "1");
  EXPECT_EQ(ValueIn(nation, kArea), kCaoBangArea) << nation.dump(1);

  // Registered at the publisher (a SIGHUP), the relay's key gets through on its own next try.
  WriteSubscribers("lang-son", {"lang-son"});
  ASSERT_OK(lang_son_.Reload("publisher"));
  ASSERT_NO_FATAL_FAILURE(ExpectNationalTotals({{{kArea, "2017-Q1"}, kLangSonArea + kCaoBangArea},
                                                {{kExams, "2017-Q1"}, kLangSonExams + kCaoBangExams}}));
}

}  // namespace
}  // namespace tonghop::testing
