// The estate compiled to one nftables `inet` table, and its atomic loading.
//
// Layout (docs/formats/zones-nft.md): each zone is a named interval set of its
// addresses; the forward chain (policy drop) accepts established/related
// traffic and dispatches new connections through one concatenated verdict map
// `zone_pairs` (source zone range . destination zone range -> jump to the
// chain of that zone pair), so the number of rules grows with flows x
// protocols and the number of elements with endpoints — never a linear chain
// of every pair. Every accepting rule has a `counter` and the comment
// "flow <id>". Output is deterministic: same estate, same bytes.
#pragma once

#include <string>

#include "core/status.h"
#include "zones/estate_model.h"

namespace rampart::zones {

inline constexpr char kNftTable[] = "rampart";

struct NftStats {
  std::size_t zones = 0;
  std::size_t chains = 0;
  std::size_t rules = 0;         // accepting rules (each with counter + comment)
  std::size_t set_elements = 0;  // elements of the zone sets
  std::size_t map_elements = 0;  // elements of the zone_pairs map
  std::size_t bytes = 0;
};

std::string CompileNft(const EstateModel& m, NftStats* stats = nullptr);

// `nft -c -f`: the kernel parses and validates the ruleset without loading it.
// Returns the nft diagnostics in the message on failure.
Status CheckNft(const std::string& ruleset);
// Checks, then loads with `nft -f` (one atomic transaction: the file replaces
// the table as a whole or not at all).
Status ApplyNft(const std::string& ruleset);

// Runs argv (no shell), returns exit status and combined stdout+stderr.
struct CommandOutput {
  int exit_code = -1;
  std::string output;
};
Result<CommandOutput> RunCommand(const std::vector<std::string>& argv);

}  // namespace rampart::zones
