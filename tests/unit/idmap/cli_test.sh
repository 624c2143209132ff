#!/usr/bin/env bash
# `idshift check` and `idshift map` as a user runs them: exit codes, stdout and stderr.
# Usage: cli_test.sh IDSHIFT_BINARY SOURCE_DIR
set -euo pipefail
idshift=$1
src=$2
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

failures=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}
# run NAME EXPECTED_EXIT CMD...: runs CMD, keeping its stdout and stderr in $out and $err.
run() {
    local name=$1 expected=$2 status=0
    shift 2
    "$@" >"$scratch/out" 2>"$scratch/err" || status=$?
    out=$(cat "$scratch/out")
    err=$(cat "$scratch/err")
    [ "$status" -eq "$expected" ] || fail "$name: exit $status, expected $expected; stderr: $err"
}
expect_eq() { [ "$1" == "$2" ] || fail "$3: got [$1], expected [$2]"; }

run "check --help" 0 "$idshift" check --help
expect_eq "$(head -n 1 <<<"$out")" "usage: idshift check [-o map_owner_check=off] MAP [MAP...]" "check --help first line"
run "check without a map" 2 "$idshift" check
expect_eq "$err" $'idshift check: no map given\nTry \'idshift check --help\'.' "check without a map"
run "check with an unknown option" 2 "$idshift" check --frobnicate web.map
expect_eq "$(head -n 1 <<<"$err")" "idshift check: unknown option '--frobnicate'" "unknown option"

cd "$src/packaging/examples"
run "check the examples" 0 "$idshift" check web.map db.map userns.map
expect_eq "$err" "" "examples: stderr"
expect_eq "$(head -n 1 <<<"$out")" "web.map: valid, 7 uid rules, 8 gid rules" "examples: first line"
expect_eq "$(grep -c ': valid, ' <<<"$out")" "3" "examples: three tables"
expect_eq "$(grep -F 'user app = alice' <<<"$out")" \
    "uid  mount 1000        -> storage 1001           (1 id)       web.map:26  user app = alice" \
    "examples: the app row"
expect_eq "$(tail -n 4 <<<"$out" | head -n 1)" \
    "gid  mount 100000-165535 -> storage 0-65535  (65536 ids)  userns.map:9  gid 100000 0 65536" \
    "examples: the userns gid row"
# The last line of each table: whether the kernel backend can carry the map, and why not.
expect_eq "$(grep '^kernel backend: ' <<<"$out")" \
    "kernel backend: yes (7 uid and 8 gid extents), where the storage accepts idmapped mounts
kernel backend: no: unmapped-write is squash, and the kernel refuses a write of an unmapped id (EOVERFLOW) instead of storing a substitute
kernel backend: yes (1 uid and 1 gid extents), where the storage accepts idmapped mounts" \
    "examples: the kernel backend lines"

cd "$src/tests/data/idmap"
run "check a map with errors" 1 "$idshift" check errors.map
expect_eq "$out" "" "errors: stdout"
expect_eq "$err" "$(cat errors.expected)" "errors: stderr"
run "check a good and a bad map" 1 "$idshift" check names.map errors.map
expect_eq "$(head -n 1 <<<"$out")" "names.map: valid, 7 uid rules, 7 gid rules" "good and bad: stdout"
expect_eq "$err" "$(cat errors.expected)" "good and bad: stderr"
run "check a missing map" 1 "$idshift" check missing.map
expect_eq "$err" "missing.map: cannot read: No such file or directory" "missing map"

run "check -o" 0 "$idshift" check -o uidmap=0:100000:65536,gidmap=0:100000:65536
expect_eq "$(head -n 1 <<<"$out")" \
    "-o uidmap=0:100000:65536,gidmap=0:100000:65536: valid, 1 uid rule, 1 gid rule" "check -o"
run "check -o with a bad triplet" 1 "$idshift" check -o uidmap=0:1
expect_eq "$err" "uidmap=: expected MOUNT:STORAGE:COUNT triplets, but got 2 numbers (not a multiple of 3)" \
    "check -o bad triplet"
run "check -o with another option" 2 "$idshift" check -o map=web.map
expect_eq "$(head -n 1 <<<"$err")" "idshift check: -o takes uidmap= and gidmap= here, not 'map=web.map'" \
    "check -o map="

run "map --help" 0 "$idshift" map --help
expect_eq "$(head -n 1 <<<"$out")" "usage: idshift map --from-userns PID" "map --help"
run "map without arguments" 2 "$idshift" map
run "map --from-userns without a pid" 2 "$idshift" map --from-userns
run "map --from-userns 0" 2 "$idshift" map --from-userns 0
expect_eq "$(head -n 1 <<<"$err")" "idshift map: '0' is not a process id" "map pid 0"
run "map --from-userns abc" 2 "$idshift" map --from-userns abc

# This shell's own namespace: every extent appears as "uid OUTSIDE INSIDE COUNT".
run "map --from-userns self" 0 "$idshift" map --from-userns $$
expected=$(awk '{print "uid", $2, $1, $3}' "/proc/$$/uid_map"; awk '{print "gid", $2, $1, $3}' "/proc/$$/gid_map")
expect_eq "$(grep -E '^[ug]id ' <<<"$out")" "$expected" "map self: rules"
printf '%s\n' "$out" >"$scratch/self.map"
run "check the generated map" 0 "$idshift" check "$scratch/self.map"

