#include "aggregator/ingest_authorizer.h"

#include <set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace tonghop {

IngestAuthorizer::IngestAuthorizer(zmq::context_t& context, const Catalog* catalog)
    : context_(context), catalog_(catalog) {}

Status IngestAuthorizer::Load(std::shared_ptr<const KeyRegistry>* out) const {
  auto registry = std::make_shared<KeyRegistry>();
  TONGHOP_RETURN_IF_ERROR(KeyRegistry::LoadFromFile(registry_file_, registry.get()));
  for (const auto& key : registry->keys()) {
    if (key.role == KeyRegistry::kCollector && catalog_->FindUnit(key.name) == nullptr) {
      return Status::InvalidArgument(fmt::format(
          "{}:{}: field 'name': '{}' is not a reporting unit of the catalog; a collector's key is registered "
          "under its unit's code (units.csv)", registry_file_, key.line, key.name));
    }
  }
  *out = std::move(registry);
  return Status::OK();
}

Status IngestAuthorizer::Start(const std::string& registry_file, int max_outboxes_per_unit) {
  registry_file_ = registry_file;
  max_outboxes_per_unit_ = max_outboxes_per_unit;
  std::shared_ptr<const KeyRegistry> registry;
  TONGHOP_RETURN_IF_ERROR(Load(&registry));
  registry_.store(registry);
  zap_ = std::make_unique<ZapHandler>(context_);
  TONGHOP_RETURN_IF_ERROR(zap_->Start(registry));
  spdlog::info("CURVE on: key registry {} admits {} collector, {} publisher and {} office keys", registry_file_,
               registry->Count(KeyRegistry::kCollector), registry->Count(KeyRegistry::kPublisher),
               registry->Count(KeyRegistry::kOffice));
  return Status::OK();
}

void IngestAuthorizer::Reload() {
  if (!enabled()) {
    spdlog::info("SIGHUP: nothing to reload in plain-text mode");
    return;
  }
  std::shared_ptr<const KeyRegistry> fresh;
  if (Status s = Load(&fresh); !s.ok()) {
    spdlog::error("SIGHUP: the key registry was not reloaded, the previous one stays in force: {}", s.message());
    return;
  }
  std::set<std::string> before, after;
  for (const auto& key : registry_.load()->keys()) before.insert(key.role + " " + key.name + " " + key.public_key);
  for (const auto& key : fresh->keys()) after.insert(key.role + " " + key.name + " " + key.public_key);
  for (const auto& entry : before) {
    if (!after.count(entry)) spdlog::info("SIGHUP: key revoked: {}", entry);
  }
  for (const auto& entry : after) {
    if (!before.count(entry)) spdlog::info("SIGHUP: key added: {}", entry);
  }
  registry_.store(fresh);
  zap_->SetRegistry(fresh);
  spdlog::info("SIGHUP: key registry {} reloaded: {} collector, {} publisher and {} office keys", registry_file_,
               fresh->Count(KeyRegistry::kCollector), fresh->Count(KeyRegistry::kPublisher),
               fresh->Count(KeyRegistry::kOffice));
}

namespace {

// The key of outboxes_of_owner_: a unit's code, or "office:" and the office's name (a unit code
// has no ':'; the catalog's codes are ids).
std::string OwnerOf(const tonghop::storage::v1::OutboxPosition& position) {
  if (!position.owner_office().empty()) return "office:" + position.owner_office();
  return position.owner_unit();
}

}  // namespace

