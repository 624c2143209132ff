# shellcheck shell=bash
# Assertions shared by the packaging tests (sourced, not run). Each failure names what was
# checked, what was expected and what came instead, then exits 1.

# Under set -e a failing command ends the test; say which one, not just "Failed".
on_error() {
    printf 'FAIL: %s:%s: exit %s from: %s\n' "$1" "$2" "$3" "$4" >&2
}
set -o errtrace
trap 'on_error "${BASH_SOURCE[0]}" "$LINENO" "$?" "$BASH_COMMAND"' ERR

fail() {
    printf 'FAIL: %s\n' "$*" >&2
    exit 1
}

skip() {
    printf 'SKIP: %s\n' "$*" >&2
    exit 77
}

# expect_eq ACTUAL EXPECTED WHAT
expect_eq() {
    [ "$1" = "$2" ] || fail "$3: expected '$2', got '$1'"
}

# expect_lines_eq ACTUAL EXPECTED WHAT: multi-line values, shown as a diff when they differ.
expect_lines_eq() {
    if [ "$1" != "$2" ]; then
        printf 'FAIL: %s differs (- expected, + actual):\n' "$3" >&2
        diff <(printf '%s\n' "$2") <(printf '%s\n' "$1") >&2 || true
        exit 1
    fi
}

# expect_contains TEXT NEEDLE WHAT
expect_contains() {
    case "$1" in
    *"$2"*) ;;
    *) fail "$3: expected to contain '$2', got '$1'" ;;
    esac
}

# expect_not_contains TEXT NEEDLE WHAT
expect_not_contains() {
    case "$1" in
    *"$2"*) fail "$3: must not contain '$2', got '$1'" ;;
    *) ;;
    esac
}

# expect_same_file ACTUAL EXPECTED WHAT: byte-identical files.
expect_same_file() {
    cmp -s "$1" "$2" || fail "$3: $1 differs from $2"
}

# deb_version SOURCE_DIR: the package version, which is that of the first debian/changelog entry
# (packaging/cpack.cmake refuses to configure when the two differ).
deb_version() {
    dpkg-parsechangelog --file "$1/packaging/debian/changelog" --show-field Version
}

# deb_file DEB_DIR SOURCE_DIR: the path of the package the deb_build fixture made.
deb_file() {
    echo "$1/idshift_$(deb_version "$2")_$(dpkg --print-architecture).deb"
}
