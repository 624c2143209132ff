# shellcheck shell=bash
# The workloads, each run once per contender, and how each result is recorded. Sourced by perf/run.
#
# A cell is one workload on one contender. Its raw output goes to raw/<cell>/<contender>.json (fio's
# JSON, or {"seconds": ...}); cells.jsonl lists every cell with its status and the daemon's CPU time.

# fio cells (job:numjobs), then the metadata and tree workloads, in the order they run.
readonly workloads=(seq-read:1 seq-read:2 rand-read:1 rand-read:2 seq-write:1 seq-write:2
    rand-write:1 rand-write:2 meta tree)

record_cell() {
    local cell=$1 name=$2 status=$3 cpu_before=${4:-} cpu_after=${5:-} cpu=null
    if [[ -n $cpu_before && -n $cpu_after ]]; then
        cpu=$(awk -v a="$cpu_after" -v b="$cpu_before" 'BEGIN { printf "%.2f", a - b }')
    fi
    printf '{"cell": %s, "contender": %s, "status": %s, "raw": %s, "daemon_cpu_s": %s}\n' \
        "$(json_string "$cell")" "$(json_string "$name")" "$(json_string "$status")" \
        "$(json_string "raw/$cell/$name.json")" "$cpu" >>"$out/cells.jsonl"
    [[ $status == ok ]] || echo "perf/run: $cell on $name: $status" >&2
}

raw_path() {
    mkdir -p "$out/raw/$1"
    echo "$out/raw/$1/$2.json"
}

# Runs one timed step of a cell with run_child, writing {"seconds": ...} as its raw result and
# recording the cell. Arguments: cell contender command...
timed_step() {
    local cell=$1 name=$2 raw cpu0 cpu1 start end
    shift 2
    raw=$(raw_path "$cell" "$name")
    cpu0=$(daemon_cpu_seconds "$name")
    start=$EPOCHREALTIME
    if ! run_child "$@" >/dev/null 2>>"$out/logs/$name.workloads.log"; then
        record_cell "$cell" "$name" "failed: $* (see logs/$name.workloads.log)"
        return 1
    fi
    end=$EPOCHREALTIME
    cpu1=$(daemon_cpu_seconds "$name")
    awk -v s="$start" -v e="$end" 'BEGIN { printf "{\"seconds\": %.6f}\n", e - s }' >"$raw"
    record_cell "$cell" "$name" ok "$cpu0" "$cpu1"
}

# Lays out data.0 and data.1 once, natively, for every fio workload of every contender.
lay_out_fio_files() {
    mkdir "$back/fio"
    DIR=$back/fio SIZE=$file_bytes NUMJOBS=2 RUNTIME=0 \
        run_child fio --output="$out/logs/fio-layout.log" "$perf_dir/jobs/layout.fio"
}

run_fio_cell() {
    local job=$1 numjobs=$2 name=$3 cell="$1.j$2" dir=${view[$3]}/fio raw cpu0 cpu1 i
    raw=$(raw_path "$cell" "$name")
    if [[ $job == *read ]]; then
        # Warm the page cache (the backing one and, for FUSE without passthrough, the mount's).
        for ((i = 0; i < numjobs; i++)); do
            run_child cat "$dir/data.$i" >/dev/null || {
                record_cell "$cell" "$name" "failed: priming read of $dir/data.$i"
                return 1
            }
        done
    fi
    sync_backing
    cpu0=$(daemon_cpu_seconds "$name")
    if ! DIR=$dir SIZE=$file_bytes NUMJOBS=$numjobs RUNTIME=$runtime_s run_child \
        fio --output-format=json --output="$raw" "$perf_dir/jobs/$job.fio" \
        2>>"$out/logs/$name.workloads.log"; then
        record_cell "$cell" "$name" "failed: fio (see logs/$name.workloads.log)"
        return 1
    fi
    cpu1=$(daemon_cpu_seconds "$name")
    record_cell "$cell" "$name" ok "$cpu0" "$cpu1"
}

# Creates, stats and unlinks meta_files small files in meta_dirs directories, one cell per phase.
run_meta_cell() {
    local name=$1 root=${view[$1]}/meta.$1 phase cpu0 cpu1 raw
    sync_backing
    for phase in create stat unlink; do
        raw=$(raw_path "meta-$phase" "$name")
        cpu0=$(daemon_cpu_seconds "$name")
        if ! run_child "$metabench" "$phase" "$root" "$meta_files" "$meta_dirs" \
            "$([[ $phase == stat ]] && echo "$stat_passes" || echo 1)" \
            >"$raw" 2>>"$out/logs/$name.workloads.log"; then
            record_cell "meta-$phase" "$name" "failed: metabench $phase (see logs/$name.workloads.log)"
            rm -rf --one-file-system "$root"
            return 1
        fi
        cpu1=$(daemon_cpu_seconds "$name")
        record_cell "meta-$phase" "$name" ok "$cpu0" "$cpu1"
    done
}

# Unpacks the tarball, lists the tree with find -ls warm and then cold, and removes it.
run_tree_cell() {
    local name=$1 dest=${view[$1]}/tree.$1
    sync_backing
    mkdir "$dest" || { record_cell untar "$name" "failed: mkdir $dest"; return 1; }
    timed_step untar "$name" tar -xf "$tarball" -C "$dest" &&
        timed_step find "$name" find "$dest" -ls &&
        drop_caches &&
        timed_step find-cold "$name" find "$dest" -ls &&
        timed_step rm-tree "$name" rm -rf "$dest"
    local rc=$?
    ((rc == 0)) || rm -rf --one-file-system "$dest"
    return "$rc"
}

run_cell() {
    local workload=$1 name=$2
    case "$workload" in
        meta) run_meta_cell "$name" ;;
        tree) run_tree_cell "$name" ;;
        *) run_fio_cell "${workload%%:*}" "${workload##*:}" "$name" ;;
    esac
}

# Runs every workload on every live contender. The contender order rotates by one per workload,
# so no contender always goes first (cold-ish CPU caches) or last (after others' writeback).
run_all_workloads() {
    local index=0 workload name rotated i count=${#running[@]}
    for workload in "${workloads[@]}"; do
        rotated=()
        for ((i = 0; i < count; i++)); do
            rotated+=("${running[(index + i) % count]}")
        done
        echo "perf/run: $workload: ${rotated[*]}"
        for name in "${rotated[@]}"; do
            if ! contender_alive "$name"; then
                [[ ${contender_state[$name]} == ok ]] &&
                    record_contender "$name" failed "daemon or mount gone before $workload" \
                        "$out/logs/$name.log"
                continue
            fi
            run_cell "$workload" "$name" || true
        done
        index=$((index + 1))
    done
}
