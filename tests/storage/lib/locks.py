#!/usr/bin/python3
"""Record locks and flocks for the storage tests, by the raw calls (no retries, no waiting).

  locks.py hold PATH KIND START LEN RELEASE  take the lock, print "held", keep it until the file
                                             RELEASE exists (at most 120 s), then exit
  locks.py try PATH KIND START LEN           take and drop the lock: "ok" or the errno's name
  locks.py get PATH KIND START LEN           F_GETLK: "unlocked" or "TYPE START LEN"

KIND is read or write (POSIX record locks, F_SETLK/F_GETLK), or flock-shared or flock-exclusive
(flock(2) with LOCK_NB; START and LEN are ignored).
"""
import errno
import fcntl
import os
import struct
import sys
import time

# struct flock on Linux x86-64 and arm64: short l_type, short l_whence, (pad), off_t l_start,
# off_t l_len, pid_t l_pid, (pad).
FLOCK = "hh4xqqi4x"
TYPES = {"read": fcntl.F_RDLCK, "write": fcntl.F_WRLCK}
NAMES = {fcntl.F_RDLCK: "read", fcntl.F_WRLCK: "write"}
FLOCKS = {"flock-shared": fcntl.LOCK_SH, "flock-exclusive": fcntl.LOCK_EX}


def lock(fd, kind, start, length, cmd=fcntl.F_SETLK, lock_type=None):
    if kind in FLOCKS:
        fcntl.flock(fd, FLOCKS[kind] | fcntl.LOCK_NB)
        return None
    packed = struct.pack(FLOCK, TYPES[kind] if lock_type is None else lock_type, os.SEEK_SET,
                         start, length, 0)
    return struct.unpack(FLOCK, fcntl.fcntl(fd, cmd, packed))


def unlock(fd, kind, start, length):
    if kind in FLOCKS:
        fcntl.flock(fd, fcntl.LOCK_UN)
    else:
        lock(fd, kind, start, length, lock_type=fcntl.F_UNLCK)


def main(argv):
    verb, path, kind = argv[1], argv[2], argv[3]
    start, length = int(argv[4]), int(argv[5])
    flags = os.O_RDONLY if kind in ("read", "flock-shared") else os.O_RDWR
    fd = os.open(path, flags)
    try:
        if verb == "hold":
            lock(fd, kind, start, length)
            print("held", flush=True)
            deadline = time.monotonic() + 120
            while not os.path.exists(argv[6]) and time.monotonic() < deadline:
                time.sleep(0.02)
        elif verb == "try":
            lock(fd, kind, start, length)
            unlock(fd, kind, start, length)
            print("ok")
        elif verb == "get":
            l_type, _, l_start, l_len, _ = lock(fd, kind, start, length, cmd=fcntl.F_GETLK)
            print("unlocked" if l_type == fcntl.F_UNLCK else f"{NAMES[l_type]} {l_start} {l_len}")
        else:
            sys.exit(f"locks.py: unknown verb {verb}")
    except OSError as e:
        print(errno.errorcode[e.errno])
    finally:
        os.close(fd)


if __name__ == "__main__":
    main(sys.argv)
