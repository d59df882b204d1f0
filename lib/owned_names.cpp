#include "owned_names.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <fstream>

namespace ccload {

std::string pid_tagged_name(std::string_view prefix, std::string_view role, char sep) {
  return std::string(prefix) + std::to_string(getpid()) + sep + std::string(role);
}

int pid_in_name(std::string_view prefix, std::string_view name, char sep) {
  if (!name.starts_with(prefix)) return -1;
  name.remove_prefix(prefix.size());
  int pid = -1;
  auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), pid);
  if (ec != std::errc() || end == name.data() + name.size() || *end != sep || pid <= 0) return -1;
  return pid;
}

bool process_gone(int pid) {
  if (::kill(pid, 0) < 0 && errno == ESRCH) return true;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return true;
  auto paren = line.rfind(')');  // the command name may itself contain ") "
  return paren != std::string::npos && paren + 2 < line.size() && line[paren + 2] == 'Z';
}

bool creator_gone(std::string_view prefix, std::string_view name, char sep) {
  int pid = pid_in_name(prefix, name, sep);
  return pid > 0 && process_gone(pid);
}

}  // namespace ccload
