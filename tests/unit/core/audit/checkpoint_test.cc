#include "core/audit/checkpoint.h"

#include <gtest/gtest.h>

#include "core/audit/base64.h"

namespace moat::core::audit {
namespace {

const std::string kHead = "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8";

TEST(Checkpoint, SignedBytesAreTheDocumentedText) {
  Checkpoint checkpoint;
  checkpoint.seq = 42;
  checkpoint.prev = kHead;
  checkpoint.head = kHead;
  checkpoint.count = 7;
  checkpoint.time = parse_time("2026-08-01T10:00:00.250Z").value();
  EXPECT_EQ(checkpoint_signed_bytes(checkpoint),
            "moat-audit-checkpoint-v1\n"
            "seq=42\n"
            "prev=" +
                kHead +
                "\n"
                "head=" +
                kHead +
                "\n"
                "count=7\n"
                "time=2026-08-01T10:00:00.250Z\n");
}

TEST(Checkpoint, MadeCheckpointsVerifyAndAnyChangeBreaksThem) {
  const auto key = SigningKey::generate().value();
  const Timestamp time = parse_time("2026-08-01T10:00:00.250Z").value();
  const auto made = make_checkpoint(key, 42, time, kHead, 7);
  ASSERT_TRUE(made) << made.error().message;
  EXPECT_EQ(made->seq, 42U);
  EXPECT_EQ(made->prev, kHead);
  EXPECT_EQ(made->head, kHead);
  EXPECT_EQ(made->count, 7U);
  EXPECT_EQ(made->sig.size(), 88U);
  EXPECT_TRUE(checkpoint_signature_ok(*made, key.verify_key()));

  auto changed = *made;
  changed.seq = 43;
  EXPECT_FALSE(checkpoint_signature_ok(changed, key.verify_key()));
  changed = *made;
  changed.count = 6;
  EXPECT_FALSE(checkpoint_signature_ok(changed, key.verify_key()));
  changed = *made;
  changed.time += std::chrono::milliseconds(1);
  EXPECT_FALSE(checkpoint_signature_ok(changed, key.verify_key()));
  changed = *made;
  changed.head[0] = '6';
  EXPECT_FALSE(checkpoint_signature_ok(changed, key.verify_key()));
  changed = *made;
  changed.prev[0] = '6';
  EXPECT_FALSE(checkpoint_signature_ok(changed, key.verify_key()));
  changed = *made;
  changed.sig = "not base64";
  EXPECT_FALSE(checkpoint_signature_ok(changed, key.verify_key()));
  EXPECT_FALSE(checkpoint_signature_ok(*made, SigningKey::generate().value().verify_key()));
}

TEST(Checkpoint, TheSignatureIsEd25519OverTheSignedBytes) {
  const auto key = SigningKey::generate().value();
  const auto made = make_checkpoint(key, 1, Timestamp{}, kHead, 1).value();
  const auto raw = base64_decode(made.sig);
  ASSERT_TRUE(raw);
  EXPECT_TRUE(key.verify_key().verify(checkpoint_signed_bytes(made), *raw));
}

}  // namespace
}  // namespace moat::core::audit
