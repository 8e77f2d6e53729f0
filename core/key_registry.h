// KeyRegistry: which CURVE public keys may connect to a server node, and as whom
// (docs/SECURITY.md). Loaded from a CSV file (deploy/<province>/keys.csv, or var/keys/keys.csv
// for the local province) with the columns
//   role,name,public_key,comment
// where role is
//   collector   name is the reporting unit's code; the key may report figures for that unit only
//   publisher   may subscribe to the aggregator's feed (name: free text, e.g. the host)
//   subscriber  may subscribe to a publisher whose --subscriber_access is authenticated
//   office      may query the aggregator (tonghop status, history, query, export, report), and
//               report figures for any unit on the ingest link (tonghop import): the province
//               office (name: free text, e.g. the person or the desk)
// A public key may appear once. The file holds no secret, but whoever can write it decides who
// may report: it must not be writable by group or others. Immutable once loaded; shared between
// the ZAP thread and the node's loop through a shared_ptr, replaced whole on reload (SIGHUP).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace tonghop {

struct RegisteredKey {
  std::string role;        // "collector", "publisher", "subscriber" or "office"
  std::string name;        // the unit's code for a collector
  std::string public_key;  // Z85
  unsigned line = 0;       // in the file, for messages
};

class KeyRegistry {
 public:
  // The roles a registry may name; also the ZAP domains of the server sockets that admit them.
  static constexpr std::string_view kCollector = "collector";
  static constexpr std::string_view kPublisher = "publisher";
  static constexpr std::string_view kSubscriber = "subscriber";
  static constexpr std::string_view kOffice = "office";
  // The ZAP domain of the aggregator's ingest socket, which admits two roles: collector (reports
  // for its unit) and office (reports for any unit).
  static constexpr std::string_view kIngestDomain = "ingest";

  // Whether a key of `role` may connect to a server socket of ZAP domain `domain`: the domain
  // names the role, or it is kIngestDomain and the role collector or office.
  static bool Admits(std::string_view domain, std::string_view role);

  // Parses the content of a registry file called `file_name` (for messages). Every mistake is
  // reported with the file, line and field.
  static Status Parse(const std::string& file_name, std::string_view text, KeyRegistry* out);
  // Reads and parses the file at `path`, refusing one that group or others may write.
  static Status LoadFromFile(const std::string& path, KeyRegistry* out);

  // nullptr when the key is not registered.
  const RegisteredKey* Find(std::string_view public_key) const;
  const std::vector<RegisteredKey>& keys() const { return keys_; }
  // How many keys of `role` the registry holds.
  size_t Count(std::string_view role) const;

 private:
  std::vector<RegisteredKey> keys_;
  std::map<std::string, size_t, std::less<>> by_key_;
};

}  // namespace tonghop
