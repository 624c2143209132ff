# shellcheck shell=bash
# The central end-to-end story: two containers whose images disagree about /etc/passwd and
# /etc/group share one backing directory, each through its own idshift mount and map. Every
# check runs inside a container with busybox tools and is compared with the backing directory.
#
#              image A     image B      storage (data/storage)
#   app        1000        2000         10000
#   alice      1500        -            11500
#   shared     3000        4000         20000 (group)
#
# Needs lib/common.sh and lib/containers.sh.

# e2e_two_images_start BACKING: images, maps, two idshift mounts (cache=none) and two running
# containers, "$E2E_A" on image A and "$E2E_B" on image B, each with the volume at /vol.
e2e_two_images_start() {
    local backing=$1 image
    for image in a b; do
        if [[ ! -d $E2E_TMP/image-$image ]]; then
            e2e_make_rootfs "$E2E_TMP/image-$image" "$E2E_DATA/image-$image"
        fi
        e2e_write_names_map "$E2E_TMP/image-$image.map" "$E2E_TMP/image-$image"
        "$IDSHIFT_BIN" check "$E2E_TMP/image-$image.map" >"$E2E_TMP/image-$image.check" ||
            e2e_fail "idshift check rejected image-$image.map: $(cat "$E2E_TMP/image-$image.check")"
        e2e_idshift_mount "$backing" "$E2E_TMP/mnt-$image" "$E2E_TMP/image-$image.map" cache=none
        e2e_write_bundle "$E2E_TMP/bundle-$image" "$E2E_TMP/image-$image" "$E2E_TMP/mnt-$image"
    done
    E2E_A=idshift-e2e-$$-a
    E2E_B=idshift-e2e-$$-b
    e2e_container_start "$E2E_A" "$E2E_TMP/bundle-a"
    e2e_container_start "$E2E_B" "$E2E_TMP/bundle-b"
}

# e2e_owner CONTAINER PATH: "user:group uid:gid" as the container sees PATH.
e2e_owner() { e2e_in "$1" root "stat -c '%U:%G %u:%g' $2"; }

