// Keras v3 archives (.keras: a zip with config.json, metadata.json and
// model.weights.h5). The config is JSON describing every layer by module and
// class; a Lambda layer carries marshaled Python bytecode (or a function
// reference) run at load time when safe_mode is off, and a "module" outside
// Keras names Python code to import. Both are reported, including inside
// nested models.
#pragma once

#include <string_view>
#include <vector>

#include "artifacts/finding.h"
#include "artifacts/policy.h"

namespace rampart::artifacts {

// Checks the text of a Keras config.json.
std::vector<Issue> CheckKerasConfig(std::string_view json_text, const Policy& policy);

}  // namespace rampart::artifacts
