# shellcheck shell=bash
# Command line of perf/run and the sizes each mode uses. Sourced by perf/run.

readonly known_contenders=(native idshift idshift-nopt idshift-kernel bindfs bindfs-mt)
readonly default_contenders=(native idshift idshift-nopt idshift-kernel bindfs)

usage() {
    cat <<'EOF'
usage: perf/run [--quick] [--only LIST] [--runtime S] [--size SIZE] [--reps N]
                [--idshift PATH] [--idshift-opts OPTS] [--out DIR] [--storage WHAT]

Measures the same workloads on the native backing directory, idshift (FUSE with passthrough on
and off, and the kernel backend) and bindfs, over one storage (a scratch ext4 image unless --storage says
otherwise), and prints a table of results and ratios.

  --quick           smoke run: small files and short runtimes (about two minutes)
  --only LIST       comma-separated contenders, from: native idshift idshift-nopt idshift-kernel
                    bindfs bindfs-mt
                    (default: native,idshift,idshift-nopt,idshift-kernel,bindfs)
  --runtime S       seconds per fio job (default 12, quick 1)
  --size SIZE       bytes per fio data file, fio/numfmt suffixes allowed (default 1G, quick 128M)
  --reps N          run every workload N times; the table shows medians (default 1)
  --idshift PATH    idshift binary (default build/release/src/idshift, built with cmake if missing)
  --idshift-opts O  extra -o options for both idshift contenders, e.g. cache=always
  --out DIR         where results, logs and the table go (default: out/ in the run's temp dir)
  --storage WHAT    the storage below every contender; native is that storage alone:
                      ext4     a scratch ext4 image on a loop device (the default)
                      tmpfs    a scratch tmpfs
                      gluster  a GlusterFS volume made for the run (one brick, in a network
                               namespace of its own), reached through its FUSE client
                      sshfs    sshfs to an sshd on 127.0.0.1 started for the run (root login)
                      PATH     a fresh directory made in PATH, any storage mounted already
EOF
}

die() {
    echo "perf/run: $*" >&2
    exit 2
}

# Sets the opt_* variables from the command line, then the workload sizes (size_*, meta_*, tree_*).
parse_options() {
    opt_quick=0
    opt_only=$(IFS=,; echo "${default_contenders[*]}")
    opt_runtime=""
    opt_size=""
    opt_idshift=""
    opt_idshift_opts=""
    opt_out=""
    opt_storage=""
    reps=1
    while (($# > 0)); do
        case "$1" in
            --quick) opt_quick=1 ;;
            --only) opt_only=${2:?--only needs a list}; shift ;;
            --runtime) opt_runtime=${2:?--runtime needs seconds}; shift ;;
            --size) opt_size=${2:?--size needs a size}; shift ;;
            --reps) reps=${2:?--reps needs a count}; shift ;;
            --idshift) opt_idshift=${2:?--idshift needs a path}; shift ;;
            --idshift-opts) opt_idshift_opts=${2:?--idshift-opts needs options}; shift ;;
            --out) opt_out=${2:?--out needs a directory}; shift ;;
            --storage) opt_storage=${2:?--storage needs a kind or a directory}; shift ;;
            -h | --help) usage; exit 0 ;;
            *) usage >&2; die "unknown argument '$1'" ;;
        esac
        shift
    done

    IFS=, read -r -a contenders <<<"$opt_only"
    local name
    for name in "${contenders[@]}"; do
        [[ " ${known_contenders[*]} " == *" $name "* ]] || die "unknown contender '$name'"
    done
    ((${#contenders[@]} > 0)) || die "--only names no contender"

    if ((opt_quick)); then
        runtime_s=${opt_runtime:-1}
        file_size=${opt_size:-128M}
        meta_files=2000 meta_dirs=20
        tree_files=500 tree_dirs=20
    else
        runtime_s=${opt_runtime:-12}
        file_size=${opt_size:-1G}
        meta_files=20000 meta_dirs=100
        tree_files=5000 tree_dirs=200
    fi
    stat_passes=5
    [[ $runtime_s =~ ^[1-9][0-9]*$ ]] || die "--runtime wants whole seconds, got '$runtime_s'"
    [[ $reps =~ ^[1-9][0-9]*$ ]] || die "--reps wants a positive count, got '$reps'"
    file_bytes=$(numfmt --from=iec "${file_size%B}") || die "bad --size '$file_size'"
    parse_storage_option
    # Two data files, the metadata tree and the unpacked tarball, with room to spare; 3 GiB at least.
    image_bytes=$((2 * file_bytes + (1 << 30)))
    ((image_bytes >= 3 << 30)) || image_bytes=$((3 << 30))
}