# pid_max itself is never a pid.
gone=$(cat /proc/sys/kernel/pid_max)
run "map for a process that does not exist" 1 "$idshift" map --from-userns "$gone"
expect_eq "$err" "idshift map: cannot read /proc/$gone/uid_map: No such file or directory (no process $gone?)" \
    "map missing pid"

# --from-image: an image tree with the e2e image A's user database, the e2e storage's files.
mkdir -p "$scratch/image-a/etc"
cp "$src/tests/e2e/data/image-a/passwd" "$src/tests/e2e/data/image-a/group" "$scratch/image-a/etc/"
storage=$src/tests/e2e/data/storage
run "map --from-image" 0 "$idshift" map --from-image "$scratch/image-a" \
    --storage-passwd "$storage/passwd" --storage-group "$storage/group" \
    --unmapped-read 65534:65533 --unmapped-write squash:65534
expect_eq "$out" "# idshift map for the image at $scratch/image-a: its etc/passwd and etc/group joined by name
# with the storage's users ($storage/passwd) and groups ($storage/group).
uid 0 0  # user root
uid 1000 10000  # user app
uid 1500 11500  # user alice
gid 0 0  # group root
gid 1000 10000  # group app
gid 1500 11500  # group alice
gid 3000 20000  # group shared
unmapped-read  65534 65533
unmapped-write squash:65534:65534" "map --from-image: the map"
expect_eq "$err" "" "map --from-image: stderr"
printf '%s\n' "$out" >"$scratch/image-a.map"
run "check the map from the image" 0 "$idshift" check "$scratch/image-a.map"
expect_eq "$(head -n 1 <<<"$out")" "$scratch/image-a.map: valid, 3 uid rules, 4 gid rules" \
    "check the map from the image"
run "map --from-image without /etc/passwd" 1 "$idshift" map --from-image "$scratch/empty" \
    --storage-passwd "$storage/passwd" --storage-group "$storage/group"
expect_eq "$err" "idshift map: image has no /etc/passwd ($scratch/empty/etc/passwd: No such file or directory)
idshift map: image has no /etc/group ($scratch/empty/etc/group: No such file or directory)" \
    "map --from-image without /etc/passwd"
run "map --from-image without a value" 2 "$idshift" map --from-image "$scratch/image-a" --storage-group
expect_eq "$(head -n 1 <<<"$err")" "idshift map: --storage-group needs a value" \
    "map --from-image without a value"

# oci-hook without a container engine: a state on stdin and a bundle in the scratch directory.
run "oci-hook with an unknown argument" 2 "$idshift" oci-hook --frobnicate
expect_eq "$err" "idshift oci-hook: unknown argument '--frobnicate'" "oci-hook unknown argument"
mkdir -p "$scratch/bundle/rootfs/etc" "$scratch/src"
cp "$src/tests/e2e/data/image-a/group" "$scratch/bundle/rootfs/etc/"
printf '{"root": {"path": "rootfs"}, "mounts": [{"destination": "/vol", "type": "bind", "source": "%s"}]}\n' \
    "$scratch/src" >"$scratch/bundle/config.json"
state() { printf '{"id": "c1", "pid": %s, "bundle": "%s", "annotations": {%s}}' $$ "$scratch/bundle" "$1"; }
: >"$scratch/hook.conf"
run "oci-hook: no annotation, nothing to do" 0 "$idshift" oci-hook --config "$scratch/hook.conf" \
    < <(state '"other": "x"')
expect_eq "$out$err" "" "oci-hook nothing to do: output"
run "oci-hook: a missing configuration file" 1 "$idshift" oci-hook --config "$scratch/missing.conf" \
    < <(state '"io.idshift.volumes": "/vol"')
expect_eq "$err" "idshift oci-hook: container c1: $scratch/missing.conf: cannot read: No such file or directory" \
    "oci-hook missing configuration"
run "oci-hook: an image without /etc/passwd" 1 "$idshift" oci-hook --config "$scratch/hook.conf" \
    < <(state '"io.idshift.volumes": "/vol"')
expect_eq "$err" "idshift oci-hook: container c1: volume /vol: image has no /etc/passwd ($scratch/bundle/rootfs/etc/passwd: No such file or directory)" \
    "oci-hook image without /etc/passwd"
cp "$src/tests/e2e/data/image-a/passwd" "$scratch/bundle/rootfs/etc/"
run "oci-hook: a volume that is not a bind mount" 1 "$idshift" oci-hook --config "$scratch/hook.conf" \
    < <(state '"io.idshift.volumes": "/data"')
expect_eq "$err" "idshift oci-hook: container c1: volume /data: the container has no bind mount there (give it one with -v SOURCE:/data)" \
    "oci-hook volume without a bind mount"
run "oci-hook: a state without a pid" 1 "$idshift" oci-hook --config "$scratch/hook.conf" \
    <<<'{"id": "c1", "bundle": "/nonexistent"}'
expect_eq "$err" "idshift oci-hook: container c1: the state has no process id (is the hook registered for the createRuntime stage?)" \
    "oci-hook state without a pid"

if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed" >&2
    exit 1
fi
echo "ok: idshift check and idshift map"
