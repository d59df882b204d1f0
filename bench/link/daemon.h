// The process that keeps a link up: `ccbench link daemon`, started by link_up(). It creates the
// namespaces (named after its own pid, so a killed daemon leaves names that mark themselves
// stale), builds the path, writes the state file, tells its starter "ok" (or the error) on
// ready_fd, and runs until SIGTERM/SIGINT. Everything it created goes when it returns.
#pragma once
#include "common.h"
#include "link_spec.h"

namespace ccbench::link {

// Returns the process exit code.
int run_daemon(const LinkSpec &spec, int ready_fd);

}  // namespace ccbench::link
