#include "cli/client_config.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

namespace tonghop::cli {
namespace fs = std::filesystem;
namespace {

constexpr char kSystemConfig[] = "/etc/tonghop/tonghop.toml";

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

bool Exists(const fs::path& path) {
  std::error_code ignored;
  return fs::exists(path, ignored);
}

// $XDG_<kind>_HOME/tonghop, or ~/<fallback>/tonghop; "" without a home.
std::string UserFolder(const char* xdg_variable, const char* fallback) {
  const std::string xdg = Env(xdg_variable);
  if (!xdg.empty()) return (fs::path(xdg) / "tonghop").string();
  const std::string home = Env("HOME");
  if (home.empty()) return "";
  return (fs::path(home) / fallback / "tonghop").string();
}

// The configuration file to read: $TONGHOP_CONFIG, else the user's, else the system's; "" none.
Status ConfigPath(std::string* out) {
  out->clear();
  const std::string given = Env("TONGHOP_CONFIG");
  if (!given.empty()) {
    if (!Exists(given)) {
      return Status::NotFound(fmt::format("TONGHOP_CONFIG names {}, which does not exist; write it "
                                          "(docs/OPERATIONS.md, \"Where the office commands find their keys\") or unset "
                                          "TONGHOP_CONFIG", given));
    }
    *out = given;
    return Status::OK();
  }
  const std::string user = UserFolder("XDG_CONFIG_HOME", ".config");
  if (!user.empty() && Exists(fs::path(user) / "tonghop.toml")) {
    *out = (fs::path(user) / "tonghop.toml").string();
  } else if (Exists(kSystemConfig)) {
    *out = kSystemConfig;
  }
  return Status::OK();
}

// The repository the running tonghop was built in (build/bin/tonghop -> its root), else the
// current folder when it is one; "" otherwise.
std::string RepositoryRoot() {
  std::error_code error;
  const fs::path exe = fs::read_symlink("/proc/self/exe", error);
  if (!error) {
    const fs::path root = exe.parent_path().parent_path().parent_path();
    if (Exists(root / "deploy" / "local" / "province.sh")) return root.string();
  }
  if (Exists(fs::path("deploy") / "local" / "province.sh")) return fs::current_path(error).string();
  return "";
}

// The local province's var/ folder: $TONGHOP_VAR, else the repository's var/.
std::string LocalVar() {
  const std::string var = Env("TONGHOP_VAR");
  if (!var.empty()) return var;
  const std::string root = RepositoryRoot();
  return root.empty() ? "var" : (fs::path(root) / "var").string();
}

// A path of the configuration file, relative to its folder.
std::string FromConfig(const std::string& file, const std::string& path) {
  if (path.empty() || fs::path(path).is_absolute()) return path;
  return (fs::path(file).parent_path() / path).string();
}

}  // namespace

Status LoadClientConfig(ClientConfig* out) {
  *out = ClientConfig();
  std::string path;
  TONGHOP_RETURN_IF_ERROR(ConfigPath(&path));
  if (path.empty()) return Status::OK();
  std::vector<CLI::ConfigItem> items;
  try {
    items = CLI::ConfigTOML().from_file(path);
  } catch (const CLI::Error& e) {
    return Status::InvalidArgument(fmt::format("{}: {}", path, e.what()));
  }
  const std::map<std::string, std::string ClientConfig::*> keys = {
      {"curve_secret_key_file", &ClientConfig::curve_secret_key_file},
      {"curve_server_public_key", &ClientConfig::curve_server_public_key},
      {"catalog_dir", &ClientConfig::catalog_dir},
      {"state_dir", &ClientConfig::state_dir},
      {"lang", &ClientConfig::lang},
  };
  for (const CLI::ConfigItem& item : items) {
    // CLI11 reports a section header as an item named "++" or "--".
    if (item.name == "++" || item.name == "--") continue;
    if (item.parents.empty() && item.name == "aggregator" && !item.inputs.empty()) {
      out->aggregators = item.inputs;
      continue;
    }
    if (item.parents.empty() && item.name == "ingest_endpoint" && !item.inputs.empty()) {
      out->ingest_endpoints = item.inputs;
      continue;
    }
    auto key = keys.find(item.name);
    if (item.parents.empty() && key != keys.end() && item.inputs.size() > 1) {
      return Status::InvalidArgument(fmt::format("{}: {} takes one value, not a list (only aggregator and ingest_endpoint take a pair)",
                                                 path, item.name));
    }
    if (!item.parents.empty() || key == keys.end() || item.inputs.size() != 1) {
      return Status::InvalidArgument(fmt::format(
          "{}: '{}' is not a setting of this file; it takes aggregator, ingest_endpoint, curve_secret_key_file, "
          "curve_server_public_key, catalog_dir, state_dir and lang, as key = \"value\" lines outside any [section]",
          path, item.fullname()));
    }
    out->*(key->second) = item.inputs.front();
  }
  for (std::string* file : {&out->curve_secret_key_file, &out->catalog_dir, &out->state_dir}) *file = FromConfig(path, *file);
  // The server's key may be the key itself or a file.
  if (out->curve_server_public_key.size() != 40) out->curve_server_public_key = FromConfig(path, out->curve_server_public_key);
  if (!out->lang.empty() && out->lang != "vi" && out->lang != "en") {
    return Status::InvalidArgument(fmt::format("{}: lang = \"{}\" is not vi or en", path, out->lang));
  }
  out->file = path;
  return Status::OK();
}

Status ResolveLink(const std::vector<std::string>& endpoints, const LinkSecurityFlags& security, bool ingest,
                   ResolvedLink* out) {
  *out = ResolvedLink();
  out->security = security;
  const bool keys_given = !security.curve_secret_key_file.empty() || !security.curve_server_public_key.empty() ||
                          security.plaintext_for_development;
  ClientConfig config;
  TONGHOP_RETURN_IF_ERROR(LoadClientConfig(&config));
  out->endpoints = endpoints;
  if (out->endpoints.empty() && ingest) out->endpoints = config.ingest_endpoints;
  if (out->endpoints.empty() && !ingest) out->endpoints = config.aggregators;
  if (keys_given) {
    out->keys_from = security.plaintext_for_development ? "" : "the flags";
  } else if (!config.curve_secret_key_file.empty() || !config.curve_server_public_key.empty()) {
    out->security.curve_secret_key_file = config.curve_secret_key_file;
    out->security.curve_server_public_key = config.curve_server_public_key;
    out->keys_from = config.file;
  }
  const char* fallback = ingest ? kDefaultIngestEndpoint : kDefaultQueryEndpoint;
  if (out->endpoints.empty()) out->endpoints = {fallback};
  // The local province's keys, for its own loopback endpoint only.
  if (out->keys_from.empty() && !security.plaintext_for_development && out->endpoints == std::vector<std::string>{fallback}) {
    const fs::path keys = fs::path(LocalVar()) / "keys";
    if (Exists(keys / "office.key")) {
      out->security.curve_secret_key_file = (keys / "office.key").string();
      out->security.curve_server_public_key = (keys / "aggregator.pub").string();
      out->keys_from = "the local province's " + keys.string();
    }
  }
  return Status::OK();
}

Status ResolveCatalogDir(const std::string& flag, std::string* out) {
  *out = flag;
  if (!out->empty()) return Status::OK();
  ClientConfig config;
  TONGHOP_RETURN_IF_ERROR(LoadClientConfig(&config));
  *out = config.catalog_dir;
  if (!out->empty()) return Status::OK();
  const std::string root = RepositoryRoot();
  if (!root.empty()) {
    *out = (fs::path(root) / "deploy" / "lang-son").string();
    return Status::OK();
  }
  return Status::NotFound(
      "no catalog: give --catalog_dir (the aggregator's, e.g. /etc/tonghop/catalog), or catalog_dir in the "
      "configuration file (docs/OPERATIONS.md, \"Where the office commands find their keys\")");
}

Status ResolveStateDir(const std::string& flag, std::string* out) {
  *out = flag;
  if (!out->empty()) return Status::OK();
  ClientConfig config;
  TONGHOP_RETURN_IF_ERROR(LoadClientConfig(&config));
  *out = config.state_dir;
  if (!out->empty()) return Status::OK();
  *out = UserFolder("XDG_STATE_HOME", ".local/state");
  if (out->empty()) {
    return Status::NotFound("no folder for the import's state: give --state_dir, or state_dir in the configuration file "
                            "(HOME is not set)");
  }
  return Status::OK();
}

std::string ResolveLanguageCode(const std::string& flag) {
  if (!flag.empty()) return flag;
  ClientConfig config;
  if (!LoadClientConfig(&config).ok()) return "";
  return config.lang;
}

}  // namespace tonghop::cli
