#!/bin/sh
# Builds native/test/rootfs_driver.cc with the rootfs sources and runs its scenarios against
# throw-away busybox rootfses under /tmp/cista-rootfs-test. Needs root and a static busybox
# (apt-get install busybox-static). Every scenario runs in its own mount+pid namespace; the host's
# mount table is compared before and after.
set -eu
cd "$(dirname "$0")/../.."
BUSYBOX=${BUSYBOX:-/bin/busybox}
T=/tmp/cista-rootfs-test
DRIVER=$T/rootfs-driver

[ "$(id -u)" = 0 ] || { echo "rootfs.sh: needs root" >&2; exit 2; }
[ ! -e "$T" ] || { echo "rootfs.sh: $T exists, remove it first" >&2; exit 2; }
mkdir -p "$T"
mounts_before=$(cat /proc/self/mountinfo)

cleanup() {
  if [ "$(cat /proc/self/mountinfo)" != "$mounts_before" ]; then
    echo "rootfs.sh: the host mount table changed; not removing $T" >&2
    exit 1
  fi
  rm -rf "$T"
}
trap cleanup EXIT

g++ -std=c++17 -Wall -Wextra -Werror -fno-exceptions -fno-rtti -Os -static -Inative \
  native/test/rootfs_driver.cc native/init/rootfs.cc native/init/mounts.cc native/init/devices.cc native/init/lsm.cc \
  -o "$DRIVER"

# make_rootfs DIR: a rootfs with busybox and its applets in /bin.
make_rootfs() {
  mkdir -p "$1/bin" "$1/etc" "$1/proc" "$1/sys" "$1/dev" "$1/tmp" "$1/mnt"
  cp "$BUSYBOX" "$1/bin/busybox"
  for applet in $("$BUSYBOX" --list); do [ -e "$1/bin/$applet" ] || ln -s busybox "$1/bin/$applet"; done
}

HOST=$T/host
mkdir -p "$HOST/data"
echo hello-from-host > "$HOST/hostfile"
echo "42.00 1.00" > "$HOST/uptime"

failures=0
pass() { echo "PASS $1"; }
failed() { echo "FAIL $1"; failures=$((failures + 1)); }

