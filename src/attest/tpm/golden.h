// Golden values: what each class of node may boot and run
// (docs/formats/node-policy.md), and the check of a node's verified facts
// against them. Drift is reported by name ("kernel", "files:/usr/bin/vllm"),
// never by PCR number.
//
// Thread-safety: a NodePolicy is immutable after loading.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "attest/tpm/event_log.h"
#include "attest/tpm/ima_log.h"
#include "core/status.h"

namespace rampart::attest::tpm {

// Accepted values of one measured thing; unset means "not checked".
using Accepted = std::optional<std::set<std::string, std::less<>>>;

struct NodeClass {
  std::string name;
  bool secure_boot_required = false;
  Accepted firmware;           // each PCR-0 firmware measurement
  Accepted firmware_version;   // the CRTM version string
  Accepted boot_applications;  // each EFI boot application (shim, grub, UKI)
  Accepted kernel;
  Accepted initrd;
  Accepted kernel_cmdline;
  std::map<std::string, Accepted, std::less<>> secure_boot_vars;  // "PK", "KEK", "db", "dbx"
  // IMA: each listed path must be measured, every time, with a listed digest.
  std::map<std::string, std::set<std::string, std::less<>>, std::less<>> files;
};

struct NodePolicy {
  std::map<std::string, NodeClass, std::less<>> classes;
};

// Parses a node policy; errors are InvalidArgument "file:line:col: what".
Result<NodePolicy> ParseNodePolicy(std::string_view text, std::string_view file);
Result<NodePolicy> LoadNodePolicy(const std::string& path);

struct Drift {
  std::string what;     // "kernel", "secure_boot", "files:/lib/modules/.../nvidia.ko"
  std::string message;  // "kernel: digest sha256:… not in golden values for class gpu-training"
};

// Every way `facts` (and `ima`, when given) depart from `cls`.
std::vector<Drift> CheckGoldenValues(const NodeClass& cls, const BootFacts& facts,
                                     const ImaLog* ima);

}  // namespace rampart::attest::tpm
