#!/usr/bin/env bash
# Installs the package with dpkg into a throwaway root directory (not a chroot: the binary runs
# against this system's libraries, which the package's Depends name), runs what it installed, and
# removes it again. Installed files must be the source files, byte for byte (man pages and the
# changelog once gunzipped).
# Usage: deb_install.sh DEB_DIR SOURCE_DIR PROJECT_VERSION
set -euo pipefail
source "$(dirname "$0")/lib.sh"

src=$2 version=$3
deb=$(deb_file "$1" "$src")
root=$(mktemp -d "${TMPDIR:-/tmp}/idshift-pkgroot.XXXXXX")
trap 'rm -rf "$root"' EXIT

# An empty dpkg database; --force-depends because fuse3 and the libraries are installed on this
# system, not in the database of $root. Maintainer scripts run outside the root with DPKG_ROOT
# set (--force-script-chrootless), and must leave this system's systemd alone.
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates"
touch "$root/var/lib/dpkg/status" "$root/var/lib/dpkg/available"
dpkg_root() {
    dpkg --root="$root" --force-not-root --force-script-chrootless --force-depends \
        --log=/dev/null "$@"
}
dpkg_root --install "$deb" >"$root/dpkg.log" 2>&1 || fail "dpkg --install: $(cat "$root/dpkg.log")"
expect_eq "$(dpkg-query --root="$root" --show --showformat '${Status} ${Version}' idshift)" \
    "install ok installed $(deb_version "$src")" "dpkg status"

# The installed program.
idshift=$root/usr/bin/idshift
expect_eq "$(LD_LIBRARY_PATH='' "$idshift" --version)" "idshift $version" "idshift --version"
map=$root/usr/share/doc/idshift/examples/web.map
[ -f "$map" ] || fail "the package has no examples/web.map (packaging/examples/web.map)"
out=$(LD_LIBRARY_PATH='' "$idshift" check "$map" 2>"$root/check.err") ||
    fail "idshift check $map: exit $?: $(cat "$root/check.err")"
expect_eq "$(cat "$root/check.err")" "" "idshift check stderr"
expect_contains "${out%%$'\n'*}" "$map: valid, " "idshift check first line"

# Installed files are the sources.
expect_same_file "$root/sbin/mount.idshift" "$src/packaging/mount.idshift" "mount.idshift"
expect_same_file "$root/lib/systemd/system/idshift@.service" \
    "$src/packaging/systemd/idshift@.service" "idshift@.service"
expect_same_file "$root/usr/share/doc/idshift/copyright" "$src/packaging/debian/copyright" \
    "copyright"
gunzipped() { gzip -dc "$1" >"$root/gunzipped" && echo "$root/gunzipped"; }
for page in man8/idshift.8 man5/idshift.map.5; do
    expect_same_file "$(gunzipped "$root/usr/share/man/$page.gz")" \
        "$src/packaging/man/$(basename "$page")" "$page.gz"
done
expect_same_file "$(gunzipped "$root/usr/share/doc/idshift/changelog.Debian.gz")" \
    "$src/packaging/debian/changelog" "changelog.Debian.gz"
expect_same_file "$(gunzipped "$root/usr/share/man/man8/mount.idshift.8.gz")" \
    "$src/packaging/man/idshift.8" "mount.idshift.8.gz (link to idshift.8.gz)"
diff -r "$src/packaging/examples" "$root/usr/share/doc/idshift/examples" -x systemd -x oci >&2 ||
    fail "installed examples differ from packaging/examples"

# Removal takes every file with it.
dpkg_root --purge idshift >"$root/dpkg.log" 2>&1 || fail "dpkg --purge: $(cat "$root/dpkg.log")"
left=$(find "$root/usr" "$root/sbin" "$root/lib" -not -type d 2>/dev/null || true)
expect_eq "$left" "" "files left after dpkg --purge"
echo "ok: installed, ran and purged $(basename "$deb") in $root"
