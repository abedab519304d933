#include "ledger/query.h"

#include <algorithm>
#include <cstring>
#include <deque>
#include <set>

#include "core/encoding.h"
#include "ledger/checkpoint.h"
#include "ledger/entry.h"
#include "ledger/ledger.h"

namespace rampart::ledger {
namespace {

Result<EntryView> LoadView(Store& store, std::uint64_t index) {
  RAMPART_ASSIGN_OR_RETURN(EntryRecord rec, store.ReadEntry(index));
  auto v = ParseJson(rec.data);
  if (!v || !v->is_object()) {
    return CorruptionError("stored entry " + std::to_string(index) + " is not a JSON object");
  }
  return EntryView{index, std::move(v->get_object())};
}

std::string B64(const Hash& h) {
  return Base64Encode(std::span<const std::uint8_t>(h.data(), h.size()));
}

Result<Hash> HashFromB64(const json::value& v, std::string_view what) {
  if (!v.is_string()) return InvalidArgumentError(std::string(what) + " must be a base64 string");
  auto d = Base64Decode(v.get_string());
  if (!d) return InvalidArgumentError(std::string(what) + ": " + d.error().message());
  if (d->size() != kHashSize) return InvalidArgumentError(std::string(what) + " must be 32 bytes");
  Hash h;
  std::memcpy(h.data(), d->data(), kHashSize);
  return h;
}

Result<std::uint64_t> U64(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end()) return InvalidArgumentError("proof bundle needs '" + std::string(key) + "'");
  if (it->value().is_uint64()) return it->value().get_uint64();
  if (it->value().is_int64() && it->value().get_int64() >= 0) {
    return static_cast<std::uint64_t>(it->value().get_int64());
  }
  return InvalidArgumentError("proof bundle: '" + std::string(key) +
                              "' must be a non-negative integer");
}

}  // namespace

Result<std::vector<EntryView>> FindEntries(Store& store, std::string_view digest,
                                           std::size_t limit) {
  RAMPART_ASSIGN_OR_RETURN(std::vector<std::uint64_t> ids, store.Find(digest, 0, limit));
  std::vector<EntryView> out;
  out.reserve(ids.size());
  for (std::uint64_t i : ids) {
    RAMPART_ASSIGN_OR_RETURN(EntryView v, LoadView(store, i));
    out.push_back(std::move(v));
  }
  return out;
}

Result<Lineage> WalkLineage(Store& store, std::string_view digest, std::size_t max_artifacts) {
  Lineage out;
  out.root = std::string(digest);
  std::deque<std::string> todo{out.root};
  std::set<std::string> seen{out.root};
  while (!todo.empty()) {
    std::string d = std::move(todo.front());
    todo.pop_front();
    RAMPART_ASSIGN_OR_RETURN(std::vector<EntryView> events, FindEntries(store, d));
    for (const EntryView& ev : events) {
      LineageLinks links = LineageOf(ev.entry);
      if (std::find(links.produced.begin(), links.produced.end(), d) == links.produced.end())
        continue;
      auto type = ev.entry.find("type");
      for (const std::string& p : links.parents) {
        out.edges.push_back({d, p, ev.index,
                             type != ev.entry.end() && type->value().is_string()
                                 ? std::string(type->value().get_string())
                                 : std::string()});
        if (seen.count(p) != 0) continue;
        if (seen.size() >= max_artifacts) {
          out.truncated = true;
          continue;
        }
        seen.insert(p);
        todo.push_back(p);
      }
    }
    out.events[d] = std::move(events);
  }
  return out;
}

json::value LineageToJson(const Lineage& l) {
  json::object o;
  o["root"] = l.root;
  json::array edges;
  for (const LineageEdge& e : l.edges) {
    edges.push_back(json::object{
        {"child", e.child}, {"parent", e.parent}, {"index", e.index}, {"type", e.type}});
  }
  o["edges"] = std::move(edges);
  json::object artifacts;
  for (const auto& [d, evs] : l.events) {
    json::array a;
    for (const EntryView& ev : evs)
      a.push_back(json::object{{"index", ev.index}, {"entry", ev.entry}});
    artifacts[d] = std::move(a);
  }
  o["artifacts"] = std::move(artifacts);
  o["truncated"] = l.truncated;
  return o;
}

