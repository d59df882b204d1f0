#include "state.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "netns.h"
#include "unique_fd.h"

namespace ccbench::link {

namespace fs = std::filesystem;
using ccload::fail;
using ccload::fail_errno;

bool pid_alive(int pid) { return pid > 0 && !ccload::process_gone(pid); }

bool LinkState::alive() const { return pid_alive(pid); }

std::string state_path(const std::string &name) { return std::string(kLinksDir) + "/" + name + ".json"; }
std::string default_record_dir(const std::string &name) { return std::string(kLinksDir) + "/" + name; }

nlohmann::json to_json(const LinkState &s) {
  return {{"name", s.name},         {"pid", s.pid},
          {"starting", s.starting}, {"backend", s.backend}, {"backend_note", s.backend_note},
          {"client", {{"namespace", s.client_ns}, {"device", s.client_dev}, {"address", kClientAddress}}},
          {"server", {{"namespace", s.server_ns}, {"device", s.server_dev}, {"address", kServerAddress}}},
          {"router_namespace", s.router_ns},
          {"records", s.records},   {"log", s.log},
          {"spec", s.spec}};
}

Result<LinkState> read_state(const std::string &name) {
  std::ifstream in(state_path(name));
  if (!in) return fail("no link named '" + name + "' is up", "run `ccbench link list` to see the links that are up");
  try {
    auto j = nlohmann::json::parse(in);
    LinkState s;
    s.name = j.at("name").get<std::string>();
    s.pid = j.at("pid").get<int>();
    s.starting = j.value("starting", false);
    s.backend = j.value("backend", "");
    s.backend_note = j.value("backend_note", "");
    if (j.contains("client")) {
      s.client_ns = j["client"].value("namespace", "");
      s.client_dev = j["client"].value("device", "");
    }
    if (j.contains("server")) {
      s.server_ns = j["server"].value("namespace", "");
      s.server_dev = j["server"].value("device", "");
    }
    s.router_ns = j.value("router_namespace", "");
    s.records = j.value("records", "");
    s.log = j.value("log", "");
    s.spec = j.value("spec", nlohmann::json::object());
    return s;
  } catch (const nlohmann::json::exception &e) {
    return fail(state_path(name) + " is corrupt: " + e.what(), "run `ccbench link down " + name + "` to remove it");
  }
}

Result<> write_state(const LinkState &s) {
  std::error_code ec;
  fs::create_directories(kLinksDir, ec);
  std::string tmp = state_path(s.name) + ".tmp." + std::to_string(getpid());
  {
    std::ofstream out(tmp);
    out << to_json(s).dump(2) << "\n";
    if (!out) return fail("Failed to write " + tmp, "is /run writable? ccbench must run as root");
  }
  if (::rename(tmp.c_str(), state_path(s.name).c_str()) < 0)
    return fail_errno("Failed to write " + state_path(s.name));
  return {};
}

Result<bool> reserve_name(const std::string &name) {
  std::error_code ec;
  fs::create_directories(kLinksDir, ec);
  if (ec) return fail("Failed to create " + std::string(kLinksDir) + ": " + ec.message(), "ccbench link must run as root");
  ccload::UniqueFd fd(::open(state_path(name).c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (!fd) {
    if (errno == EEXIST) return false;
    return fail_errno("Failed to create " + state_path(name));
  }
  LinkState placeholder;
  placeholder.name = name;
  placeholder.pid = getpid();
  std::string text = to_json(placeholder).dump() + "\n";
  if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()))
    return fail_errno("Failed to write " + state_path(name));
  return true;
}

std::vector<LinkState> list_states() {
  std::vector<LinkState> out;
  std::error_code ec;
  for (const auto &e : fs::directory_iterator(kLinksDir, ec)) {
    auto p = e.path();
    if (p.extension() != ".json") continue;
    if (auto s = read_state(p.stem().string())) out.push_back(std::move(*s));
  }
  std::sort(out.begin(), out.end(), [](const auto &a, const auto &b) { return a.name < b.name; });
  return out;
}

void remove_state(const LinkState &s) {
  std::error_code ec;
  // Records in our own directory go with the link; records the user asked for elsewhere stay.
  fs::remove_all(default_record_dir(s.name), ec);
  fs::remove(state_path(s.name), ec);
}

}  // namespace ccbench::link
