#pragma once
// The judge moatd's guarded sessions call for every request: make the JSON
// body canonical against the engine's own schema, ask the policy, write the
// decision to the audit log, and hand back the verdict. The request is
// rewritten in place to its canonical body, so the engine receives exactly
// what was judged.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/policy/container_creator.h"
#include "core/policy/decision.h"
#include "core/policy/policy_context.h"
#include "core/stack/layout.h"
#include "core/trust/owner_seal.h"
#include "moatd/audit_sink.h"
#include "moatd/control_api.h"
#include "moatd/egress/egress_filter.h"
#include "moatd/http/canonical_request.h"
#include "moatd/http/request_parser.h"
#include "moatd/peer_credentials.h"
#include "moatd/proxy/session_options.h"

namespace moat::moatd {

class Guard {
 public:
  Guard(const core::stack::Layout& layout, ControlApi& control, AuditSink& audit);

  // Queues the decision's record; the verdict takes effect through
  // await_record, which the session calls right after.
  proxy::Verdict judge(http::CanonicalRequest& request, const PeerCredentials& peer);
  // Calls `then` once the record judge() queued last is written: with true,
  // or with false when it could not be written and
  // moat.audit.onWriteFailure is "refuse" (SessionOptions::AwaitRecord).
  void await_record(bool only_answer_waits, std::function<void(bool recorded)> then);
  // Writes the queued records now (SessionOptions::hurry_records).
  void hurry_records();
  // A request the parser refused: recorded, since no judge saw it.
  void record_malformed(const std::string& message, const PeerCredentials& peer);
  // Archives (image load and import, build contexts, archive uploads) are
  // judged on their head and streamed to the engine unread, except a build
  // context while moat.registryAccess is on: its Dockerfile is read.
  bool streams_body(const http::CanonicalRequest& head) const;
  // The check an allowed streamed body passes on its way to the engine:
  // the archive of PUT /containers/{id}/archive (policy/archive_upload.h),
  // whose refusal is recorded like any other decision. Null for the rest.
  std::unique_ptr<proxy::BodyCheck> check_body(const http::CanonicalRequest& head, const PeerCredentials& peer);
  // The limit of a build context that is read, and what a 413 for it says.
  std::optional<http::ParserOptions::BodyLimit> buffered_body_limit(const http::CanonicalRequest& head) const;

  // The egress filter's judge: moat.registryAccess decides on the host and
  // port (policy/registries.h), the decision is recorded like any other, and
  // the admin's proxy, when set, is where an allowed connection goes.
  void judge_egress(const egress::Target& target, const std::string& peer,
                    std::function<void(egress::EgressVerdict)> act);

  // Re-reads what may change under a running moatd, at each settings
  // reload: whether the engine runs containers through moat-runc (the
  // policy lets --privileged through only then), and callers' home
  // directories.
  void refresh();
  bool eci_active() const { return eci_active_; }

 private:
  struct Judgement {
    proxy::Verdict verdict;
    std::string rule;
    std::string summary;  // what the audit record shows of the request; empty: taken from its text
  };
  Judgement decide(http::CanonicalRequest& request, const PeerCredentials& peer);
  // The caller's home directory ($HOME in filesharingAllowedDirectories),
  // looked up once per uid until the next settings reload.
  const std::string& home_of(uid_t uid);
  // PUT, GET and HEAD /containers/{id}/archive: what the copy could reach
  // (policy::judge_archive_target); names the container by its id.
  core::policy::Decision judge_archive_target(http::CanonicalRequest& request, const PeerCredentials& peer);
  // docker exec and attach, and reads of a container (inspect, logs, top,
  // diff, cp out, export): judged by whom the container's owner label names
  // (policy::judge_container_creator); names the container by its id.
  core::policy::Decision judge_container_creator(http::CanonicalRequest& request, const PeerCredentials& peer,
                                                 core::policy::ContainerUse use);
  // POST /commit: judged the same way by the container it makes an image
  // of; names that container by its id in the query.
  core::policy::Decision judge_commit_source(http::CanonicalRequest& request, const std::string& container,
                                             const PeerCredentials& peer);
  // POST /exec/{id}/start: judged the same way by the exec's container,
  // which moatd asks the engine for (it keeps execs in memory only).
  core::policy::Decision judge_exec_starter(const http::CanonicalRequest& request, const PeerCredentials& peer);
  // docker cp, diff, export and commit: the engine's own mount of the
  // container is mounted again first (engine/rootfs_view.h). A refusal when
  // that fails: the engine would act on files the container has changed.
  core::policy::Decision show_engine_current_files(const std::string& container);
  // POST /build while its context must be read (policy/build.h).
  bool reads_build_context(const http::CanonicalRequest& head) const;

  core::stack::Layout layout_;
  ControlApi& control_;
  AuditSink& audit_;
  bool eci_active_ = false;
  std::vector<core::policy::ProtectedPath> protected_paths_;
  std::unordered_map<uid_t, std::string> homes_;
  core::trust::OwnerSeals owner_seals_{layout_.owner_seals_dir()};  // moatd/owner_label.h
};

}  // namespace moat::moatd