Result<ProofBundle> ParseProofBundle(std::string_view text) {
  JsonLimits limits;
  limits.max_bytes = 1 << 20;
  limits.max_depth = 40;
  RAMPART_ASSIGN_OR_RETURN(json::value v, ParseJson(text, limits, "proof bundle"));
  if (!v.is_object()) return InvalidArgumentError("proof bundle must be a JSON object");
  const json::object& o = v.get_object();
  ProofBundle b;
  RAMPART_ASSIGN_OR_RETURN(b.index, U64(o, "index"));
  RAMPART_ASSIGN_OR_RETURN(b.tree_size, U64(o, "tree_size"));
  auto proof = o.find("proof");
  if (proof == o.end() || !proof->value().is_array()) {
    return InvalidArgumentError("proof bundle needs 'proof', an array of base64 hashes");
  }
  if (proof->value().get_array().size() > 64) {
    return InvalidArgumentError("proof bundle: a proof has at most 64 hashes");
  }
  for (const json::value& h : proof->value().get_array()) {
    RAMPART_ASSIGN_OR_RETURN(Hash hh, HashFromB64(h, "proof hash"));
    b.proof.push_back(hh);
  }
  auto cp = o.find("checkpoint");
  if (cp == o.end() || !cp->value().is_string()) {
    return InvalidArgumentError("proof bundle needs 'checkpoint', the signed note");
  }
  b.checkpoint = std::string(cp->value().get_string());
  if (auto e = o.find("entry"); e != o.end()) b.entry = e->value();
  if (auto l = o.find("leaf_hash"); l != o.end()) {
    RAMPART_ASSIGN_OR_RETURN(Hash h, HashFromB64(l->value(), "leaf_hash"));
    b.leaf_hash = h;
  }
  if (!b.entry && !b.leaf_hash)
    return InvalidArgumentError("proof bundle needs 'entry' or 'leaf_hash'");
  return b;
}

std::string ProofBundleToJson(const ProofBundle& b) {
  json::object o;
  o["index"] = b.index;
  o["tree_size"] = b.tree_size;
  json::array proof;
  for (const Hash& h : b.proof) proof.push_back(json::string(B64(h)));
  o["proof"] = std::move(proof);
  if (b.leaf_hash) o["leaf_hash"] = B64(*b.leaf_hash);
  if (b.entry) o["entry"] = *b.entry;
  o["checkpoint"] = b.checkpoint;
  return ToPrettyJson(o) + "\n";
}

Result<ProofBundle> MakeProofBundle(Store& store, std::uint64_t index) {
  RAMPART_ASSIGN_OR_RETURN(EntryRecord rec, store.ReadEntry(index));
  RAMPART_ASSIGN_OR_RETURN(std::optional<CheckpointRecord> cp, store.CheckpointCovering(index + 1));
  if (!cp) {
    return UnavailableError("no signed checkpoint covers entry " + std::to_string(index) +
                            " yet; retry in a moment");
  }
  ProofBundle b;
  b.index = index;
  b.tree_size = cp->size;
  b.checkpoint = cp->note;
  b.leaf_hash = rec.leaf;
  auto v = ParseJson(rec.data);
  if (!v) return CorruptionError("stored entry " + std::to_string(index) + " is not JSON");
  b.entry = std::move(*v);
  RAMPART_ASSIGN_OR_RETURN(b.proof, InclusionProof(index, cp->size, StoreNodeReader(store)));
  return b;
}

Result<std::uint64_t> VerifyProofBundle(const ProofBundle& b, const NoteVerifier& verifier) {
  RAMPART_ASSIGN_OR_RETURN(Checkpoint cp, OpenCheckpoint(b.checkpoint, verifier));
  if (cp.size != b.tree_size) {
    return InvalidArgumentError("proof is for tree size " + std::to_string(b.tree_size) +
                                " but the checkpoint is for size " + std::to_string(cp.size));
  }
  Hash leaf;
  if (b.entry) {
    leaf = LeafHash(CanonicalJson(*b.entry));
    if (b.leaf_hash && *b.leaf_hash != leaf) {
      return CorruptionError("the entry does not hash to the bundle's leaf_hash");
    }
  } else {
    leaf = *b.leaf_hash;
  }
  RAMPART_RETURN_IF_ERROR(VerifyInclusion(b.index, cp.size, leaf, Views(b.proof), cp.root));
  return cp.size;
}

}  // namespace rampart::ledger
