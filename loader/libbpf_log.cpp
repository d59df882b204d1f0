#include "libbpf_log.h"

#include <bpf/libbpf.h>

#include <cstdarg>
#include <cstdio>
#include <deque>
#include <mutex>
#include <sstream>

namespace ccload {
namespace {

constexpr size_t kMaxLines = 4000;

struct Captured {
  libbpf_print_level level;
  std::string line;
};

std::mutex g_mutex;
std::deque<Captured> g_lines;
int g_verbosity = 0;
std::string g_partial;  // libbpf sometimes prints one line in several calls

int print_callback(libbpf_print_level level, const char *format, va_list args) {
  char buf[4096];
  int n = vsnprintf(buf, sizeof(buf), format, args);
  if (n < 0) return n;
  if (level == LIBBPF_DEBUG && g_verbosity > 0) fputs(buf, stderr);
  if (level == LIBBPF_DEBUG && g_verbosity == 0) return n;

  std::lock_guard lock(g_mutex);
  g_partial += buf;
  size_t pos;
  while ((pos = g_partial.find('\n')) != std::string::npos) {
    g_lines.push_back({level, g_partial.substr(0, pos)});
    g_partial.erase(0, pos + 1);
    if (g_lines.size() > kMaxLines) g_lines.pop_front();
  }
  return n;
}

}  // namespace

void LibbpfLog::install(int verbosity) {
  g_verbosity = verbosity;
  libbpf_set_print(print_callback);
}

void LibbpfLog::clear() {
  std::lock_guard lock(g_mutex);
  g_lines.clear();
  g_partial.clear();
}

std::vector<std::string> LibbpfLog::tail(size_t n) {
  std::lock_guard lock(g_mutex);
  std::vector<std::string> out;
  size_t start = g_lines.size() > n ? g_lines.size() - n : 0;
  for (size_t i = start; i < g_lines.size(); ++i) out.push_back(g_lines[i].line);
  return out;
}

std::string LibbpfLog::text() {
  std::lock_guard lock(g_mutex);
  std::string s;
  for (const auto &l : g_lines) s += l.line + "\n";
  return s;
}

void LibbpfLog::flush_warnings() {
  std::lock_guard lock(g_mutex);
  for (const auto &l : g_lines)
    if (l.level == LIBBPF_WARN) fprintf(stderr, "%s\n", l.line.c_str());
  g_lines.clear();
}

std::string verifier_log_tail(size_t n) {
  std::lock_guard lock(g_mutex);
  // The verifier's own lines sit between libbpf's BEGIN/END PROG LOAD LOG markers.
  std::vector<std::string> log;
  bool inside = false;
  for (const auto &l : g_lines) {
    if (l.line.find("-- BEGIN PROG LOAD LOG --") != std::string::npos) {
      inside = true;
      log.clear();
      continue;
    }
    if (l.line.find("-- END PROG LOAD LOG --") != std::string::npos) {
      inside = false;
      continue;
    }
    if (inside) log.push_back(l.line);
  }
  std::ostringstream out;
  size_t start = log.size() > n ? log.size() - n : 0;
  for (size_t i = start; i < log.size(); ++i) out << "  " << log[i] << "\n";
  return out.str();
}

}  // namespace ccload
