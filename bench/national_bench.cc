#include "bench/national_bench.h"

#include <algorithm>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "bench/load_generator.h"
#include "bench/subscriber_pool.h"
#include "bench/workload.h"
#include "core/csv.h"
#include "core/testing/http_client.h"
#include "tests/mini_province.h"

namespace tonghop::bench {
namespace {

constexpr char kProbeProvince[] = "lang-son";
// Vietnam's commune-level units since 1 July 2025 (Resolution 202/2025/QH15): communes, wards and
// special zones.
constexpr int kCountryCommunes = 3'321;
constexpr int kQuickProvinces = 3;
constexpr int kQuickCommunes = 20;
// Probe seqs kept per province: the probe commune sends 1/n of its province's updates, far fewer
// than this in a run of options.national_seconds at any rate this machine carries.
constexpr size_t kProbeCapacity = 500'000;
// Lạng Sơn's probe commune, on a pace of its own in the paced run: samples enough for a p99 in a
// minute, whatever the load.
constexpr double kProbesPerS = 20;
// From the end of a run until every national total is exact: what the relays still hold drains.
constexpr int kCatchUpMs = 300'000;
// The country's communes and the subscribers, with room to spare.
constexpr int kMaxSockets = 2 * kCountryCommunes;
constexpr char kStoredCounter[] = "tonghop_aggregator_updates_stored_total";

std::string SourceFile(const std::string& path) { return std::string(TONGHOP_SOURCE_DIR) + "/" + path; }

Status ReadUnits(const std::string& path, std::vector<WorkloadUnit>* out) {
  return ReadCsvFile<3>(path, {"code", "name_vi", "kind"}, {"code", "name_vi", "kind"},
                        [&](const CsvRow<3>& row) {
                          out->push_back({row.cells[0], row.cells[1], row.cells[2]});
                          return Status::OK();
                        });
}

// The provinces of the run, the probe province first, and each one's communes.
Status PlanCountry(bool quick, std::vector<WorkloadUnit>* provinces, std::vector<std::vector<WorkloadUnit>>* communes) {
  std::vector<WorkloadUnit> all;
  TONGHOP_RETURN_IF_ERROR(ReadUnits(SourceFile("deploy/vietnam/units.csv"), &all));
  auto probe = std::find_if(all.begin(), all.end(), [](const WorkloadUnit& u) { return u.code == kProbeProvince; });
  if (probe == all.end()) return Status::NotFound(std::string("deploy/vietnam/units.csv has no ") + kProbeProvince);
  std::rotate(all.begin(), probe, probe + 1);
  const int count = quick ? kQuickProvinces : static_cast<int>(all.size());
  provinces->assign(all.begin(), all.begin() + count);
  std::vector<WorkloadUnit> lang_son;
  TONGHOP_RETURN_IF_ERROR(ReadUnits(SourceFile("deploy/lang-son/communes-2025.csv"), &lang_son));
  if (quick) lang_son.resize(kQuickCommunes);
  communes->assign(1, lang_son);
  // The others share the rest of the country's communes evenly: sample units, named as such.
  const int others = count - 1;
  const int rest = kCountryCommunes - static_cast<int>(lang_son.size());
  for (int p = 0; p < others; ++p) {
    const int n = quick ? kQuickCommunes : rest / others + (p < rest % others ? 1 : 0);
    std::vector<WorkloadUnit> sample;
    for (int c = 0; c < n; ++c) sample.push_back({fmt::format("xa-mau-{:03d}", c), fmt::format("Xã mẫu {}", c), "commune"});
    communes->push_back(std::move(sample));
  }
  return Status::OK();
}

// A counter of the node's /metrics, summed over its labels.
Status ReadCounter(const std::string& address, const std::string& name, double* out) {
  testing::HttpResponse response;
  TONGHOP_RETURN_IF_ERROR(testing::HttpGet(address, "/metrics", 10'000, &response));
  if (response.status != 200) return Status::IOError(fmt::format("GET {}/metrics: {}", address, response.status));
  std::istringstream lines(response.body);
  std::string line;
  *out = 0;
  bool found = false;
  while (std::getline(lines, line)) {
    if (line.rfind(name, 0) != 0 || line.size() <= name.size() || (line[name.size()] != ' ' && line[name.size()] != '{')) {
      continue;
    }
    *out += std::stod(line.substr(line.rfind(' ') + 1));
    found = true;
  }
  return found ? Status::OK() : Status::NotFound(fmt::format("{} has no {}", address, name));
}

double LoadAverage() {
  std::ifstream in("/proc/loadavg");
  double one_minute = 0;
  in >> one_minute;
  return one_minute;
}

struct ProvinceLevel {
  ProvinceLevel(std::string province, const std::string& root, const std::string& catalog, Workload w)
      : code(std::move(province)), nodes(root, catalog), workload(std::move(w)) {}
  std::string code;
  testing::MiniProvince nodes;  // aggregator and publisher
  Workload workload;
  ProbeClock probes{kProbeCapacity};
  std::unique_ptr<LoadGenerator> load;
};

struct Country {
  Country(const std::string& root, const std::string& national_catalog) : nation(root + "/nation", national_catalog) {
    // A socket per commune: more than libzmq's default of 1,023 a context.
    context.set(zmq::ctxopt::max_sockets, kMaxSockets);
  }
  ~Country() {
    national_subscriber.reset();  // sockets before their context
    province_subscriber.reset();
    for (auto& p : provinces) p->load.reset();
  }
  zmq::context_t context{2};
  testing::MiniProvince nation;  // aggregator, publisher, and a relay per province
  std::vector<std::unique_ptr<ProvinceLevel>> provinces;  // the probe province first
  std::unique_ptr<SubscriberPool> national_subscriber, province_subscriber;
  int communes = 0;
};

Status StartCountry(const BenchOptions& options, const std::string& root, std::unique_ptr<Country>* out) {
  std::vector<WorkloadUnit> province_units;
  std::vector<std::vector<WorkloadUnit>> communes;
  TONGHOP_RETURN_IF_ERROR(PlanCountry(options.quick, &province_units, &communes));
  Workload national;
  national.indicators = national.live_indicators;  // only the live counters: 35 small catalogs
  national.units = static_cast<int>(province_units.size());
  national.named_units = province_units;
  TONGHOP_RETURN_IF_ERROR(WriteCatalog(national, root + "/catalogs/nation"));
  auto country = std::make_unique<Country>(root, root + "/catalogs/nation");
  std::vector<std::string> aggregator_flags = {"--durability", "wal"};
  aggregator_flags.insert(aggregator_flags.end(), options.aggregator_flags.begin(), options.aggregator_flags.end());

  const int64_t start = SteadyNs();
  country->nation.set_ready_timeout_ms(120'000);
  country->nation.set_metrics(true);  // the national aggregator's stored counter
  TONGHOP_RETURN_IF_ERROR(country->nation.StartAggregator(aggregator_flags));
  country->nation.set_metrics(false);
  TONGHOP_RETURN_IF_ERROR(country->nation.StartPublisher());
  for (size_t p = 0; p < province_units.size(); ++p) {
    const std::string& code = province_units[p].code;
    Workload w = national;
    w.units = static_cast<int>(communes[p].size());
    w.named_units = communes[p];
    const std::string catalog = root + "/catalogs/" + code;
    TONGHOP_RETURN_IF_ERROR(WriteCatalog(w, catalog));
    country->communes += w.units;
    auto province = std::make_unique<ProvinceLevel>(code, root + "/" + code, catalog, std::move(w));
    province->nodes.set_ready_timeout_ms(120'000);
    TONGHOP_RETURN_IF_ERROR(province->nodes.StartAggregator(aggregator_flags));
    TONGHOP_RETURN_IF_ERROR(province->nodes.StartPublisher());
    testing::MiniProvince::CollectorPlacement relay;
    relay.extra_flags = {"--relay_publish_endpoint", province->nodes.PublisherPublishEndpoint(),
                         "--relay_snapshot_endpoint", province->nodes.PublisherSnapshotEndpoint()};
    TONGHOP_RETURN_IF_ERROR(country->nation.StartCollector(code, relay));
    province->load = std::make_unique<LoadGenerator>(country->context, province->workload,
                                                     province->nodes.IngestEndpoint(), &province->probes);
    if (p == 0) province->load->set_probe_per_s(kProbesPerS);
    country->provinces.push_back(std::move(province));
  }
  ProvinceLevel& probe = *country->provinces.front();
  country->national_subscriber = std::make_unique<SubscriberPool>(
      country->context, country->nation.PublisherPublishEndpoint(), country->nation.PublisherSnapshotEndpoint(),
      national.live_period, &probe.probes);
  TONGHOP_RETURN_IF_ERROR(country->national_subscriber->Start(1));
  country->province_subscriber = std::make_unique<SubscriberPool>(
      country->context, probe.nodes.PublisherPublishEndpoint(), probe.nodes.PublisherSnapshotEndpoint(),
      national.live_period, &probe.probes);
  TONGHOP_RETURN_IF_ERROR(country->province_subscriber->Start(1));
  spdlog::info("country of {} provinces and {} communes started in {:.1f} s: {} aggregators, {} publishers, {} relays",
               country->provinces.size(), country->communes, (SteadyNs() - start) / 1e9, country->provinces.size() + 1,
               country->provinces.size() + 1, country->provinces.size());
  *out = std::move(country);
  return Status::OK();
}

struct CountryResult {
  uint64_t acked = 0;            // commune updates, over every province
  double seconds = 0;            // first send to the national total exact
  double national_applied = 0;   // province totals stored at the national aggregator meanwhile
  Latency to_nation, to_province;
};

// Every province's communes offer `offered_per_s` together (0: all they can) for `seconds`, each
// province its share by its communes; then waits until the national subscriber holds the exact
// sum of the provinces' totals and the last probe.
Status RunCountry(Country& c, double offered_per_s, double seconds, CountryResult* out) {
  const std::string stored_at = c.nation.MetricsAddress("aggregator");
  double stored_before = 0, stored_after = 0;
  TONGHOP_RETURN_IF_ERROR(ReadCounter(stored_at, kStoredCounter, &stored_before));
  const int64_t start = SteadyNs();
  c.national_subscriber->StartSampling(start);
  c.province_subscriber->StartSampling(start);
  std::vector<LoadResult> results(c.provinces.size());
  std::vector<Status> statuses(c.provinces.size());
  std::vector<std::thread> threads;
  for (size_t p = 0; p < c.provinces.size(); ++p) {
    ProvinceLevel& province = *c.provinces[p];
    const LoadRun run{province.workload.units, seconds, offered_per_s * province.workload.units / c.communes};
    threads.emplace_back([&, p, run] { statuses[p] = province.load->Run(run, &results[p]); });
  }
  for (auto& t : threads) t.join();
  for (size_t p = 0; p < c.provinces.size(); ++p) {
    if (!statuses[p].ok()) {
      return Status::Unavailable(fmt::format("the communes of {}: {}\n{}", c.provinces[p]->code,
                                             statuses[p].ToString(), c.provinces[p]->nodes.LogTail("aggregator")));
    }
    out->acked += results[p].acked;
  }
  std::map<std::string, double> national_totals;
  for (const auto& province : c.provinces) {
    for (const auto& [indicator, total] : province->load->ExpectedTotals()) national_totals[indicator] += total;
  }
  const ProvinceLevel& probe = *c.provinces.front();
  int64_t province_reached = 0, reached = 0;
  TONGHOP_RETURN_IF_ERROR(c.province_subscriber->WaitForState(probe.load->ExpectedTotals(), probe.load->last_probe_seq(),
                                                              kCatchUpMs, &province_reached));
  Status exact = c.national_subscriber->WaitForState(national_totals, probe.load->last_probe_seq(), kCatchUpMs, &reached);
  if (!exact.ok()) return Status::Unavailable(exact.message() + "\n" + c.nation.LogTail("aggregator"));
  TONGHOP_RETURN_IF_ERROR(ReadCounter(stored_at, kStoredCounter, &stored_after));
  out->seconds = (reached - start) / 1e9;
  out->national_applied = stored_after - stored_before;
  out->to_nation = Summarize(c.national_subscriber->TakeSamples());
  out->to_province = Summarize(c.province_subscriber->TakeSamples());
  spdlog::info("country, offered {}: {} commune updates acked and in the national total in {:.1f} s ({:.0f}/s); {:.0f} "
               "province totals applied at the nation ({:.0f}/s); probe to the nation p50 {:.1f} ms, p99 {:.1f} ms "
               "({} samples); to Lạng Sơn p99 {:.1f} ms",
               offered_per_s > 0 ? fmt::format("{:.0f}/s", offered_per_s) : "all it can", out->acked, out->seconds,
               out->acked / out->seconds, out->national_applied, out->national_applied / out->seconds,
               out->to_nation.p50_ms, out->to_nation.p99_ms, out->to_nation.samples, out->to_province.p99_ms);
  return Status::OK();
}

void AddRun(BenchReport& report, const Country& c, const std::string& load, const CountryResult& r, double load_before,
            double load_after) {
  const std::string shape = fmt::format("{} provinces, {} communes", c.provinces.size(), c.communes);
  report.Add("national", fmt::format("commune updates into the country, {}", load), r.acked / r.seconds, "updates/s",
             fmt::format("{}; {} acked, all in the national total {:.1f} s after the first; load average {:.1f} before, "
                         "{:.1f} after", shape, r.acked, r.seconds, load_before, load_after));
  report.Add("national", fmt::format("province totals applied at the national aggregator, {}", load),
             r.national_applied / r.seconds, "figures/s",
             fmt::format("{:.0f} figures from {} relays; {:.1f} commune updates a relayed figure", r.national_applied,
                         c.provinces.size(), r.national_applied > 0 ? r.acked / r.national_applied : 0.0));
  auto add_latency = [&](const std::string& what, const Latency& l) {
    const std::string note = fmt::format("{} probes of Lạng Sơn's commune 0", l.samples);
    report.Add("latency", fmt::format("{}, {}, p50", what, load), l.p50_ms, "ms", note);
    report.Add("latency", fmt::format("{}, {}, p99", what, load), l.p99_ms, "ms", note);
    report.Add("latency", fmt::format("{}, {}, max", what, load), l.max_ms, "ms", note);
  };
  add_latency("commune to national total", r.to_nation);
  add_latency("commune to province total (ceiling)", r.to_province);
}

}  // namespace

Status MeasureNation(const BenchOptions& options, const std::string& root, BenchReport& report) {
  const double rate = options.national_updates_per_s;
  spdlog::info("a country of {} provinces: {:.0f} updates/s for {} s, then all it can for {} s; load average {:.2f}",
               options.quick ? kQuickProvinces : 34, rate, options.national_seconds, options.run_seconds, LoadAverage());
  std::unique_ptr<Country> country;
  TONGHOP_RETURN_IF_ERROR(StartCountry(options, root, &country));
  // Connects every commune and makes every total at every level, so that the runs only change them.
  CountryResult result;
  TONGHOP_RETURN_IF_ERROR(RunCountry(*country, rate, std::min(2.0, options.national_seconds), &result));
  // The paced run long enough for Lạng Sơn's probes (1 in 65 of its updates) to make a p99; the run
  // at saturation, which takes the whole machine, as long as the other parts' throughput runs.
  for (const auto& [offered, seconds] : {std::pair{rate, options.national_seconds}, std::pair{0.0, options.run_seconds}}) {
    const double before = LoadAverage();
    result = CountryResult();
    TONGHOP_RETURN_IF_ERROR(RunCountry(*country, offered, seconds, &result));
    AddRun(report, *country, offered > 0 ? fmt::format("{:.0f}/s offered", offered) : "all the communes can", result,
           before, LoadAverage());
  }
  return Status::OK();
}

}  // namespace tonghop::bench