# Checks run inside the container by busybox sh; each prints ok/not ok, the exit code counts failures.
CHECK_LIB='
fails=0
check() { if eval "$2" >/dev/null 2>&1; then echo "  ok - $1"; else echo "  not ok - $1"; fails=$((fails + 1)); fi; }
mnt() { grep " $1 " /proc/mounts; }
'
DEFAULT_CHECKS="$CHECK_LIB"'
check "pid 1 in the new pid namespace" "[ \$\$ = 1 ]"
check "proc mounted on /proc" "mnt /proc | grep -q ^proc"
check "host directories are gone" "[ ! -e /tmp/cista-rootfs-test ] && [ ! -e /usr/bin ]"
check "/ is read-only" "! touch /x"
check "/dev is a 755 tmpfs, nosuid" "mnt /dev | grep -q \"^tmpfs /dev tmpfs rw,nosuid,size=65536k,mode=755\""
check "/dev is writable" "touch /dev/x"
check "/dev/null is char 1:3, 666" "[ \"\$(stat -c %t:%T:%a /dev/null)\" = 1:3:666 ]"
check "/dev/urandom is char 1:9" "[ \"\$(stat -c %t:%T /dev/urandom)\" = 1:9 ]"
check "/dev/tty is char 5:0" "[ \"\$(stat -c %t:%T /dev/tty)\" = 5:0 ]"
check "/dev/null works" "echo hi > /dev/null"
check "/dev/zero reads zeros" "[ \"\$(head -c 3 /dev/zero | od -An -tx1 | tr -d \" \")\" = 000000 ]"
check "/dev/ptmx -> pts/ptmx" "[ \"\$(readlink /dev/ptmx)\" = pts/ptmx ]"
check "/dev/fd -> /proc/self/fd" "[ \"\$(readlink /dev/fd)\" = /proc/self/fd ] && [ -e /dev/fd/0 ]"
check "devpts is a new instance" "mnt /dev/pts | grep -q \"^devpts /dev/pts devpts rw,nosuid,noexec,.*gid=5,mode=620,ptmxmode=666\""
check "/dev/shm is a 1777 tmpfs" "mnt /dev/shm | grep -q \"^shm /dev/shm tmpfs rw,nosuid,nodev,noexec,\" && [ \$(stat -c %a /dev/shm) = 1777 ] && touch /dev/shm/x"
check "/dev/mqueue" "mnt /dev/mqueue | grep -q \"^mqueue /dev/mqueue mqueue rw,nosuid,nodev,noexec\""
check "/sys is read-only sysfs" "mnt /sys | grep -q \"^sysfs /sys sysfs ro,nosuid,nodev,noexec\" && ! touch /sys/x"
check "/sys/fs/cgroup is read-only cgroup2" "mnt /sys/fs/cgroup | grep -q \"^cgroup /sys/fs/cgroup cgroup2 ro,nosuid,nodev,noexec,relatime\""
check "bind file content" "grep -q hello-from-host /etc/test-bind"
check "bind file remounted ro,nosuid" "mnt /etc/test-bind | grep -q \" ro,nosuid,\" && ! sh -c \"echo x >> /etc/test-bind\""
check "bind dir writable" "echo from-container > /mnt/data/written"
check "ro tmpfs deferred then read-only" "mnt /ro-tmp | grep -q \"^tmpfs /ro-tmp tmpfs ro,nosuid\" && ! touch /ro-tmp/x"
check "symlink mount step" "[ \"\$(readlink /etc/link)\" = test-bind ]"
check "/proc/kcore masked with /dev/null" "[ ! -e /proc/kcore ] || [ \"\$(stat -c %t:%T /proc/kcore)\" = 1:3 ]"
check "/proc/keys masked" "[ ! -s /proc/keys ]"
check "/proc/timer_list masked" "[ ! -e /proc/timer_list ] || [ ! -s /proc/timer_list ]"
check "/sys/firmware masked with an empty ro tmpfs" "[ ! -e /sys/firmware ] || { [ -z \"\$(ls -A /sys/firmware)\" ] && mnt /sys/firmware | grep -q \"^tmpfs /sys/firmware tmpfs ro,\"; }"
check "/proc/sys read-only" "mnt /proc/sys | grep -q \"^proc /proc/sys proc ro,\" && ! sh -c \"echo 1 > /proc/sys/kernel/ns_last_pid\""
check "/proc/sysrq-trigger read-only (when the kernel has it)" "[ ! -e /proc/sysrq-trigger ] || mnt /proc/sysrq-trigger | grep -q \" ro,\""
check "/proc/self/fd works" "[ -e /proc/self/fd/1 ]"
check "lxcfs-style bind over /proc/uptime" "grep -q 42.00 /proc/uptime"
[ $fails = 0 ] || cat /proc/self/mountinfo
exit $fails
'

for scenario in default nopivot; do
  R=$T/rootfs-$scenario
  make_rootfs "$R"
  rm -f "$HOST/data/written"
  echo "== $scenario"
  if "$DRIVER" $scenario "$R" "$HOST" "$DEFAULT_CHECKS" && [ "$(cat "$HOST/data/written")" = from-container ]; then
    pass $scenario
  else
    failed $scenario
  fi
done

echo "== evil"
R=$T/rootfs-evil
make_rootfs "$R"
ln -s / "$R/evil"
ln -s ../../../.. "$R/evil2"
echo secret > "$R/secret.txt"
mkdir "$R/secretdir" && echo secret > "$R/secretdir/file"
EVIL_CHECKS="$CHECK_LIB"'
rootdev=$(stat -c %d /)
check "/tmp/NAME is a tmpfs inside the rootfs" "[ \$(stat -c %d /tmp/NAME) != \$rootdev ]"
check "/tmp/NAME-2 is a tmpfs inside the rootfs" "[ \$(stat -c %d /tmp/NAME-2) != \$rootdev ]"
check "bind file inside the rootfs" "grep -q hello-from-host /tmp/NAME-file"
check "/etc read-only through the /evil symlink" "! touch /etc/x"
check "the rest of / stays writable" "touch /tmp/y"
check "masked file reads empty" "[ ! -s /secret.txt ]"
check "masked directory is empty" "[ -z \"\$(ls -A /secretdir)\" ] && ! touch /secretdir/x"
exit $fails
'
name=cista-rootfs-test-evil
[ ! -e /tmp/$name ] || { echo "rootfs.sh: /tmp/$name exists on the host" >&2; exit 2; }
if "$DRIVER" evil "$R" "$HOST" "$(echo "$EVIL_CHECKS" | sed "s/NAME/$name/g")" &&
  [ ! -e "/tmp/$name" ] && [ ! -e "/tmp/$name-2" ] && [ ! -e "/tmp/$name-file" ] &&
  [ -d "$R/tmp/$name" ] && [ -d "$R/tmp/$name-2" ] && [ -f "$R/tmp/$name-file" ] &&
  [ "$(cat "$R/secret.txt")" = secret ]; then
  pass evil
