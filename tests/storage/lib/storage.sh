# shellcheck shell=bash
# What every storage test shares, on top of the end-to-end suite's lib/common.sh: the map, the
# mapped users, and reading the daemon's storage line and adaptation counters.
STORAGE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../../e2e/lib/common.sh
source "$STORAGE_DIR/../e2e/lib/common.sh"

# Mount side 0 and 1000..1001 are storage 0 and 101000..101001: an ordinary caller's mount-side
# ids differ from its storage ids, as in every container farm.
storage_write_map() {
    cat >"$1" <<EOF2
uid 0 0
gid 0 0
uid 1000 101000 2
gid 1000 101000 2
EOF2
}

# as_user UID CMD...: runs CMD as mount-side UID (its own gid, no other groups).
as_user() {
    local uid=$1
    shift
    setpriv --reuid "$uid" --regid "$uid" --clear-groups "$@"
}

# The daemon's startup storage line for its SOURCE (the first one logged).
storage_line() { grep -m1 -o 'storage [0-9]*:[0-9]* (.*' "$1.log"; }

# storage_counter MNT WHAT: one adaptation counter of the daemon serving MNT.
storage_counter() {
    "$IDSHIFT_BIN" stats --prometheus "$1" |
        awk -v what="$2" -F'} ' 'index($0, "idshift_storage_adaptations_total{what=\"" what "\"}") == 1 { print $2 }'
}

# errno_of CMD...: the message CMD fails with (after its last ": "), or "succeeded".
errno_of() {
    local out
    if out=$("$@" 2>&1); then
        echo succeeded
    else
        echo "${out##*: }"
    fi
}
