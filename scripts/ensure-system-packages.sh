#!/bin/sh
# The tests use two programs from Debian: redis-server (the remote tests start their own) and GNU
# parallel (the forkpool command's comparison tests run both programs). Install what is missing
# when we can (root and apt; apt may be locked for a moment, so try three times), otherwise stop
# at once saying what to install.
# The tests and the bench run `redis-server` by that name: Valkey serves too, through Debian's
# valkey-redis-compat, which provides it.
missing() {
  for program in redis-server parallel; do
    command -v "$program" >/dev/null 2>&1 || printf '%s ' "$program"
  done
}
[ -z "$(missing)" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  for try in 1 2 3; do
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(missing) >/dev/null) && [ -z "$(missing)" ] && exit 0
    sleep 10
  done
fi
echo "forkpool tests need programs that are not installed: $(missing)(Debian: apt-get install redis-server parallel; valkey-redis-compat serves for redis-server)" >&2
exit 1
