# shellcheck shell=bash
# The workloads, each run once per contender, and how each result is recorded. Sourced by perf/run.
#
# A cell is one workload on one contender in one repetition. Its raw output goes to
# raw/<cell>/<contender>.r<rep>.json (fio's JSON, or {"seconds": ...}); cells.jsonl lists every cell
# with its status, the daemon's CPU time and the load average before it.

# fio cells (job:numjobs), then the metadata and tree workloads, in the order they run.
readonly workloads=(seq-read:1 seq-read:2 rand-read:1 rand-read:2 seq-write:1 seq-write:2
    rand-write:1 rand-write:2 meta tree)
rep=1
load_before=null

# Appends one cell to cells.jsonl. Arguments: cell contender status [cpu_before cpu_after].
record_cell() {
    local cell=$1 name=$2 status=$3 cpu_before=${4:-} cpu_after=${5:-} cpu=null
    if [[ -n $cpu_before && -n $cpu_after ]]; then
        cpu=$(awk -v a="$cpu_after" -v b="$cpu_before" 'BEGIN { printf "%.2f", a - b }')
    fi
    printf '{"cell": %s, "contender": %s, "rep": %s, "status": %s, "raw": %s, ' \
        "$(json_string "$cell")" "$(json_string "$name")" "$rep" "$(json_string "$status")" \
        "$(json_string "raw/$cell/$name.r$rep.json")" >>"$out/cells.jsonl"
    printf '"daemon_cpu_s": %s, "load_before": %s}\n' "$cpu" "$load_before" >>"$out/cells.jsonl"
    [[ $status == ok ]] || echo "perf/run: $cell on $name: $status" >&2
}

# Runs one measured command with run_child and records the cell, with the daemon's CPU time and the
# machine's load average just before (the machine is shared; a loaded cell is a suspect cell).
# MODE json: the command prints the raw JSON result itself (fio, metabench);
# MODE timed: the command's output is discarded and its wall-clock seconds are the result.
# Arguments: MODE cell contender command...
measure() {
    local mode=$1 cell=$2 name=$3 raw cpu0 cpu1 start end
    shift 3
    mkdir -p "$out/raw/$cell"
    raw=$out/raw/$cell/$name.r$rep.json
    read -r load_before _ </proc/loadavg
    cpu0=$(daemon_cpu_seconds "$name")
    start=$EPOCHREALTIME
    if ! run_child "$@" >"$([[ $mode == json ]] && echo "$raw" || echo /dev/null)" \
        2>>"$out/logs/$name.workloads.log"; then
        record_cell "$cell" "$name" "failed: ${1##*/} (see logs/$name.workloads.log)"
        return 1
    fi
    end=$EPOCHREALTIME
    cpu1=$(daemon_cpu_seconds "$name")
    if [[ $mode == timed ]]; then
        awk -v s="$start" -v e="$end" 'BEGIN { printf "{\"seconds\": %.6f}\n", e - s }' >"$raw"
    fi
    record_cell "$cell" "$name" ok "$cpu0" "$cpu1"
}

# Lays out data.0 and data.1 once, natively, for every fio workload of every contender.
lay_out_fio_files() {
    mkdir "$back/fio"
    DIR=$back/fio SIZE=$file_bytes NUMJOBS=2 RUNTIME=0 \
        run_child fio --output="$out/logs/fio-layout.log" "$perf_dir/jobs/layout.fio"
}

run_fio_cell() {
    local job=$1 numjobs=$2 name=$3 dir=${view[$3]}/fio i
    if [[ $job == *read ]]; then
        # Warm the page cache (the backing one and, for FUSE without passthrough, the mount's).
        for ((i = 0; i < numjobs; i++)); do
            run_child cat "$dir/data.$i" >/dev/null || {
                record_cell "$job.j$numjobs" "$name" "failed: priming read of $dir/data.$i"
                return 1
            }
        done
    fi
    sync_backing
    DIR=$dir SIZE=$file_bytes NUMJOBS=$numjobs RUNTIME=$runtime_s \
        measure json "$job.j$numjobs" "$name" fio --output-format=json "$perf_dir/jobs/$job.fio"
}

# Creates, stats and unlinks meta_files small files in meta_dirs directories, one cell per phase.
run_meta_cell() {
    local name=$1 root=${view[$1]}/meta.$1 phase passes
    sync_backing
    for phase in create stat unlink; do
        passes=1
        [[ $phase == stat ]] && passes=$stat_passes
        measure json "meta-$phase" "$name" \
            "$metabench" "$phase" "$root" "$meta_files" "$meta_dirs" "$passes" || {
            rm -rf --one-file-system "$root"
            return 1
        }
    done
}

# Unpacks the tarball, lists the tree with find -ls warm and then cold, and removes it. Only a
# failed untar stops the cell: the later steps each measure something of their own.
run_tree_cell() {
    local name=$1 dest=${view[$1]}/tree.$1 rc=0
    sync_backing
    mkdir "$dest" || { record_cell untar "$name" "failed: mkdir $dest"; return 1; }
    if measure timed untar "$name" tar -xf "$tarball" -C "$dest"; then
        measure timed find "$name" find "$dest" -ls || rc=1
        drop_caches
        measure timed find-cold "$name" find "$dest" -ls || rc=1
        measure timed rm-tree "$name" rm -rf "$dest" || rc=1
    else
        rc=1
    fi
    [[ ! -e $dest ]] || rm -rf --one-file-system "$dest"
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

# Runs every workload on every live contender, reps times. The contender order rotates by one per
# workload, so no contender always goes first (cold-ish CPU caches) or last (after the others'
# writeback), and each repetition continues the rotation.
run_all_workloads() {
    local index=0 workload name rotated i count=${#running[@]}
    for ((rep = 1; rep <= reps; rep++)); do
        for workload in "${workloads[@]}"; do
            rotated=()
            for ((i = 0; i < count; i++)); do
                rotated+=("${running[(index + i) % count]}")
            done
            echo "perf/run: rep $rep/$reps, $workload: ${rotated[*]}"
            for name in "${rotated[@]}"; do
                run_if_alive "$workload" "$name"
            done
            index=$((index + 1))
        done
    done
}

run_if_alive() {
    local workload=$1 name=$2
    if contender_alive "$name"; then
        run_cell "$workload" "$name" || true
    elif [[ ${contender_state[$name]} == ok ]]; then
        record_contender "$name" failed "daemon or mount gone before $workload" "$out/logs/$name.log"
    fi
}
