#include "records.h"

#include <gtest/gtest.h>

#include <cstdio>

using namespace ccbench::link;

TEST(Records, RoundTripAndSummary) {
  std::string path = testing::TempDir() + "/records_test.bin";
  {
    auto w = RecordWriter::create(path);
    ASSERT_TRUE(w) << w.error().message;
    for (uint64_t i = 0; i < 100; ++i)
      w->add({i * 1'000'000, i * 1'000'000 + (i + 1) * 100'000, 1514, static_cast<uint32_t>(LR_ECT) | (i >= 90 ? static_cast<uint32_t>(LR_CE) : 0u)});
    w->add({200'000'000, 0, 1514, LR_DROP_LOSS});
    w->add({201'000'000, 0, 1514, LR_DROP_OVERFLOW});
  }
  auto r = read_records(path);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->size(), 102u);
  auto s = summarize(*r);
  EXPECT_EQ(s.packets, 102u);
  EXPECT_EQ(s.forwarded, 100u);
  EXPECT_EQ(s.drops_loss, 1u);
  EXPECT_EQ(s.drops_overflow, 1u);
  EXPECT_EQ(s.marks, 10u);
  EXPECT_NEAR(s.qdelay_ms_p50, 5.0, 0.11);
  EXPECT_NEAR(s.qdelay_ms_max, 10.0, 1e-9);
  std::remove(path.c_str());
}

TEST(Records, RejectsOtherFiles) {
  std::string path = testing::TempDir() + "/not_records.bin";
  FILE *f = std::fopen(path.c_str(), "w");
  std::fputs("hello world, not records", f);
  std::fclose(f);
  EXPECT_FALSE(read_records(path));
  std::remove(path.c_str());
}
