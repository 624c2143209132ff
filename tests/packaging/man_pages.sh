#!/usr/bin/env bash
# The man pages render without a single groff warning (all warnings on), and their NAME
# sections give the one-line summaries that whatis(1) and apropos(1) show.
# Usage: man_pages.sh SOURCE_DIR
set -euo pipefail
source "$(dirname "$0")/lib.sh"

man_dir=$1/packaging/man

for page in idshift.8 idshift.map.5; do
    warnings=$(LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$man_dir/$page" 2>&1) ||
        fail "groff failed on $page: $warnings"
    expect_eq "$warnings" "" "groff warnings for $page"
    text=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --local-file "$man_dir/$page" 2>&1)
    expect_contains "$text" "SEE ALSO" "man -l $page"
done

summary="FUSE filesystem that remaps uids and gids for container volumes"
expect_lines_eq "$(lexgrog "$man_dir/idshift.8")" \
    "$man_dir/idshift.8: \"idshift - $summary\"
$man_dir/idshift.8: \"mount.idshift - $summary\"" "whatis entries of idshift.8"
expect_eq "$(lexgrog "$man_dir/idshift.map.5")" \
    "$man_dir/idshift.map.5: \"idshift.map - uid and gid map of an idshift volume\"" \
    "whatis entry of idshift.map.5"
echo "ok: idshift.8 and idshift.map.5 render cleanly"
