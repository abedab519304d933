// Keys and certificates in files: load with errors that name the file, write
// private keys atomically with owner-only permissions.
#pragma once

#include <filesystem>
#include <vector>

#include "core/crypto.h"
#include "core/status.h"

namespace rampart {

// PEM or DER. Errors read "<path>: <what is wrong>", e.g.
// "keys/signing.pem: not a private key (found a certificate); pass the key file".
Result<crypto::PrivateKey> LoadPrivateKeyFile(const std::filesystem::path& path);
Result<crypto::PublicKey> LoadPublicKeyFile(const std::filesystem::path& path);
// Every certificate in a PEM file, in order.
Result<std::vector<crypto::Certificate>> LoadCertificateChainFile(
    const std::filesystem::path& path);

// Writes PKCS#8 PEM with mode 0600 (temp file, fsync, rename). Refuses to
// overwrite an existing file unless `overwrite`.
Status WritePrivateKeyFile(const std::filesystem::path& path, const crypto::PrivateKey& key,
                           bool overwrite = false);
Status WritePublicKeyFile(const std::filesystem::path& path, const crypto::PublicKey& key,
                          bool overwrite = false);

}  // namespace rampart
