#include "core/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace rampart {
namespace {
std::string Errno(const std::filesystem::path& p, std::string_view what) {
  return std::string(what) + " " + p.string() + ": " + std::strerror(errno);
}

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};
}  // namespace

Result<std::string> ReadFile(const std::filesystem::path& path, std::uint64_t max_size) {
  Fd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (f.fd < 0) {
    if (errno == ENOENT) return NotFoundError(path.string() + ": no such file");
    return InvalidArgumentError(Errno(path, "cannot open"));
  }
  struct stat st;
  if (::fstat(f.fd, &st) != 0) return InvalidArgumentError(Errno(path, "cannot stat"));
  if (S_ISDIR(st.st_mode)) return InvalidArgumentError(path.string() + ": is a directory");
  if (S_ISREG(st.st_mode) && static_cast<std::uint64_t>(st.st_size) > max_size) {
    return InvalidArgumentError(path.string() + ": larger than the limit of " +
                                std::to_string(max_size) + " bytes");
  }
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(f.fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return InvalidArgumentError(Errno(path, "cannot read"));
    }
    if (n == 0) break;
    if (out.size() + static_cast<std::size_t>(n) > max_size) {
      return InvalidArgumentError(path.string() + ": larger than the limit of " +
                                  std::to_string(max_size) + " bytes");
    }
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

Status WriteFileAtomic(const std::filesystem::path& path, std::string_view data, unsigned mode) {
  std::filesystem::path dir = path.parent_path();
  if (dir.empty()) dir = ".";
  std::string tmpl = (dir / ("." + path.filename().string() + ".tmpXXXXXX")).string();
  Fd f{::mkostemp(tmpl.data(), O_CLOEXEC)};
  if (f.fd < 0) return UnavailableError(Errno(dir, "cannot create a temporary file in"));
  auto fail = [&](std::string msg) {
    ::unlink(tmpl.c_str());
    return UnavailableError(std::move(msg));
  };
  if (::fchmod(f.fd, mode) != 0) return fail(Errno(tmpl, "cannot chmod"));
  std::size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(f.fd, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(Errno(tmpl, "cannot write"));
    }
    off += static_cast<std::size_t>(n);
  }
  if (::fsync(f.fd) != 0) return fail(Errno(tmpl, "cannot fsync"));
  ::close(f.fd);
  f.fd = -1;
  if (::rename(tmpl.c_str(), path.c_str()) != 0) return fail(Errno(path, "cannot rename onto"));
  Fd d{::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (d.fd >= 0) ::fsync(d.fd);
  return OkStatus();
}

}  // namespace rampart
