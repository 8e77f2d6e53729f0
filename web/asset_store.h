// AssetStore: the files the web node serves to browsers. The dashboard is web/assets/, embedded in
// the binary at build time (nothing to install beside it), or read from --assets_dir to work on the
// page without rebuilding; chart.js comes from Debian's libjs-chart.js, read at start-up from
// --chart_js_file. Nothing is fetched from elsewhere: the page works offline.
// Immutable once loaded; safe to share between threads.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "core/status.h"

namespace tonghop::web {

struct StaticFile {
  std::string content_type;
  std::string body;
};

class AssetStore {
 public:
  // The URL path of chart.js.
  static constexpr std::string_view kChartJsPath = "/vendor/chart.min.js";

  // The dashboard from the binary, or from `assets_dir` when it is not empty; chart.js from
  // `chart_js_file` when it can be read (otherwise the page shows tables without charts, and
  // *chart_problem says why). Fails when `assets_dir` cannot be read or lacks index.html.
  static Status Load(const std::string& assets_dir, const std::string& chart_js_file, AssetStore* out,
                     std::string* chart_problem);

  // The file served at `path` ("/" and "/index.html": the page; "/assets/<name>"; kChartJsPath),
  // or nullptr.
  const StaticFile* Find(std::string_view path) const;
  size_t size() const { return files_.size(); }

 private:
  void Add(const std::string& name, std::string body);
  std::map<std::string, StaticFile, std::less<>> files_;  // by URL path
};

}  // namespace tonghop::web
