#include "cli/aggregator_client.h"

#include <algorithm>

#include <fmt/format.h>

#include "cli/collector_client.h"

namespace tonghop::cli {
namespace {

// The keys to query with, and in *hint what to check when the aggregator does not answer them.
Status LoadKeys(const ResolvedLink& link, CurveSocketKeys* out, std::string* hint) {
  TONGHOP_RETURN_IF_ERROR(LoadClientKeys(link.security, false, out));
  if (!out->enabled()) {
    *hint = "An aggregator with CURVE keys answers no plain-text client: give an office key with "
            "--curve_secret_key_file and the aggregator's public key with --curve_server_public_key, or put them in "
            "the configuration file (docs/OPERATIONS.md, \"Where the office commands find their keys\")";
    return Status::OK();
  }
  *hint = fmt::format("The aggregator answers only a key of role office or viewer in its --key_registry_file: check that the "
                      "public key of {} is registered so, and that {} is the aggregator's public key (it logs each key "
                      "it refuses). These keys come from {}",
                      link.security.curve_secret_key_file, link.security.curve_server_public_key, link.keys_from);
  if (link.keys_from.starts_with("the local province")) {
    *hint += ", used as no key flag was given: for a province run in plain text (TONGHOP_PLAINTEXT=1) add "
             "--plaintext_for_development";
  }
  return Status::OK();
}

}  // namespace

void AddAggregatorFlags(CLI::App* command, AggregatorLink* link) {
  command
      ->add_option("--aggregator", link->endpoints,
                   fmt::format("the aggregator's --query_endpoint; for a pair, both (A,B or the flag twice): each "
                               "question is answered by whichever answers, A first (default: the configuration file's "
                               "aggregator, else {}). With CURVE keys it answers only a key of role office or viewer: "
                               "--curve_secret_key_file and --curve_server_public_key, or the configuration file's, or "
                               "for the default endpoint the local province's var/keys (docs/OPERATIONS.md, \"Where the "
                               "office commands find their keys\")", kDefaultQueryEndpoint))
      ->delimiter(',');
  command->add_option("--timeout_ms", link->timeout_ms, "how long to wait for the aggregator")
      ->check(CLI::Range(1, 600000))
      ->capture_default_str();
  AddClientSecurityFlags(*command, &link->security, "the aggregator", true);
}

Status CallAggregator(const AggregatorLink& link, const tonghop::v1::QueryRequest& request,
                      tonghop::v1::QueryReply* reply, std::string* answered) {
  ResolvedLink resolved;
  TONGHOP_RETURN_IF_ERROR(ResolveLink(link.endpoints, link.security, /*ingest=*/false, &resolved));
  if (answered != nullptr) {
    auto preferred = std::find(resolved.endpoints.begin(), resolved.endpoints.end(), *answered);
    if (preferred != resolved.endpoints.end()) std::rotate(resolved.endpoints.begin(), preferred, preferred + 1);
  }
  CurveSocketKeys curve;
  std::string keys;
  TONGHOP_RETURN_IF_ERROR(LoadKeys(resolved, &curve, &keys));
  const std::string check = resolved.endpoints.size() == 1
                                ? "is it running, and is this its --query_endpoint?"
                                : "are they running, and are these their --query_endpoint?";
  TONGHOP_RETURN_IF_ERROR(CallEndpoint(resolved.endpoints, curve, request, link.timeout_ms, reply, "the aggregator",
                                       check + " (deploy/local/province.sh status) " + keys, answered));
  if (!reply->error().empty()) return Status::InvalidArgument("the aggregator says: " + reply->error());
  return Status::OK();
}

}  // namespace tonghop::cli
