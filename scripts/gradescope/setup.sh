#!/usr/bin/env bash
# Gradescope runs this once, as root, in /autograder/source (the unzipped autograder.zip), when it
# builds the autograder's image (https://gradescope-autograders.readthedocs.io/en/latest/specs/).
# It makes the image able to run run_autograder:
#   1. a supported Node (bundle.env: SUPPORTED_NODE_MAJORS): the one on PATH if it is supported,
#      else the official linux tarball of Node NODE_MAJOR from nodejs.org, checked against the
#      release's SHASUMS256.txt, installed under NODE_PREFIX/lib/nodejs and linked from NODE_PREFIX/bin;
#   2. the grader's runtime dependencies (package.json: esbuild, whose native binary cannot be
#      bundled) with npm ci from package-lock.json;
#   3. bubblewrap with apt-get, where it can (failure is fine: the sandbox works without it).
# The node it chose is written to node-path, where run_autograder reads it.
# Idempotent: run again, it finds what it installed and says so.
#
# For a local run or an unusual image (Gradescope sets none of these):
#   NODE_MIRROR  the base of Node's release folders (default https://nodejs.org/dist), like nvm's NVM_NODEJS_ORG_MIRROR
#   NODE_PREFIX  where Node is installed when one is needed (default /usr/local)
set -euo pipefail

SOURCE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=/dev/null
. "$SOURCE/bundle.env"
MIRROR="${NODE_MIRROR:-https://nodejs.org/dist}"
PREFIX="${NODE_PREFIX:-/usr/local}"

say() { printf 'setup: %s\n' "$*"; }
fail() { say "$*"; exit 1; }

# The major version of the node at $1 ("" when it does not run).
major_of() { "$1" --version 2>/dev/null | sed -n 's/^v\([0-9][0-9]*\)\..*/\1/p' | head -n 1 || true; }
supported() { local m; m="$(major_of "$1")"; [[ -n "$m" && " $SUPPORTED_NODE_MAJORS " == *" $m "* ]]; }

# download URL FILE
download() {
  if ! command -v curl >/dev/null 2>&1 && ! command -v wget >/dev/null 2>&1; then
    say "neither curl nor wget: installing curl with apt-get"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq curl ca-certificates >/dev/null
  fi
  if command -v curl >/dev/null 2>&1; then curl -fsSL --retry 3 -o "$2" "$1"; else wget -q -O "$2" "$1"; fi
}

install_node() {
  local arch
  case "$(uname -m)" in
    x86_64 | amd64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) fail "no official Node build for $(uname -m): install Node ${SUPPORTED_NODE_MAJORS// /, } in the image yourself" ;;
  esac
  local base="$MIRROR/latest-v$NODE_MAJOR.x"
  local tmp
  tmp="$(mktemp -d)"
  download "$base/SHASUMS256.txt" "$tmp/SHASUMS256.txt" || { rm -rf "$tmp"; fail "could not download $base/SHASUMS256.txt"; }
  local line
  line="$(grep -E "^[0-9a-f]{64}  node-v$NODE_MAJOR\.[0-9]+\.[0-9]+-linux-$arch\.tar\.gz$" "$tmp/SHASUMS256.txt" | head -n 1 || true)"
  [[ -n "$line" ]] || { rm -rf "$tmp"; fail "$base/SHASUMS256.txt lists no node-v$NODE_MAJOR.*-linux-$arch.tar.gz"; }
  local file="${line##* }"
  local name="${file%.tar.gz}"
  download "$base/$file" "$tmp/$file" || { rm -rf "$tmp"; fail "could not download $base/$file"; }
  if ! (cd "$tmp" && printf '%s\n' "$line" | sha256sum --check --status); then
    rm -rf "$tmp"
    fail "$file does not match its SHA-256 in $base/SHASUMS256.txt: not installed"
  fi
  # Unpacked beside its final place, then renamed: an interrupted setup leaves no half-installed Node.
  mkdir -p "$PREFIX/lib/nodejs" "$PREFIX/bin"
  local staging
  staging="$(mktemp -d "$PREFIX/lib/nodejs/.unpacking-XXXXXX")"
  tar -xzf "$tmp/$file" -C "$staging"
  rm -rf "$tmp"
  [[ -x "$staging/$name/bin/node" ]] || { rm -rf "$staging"; fail "$file has no $name/bin/node"; }
  rm -rf "${PREFIX:?}/lib/nodejs/$name"
  mv "$staging/$name" "$PREFIX/lib/nodejs/$name"
  rmdir "$staging"
  local b
  for b in node npm npx; do
    if [[ -e "$PREFIX/lib/nodejs/$name/bin/$b" ]]; then ln -sfn "../lib/nodejs/$name/bin/$b" "$PREFIX/bin/$b"; fi
  done
  say "installed $name into $PREFIX/lib/nodejs (SHA-256 checked against $base/SHASUMS256.txt), linked from $PREFIX/bin"
}

