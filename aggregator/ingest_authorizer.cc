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

std::string IngestAuthorizer::Authorize(const zmq::message_t& body,
                                        const tonghop::storage::v1::OutboxPosition& position,
                                        std::string* unit) const {
  unit->clear();
  if (!enabled()) return "";
  const std::shared_ptr<const KeyRegistry> registry = registry_.load();
  const RegisteredKey* entry = registry->Find(PeerPublicKey(body));
  if (entry == nullptr || entry->role != KeyRegistry::kCollector) {
    return "the sender's key is no longer in the key registry as a collector (revoked); nothing was stored";
  }
  if (!position.owner_unit().empty() && position.owner_unit() != entry->name) {
    return fmt::format("field 'outbox_id': this outbox belongs to unit '{}', and the sender's key to '{}'; nothing "
                       "was stored", position.owner_unit(), entry->name);
  }
  if (position.owner_unit().empty() && OutboxesOf(entry->name) >= static_cast<size_t>(max_outboxes_per_unit_)) {
    if (outbox_cap_hits_ != nullptr) outbox_cap_hits_->Increment();
    return fmt::format(
        "field 'outbox_id': unit '{}' already has {} outboxes, the most --max_outboxes_per_unit allows, and this "
        "one is new; nothing was stored. A collector starts a new outbox only when its data folder is new "
        "(reinstalled) and `tonghop import` one per run: if that is what happened, raise --max_outboxes_per_unit "
        "and restart the aggregator; otherwise the key may be misused: revoke or rotate it (docs/SECURITY.md)",
        entry->name, OutboxesOf(entry->name));
  }
  *unit = entry->name;
  return "";
}

std::string IngestAuthorizer::UnitOf(const zmq::message_t& body) const {
  if (!enabled()) return "";
  const std::shared_ptr<const KeyRegistry> registry = registry_.load();
  const RegisteredKey* entry = registry->Find(PeerPublicKey(body));
  return entry != nullptr && entry->role == KeyRegistry::kCollector ? entry->name : "";
}

void IngestAuthorizer::CountOutbox(const std::string& owner_unit) {
  if (owner_unit.empty()) return;
  auto it = outboxes_of_unit_.find(owner_unit);
  if (it == outboxes_of_unit_.end()) it = outboxes_of_unit_.emplace(owner_unit, 0).first;
  ++it->second;
}

size_t IngestAuthorizer::OutboxesOf(std::string_view unit) const {
  auto it = outboxes_of_unit_.find(unit);
  return it == outboxes_of_unit_.end() ? 0 : it->second;
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