else
  failed evil
fi

# expect_refusal SCENARIO ROOTFS MESSAGE
expect_refusal() {
  if "$DRIVER" "$1" "$2" "$HOST" 'echo started; exit 0' 2>"$T/err" | grep -q started; then
    failed "$1 (the container started)"
  elif grep -q "$3" "$T/err"; then
    pass "$1: $(cat "$T/err")"
  else
    failed "$1: $(cat "$T/err")"
  fi
}
echo "== proc-symlink"
R=$T/rootfs-proc-symlink
make_rootfs "$R"
rmdir "$R/proc" && ln -s /tmp "$R/proc"
expect_refusal proc-symlink "$R" 'filesystem "proc" must be mounted on an ordinary directory, /proc is a symlink'
echo "== sysfs-file"
R=$T/rootfs-sysfs-file
make_rootfs "$R"
rmdir "$R/sys" && touch "$R/sys"
expect_refusal sysfs-file "$R" 'filesystem "sysfs" must be mounted on an ordinary directory, /sys is not a directory'

echo "== proc-inside"
R=$T/rootfs-proc-inside
make_rootfs "$R"
ln -s /proc/sys/kernel "$R/sneaky"
expect_refusal proc-inside "$R" '"/proc/sys/kernel/core_pattern"\|/sneaky/core_pattern cannot be mounted because it is inside /proc'
echo "== proc-over"
R=$T/rootfs-proc-over
make_rootfs "$R"
expect_refusal proc-over "$R" '/proc cannot be mounted because it is not of type proc'

echo "== bad-option"
R=$T/rootfs-bad-option
make_rootfs "$R"
expect_refusal bad-option "$R" "mounting \"tmpfs\" on /dev (tmpfs: Bad value for 'mode'): Invalid argument"

echo "== dev-symlink"
R=$T/rootfs-dev-symlink
make_rootfs "$R"
rmdir "$R/dev" && ln -s /tmp/cista-hostdev-$$ "$R/dev"
mkdir "$R/tmp/cista-hostdev-$$"
if "$DRIVER" dev-symlink "$R" "$HOST" '[ -c /dev/null ] && [ -c /tmp/cista-hostdev-'$$'/zero ]' &&
  [ ! -e /tmp/cista-hostdev-$$ ] && [ -c "$R/tmp/cista-hostdev-$$/null" ]; then
  pass dev-symlink
else
  failed dev-symlink
  rm -rf /tmp/cista-hostdev-$$
fi

echo "== userns"
R=$T/rootfs-userns
make_rootfs "$R"
echo container-host > "$R/etc/hostname"
USERNS_CHECKS="$CHECK_LIB"'
check "/dev/null is the host node bound over a file (mknod is refused)" "[ \"\$(stat -c %t:%T /dev/null)\" = 1:3 ] && [ \$(stat -c %d /dev/null) != \$(stat -c %d /dev) ] && echo x > /dev/null"
check "/dev/zero bound" "[ \"\$(head -c 2 /dev/zero | od -An -tx1 | tr -d \" \")\" = 0000 ]"
check "/ is read-only" "! touch /x"
check "/etc is read-only" "! touch /etc/x"
check "masked /etc/hostname" "[ ! -s /etc/hostname ]"
check "bind with locked nosuid,nodev made read-only keeping them" "mnt /mnt/locked | grep -q \"^tmpfs /mnt/locked tmpfs ro,nosuid,nodev,\" && ! touch /mnt/locked/x"
exit $fails
'
if "$DRIVER" userns "$R" "$HOST" "$USERNS_CHECKS"; then
  pass userns
else
  failed userns
fi

echo "$failures failure(s)"
[ $failures = 0 ]
