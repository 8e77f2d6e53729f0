// TcpProxy: a TCP forwarder of the test's own between a node and the endpoint it connects to, for
// the network faults this kernel cannot make (it has no tc netem): added delay, connections reset
// at random, and a half-open link. It listens on 127.0.0.1 and, for each connection it accepts,
// connects to the upstream address and copies bytes both ways on one thread of its own.
//
// Knobs, which may be turned while it runs:
//  - delay: every chunk of bytes is held this long before it is passed on, in each direction
//    (order is kept, so the link behaves as a longer wire).
//  - reset probability: each chunk read kills its connection with this chance, with a TCP RST to
//    both sides and the chunk lost. TCP itself never loses bytes; this is how "loss" looks to a
//    ZeroMQ peer: a reset, and whatever was in flight gone.
//  - half-open: nothing is read or written any more, and new connections are accepted and held
//    the same way, but nothing is closed: both peers see an established connection that has gone
//    silent, as behind a dead router or a NAT that dropped its state. Turning it off resumes
//    forwarding what the kernel has buffered meanwhile.
// A chunk is whatever one read() returned, at most 64 KiB. Each direction buffers at most 1 MiB
// before it stops reading, so a stalled reader pushes back on its writer as TCP would.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>

#include "core/status.h"

namespace tonghop::testing {

class TcpProxy {
 public:
  // Forwards to upstream_host:upstream_port (numeric IPv4). `seed` makes the random resets
  // repeatable.
  TcpProxy(std::string upstream_host, int upstream_port, uint32_t seed = 1);
  ~TcpProxy();  // stops the thread and closes every connection
  TcpProxy(const TcpProxy&) = delete;
  TcpProxy& operator=(const TcpProxy&) = delete;

  // Binds 127.0.0.1 on a free port and starts forwarding.
  Status Start();

  // What a ZeroMQ node connects to instead of the upstream: tcp://127.0.0.1:<port>.
  std::string endpoint() const;

  void set_delay_ms(int ms) { delay_ms_ = ms; }
  void set_reset_probability(double p) { reset_probability_ = p; }
  void set_half_open(bool on) { half_open_ = on; }

  uint64_t connections_accepted() const { return accepted_; }
  uint64_t connections_reset() const { return resets_; }

 private:
  void Run();

  std::string upstream_host_;
  int upstream_port_;
  uint32_t seed_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int> delay_ms_{0};
  std::atomic<double> reset_probability_{0.0};
  std::atomic<bool> half_open_{false};
  std::atomic<uint64_t> accepted_{0};
  std::atomic<uint64_t> resets_{0};
};

}  // namespace tonghop::testing
