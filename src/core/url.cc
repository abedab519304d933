#include "core/url.h"

#include "core/ascii.h"
#include "core/net.h"

namespace rampart {
namespace {

constexpr std::string_view kRedacted = "REDACTED";

bool ContainsIgnoreCase(std::string_view haystack, std::string_view needle) {
  if (needle.size() > haystack.size()) return false;
  for (std::size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    if (EqualsIgnoreCase(haystack.substr(i, needle.size()), needle)) return true;
  }
  return false;
}

bool SecretParameter(std::string_view name) {
  for (std::string_view s : {"password", "passwd", "secret", "token"}) {
    if (ContainsIgnoreCase(name, s)) return true;
  }
  return false;
}

// "a=1&password=x" -> "a=1&password=REDACTED".
std::string RedactQuery(std::string_view query) {
  std::string out;
  while (true) {
    std::size_t amp = query.find('&');
    std::string_view part = query.substr(0, amp);
    std::size_t eq = part.find('=');
    if (eq != std::string_view::npos && SecretParameter(part.substr(0, eq))) {
      out.append(part.substr(0, eq + 1));
      out.append(kRedacted);
    } else {
      out.append(part);
    }
    if (amp == std::string_view::npos) break;
    out.push_back('&');
    query.remove_prefix(amp + 1);
  }
  return out;
}

}  // namespace

std::string RedactUrl(std::string_view url) {
  std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string(url);
  const std::string_view scheme = url.substr(0, scheme_end);
  std::string out(url.substr(0, scheme_end + 3));
  std::string_view rest = url.substr(scheme_end + 3);

  std::size_t query_at = rest.find('?');
  std::string_view before_query = rest.substr(0, query_at);
  std::size_t authority_end = before_query.find('/');
  std::string_view authority = before_query.substr(0, authority_end);
  std::string_view path =
      authority_end == std::string_view::npos ? "" : before_query.substr(authority_end);

  // The last '@' ends the userinfo: a password may itself contain '@'.
  std::size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    std::size_t colon = userinfo.find(':');
    if (colon != std::string_view::npos) {
      out.append(userinfo.substr(0, colon + 1));
      out.append(kRedacted);
    } else if (EqualsIgnoreCase(scheme, "redis") || EqualsIgnoreCase(scheme, "rediss")) {
      out.append(kRedacted);
    } else {
      out.append(userinfo);
    }
    out.push_back('@');
    authority.remove_prefix(at + 1);
  }
  out.append(authority);
  out.append(path);
  if (query_at != std::string_view::npos) {
    out.push_back('?');
    out.append(RedactQuery(rest.substr(query_at + 1)));
  }
  return out;
}

bool IsLoopbackHost(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (EqualsIgnoreCase(host, "localhost") || EqualsIgnoreCase(host, "localhost.")) return true;
  auto ip = IpAddress::Parse(host);
  if (!ip) return false;
  if (ip->v6) return ip->value == 1;
  return (ip->value >> 24) == 127;
}

}  // namespace rampart
