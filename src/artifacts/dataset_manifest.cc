#include "artifacts/dataset_manifest.h"

#include <map>

#include "core/json.h"

namespace rampart::artifacts {

std::uint64_t DatasetManifest::total_bytes() const {
  std::uint64_t t = 0;
  for (const auto& f : files) t += f.size;
  return t;
}

Result<DatasetManifest> BuildManifest(const std::filesystem::path& dir, const HashOptions& options,
                                      const Clock& clock) {
  HashOptions ho = options;
  ho.shard_size.reset();
  for (const auto& d : DefaultIgnorePaths()) ho.ignore_paths.push_back(d);
  RAMPART_ASSIGN_OR_RETURN(auto files, EnumerateModel(dir, ho));
  std::vector<HashJob> jobs;
  for (const auto& f : files) jobs.push_back({f.path, 0, f.size});
  RAMPART_ASSIGN_OR_RETURN(auto digests, HashRanges(jobs, ho.algorithm, ho.threads, ho.buffer));
  DatasetManifest m;
  std::error_code ec;
  m.name =
      std::filesystem::weakly_canonical(std::filesystem::absolute(dir), ec).filename().string();
  m.created = FormatRfc3339(clock.Now());
  m.hash_type = std::string(DigestAlgorithmName(ho.algorithm));
  for (std::size_t i = 0; i < files.size(); ++i) {
    m.files.push_back({files[i].name, files[i].size, digests[i]});
  }
  RAMPART_ASSIGN_OR_RETURN(m.root_digest, RootDigest(digests));
  return m;
}

std::string ManifestToJson(const DatasetManifest& m) {
  json::object o;
  o["mediaType"] = kManifestMediaType;
  o["name"] = m.name;
  o["created"] = m.created;
  o["hash_type"] = m.hash_type;
  o["root_digest"] = m.root_digest;
  o["file_count"] = m.files.size();
  o["total_bytes"] = m.total_bytes();
  json::array files;
  for (const auto& f : m.files) {
    files.push_back(json::object{{"name", f.name}, {"size", f.size}, {"digest", f.digest}});
  }
  o["files"] = std::move(files);
  return ToPrettyJson(o) + "\n";
}

Result<DatasetManifest> ParseManifest(std::string_view text, std::string_view source) {
  std::string where(source);
  auto bad = [&](std::string m) { return InvalidArgumentError(where + ": " + m); };
  JsonLimits lim;
  lim.max_bytes = 1u << 30;
  auto doc = ParseJson(text, lim, source);
  if (!doc) return doc.error();
  if (!doc->is_object()) return bad("a manifest is a JSON object");
  const auto& o = doc->as_object();
  auto mt = GetString(o, "mediaType");
  if (!mt || *mt != kManifestMediaType) {
    return bad("not a Rampart dataset manifest (mediaType must be " +
               std::string(kManifestMediaType) + ")");
  }
  DatasetManifest m;
  auto get = [&](std::string_view k, std::string* out) -> Status {
    auto v = GetString(o, k);
    if (!v) return bad(v.error().message());
    *out = std::string(*v);
    return OkStatus();
  };
  RAMPART_RETURN_IF_ERROR(get("name", &m.name));
  RAMPART_RETURN_IF_ERROR(get("created", &m.created));
  RAMPART_RETURN_IF_ERROR(get("hash_type", &m.hash_type));
  RAMPART_RETURN_IF_ERROR(get("root_digest", &m.root_digest));
  auto files = GetArray(o, "files");
  if (!files) return bad(files.error().message());
  std::vector<std::string> digests;
  std::string prev;
  for (const auto& f : **files) {
    if (!f.is_object()) return bad("files entries are objects");
    ManifestEntry e;
    auto n = GetString(f.as_object(), "name");
    auto d = GetString(f.as_object(), "digest");
    auto s = GetInt(f.as_object(), "size");
    if (!n || !d || !s || *s < 0) return bad("each file needs name, size and digest");
    e.name = std::string(*n);
    e.digest = std::string(*d);
    e.size = static_cast<std::uint64_t>(*s);
    if (!prev.empty() && e.name <= prev)
      return bad("files are not sorted by name (at '" + e.name + "')");
    prev = e.name;
    digests.push_back(e.digest);
    m.files.push_back(std::move(e));
  }
  auto root = RootDigest(digests);
  if (!root) return bad("a digest is not hex: " + root.error().message());
  if (*root != m.root_digest) return bad("root_digest does not match the files (edited by hand?)");
  return m;
}

ManifestDiff DiffManifests(const DatasetManifest& a, const DatasetManifest& b) {
  ManifestDiff d;
  std::map<std::string, const ManifestEntry*> old_files, new_files;
  for (const auto& f : a.files) old_files[f.name] = &f;
  for (const auto& f : b.files) new_files[f.name] = &f;
  for (const auto& [name, f] : old_files) {
    auto it = new_files.find(name);
    if (it == new_files.end()) {
      d.removed.push_back(*f);
    } else if (it->second->digest != f->digest || it->second->size != f->size) {
      d.changed.push_back({name, f->size, it->second->size, f->digest, it->second->digest});
    } else {
      d.unchanged++;
    }
  }
  for (const auto& [name, f] : new_files) {
    if (!old_files.contains(name)) d.added.push_back(*f);
  }
  return d;
}

}  // namespace rampart::artifacts
