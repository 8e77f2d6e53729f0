#include "tests/mini_province.h"

#include <algorithm>
#include <arpa/inet.h>
#include <chrono>
#include <cmath>
#include <csignal>
#include <fcntl.h>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <netinet/in.h>
#include <random>
#include <sstream>
#include <set>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "core/clock.h"
#include "core/csv.h"
#include "core/testing/command_output.h"
#include "core/transport.h"

namespace tonghop::testing {
namespace {

// $TONGHOP_BIN, when set, names another folder of binaries (a soak runs a frozen copy).
std::string BinPath(const std::string& name) {
  const char* dir = std::getenv("TONGHOP_BIN");
  return std::string(dir && *dir ? dir : TONGHOP_BIN_DIR) + "/" + name;
}

// `args` with --timeout_ms 60000 when they run a command of the query link and set no timeout:
// the aggregator answers queries on a thread at nice 19, and beside another test under ASan
// `tonghop status` once waited longer than its default 5 s. A test that means a shorter wait says so.
std::vector<std::string> WithQueryTimeout(std::vector<std::string> args) {
  static const std::set<std::string> kQueryCommands = {"status", "query", "history", "export", "report"};
  const bool query = std::any_of(args.begin(), args.end(), [](const std::string& a) { return kQueryCommands.contains(a); });
  if (query && std::find(args.begin(), args.end(), "--timeout_ms") == args.end()) {
    args.insert(args.end(), {"--timeout_ms", "60000"});
  }
  return args;
}

std::string ReadAll(const std::string& path) {
  std::string text;
  (void)ReadFileToString(path, &text);
  return text;
}

}  // namespace

int FreeTcpPort() {
  // Below the kernel's ephemeral range: a port from bind(0) is ephemeral, and an outgoing
  // connection of another node could take it before the node meant to listen on it binds.
  int ephemeral_low = 32768;
  std::ifstream("/proc/sys/net/ipv4/ip_local_port_range") >> ephemeral_low;
  static std::mt19937 rng(std::random_device{}());
  // A port is handed out once per process, and reserved against the other test processes that
  // ctest runs at the same time by an flock held until this process exits: a port is chosen
  // seconds before a node binds it, and a probe alone left that window open (two processes, or two
  // calls of one, took the same port; a node binding 0.0.0.0 then failed on a port another test
  // had bound on 127.0.0.1).
  static std::set<int> handed_out;
  const std::string lock_dir = std::filesystem::temp_directory_path().string() + "/tonghop-test-ports";
  std::error_code ignored;
  std::filesystem::create_directories(lock_dir, ignored);
  while (true) {
    int port = 10000 + static_cast<int>(rng() % std::max(1, ephemeral_low - 10000));
    if (handed_out.count(port)) continue;
    const int lock = open(fmt::format("{}/{}", lock_dir, port).c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0666);
    if (lock < 0) continue;
    if (flock(lock, LOCK_EX | LOCK_NB) != 0) {
      close(lock);
      continue;
    }
    // Free on every address, as a node binding tcp://*:port needs it.
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_ANY);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    bool free = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    close(fd);
    if (!free) {
      close(lock);
      continue;
    }
    handed_out.insert(port);  // the lock's fd stays open: the reservation lasts as long as the process
    return port;
  }
}

MiniProvince::MiniProvince(std::string root, std::string catalog_dir)
    : root_(std::move(root)), catalog_dir_(std::move(catalog_dir)) {
  std::filesystem::create_directories(root_ + "/logs");
  ingest_port_ = FreeTcpPort();
  feed_port_ = FreeTcpPort();
  feed_snapshot_port_ = FreeTcpPort();
  publish_port_ = FreeTcpPort();
  snapshot_port_ = FreeTcpPort();
  query_port_ = FreeTcpPort();
  web_port_ = FreeTcpPort();
}

