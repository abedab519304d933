#include "core/clock.h"

#include <cstdio>
#include <ctime>

namespace rampart {

const Clock& Clock::Real() {
  static const SystemClock clock;
  return clock;
}

std::string FormatRfc3339(Clock::SystemTime t, int fraction_digits) {
  using namespace std::chrono;
  auto ns = duration_cast<nanoseconds>(t.time_since_epoch()).count();
  std::int64_t secs = ns / 1'000'000'000;
  std::int64_t frac = ns % 1'000'000'000;
  if (frac < 0) {
    frac += 1'000'000'000;
    --secs;
  }
  std::time_t tt = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900,
                        tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  std::string out(buf, static_cast<std::size_t>(n));
  if (fraction_digits > 0) {
    if (fraction_digits > 9) fraction_digits = 9;
    char fb[16];
    std::snprintf(fb, sizeof fb, "%09lld", static_cast<long long>(frac));
    out += '.';
    out.append(fb, static_cast<std::size_t>(fraction_digits));
  }
  out += 'Z';
  return out;
}

bool ParseRfc3339(std::string_view s, Clock::SystemTime* out) {
  // YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)
  auto digits = [&](std::size_t pos, std::size_t n, int* v) {
    if (pos + n > s.size()) return false;
    int r = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      r = r * 10 + (s[i] - '0');
    }
    *v = r;
    return true;
  };
  int Y, M, D, h, m, sec;
  if (!digits(0, 4, &Y) || s.size() < 20 || s[4] != '-' || !digits(5, 2, &M) || s[7] != '-' ||
      !digits(8, 2, &D) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(11, 2, &h) ||
      s[13] != ':' || !digits(14, 2, &m) || s[16] != ':' || !digits(17, 2, &sec)) {
    return false;
  }
  if (M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || sec > 60) return false;
  // system_clock counts int64 nanoseconds: it holds 1677-09-21 to 2262-04-11.
  // Refuse years at the edges rather than overflow.
  if (Y < 1678 || Y > 2261) return false;
  std::size_t pos = 19;
  std::int64_t frac_ns = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int count = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (count < 9) {
        frac_ns = frac_ns * 10 + (s[pos] - '0');
        ++count;
      }
      ++pos;
    }
    if (count == 0) return false;
    for (; count < 9; ++count) frac_ns *= 10;
  }
  int offset_min = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh, om;
    if (!digits(pos + 1, 2, &oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !digits(pos + 4, 2, &om)) {
      return false;
    }
    offset_min = (oh * 60 + om) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return false;
  }
  if (pos != s.size()) return false;
  // Days from civil (Howard Hinnant's algorithm).
  int y = Y - (M <= 2);
  int era = (y >= 0 ? y : y - 399) / 400;
  unsigned yoe = static_cast<unsigned>(y - era * 400);
  unsigned doy = (153 * (M + (M > 2 ? -3 : 9)) + 2) / 5 + D - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  std::int64_t days = static_cast<std::int64_t>(era) * 146097 + doe - 719468;
  std::int64_t secs = days * 86400 + h * 3600 + m * 60 + sec - offset_min * 60;
  *out = Clock::SystemTime(std::chrono::duration_cast<Clock::SystemTime::duration>(
      std::chrono::seconds(secs) + std::chrono::nanoseconds(frac_ns)));
  return true;
}

}  // namespace rampart
