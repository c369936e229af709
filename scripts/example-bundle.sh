#!/bin/sh
# Makes an OCI bundle from Debian's busybox-static: DIR/rootfs with busybox and its applets, and
# DIR/config.json from `cista spec`, made non-interactive and running ARGS (default: a greeting).
# usage: scripts/example-bundle.sh DIR [ARGS...]
set -eu
dir=$1
shift
cista="$(cd "$(dirname "$0")/.." && pwd)/bin/cista"
mkdir -p "$dir/rootfs/bin" "$dir/rootfs/proc" "$dir/rootfs/sys" "$dir/rootfs/dev" "$dir/rootfs/tmp" "$dir/rootfs/etc" "$dir/rootfs/root"
cp /bin/busybox "$dir/rootfs/bin/busybox"
for applet in $("$dir/rootfs/bin/busybox" --list); do
  [ -e "$dir/rootfs/bin/$applet" ] || ln -s busybox "$dir/rootfs/bin/$applet"
done
echo "root:x:0:0:root:/root:/bin/sh" > "$dir/rootfs/etc/passwd"
echo "root:x:0:" > "$dir/rootfs/etc/group"
rm -f "$dir/config.json"
"$cista" spec --bundle "$dir"
if [ $# -eq 0 ]; then set -- sh -c 'echo "hello from $(hostname): pid $$, $(id)"'; fi
node -e '
  const fs = require("fs");
  const [file, ...args] = process.argv.slice(1);
  const config = JSON.parse(fs.readFileSync(file, "utf8"));
  config.process.terminal = false;
  config.process.args = args;
  fs.writeFileSync(file, JSON.stringify(config, null, "\t"));
' "$dir/config.json" "$@"
