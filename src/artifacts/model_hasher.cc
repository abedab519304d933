#include "artifacts/model_hasher.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <thread>

#include "core/crypto.h"
#include "core/encoding.h"

namespace rampart::artifacts {
namespace {

namespace fs = std::filesystem;

bool ValidUtf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

const EVP_MD* Md(DigestAlgorithm a) {
  return a == DigestAlgorithm::kSha256 ? EVP_sha256() : EVP_blake2b512();
}

}  // namespace

Result<DigestAlgorithm> ParseDigestAlgorithm(std::string_view name) {
  if (name == "sha256") return DigestAlgorithm::kSha256;
  if (name == "blake2b") return DigestAlgorithm::kBlake2b;
  return InvalidArgumentError("hash algorithm '" + std::string(name) +
                              "' is not supported (sha256 or blake2b)");
}

std::string_view DigestAlgorithmName(DigestAlgorithm a) {
  return a == DigestAlgorithm::kSha256 ? "sha256" : "blake2b";
}

bool IsIgnored(std::string_view rel, const std::vector<std::string>& ignore_paths) {
  for (const auto& p : ignore_paths) {
    std::string_view q = p;
    while (q.ends_with('/')) q.remove_suffix(1);
    while (q.starts_with("./")) q.remove_prefix(2);
    if (q.empty()) continue;
    if (rel == q || (rel.size() > q.size() && rel.starts_with(q) && rel[q.size()] == '/')) {
      return true;
    }
  }
  return false;
}

Result<std::vector<ModelFile>> EnumerateModel(const fs::path& root, const HashOptions& options) {
  std::vector<ModelFile> out;
  std::error_code ec;
  auto st = fs::symlink_status(root, ec);
  if (ec || !fs::exists(st)) return NotFoundError(root.string() + ": no such file or directory");
  if (fs::is_symlink(st) && !options.allow_symlinks) {
    return InvalidArgumentError(root.string() + ": is a symbolic link (use --allow-symlinks)");
  }
  if (fs::is_regular_file(fs::status(root, ec))) {
    std::string name = root.filename().string();
    if (!ValidUtf8(name)) return InvalidArgumentError(root.string() + ": file name is not UTF-8");
    out.push_back({name, root, fs::file_size(root, ec)});
    return out;
  }
  if (!fs::is_directory(fs::status(root, ec))) {
    return InvalidArgumentError(root.string() + ": not a regular file or directory");
  }
  auto opts = options.allow_symlinks ? fs::directory_options::follow_directory_symlink
                                     : fs::directory_options::none;
  auto canon_root = fs::weakly_canonical(root, ec);
  for (auto it = fs::recursive_directory_iterator(root, opts, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::string rel = it->path().lexically_relative(root).generic_string();
    if (IsIgnored(rel, options.ignore_paths)) {
      if (it->is_directory(ec) && !it->is_symlink(ec)) it.disable_recursion_pending();
      continue;
    }
    auto s = it->symlink_status(ec);
    if (ec) break;
    if (fs::is_symlink(s)) {
      if (!options.allow_symlinks) {
        return InvalidArgumentError(it->path().string() +
                                    ": is a symbolic link; OMS does not follow links unless "
                                    "--allow-symlinks is given");
      }
      auto target = fs::weakly_canonical(it->path(), ec);
      auto r = target.lexically_relative(canon_root);
      if (!ec && (r.empty() || *r.begin() == "..")) {
        std::fprintf(stderr, "rampart: warning: %s points outside the model directory\n",
                     it->path().c_str());
      }
      s = fs::status(it->path(), ec);
      if (ec) return InvalidArgumentError(it->path().string() + ": dangling symbolic link");
    }
    if (fs::is_directory(s)) continue;
    if (!fs::is_regular_file(s)) continue;
    if (!ValidUtf8(rel)) return InvalidArgumentError(it->path().string() + ": name is not UTF-8");
    out.push_back({rel, it->path(), fs::file_size(it->path(), ec)});
  }
  if (ec) return InvalidArgumentError(root.string() + ": cannot walk: " + ec.message());
  std::sort(out.begin(), out.end(),
            [](const ModelFile& a, const ModelFile& b) { return a.name < b.name; });
  return out;
}

Result<std::vector<std::string>> HashRanges(const std::vector<HashJob>& jobs,
                                            DigestAlgorithm algorithm, unsigned threads,
                                            std::size_t buffer) {
  std::vector<std::string> out(jobs.size());
  std::atomic<std::size_t> next{0};
  std::mutex mu;
  Status first_error;
  auto worker = [&] {
    std::vector<std::uint8_t> buf(buffer);
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    while (true) {
      std::size_t i = next.fetch_add(1);
      if (i >= jobs.size()) break;
      const HashJob& j = jobs[i];
      Status st;
      int fd = ::open(j.path.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) {
        st = InvalidArgumentError(j.path.string() + ": cannot open: " + std::strerror(errno));
      } else {
        ::posix_fadvise(fd, static_cast<off_t>(j.start), static_cast<off_t>(j.end - j.start),
                        POSIX_FADV_SEQUENTIAL);
        EVP_DigestInit_ex(ctx, Md(algorithm), nullptr);
        std::uint64_t pos = j.start;
        while (pos < j.end) {
          std::size_t want =
              static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), j.end - pos));
          ssize_t got = ::pread(fd, buf.data(), want, static_cast<off_t>(pos));
          if (got < 0 && errno == EINTR) continue;
          if (got <= 0) {
            st = InvalidArgumentError(
                j.path.string() +
                (got == 0 ? ": shorter than expected (changed while hashing?)" : ": read error"));
            break;
          }
          EVP_DigestUpdate(ctx, buf.data(), static_cast<std::size_t>(got));
          pos += static_cast<std::uint64_t>(got);
        }
        ::close(fd);
        if (st.ok()) {
          unsigned char md[EVP_MAX_MD_SIZE];
          unsigned int len = 0;
          EVP_DigestFinal_ex(ctx, md, &len);
          out[i] = HexEncode(std::span<const std::uint8_t>(md, len));
        }
      }
      if (!st.ok()) {
        std::lock_guard<std::mutex> lock(mu);
        if (first_error.ok()) first_error = st;
        next = jobs.size();
      }
    }
    EVP_MD_CTX_free(ctx);
  };
  unsigned n = threads != 0 ? threads : std::max(1u, std::thread::hardware_concurrency());
  n = static_cast<unsigned>(std::min<std::size_t>(n, std::max<std::size_t>(1, jobs.size())));
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < n; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  if (!first_error.ok()) return first_error;
  return out;
}

