#!/usr/bin/env bash
# A container in its own user namespace (ids 0..65535 inside are 100000.. outside) on a volume
# mounted with the map `idshift map --from-userns PID` prints: the storage's root-owned files are
# the container root's, and what the container creates is stored with the ids it has inside,
# root as 0, not as 100000.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
source "$E2E_DIR/lib/containers.sh"

e2e_require_root_and_fuse
e2e_require_crun
e2e_find_idshift
e2e_make_tmp userns

userns_first=100000
backing=$E2E_TMP/volume
mkdir -m 0755 "$backing"
echo "owned by storage root" >"$backing/root-file"
install -d -o 1000 -g 1000 -m 0700 "$backing/app-dir"
install -o 70000 -g 70000 -m 0644 /dev/null "$backing/outside-range"

e2e_log "a map from a process in the same kind of user namespace"
# A sleeper in a new user namespace; as root in the parent namespace this script may write its
# maps directly (no newuidmap needed).
unshare --user sleep 600 &
sleeper=$!
e2e_defer e2e_stop_process "$sleeper"
sleeper_has_namespace() { [[ $(readlink "/proc/$sleeper/exe") == "$(readlink -f "$(command -v sleep)")" ]]; }
e2e_wait_until "the sleeper's user namespace" sleeper_has_namespace
echo "0 $userns_first 65536" >"/proc/$sleeper/uid_map"
echo "0 $userns_first 65536" >"/proc/$sleeper/gid_map"
"$IDSHIFT_BIN" map --from-userns "$sleeper" >"$E2E_TMP/userns.map"
sed 's/^/      /' "$E2E_TMP/userns.map"
"$IDSHIFT_BIN" check "$E2E_TMP/userns.map" >/dev/null

e2e_idshift_mount "$backing" "$E2E_TMP/mnt" "$E2E_TMP/userns.map" cache=none
e2e_expect_eq "host: owner of root-file through the mount" "$userns_first:$userns_first" \
    "$(e2e_ids "$E2E_TMP/mnt/root-file")"

e2e_make_rootfs "$E2E_TMP/image-a" "$E2E_DATA/image-a"
e2e_write_bundle "$E2E_TMP/bundle" "$E2E_TMP/image-a" "$E2E_TMP/mnt" "$userns_first"
ctr=idshift-e2e-$$-userns
e2e_container_start "$ctr" "$E2E_TMP/bundle"

e2e_log "inside the user namespace"
e2e_expect_eq "container: its uid_map" "0 $userns_first 65536" \
    "$(e2e_in "$ctr" root 'cat /proc/self/uid_map' | tr -s ' ' | sed 's/^ //')"
e2e_expect_eq "container: id of root" "uid=0(root) gid=0(root)" \
    "$(e2e_in "$ctr" root id)"
e2e_expect_eq "container: owner of storage's root-file" "root:root 0:0" \
    "$(e2e_in "$ctr" root 'stat -c "%U:%G %u:%g" /vol/root-file')"
e2e_expect_eq "container: owner of storage's app-dir" "app:app 1000:1000" \
    "$(e2e_in "$ctr" root 'stat -c "%U:%G %u:%g" /vol/app-dir')"
e2e_expect_eq "container: storage id 70000 is outside the namespace" "65534:65534" \
    "$(e2e_in "$ctr" root 'stat -c "%u:%g" /vol/outside-range')"

e2e_log "what the container creates is stored with its inside ids"
e2e_in "$ctr" root 'echo made by container root > /vol/by-root'
e2e_expect_eq "storage: owner of root's new file" "0:0" "$(e2e_ids "$backing/by-root")"
e2e_expect_eq "host: owner through the mount" "$userns_first:$userns_first" \
    "$(e2e_ids "$E2E_TMP/mnt/by-root")"
e2e_in "$ctr" app 'echo made by app > /vol/app-dir/by-app'
e2e_expect_eq "storage: owner of app's new file" "1000:1000" \
    "$(e2e_ids "$backing/app-dir/by-app")"
e2e_in "$ctr" root 'chown 1500:1500 /vol/by-root'
e2e_expect_eq "storage: after root's chown 1500:1500" "1500:1500" \
    "$(e2e_ids "$backing/by-root")"
e2e_expect_error "container: app cannot append to root's file" \
    "sh: can't create /vol/root-file: Permission denied" e2e_in "$ctr" app 'echo no >> /vol/root-file'
e2e_in "$ctr" root 'echo appended by container root >> /vol/root-file'
e2e_expect_eq "storage: root-file content" $'owned by storage root\nappended by container root' \
    "$(cat "$backing/root-file")"
e2e_note "container: ls -ln /vol"
e2e_in "$ctr" root 'ls -ln /vol' | sed 's/^/      /'
e2e_log "PASS"
