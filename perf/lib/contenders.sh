# shellcheck shell=bash
# The contenders: how each is mounted over the backing directory, checked, measured and stopped.
# Sourced by perf/run. Every contender sees the same backing directory through its own view.

declare -A view=() daemon_pid=() contender_state=()
# Mountpoints this run created; cleanup unmounts any of them that is still mounted.
fuse_mountpoints=()
clock_ticks=$(getconf CLK_TCK)

# bindfs --map=1000/2000:@1000/@2000 shows storage id 1000 as 2000 and leaves the rest alone. The
# idshift map below says the same for ids 0..65535 as a bijection (mount side first on each line,
# as in /proc/PID/uid_map): 2000 <-> 1000, 1000 <-> 2000, everything else unchanged.
write_idshift_map() {
    idshift_map=$scratch/perf.map
    local kind
    {
        echo "# perf/run: the idshift equivalent of bindfs --map=1000/2000:@1000/@2000"
        for kind in uid gid; do
            echo "$kind 0 0 1000"
            echo "$kind 1000 2000 1"
            echo "$kind 1001 1001 999"
            echo "$kind 2000 1000 1"
            echo "$kind 2001 2001 63535"
        done
    } >"$idshift_map"
}

# bindfs 1.14.7 in Debian is built on FUSE 2, whose kernel writes are 4 KiB each unless big_writes
# is on: without it bindfs writes at a tenth of its speed, which would flatter idshift.
readonly bindfs_options=(--map=1000/2000:@1000/@2000 -o "allow_other,big_writes")

json_string() {
    local text=${1//\\/\\\\}
    text=${text//\"/\\\"}
    printf '"%s"' "${text//$'\n'/ }"
}

# Appends the contender's current state to contenders.jsonl; the report reads the last line per name.
record_contender() {
    local name=$1 state=$2 reason=${3:-} log=${4:-}
    contender_state[$name]=$state
    printf '{"name": %s, "status": %s, "reason": %s, "log": %s, "command": %s}\n' \
        "$(json_string "$name")" "$(json_string "$state")" "$(json_string "$reason")" \
        "$(json_string "$log")" "$(json_string "${contender_command[*]:-}")" \
        >>"$out/contenders.jsonl"
    if [[ $state == failed ]]; then
        echo "perf/run: $name failed: $reason${log:+ (log: $log)}" >&2
    fi
}

# Sets contender_command to the daemon's command line, running in the foreground (-f) so that its
# pid is the daemon's and its CPU time can be read from /proc.
set_contender_command() {
    local name=$1 mnt=$2 idshift_o="map=$idshift_map${opt_idshift_opts:+,$opt_idshift_opts}"
    case "$name" in
        # Pinned: with the default (auto) idshift would take the kernel backend on this storage.
        idshift) contender_command=("$idshift_bin" "$back" "$mnt" -f -o "$idshift_o,backend=fuse") ;;
        idshift-nopt)
            contender_command=("$idshift_bin" "$back" "$mnt" -f -o
                "$idshift_o,backend=fuse,passthrough=off") ;;
        # An idmapped bind mount; idshift exits once it is made, so there is no daemon to time.
        idshift-kernel)
            contender_command=("$idshift_bin" "$back" "$mnt" -f -o "$idshift_o,backend=kernel") ;;
        bindfs)
            contender_command=(bindfs -f "${bindfs_options[@]}" "$back" "$mnt") ;;
        bindfs-mt)
            contender_command=(bindfs -f --multithreaded "${bindfs_options[@]}" "$back" "$mnt") ;;
    esac
}

is_fuse_mounted() {
    [[ $(findmnt -rn -M "$1" -o FSTYPE 2>/dev/null) == fuse* ]]
}

is_idmapped_mounted() {
    findmnt -rn -M "$1" -o VFS-OPTIONS 2>/dev/null | grep -qw idmapped
}

# The kernel backend: idshift runs to its end and leaves an idmapped mount (no daemon).
start_kernel_contender() {
    local name=$1 mnt=$2 log=$3 rc=0
    "${contender_command[@]}" >"$log" 2>&1 </dev/null || rc=$?
    if ((rc != 0)) || ! is_idmapped_mounted "$mnt"; then
        mount_failure="idshift exited with status $rc without an idmapped mount"
        return 1
    fi
}

# Waits until the daemon's mount appears; fails early if the daemon exits first.
wait_for_mount() {
    local name=$1 mnt=$2 pid=${daemon_pid[$1]} rc=0
    for _ in {1..100}; do
        is_fuse_mounted "$mnt" && return 0
        if ! kill -0 "$pid" 2>/dev/null; then
            wait "$pid" || rc=$?
            mount_failure="daemon exited with status $rc before mounting"
            return 1
        fi
        sleep 0.1
    done
    mount_failure="no FUSE mount at $mnt after 10 s"
    return 1
}

