#include "bench/flooder.h"

#include <chrono>

#include "tonghop/v1/tonghop.pb.h"

namespace tonghop::bench {

Flooder::Flooder(zmq::context_t& context, std::string ingest_endpoint, CurveSocketKeys curve)
    : context_(context), endpoint_(std::move(ingest_endpoint)), curve_(std::move(curve)) {}

Flooder::~Flooder() { Stop(); }

void Flooder::Start() {
  if (running_.exchange(true)) return;
  thread_ = std::thread([this] { Flood(); });
}

void Flooder::Stop() {
  if (!running_.exchange(false)) return;
  thread_.join();
}

void Flooder::Flood() {
  zmq::socket_t socket(context_, zmq::socket_type::dealer);
  LinkOptions link;
  link.curve = curve_;
  link.receive_hwm = 1;  // reads nothing: the answers pile up at the aggregator
  ConfigureSocket(socket, link);
  socket.connect(endpoint_);
  tonghop::v1::CollectorMessage heartbeat;
  heartbeat.mutable_heartbeat()->set_sent_at_ms(1);
  const std::string bytes = heartbeat.SerializeAsString();
  while (running_.load()) {
    if (socket.send(zmq::buffer(bytes), zmq::send_flags::dontwait)) {
      sent_.fetch_add(1, std::memory_order_relaxed);
    } else {
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  }
}

}  // namespace tonghop::bench