# e2e_two_images_checks BACKING: the story, asserted from both containers and the backing side.
e2e_two_images_checks() {
    local backing=$1 A=$E2E_A B=$E2E_B
    local toobig='Value too large for defined data type'

    e2e_log "each container knows its own image's users"
    e2e_expect_eq "A: id of app" "uid=1000(app) gid=1000(app) groups=1000(app),3000(shared)" \
        "$(e2e_in "$A" app id)"
    e2e_expect_eq "B: id of app" "uid=2000(app) gid=2000(app) groups=2000(app),4000(shared)" \
        "$(e2e_in "$B" app id)"

    e2e_log "A's app writes a file: it is app's in B as well"
    e2e_in "$A" app 'echo "line 1 from A" > /vol/notes.txt'
    e2e_expect_eq "A: owner of notes.txt" "app:app 1000:1000" "$(e2e_owner "$A" /vol/notes.txt)"
    e2e_expect_eq "B: owner of notes.txt" "app:app 2000:2000" "$(e2e_owner "$B" /vol/notes.txt)"
    e2e_expect_eq "storage: owner of notes.txt" "10000:10000" \
        "$(e2e_ids "$backing/notes.txt")"
    e2e_expect_eq "B: ls -ln columns 3-4" "2000 2000" \
        "$(e2e_in "$B" root 'ls -ln /vol/notes.txt' | awk '{ print $3, $4 }')"

    e2e_log "an append through one mount is seen through the other at once (cache=none)"
    e2e_expect_eq "B: reads notes.txt" "line 1 from A" "$(e2e_in "$B" app 'cat /vol/notes.txt')"
    e2e_in "$A" app 'echo "line 2 from A" >> /vol/notes.txt'
    e2e_expect_eq "B: size right after A's append" 28 "$(e2e_in "$B" app 'stat -c %s /vol/notes.txt')"
    e2e_expect_eq "B: content right after A's append" $'line 1 from A\nline 2 from A' \
        "$(e2e_in "$B" app 'cat /vol/notes.txt')"
    e2e_in "$B" app 'echo "line 3 from B" >> /vol/notes.txt'
    e2e_expect_eq "A: content right after B's append" \
        $'line 1 from A\nline 2 from A\nline 3 from B' "$(e2e_in "$A" app 'cat /vol/notes.txt')"

    e2e_log "B's app hands the file to group shared: A sees group shared"
    e2e_in "$B" app 'chgrp shared /vol/notes.txt'
    e2e_expect_eq "B: owner after chgrp" "app:shared 2000:4000" "$(e2e_owner "$B" /vol/notes.txt)"
    e2e_expect_eq "A: owner after chgrp" "app:shared 1000:3000" "$(e2e_owner "$A" /vol/notes.txt)"
    e2e_expect_eq "storage: owner after chgrp" "10000:20000" \
        "$(e2e_ids "$backing/notes.txt")"

    e2e_log "a 0700 directory of A's app belongs to B's app too"
    e2e_in "$A" app 'mkdir -m 700 /vol/private && echo secret > /vol/private/key'
    e2e_expect_eq "B: app reads A's app-only file" secret "$(e2e_in "$B" app 'cat /vol/private/key')"
    e2e_in "$B" app 'touch /vol/private/from-b'
    e2e_expect_eq "A: owner of B's new file" "app:app 1000:1000" \
        "$(e2e_owner "$A" /vol/private/from-b)"
    e2e_expect_eq "storage: owner of B's new file" "10000:10000" \
        "$(e2e_ids "$backing/private/from-b")"
    e2e_expect_error "A: alice cannot list app's 0700 directory" \
        "ls: can't open '/vol/private': Permission denied" e2e_in "$A" alice 'ls /vol/private'

    e2e_log "a user only image A has shows as the overflow id in B"
    e2e_in "$A" alice 'touch /vol/alice.txt'
    e2e_expect_eq "A: owner of alice.txt" "alice:alice 1500:1500" "$(e2e_owner "$A" /vol/alice.txt)"
    e2e_expect_eq "storage: owner of alice.txt" "11500:11500" \
        "$(e2e_ids "$backing/alice.txt")"
    e2e_expect_eq "B: owner of alice.txt" "nobody:nogroup 65534:65534" \
        "$(e2e_owner "$B" /vol/alice.txt)"

    e2e_log "root in a container cannot chown to an id its map cannot express"
    e2e_expect_error "A: root chown 4242 (in no map)" "chown: /vol/notes.txt: $toobig" \
        e2e_in "$A" root 'chown 4242 /vol/notes.txt'
    e2e_expect_error "B: root chown 1500 (alice in A, nobody in B)" \
        "chown: /vol/notes.txt: $toobig" e2e_in "$B" root 'chown 1500 /vol/notes.txt'
    e2e_expect_eq "storage: owner unchanged" "10000:20000" "$(e2e_ids "$backing/notes.txt")"

    e2e_log "root in B creates a file and gives it to app:shared"
    e2e_in "$B" root 'touch /vol/by-root'
    e2e_expect_eq "storage: root's new file" "0:0" "$(e2e_ids "$backing/by-root")"
    e2e_in "$B" root 'chown app:shared /vol/by-root'
    e2e_expect_eq "A: owner after B's chown" "app:shared 1000:3000" "$(e2e_owner "$A" /vol/by-root)"
    e2e_expect_eq "storage: owner after B's chown" "10000:20000" \
        "$(e2e_ids "$backing/by-root")"

    e2e_log "the volume as each side lists it"
    e2e_note "A: ls -l";  e2e_in "$A" root 'ls -l /vol' | sed 's/^/      /'
    e2e_note "B: ls -l";  e2e_in "$B" root 'ls -l /vol' | sed 's/^/      /'
    e2e_note "storage: ls -ln"
    # shellcheck disable=SC2012 # shown to people, not parsed
    ls -ln "$backing" | sed 's/^/      /'
}
