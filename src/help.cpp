// The texts of --help and --version.
#include "cli.hpp"

namespace idshift::daemon {

std::string help_text() {
    return R"(Usage: idshift [options] SOURCE MOUNTPOINT
       idshift check MAP...
       idshift map --from-userns PID
       idshift map --from-image ROOTFS [--storage-passwd F] [--storage-group G]
       idshift oci-hook [--config FILE]
       idshift stats [--prometheus] MOUNTPOINT | --socket PATH
       idshift reload MOUNTPOINT

Mounts the directory SOURCE at MOUNTPOINT and remaps user and group ids on every operation:
ownership read from SOURCE is shown through the map, and ids written through MOUNTPOINT (new
files, chown, ACLs, file capabilities) are stored through it in reverse.

Options:
  -f                     stay in the foreground (log to stderr instead of syslog)
  -d                     debug: implies -f and --log-level=debug, and logs every request
  --log-level=LEVEL      trace, debug, info (default), warn or error
  -h, --help             print this help and exit
  -V, --version          print the version and exit
  -o OPT[,OPT...]        mount options:

    map=FILE             the id map (see idshift check); SIGHUP reloads it
    backend=B            auto (default): the kernel's idmapped mount where it can mean the same
                         as the map, else FUSE, saying which and why; kernel: that or refuse;
                         fuse: always FUSE
    uidmap=M:S:N[:...]   inline uid rules: mount id M, storage id S, count N (instead of map=)
    gidmap=M:S:N[:...]   inline gid rules (instead of map=)
    map_owner_check=off  read a map (and the passwd/group files it names) even when users
                         other than root can edit it (default on: such a map is refused)
    cache=MODE           none (ask every time), auto (trust for 1 s; default) or always
                         (trust for a day: only when nothing else writes to SOURCE)
    threads=N            at most N worker threads (default: libfuse's, 10)
    stats_socket=PATH    where `idshift stats` reads the daemon's counters (default
                         /run/idshift/<mountpoint, escaped as systemd-escape --path>.sock);
                         none: no statistics socket
    passthrough=on|off   regular files' reads, writes and mmap go from the kernel straight to
                         the backing file (default on; needs kernel 6.9+ and CAP_SYS_ADMIN,
                         else the daemon carries the data and logs why)
    max_stack_depth=1|2  passthrough: 1 (default) when SOURCE is on a plain filesystem, so that
                         overlayfs can be stacked on the mount; 2 when SOURCE is on overlayfs
    killpriv_v2=on|off   the daemon clears suid/sgid bits where the kernel asks, which spares a
                         security.capability lookup per write (default on)
    allow_idmap=on|off   allow idmapped mounts (mount_setattr MOUNT_ATTR_IDMAP) of the mount
                         (default off; kernel 6.12+)
    allow_other          let every user use the mount: ON by default
    noallow_other        only the user who mounted it may use the mount
    default_permissions  the kernel checks permissions on the mapped ids: always ON
    ro, rw               read-only / read-write (default rw)
    dev, nodev           device nodes usable / not (default nodev: mknod of a device fails)
    fsname=NAME          the source shown in /proc/mounts (default SOURCE)
    subtype=NAME         the type shown in /proc/mounts is fuse.NAME (default idshift)
    suid, nosuid, exec, noexec, atime, noatime, nodiratime, relatime, strictatime,
    sync, async, dirsync
                         passed on to the kernel as for any mount

Unknown options are an error. idshift runs as a daemon once the mount is in place; the exit status
is 0 only when it is. Exit status: 0 mounted, 1 usage or configuration error (map errors are
printed as FILE:LINE: message), 2 the mount failed. SIGTERM and SIGINT unmount; so does
fusermount3 -u MOUNTPOINT.

On the kernel backend idshift exits once the idmapped mount is made (no daemon); umount ends it,
and idshift reload MOUNTPOINT replaces it with one that has the map file's current map.

idshift stats MOUNTPOINT prints, per operation, the requests answered, the errors and the p50, p90
and p99 latencies, and the ids the map does not cover (storage ids read, mount ids refused on
write); --prometheus prints the same in Prometheus's text format.
)";
}

std::string version_text() {
    return "idshift " IDSHIFT_VERSION "\n";
}

}  // namespace idshift::daemon
