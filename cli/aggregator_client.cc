#include "cli/aggregator_client.h"

#include <filesystem>

#include <fmt/format.h>

#include "cli/collector_client.h"

namespace tonghop::cli {
namespace {

// The local province's office key and the aggregator's public key, relative to the repository
// root (deploy/local/province.sh, TONGHOP_VAR unset): with them `tonghop status` works on the
// demo as `tonghop watch` does, with no flag.
constexpr char kLocalOfficeKey[] = "var/keys/office.key";
constexpr char kLocalAggregatorKey[] = "var/keys/aggregator.pub";

// The keys to query with, and in *hint what to check when the aggregator does not answer them.
Status LoadKeys(const AggregatorLink& link, CurveSocketKeys* out, std::string* hint) {
  LinkSecurityFlags flags = link.security;
  std::error_code ignored;
  const bool local = flags.curve_secret_key_file.empty() && flags.curve_server_public_key.empty() &&
                     !flags.plaintext_for_development && link.endpoint == kDefaultQueryEndpoint &&
                     std::filesystem::exists(kLocalOfficeKey, ignored);
  if (local) {
    flags.curve_secret_key_file = kLocalOfficeKey;
    flags.curve_server_public_key = kLocalAggregatorKey;
  }
  TONGHOP_RETURN_IF_ERROR(LoadClientKeys(flags, false, out));
  if (!out->enabled()) {
    *hint = "An aggregator with CURVE keys answers no plain-text client: give an office key with "
            "--curve_secret_key_file and the aggregator's public key with --curve_server_public_key (docs/SECURITY.md)";
    return Status::OK();
  }
  *hint = fmt::format("The aggregator answers only a key of role office in its --key_registry_file: check that the "
                      "public key of {} is registered so, and that {} is the aggregator's public key (it logs each key "
                      "it refuses)", flags.curve_secret_key_file, flags.curve_server_public_key);
  if (local) {
    *hint += ". These are the local province's keys, used as no key flag was given: for a province run in plain "
             "text (TONGHOP_PLAINTEXT=1) add --plaintext_for_development";
  }
  return Status::OK();
}

}  // namespace

void AddAggregatorFlags(CLI::App* command, AggregatorLink* link) {
  command
      ->add_option("--aggregator", link->endpoint,
                   fmt::format("the aggregator's --query_endpoint. With CURVE keys it answers only a key of role office: "
                               "give --curve_secret_key_file and --curve_server_public_key; with neither and this "
                               "default, the local province's {} and {} are used when they exist here",
                               kLocalOfficeKey, kLocalAggregatorKey))
      ->capture_default_str();
  command->add_option("--timeout_ms", link->timeout_ms, "how long to wait for the aggregator")
      ->check(CLI::Range(1, 600000))
      ->capture_default_str();
  AddClientSecurityFlags(*command, &link->security, "the aggregator", true);
}

Status CallAggregator(const AggregatorLink& link, const tonghop::v1::QueryRequest& request,
                      tonghop::v1::QueryReply* reply) {
  CurveSocketKeys curve;
  std::string keys;
  TONGHOP_RETURN_IF_ERROR(LoadKeys(link, &curve, &keys));
  TONGHOP_RETURN_IF_ERROR(CallEndpoint(
      link.endpoint, curve, request, link.timeout_ms, reply, "the aggregator",
      "is it running, and is this its --query_endpoint? (deploy/local/province.sh status) " + keys));
  if (!reply->error().empty()) return Status::InvalidArgument("the aggregator says: " + reply->error());
  return Status::OK();
}

}  // namespace tonghop::cli
