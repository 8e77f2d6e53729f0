#include "web/asset_store.h"

#include <filesystem>

#include <fmt/format.h>

#include "core/csv.h"
#include "web/embedded_assets.h"

namespace tonghop::web {
namespace {

namespace fs = std::filesystem;

// The types of what web/assets/ holds; anything else is not served.
const char* ContentTypeOf(std::string_view name) {
  if (name.ends_with(".html")) return "text/html; charset=utf-8";
  if (name.ends_with(".css")) return "text/css; charset=utf-8";
  if (name.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (name.ends_with(".svg")) return "image/svg+xml";
  return nullptr;
}

}  // namespace

void AssetStore::Add(const std::string& name, std::string body) {
  const std::string path = "/assets/" + name;
  files_[path] = StaticFile{ContentTypeOf(name), std::move(body)};
  if (name == "index.html") {
    files_["/"] = files_[path];
    files_["/index.html"] = files_[path];
  }
  // Browsers ask for it whatever the page says.
  if (name == "favicon.svg") files_["/favicon.ico"] = files_[path];
}

Status AssetStore::Load(const std::string& assets_dir, const std::string& chart_js_file, AssetStore* out,
                        std::string* chart_problem) {
  AssetStore store;
  if (assets_dir.empty()) {
    for (size_t i = 0; i < kEmbeddedAssetCount; ++i) {
      const EmbeddedAsset& asset = kEmbeddedAssets[i];
      store.Add(asset.name, std::string(reinterpret_cast<const char*>(asset.data), asset.size));
    }
  } else {
    std::error_code error;
    for (const auto& entry : fs::directory_iterator(assets_dir, error)) {
      const std::string name = entry.path().filename().string();
      if (!entry.is_regular_file() || ContentTypeOf(name) == nullptr) continue;
      std::string body;
      TONGHOP_RETURN_IF_ERROR(ReadFileToString(entry.path().string(), &body));
      store.Add(name, std::move(body));
    }
    if (error) return Status::IOError(fmt::format("--assets_dir {}: {}", assets_dir, error.message()));
  }
  if (store.Find("/") == nullptr) {
    return Status::InvalidArgument(fmt::format("--assets_dir {} has no index.html: give the dashboard's folder "
                                               "(web/assets in the source tree)", assets_dir));
  }
  chart_problem->clear();
  std::string chart_js;
  if (Status s = ReadFileToString(chart_js_file, &chart_js); s.ok()) {
    store.files_[std::string(kChartJsPath)] = StaticFile{"text/javascript; charset=utf-8", std::move(chart_js)};
  } else {
    *chart_problem = fmt::format("charts are not shown, only tables: {} (apt install libjs-chart.js, or give "
                                 "--chart_js_file)", s.message());
  }
  *out = std::move(store);
  return Status::OK();
}

const StaticFile* AssetStore::Find(std::string_view path) const {
  auto it = files_.find(path);
  return it == files_.end() ? nullptr : &it->second;
}

}  // namespace tonghop::web
