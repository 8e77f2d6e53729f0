#include "cli/keygen.h"

#include <cstdio>
#include <filesystem>

#include <fmt/format.h>

#include "core/curve_keys.h"
#include "core/key_registry.h"

namespace tonghop::cli {

CLI::App* AddKeygenCommand(CLI::App& app, KeygenOptions* options) {
  CLI::App* command = app.add_subcommand(
      "keygen", "Write a new CURVE key pair for a node: NAME.key (secret, owner-only) and NAME.pub (public)");
  command->add_option("name", options->name,
                      "The node the key is for: a collector's unit code (cao-loc), or e.g. aggregator, publisher")
      ->required()
      ->check([](const std::string& name) {
        return name.empty() || name.find('/') != std::string::npos || name.front() == '.'
                   ? std::string("NAME must be a plain file name (no '/', not starting with '.')")
                   : std::string();
      });
  command->add_option("--out_dir", options->out_dir, "Folder for the two files (created if missing)")
      ->capture_default_str();
  command->add_option("--role", options->role,
                      "Print the key registry row for this role: collector (NAME is its unit), publisher, subscriber "
                      "office (tonghop status, history, query, export, report, import) or viewer (the queries only: the web node)")
      ->check(CLI::IsMember({std::string(KeyRegistry::kCollector), std::string(KeyRegistry::kPublisher),
                             std::string(KeyRegistry::kSubscriber), std::string(KeyRegistry::kOffice),
                             std::string(KeyRegistry::kViewer)}));
  command->footer(
      "Examples:\n"
      "  tonghop keygen aggregator --out_dir /etc/tonghop/keys        # the aggregator's pair\n"
      "  tonghop keygen cao-loc --role collector --out_dir keys/      # a collector's; add the row it prints\n"
      "  tonghop keygen office-1 --role office --out_dir keys/        # for the office's queries and imports\n"
      "  tonghop keygen web --role viewer --out_dir keys/             # for tonghop-web: queries only\n"
      "Give NAME.pub to the other end; NAME.key stays on the node's machine. docs/SECURITY.md explains\n"
      "the key registry and rotation.");
  return command;
}

Status RunKeygen(const KeygenOptions& options) {
  std::error_code error;
  std::filesystem::create_directories(options.out_dir, error);
  if (error) return Status::IOError(fmt::format("cannot create --out_dir {}: {}", options.out_dir, error.message()));
  CurveKeyPair pair;
  TONGHOP_RETURN_IF_ERROR(GenerateCurveKeyPair(&pair));
  const std::string prefix = (std::filesystem::path(options.out_dir) / options.name).string();
  TONGHOP_RETURN_IF_ERROR(WriteCurveKeyFiles(prefix, options.name, pair));
  std::printf("wrote %s.key (secret: keep it on %s's machine, mode 0600) and %s.pub (public)\n", prefix.c_str(),
              options.name.c_str(), prefix.c_str());
  if (!options.role.empty()) {
    std::printf("key registry row (role,name,public_key,comment):\n%s,%s,%s,\n", options.role.c_str(),
                options.name.c_str(), pair.public_key.c_str());
  }
  return Status::OK();
}

}  // namespace tonghop::cli
