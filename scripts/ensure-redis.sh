#!/bin/sh
# The remote tests start their own redis-server: install it from Debian when it is missing and
# we can (root and apt), otherwise stop at once saying what to install.
# The tests and the bench run `redis-server` by that name: Valkey serves too, through Debian's
# valkey-redis-compat, which provides it.
command -v redis-server >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null) && exit 0
fi
echo "forkpool tests need redis-server: install it (Debian: apt-get install redis-server, or valkey-redis-compat for Valkey)" >&2
exit 1
