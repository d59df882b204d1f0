// Every way `ccload register` can fail: each must say what went wrong (and what to do) and leave
// nothing behind: no pin, no state file, no registered CC, no struct_ops map.
#include <gtest/gtest.h>

#include <bpf/bpf.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "ccload_cli.h"
#include "eventually.h"
#include "kernel_ccs.h"
#include "test_ccs.h"
#include "unique_fd.h"

namespace ccload::test {
namespace {

namespace fs = std::filesystem;

std::string object_path(const char *name) {
  const char *dir = std::getenv("CCLOAD_BPF_DIR");
  return std::string(dir ? dir : "cc") + "/" + name;
}

int struct_ops_map_count() {
  int n = 0;
  for (uint32_t id = 0; bpf_map_get_next_id(id, &id) == 0;) {
    UniqueFd fd(bpf_map_get_fd_by_id(id));
    bpf_map_info info{};
    uint32_t len = sizeof(info);
    if (fd && bpf_map_get_info_by_fd(fd.get(), &info, &len) == 0 && info.type == BPF_MAP_TYPE_STRUCT_OPS) ++n;
  }
  return n;
}

class RegisterErrors : public testing::Test {
 protected:
  void SetUp() override {
    pins_before_ = pins();
    maps_before_ = struct_ops_map_count();
  }

  // Nothing of a failed registration may remain. Maps are freed after an RCU grace period, so
  // their count is polled with a deadline.
  void ExpectNothingLeft(const std::string &name) {
    EXPECT_FALSE(is_available(name)) << name << " is registered";
    EXPECT_EQ(pins(), pins_before_);
    EXPECT_FALSE(fs::exists("/run/ccload/" + name + ".json"));
    EXPECT_TRUE(eventually([&] { return struct_ops_map_count() <= maps_before_; }))
        << "a struct_ops map outlived the failed command";
  }

  static std::vector<std::string> pins() {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto &e : fs::recursive_directory_iterator("/sys/fs/bpf/ccload", ec)) out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
  }

  // Runs a failing register and returns its error message.
  std::string FailingRegister(const std::vector<std::string> &args) {
    std::vector<std::string> full{"register"};
    full.insert(full.end(), args.begin(), args.end());
    auto r = ccload(full);
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    return r.error_message();
  }

  std::vector<std::string> pins_before_;
  int maps_before_ = 0;
  fs::path scratch_ = fs::temp_directory_path() / ("ccload-test-" + std::to_string(getpid()));
};

TEST_F(RegisterErrors, NotAnElfFile) {
  fs::create_directories(scratch_);
  auto path = scratch_ / "notes.o";
  std::ofstream(path) << "this is not an object file\n";
  EXPECT_NE(FailingRegister({path}).find("is not an ELF file"), std::string::npos);
  fs::remove_all(scratch_);
  ExpectNothingLeft("bpf_cubic");
}

TEST_F(RegisterErrors, TruncatedObject) {
  fs::create_directories(scratch_);
  auto path = scratch_ / "truncated.o";
  {
    std::ifstream in(object_path("bpf_cubic.bpf.o"), std::ios::binary);
    ASSERT_TRUE(in) << "missing " << object_path("bpf_cubic.bpf.o");
    std::string head(512, '\0');
    in.read(head.data(), head.size());
    std::ofstream(path, std::ios::binary) << head;
  }
  std::string msg = FailingRegister({path});
  EXPECT_NE(msg.find("Failed to open BPF object"), std::string::npos) << msg;
  fs::remove_all(scratch_);
  ExpectNothingLeft("bpf_cubic");
}

TEST_F(RegisterErrors, ObjectWithoutCongestionControl) {
  std::string msg = FailingRegister({object_path("test_no_cc.bpf.o")});
  EXPECT_NE(msg.find("holds no struct tcp_congestion_ops"), std::string::npos) << msg;
}

TEST_F(RegisterErrors, NameLongerThan15Characters) {
  std::string msg = FailingRegister({"bpf_cubic", "--name", "a_name_of_16_chr"});
  EXPECT_NE(msg.find("at most 15"), std::string::npos) << msg;
  ExpectNothingLeft("a_name_of_16_chr");
}

TEST_F(RegisterErrors, NameOfANativeCc) {
  std::string msg = FailingRegister({"bpf_cubic", "--name", "reno"});
  EXPECT_NE(msg.find("native congestion control"), std::string::npos) << msg;
  EXPECT_EQ(pins(), pins_before_);
}

TEST_F(RegisterErrors, AlreadyRegistered) {
  ScopedCc first("bpf_cubic", "dup");
  ASSERT_TRUE(first.ok()) << first.error();
  auto pins_with_first = pins();
  int maps_with_first = struct_ops_map_count();
  auto r = ccload({"register", "bpf_qdelay", "--name", first.name()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.error_message().find("already registered"), std::string::npos) << r.out;
  EXPECT_NE(r.json["error"]["hint"].get<std::string>().find("ccload unregister " + first.name()), std::string::npos);
  EXPECT_EQ(pins(), pins_with_first);
  EXPECT_EQ(struct_ops_map_count(), maps_with_first);
  // The first registration is untouched.
  EXPECT_EQ(ccload({"show", first.name()}).json["source"], "builtin:bpf_cubic");
}

TEST_F(RegisterErrors, NonGplLicense) {
  std::string msg = FailingRegister({object_path("test_non_gpl_cc.bpf.o")});
  EXPECT_NE(msg.find("not GPL-compatible"), std::string::npos) << msg;
  ExpectNothingLeft("test_non_gpl");
}

TEST_F(RegisterErrors, VerifierRejectionShowsTheEndOfItsLog) {
  std::string msg = FailingRegister({object_path("test_rejected_cc.bpf.o")});
  EXPECT_NE(msg.find("the verifier rejected a program"), std::string::npos) << msg;
  EXPECT_NE(msg.find("no write support to tcp_sock"), std::string::npos) << msg;
  ExpectNothingLeft("test_rejected");
}

TEST_F(RegisterErrors, WithoutPrivileges) {
  auto r = run_command({"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all",
                        ccload_binary(), "--json", "register", "bpf_cubic", "--name", test_cc_name("nopriv")});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.error_message().find("needs CAP_BPF and CAP_NET_ADMIN"), std::string::npos) << r.out;
  ExpectNothingLeft(test_cc_name("nopriv"));
}

TEST_F(RegisterErrors, BpffsCannotBeMounted) {
  // In a private mount namespace, hide bpffs under a tmpfs and drop CAP_SYS_ADMIN (needed to
  // mount) while keeping CAP_BPF and CAP_NET_ADMIN (enough to register).
  std::string script =
      "mount -t tmpfs none /sys/fs/bpf && exec setpriv --inh-caps=-sys_admin --bounding-set=-sys_admin " +
      ccload_binary() + " --json register bpf_cubic --name " + test_cc_name("nofs");
  auto r = run_command({"unshare", "--mount", "--propagation", "private", "sh", "-c", script});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.error_message().find("Failed to mount a BPF filesystem"), std::string::npos) << r.out;
  ExpectNothingLeft(test_cc_name("nofs"));
}

TEST_F(RegisterErrors, UnknownBuiltinNameListsTheBuiltins) {
  std::string msg = FailingRegister({"bpf_nosuch"});
  EXPECT_NE(msg.find("neither a built-in"), std::string::npos) << msg;
}

}  // namespace
}  // namespace ccload::test
