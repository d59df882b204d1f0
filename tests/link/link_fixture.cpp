#include "link_fixture.h"

#include <atomic>
#include <cstdio>
#include <filesystem>

#include "process.h"

namespace linktest {

LinkArgs args(const std::string &rate, const std::string &rtt) {
  static std::atomic<int> counter{0};
  LinkArgs a;
  a.name = "t" + std::to_string(getpid() % 100000) + "-" + std::to_string(counter++);
  a.rate = rate;
  a.rtt = rtt;
  return a;
}

std::optional<Link> up(LinkArgs a) {
  auto spec = resolve(a);
  if (!spec) {
    ADD_FAILURE() << spec.error().message;
    return std::nullopt;
  }
  auto link = Link::up(*spec);
  if (!link) {
    ADD_FAILURE() << link.error().message << " " << link.error().hint;
    return std::nullopt;
  }
  return std::move(*link);
}

std::optional<double> ping_min_rtt_ms(const Link &link, int count, const std::string &interval) {
  auto r = ccload::run(link.in_client({"ping", "-q", "-n", "-c", std::to_string(count), "-i", interval, "-W", "2",
                                       kServerAddress}));
  if (!r || !r->ok()) return std::nullopt;
  auto at = r->out.find("min/avg/max");
  if (at == std::string::npos) return std::nullopt;
  double mn = 0;
  if (std::sscanf(r->out.c_str() + r->out.find('=', at) + 1, " %lf", &mn) != 1) return std::nullopt;
  return mn;
}

bool namespace_exists(const std::string &name) {
  return !name.empty() && std::filesystem::exists("/run/netns/" + name);
}

}  // namespace linktest
