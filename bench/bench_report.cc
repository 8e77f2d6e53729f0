#include "bench/bench_report.h"

#include <algorithm>
#include <fstream>
#include <sys/utsname.h>
#include <thread>

#include <fmt/format.h>

#include "core/csv.h"

namespace tonghop::bench {
namespace {

// The first "key : value" line of a /proc file whose key is `key`.
std::string ProcField(const std::string& path, const std::string& key) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) != 0) continue;
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    auto start = line.find_first_not_of(" \t", colon + 1);
    return start == std::string::npos ? "" : line.substr(start);
  }
  return "";
}

std::string FormatValue(double value) {
  if (value >= 1000) return fmt::format("{:.0f}", value);
  if (value >= 10) return fmt::format("{:.1f}", value);
  return fmt::format("{:.3g}", value);
}

}  // namespace

Latency Summarize(std::vector<int64_t> samples_ns) {
  Latency out;
  out.samples = samples_ns.size();
  if (samples_ns.empty()) return out;
  std::sort(samples_ns.begin(), samples_ns.end());
  auto at = [&](double q) {
    size_t index = std::min(samples_ns.size() - 1, static_cast<size_t>(q * static_cast<double>(samples_ns.size())));
    return samples_ns[index] / 1e6;
  };
  out.p50_ms = at(0.50);
  out.p99_ms = at(0.99);
  out.p999_ms = at(0.999);
  out.max_ms = samples_ns.back() / 1e6;
  return out;
}

nlohmann::json DescribeMachine() {
  utsname name{};
  uname(&name);
  return {{"cores", std::thread::hardware_concurrency()},
          {"cpu", ProcField("/proc/cpuinfo", "model name")},
          {"memory", ProcField("/proc/meminfo", "MemTotal")},
          {"kernel", fmt::format("{} {}", name.sysname, name.release)}};
}

BenchReport::BenchReport(nlohmann::json machine, std::string command)
    : machine_(std::move(machine)), command_(std::move(command)) {}

Figure& BenchReport::Add(std::string group, std::string name, double value, std::string unit, std::string note) {
  figures_.push_back(Figure{std::move(group), std::move(name), value, std::move(unit), std::move(note), {}});
  return figures_.back();
}

void BenchReport::AddRatios(Figure& figure, const std::vector<std::string>& ceilings) {
  for (const auto& ceiling : ceilings) {
    std::optional<double> value = Value(ceiling);
    if (value && *value > 0) figure.ratios[ceiling] = figure.value / *value;
  }
}

std::optional<double> BenchReport::Value(const std::string& name) const {
  for (const auto& f : figures_) {
    if (f.name == name) return f.value;
  }
  return std::nullopt;
}

std::string BenchReport::Table() const {
  std::string out = fmt::format("tonghop-bench: {}\nmachine: {} cores, {}, {}, {}\n\n", command_,
                                machine_["cores"].get<int>(), machine_["cpu"].get<std::string>(),
                                machine_["memory"].get<std::string>(), machine_["kernel"].get<std::string>());
  out += fmt::format("{:<11} {:<46} {:>12} {:<10} {}\n", "group", "figure", "value", "unit", "ratio to ceilings / note");
  for (const auto& f : figures_) {
    std::string extra;
    for (const auto& [ceiling, ratio] : f.ratios) extra += fmt::format("{:.0f}% of {}  ", ratio * 100, ceiling);
    extra += f.note;
    out += fmt::format("{:<11} {:<46} {:>12} {:<10} {}\n", f.group, f.name, FormatValue(f.value), f.unit, extra);
  }
  return out;
}

nlohmann::json BenchReport::Json() const {
  nlohmann::json figures = nlohmann::json::array();
  for (const auto& f : figures_) {
    nlohmann::json one = {{"group", f.group}, {"name", f.name}, {"value", f.value}, {"unit", f.unit}};
    if (!f.note.empty()) one["note"] = f.note;
    if (!f.ratios.empty()) one["ratio_to"] = f.ratios;
    figures.push_back(std::move(one));
  }
  return {{"command", command_}, {"machine", machine_}, {"figures", figures}};
}

Status BenchReport::WriteJson(const std::string& path) const {
  return WriteStringToFile(path, Json().dump(2) + "\n");
}

}  // namespace tonghop::bench
