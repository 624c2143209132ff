#!/usr/bin/env bash
# Coherence between two idshift mounts of one backing directory (one per container, as in
# two_images_test.sh). With cache=none every change made through one mount, or on the storage
# itself, is seen through the other at once; this asserts that. For cache=auto it reports what
# the other mount saw right after a change, and both modes' cost on a metadata walk: it measures,
# it does not assert timings.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

e2e_require_root_and_fuse
e2e_find_idshift
e2e_make_tmp cache

backing=$E2E_TMP/volume
mkdir -m 0755 "$backing" "$backing/tree"
touch "$backing"/tree/file-{1..2000}
head -c 64M /dev/zero >"$backing/data"
printf 'uid 0 0 65536\ngid 0 0 65536\n' >"$E2E_TMP/identity.map"
for mode in none auto; do
    for side in 1 2; do
        e2e_idshift_mount "$backing" "$E2E_TMP/$mode-$side" "$E2E_TMP/identity.map" "cache=$mode"
    done
done

e2e_log "cache=none: a change through one mount is seen through the other at once"
one=$E2E_TMP/none-1 two=$E2E_TMP/none-2
echo first >"$one/log"
e2e_expect_eq "mount 2: content" first "$(cat "$two/log")"
echo second >>"$one/log"
e2e_expect_eq "mount 2: size right after mount 1 appended" 13 "$(stat -c %s "$two/log")"
e2e_expect_eq "mount 2: content right after mount 1 appended" $'first\nsecond' "$(cat "$two/log")"
echo third >>"$backing/log"
e2e_expect_eq "mount 2: content right after the storage side appended" \
    $'first\nsecond\nthird' "$(cat "$two/log")"
exec 3<"$two/log" # a reader on mount 2 that keeps the file open, as one tailing a log would
e2e_expect_eq "mount 2: an open reader reads" $'first\nsecond\nthird' "$(cat <&3)"
echo fourth >>"$one/log"
e2e_expect_eq "mount 2: the open reader reads on after mount 1 appended" fourth "$(cat <&3)"
exec 3<&-
e2e_expect_error "mount 2: looks up a missing name" \
    "stat: cannot statx '$two/new': No such file or directory" stat -c %s "$two/new"
echo new >"$one/new"
e2e_expect_eq "mount 2: the name made through mount 1 right after" new "$(cat "$two/new")"
chmod 0600 "$one/new"
e2e_expect_eq "mount 2: mode right after chmod through mount 1" 600 "$(stat -c %a "$two/new")"
mv "$one/new" "$one/renamed"
e2e_expect_error "mount 2: the old name right after the rename" \
    "stat: cannot statx '$two/new': No such file or directory" stat -c %s "$two/new"
rm "$one/renamed"
e2e_expect_error "mount 2: the removed name" \
    "stat: cannot statx '$two/renamed': No such file or directory" stat -c %s "$two/renamed"

e2e_log "cache=auto: what mount 2 sees right after mount 1 appends (observed, not asserted)"
one=$E2E_TMP/auto-1 two=$E2E_TMP/auto-2
echo first >"$one/log2"
stat -c %s "$two/log2" >/dev/null
echo second >>"$one/log2"
seen=$(stat -c %s "$two/log2")
if [[ $seen == 13 ]]; then
    e2e_note "size on mount 2 right after the append: 13 (fresh)"
else
    e2e_note "size on mount 2 right after the append: $seen (stale; the file has 13 bytes)"
fi

e2e_log "cost: lstat of 2000 files, three warm walks (observed, not asserted)"
walk_ms() {
    local dir=$1 start end
    find "$dir" -printf '%s\n' >/dev/null
    start=$(date +%s%N)
    for _ in 1 2 3; do find "$dir" -printf '%s\n' >/dev/null; done
    end=$(date +%s%N)
    echo $(((end - start) / 1000000))
}
e2e_note "native $(walk_ms "$backing/tree") ms, cache=none $(walk_ms "$E2E_TMP/none-1/tree") ms," \
    "cache=auto $(walk_ms "$E2E_TMP/auto-1/tree") ms"

e2e_log "cost: a 64 MiB file read five times, opened each time (observed, not asserted)"
read_ms() {
    local file=$1 start end
    cat "$file" >/dev/null
    start=$(date +%s%N)
    for _ in 1 2 3 4 5; do cat "$file" >/dev/null; done
    end=$(date +%s%N)
    echo $(((end - start) / 1000000))
}
e2e_note "native $(read_ms "$backing/data") ms, cache=none $(read_ms "$E2E_TMP/none-1/data") ms," \
    "cache=auto $(read_ms "$E2E_TMP/auto-1/data") ms"
e2e_log "PASS"
