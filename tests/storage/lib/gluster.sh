# shellcheck shell=bash
# A real GlusterFS volume on this machine, touching nothing of the host's own: glusterd and its
# brick run in a network namespace of their own (an address on that namespace's loopback device,
# since glusterd refuses 127.0.0.0/8 bricks; nothing leaves the namespace) and in a private mount
# namespace whose /var/lib/glusterd, /run and /var/log/glusterfs are directories of the test. The
# FUSE client runs in the network namespace only (nsenter --net), so its mount is the test's.
# Everything is torn down by the cleanup stack of lib/common.sh, also when the test fails.

GL_ADDR=10.254.254.1
GL_VOLUME=v0

# gl_start DIR: glusterd with its state in DIR and one started volume whose brick is DIR/brick.
# Sets GL_NETNS, GL_PID and GL_BRICK.
gl_start() {
    local dir=$1
    GL_NETNS=idshift-gl.$$
    GL_BRICK=$dir/brick
    mkdir -p "$dir/lib" "$dir/run" "$dir/log" "$GL_BRICK"
    cp -a /var/lib/glusterd/. "$dir/lib/"  # the package's hooks and option groups
    ip netns add "$GL_NETNS"
    e2e_defer gl_delete_netns "$GL_NETNS"
    ip -n "$GL_NETNS" link set lo up
    ip -n "$GL_NETNS" addr add "$GL_ADDR/32" dev lo
    # glusterd forks its brick processes, which inherit both namespaces; -N keeps it in front so
    # that its pid is the one to stop, and `timeout` (GL_TIMEOUT seconds) bounds a forgotten one.
    # shellcheck disable=SC2016 # expanded by the inner shell
    nsenter --net="/run/netns/$GL_NETNS" -- timeout "${GL_TIMEOUT:-1800}" unshare --mount --propagation private -- \
        sh -c 'mount --bind "$1/lib" /var/lib/glusterd && mount --bind "$1/run" /run &&
               mkdir -p /run/gluster && mount --bind "$1/log" /var/log/glusterfs || exit 1
               exec glusterd -N --log-file="$1/log/glusterd.log"' glusterd "$dir" \
        >"$dir/glusterd.out" 2>&1 &
    GL_PID=$!
    e2e_defer gl_stop "$dir"
    e2e_wait_until "glusterd to answer" gl_cli_quiet peer status
    gl_cli volume create "$GL_VOLUME" "$GL_ADDR:$GL_BRICK" force >/dev/null
    gl_cli volume start "$GL_VOLUME" >/dev/null
    e2e_wait_until "the brick to come online" gl_brick_online
}

# The gluster command line inside glusterd's namespaces (its socket lives in the private /run).
gl_cli() {
    nsenter -t "$(gl_glusterd_pid)" --net --mount -- gluster --mode=script "$@"
}
gl_cli_quiet() { gl_cli "$@" >/dev/null 2>&1; }

# The pid of glusterd itself (below timeout and unshare, which exec it).
gl_glusterd_pid() {
    local pid=$GL_PID child
    while child=$(pgrep -P "$pid" | head -n1) && [[ -n $child ]]; do
        [[ $(cat "/proc/$child/comm" 2>/dev/null) == glusterd ]] && {
            echo "$child"
            return
        }
        pid=$child
    done
    echo "$GL_PID"
}

gl_brick_online() {
    gl_cli volume status "$GL_VOLUME" detail 2>/dev/null | grep '^Online *: Y' >/dev/null
}

# The pid of the brick process (glusterfsd) serving GL_BRICK.
gl_brick_pid() {
    gl_cli volume status "$GL_VOLUME" detail 2>/dev/null | awk -F': *' '/^Pid/ { print $2 + 0; exit }'
}

# gl_restart_brick PID: after the brick PID was killed, starts it again. glusterd takes a dead
# brick whose pid still exists (a zombie not yet reaped) for a live one: wait until it is gone.
gl_restart_brick() {
    e2e_wait_until "the killed brick to be reaped" test ! -e "/proc/$1"
    gl_cli volume start "$GL_VOLUME" force >/dev/null
    e2e_wait_until "the brick to come online" gl_brick_online
}

# gl_set OPTION VALUE: a volume option (server.root-squash on, ...).
gl_set() { gl_cli volume set "$GL_VOLUME" "$1" "$2" >/dev/null; }

# gl_mount MNT [--acl]: the FUSE client on MNT, unmounted at exit.
gl_mount() {
    local mnt=$1
    shift
    mkdir -p "$mnt"
    nsenter --net="/run/netns/$GL_NETNS" -- glusterfs "$@" --volfile-server="$GL_ADDR" \
        --volfile-id="$GL_VOLUME" --log-file="$mnt.client.log" "$mnt"
    e2e_defer gl_unmount "$mnt"
    e2e_wait_until "the client mount on $mnt" gl_is_mounted "$mnt"
}

# By the mount table, not by stat: a client whose brick is gone answers ENOTCONN to stat.
gl_is_mounted() { findmnt -rn --mountpoint "$1" >/dev/null; }
gl_unmount() {
    gl_is_mounted "$1" || return 0
    umount "$1" 2>/dev/null || umount -l "$1"
}

gl_stop() {
    local dir=$1 pid
    if kill -0 "$GL_PID" 2>/dev/null; then
        gl_cli_quiet volume stop "$GL_VOLUME" force || true
        gl_cli_quiet volume delete "$GL_VOLUME" || true
    fi
    # The brick processes left glusterd by a fork: stop them by the pid files they wrote in
    # this volume's private /run.
    local file
    while IFS= read -r -d '' file; do
        pid=$(cat "$file" 2>/dev/null) && kill "$pid" 2>/dev/null || true
    done < <(find "$dir/run" -name '*.pid' -print0 2>/dev/null)
    e2e_stop_process "$GL_PID"
}

gl_delete_netns() { ip netns del "$1" 2>/dev/null || true; }
