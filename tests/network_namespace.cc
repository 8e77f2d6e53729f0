#include "tests/network_namespace.h"

#include <cerrno>
#include <csignal>
#include <fmt/format.h>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

namespace tonghop::testing {
namespace {

// /30 blocks of 10.231.0.0/16.
constexpr int kSubnets = 1 << 14;

std::string IpBinary() {
  for (const char* path : {"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"}) {
    if (access(path, X_OK) == 0) return path;
  }
  return "";
}

// Runs `ip ARGS...`; *output gets what it printed on stdout and stderr.
Status RunIp(const std::vector<std::string>& args, std::string* output = nullptr) {
  const std::string ip = IpBinary();
  if (ip.empty()) return Status::NotFound("no ip binary (install iproute2)");
  int fds[2];
  if (pipe(fds) != 0) return Status::IOError("pipe failed");
  pid_t pid = fork();
  if (pid < 0) return Status::IOError("fork failed");
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    dup2(fds[1], STDERR_FILENO);
    close(fds[0]);
    std::vector<std::string> argv = {ip};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> cargs;
    for (auto& a : argv) cargs.push_back(a.data());
    cargs.push_back(nullptr);
    execv(cargs[0], cargs.data());
    _exit(127);
  }
  close(fds[1]);
  std::string text;
  char buffer[4096];
  ssize_t n;
  while ((n = read(fds[0], buffer, sizeof buffer)) > 0 || (n < 0 && errno == EINTR)) {
    if (n > 0) text.append(buffer, n);
  }
  close(fds[0]);
  int wstatus = 0;
  waitpid(pid, &wstatus, 0);
  if (output != nullptr) *output = text;
  if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
    std::string command = "ip";
    for (const auto& a : args) command += " " + a;
    return Status::IOError(fmt::format("`{}` failed: {}", command, text));
  }
  return Status::OK();
}

// The owner pid in a name of ours, or 0 when the name is not ours.
pid_t OwnerOf(const std::string& name) {
  const std::string prefix = NetworkNamespace::kPrefix;
  if (name.compare(0, prefix.size(), prefix) != 0) return 0;
  pid_t pid = 0;
  for (size_t i = prefix.size(); i < name.size() && isdigit(static_cast<unsigned char>(name[i])); ++i) {
    pid = pid * 10 + (name[i] - '0');
  }
  return pid;
}

bool OwnerGone(const std::string& name) {
  pid_t pid = OwnerOf(name);
  return pid > 0 && kill(pid, 0) != 0 && errno == ESRCH;
}

}  // namespace

bool NetworkNamespace::Available(std::string* why) {
  if (geteuid() != 0) {
    *why = "network namespaces need root (CI runs this test as root)";
    return false;
  }
  if (IpBinary().empty()) {
    *why = "no ip binary: install iproute2 (deploy/install-deps.sh does)";
    return false;
  }
  const std::string probe = fmt::format("{}{}p", kPrefix, getpid());
  Status s = RunIp({"netns", "add", probe});
  if (!s.ok()) {
    *why = "cannot make a network namespace here: " + s.message();
    return false;
  }
  (void)RunIp({"netns", "delete", probe});
  return true;
}

void NetworkNamespace::RemoveStale() {
  std::string listing;
  if (RunIp({"netns", "list"}, &listing).ok()) {
    std::istringstream lines(listing);
    std::string line;
    while (std::getline(lines, line)) {
      std::string name = line.substr(0, line.find(' '));
      if (OwnerGone(name)) (void)RunIp({"netns", "delete", name});
    }
  }
  // Host ends left by a run that died between making a pair and moving its other end away.
  if (RunIp({"-o", "link", "show"}, &listing).ok()) {
    std::istringstream lines(listing);
    std::string line;
    while (std::getline(lines, line)) {
      size_t start = line.find(": ");
      if (start == std::string::npos) continue;
      start += 2;
      std::string name = line.substr(start, line.find_first_of("@:", start) - start);
      if (OwnerGone(name)) (void)RunIp({"link", "delete", name});
    }
  }
}

Status NetworkNamespace::Create(int index, std::unique_ptr<NetworkNamespace>* out) {
  RemoveStale();
  std::string addresses;
  TONGHOP_RETURN_IF_ERROR(RunIp({"-o", "-4", "addr", "show"}, &addresses));
  int subnet = -1;
  for (int i = 0; i < kSubnets; ++i) {
    // Start where this process's index points, so concurrent runs rarely even try the same one.
    int candidate = (getpid() * 16 + index + i) % kSubnets;
    std::string host = fmt::format("10.231.{}.{}/", candidate / 64, (candidate % 64) * 4 + 1);
    if (addresses.find(" " + host) == std::string::npos) {
      subnet = candidate;
      break;
    }
  }
  if (subnet < 0) return Status::Unavailable("every /30 of 10.231.0.0/16 is taken");
  const std::string base = fmt::format("10.231.{}.", subnet / 64);
  const int first = (subnet % 64) * 4;
  const std::string name = fmt::format("{}{}x{}", kPrefix, getpid(), index);
  if (name.size() + 1 > 15) return Status::InvalidArgument("namespace name too long for a link: " + name);

  // From here on the destructor undoes whatever was made.
  out->reset(new NetworkNamespace(name, base + std::to_string(first + 1), base + std::to_string(first + 2)));
  const std::string host_end = name + "h", inner_end = name + "n";
  TONGHOP_RETURN_IF_ERROR(RunIp({"netns", "add", name}));
  TONGHOP_RETURN_IF_ERROR(RunIp({"link", "add", host_end, "type", "veth", "peer", "name", inner_end}));
  TONGHOP_RETURN_IF_ERROR(RunIp({"link", "set", inner_end, "netns", name}));
  TONGHOP_RETURN_IF_ERROR(RunIp({"addr", "add", (*out)->host_address_ + "/30", "dev", host_end}));
  TONGHOP_RETURN_IF_ERROR(RunIp({"link", "set", host_end, "up"}));
  TONGHOP_RETURN_IF_ERROR(RunIp({"-n", name, "addr", "add", (*out)->inner_address_ + "/30", "dev", inner_end}));
  TONGHOP_RETURN_IF_ERROR(RunIp({"-n", name, "link", "set", inner_end, "up"}));
  TONGHOP_RETURN_IF_ERROR(RunIp({"-n", name, "link", "set", "lo", "up"}));
  return Status::OK();
}

NetworkNamespace::~NetworkNamespace() {
  (void)RunIp({"netns", "delete", name_});
  // Only still there when the pair was never moved into the namespace.
  std::string ignored;
  if (RunIp({"link", "show", name_ + "h"}, &ignored).ok()) (void)RunIp({"link", "delete", name_ + "h"});
}

std::vector<std::string> NetworkNamespace::ExecPrefix() const { return {IpBinary(), "netns", "exec", name_}; }

Status NetworkNamespace::CutLink() { return RunIp({"link", "set", name_ + "h", "down"}); }

Status NetworkNamespace::RestoreLink() { return RunIp({"link", "set", name_ + "h", "up"}); }

}  // namespace tonghop::testing
