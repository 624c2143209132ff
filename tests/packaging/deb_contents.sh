#!/usr/bin/env bash
# The package holds exactly the expected files, with the expected modes and owners, and its
# control fields say what dpkg and apt need: name, version, section, and the dependencies on fuse3
# (mount.fuse3, fusermount3) and libfuse3-3 (found by dpkg-shlibdeps).
# Usage: deb_contents.sh DEB_DIR SOURCE_DIR PROJECT_VERSION SUMMARY
set -euo pipefail
source "$(dirname "$0")/lib.sh"

src=$2 project_version=$3 summary=$4
deb=$(deb_file "$1" "$src")
version=$(deb_version "$src")
expect_eq "${version%-*}" "$project_version" "upstream part of the package version $version"
doc=./usr/share/doc/idshift

# Every entry but the directories, as "MODE OWNER PATH[ -> TARGET]".
entries=$(dpkg-deb --contents "$deb" | awk '$1 !~ /^d/ {
    line = $1 " " $2 " " $6; for (i = 7; i <= NF; i++) line = line " " $i; print line }' | sort)

expected=$(
    {
        echo "-rwxr-xr-x root/root ./usr/bin/idshift"
        echo "-rwxr-xr-x root/root ./sbin/mount.idshift"
        echo "-rw-r--r-- root/root ./lib/systemd/system/idshift@.service"
        echo "-rw-r--r-- root/root ./usr/share/man/man8/idshift.8.gz"
        echo "lrwxrwxrwx root/root ./usr/share/man/man8/mount.idshift.8.gz -> idshift.8.gz"
        echo "-rw-r--r-- root/root ./usr/share/man/man5/idshift.map.5.gz"
        echo "-rw-r--r-- root/root $doc/copyright"
        echo "-rw-r--r-- root/root $doc/changelog.Debian.gz"
        echo "-rw-r--r-- root/root $doc/examples/systemd/srv-volumes-web.mount"
        echo "-rw-r--r-- root/root $doc/examples/systemd/web.conf"
        echo "-rw-r--r-- root/root $doc/examples/oci/oci-hook.conf"
        echo "-rw-r--r-- root/root ./usr/share/containers/oci/hooks.d/idshift-oci-hook.json"
        # The example maps (and whatever files they refer to) ship as they are in the source.
        (cd "$src/packaging/examples" &&
            find . -type f -printf "-rw-r--r-- root/root $doc/examples/%P\n")
    } | sort
)
expect_lines_eq "$entries" "$expected" "files in $(basename "$deb")"

directories=$(dpkg-deb --contents "$deb" |
    awk '$1 ~ /^d/ && ($1 != "drwxr-xr-x" || $2 != "root/root")')
expect_eq "$directories" "" "directories not drwxr-xr-x root/root"

field() { dpkg-deb --field "$deb" "$1"; }
expect_eq "$(field Package)" idshift "Package"
expect_eq "$(field Version)" "$version" "Version"
expect_eq "$(field Architecture)" "$(dpkg --print-architecture)" "Architecture"
expect_eq "$(field Section)" admin "Section"
expect_eq "$(field Priority)" optional "Priority"
description=$(field Description)
expect_eq "${description%%$'\n'*}" "$summary" "Description summary"
expect_eq "$(field Maintainer)" "idshift maintainers <maintainers@idshift.dev>" "Maintainer"

# Depends: package names without their version constraints, one per line.
depends=$(field Depends | tr ',' '\n' | sed -e 's/([^)]*)//' -e 's/[[:space:]]//g')
for needed in fuse3 libfuse3-3 libc6; do
    grep -qx "$needed" <<<"$depends" || fail "Depends lacks $needed: $(field Depends)"
done

# Maintainer scripts: exactly these, executable, as shipped in packaging/debian.
control=$(mktemp -d)
trap 'rm -rf "$control"' EXIT
dpkg-deb --control "$deb" "$control"
members=$(find "$control" -mindepth 1 -printf '%P\n' | sort | paste -sd ' ')
expect_eq "$members" "control md5sums postinst postrm prerm" "control members"
for script in postinst prerm postrm; do
    expect_eq "$(stat -c %a "$control/$script")" 755 "mode of $script"
    expect_same_file "$control/$script" "$src/packaging/debian/$script" "$script"
done
# The binaries are hardened as Debian's own packages are (dpkg-buildflags): no sanitizer runtime,
# full RELRO with BIND_NOW, a stack protector and fortified libc calls.
payload=$(mktemp -d)
trap 'rm -rf "$control" "$payload"' EXIT
dpkg-deb --extract "$deb" "$payload"
binary=$payload/usr/bin/idshift
dynamic=$(readelf --dynamic --wide "$binary")
expect_not_contains "$dynamic" "libasan" "dynamic section of usr/bin/idshift (a sanitizer build)"
expect_not_contains "$dynamic" "libubsan" "dynamic section of usr/bin/idshift (a sanitizer build)"
expect_contains "$dynamic" "BIND_NOW" "dynamic section of usr/bin/idshift"
expect_contains "$(readelf --program-headers --wide "$binary")" "GNU_RELRO" "program headers of usr/bin/idshift"
symbols=$(readelf --dyn-syms --wide "$binary")
expect_contains "$symbols" "__stack_chk_fail" "dynamic symbols of usr/bin/idshift (stack protector)"
grep -qE '__[a-z_]+_chk@' <<<"$symbols" || fail "usr/bin/idshift calls no fortified (_chk) libc function"

echo "ok: $(wc -l <<<"$entries") files, hardened, Depends: $(field Depends)"
