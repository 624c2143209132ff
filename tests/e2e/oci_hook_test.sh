#!/usr/bin/env bash
# `idshift oci-hook` with real podman: the packaged hooks.d JSON (pointed at this build), two
# containers from images that disagree about /etc/passwd, both with the annotation
# io.idshift.volumes=/vol on bind mounts of one backing directory, and no map file written by
# anyone: each container's map comes from its own image. The story of two_images_test.sh is
# asserted on them; removing the containers ends the daemons. An image without /etc/passwd
# cannot start, and says which container and volume.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
source "$E2E_DIR/lib/containers.sh"
source "$E2E_DIR/lib/two_images.sh"
source "$E2E_DIR/lib/podman.sh"

e2e_require_root_and_fuse
e2e_require_crun
e2e_require_podman
e2e_find_idshift
e2e_podman_private_namespace "$@"
e2e_make_tmp oci-hook
e2e_podman_setup

runtime=$E2E_TMP/oci-runtime
cat >"$E2E_TMP/oci-hook.conf" <<CONF
storage-passwd $E2E_DATA/storage/passwd
storage-group  $E2E_DATA/storage/group
unmapped-read  65534
unmapped-write deny
mount-options  cache=none
runtime-dir    $runtime
CONF
sed -e "s|\"/usr/bin/idshift\"|\"$IDSHIFT_BIN\"|" \
    -e "s|\"oci-hook\"\]|\"oci-hook\", \"--config\", \"$E2E_TMP/oci-hook.conf\"]|" \
    "$E2E_REPO/packaging/oci/idshift-oci-hook.json" >"$E2E_PODMAN/hooks.d/idshift.json"
# The hook makes its runtime directory a private mount of its own.
e2e_defer e2e_unmount_if_mounted "$runtime"
e2e_unmount_if_mounted() { if mountpoint -q "$1"; then umount "$1"; fi; }

backing=$E2E_TMP/volume
mkdir -m 1777 "$backing"
E2E_A=idshift-e2e-a
E2E_B=idshift-e2e-b
e2e_podman_import image-a "$E2E_DATA/image-a"
e2e_podman_import image-b "$E2E_DATA/image-b"

e2e_log "two containers with the annotation: the hook mounts idshift over their /vol"
e2e_podman_start "$E2E_A" image-a -v "$backing:/vol" --annotation io.idshift.volumes=/vol
e2e_podman_start "$E2E_B" image-b -v "$backing:/vol" --annotation io.idshift.volumes=/vol
for name in "$E2E_A" "$E2E_B"; do
    e2e_expect_eq "$name: /vol is an idshift mount of the backing dir" "fuse.idshift $backing" \
        "$(e2e_in "$name" root 'awk "\$2 == \"/vol\" { t = \$3 \" \" \$1 } END { print t }" /proc/mounts')"
done
e2e_expect_eq "no map file or staging mount left behind" "" "$(ls -A "$runtime")"

e2e_two_images_checks "$backing"

e2e_log "removing the containers ends their daemons"
daemons() { pgrep -fc "^idshift $backing $runtime/" || true; }
e2e_expect_eq "idshift daemons running for the two containers" 2 "$(daemons)"
e2e_podman rm --force --time 0 "$E2E_A" "$E2E_B" >/dev/null
daemons_gone() { [[ $(daemons) == 0 ]]; }
e2e_wait_until "the hook's daemons to exit" daemons_gone
e2e_expect_eq "storage: notes.txt kept as written" "10000:20000" "$(e2e_ids "$backing/notes.txt")"

e2e_log "an image without /etc/passwd: the container does not start, and says why"
e2e_make_rootfs "$E2E_TMP/rootfs-image-c" "$E2E_DATA/image-a"
rm "$E2E_TMP/rootfs-image-c/etc/passwd"
tar -C "$E2E_TMP/rootfs-image-c" -cf "$E2E_TMP/rootfs-image-c.tar" .
e2e_podman import --quiet "$E2E_TMP/rootfs-image-c.tar" localhost/image-c:e2e >/dev/null
# crun shows no hook output; with this annotation it keeps the hooks' stderr in a file.
rc=0
e2e_podman_start idshift-e2e-c image-c -v "$backing:/vol" --annotation io.idshift.volumes=/vol \
    --annotation "run.oci.hooks.stderr=$E2E_TMP/hook-c.err" 2>"$E2E_TMP/run-c.err" || rc=$?
((rc != 0)) || e2e_fail "a container without /etc/passwd started"
e2e_expect_eq "podman run: the hook failed" \
    "Error: OCI runtime error: crun: error executing hook \`$IDSHIFT_BIN\` (exit code: 1)" \
    "$(cat "$E2E_TMP/run-c.err")"
id=$(e2e_podman inspect --format '{{.Id}}' idshift-e2e-c)
config=$(find "$E2E_PODMAN" -path "*/$id/userdata/config.json" | head -n 1)
root=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["root"]["path"])' "$config")
e2e_expect_eq "the hook's message names the container and the volume" \
    "idshift oci-hook: container $id: volume /vol: image has no /etc/passwd ($root/etc/passwd: No such file or directory)" \
    "$(cat "$E2E_TMP/hook-c.err")"
e2e_expect_eq "no daemon started for it" 0 "$(daemons)"

e2e_log "an annotation that names a host file as the storage's passwd: refused, and says why"
rc=0
e2e_podman_start idshift-e2e-d image-a -v "$backing:/vol" --annotation io.idshift.volumes=/vol \
    --annotation io.idshift.storage-passwd=/etc/shadow \
    --annotation "run.oci.hooks.stderr=$E2E_TMP/hook-d.err" 2>/dev/null || rc=$?
((rc != 0)) || e2e_fail "a container chose the storage's passwd file by annotation"
id=$(e2e_podman inspect --format '{{.Id}}' idshift-e2e-d)
e2e_expect_eq "the hook's message names the container, the annotation and the host file" \
    "idshift oci-hook: container $id: annotation io.idshift.storage-passwd: this host does not let containers choose storage-passwd (see 'annotations' in $E2E_TMP/oci-hook.conf)" \
    "$(cat "$E2E_TMP/hook-d.err")"
e2e_expect_eq "no daemon started for it" 0 "$(daemons)"
e2e_log "PASS"
