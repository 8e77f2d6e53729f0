// Fuzz target: a node's --config file (TOML, keys are the long flag names; docs/OPERATIONS.md).
// The bytes are parsed by CLI11's config reader into an app declared the way every *_main.cc
// declares its flags: the common flags, strings, bounded integers and a choice. CLI11 reports
// mistakes as CLI::ParseError, which RunMain turns into exit code 2; anything else escaping is a bug.
#include <cstdint>
#include <sstream>
#include <string>

#include <CLI/CLI.hpp>

#include "core/process.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  CLI::App app{"fuzz"};
  tonghop::CommonFlags common;
  tonghop::AddCommonFlags(app, &common);
  std::string endpoint = "tcp://*:5550";
  std::string durability = "fsync";
  int batch = 1000;
  int heartbeat_ms = 1000;
  app.add_option("--ingest_endpoint", endpoint)->capture_default_str();
  app.add_option("--durability", durability)->check(CLI::IsMember({"wal", "fsync"}));
  app.add_option("--max_batch_updates", batch)->check(CLI::Range(1, 100000));
  app.add_option("--heartbeat_interval_ms", heartbeat_ms)->check(CLI::PositiveNumber);
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  try {
    app.parse_from_stream(in);
  } catch (const CLI::ParseError&) {  // what RunMain catches
  }
  return 0;
}