MiniProvince::~MiniProvince() {
  for (auto& [name, node] : nodes_) {
    if (node.pid > 0) {
      kill(node.pid, SIGKILL);
      waitpid(node.pid, nullptr, 0);
    }
  }
}

std::string MiniProvince::AggregatorPublishEndpoint() const { return fmt::format("tcp://127.0.0.1:{}", feed_port_); }
std::string MiniProvince::AggregatorSnapshotEndpoint() const {
  return fmt::format("tcp://127.0.0.1:{}", feed_snapshot_port_);
}
std::string MiniProvince::PublisherPublishEndpoint() const { return fmt::format("tcp://127.0.0.1:{}", publish_port_); }
std::string MiniProvince::PublisherSnapshotEndpoint() const { return fmt::format("tcp://127.0.0.1:{}", snapshot_port_); }
std::string MiniProvince::QueryEndpoint() const { return fmt::format("tcp://127.0.0.1:{}", query_port_); }
std::string MiniProvince::IngestEndpoint() const { return fmt::format("tcp://127.0.0.1:{}", ingest_port_); }
std::string MiniProvince::DropDir(const std::string& unit) const { return CollectorDataDir(unit) + "/drop"; }
std::string MiniProvince::CollectorApiEndpoint(const std::string& unit) const {
  return "ipc://" + CollectorDataDir(unit) + "/submit.sock";
}

Status MiniProvince::StartAggregator(const std::vector<std::string>& extra_flags) {
  std::vector<std::string> argv = {
      BinPath("tonghop-aggregator"),
      "--catalog_dir", catalog_dir_,
      "--data_dir", AggregatorDataDir(),
      "--ingest_endpoint", fmt::format("tcp://{}:{}", ingest_bind_address_, ingest_port_),
      "--publish_endpoint", AggregatorPublishEndpoint(),
      "--snapshot_endpoint", AggregatorSnapshotEndpoint(),
      "--query_endpoint", QueryEndpoint(),
      "--heartbeat_interval_ms", "200"};
  if (plaintext_) argv.push_back("--plaintext_for_development");
  argv.insert(argv.end(), extra_flags.begin(), extra_flags.end());
  return Launch("aggregator", argv);
}

Status MiniProvince::StartPublisher(const std::vector<std::string>& extra_flags) {
  std::vector<std::string> argv = {
      BinPath("tonghop-publisher"),
      "--upstream_publish_endpoint", AggregatorPublishEndpoint(),
      "--upstream_snapshot_endpoint", AggregatorSnapshotEndpoint(),
      "--publish_endpoint", PublisherPublishEndpoint(),
      "--snapshot_endpoint", PublisherSnapshotEndpoint(),
      "--heartbeat_interval_ms", "200"};
  if (plaintext_) argv.push_back("--plaintext_for_development");
  argv.insert(argv.end(), extra_flags.begin(), extra_flags.end());
  return Launch("publisher", argv);
}

Status MiniProvince::StartCollector(const std::string& unit, const CollectorPlacement& placement) {
  std::string endpoint = placement.aggregator_endpoint.empty() ? IngestEndpoint() : placement.aggregator_endpoint;
  std::vector<std::string> argv = placement.command_prefix;
  argv.insert(argv.end(), {BinPath("tonghop-collector"),
                           "--reporting_unit", unit,
                           "--data_dir", CollectorDataDir(unit),
                           "--aggregator_endpoint", endpoint,
                           "--scan_interval_ms", "100",
                           "--ack_timeout_ms", "2000",
                           "--heartbeat_interval_ms", "200"});
  if (plaintext_) argv.push_back("--plaintext_for_development");
  argv.insert(argv.end(), placement.extra_flags.begin(), placement.extra_flags.end());
  return Launch("collector-" + unit, argv);
}

