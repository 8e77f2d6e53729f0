#include "collector/local_api.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "collector/figure_check.h"
#include "core/clock.h"
#include "core/wire_protocol.h"
#include "core/wire_text.h"

namespace tonghop {
namespace {

// Whether a process accepts connections on the unix socket at `path`.
bool SocketIsServed(const std::string& path) {
  sockaddr_un addr{};
  if (path.size() >= sizeof(addr.sun_path)) return false;
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  bool served = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  ::close(fd);
  return served;
}

}  // namespace

LocalApi::LocalApi(zmq::context_t& context, LocalApiOptions options, Outbox* outbox,
                   std::vector<const Sender*> senders)
    : options_(std::move(options)), context_(context), outbox_(outbox), senders_(std::move(senders)) {}

Status LocalApi::Start() {
  // libzmq replaces a leftover ipc socket file when binding, even one a live process serves: check
  // first that nobody does.
  constexpr std::string_view kIpc = "ipc://";
  if (options_.endpoint.starts_with(kIpc) && SocketIsServed(options_.endpoint.substr(kIpc.size()))) {
    return Status::Unavailable(fmt::format(
        "another process serves --submit_endpoint {}; stop it or choose another endpoint", options_.endpoint));
  }
  try {
    router_ = zmq::socket_t(context_, zmq::socket_type::router);
    ConfigureRouter(router_, options_.link);
    router_.bind(options_.endpoint);
  } catch (const zmq::error_t& e) {
    return Status::IOError(fmt::format(
        "cannot bind --submit_endpoint {}: {}; choose a free endpoint in a writable folder",
        options_.endpoint, e.what()));
  }
  return Status::OK();
}

zmq::pollitem_t LocalApi::PollItem() { return {router_.handle(), 0, ZMQ_POLLIN, 0}; }

void LocalApi::Process() {
  try {
    while (true) {
      std::vector<zmq::message_t> frames(1);
      if (!router_.recv(frames[0], zmq::recv_flags::dontwait)) break;
      while (frames.back().more()) {
        zmq::message_t frame;
        if (!router_.recv(frame, zmq::recv_flags::dontwait)) break;
        frames.push_back(std::move(frame));
      }
      if (frames.size() < 2) continue;  // a ROUTER always sees [identity]...[body]

      tonghop::v1::LocalRequest request;
      tonghop::v1::LocalReply reply;
      if (Status parsed = ParseWireMessage(frames.back().to_string_view(), &request); !parsed.ok()) {
        reply.set_error(fmt::format("malformed request: {}; use `tonghop submit` or `tonghop collector-status`",
                                    parsed.message()));
      } else if (request.has_submit()) {
        Language language = options_.language;
        if (!request.language().empty()) (void)ParseLanguage(request.language(), &language);
        reply = Submit(request.submit(), language);
      } else if (request.has_verdict()) {
        reply = Verdicts(request.verdict());
      } else if (request.has_status()) {
        reply = OutboxStatus();
      } else {
        reply.set_error("empty request: set submit, verdict or status");
      }
      Status s = SendReply(router_, frames, reply);
      if (!s.ok() && client_log_.Allow()) {
        spdlog::warn("cannot answer a local client (gone?): {}", s.message());
      }
    }
  } catch (const zmq::error_t& e) {
    // EHOSTUNREACH under ROUTER_MANDATORY: the client left before its answer.
    if (client_log_.Allow()) spdlog::warn("cannot answer a local client (gone?): {}", e.what());
  }
}

tonghop::v1::LocalReply LocalApi::Submit(const tonghop::v1::SubmitRequest& request, Language language) {
  tonghop::v1::LocalReply reply;
  if (request.figures().empty()) {
    reply.set_error(Text(language, Msg::kSubmitNoFigures));
    return reply;
  }
  std::vector<tonghop::v1::IndicatorUpdate> figures(request.figures().begin(), request.figures().end());
  std::string errors;
  const int64_t now = NowMs();
  for (size_t i = 0; i < figures.size(); ++i) {
    auto& figure = figures[i];
    if (figure.observed_at_ms() == 0) figure.set_observed_at_ms(now);
    std::vector<FieldError> problems = CheckFigure(options_.reporting_unit, language, &figure);
    // The catalog judges a figure the collector's own checks passed.
    if (problems.empty() && options_.catalog != nullptr) problems = options_.catalog->Check(figure, now);
    for (const FieldError& e : problems) {
      errors += (errors.empty() ? "" : "; ") + Text(language, Msg::kSubmitFigureProblem, i + 1,
                                                    EscapeInvalidUtf8(figure.indicator()),
                                                    EscapeInvalidUtf8(figure.period()), e.field, e.why);
    }
  }
  if (!errors.empty()) {
    reply.set_error(Text(language, Msg::kSubmitNothingStored, errors));
    return reply;
  }
  if (Status s = outbox_->Append(&figures); !s.ok()) {
    spdlog::error("cannot store {} submitted figures: {}", figures.size(), s.message());
    reply.set_error(fmt::format("{}. Nothing was stored; submit again once that is fixed", s.message()));
    return reply;
  }
  for (const auto& figure : figures) reply.add_seqs(figure.seq());
  spdlog::info("stored {} submitted figures (seqs {}..{})", figures.size(), figures.front().seq(),
               figures.back().seq());
  return reply;
}

tonghop::v1::LocalReply LocalApi::OutboxStatus() const {
  tonghop::v1::LocalReply reply;
  reply.set_pending(outbox_->pending_count());
  reply.set_next_seq(outbox_->next_seq());
  reply.set_rejected_total(outbox_->rejected_count());
  // The summary fields speak for every link: reachable only if each is, the oldest last ack, the
  // first link's storage error.
  reply.set_aggregator_reachable(true);
  uint64_t lost = 0;
  for (size_t i = 0; i < senders_.size(); ++i) {
    const Sender& sender = *senders_[i];
    tonghop::v1::AggregatorLink* link = reply.add_aggregators();
    link->set_endpoint(sender.aggregator_endpoint());
    link->set_pending(outbox_->pending_count(i));
    link->set_settled_seq(outbox_->settled_seq(i));
    link->set_reachable(sender.aggregator_reachable());
    link->set_last_ack_at_ms(sender.last_ack_at_ms());
    link->set_aggregator_error(sender.aggregator_storage_error());
    if (!sender.aggregator_reachable()) reply.set_aggregator_reachable(false);
    if (i == 0 || sender.last_ack_at_ms() < reply.last_ack_at_ms()) reply.set_last_ack_at_ms(sender.last_ack_at_ms());
    if (reply.aggregator_error().empty()) reply.set_aggregator_error(sender.aggregator_storage_error());
    lost += sender.lost();
  }
  reply.set_reporting_unit(options_.reporting_unit);
  reply.set_outbox_id(outbox_->id());
  reply.set_unreadable_total(outbox_->unreadable_count());
  reply.set_last_unreadable(outbox_->last_unreadable());
  reply.set_retained(outbox_->retained_count());
  reply.set_oldest_retained_at_ms(outbox_->oldest_retained_at_ms());
  reply.set_lost_total(lost);
  return reply;
}

tonghop::v1::LocalReply LocalApi::Verdicts(const tonghop::v1::VerdictRequest& request) const {
  tonghop::v1::LocalReply reply;
  for (uint64_t seq : request.seqs()) {
    if (seq == 0 || seq >= outbox_->next_seq()) {
      reply.clear_verdicts();
      reply.set_error(fmt::format("no figure was submitted as seq {} to this outbox (next seq: {})", seq,
                                  outbox_->next_seq()));
      return reply;
    }
    tonghop::v1::Verdict* verdict = reply.add_verdicts();
    verdict->set_seq(seq);
    // The verdict of the first aggregator that settled it: both judge by the same catalog, and the
    // officer need not wait for the second of a pair.
    const Sender* settled_by = nullptr;
    for (size_t i = 0; i < senders_.size() && settled_by == nullptr; ++i) {
      if (outbox_->settled_seq(i) >= seq) settled_by = senders_[i];
    }
    if (settled_by == nullptr) {
      verdict->set_state(tonghop::v1::VERDICT_STATE_PENDING);
    } else if (auto rejected = outbox_->FindRejected(seq)) {
      verdict->set_state(tonghop::v1::VERDICT_STATE_REFUSED);
      verdict->set_reason(rejected->reason());
      verdict->set_text(rejected->text());
    } else {
      verdict->set_state(settled_by->AckedAsDuplicate(seq).value_or(false) ? tonghop::v1::VERDICT_STATE_DUPLICATE
                                                                            : tonghop::v1::VERDICT_STATE_STORED);
    }
  }
  return reply;
}

}  // namespace tonghop
