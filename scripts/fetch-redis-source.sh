#!/usr/bin/env bash
# Puts Debian's copy of the pinned Redis source (redis_7.0.15.orig.tar.gz, sha256 checked by
# scripts/build-redis.mjs) into .cache/redis/, on a Debian 12 machine that cannot reach download.redis.io.
# Idempotent: adds a deb-src entry only if there is none, runs apt-get update only if apt knows no sources.
set -euo pipefail
cd "$(dirname "$0")/.."
tarball=.cache/redis/redis_7.0.15.orig.tar.gz
if [ -f "$tarball" ] || [ -f .cache/redis/redis-7.0.15.tar.gz ]; then exit 0; fi
mkdir -p .cache/redis
if ! grep -qsE '^(Types:.*deb-src|deb-src )' /etc/apt/sources.list /etc/apt/sources.list.d/*; then
  echo "redis: adding /etc/apt/sources.list.d/mailmirror-deb-src.sources (Debian source packages)"
  cat > /etc/apt/sources.list.d/mailmirror-deb-src.sources <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi
apt-cache showsrc redis >/dev/null 2>&1 || apt-get update -qq
echo "redis: apt-get source --download-only redis → .cache/redis/"
(cd .cache/redis && apt-get source --download-only -qq redis 2>&1 | grep -v 'unsandboxed as root' || true)
[ -f "$tarball" ] || { echo "redis: error: apt-get source did not give $tarball (Debian 12 has Redis 7.0.15)" >&2; exit 1; }
