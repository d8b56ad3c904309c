#!/usr/bin/env bash
# Make uWebSockets.js loadable on hosts whose glibc is older than 2.38 (e.g. Debian 12).
#
# uWS.js ships prebuilt .node binaries linked against GLIBC_2.38. Instead of upgrading the
# host, we copy the pinned Node 24 binary and patchelf it onto a private glibc unpacked from
# Debian 13 (trixie)'s libc6 package. Everything lives in .cache/uws-runtime/ (git-ignored).
#
# Usage: .ci/uws-runtime.sh [--activate | --deactivate] [--print-node]
#   (none)        build/verify the patched runtime only
#   --activate    also point node_modules/.bin/node at it, so `npm run …` scripts and every
#                 child spawned via process.execPath use it (CI: --activate, then npm test)
#   --deactivate  restore the original node_modules/.bin/node and exit
#   --print-node  print only the path of a node that loads uWS.js on stdout (logs -> stderr)
set -euo pipefail

cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."   # repo root, whatever the cwd
ROOT=$PWD
RT=$ROOT/.cache/uws-runtime
BIN_LINK=node_modules/.bin/node
BACKUP=$BIN_LINK.orig
PATCHED_REL=../../.cache/uws-runtime/bin/node              # relative to node_modules/.bin/

mode=build print_node=0
for arg in "$@"; do
  case $arg in
    --activate) mode=activate ;;
    --deactivate) mode=deactivate ;;
    --print-node) print_node=1 ;;
    *) echo "usage: $0 [--activate | --deactivate] [--print-node]" >&2; exit 2 ;;
  esac
done

log() { echo "uws-runtime: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
is_active() { [[ -L $BIN_LINK && $(readlink "$BIN_LINK") == "$PATCHED_REL" ]]; }
loads_uws() { "$1" -e "require('uWebSockets.js')" >/dev/null 2>&1; }   # run from repo root
finish() {   # the one summary line; with --print-node stdout carries only the node path
  if ((print_node)); then log "$1"; echo "$2"; else echo "uws-runtime: $1 (node: $2)"; fi
  exit 0
}

if [[ $mode == deactivate ]]; then
  if is_active && [[ -e $BACKUP || -L $BACKUP ]]; then
    mv -fT "$BACKUP" "$BIN_LINK"; finish "deactivated, restored original node" "$(readlink -f "$BIN_LINK")"
  fi
  is_active && die "$BIN_LINK points at the patched node but $BACKUP is missing; run npm ci"
  rm -f "$BACKUP"   # stale backup left by an npm install that re-created the link
  finish "was not active, nothing to restore" "$(readlink -f "$BIN_LINK")"
fi

# The real Node 24 binary (when active, .bin/node is ours, so look through the backup).
if is_active; then ORIG=$(readlink -f "$BACKUP"); else ORIG=$(readlink -f "$BIN_LINK"); fi
[[ -x $ORIG ]] || die "no node binary at $BIN_LINK; run npm ci first"
want=$("$ORIG" --version)

# Hosts with glibc >= 2.38 load uWS.js natively: nothing to patch or activate.
if loads_uws "$ORIG"; then
  log "note: $ORIG ($want) already loads uWebSockets.js natively; no patching needed"
  finish "nothing to do" "$ORIG"
fi

NODE=$RT/bin/node
# Reuse a previous build only if it is for the same Node version and still loads uWS.js
# (the patched paths are absolute, so moving the repo invalidates it).
if [[ -x $NODE ]] && [[ $("$NODE" --version 2>/dev/null) == "$want" ]] && loads_uws "$NODE"; then
  did="reused existing patched runtime"
else
  log "building patched runtime for $want in $RT"
  if ! command -v patchelf >/dev/null; then
    ((EUID == 0)) || die "patchelf is missing and we are not root; install it (apt-get install patchelf)"
    log "installing patchelf"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq patchelf >&2 || { apt-get update -qq >&2 && apt-get install -y -qq patchelf >&2; } ||
      die "could not install patchelf with apt-get"
  fi

  deb=$(compgen -G "$RT/debs/libc6_*.deb" | head -n1 || true)
  if [[ -z $deb ]]; then
    # Private apt state so the system's lists/cache/status are untouched. The only source is
    # the first stanza of the system deb822 sources with Suites swapped to trixie; its
    # Signed-By keyring (debian-archive-keyring) already carries the trixie keys.
    src=/etc/apt/sources.list.d/debian.sources
    [[ -r $src ]] || die "$src not found; this script expects a Debian host"
    A=$RT/apt
    rm -rf "$A"; mkdir -p "$A/sources.list.d" "$A/lists/partial" "$A/cache/archives/partial" "$RT/debs"
    : >"$A/status"
    awk 'BEGIN { RS = ""; ORS = "\n" } NR == 1' "$src" | sed -E 's/^Suites:.*/Suites: trixie/' \
      >"$A/sources.list.d/trixie.sources"
    grep -q '^URIs:' "$A/sources.list.d/trixie.sources" || die "no URIs: in the first stanza of $src"
    apt_opts=(
      -o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$A/sources.list.d"
      -o Dir::Etc::PreferencesParts=/dev/null            # host pins must not apply
      -o Dir::State::Lists="$A/lists" -o Dir::State::status="$A/status" -o Dir::Cache="$A/cache"
      -o APT::Architectures="$(dpkg --print-architecture)" -o Acquire::Languages=none
    )
    # As root apt would drop to _apt, which cannot write into this root-owned tree.
    ((EUID == 0)) && apt_opts+=(-o APT::Sandbox::User=root)
    apt-get "${apt_opts[@]}" -qq update >&2 || die "apt-get update (trixie) failed"
    (cd "$RT/debs" && apt-get "${apt_opts[@]}" -qq download libc6 >&2) || die "apt-get download libc6 failed"
    rm -rf "$A"   # the ~20 MB of package lists are not needed once we have the .deb
    deb=$(compgen -G "$RT/debs/libc6_*.deb" | head -n1) || die "libc6 .deb missing after download"
  fi

  rm -rf "$RT/glibc" && dpkg-deb -x "$deb" "$RT/glibc"
  loader=$(find "$RT/glibc" -type f -name 'ld-linux*.so*' | head -n1)
  libc=$(find "$RT/glibc" -type f -name 'libc.so.6' | head -n1)
  [[ -n $loader && -n $libc ]] || die "loader or libc.so.6 not found in $deb"

  mkdir -p "$RT/bin"
  cp "$ORIG" "$NODE.tmp"
  patchelf --set-interpreter "$loader" --set-rpath "$(dirname "$libc")" "$NODE.tmp"
  mv -f "$NODE.tmp" "$NODE"
  did="built patched runtime ($(basename "$deb"))"
fi

got=$("$NODE" --version) || die "patched node does not run"
[[ $got == "$want" ]] || die "patched node reports $got, expected $want"
loads_uws "$NODE" || { "$NODE" -e "require('uWebSockets.js')" >&2 || true; die "patched node cannot load uWebSockets.js"; }

if [[ $mode == activate ]]; then
  if ! is_active; then
    mv -fT "$BIN_LINK" "$BACKUP"                 # backup keeps the original link target
    ln -s "$PATCHED_REL" "$BIN_LINK"
  fi
  did+=", activated $BIN_LINK"
fi
finish "$did; $got loads uWebSockets.js" "$NODE"
