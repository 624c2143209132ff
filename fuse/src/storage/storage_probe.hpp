#pragma once
// The syscalls that find out what a storage does (storage_traits.hpp says what each answer means).
// A full probe makes a hidden directory `.idshift-probe.PID.N` in the directory it is given, tries
// everything in there with stranger ids, and removes it at once; it runs as the daemon, with its
// capabilities, before any request is served. A readable probe writes nothing.
#include "storage_traits.hpp"

namespace idshift::fusell::storage {

// The ids the full probe creates, gives files to and opens with: high enough to belong to nobody.
inline constexpr uid_t kProbeOwner = 2147483001;
inline constexpr uid_t kProbeChownTo = 2147483002;
inline constexpr uid_t kProbeOpener = 2147483003;

// Everything, in the directory `dir_fd`; where it cannot write there, what `probe_readable` finds.
Traits probe_full(int dir_fd);
// What can be found without writing, through `fd` (any O_PATH fd on the storage): the kind of
// storage, ACLs, file handles.
Traits probe_readable(int fd);

}  // namespace idshift::fusell::storage
