#!/usr/bin/env bash
# A kernel idmapped bind mount on top of an idshift mount, as a container runtime would stack
# them: storage ids go through idshift's map, then through the mount's user namespace.
#
#   storage 10000 (app) --idshift, image A map--> 1000 --idmapped mount, 1000->7000--> 7000
#
# The kernel idmaps a FUSE mount only when its daemon opts in with FUSE_ALLOW_IDMAP (and uses
# default_permissions); otherwise mount_setattr(MOUNT_ATTR_IDMAP) fails with EINVAL.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

e2e_require_root_and_fuse
e2e_require_tools setpriv
e2e_find_idshift
bind_helper=${IDSHIFT_E2E_IDMAPPED_BIND:-$(dirname "$IDSHIFT_BIN")/../tests/e2e/idshift-e2e-idmapped-bind}
[[ -x $bind_helper ]] || e2e_fail "no idshift-e2e-idmapped-bind: set IDSHIFT_E2E_IDMAPPED_BIND"
e2e_make_tmp idmapped

# The mount's user namespace: ids 0 and 1000 on the idshift mount show as 0 and 7000.
idmap=(u:0:0:1 g:0:0:1 u:1000:7000:1 g:1000:7000:1)

e2e_log "control: the helper idmaps a tmpfs"
mkdir "$E2E_TMP/control" "$E2E_TMP/control-idmapped"
mount -t tmpfs -o size=1m idshift-e2e "$E2E_TMP/control"
e2e_defer umount "$E2E_TMP/control"
install -o 1000 -g 1000 /dev/null "$E2E_TMP/control/file"
"$bind_helper" "$E2E_TMP/control" "$E2E_TMP/control-idmapped" "${idmap[@]}"
e2e_defer umount "$E2E_TMP/control-idmapped"
e2e_expect_eq "tmpfs, idmapped: owner of a 1000:1000 file" "7000:7000" \
    "$(e2e_ids "$E2E_TMP/control-idmapped/file")"

e2e_log "idshift with image A's map, then an idmapped mount of it"
backing=$E2E_TMP/volume
mkdir -m 0755 "$backing"
install -d -o 10000 -g 10000 -m 0755 "$backing/app-dir"
install -o 10000 -g 10000 -m 0644 /dev/null "$backing/app-file"
install -o 0 -g 0 -m 0644 /dev/null "$backing/root-file"
install -o 11500 -g 11500 -m 0644 /dev/null "$backing/alice-file"
mkdir -p "$E2E_TMP/image-a/etc"
cp "$E2E_DATA/image-a/passwd" "$E2E_DATA/image-a/group" "$E2E_TMP/image-a/etc/"
e2e_write_names_map "$E2E_TMP/image-a.map" "$E2E_TMP/image-a"
mnt=$E2E_TMP/mnt
idm=$E2E_TMP/idmapped
# The daemon opts in with -o allow_idmap=on; a daemon without that option cannot opt in at all.
# (Not `--help | grep -q`: under pipefail, grep leaving early kills --help with SIGPIPE, and the
# pipeline fails although the option is there.)
opt_in=allow_idmap=on
[[ $("$IDSHIFT_BIN" --help 2>&1) == *allow_idmap* ]] || opt_in=
e2e_idshift_mount "$backing" "$mnt" "$E2E_TMP/image-a.map" "cache=none${opt_in:+,$opt_in}"
mkdir "$idm"
rc=0
output=$("$bind_helper" "$mnt" "$idm" "${idmap[@]}" 2>&1) || rc=$?
if ((rc == 4)) && [[ $output == *EINVAL* ]]; then
    why="this idshift has no -o allow_idmap option"
    [[ -n $opt_in ]] && why="it was mounted with -o $opt_in"
    e2e_fail "the kernel refused to idmap the idshift mount ($output): the daemon did not" \
        "negotiate FUSE_ALLOW_IDMAP with default_permissions; $why"
fi
((rc == 0)) || e2e_fail "idmapped bind of the idshift mount: $output"
e2e_defer umount "$idm"

e2e_log "reading: the two mappings compose"
e2e_expect_eq "storage: app-file" "10000:10000" "$(e2e_ids "$backing/app-file")"
e2e_expect_eq "idshift: app-file" "1000:1000" "$(e2e_ids "$mnt/app-file")"
e2e_expect_eq "idmapped: app-file" "7000:7000" "$(e2e_ids "$idm/app-file")"
e2e_expect_eq "idmapped: root-file" "0:0" "$(e2e_ids "$idm/root-file")"
e2e_expect_eq "idshift: alice-file" "1500:1500" "$(e2e_ids "$mnt/alice-file")"
e2e_expect_eq "idmapped: alice-file (1500 not in the mount's map)" "65534:65534" \
    "$(e2e_ids "$idm/alice-file")"

e2e_log "writing: ids go back through both"
setpriv --reuid 7000 --regid 7000 --clear-groups sh -c "echo via idmapped > '$idm/app-dir/new'"
e2e_expect_eq "storage: file made by 7000 on the idmapped mount" "10000:10000" \
    "$(e2e_ids "$backing/app-dir/new")"
e2e_expect_eq "idshift: the same file" "1000:1000" "$(e2e_ids "$mnt/app-dir/new")"
chown 7000:7000 "$idm/root-file"
e2e_expect_eq "storage: root-file after chown 7000:7000 on the idmapped mount" "10000:10000" \
    "$(e2e_ids "$backing/root-file")"
e2e_expect_error "idmapped: chown to 1500 (not in the mount's map)" \
    "chown: changing ownership of '$idm/root-file': Value too large for defined data type" \
    chown 1500 "$idm/root-file"
e2e_log "PASS"
