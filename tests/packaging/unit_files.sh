#!/usr/bin/env bash
# The systemd units load cleanly in systemd-analyze verify, and the shell lines of
# idshift@.service do what its comments say: name the configuration file when a key is missing,
# create the mount point, and pass OPTIONS on only when it is set. There is no systemd manager to
# start the unit here, so those lines are run the way systemd would run them: continuation lines
# joined, %i replaced by the instance name, "$$" by "$", then split into words like a shell.
# Usage: unit_files.sh SOURCE_DIR
set -euo pipefail
source "$(dirname "$0")/lib.sh"

src=$1
command -v systemd-analyze >/dev/null || skip "systemd-analyze is not installed"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/idshift-units.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# verify also checks that each Documentation=man: page exists, so point man at the sources.
mkdir -p "$tmp/man/man8" "$tmp/man/man5" "$tmp/units"
ln -s "$src/packaging/man/idshift.8" "$tmp/man/man8/idshift.8"
ln -s "$src/packaging/man/idshift.map.5" "$tmp/man/man5/idshift.map.5"
unit=$src/packaging/systemd/idshift@.service
cp "$unit" "$src/packaging/systemd/examples/srv-volumes-web.mount" "$tmp/units/"
verify=$(cd "$tmp/units" &&
    MANPATH="$tmp/man" systemd-analyze verify idshift@web.service srv-volumes-web.mount 2>&1) ||
    fail "systemd-analyze verify failed: $verify"
expect_eq "$verify" "" "systemd-analyze verify output"

# directive KEY: the value of KEY= in the unit, continuation lines joined.
directive() {
    awk -v key="$1=" 'index($0, key) == 1 {
        line = substr($0, length(key) + 1)
        while (line ~ /\\$/ && (getline continued) > 0) {
            sub(/\\$/, " ", line)
            line = line continued
        }
        print line; exit }' "$unit"
}

# The daemon is replaced by a probe that prints its arguments, one per line.
probe=$tmp/idshift-probe
printf '#!/bin/sh\nprintf "%%s\\n" "$@"\n' >"$probe"
chmod +x "$probe"

# run_as_systemd KEY: runs the command of KEY for instance "web" with only the environment in
# env_vars, as EnvironmentFile= would have set it. Prints its stdout and stderr.
run_as_systemd() {
    local command
    command=$(directive "$1" | sed -e 's/%i/web/g' -e 's/\$\$/$/g' -e "s|/usr/bin/idshift|$probe|")
    eval "set -- $command"
    env -i PATH=/usr/bin:/bin "${env_vars[@]}" "$@" 2>&1
}

mountpoint="$tmp/run/idshift/web data"
env_vars=("SOURCE=/srv/storage/web data" "MOUNTPOINT=$mountpoint" "MAP=/etc/idshift/web.map")
run_as_systemd ExecStartPre >/dev/null || fail "ExecStartPre failed with every key set"
[ -d "$mountpoint" ] || fail "ExecStartPre did not create MOUNTPOINT"
expect_lines_eq "$(run_as_systemd ExecStart)" "-f
/srv/storage/web data
$mountpoint
-o
map=/etc/idshift/web.map" "idshift arguments without OPTIONS"

env_vars+=("OPTIONS=allow_other,cache=none")
expect_lines_eq "$(run_as_systemd ExecStart)" "-f
/srv/storage/web data
$mountpoint
-o
map=/etc/idshift/web.map,allow_other,cache=none" "idshift arguments with OPTIONS"

for missing in SOURCE MAP MOUNTPOINT; do
    env_vars=("SOURCE=/srv/storage/web" "MOUNTPOINT=$tmp/mnt" "MAP=/etc/idshift/web.map")
    for i in "${!env_vars[@]}"; do
        [[ ${env_vars[$i]} == "$missing="* ]] && unset 'env_vars[i]'
    done
    env_vars=("${env_vars[@]}")
    if out=$(run_as_systemd ExecStartPre); then
        fail "ExecStartPre succeeded without $missing"
    fi
    expect_contains "$out" "$missing: not set in /etc/idshift/web.conf" \
        "ExecStartPre without $missing"
done
# ExecReload without a main process (the kernel backend leaves none): idshift reload MOUNTPOINT.
env_vars=("SOURCE=/srv/storage/web" "MOUNTPOINT=$mountpoint" "MAP=/etc/idshift/web.map")
expect_lines_eq "$(run_as_systemd ExecReload)" "reload
$mountpoint" "ExecReload without MAINPID"
# With one (the FUSE daemon): SIGHUP to it. A sleeping child stands in for the daemon.
sleep 30 &
sleeper=$!
env_vars+=("MAINPID=$sleeper")
run_as_systemd ExecReload >/dev/null || fail "ExecReload with MAINPID failed"
wait "$sleeper" && fail "the stand-in daemon did not get a signal" || status=$?
expect_eq "$status" "$((128 + 1))" "ExecReload with MAINPID: SIGHUP to it"
echo "ok: units verified; ExecStartPre, ExecStart and ExecReload behave as documented"