std::string IngestAuthorizer::Authorize(const zmq::message_t& body,
                                        const tonghop::storage::v1::OutboxPosition& position, Sender* sender) const {
  *sender = Sender();
  if (!enabled()) return "";
  const std::shared_ptr<const KeyRegistry> registry = registry_.load();
  const RegisteredKey* entry = registry->Find(PeerPublicKey(body));
  if (entry == nullptr || !KeyRegistry::Admits(KeyRegistry::kIngestDomain, entry->role)) {
    return "the sender's key is no longer in the key registry as a collector or office key (revoked); nothing was "
           "stored";
  }
  const bool office = entry->role == KeyRegistry::kOffice;
  // Who owns the outbox, and who the key is, in the same words.
  const std::string owner = OwnerOf(position);
  const std::string key_owner = office ? "office:" + entry->name : entry->name;
  auto describe = [](const std::string& who) {
    return who.starts_with("office:") ? fmt::format("the office key '{}'", who.substr(7)) : fmt::format("unit '{}'", who);
  };
  if (!owner.empty() && owner != key_owner) {
    return fmt::format("field 'outbox_id': this outbox belongs to {}, not to {}, whose key sent the batch; nothing was "
                       "stored", describe(owner), describe(key_owner));
  }
  if (owner.empty() && OutboxesOf(key_owner) >= static_cast<size_t>(max_outboxes_per_unit_)) {
    if (outbox_cap_hits_ != nullptr) outbox_cap_hits_->Increment();
    return fmt::format(
        "field 'outbox_id': {} already has {} outboxes, the most --max_outboxes_per_unit allows, and this "
        "one is new; nothing was stored. A collector starts a new outbox only when its data folder is new "
        "(reinstalled) and `tonghop import` one per file it loads: if that is what happened, raise "
        "--max_outboxes_per_unit and restart the aggregator; otherwise the key may be misused: revoke or rotate it "
        "(docs/SECURITY.md)",
        office ? fmt::format("office key '{}'", entry->name) : fmt::format("unit '{}'", entry->name),
        OutboxesOf(key_owner));
  }
  sender->role = entry->role;
  sender->name = entry->name;
  return "";
}

std::string IngestAuthorizer::UnitOf(const zmq::message_t& body) const {
  if (!enabled()) return "";
  const std::shared_ptr<const KeyRegistry> registry = registry_.load();
  const RegisteredKey* entry = registry->Find(PeerPublicKey(body));
  return entry != nullptr && entry->role == KeyRegistry::kCollector ? entry->name : "";
}

std::string IngestAuthorizer::IngestKeyOf(const zmq::message_t& body) const {
  if (!enabled()) return "";
  const std::shared_ptr<const KeyRegistry> registry = registry_.load();
  const RegisteredKey* entry = registry->Find(PeerPublicKey(body));
  if (entry == nullptr || !KeyRegistry::Admits(KeyRegistry::kIngestDomain, entry->role)) return "";
  return entry->role + ":" + entry->name;
}

void IngestAuthorizer::CountOutbox(const tonghop::storage::v1::OutboxPosition& position) {
  const std::string owner = OwnerOf(position);
  if (owner.empty()) return;
  auto it = outboxes_of_owner_.find(owner);
  if (it == outboxes_of_owner_.end()) it = outboxes_of_owner_.emplace(owner, 0).first;
  ++it->second;
}

size_t IngestAuthorizer::OutboxesOf(std::string_view owner) const {
  auto it = outboxes_of_owner_.find(owner);
  return it == outboxes_of_owner_.end() ? 0 : it->second;
}

bool IngestAuthorizer::Registered(const zmq::message_t& body, std::string_view role) const {
  if (!enabled()) return true;
  const std::shared_ptr<const KeyRegistry> registry = registry_.load();
  const RegisteredKey* entry = registry->Find(PeerPublicKey(body));
  return entry != nullptr && entry->role == role;
}

void IngestAuthorizer::CountRefusal(const std::string& node_id, const std::string& why) {
  ++refused_total_;
  if (refusal_log_.Allow()) {
    spdlog::warn("unauthorized: refused an update from '{}': {} ({} refusals in all, {} more held back)",
                 node_id.substr(0, 200), why, refused_total_, refusal_log_.suppressed());
  }
}

}  // namespace tonghop
