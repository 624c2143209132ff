#!/usr/bin/env python3
"""Writes the tarball of the untar workload: a source-tree-like set of files and directories.

The tree is a pure function of its arguments (fixed seed, fixed mtime, fixed owner), so every
run and every contender unpacks byte-identical input. Directories nest two deep (top-level
directories each holding subdirectories); files are spread round-robin over all directories
with a size mix typical of source trees: most files are small, a few are large.

Usage: make-tree-tar.py OUT.tar FILES DIRS OWNER_ID
"""

import io
import random
import sys
import tarfile

SEED = 20240601
MTIME = 1_700_000_000

# (share of files, smallest size, largest size), drawn in this order.
SIZE_MIX = (
    (0.70, 0, 4 * 1024),
    (0.25, 4 * 1024, 64 * 1024),
    (0.05, 64 * 1024, 256 * 1024),
)
FILE_MODES = (0o644, 0o644, 0o644, 0o755, 0o600)


def directory_names(count):
    """Returns `count` directory paths: sqrt-ish top-level dirs, the rest as their children."""
    tops = max(1, round(count**0.5))
    names = [f"d{top:02d}" for top in range(tops)]
    child = 0
    while len(names) < count:
        top = child % tops
        names.append(f"d{top:02d}/s{child // tops:02d}")
        child += 1
    return names


def pick_size(rng):
    roll = rng.random()
    for share, low, high in SIZE_MIX:
        if roll < share:
            return rng.randrange(low, high)
        roll -= share
    return SIZE_MIX[-1][1]


def member(name, kind, owner, mode, size=0):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.mode = mode
    info.uid = info.gid = owner
    info.uname = info.gname = ""
    info.mtime = MTIME
    info.size = size
    return info


def write_tree(path, files, dirs, owner):
    rng = random.Random(SEED)
    dir_names = directory_names(dirs)
    total = 0
    with tarfile.open(path, "w", format=tarfile.GNU_FORMAT) as tar:
        for name in dir_names:
            tar.addfile(member(name, tarfile.DIRTYPE, owner, 0o755))
        for index in range(files):
            size = pick_size(rng)
            name = f"{dir_names[index % dirs]}/file{index:05d}.dat"
            info = member(name, tarfile.REGTYPE, owner, rng.choice(FILE_MODES), size)
            tar.addfile(info, io.BytesIO(rng.randbytes(size)))
            total += size
    return total


def main(argv):
    if len(argv) != 5:
        sys.exit(__doc__.strip().splitlines()[-1])
    out, files, dirs, owner = argv[1], int(argv[2]), int(argv[3]), int(argv[4])
    if files < 1 or dirs < 1:
        sys.exit("make-tree-tar: FILES and DIRS must be positive")
    total = write_tree(out, files, dirs, owner)
    print(f"{out}: {files} files, {dirs} directories, {total / 2**20:.1f} MiB of file data")


if __name__ == "__main__":
    main(sys.argv)
