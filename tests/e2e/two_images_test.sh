#!/usr/bin/env bash
# Two containers (crun), images with different /etc/passwd and /etc/group, one backing directory
# shared through two idshift mounts: ownership by name in both directions, prompt visibility of
# each other's writes, permissions, overflow ids and EOVERFLOW.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
source "$E2E_DIR/lib/containers.sh"
source "$E2E_DIR/lib/two_images.sh"

e2e_require_root_and_fuse
e2e_require_crun
e2e_find_idshift
e2e_make_tmp two-images

backing=$E2E_TMP/volume
mkdir -m 1777 "$backing"
e2e_two_images_start "$backing"
e2e_two_images_checks "$backing"
e2e_log "PASS"
