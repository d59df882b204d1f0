// The generated skeletons open without privileges and expose the maps, programs and tunable
// defaults each CC promises in its top comment.
#include <gtest/gtest.h>

#include "bpf_cubic.skel.h"
#include "bpf_dctcp.skel.h"
#include "bpf_qdelay.skel.h"
#include "bpf_reno_template.skel.h"

namespace {

template <class Skel>
struct SkelDeleter {
  void (*destroy)(Skel *);
  void operator()(Skel *s) const { destroy(s); }
};

TEST(Skeletons, BpfCubic) {
  std::unique_ptr<bpf_cubic, SkelDeleter<bpf_cubic>> s(bpf_cubic__open(), {bpf_cubic__destroy});
  ASSERT_TRUE(s);
  EXPECT_EQ(bpf_map__type(s->maps.bpf_cubic), BPF_MAP_TYPE_STRUCT_OPS);
  for (auto *p : {s->progs.cubic_init, s->progs.cubic_ssthresh, s->progs.cubic_cong_avoid, s->progs.cubic_state,
                  s->progs.cubic_undo_cwnd, s->progs.cubic_cwnd_event, s->progs.cubic_acked})
    EXPECT_EQ(bpf_program__type(p), BPF_PROG_TYPE_STRUCT_OPS) << bpf_program__name(p);
  EXPECT_EQ(s->data_tunables->beta, 717);
  EXPECT_EQ(s->data_tunables->bic_scale, 41);
  EXPECT_EQ(s->data_tunables->fast_convergence, 1);
  EXPECT_EQ(s->data_tunables->tcp_friendliness, 1);
  EXPECT_EQ(s->data_tunables->hystart, 1);
  EXPECT_EQ(s->data_tunables->hystart_detect, 3);
  EXPECT_EQ(s->data_tunables->hystart_low_window, 16);
  EXPECT_EQ(s->data_tunables->hystart_ack_delta_us, 2000);
}

TEST(Skeletons, BpfDctcp) {
  std::unique_ptr<bpf_dctcp, SkelDeleter<bpf_dctcp>> s(bpf_dctcp__open(), {bpf_dctcp__destroy});
  ASSERT_TRUE(s);
  EXPECT_EQ(bpf_map__type(s->maps.bpf_dctcp), BPF_MAP_TYPE_STRUCT_OPS);
  for (auto *p : {s->progs.dctcp_init, s->progs.dctcp_ssthresh, s->progs.dctcp_update_alpha, s->progs.dctcp_state,
                  s->progs.dctcp_cwnd_event, s->progs.dctcp_cwnd_undo, s->progs.dctcp_cong_avoid})
    EXPECT_EQ(bpf_program__type(p), BPF_PROG_TYPE_STRUCT_OPS) << bpf_program__name(p);
  EXPECT_EQ(s->data_tunables->shift_g, 4u);  // g = 1/16
  EXPECT_EQ(s->data_tunables->alpha_on_init, 1024u);
  EXPECT_STREQ(s->data_tunables->fallback_cc, "reno");
}

TEST(Skeletons, BpfQdelay) {
  std::unique_ptr<bpf_qdelay, SkelDeleter<bpf_qdelay>> s(bpf_qdelay__open(), {bpf_qdelay__destroy});
  ASSERT_TRUE(s);
  EXPECT_EQ(bpf_map__type(s->maps.bpf_qdelay), BPF_MAP_TYPE_STRUCT_OPS);
  for (auto *p : {s->progs.qdelay_init, s->progs.qdelay_acked, s->progs.qdelay_cong_avoid, s->progs.qdelay_ssthresh,
                  s->progs.qdelay_undo_cwnd})
    EXPECT_EQ(bpf_program__type(p), BPF_PROG_TYPE_STRUCT_OPS) << bpf_program__name(p);
  EXPECT_EQ(s->data_tunables->target_delay_us, 5000u);
  EXPECT_EQ(s->data_tunables->min_cwnd, 2u);
}

TEST(Skeletons, BpfRenoTemplate) {
  std::unique_ptr<bpf_reno_template, SkelDeleter<bpf_reno_template>> s(bpf_reno_template__open(),
                                                                      {bpf_reno_template__destroy});
  ASSERT_TRUE(s);
  EXPECT_EQ(bpf_map__type(s->maps.bpf_reno_tmpl), BPF_MAP_TYPE_STRUCT_OPS);
  EXPECT_EQ(bpf_program__type(s->progs.reno_tmpl_ssthresh), BPF_PROG_TYPE_STRUCT_OPS);
}

}  // namespace
