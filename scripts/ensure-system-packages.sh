#!/bin/sh
# The tests use three things from Debian: redis-server (the remote tests start their own), GNU
# parallel (the forkpool command's comparison tests run both programs) and a C compiler (the
# build compiles the native spawner, native/forker.c, whose tests then run). Install what is
# missing when we can (root and apt; apt may be locked for a moment, so try three times),
# otherwise stop at once saying what to install.
# The tests and the bench run `redis-server` by that name: Valkey serves too, through Debian's
# valkey-redis-compat, which provides it.
# Each entry: the program the tests run, then the Debian package that has it.
NEEDED='redis-server:redis-server parallel:parallel cc:gcc'
missing() {
  for entry in $NEEDED; do
    command -v "${entry%%:*}" >/dev/null 2>&1 || printf '%s ' "${entry#*:}"
  done
}
[ -z "$(missing)" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  for try in 1 2 3; do
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(missing) >/dev/null) && [ -z "$(missing)" ] && exit 0
    [ "$try" = 3 ] || sleep 10
  done
fi
echo "forkpool tests need Debian packages that are not installed: $(missing)(apt-get install redis-server parallel gcc; valkey-redis-compat serves for redis-server)" >&2
exit 1
