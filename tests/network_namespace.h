// NetworkNamespace: a network namespace of the test's own, joined to the root namespace by a veth
// pair with a /30 of its own, so that a test can run a node on "another machine" (`ip netns exec`)
// and cut its link (`ip link set down`) while it runs. Needs root; Available() says why not.
//
// Contract:
//  - Everything it makes is named <kPrefix><owner pid>x<index>: the namespace, and the veth ends
//    ...h (root namespace) and ...n (inside). A name never exceeds the kernel's 15 bytes.
//  - Addresses are 10.231.<a>.<b>/30 pairs (host end .1 of the /30, inner end .2), on a /30 that
//    no interface of the root namespace holds yet, so concurrent test runs do not collide.
//  - The destructor removes the namespace, which destroys both veth ends; Create() first removes
//    whatever a run that died without its destructors left behind (names of the prefix whose
//    owner pid no longer exists). Nothing of another live run is touched.
//  - Cutting takes the host end down: the inner end loses its carrier and packets vanish, as
//    with a cut cable; nothing tells the sockets on either side.
// Not thread-safe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/status.h"

namespace tonghop::testing {

class NetworkNamespace {
 public:
  static constexpr char kPrefix[] = "thnt";

  // True when this process can make namespaces and veth pairs; otherwise *why says what is missing.
  static bool Available(std::string* why);

  // Makes namespace number `index` of this process, with its veth pair up and addressed, and
  // loopback up inside it.
  static Status Create(int index, std::unique_ptr<NetworkNamespace>* out);

  ~NetworkNamespace();
  NetworkNamespace(const NetworkNamespace&) = delete;
  NetworkNamespace& operator=(const NetworkNamespace&) = delete;

  // The root namespace's end: what a node inside connects to.
  const std::string& host_address() const { return host_address_; }
  // A command prefix that runs a program inside the namespace.
  std::vector<std::string> ExecPrefix() const;

  Status CutLink();
  Status RestoreLink();

 private:
  NetworkNamespace(std::string name, std::string host_address, std::string inner_address)
      : name_(std::move(name)), host_address_(std::move(host_address)), inner_address_(std::move(inner_address)) {}
  static void RemoveStale();

  std::string name_;
  std::string host_address_;
  std::string inner_address_;
};

}  // namespace tonghop::testing
