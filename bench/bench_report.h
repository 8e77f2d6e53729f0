// BenchReport: the figures of one tonghop-bench run, printed as a table and written as JSON
// (docs/PERFORMANCE.md lists both). Each figure may carry its ratio to the ceilings measured in the
// same run, so that a figure reads against what this machine can do at all.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace tonghop::bench {

struct Figure {
  std::string group;  // "ceiling", "throughput", "latency", "scaling", "stored", "memory"
  std::string name;
  double value = 0;
  std::string unit;
  std::string note;
  // Ceiling name -> this figure / that ceiling's value.
  std::map<std::string, double> ratios;
};

class BenchReport {
 public:
  // `machine`: cores, CPU model, kernel, memory; `command`: how the run was started.
  BenchReport(nlohmann::json machine, std::string command);

  Figure& Add(std::string group, std::string name, double value, std::string unit, std::string note = "");
  // Adds value / ceiling for every ceiling named; ceilings are figures of group "ceiling".
  void AddRatios(Figure& figure, const std::vector<std::string>& ceilings);
  std::optional<double> Value(const std::string& name) const;

  // The table, one figure a line, with the machine on top.
  std::string Table() const;
  nlohmann::json Json() const;
  Status WriteJson(const std::string& path) const;

 private:
  nlohmann::json machine_;
  std::string command_;
  std::vector<Figure> figures_;
};

// Percentiles and the maximum of latency samples (ns), in ms; all 0 without samples.
struct Latency {
  double p50_ms = 0, p99_ms = 0, p999_ms = 0, max_ms = 0;
  size_t samples = 0;
};
Latency Summarize(std::vector<int64_t> samples_ns);

// Reads the machine's description from /proc and uname.
nlohmann::json DescribeMachine();

}  // namespace tonghop::bench
