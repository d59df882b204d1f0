// Shared by the privileged link tests: bringing links up from CLI-style arguments and measuring
// them with ping and iperf3. Every link is a ccbench::link::Link, so it goes down even when an
// assertion fails.
#pragma once
#include <gtest/gtest.h>
#include <unistd.h>

#include <optional>
#include <string>

#include "iperf.h"
#include "links.h"

namespace linktest {

using namespace ccbench::link;

// Root: tests/support/privileged_env.cpp (linked into the privileged binary) refuses to run any
// test without it.

// Brings a link up or fails the test. Names are unique per test process.
std::optional<Link> up(LinkArgs args);
LinkArgs args(const std::string &rate, const std::string &rtt);

// Minimum RTT in ms over `count` pings from client to server.
std::optional<double> ping_min_rtt_ms(const Link &link, int count, const std::string &interval);

bool namespace_exists(const std::string &name);

}  // namespace linktest
