// `tonghop keygen NAME`: writes a new CURVE key pair for a node, NAME.key (secret, mode 0600) and
// NAME.pub (public), and prints the registry row to add for it (docs/SECURITY.md). It never
// prints the secret key and never overwrites an existing key file.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "core/status.h"

namespace tonghop::cli {

struct KeygenOptions {
  std::string name;     // the node: a unit's code for a collector, a host name otherwise
  std::string out_dir = ".";
  std::string role;     // "" or collector, publisher, subscriber, office: only for the printed row
};

// Declares the `keygen` subcommand of `app`, binding its flags into `options`.
CLI::App* AddKeygenCommand(CLI::App& app, KeygenOptions* options);

// Writes the two files and prints where they are and the registry row.
Status RunKeygen(const KeygenOptions& options);

}  // namespace tonghop::cli