Status MiniProvince::StartWeb(const std::vector<std::string>& extra_flags) {
  std::vector<std::string> argv = {
      BinPath("tonghop-web"),
      "--catalog_dir", catalog_dir_,
      "--http_port", std::to_string(web_port_),
      "--upstream_publish_endpoint", PublisherPublishEndpoint(),
      "--upstream_snapshot_endpoint", PublisherSnapshotEndpoint(),
      "--aggregator_query_endpoint", QueryEndpoint()};
  if (plaintext_) argv.push_back("--plaintext_for_development");
  argv.insert(argv.end(), extra_flags.begin(), extra_flags.end());
  return Launch("web", argv);
}

std::string MiniProvince::WebUrl() const { return fmt::format("http://127.0.0.1:{}", web_port_); }

Status MiniProvince::Launch(const std::string& name, std::vector<std::string> argv) {
  if (metrics_) {
    if (!metrics_ports_.count(name)) metrics_ports_[name] = FreeTcpPort();
    argv.insert(argv.end(), {"--metrics_endpoint", MetricsAddress(name)});
  }
  Node& node = nodes_[name];
  node.argv = std::move(argv);
  return Spawn(name, &node);
}

std::string MiniProvince::MetricsAddress(const std::string& node) const {
  auto it = metrics_ports_.find(node);
  return it == metrics_ports_.end() ? "" : fmt::format("127.0.0.1:{}", it->second);
}

Status MiniProvince::StartProgram(const std::string& name, std::vector<std::string> argv, std::string ready_text) {
  Node& node = nodes_[name];
  node.argv = std::move(argv);
  node.ready_text = std::move(ready_text);
  return Spawn(name, &node);
}

