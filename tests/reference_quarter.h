// The reference quarter (Lạng Sơn, 2017-Q1) as a test fixture: the real aggregator, publisher and
// one collector per reporting unit of the scenario on loopback, its drop files, and the checks of
// the 79 province figures of the report (deploy/lang-son/reference-2017-q1.csv) against a state
// in the JSON of an aggregate (cli/aggregate_json.h), which `tonghop watch --json` prints and the
// web node serves.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/testing/temp_dir.h"
#include "tests/mini_province.h"

namespace tonghop::testing {

extern const std::string kLangSon;
extern const std::string kReferenceScenario;

struct ReferenceFigure {
  std::string indicator, value, pct_of_plan, yoy_pct;  // as printed in the report
};

std::vector<ReferenceFigure> LoadReferenceQuarter();

class ReferenceQuarterTest : public ::testing::Test {
 protected:
  // Starts the aggregator, the publisher and a collector per unit of the scenario, each placed as
  // `placement` says (tests/pair_test.cc gives them a second aggregator).
  void StartProvince(const MiniProvince::CollectorPlacement& placement = {});
  // Every scenario file as (unit, path), in a fixed order.
  std::vector<std::pair<std::string, std::string>> ScenarioFiles();
  void DropScenario();
  // Polls the publisher until every reference indicator is complete (all expected units in).
  nlohmann::json WaitForCompleteQuarter(int timeout_ms);
  // The 79 figures of `state` ({"aggregates":[…]}) for 2017-Q1 are the report's.
  void ExpectReferenceFigures(const nlohmann::json& state);
  size_t ScenarioFigureCount();

  TempDir dir_;
  MiniProvince province_{dir_.path(), kLangSon};
  std::vector<std::string> units_;
  std::vector<ReferenceFigure> reference_ = LoadReferenceQuarter();
};

}  // namespace tonghop::testing
