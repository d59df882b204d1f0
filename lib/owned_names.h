// Names of kernel objects we create (namespaces, cgroups, test CCs) carry the creating process's
// pid: "<prefix><pid><sep><role>". A run killed with SIGKILL cannot clean up; the next run finds
// what it left by the pid being gone, without touching a concurrent run's objects.
#pragma once
#include "common.h"

#include <string>
#include <string_view>

namespace ccload {

// "<prefix><this pid><sep><role>".
std::string pid_tagged_name(std::string_view prefix, std::string_view role, char sep = '-');
// The pid in such a name, or -1 when the name does not have that form.
int pid_in_name(std::string_view prefix, std::string_view name, char sep = '-');
// True if process `pid` has exited. A zombie counts as exited: where nothing reaps orphans (a
// container whose PID 1 is not an init), a killed daemon stays a zombie and never cleans up.
bool process_gone(int pid);
// True if `name` has the form above and its creator has exited.
bool creator_gone(std::string_view prefix, std::string_view name, char sep = '-');

}  // namespace ccload
