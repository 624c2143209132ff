# shellcheck shell=bash
# OCI containers for the end-to-end scenarios: a minimal busybox-static image, a bundle whose
# /vol is a bind mount of an idshift mount, and crun run so that it works on this project's
# machines. Needs lib/common.sh (E2E_TMP, e2e_defer).

# e2e_make_rootfs ROOTFS IMAGE_DATA: an image whose only program is Debian's busybox-static, laid
# out like Debian (/bin -> usr/bin), every applet a symlink to /bin/busybox, and the user database
# from IMAGE_DATA/{passwd,group}.
e2e_make_rootfs() {
    local rootfs=$1 data=$2 target
    mkdir -p "$rootfs"/{usr/bin,etc,dev,proc,sys,tmp,root,vol}
    ln -s usr/bin "$rootfs/bin"
    # One process for all ~270 links; they point where the host's busybox lives (/usr/bin/busybox
    # on Debian), so the binary goes to that path inside the image.
    /bin/busybox --install -s "$rootfs/usr/bin"
    target=$(readlink "$rootfs/usr/bin/sh")
    [[ $target == /* ]] || e2e_fail "busybox --install made relative links ($target)"
    rm -f "$rootfs$target"  # --install links busybox itself too
    cp /bin/busybox "$rootfs$target"
    install -m 0644 "$data/passwd" "$data/group" "$rootfs/etc/"
}

# e2e_write_bundle BUNDLE ROOTFS VOLUME [USERNS_HOST_FIRST]: config.json of a container that
# sleeps until killed, its image read-only, VOLUME bind-mounted at /vol. With USERNS_HOST_FIRST
# the container gets its own user namespace: ids 0..65535 inside are USERNS_HOST_FIRST.. outside.
e2e_write_bundle() {
    local bundle=$1 rootfs=$2 volume=$3 userns_first=${4:-}
    local caps='"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_SETUID",
                "CAP_SETGID", "CAP_KILL"'
    local userns='' mappings=''
    if [[ -n $userns_first ]]; then
        userns=', {"type": "user"}'
        mappings=",
    \"uidMappings\": [{\"containerID\": 0, \"hostID\": $userns_first, \"size\": 65536}],
    \"gidMappings\": [{\"containerID\": 0, \"hostID\": $userns_first, \"size\": 65536}]"
    fi
    mkdir -p "$bundle"
    cat >"$bundle/config.json" <<EOF
{
  "ociVersion": "1.0.0",
  "process": {
    "terminal": false,
    "user": {"uid": 0, "gid": 0},
    "args": ["sleep", "3600"],
    "env": ["PATH=/bin", "HOME=/root"],
    "cwd": "/",
    "capabilities": {"bounding": [$caps], "effective": [$caps], "permitted": [$caps]},
    "noNewPrivileges": true
  },
  "root": {"path": "$rootfs", "readonly": true},
  "hostname": "$(basename "$bundle")",
  "mounts": [
    {"destination": "/proc", "type": "proc", "source": "proc"},
    {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "mode=755"]},
    {"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "mode=1777"]},
    {"destination": "/vol", "type": "bind", "source": "$volume", "options": ["rbind", "rw"]}
  ],
  "linux": {
    "namespaces": [{"type": "pid"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"},
                   {"type": "network"}$userns]$mappings
  }
}
EOF
}

# crun refuses this project's hybrid cgroup v1/v2 layout ("cgroups in hybrid mode not
# supported"). The containers need no resource limits, so crun runs without a cgroup manager, in
# a private mount namespace where the v2 hierarchy is hidden under an empty tmpfs. Its state
# lives in the scenario's scratch directory, apart from any other crun user on the machine.
e2e_crun() {
    # shellcheck disable=SC2016 # expanded by the inner shell
    unshare --mount --propagation private -- sh -c '
        if [ -d /sys/fs/cgroup/unified ]; then mount -t tmpfs -o size=4k none /sys/fs/cgroup/unified; fi
        exec crun --root "$0" --cgroup-manager=disabled "$@"' "$E2E_TMP/crun-state" "$@"
}

# e2e_container_start NAME BUNDLE: starts the container detached and defers its removal.
e2e_container_start() {
    local name=$1 bundle=$2
    e2e_defer e2e_crun delete --force "$name"
    e2e_crun run --detach --bundle "$bundle" "$name"
}

# e2e_container_pid NAME: the host pid of the container's first process.
e2e_container_pid() { e2e_crun state "$1" | sed -n 's/^ *"pid": *\([0-9]*\),*$/\1/p'; }

# e2e_in NAME USER COMMAND: runs `sh -c COMMAND` in the container as USER, a name from the
# container's own /etc/passwd, through busybox su so that the user gets its image's groups.
e2e_in() {
    local name=$1 user=$2 command=$3
    if [[ $user == root ]]; then
        e2e_crun exec "$name" sh -c "$command"
    else
        e2e_crun exec "$name" su -s /bin/sh "$user" -c "$command"
    fi
}
