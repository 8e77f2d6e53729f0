#include "core/zap_handler.h"

#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <zmq_addon.hpp>

namespace tonghop {
namespace {

constexpr char kZapEndpoint[] = "inproc://zeromq.zap.01";
constexpr size_t kCurveKeyBytes = 32;

std::string Text(const zmq::message_t& frame) { return std::string(frame.data<char>(), frame.size()); }

}  // namespace

ZapHandler::ZapHandler(zmq::context_t& context) : context_(context) {}

ZapHandler::~ZapHandler() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
}

Status ZapHandler::Start(std::shared_ptr<const KeyRegistry> registry) {
  SetRegistry(std::move(registry));
  try {
    socket_ = zmq::socket_t(context_, zmq::socket_type::rep);
    socket_.set(zmq::sockopt::linger, 0);
    socket_.bind(kZapEndpoint);
  } catch (const zmq::error_t& e) {
    return Status::IOError(fmt::format("cannot start the ZAP handler on {}: {}", kZapEndpoint, e.what()));
  }
  // The thread owns the socket from here on.
  thread_ = std::thread([this] { Serve(); });
  return Status::OK();
}

void ZapHandler::SetRegistry(std::shared_ptr<const KeyRegistry> registry) {
  std::lock_guard lock(mutex_);
  registry_ = std::move(registry);
}

std::shared_ptr<const KeyRegistry> ZapHandler::registry() const {
  std::lock_guard lock(mutex_);
  return registry_;
}

void ZapHandler::Serve() {
  while (!stop_.load()) {
    std::vector<zmq::pollitem_t> items = {{socket_.handle(), 0, ZMQ_POLLIN, 0}};
    try {
      zmq::poll(items, std::chrono::milliseconds(100));
      if (!(items[0].revents & ZMQ_POLLIN)) continue;
      std::vector<zmq::message_t> request;
      if (!zmq::recv_multipart(socket_, std::back_inserter(request), zmq::recv_flags::dontwait)) continue;
      Answer(request);
    } catch (const zmq::error_t& e) {
      if (e.num() == ETERM) break;
      if (e.num() != EINTR) spdlog::warn("ZAP handler: {}", e.what());
    }
  }
  socket_.close();
}

void ZapHandler::Answer(std::vector<zmq::message_t>& request) {
  // RFC 27: version, request id, domain, address, routing id, mechanism, credentials...
  std::string status = "400";
  std::string text = "malformed ZAP request";
  std::string user_id;
  if (request.size() >= 6 && Text(request[0]) == "1.0") {
    const std::string domain = Text(request[2]);
    const std::string address = Text(request[3]);
    const std::string mechanism = Text(request[5]);
    std::string key;
    if (mechanism == "CURVE" && request.size() >= 7 && request[6].size() == kCurveKeyBytes) {
      char z85[41];
      zmq_z85_encode(z85, request[6].data<uint8_t>(), kCurveKeyBytes);
      key = z85;
    }
    auto registry = this->registry();
    const RegisteredKey* entry = key.empty() || !registry ? nullptr : registry->Find(key);
    if (mechanism != "CURVE") {
      text = fmt::format("this endpoint requires CURVE; the client connected with {}", mechanism);
    } else if (entry == nullptr) {
      text = "the client's public key is not in the key registry";
    } else if (!KeyRegistry::Admits(domain, entry->role)) {
      text = fmt::format("the key of {} '{}' may not connect to a '{}' endpoint", entry->role, entry->name, domain);
    } else {
      status = "200";
      text = "OK";
      user_id = key;
    }
    if (status == "200") {
      admitted_.fetch_add(1);
      spdlog::debug("ZAP: admitted {} '{}' from {}", entry->role, entry->name, address);
    } else {
      refused_.fetch_add(1);
      if (refusal_log_.Allow()) {
        spdlog::warn("refused a connection from {} to the {} endpoint: {}{} ({} more refusals held back)", address,
                     domain, text, key.empty() ? "" : fmt::format(" (public key {})", key), refusal_log_.suppressed());
      }
    }
  }
  std::vector<zmq::const_buffer> reply = {
      zmq::str_buffer("1.0"),
      zmq::buffer(request.size() >= 2 ? request[1].data() : nullptr, request.size() >= 2 ? request[1].size() : 0),
      zmq::buffer(status), zmq::buffer(text), zmq::buffer(user_id), zmq::const_buffer()};
  zmq::send_multipart(socket_, reply);
}

std::string PeerPublicKey(const zmq::message_t& frame) {
  const char* user_id = zmq_msg_gets(const_cast<zmq_msg_t*>(frame.handle()), "User-Id");
  return user_id == nullptr ? std::string() : std::string(user_id);
}

}  // namespace tonghop
