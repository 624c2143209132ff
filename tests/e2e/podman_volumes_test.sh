#!/usr/bin/env bash
# podman's `local` volume driver with type fuse.idshift, no code of ours in between: two images
# that disagree about /etc/passwd, two volumes on one backing directory, each with its image's
# map. podman mounts each volume through mount(8) (mount.fuse3 finds `idshift` on PATH) when a
# container that uses it starts; the story of two_images_test.sh is then asserted on podman's
# containers, and the daemons end when podman unmounts the volumes.
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
e2e_make_tmp podman-volumes
e2e_podman_setup
# mount.fuse3 starts the daemon as `idshift` from the PATH podman hands it, which does not
# include this build; in this namespace only, /usr/local/sbin holds a link to it.
mount -t tmpfs -o size=16k,mode=0755 none /usr/local/sbin
e2e_defer umount /usr/local/sbin
ln -s "$IDSHIFT_BIN" /usr/local/sbin/idshift

backing=$E2E_TMP/volume
mkdir -m 1777 "$backing"
E2E_A=idshift-e2e-a
E2E_B=idshift-e2e-b
for image in a b; do
    e2e_podman_import "image-$image" "$E2E_DATA/image-$image"
    e2e_write_names_map "$E2E_TMP/image-$image.map" "$E2E_TMP/rootfs-image-$image"
    e2e_podman volume create --driver local --opt type=fuse.idshift --opt "device=$backing" \
        --opt "o=map=$E2E_TMP/image-$image.map,cache=none,backend=fuse" "vol-$image" >/dev/null
done

e2e_log "each container starts with its own volume: podman mounts fuse.idshift"
e2e_podman_start "$E2E_A" image-a -v vol-a:/vol
e2e_podman_start "$E2E_B" image-b -v vol-b:/vol
e2e_expect_eq "A: /vol is an idshift mount" "fuse.idshift $backing" \
    "$(e2e_in "$E2E_A" root 'awk "\$2 == \"/vol\" { print \$3, \$1 }" /proc/mounts')"
e2e_expect_eq "B: /vol is an idshift mount" "fuse.idshift $backing" \
    "$(e2e_in "$E2E_B" root 'awk "\$2 == \"/vol\" { print \$3, \$1 }" /proc/mounts')"

e2e_two_images_checks "$backing"

e2e_log "stopping the containers unmounts the volumes, and their daemons end"
daemons() { pgrep -fc "^idshift $backing " || true; }
e2e_expect_eq "idshift daemons running for the two volumes" 2 "$(daemons)"
e2e_podman rm --force --time 0 "$E2E_A" "$E2E_B" >/dev/null
for image in a b; do
    mountpoint=$(e2e_podman volume inspect --format '{{.Mountpoint}}' "vol-$image")
    e2e_expect_eq "vol-$image: not mounted any more" "" "$(e2e_mounts_below "$mountpoint")"
done
daemons_gone() { [[ $(daemons) == 0 ]]; }
e2e_wait_until "the volumes' daemons to exit" daemons_gone
e2e_expect_eq "storage: notes.txt kept as written" "10000:20000" "$(e2e_ids "$backing/notes.txt")"
e2e_log "PASS"