# The backing file .owner is stored as 1000:1000; through the map it must read as 2000:2000.
check_mapping() {
    local seen
    seen=$(stat -c %u:%g "${view[$1]}/.owner" 2>&1) || true
    [[ $seen == 2000:2000 ]] && return 0
    mount_failure="storage 1000:1000 shows as '$seen' instead of 2000:2000"
    return 1
}

start_contender() {
    local name=$1 mnt=$scratch/mnt/$1 log=$out/logs/$1.log
    contender_command=()
    if [[ $name == native ]]; then
        view[$name]=$back
        record_contender "$name" ok
        return 0
    fi
    if [[ $name == idshift* && ! -x $idshift_bin ]]; then
        record_contender "$name" failed "no idshift binary at $idshift_bin" "$idshift_build_log"
        return 1
    fi
    set_contender_command "$name" "$mnt"
    mkdir -p "$mnt"
    fuse_mountpoints+=("$mnt")
    if [[ $name == idshift-kernel ]]; then
        view[$name]=$mnt
        if ! start_kernel_contender "$name" "$mnt" "$log" || ! check_mapping "$name"; then
            record_contender "$name" failed "$mount_failure" "$log"
            stop_contender "$name"
            return 1
        fi
        record_contender "$name" ok "" "$log"
        return 0
    fi
    setsid "${contender_command[@]}" >"$log" 2>&1 </dev/null &
    daemon_pid[$name]=$!
    view[$name]=$mnt
    if ! wait_for_mount "$name" "$mnt" || ! check_mapping "$name"; then
        record_contender "$name" failed "$mount_failure" "$log"
        stop_contender "$name"
        return 1
    fi
    record_contender "$name" ok "" "$log"
}

# A contender goes on to the next workload only if its daemon still runs and still has its mount.
contender_alive() {
    local name=$1
    [[ ${contender_state[$name]} == ok ]] || return 1
    [[ $name == native ]] && return 0
    [[ $name == idshift-kernel ]] && { is_idmapped_mounted "${view[$name]}"; return; }
    kill -0 "${daemon_pid[$name]}" 2>/dev/null && is_fuse_mounted "${view[$name]}"
}

# Prints the daemon's CPU seconds so far (user + system, all threads), or nothing for native.
daemon_cpu_seconds() {
    local pid=${daemon_pid[$1]:-} stat fields
    [[ -n $pid ]] || return 0
    stat=$(<"/proc/$pid/stat") || return 0
    # Fields after "pid (comm) ": state is the 1st, utime the 12th and stime the 13th.
    read -r -a fields <<<"${stat##*) }"
    awk -v u="${fields[11]}" -v s="${fields[12]}" -v hz="$clock_ticks" \
        'BEGIN { printf "%.2f", (u + s) / hz }'
}

# Unmounts (lazily if a plain unmount fails), then waits for the daemon to exit, and only then
# signals it: a daemon that unmounts on its own shutdown path gets to do so cleanly first.
stop_contender() {
    local name=$1 mnt=$scratch/mnt/$1 pid=${daemon_pid[$1]:-}
    while is_idmapped_mounted "$mnt"; do umount -l "$mnt" || break; done
    if is_fuse_mounted "$mnt"; then
        fusermount3 -u "$mnt" 2>/dev/null || fusermount3 -uz "$mnt" ||
            echo "perf/run: could not unmount $mnt" >&2
    fi
    [[ -n $pid ]] || return 0
    for _ in {1..50}; do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        sleep 1
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
    unset 'daemon_pid[$name]'
}

stop_all_contenders() {
    local name mnt
    for name in "${!daemon_pid[@]}"; do
        stop_contender "$name"
    done
    # A daemon that died may leave its mount behind ("Transport endpoint is not connected").
    for mnt in "${fuse_mountpoints[@]}"; do
        while is_idmapped_mounted "$mnt"; do umount -l "$mnt" || break; done
        if is_fuse_mounted "$mnt"; then
            fusermount3 -u "$mnt" 2>/dev/null || fusermount3 -uz "$mnt" || true
        fi
    done
}

# Uses --idshift, or build/release/src/idshift, building that with cmake (Release) if it is missing.
find_idshift() {
    idshift_build_log=""
    if [[ -n $opt_idshift ]]; then
        idshift_bin=$(realpath -m "$opt_idshift")
        return 0
    fi
    local build=$repo_dir/build/release
    idshift_bin=$build/src/idshift
    [[ -x $idshift_bin ]] && return 0
    idshift_build_log=$out/logs/idshift-build.log
    echo "perf/run: building $idshift_bin (log: $idshift_build_log)"
    if ! {
        cmake -S "$repo_dir" -B "$build" -DCMAKE_BUILD_TYPE=Release -DIDSHIFT_TESTS=OFF \
            -DIDSHIFT_BENCH=OFF && cmake --build "$build" -j "$(nproc)" --target idshift
    } >"$idshift_build_log" 2>&1; then
        echo "perf/run: building idshift failed; see $idshift_build_log" >&2
    fi
}
