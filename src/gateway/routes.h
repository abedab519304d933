// Routes of the gateway, derived from the estate's inference services by
// protocol (docs/formats/gateway-config.md, "Routes"):
//
//   openai            POST /v1/chat/completions, /v1/completions, /v1/embeddings
//                     (model from the JSON body's "model"); GET /v1/models
//                     (answered by the gateway from the estate, see
//                     Policy::ModelListJson, never forwarded)
//   kserve-v2, triton POST /v2/models/{m}[/versions/{v}]/infer
//                     GET  /v2/models/{m}[/versions/{v}], .../ready
//                     GET  /v2, /v2/health/live, /v2/health/ready
//                     POST /v2/repository/index,
//                          /v2/repository/models/{m}/load|unload (admin roles only)
//
// With several services, a request goes to the service whose estate
// `inference.models` lists the model; a service with an empty models list
// takes the models no other service of its protocol family claims. Model-less
// v2 routes (/v2, /v2/health/*, /v2/repository/index) go to the first v2
// service in estate order.
//
// Matching splits the path on '/' and compares segments: no regex, no
// allocation except the model/version strings. Nothing is decoded or
// normalised: a target with "..", ".", empty segments, an encoded '/', '\',
// '.' or NUL, control bytes, or not in origin-form is refused with 400.
//
// A RouteTable is immutable once built; share it read-only between threads.
#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/http/error.h"
#include "estate/model.h"

namespace rampart::gateway {

// Refusals are core's HttpError (core/http/error.h): the server turns them
// into {"error": {"code": code, "message": message}} with status http_status.
using http::HttpError;
using http::HttpResult;
using http::MakeHttpError;

enum class RouteKind : std::uint8_t {
  kChatCompletions,     // "chat"
  kCompletions,         // "completions"
  kEmbeddings,          // "embeddings"
  kModelList,           // "models"
  kV2Infer,             // "infer"
  kV2ModelMetadata,     // "model_metadata"
  kV2ModelReady,        // "model_ready"
  kV2ServerMetadata,    // "server_metadata"
  kV2Health,            // "health"  (live and ready)
  kV2RepositoryIndex,   // "repository_index"
  kV2RepositoryLoad,    // "repository_load"
  kV2RepositoryUnload,  // "repository_unload"
};
inline constexpr int kRouteKindCount = 12;

// Route names as used in access rules, metrics labels and the audit trail.
std::string_view RouteName(RouteKind k);
// All route names, plus the group "repository" (the three repository routes).
const std::vector<std::string>& RouteNames();

enum class ModelSource : std::uint8_t {
  kNone,  // the route names no model
  kBody,  // OpenAI: the JSON body's "model" (the server parses the body)
  kPath,  // v2: /v2/models/{m}/...
};

enum class ProtocolFamily : std::uint8_t { kOpenAi, kV2 };

struct RouteInfo {
  RouteKind kind;
  ProtocolFamily family;
  ModelSource model_source;
  std::string_view method;  // the one method the route accepts
  bool admin_only;          // model-repository routes
  bool local;               // answered by the gateway itself (GET /v1/models)
  // The response may be an event stream (the server should not buffer).
  bool may_stream;
};

const RouteInfo& InfoOf(RouteKind k);

struct RouteMatch {
  const RouteInfo* route = nullptr;
  std::string model;    // ModelSource::kPath: from the path; else ""
  std::string version;  // "/versions/{v}" if given
  // Model-less routes: the service the request goes to (index into
  // RouteTable::services()); -1 when it depends on the model.
  int service = -1;
  // Path and query to send upstream (the target unchanged; the upstream's
  // base_path is the server's business).
  std::string_view path;
  std::string_view query;  // without '?', "" if none
};

// Checks a request-target without matching: origin-form, no dot segments,
// no empty segments, no encoded '/', '\', '.', NUL, no control bytes or
// spaces, length <= 8 KiB. 400 "bad_target" otherwise.
HttpResult<std::pair<std::string_view, std::string_view>> SplitTarget(std::string_view target);

class RouteTable {
 public:
  struct ServiceEntry {
    std::string name;  // estate service
    ProtocolFamily family;
    std::vector<std::string> models;  // from the estate; empty = catch-all
  };

  // Routes for every estate service with `inference:`. A table without any
  // such service routes nothing (everything is 404).
  static RouteTable Build(const estate::Estate& e);

  // 400 bad_target, 404 route_not_found, 405 method_not_allowed (with allow).
  // Never touches an upstream.
  HttpResult<RouteMatch> Match(std::string_view method, std::string_view target) const;

  // The service serving `model` for a route of `family`: the one listing it,
  // else the family's catch-all, else 404 model_not_found.
  HttpResult<int> ServiceFor(ProtocolFamily family, std::string_view model) const;

  const std::vector<ServiceEntry>& services() const { return services_; }
  // The service model-less routes of `family` go to (the first in estate
  // order), or -1.
  int FirstService(ProtocolFamily f) const {
    return f == ProtocolFamily::kOpenAi ? first_openai_ : first_v2_;
  }
  bool has(ProtocolFamily f) const {
    return f == ProtocolFamily::kOpenAi ? first_openai_ >= 0 : first_v2_ >= 0;
  }

 private:
  std::vector<ServiceEntry> services_;
  int first_openai_ = -1;
  int first_v2_ = -1;
};

}  // namespace rampart::gateway
