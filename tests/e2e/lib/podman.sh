# shellcheck shell=bash
# podman for the end-to-end scenarios, kept apart from the machine's own podman: its storage
# (vfs driver), run state, temporary files, configuration and hooks directory all live in the
# scenario's scratch directory. Needs lib/common.sh and lib/containers.sh (e2e_make_rootfs).

# e2e_podman_private_namespace "$@": call first in a podman scenario. The script re-runs itself in
# a private mount namespace, as every podman, crun and idshift process of the scenario must share
# one: there crun's hybrid-cgroup workaround (see e2e_crun) is applied once, and every mount the
# scenario makes, volumes included, goes away with the namespace at the latest.
e2e_podman_private_namespace() {
    if [[ -z ${E2E_PODMAN_NAMESPACE:-} ]]; then
        E2E_PODMAN_NAMESPACE=1 exec unshare --mount --propagation private -- "$0" "$@"
    fi
    if [[ -d /sys/fs/cgroup/unified ]]; then
        mount -t tmpfs -o size=4k none /sys/fs/cgroup/unified
    fi
}

e2e_require_podman() {
    command -v podman >/dev/null || e2e_fail "podman is missing: run packaging/install-deps"
}

# e2e_podman_setup: the private configuration under $E2E_TMP/podman; defers removing every
# container and volume of it.
e2e_podman_setup() {
    E2E_PODMAN=$E2E_TMP/podman
    mkdir -p "$E2E_PODMAN"/{root,run,tmp,hooks.d}
    cat >"$E2E_PODMAN/containers.conf" <<CONF
[engine]
cgroup_manager = "cgroupfs"
events_logger = "none"
runtime = "crun"
tmp_dir = "$E2E_PODMAN/tmp"
CONF
    e2e_defer e2e_podman_remove_all
}

e2e_podman() {
    CONTAINERS_CONF=$E2E_PODMAN/containers.conf podman --root "$E2E_PODMAN/root" \
        --runroot "$E2E_PODMAN/run" --tmpdir "$E2E_PODMAN/tmp" --storage-driver vfs \
        --hooks-dir "$E2E_PODMAN/hooks.d" \
        --cgroup-manager cgroupfs --events-backend none "$@"
}

e2e_podman_remove_all() {
    e2e_podman rm --force --time 0 --all >/dev/null &&
        e2e_podman volume rm --force --all >/dev/null
}

# e2e_podman_import NAME IMAGE_DATA: a busybox-static image with IMAGE_DATA's user database, as
# localhost/NAME:e2e (no registry involved).
e2e_podman_import() {
    local name=$1 data=$2
    e2e_make_rootfs "$E2E_TMP/rootfs-$name" "$data"
    # podman gives an empty volume the mode and owner of the image's directory it is mounted on:
    # /vol is where every user of the scenarios writes.
    chmod 1777 "$E2E_TMP/rootfs-$name/vol"
    tar -C "$E2E_TMP/rootfs-$name" -cf "$E2E_TMP/rootfs-$name.tar" .
    e2e_podman import --quiet "$E2E_TMP/rootfs-$name.tar" "localhost/$name:e2e" >/dev/null
}

# e2e_podman_start NAME IMAGE [RUN OPTIONS...]: a container that sleeps until removed. The limits
# and --cgroups=disabled are what this host needs (shared/notes/orchestrators.md); no network.
e2e_podman_start() {
    local name=$1 image=$2
    shift 2
    e2e_podman run --detach --name "$name" --cgroups=disabled --network none \
        --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 "$@" "localhost/$image:e2e" \
        sleep 3600 >/dev/null
}

# The container helpers of lib/containers.sh, for podman containers, so that the scenarios of
# lib/two_images.sh run unchanged.
e2e_in() {
    local name=$1 user=$2 command=$3
    if [[ $user == root ]]; then
        e2e_podman exec "$name" sh -c "$command"
    else
        e2e_podman exec "$name" su -s /bin/sh "$user" -c "$command"
    fi
}
