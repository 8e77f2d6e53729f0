#include "cli/data_value_set.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/clock.h"

namespace tonghop::cli {
namespace {

TEST(DataValueSetTest, PeriodsInTonghopOrDhis2Form) {
  EXPECT_EQ(NormalizePeriod("2016Q1"), "2016-Q1");
  EXPECT_EQ(NormalizePeriod("201603"), "2016-03");
  EXPECT_EQ(NormalizePeriod("2016S2"), "2016-H2");
  EXPECT_EQ(NormalizePeriod("2016-Q1"), "2016-Q1");
  EXPECT_EQ(NormalizePeriod("2016"), "2016");
}

TEST(DataValueSetTest, JsonAndCsvReadTheSameValues) {
  std::vector<DataValue> json, csv;
  ASSERT_TRUE(ParseDataValueSet("a.json", R"({"dataValues": [{"dataElement": "agri.herd.pigs", "period": "2016Q1",
      "orgUnit": "cao-loc", "value": "31.2", "lastUpdated": "2016-04-05T00:00:00Z"}]})", &json).ok());
  ASSERT_TRUE(ParseDataValueSet("a.csv", "dataelement,period,orgunit,value,lastupdated\n"
                                         "agri.herd.pigs,2016Q1,cao-loc,31.2,2016-04-05T00:00:00Z\n", &csv).ok());
  ASSERT_EQ(json.size(), 1u);
  ASSERT_EQ(csv.size(), 1u);
  for (const auto* v : {&json[0], &csv[0]}) {
    EXPECT_EQ(v->data_element, "agri.herd.pigs");
    EXPECT_EQ(v->period, "2016-Q1");
    EXPECT_EQ(v->org_unit, "cao-loc");
    EXPECT_EQ(v->value, "31.2");
  }
  EXPECT_EQ(csv[0].line, 2u);
  int64_t ms = 0;
  ASSERT_TRUE(ParseUtcIsoTime(json[0].last_updated, &ms));
  EXPECT_EQ(ms, 1459814400000);
  EXPECT_EQ(UtcIsoTime(ms), "2016-04-05T00:00:00Z");
}

TEST(DataValueSetTest, MalformedFilesSayWhatIsWrongAndWhere) {
  std::vector<DataValue> out;
  Status s = ParseDataValueSet("a.json", R"({"values": []})", &out);
  EXPECT_NE(s.message().find("a.json: not a data value set"), std::string::npos) << s.ToString();
  s = ParseDataValueSet("a.json", R"({"dataValues": [{"dataElement": "x", "period": "2016", "value": "1"}]})", &out);
  EXPECT_NE(s.message().find("a.json: dataValues[0]: field 'orgUnit' is missing"), std::string::npos) << s.ToString();
  s = ParseDataValueSet("a.json", "{not json", &out);
  EXPECT_FALSE(s.ok());
  s = ParseDataValueSet("a.csv", "dataelement,period,value\nx,2016,1\n", &out);
  EXPECT_NE(s.message().find("orgunit"), std::string::npos) << s.ToString();
}

TEST(DataValueSetTest, ExportWritesWhatImportReads) {
  tonghop::v1::ValuesReply values;
  auto* f = values.add_figures();
  f->set_indicator("agri.herd.pigs");
  f->set_period("2017-Q1");
  f->set_reporting_unit("cao-loc");
  f->set_value(31.2);
  f->set_derived(true);
  f->set_complete(true);
  for (const char* format : {"json", "csv"}) {
    std::vector<DataValue> read;
    ASSERT_TRUE(ParseDataValueSet("x", WriteDataValueSet(values, format), &read).ok()) << format;
    ASSERT_EQ(read.size(), 1u);
    EXPECT_EQ(read[0].value, "31.2");
    EXPECT_EQ(read[0].period, "2017-Q1");
    EXPECT_EQ(read[0].comment, "derived from shorter periods");
  }
}

// Written a figure at a time, a set is the document a whole dump with an indent of 2 makes.
TEST(DataValueSetTest, TheWriterWritesFigureByFigureWhatAWholeDocumentWouldBe) {
  tonghop::v1::ValuesReply values;
  for (int figures = 0; figures <= 2; ++figures) {
    nlohmann::ordered_json rows = nlohmann::ordered_json::array();
    for (const auto& f : values.figures()) {
      nlohmann::ordered_json row = {{"dataElement", f.indicator()}, {"period", f.period()}, {"orgUnit", f.reporting_unit()},
                                    {"value", "31.2"}, {"lastUpdated", UtcIsoTime(f.applied_at_ms())}};
      if (f.derived()) row["comment"] = "derived from shorter periods";
      rows.push_back(std::move(row));
    }
    const std::string whole = nlohmann::ordered_json({{"dataValues", rows}}).dump(2) + "\n";
    EXPECT_EQ(WriteDataValueSet(values, "json"), whole);
    auto* f = values.add_figures();
    f->set_indicator("agri.herd.pigs");
    f->set_period("2017-Q1");
    f->set_reporting_unit(figures ? "loc-binh" : "cao-loc");
    f->set_value(31.2);
    f->set_derived(figures == 1);
    f->set_complete(true);
  }
}

}  // namespace
}  // namespace tonghop::cli