# 1. Node
NODE=""
present="$(command -v node 2>/dev/null || true)"
for candidate in "$present" "$PREFIX/bin/node"; do
  if [[ -n "$candidate" && -x "$candidate" ]] && supported "$candidate"; then NODE="$candidate"; break; fi
done
if [[ -n "$NODE" ]]; then
  say "Node $("$NODE" --version) at $NODE is supported (${SUPPORTED_NODE_MAJORS// /, }): not installing one"
else
  if [[ -n "$present" ]]; then
    say "Node $("$present" --version 2>/dev/null || echo '(does not run)') at $present is not supported (${SUPPORTED_NODE_MAJORS// /, }): installing Node $NODE_MAJOR"
  else
    say "no Node on PATH: installing Node $NODE_MAJOR"
  fi
  install_node
  NODE="$PREFIX/bin/node"
  supported "$NODE" || fail "the Node installed at $NODE does not run"
fi
NODE="$("$NODE" -p 'process.execPath')"
printf '%s\n' "$NODE" >"$SOURCE/node-path"
say "run_autograder will use $NODE (written to node-path)"

# 2. Runtime dependencies, with the npm that came with that node (its folder first on PATH).
# No install scripts: esbuild's only optimizes, and nothing else has one.
lock_sum="$(sha256sum "$SOURCE/package-lock.json" | cut -d' ' -f1)"
stamp="$SOURCE/node_modules/.installed-from-lock"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$lock_sum" ]]; then
  say "runtime dependencies: already installed from this package-lock.json"
else
  npm_path="$(dirname "$NODE"):$PATH"
  npm="$(export PATH="$npm_path"; command -v npm || true)"
  [[ -n "$npm" ]] || fail "no npm beside $NODE nor on PATH: the runtime dependencies cannot be installed"
  (cd "$SOURCE" && PATH="$npm_path" npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error) ||
    fail "npm ci failed: the runtime dependencies are not installed"
  printf '%s\n' "$lock_sum" >"$stamp"
  say "runtime dependencies: installed with npm ci ($npm)"
fi
# shellcheck disable=SC2016 # a JavaScript template literal, not a shell expansion
(cd "$SOURCE" && "$NODE" -e 'console.log(`setup: esbuild ${require("esbuild").version} loads`)') ||
  fail "esbuild does not load: the grader cannot compile submissions"

# 3. bubblewrap: only where apt-get can install it; whether it can run is probed at grading time.
if command -v bwrap >/dev/null 2>&1; then
  say "bubblewrap: present at $(command -v bwrap)"
elif [[ "${BACKPROP_GRADER_BWRAP:-}" == "0" ]]; then
  say "bubblewrap: not installed (BACKPROP_GRADER_BWRAP=0)"
elif [[ "$(id -u)" != "0" ]] || ! command -v apt-get >/dev/null 2>&1; then
  say "bubblewrap: absent, and apt-get cannot install it here (not root, or no apt-get): grading runs without it"
elif (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap) >/dev/null 2>&1; then
  say "bubblewrap: installed with apt-get"
else
  say "bubblewrap: apt-get could not install it: grading runs without it"
fi

chmod +x "$SOURCE/run_autograder"
say "done"
