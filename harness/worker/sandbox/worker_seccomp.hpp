// The system-call filter every worker puts on itself before it loads student code.
#pragma once

#include <string>

namespace bnkit::sandbox {

/// Forbids, for this process and anything it becomes: new processes and threads, exec,
/// sockets, opening a file for writing, changing the file system (unlink, rename, mkdir,
/// chmod, ...), signalling or tracing another process, raising resource limits of others,
/// io_uring, and typing into a terminal (TIOCSTI). Denied calls fail with EPERM.
/// Returns "" on success, else what went wrong.
std::string restrict_worker();

}  // namespace bnkit::sandbox
