#!/usr/bin/env bash
# Installs Rampart's build and test dependencies on Debian 12 (bookworm).
# Idempotent: packages already installed are skipped, and nothing runs apt-get
# when everything is present. Non-interactive; run as root (or with sudo).
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config git python3 openssl curl
  # tests: bundles are checked against the OMS JSON Schemas (tests/artifacts/validate_oms.py)
  python3-jsonschema
  # clang for libFuzzer and the sanitizer build (clang-14 cannot compile <expected>)
  clang-19 libclang-rt-19-dev llvm-19
  # libraries (docs/design/dependencies.md says why each)
  libboost1.81-dev libssl-dev libyaml-cpp-dev libyaml-dev libcli11-dev libspdlog-dev libfmt-dev
  libxml2-dev libsqlite3-dev sqlite3 libpq-dev libhiredis-dev libhyperscan-dev libarchive-dev zlib1g-dev
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  # HTTP/2 (the gateway's h2 and gRPC front end) and its test and bench tools
  libnghttp2-dev nghttp2-client nghttp2-server python3-grpcio protobuf-compiler
  # real servers used by tests and benchmarks
  postgresql redis-server nginx wrk
  # segmentation enforcement and its tests
  nftables libnftables-dev iproute2 util-linux
  # TPM 2.0 measured boot of nodes: a software TPM and its tools for the tests
  libtss2-dev swtpm swtpm-tools tpm2-tools
  # XML canonicalisation (C14N 1.1) for the signatures of NVIDIA's reference integrity manifests
  libxml2-dev
  # posture reports: rendered in a real headless browser, parsed by a strict HTML5 parser
  chromium python3-html5lib
  # real model files for the scanner's tests (tests/artifacts/make_real_corpus.py, run with
  # /usr/bin/python3); not python3-sklearn: it conflicts with libboost1.81-dev
  python3-torch python3-joblib python3-numpy python3-pandas python3-onnx python3-h5py
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Servers must not start on install: tests start their own instances on loopback.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
  $SUDO chmod +x /usr/sbin/policy-rc.d
  trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
