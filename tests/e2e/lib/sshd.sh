# shellcheck shell=bash
# A throwaway SFTP server on 127.0.0.1 for the network-storage scenario. Nothing on the machine
# is configured: sshd runs with its own config, host key and authorized key, in a private mount
# namespace whose /etc/passwd and /etc/group are copies with one extra login user, and it is
# stopped at exit (and by `timeout` after E2E_SSHD_TIMEOUT seconds, five minutes unless set, at
# the latest). Needs lib/common.sh.

E2E_SSH_USER=remote
E2E_SSH_UID=4321
# Who sshfs logs in as: the plain user above, or root (set E2E_SSH_LOGIN=root before starting).
E2E_SSH_LOGIN=${E2E_SSH_LOGIN:-$E2E_SSH_USER}

# e2e_start_sshd DIR EXPORT: starts sshd with its files in DIR, the login user's home at EXPORT.
# Sets E2E_SSH_PORT and E2E_SSHD_PID. Started again with the same DIR (after e2e_kill_sshd), it
# keeps its keys and tries its old port first, so that a client can reconnect.
e2e_start_sshd() {
    local dir=$1 export_dir=$2 port=${E2E_SSH_PORT:-}
    mkdir -p "$dir"
    if [[ ! -e $dir/host_key ]]; then
        ssh-keygen -q -t ed25519 -N '' -C idshift-e2e-host -f "$dir/host_key"
        ssh-keygen -q -t ed25519 -N '' -C idshift-e2e-client -f "$dir/client_key"
        install -m 0644 "$dir/client_key.pub" "$dir/authorized_keys"
        cp /etc/passwd "$dir/passwd"
        cp /etc/group "$dir/group"
        printf '%s:x:%s:%s:idshift e2e sftp user:%s:/bin/sh\n' \
            "$E2E_SSH_USER" "$E2E_SSH_UID" "$E2E_SSH_UID" "$export_dir" >>"$dir/passwd"
        printf '%s:x:%s:\n' "$E2E_SSH_USER" "$E2E_SSH_UID" >>"$dir/group"
    fi

    for _ in 1 2 3 4 5; do
        E2E_SSH_PORT=${port:-$((20000 + RANDOM % 40000))}
        port=""
        if (: <>"/dev/tcp/127.0.0.1/$E2E_SSH_PORT") 2>/dev/null; then continue; fi
        e2e_write_sshd_config "$dir"
        # shellcheck disable=SC2016 # expanded by the inner shell
        timeout "${E2E_SSHD_TIMEOUT:-300}" unshare --mount --propagation private -- sh -c '
            mount --bind "$1/passwd" /etc/passwd && mount --bind "$1/group" /etc/group || exit 1
            # The namespace copied every mount there is, FUSE ones too (an sshd started again
            # after idshift mounted). A copy keeps that superblock alive: unmounting it outside
            # would then neither end its daemon nor free the storage below. Drop the copies.
            findmnt -rn -o TARGET,FSTYPE | while read -r target fstype; do
                case $fstype in fuse | fuse.*) umount -l "$target" ;; esac
            done
            if [ ! -d /run/sshd ]; then  # the privilege-separation directory, only in here
                mount -t tmpfs -o mode=0755,size=64k none /run && mkdir -m 0755 /run/sshd || exit 1
            fi
            exec /usr/sbin/sshd -D -e -f "$1/sshd_config"' sshd "$dir" >"$dir/sshd.log" 2>&1 &
        local pid=$!
        E2E_SSHD_PID=$pid
        e2e_defer e2e_stop_sshd "$pid"
        while kill -0 "$pid" 2>/dev/null; do
            grep -q "Server listening on 127.0.0.1 port $E2E_SSH_PORT" "$dir/sshd.log" && return 0
            sleep 0.1
        done
        grep -q 'Address already in use' "$dir/sshd.log" || break
    done
    cat "$dir/sshd.log" >&2
    e2e_fail "sshd did not start"
}

e2e_write_sshd_config() {
    local dir=$1
    cat >"$dir/sshd_config" <<EOF
ListenAddress 127.0.0.1
Port $E2E_SSH_PORT
HostKey $dir/host_key
AuthorizedKeysFile $dir/authorized_keys
AllowUsers $E2E_SSH_LOGIN
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin $([[ $E2E_SSH_LOGIN == root ]] && echo prohibit-password || echo no)
UsePAM no
StrictModes no
PidFile none
Subsystem sftp internal-sftp
ForceCommand internal-sftp
EOF
    printf '[127.0.0.1]:%s %s\n' "$E2E_SSH_PORT" "$(cut -d' ' -f1-2 "$dir/host_key.pub")" \
        >"$dir/known_hosts"
}

# e2e_stop_sshd PID [SIGNAL]: stops the sshd started as PID and every session it forked (a
# session left running would keep its mount namespace, and the copies of mounts in it), and
# reaps PID.
e2e_stop_sshd() {
    local pids=("$1") i=0 child
    while ((i < ${#pids[@]})); do
        for child in $(pgrep -P "${pids[i]}" || true); do pids+=("$child"); done
        ((i += 1))
    done
    kill "-${2:-TERM}" "${pids[@]}" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}

# e2e_kill_sshd: kills the sshd started last and its sessions, as a crash would.
e2e_kill_sshd() { e2e_stop_sshd "$E2E_SSHD_PID" KILL; }

# e2e_sshfs_mount DIR REMOTE_PATH MNT: sshfs as root with allow_other (idshift reaches it with
# the callers' mapped ids, not as root), unmounted at exit. Extra options: $E2E_SSHFS_OPTIONS.
e2e_sshfs_mount() {
    local dir=$1 remote_path=$2 mnt=$3
    mkdir -p "$mnt"
    sshfs -o "allow_other,BatchMode=yes,IdentityFile=$dir/client_key,Port=$E2E_SSH_PORT" \
        -o "UserKnownHostsFile=$dir/known_hosts,StrictHostKeyChecking=yes" \
        ${E2E_SSHFS_OPTIONS:+-o "$E2E_SSHFS_OPTIONS"} \
        "$E2E_SSH_LOGIN@127.0.0.1:$remote_path" "$mnt"
    e2e_defer fusermount3 -u "$mnt"
}
