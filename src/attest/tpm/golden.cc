#include "attest/tpm/golden.h"

#include "core/diagnostic.h"
#include "core/file.h"
#include "core/yaml_doc.h"

namespace rampart::attest::tpm {
namespace {

Status At(YamlNode n, std::string_view file, std::string_view what) {
  return InvalidArgumentError(LocationOf(n, file).ToString() + ": " + std::string(what));
}

bool IsDigest(std::string_view s) {
  std::size_t colon = s.find(':');
  if (colon == std::string_view::npos) return false;
  std::string_view algo = s.substr(0, colon), hex = s.substr(colon + 1);
  std::size_t want = algo == "sha1"     ? 40
                     : algo == "sha256" ? 64
                     : algo == "sha384" ? 96
                     : algo == "sha512" ? 128
                                        : 0;
  if (want == 0 || hex.size() != want) return false;
  for (char c : hex)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

Result<std::set<std::string, std::less<>>> StringList(YamlNode n, std::string_view file,
                                                      std::string_view key, bool digests) {
  if (!n.IsSequence())
    return At(n, file, std::string(key) + " must be a list, not " + std::string(YamlTypeName(n)));
  std::set<std::string, std::less<>> out;
  for (YamlNode e : n.Elements()) {
    if (!e.IsScalar()) return At(e, file, std::string(key) + ": each entry must be a string");
    std::string v(e.Scalar());
    if (digests && !IsDigest(v))
      return At(e, file,
                std::string(key) + ": \"" + v +
                    "\" is not a digest <sha256|sha384|sha512|sha1>:<lowercase hex>");
    out.insert(std::move(v));
  }
  return out;
}

Result<NodeClass> ParseClass(std::string name, YamlNode n, std::string_view file) {
  if (!n.IsMap()) return At(n, file, "class " + name + " must be a mapping");
  NodeClass c;
  c.name = std::move(name);
  for (auto [k, v] : n.Entries()) {
    std::string_view key = k.Scalar();
    if (key == "secure_boot") {
      if (v.Scalar() == "required")
        c.secure_boot_required = true;
      else if (v.Scalar() == "any")
        c.secure_boot_required = false;
      else
        return At(v, file, "secure_boot must be \"required\" or \"any\"");
    } else if (key == "firmware" || key == "boot_applications" || key == "kernel" ||
               key == "initrd") {
      RAMPART_ASSIGN_OR_RETURN(auto list, StringList(v, file, key, true));
      (key == "firmware"            ? c.firmware
       : key == "boot_applications" ? c.boot_applications
       : key == "kernel"            ? c.kernel
                                    : c.initrd) = std::move(list);
    } else if (key == "firmware_version" || key == "kernel_cmdline") {
      RAMPART_ASSIGN_OR_RETURN(auto list, StringList(v, file, key, false));
      (key == "firmware_version" ? c.firmware_version : c.kernel_cmdline) = std::move(list);
    } else if (key == "secure_boot_vars") {
      if (!v.IsMap()) return At(v, file, "secure_boot_vars must be a mapping of PK, KEK, db, dbx");
      for (auto [vk, vv] : v.Entries()) {
        std::string var(vk.Scalar());
        if (var != "PK" && var != "KEK" && var != "db" && var != "dbx")
          return At(vk, file,
                    "secure_boot_vars: unknown variable \"" + var + "\" (PK, KEK, db, dbx)");
        RAMPART_ASSIGN_OR_RETURN(auto list, StringList(vv, file, var, true));
        c.secure_boot_vars[var] = std::move(list);
      }
    } else if (key == "files") {
      if (!v.IsMap()) return At(v, file, "files must be a mapping of path to digests");
      for (auto [fk, fv] : v.Entries()) {
        std::string path(fk.Scalar());
        if (!path.starts_with("/")) return At(fk, file, "files: \"" + path + "\" is not absolute");
        RAMPART_ASSIGN_OR_RETURN(auto list, StringList(fv, file, path, true));
        c.files[path] = std::move(list);
      }
    } else {
      return At(k, file, "unknown key \"" + std::string(key) + "\" in class " + c.name);
    }
  }
  return c;
}

void CheckOne(const Accepted& accepted, std::string_view what, const std::string& value,
              const std::string& cls, std::vector<Drift>* out, std::string_view kind = "digest") {
  if (!accepted || accepted->contains(value)) return;
  out->push_back({std::string(what), std::string(what) + ": " + std::string(kind) + " " + value +
                                         " not in golden values for class " + cls});
}

}  // namespace

Result<NodePolicy> ParseNodePolicy(std::string_view text, std::string_view file) {
  RAMPART_ASSIGN_OR_RETURN(YamlStream stream, ParseYamlStream(text, file));
  if (stream.documents().size() != 1)
    return InvalidArgumentError(std::string(file) + ": expected one YAML document");
  YamlNode root = stream.documents()[0];
  if (!root.IsMap()) return At(root, file, "a node policy is a mapping");
  NodePolicy p;
  bool versioned = false;
  for (auto [k, v] : root.Entries()) {
    if (k.Scalar() == "version") {
      if (v.Scalar() != "1") return At(v, file, "version must be 1");
      versioned = true;
    } else if (k.Scalar() == "classes") {
      if (!v.IsMap()) return At(v, file, "classes must be a mapping of class name to values");
      for (auto [ck, cv] : v.Entries()) {
        RAMPART_ASSIGN_OR_RETURN(NodeClass c, ParseClass(std::string(ck.Scalar()), cv, file));
        p.classes.emplace(c.name, std::move(c));
      }
    } else {
      return At(k, file, "unknown key \"" + std::string(k.Scalar()) + "\" (version, classes)");
    }
  }
  if (!versioned) return At(root, file, "missing \"version: 1\"");
  if (p.classes.empty()) return At(root, file, "no classes");
  return p;
}

Result<NodePolicy> LoadNodePolicy(const std::string& path) {
  RAMPART_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  return ParseNodePolicy(text, path);
}

std::vector<Drift> CheckGoldenValues(const NodeClass& c, const BootFacts& f, const ImaLog* ima) {
  std::vector<Drift> out;
  if (c.secure_boot_required && f.secure_boot != true)
    out.push_back({"secure_boot", std::string("secure_boot: ") +
                                      (f.secure_boot ? "disabled" : "not measured") + ", class " +
                                      c.name + " requires it"});
  for (const auto& m : f.firmware) CheckOne(c.firmware, "firmware", m.digest, c.name, &out);
  if (c.firmware_version)
    CheckOne(c.firmware_version, "firmware_version", "\"" + f.firmware_version + "\"", c.name, &out,
             "version");
  for (const auto& m : f.boot_applications)
    CheckOne(c.boot_applications, "boot_application", m.digest, c.name, &out);
  auto required = [&](const Accepted& a, std::string_view what,
                      const std::optional<Measurement>& m) {
    if (!a) return;
    if (!m) {
      out.push_back({std::string(what), std::string(what) +
                                            ": not measured in the event log, "
                                            "class " +
                                            c.name + " lists it"});
      return;
    }
    CheckOne(a, what, m->digest, c.name, &out);
  };
  required(c.kernel, "kernel", f.kernel);
  required(c.initrd, "initrd", f.initrd);
  if (c.kernel_cmdline) {
    if (!f.kernel_cmdline)
      out.push_back({"kernel_cmdline", "kernel_cmdline: not measured in the event log, class " +
                                           c.name + " lists it"});
    else if (!c.kernel_cmdline->contains(*f.kernel_cmdline))
      out.push_back({"kernel_cmdline", "kernel_cmdline: \"" + *f.kernel_cmdline +
                                           "\" not in golden values for class " + c.name});
  }
  for (const auto& [var, accepted] : c.secure_boot_vars) {
    auto it = f.secure_boot_vars.find(var);
    std::string what = "secure_boot_vars:" + var;
    if (it == f.secure_boot_vars.end())
      out.push_back({what, what + ": not measured in the event log"});
    else
      CheckOne(accepted, what, it->second, c.name, &out);
  }
  if (!c.files.empty()) {
    std::map<std::string_view, int> seen;
    if (ima) {
      for (const auto& e : ima->entries) {
        auto it = c.files.find(e.path);
        if (it == c.files.end()) continue;
        ++seen[it->first];
        if (!it->second.contains(e.file_digest))
          out.push_back({"files:" + e.path, "files:" + e.path + ": digest " + e.file_digest +
                                                " not in golden values for class " + c.name});
      }
    }
    for (const auto& [path, digests] : c.files)
      if (!seen.contains(path))
        out.push_back({"files:" + path, "files:" + path + ": not measured by IMA" +
                                            std::string(ima ? "" : " (no IMA list given)") +
                                            ", class " + c.name + " lists it"});
  }
  return out;
}

}  // namespace rampart::attest::tpm
