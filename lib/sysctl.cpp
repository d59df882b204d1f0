#include "sysctl.h"
#include "text_file.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace ccload {
namespace {

std::string sysctl_path(std::string key) {
  std::replace(key.begin(), key.end(), '.', '/');
  return "/proc/sys/" + key;
}

}  // namespace

Result<std::string> read_sysctl(const std::string &key) {
  auto text = read_text_file(sysctl_path(key));
  if (!text) return fail_errno(text.error().errnum, "Failed to read sysctl " + key);
  std::string value = std::move(*text);
  while (!value.empty() && (value.back() == '\n' || value.back() == ' ')) value.pop_back();
  return value;
}

Result<> write_sysctl(const std::string &key, const std::string &value) {
  std::ofstream out(sysctl_path(key));
  if (!out) return fail_errno("Failed to open sysctl " + key + " for writing", "this needs root");
  out << value << '\n';
  out.flush();
  if (!out) return fail_errno("Failed to set " + key + " = " + value);
  return {};
}

Result<ScopedSysctl> ScopedSysctl::set(const std::string &key, const std::string &value) {
  auto old = read_sysctl(key);
  if (!old) return std::unexpected(old.error());
  if (auto r = write_sysctl(key, value); !r) return std::unexpected(r.error());
  return ScopedSysctl(key, *old);
}

}  // namespace ccload