Result<std::vector<HashedResource>> HashModel(const fs::path& root, const HashOptions& options) {
  RAMPART_ASSIGN_OR_RETURN(auto files, EnumerateModel(root, options));
  if (files.empty()) {
    return InvalidArgumentError(root.string() + ": no regular files to hash after exclusions");
  }
  std::vector<HashJob> jobs;
  std::vector<HashedResource> res;
  for (const auto& f : files) {
    if (options.shard_size) {
      std::uint64_t s = *options.shard_size;
      for (std::uint64_t start = 0; start < f.size; start += s) {
        std::uint64_t end = std::min(f.size, start + s);
        jobs.push_back({f.path, start, end});
        res.push_back({f.name + ":" + std::to_string(start) + ":" + std::to_string(end), f.name,
                       start, end, ""});
      }
    } else {
      jobs.push_back({f.path, 0, f.size});
      res.push_back({f.name, f.name, 0, f.size, ""});
    }
  }
  RAMPART_ASSIGN_OR_RETURN(auto digests,
                           HashRanges(jobs, options.algorithm, options.threads, options.buffer));
  for (std::size_t i = 0; i < res.size(); ++i) res[i].digest = std::move(digests[i]);
  std::sort(res.begin(), res.end(),
            [](const HashedResource& a, const HashedResource& b) { return a.name < b.name; });
  return res;
}

Result<std::string> RootDigest(const std::vector<std::string>& hex_digests) {
  crypto::Hasher h(crypto::HashAlgorithm::kSha256);
  for (const auto& d : hex_digests) {
    RAMPART_ASSIGN_OR_RETURN(auto raw, HexDecode(d));
    h.Update(crypto::ByteView(raw));
  }
  return HexEncode(h.Finish());
}

}  // namespace rampart::artifacts