Status MiniProvince::Spawn(const std::string& name, Node* node) {
  size_t log_offset = ReadAll(LogPath(name)).size();
  const pid_t test_process = getpid();
  pid_t pid = fork();
  if (pid < 0) return Status::IOError("fork failed");
  if (pid == 0) {
    // The node dies with the test process, even one killed midway (ctest's timeout), which never
    // runs the destructor: orphans held ports and both cores, and failed the next run's timing
    // tests. The signal is sent when the forking thread ends; nodes are started only from the test's
    // main thread. exec keeps it (no set-user-ID program is run).
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != test_process) _exit(127);  // it died before prctl
    int fd = open(LogPath(name).c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    std::vector<char*> args;
    for (auto& a : node->argv) args.push_back(a.data());
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  node->pid = pid;
  return WaitReady(name, *node, log_offset);
}

Status MiniProvince::WaitReady(const std::string& name, const Node& node, size_t log_offset) {
  int64_t deadline = MonotonicMs() + ready_timeout_ms_;
  while (MonotonicMs() < deadline) {
    std::string log = ReadAll(LogPath(name));
    if (log.size() > log_offset && log.find(node.ready_text, log_offset) != std::string::npos) return Status::OK();
    int wstatus = 0;
    if (waitpid(node.pid, &wstatus, WNOHANG) == node.pid) {
      nodes_[name].pid = -1;
      return Status::IOError(fmt::format("{} exited before it was ready:\n{}", name, LogTail(name)));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return Status::Unavailable(fmt::format("{} not ready after {} ms:\n{}", name, ready_timeout_ms_, LogTail(name)));
}

Status MiniProvince::Signal(const std::string& node, int sig) const {
  pid_t pid = Pid(node);
  if (pid <= 0) return Status::NotFound(node + " is not running");
  kill(pid, sig);
  return Status::OK();
}

Status MiniProvince::Kill(const std::string& node) {
  TONGHOP_RETURN_IF_ERROR(Signal(node, SIGKILL));
  Node& n = nodes_.at(node);
  waitpid(n.pid, nullptr, 0);
  n.pid = -1;
  return Status::OK();
}

Status MiniProvince::Terminate(const std::string& node) {
  TONGHOP_RETURN_IF_ERROR(Signal(node, SIGCONT));
  TONGHOP_RETURN_IF_ERROR(Signal(node, SIGTERM));
  Node& n = nodes_.at(node);
  int wstatus = 0;
  waitpid(n.pid, &wstatus, 0);
  n.pid = -1;
  if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
    return Status::IOError(fmt::format("{} did not exit cleanly on SIGTERM (status {}):\n{}", node, wstatus, LogTail(node)));
  }
  return Status::OK();
}

Status MiniProvince::TerminateAll() {
  std::vector<std::string> order;
  for (const auto& [name, node] : nodes_) {
    if (name.starts_with("collector-")) order.push_back(name);
  }
  for (const char* name : {"web", "publisher", "aggregator"}) {
    if (nodes_.count(name)) order.push_back(name);
  }
  Status first;
  for (const auto& name : order) {
    Status s = Terminate(name);
    if (first.ok() && !s.ok()) first = s;
  }
  return first;
}

Status MiniProvince::Pause(const std::string& node) { return Signal(node, SIGSTOP); }
Status MiniProvince::Resume(const std::string& node) { return Signal(node, SIGCONT); }
Status MiniProvince::Reload(const std::string& node) { return Signal(node, SIGHUP); }

Status MiniProvince::Restart(const std::string& node) {
  auto it = nodes_.find(node);
  if (it == nodes_.end()) return Status::NotFound(node + " was never started");
  if (it->second.pid > 0) TONGHOP_RETURN_IF_ERROR(Kill(node));
  return Spawn(node, &it->second);
}

pid_t MiniProvince::Pid(const std::string& node) const {
  auto it = nodes_.find(node);
  return it == nodes_.end() ? -1 : it->second.pid;
}

bool MiniProvince::IsRunning(const std::string& node) {
  auto it = nodes_.find(node);
  if (it == nodes_.end() || it->second.pid <= 0) return false;
  int wstatus = 0;
  if (waitpid(it->second.pid, &wstatus, WNOHANG) == it->second.pid) {
    it->second.pid = -1;
    return false;
  }
  return true;
}

Status MiniProvince::Drop(const std::string& unit, const std::string& file) const {
  std::filesystem::path target = std::filesystem::path(DropDir(unit)) / std::filesystem::path(file).filename();
  std::filesystem::path hidden = target.parent_path() / ("." + target.filename().string());
  std::error_code ec;
  std::filesystem::create_directories(target.parent_path(), ec);
  std::filesystem::copy_file(file, hidden, std::filesystem::copy_options::overwrite_existing, ec);
  if (!ec) std::filesystem::rename(hidden, target, ec);
  if (ec) return Status::IOError(fmt::format("dropping {} for {}: {}", file, unit, ec.message()));
  return Status::OK();
}

Status DropTextInto(const std::string& drop_dir, const std::string& name, const std::string& text) {
  std::error_code ec;
  std::filesystem::create_directories(drop_dir, ec);
  if (ec) return Status::IOError(fmt::format("cannot make {}: {}", drop_dir, ec.message()));
  const std::string hidden = drop_dir + "/." + name;
  TONGHOP_RETURN_IF_ERROR(WriteStringToFile(hidden, text));
  std::filesystem::rename(hidden, drop_dir + "/" + name, ec);
  if (ec) return Status::IOError(fmt::format("cannot rename {} into place: {}", hidden, ec.message()));
  return Status::OK();
}

Status MiniProvince::DropText(const std::string& unit, const std::string& name, const std::string& text) const {
  return DropTextInto(DropDir(unit), name, text);
}

int MiniProvince::RunCli(const std::vector<std::string>& args, std::string* out, std::string* err) const {
  std::string err_path = root_ + "/logs/cli.stderr";
  std::string command = BinPath("tonghop");
  for (const auto& a : WithQueryTimeout(args)) command += " '" + a + "'";
  command += " 2>'" + err_path + "'";
  int status = 0;
  *out = testing::CommandOutput(command, &status);
  if (status == -1) return -1;
  *err = ReadAll(err_path);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

Status MiniProvince::WatchOnce(nlohmann::json* out) const {
  return WatchFeedOnce(PublisherPublishEndpoint(), PublisherSnapshotEndpoint(), watch_key_flags_, out);
}

Status MiniProvince::WatchAggregatorOnce(nlohmann::json* out) const {
  return WatchFeedOnce(AggregatorPublishEndpoint(), AggregatorSnapshotEndpoint(), {}, out);
}

Status MiniProvince::WatchFeedOnce(const std::string& publish_endpoint, const std::string& snapshot_endpoint,
                                   const std::vector<std::string>& key_flags, nlohmann::json* out) const {
  std::string printed, errors;
  std::vector<std::string> args = {"watch", "--once", "--json", "--publish_endpoint", publish_endpoint,
                                   "--snapshot_endpoint", snapshot_endpoint};
  args.insert(args.end(), key_flags.begin(), key_flags.end());
  int code = RunCli(args, &printed, &errors);
  if (code != 0) return Status::IOError(fmt::format("tonghop watch exited {}: {}{}", code, printed, errors));
  try {
    *out = nlohmann::json::parse(printed);
  } catch (const std::exception& e) {
    return Status::Corruption(fmt::format("tonghop watch did not print one JSON object ({}): {}", e.what(), printed));
  }
  return Status::OK();
}

Status MiniProvince::WaitForWatch(const std::function<bool(const nlohmann::json&)>& done, int timeout_ms,
                                  nlohmann::json* last) const {
  constexpr int kPollMs = 100;
  const int64_t deadline = MonotonicMs() + timeout_ms;
  std::string last_seen = "watch never ran";
  while (true) {
    nlohmann::json state;
    Status s = WatchOnce(&state);
    if (!s.ok()) {
      last_seen = "the last watch failed: " + s.ToString();
    } else if (!state.contains("aggregates") || !state["aggregates"].is_array()) {
      last_seen = "the last watch printed no aggregates: " + state.dump();
    } else {
      const bool met = done(state);
      last_seen = fmt::format("the last watch showed {} aggregates up to seq {}", state["aggregates"].size(),
                              state.value("seq", nlohmann::json()).dump());
      if (last != nullptr) *last = std::move(state);
      if (met) return Status::OK();
    }
    if (MonotonicMs() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(kPollMs));
  }
  return Status::Unavailable(
      fmt::format("the publisher's state was not as expected after {} ms; {}", timeout_ms, last_seen));
}

std::map<std::string, std::string> MiniProvince::CollectorStatus(const std::string& unit) const {
  std::string out, err;
  std::map<std::string, std::string> fields;
  if (RunCli({"--lang", "en", "collector-status", "--collector", CollectorApiEndpoint(unit)}, &out, &err) != 0) return fields;
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    size_t colon = line.find(": ");
    if (colon != std::string::npos) fields[line.substr(0, colon)] = line.substr(colon + 2);
  }
  return fields;
}

const nlohmann::json* FindAggregate(const nlohmann::json& state, std::string_view indicator, std::string_view period) {
  auto aggregates = state.find("aggregates");
  if (aggregates == state.end() || !aggregates->is_array()) return nullptr;
  for (const auto& a : *aggregates) {
    if (a.value("indicator", "") == indicator && a.value("period", "") == period) return &a;
  }
  return nullptr;
}

double RoundAsPrinted(double value, const std::string& printed) {
  size_t dot = printed.find('.');
  int decimals = dot == std::string::npos ? 0 : static_cast<int>(printed.size() - dot - 1);
  double scale = std::pow(10.0, decimals);
  return std::round(value * scale) / scale;
}

std::string MiniProvince::LogTail(const std::string& node, size_t lines) const {
  std::string log = ReadAll(LogPath(node));
  size_t pos = log.size();
  for (size_t i = 0; i <= lines && pos != std::string::npos && pos > 0; ++i) pos = log.rfind('\n', pos - 1);
  return "--- " + node + " log ---\n" + (pos == std::string::npos ? log : log.substr(pos + 1));
}

}  // namespace tonghop::testing
