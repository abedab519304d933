// URL helpers for text that reaches logs and error messages.
//
// Storage and service URLs (postgres://, redis://, http://) may carry
// credentials; anything that prints one prints RedactUrl(url) instead.
#pragma once

#include <string>
#include <string_view>

namespace rampart {

// `url` with its credentials replaced by "REDACTED": the password of a
// "user:password@" userinfo, a lone userinfo of redis:// and rediss:// (which
// is a password there), and the value of every query parameter whose name
// contains "password", "passwd", "secret" or "token" (case-insensitive).
// Anything else, including malformed text, is returned unchanged, so a
// message still shows what was configured.
std::string RedactUrl(std::string_view url);

// True for "localhost", an address in 127.0.0.0/8 and ::1 (with or without
// brackets): the hosts a plain-text connection cannot leave the machine to.
bool IsLoopbackHost(std::string_view host);

}  // namespace rampart
