#include "collector/collector_catalog.h"

#include <map>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace tonghop {

Status CollectorCatalog::Load(const tonghop::v1::CatalogFiles& files, std::unique_ptr<Catalog>* out) const {
  std::map<std::string, std::string> contents;
  for (const auto& file : files.files()) contents[file.name()] = file.content();
  auto catalog = std::make_unique<Catalog>();
  TONGHOP_RETURN_IF_ERROR(Catalog::LoadFromFiles(contents, "the aggregator's catalog file ", catalog.get()));
  if (catalog->fingerprint() != files.version()) {
    return Status::InvalidArgument(fmt::format("the aggregator's catalog files hash to {:016x}, not to their version "
                                               "{:016x}", catalog->fingerprint(), files.version()));
  }
  *out = std::move(catalog);
  return Status::OK();
}

void CollectorCatalog::Restore() {
  std::optional<tonghop::v1::CatalogFiles> kept = outbox_->LoadCatalog();
  if (!kept) return;
  std::unique_ptr<Catalog> catalog;
  if (Status s = Load(*kept, &catalog); !s.ok()) {
    spdlog::warn("the catalog kept in the outbox does not load ({}); waiting for the aggregator's", s.message());
    return;
  }
  catalog_ = std::move(catalog);
  validator_ = std::make_unique<UpdateValidator>(catalog_.get());
}

Status CollectorCatalog::Take(const tonghop::v1::CatalogFiles& files) {
  std::unique_ptr<Catalog> catalog;
  TONGHOP_RETURN_IF_ERROR(Load(files, &catalog));
  TONGHOP_RETURN_IF_ERROR(outbox_->SaveCatalog(files));
  validator_ = std::make_unique<UpdateValidator>(catalog.get());
  catalog_ = std::move(catalog);
  return Status::OK();
}

std::vector<FieldError> CollectorCatalog::Check(const tonghop::v1::IndicatorUpdate& figure, int64_t now_ms) const {
  if (!validator_) return {};
  return CheckAgainstCatalog(*validator_, figure, now_ms);
}

std::string CollectorCatalog::Describe() const {
  if (!catalog_) return "no catalog yet";
  return fmt::format("catalog {:016x} ({} units, {} indicators)", catalog_->fingerprint(), catalog_->units().size(),
                     catalog_->indicators().size());
}

}  // namespace tonghop
