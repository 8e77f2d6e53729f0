// PeerConnections: the connections a bound socket has accepted, followed through its socket
// monitor, so that a server can cut one peer off. libzmq 4.3.4 has no API for that (the DRAFT
// API, which Debian does not build, is where disconnect notices live), yet a server must be able
// to drop a peer that abuses it. A message's connection is known by the descriptor libzmq reports
// for it (zmq_msg_get(ZMQ_SRCFD), from the connection's metadata).
//
// Cutting off shuts the descriptor down (shutdown(2), not close: the descriptor stays libzmq's).
// libzmq then sees the connection end as if the peer had closed it, and frees everything it held
// for it: its queues, its subscriptions. Only a descriptor the monitor reports open is shut down;
// the one race left is a connection that closes and whose descriptor number is taken by a new
// connection within those microseconds, which would then be cut off instead. Sockets followed
// here must not use ZMTP heartbeats (no tonghop socket does, core/transport.h): libzmq 4.3.4 aborts on
// a heartbeat tick of a connection whose input stopped and that then ends (shared
// ENGINEERING-NOTES).
//
// A thread of its own follows the monitor and polices every TCP connection, within milliseconds
// (5 ms with up to 100 connections, 1 ms more for each 20 beyond) and whatever the owner is doing,
// against two limits:
//  - what the peer sends: more than inbound_burst_bytes at once, or more than
//    inbound_bytes_per_second over time. This is what bounds a flood of subscriptions: libzmq's
//    XPUB takes in everything a connection sends, in one go inside whichever call the owner
//    makes on it, before the owner can read and count a single message;
//  - what the peer takes: a peer that has acknowledged none of the data waiting for it for
//    stall_timeout_ms does not read, and what is queued for it would stay.
// IPC connections are local and only followed.
//
// Thread-safety: every method but the constructor and destructor may be called from any one
// thread at a time (the socket's owner); the class guards what it shares with its thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <zmq.hpp>

#include "core/log_limiter.h"
#include "core/status.h"

namespace tonghop {

class PeerConnections {
 public:
  struct Limits {
    // 0: no limit.
    int64_t inbound_burst_bytes = 0;
    int64_t inbound_bytes_per_second = 0;
    int stall_timeout_ms = 0;
  };

  // Follows `socket`'s connections; `socket` must outlive this. `peers` names them in the log
  // lines of cut-offs ("subscriber").
  PeerConnections(zmq::context_t& context, zmq::socket_t& socket, std::string peers);
  ~PeerConnections();  // stops the monitor and the thread
  PeerConnections(const PeerConnections&) = delete;
  PeerConnections& operator=(const PeerConnections&) = delete;

  // Starts the monitor and the thread. Call before the socket binds, so that no connection goes
  // unseen. The flags named in `flags_hint` appear in the log lines of cut-offs.
  Status Start(const Limits& limits, std::string flags_hint);

  // The connections (descriptors) closed since the last call, whether by their peer or cut off.
  std::vector<int> TakeClosed();

  // Cuts off the open connection `fd`. False when it is not open (closed already, or not a
  // connection of this socket).
  bool CutOff(int fd);

  // Whether `fd` is an open connection of the socket.
  bool IsOpen(int fd);

  // Open connections.
  size_t size();

  // Connections the thread cut off so far, for what it sent or for not reading (metrics).
  uint64_t cut_offs() const { return cut_offs_.load(std::memory_order_relaxed); }

  // The descriptor of the connection `message` came from; -1 when libzmq does not say (an
  // in-process peer, or a message libzmq made itself).
  static int SourceFd(const zmq::message_t& message);

 private:
  struct Connection {
    bool tcp = true;
    bool cut_off = false;
    // What the peer sent, and what it may still send now.
    uint64_t bytes_received = 0;
    double inbound_allowance = 0;
    int64_t allowance_ms = 0;
    // What the peer took.
    uint64_t bytes_acked = 0;
    int64_t stalled_since_ms = 0;  // 0: data waiting for the peer is being taken
  };
  void Run(zmq::socket_t& monitor);
  // On the thread, with mutex_ held.
  void ReadEvents(zmq::socket_t& monitor);
  void CheckInbound(int fd, Connection& connection, int64_t now_ms);
  void CheckStalled(int64_t now_ms);
  void Shut(int fd, Connection& connection, const std::string& why);

  zmq::context_t& context_;
  zmq::socket_t& socket_;
  const std::string peers_;
  std::string flags_hint_;
  std::string monitor_endpoint_;
  Limits limits_;
  bool started_ = false;
  int wake_fd_ = -1;  // an eventfd: the destructor wakes the thread through it
  std::thread thread_;

  std::mutex mutex_;
  std::unordered_map<int, Connection> open_;
  std::vector<int> closed_;
  LogLimiter cut_off_log_;
  std::atomic<uint64_t> cut_offs_{0};
};

}  // namespace tonghop
