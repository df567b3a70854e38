#include "moatd/guard.h"

#include <pwd.h>
#include <sys/stat.h>

#include <iostream>

#include "core/engine/container_record.h"
#include "core/engine/engine_config.h"
#include "core/engine/rootfs_view.h"
#include "core/net/unix_http_client.h"
#include "core/policy/archive_upload.h"
#include "core/policy/build.h"
#include "core/policy/container_creator.h"
#include "core/policy/endpoints.h"
#include "core/policy/policy.h"
#include "core/policy/protected_paths.h"
#include "core/policy/registries.h"
#include "moatd/audit_summary.h"
#include "moatd/http/request_target.h"
#include "moatd/local_port_binding.h"
#include "moatd/owner_label.h"
#include "moatd/request_body.h"

namespace moat::moatd {
namespace {

namespace policy = core::policy;

std::string home_directory(uid_t uid) {
  struct passwd pw {};
  struct passwd* found = nullptr;
  std::string buffer(16384, '\0');
  if (::getpwuid_r(uid, &pw, buffer.data(), buffer.size(), &found) != 0 || found == nullptr) return {};
  return found->pw_dir;
}

// What a client may still ask while there is no policy: whether the engine
// is there and what it is, nothing that changes or reveals containers.
bool read_only_status(const http::CanonicalRequest& r) {
  if (r.method != "GET" && r.method != "HEAD") return false;
  return r.segments.size() == 1 && (r.segments[0] == "_ping" || r.segments[0] == "version");
}

core::audit::Record record_for(const PeerCredentials& peer, std::string rule, bool allowed, std::string reason) {
  core::audit::Record record;
  record.caller = core::audit::Caller{peer.uid, static_cast<std::uint32_t>(peer.pid), peer.executable};
  record.rule = std::move(rule);
  record.outcome = allowed ? core::audit::Outcome::kAllow : core::audit::Outcome::kDeny;
  record.reason = std::move(reason);
  return record;
}

// A docker cp archive on its way to the engine (policy::ArchiveUploadCheck);
// a refusal is recorded before the client hears of it.
class ArchiveBodyCheck final : public proxy::BodyCheck {
 public:
  ArchiveBodyCheck(AuditSink& audit, core::audit::Record record) : audit_(audit), record_(std::move(record)) {}

  Result<std::string_view, proxy::Verdict> pass(std::string_view bytes, bool last) override {
    auto passed = check_.feed(bytes, last);
    if (passed) return *passed;
    const policy::Decision& refusal = passed.error();
    record_.rule = refusal.rule;
    record_.outcome = core::audit::Outcome::kDeny;
    record_.reason = refusal.message();
    audit_.queue(record_);  // refused either way: nobody waits for it
    return unexpected(proxy::Verdict{false, 403, refusal.message()});
  }

 private:
  AuditSink& audit_;
  core::audit::Record record_;
  policy::ArchiveUploadCheck check_;
};

}  // namespace

Guard::Guard(const core::stack::Layout& layout, ControlApi& control, AuditSink& audit)
    : layout_(layout), control_(control), audit_(audit), protected_paths_(policy::protected_paths_for(layout)) {
  refresh();
}

const std::string& Guard::home_of(uid_t uid) {
  auto found = homes_.find(uid);
  if (found == homes_.end()) found = homes_.emplace(uid, home_directory(uid)).first;
  return found->second;
}

void Guard::refresh() {
  homes_.clear();
  // moatctl up installs the engine's runc as moat-runc only when ECI is on.
  struct stat st {};
  eci_active_ = ::stat((layout_.runtime_bin_dir() + "/runc").c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

namespace {

// POST /build, the one archive endpoint whose body the policy may read.
bool is_build(const http::CanonicalRequest& head) {
  return head.method == "POST" && head.segments.size() == 1 && head.segments[0] == "build";
}

// The container whose files the engine reads or writes for this request:
// docker cp (archive), diff (changes), export and commit.
std::optional<std::string> container_files_used(const http::CanonicalRequest& r) {
  if (r.segments.size() == 3 && r.segments[0] == "containers" &&
      (r.segments[2] == "changes" || r.segments[2] == "export")) {
    return r.segments[1];
  }
  if (policy::is_archive_copy(r.method, r.segments)) return r.segments[1];
  if (r.method == "POST" && r.segments.size() == 1 && r.segments[0] == "commit") {
    for (const auto& q : r.query) {
      if (q.key == "container") return q.value;
    }
  }
  return std::nullopt;
}

}  // namespace

bool Guard::reads_build_context(const http::CanonicalRequest& head) const {
  if (!is_build(head)) return false;
  // Without settings every request is refused; nothing needs reading.
  if (control_.settings().without_policy) return false;
  const auto effective = control_.effective();
  const policy::PolicyContext context{*effective, {}, {}, false, nullptr};
  return policy::build_context_must_be_read(context);
}

bool Guard::streams_body(const http::CanonicalRequest& head) const {
  return policy::body_kind(head.method, head.segments) == policy::BodyKind::kStream && !reads_build_context(head);
}

// docker cp, either way: the container is found in the engine's records, judged by the
// host directories it shows, and named by its full id in what goes to the
// engine, so the engine writes into the very container judged.
policy::Decision Guard::judge_archive_target(http::CanonicalRequest& request, const PeerCredentials& peer) {
  const std::string name = request.segments[1];
  const std::string data_root = layout_.engine_data_root();
  auto found = core::engine::find_container(data_root, name);
  Result<std::vector<core::engine::HostMount>> mounts = std::vector<core::engine::HostMount>();
  if (!found) {
    mounts = unexpected(found.error());
  } else if (*found) {
    mounts = core::engine::host_mounts_of(data_root, **found);
  }
  const auto owner_of = [](const std::string& path) -> std::optional<uid_t> {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return std::nullopt;
    return st.st_uid;
  };
  const bool copies_in = policy::is_archive_upload(request.method, request.segments);
  policy::Decision decision = policy::judge_archive_target(name, copies_in, mounts, peer.uid, owner_of);
  // Unknown to the engine: it answers "No such container" itself.
  if (decision.allowed && found && *found) request.segments[1] = (*found)->id;
  return decision;
}

namespace {

// Whom a container's owner label names, if anyone, as found in the engine's
// record of it; also the record, to name the container by its id.
struct CreatorLookup {
  Result<std::optional<core::engine::ContainerRecord>> found;
  Result<std::optional<core::trust::ContainerOwner>> creator = std::optional<core::trust::ContainerOwner>();
};

CreatorLookup look_up_creator(const std::string& data_root, const std::string& container) {
  CreatorLookup lookup{core::engine::find_container(data_root, container)};
  if (!lookup.found) {
    lookup.creator = unexpected(lookup.found.error());
  } else if (*lookup.found) {
    // Whom the label names, whether its seal checks or not: a container
    // started while it did still writes as them. moatd labels every create
    // with its caller, so no developer can name another on a container.
    if (const auto label = core::trust::owner_label_in((*lookup.found)->labels)) {
      if (auto named = core::trust::parse_owner_label(*label)) lookup.creator = std::optional(named->first);
    }
  }
  return lookup;
}

}  // namespace

policy::Decision Guard::judge_container_creator(http::CanonicalRequest& request, const PeerCredentials& peer,
                                                policy::ContainerUse use) {
  const std::string name = request.segments[1];
  const CreatorLookup lookup = look_up_creator(layout_.engine_data_root(), name);
  policy::Decision decision = policy::judge_container_creator(name, lookup.creator, peer.uid, use);
  // Unknown to the engine: it answers "No such container" itself.
  if (decision.allowed && lookup.found && *lookup.found) request.segments[1] = (*lookup.found)->id;
  return decision;
}

policy::Decision Guard::judge_commit_source(http::CanonicalRequest& request, const std::string& container,
                                            const PeerCredentials& peer) {
  const CreatorLookup lookup = look_up_creator(layout_.engine_data_root(), container);
  policy::Decision decision =
      policy::judge_container_creator(container, lookup.creator, peer.uid, policy::ContainerUse::kRead);
  if (!decision.allowed || !lookup.found || !*lookup.found) return decision;
  // The container judged is the one committed, whatever is renamed meanwhile.
  for (auto& q : request.query) {
    if (q.key == "container") {
      q.value = (*lookup.found)->id;
      break;
    }
  }
  return decision;
}

policy::Decision Guard::judge_exec_starter(const http::CanonicalRequest& request, const PeerCredentials& peer) {
  // Root may start any (policy::judge_container_creator): no need to ask.
  if (peer.uid == 0) return policy::Decision::allow("container.other-developer");
  const std::string& exec = request.segments[1];
  // A blocking call, like the reads of the engine's container records: one
  // per `docker exec`, answered from the engine's memory.
  const auto answer = core::net::unix_http_request(
      layout_.engine_socket(), "GET", http::format_path(request.api_version, {"exec", exec, "json"}), {},
      std::chrono::seconds(2));
  if (answer && answer->status == 404) return policy::Decision::allow("container.other-developer");
  std::string container;
  std::string problem;
  if (!answer) {
    problem = answer.error().message;
  } else if (answer->status != 200) {
    problem = "the engine answered " + std::to_string(answer->status) + " when asked for exec " + exec;
  } else {
    const auto inspected = nlohmann::json::parse(answer->body, nullptr, false);
    if (inspected.is_object() && inspected.contains("ContainerID") && inspected["ContainerID"].is_string()) {
      container = inspected["ContainerID"].get<std::string>();
    }
    if (container.empty()) problem = "the engine did not say which container exec " + exec + " is in";
  }
  if (!problem.empty()) return policy::judge_exec_of_unknown_container(exec, problem, peer.uid);
  return policy::judge_container_creator(container, look_up_creator(layout_.engine_data_root(), container).creator,
                                         peer.uid);
}

policy::Decision Guard::show_engine_current_files(const std::string& container) {
  const std::string data_root = layout_.engine_data_root();
  std::string problem;
  auto found = core::engine::find_container(data_root, container);
  if (!found) {
    problem = found.error().message;
  } else if (!*found) {
    return policy::Decision::allow("container.engine-view");  // the engine answers "No such container" itself
  } else if (auto point = core::engine::rootfs_mount_point(data_root, (*found)->id); !point) {
    problem = point.error().message;
  } else if (!*point) {
    return policy::Decision::allow("container.engine-view");
  } else if (auto remounted = core::engine::remount_overlay_fresh(**point); !remounted) {
    problem = remounted.error().message;
  } else {
    return policy::Decision::allow("container.engine-view");
  }
  std::cerr << "moatd: the engine's view of container " << container << ": " << problem << "\n";
  return policy::Decision::deny(
      "container.engine-view", "",
      "Moat could not mount container " + container + "'s files afresh for the engine (" + problem +
          "), and the engine's older mount may not show what the container changed",
      "Try again; if this persists, an admin should read moatd's log.");
}

std::unique_ptr<proxy::BodyCheck> Guard::check_body(const http::CanonicalRequest& head, const PeerCredentials& peer) {
  if (!policy::is_archive_upload(head.method, head.segments)) return nullptr;
  auto record = record_for(peer, "", false, "");
  record.container = audited_container(head);
  record.request = audit_summary(head);
  return std::make_unique<ArchiveBodyCheck>(audit_, std::move(record));
}

std::optional<http::ParserOptions::BodyLimit> Guard::buffered_body_limit(const http::CanonicalRequest& head) const {
  if (!reads_build_context(head)) return std::nullopt;
  return http::ParserOptions::BodyLimit{
      policy::kMaxReadBuildContextBytes,
      "while moat.registryAccess is on, Moat reads the build context to check the Dockerfile and takes at most " +
          std::to_string(policy::kMaxReadBuildContextBytes >> 20) +
          " MiB; leave files out of the context with a .dockerignore"};
}

Guard::Judgement Guard::decide(http::CanonicalRequest& request, const PeerCredentials& peer) {
  if (const auto& settings = control_.settings(); settings.without_policy) {
    if (read_only_status(request)) return {{true, 0, ""}, "policy.none-status", ""};
    return {{false, 503,
             "Moat refused this request: its settings cannot be loaded, so there is no policy to judge it by (" +
                 (settings.problems.empty() ? std::string("no reason given") : settings.problems.front()) +
                 "). An admin must fix " + settings.admin_path + "; `moatctl settings validate` shows every problem"},
            "policy.none", ""};
  }
  auto body = canonicalize_request_body(request);
  if (!body) return {{false, 400, body.error().message}, body.error().rule, ""};

  // A build context buffered for its Dockerfile (reads_build_context); no
  // endpoint-table lookup here, this runs for every request.
  std::optional<std::string_view> archive;
  if (!request.body_streamed && is_build(request)) archive = request.body;
  policy::ApiRequest api_request{request.method, request.segments, {}, std::move(*body), archive};
  api_request.query.reserve(request.query.size());
  for (const auto& q : request.query) api_request.query.emplace_back(q.key, q.value);

  const auto effective = control_.effective();
  const policy::PolicyContext context{
      *effective, {peer.uid, peer.gid, peer.pid, peer.executable, home_of(peer.uid)}, protected_paths_,
      eci_active_, nullptr};
  policy::Decision decision = policy::decide(api_request, context);
  // Whose container it is first, so a refusal names it as the developer did.
  if (decision.allowed && policy::reads_container(request.method, request.segments)) {
    decision = judge_container_creator(request, peer, policy::ContainerUse::kRead);
  }
  if (decision.allowed && policy::is_archive_copy(request.method, request.segments)) {
    decision = judge_archive_target(request, peer);
  }
  if (decision.allowed && policy::acts_in_container(request.method, request.segments)) {
    decision = judge_container_creator(request, peer, policy::ContainerUse::kActIn);
  }
  if (decision.allowed) {
    if (const auto source = policy::commit_source(request.method, request.segments, api_request.query)) {
      decision = judge_commit_source(request, *source, peer);
    }
  }
  if (decision.allowed && policy::starts_exec(request.method, request.segments)) {
    decision = judge_exec_starter(request, peer);
  }
  int refusal_status = 403;
  if (decision.rule == policy::kInternalErrorRule) {
    refusal_status = 500;  // a policy that failed to judge is Moat's failure, not the admin's rule
  } else if (decision.answered_as_not_found) {
    refusal_status = 404;
  }
  if (decision.allowed) {
    if (const auto container = container_files_used(request)) {
      if (auto shown = show_engine_current_files(*container); !shown.allowed) {
        decision = std::move(shown);
        refusal_status = 503;  // Moat's own failure, not the policy's: worth trying again
      }
    }
  }
  // Written from the document just judged: reading the forwarded text back
  // would parse the body a second time.
  std::string summary;
  if (audit_.on() && api_request.body) summary = audit_summary(request, *api_request.body);
  // What moatd itself sets in the body it forwards (and then writes again).
  bool rewritten = false;
  if (decision.allowed && api_request.body && creates_container(request)) {
    const bool as_developer = effective->value("moat.bindMountsWriteAs") == "developer";
    if (auto labelled = set_owner_label(*api_request.body, peer, as_developer ? &owner_seals_ : nullptr); !labelled) {
      std::cerr << "moatd: " << labelled.error().message
                << "; this container writes host bind mounts as its own ids, not as its developer\n";
    }
    if (core::engine::binds_ports_locally(*effective)) bind_unaddressed_ports(*api_request.body);
    rewritten = true;
  } else if (decision.allowed && api_request.body && creates_network(request) &&
             core::engine::binds_ports_locally(*effective)) {
    bind_network_ports_locally(*api_request.body);
    rewritten = true;
  }
  if (rewritten) {
    if (auto written = write_canonical_body(request, *api_request.body); !written) {
      return {{false, 400, written.error().message}, written.error().rule, std::move(summary)};
    }
  }
  return {{decision.allowed, refusal_status, decision.allowed ? std::string() : decision.message()}, decision.rule,
          std::move(summary)};
}

void Guard::judge_egress(const egress::Target& target, const std::string& peer,
                         std::function<void(egress::EgressVerdict)> act) {
  egress::EgressVerdict verdict;
  std::string rule = "policy.none";
  std::string reason;
  if (const auto& settings = control_.settings(); settings.without_policy) {
    reason = "Moat refused this connection: its settings cannot be loaded, so there is no policy to judge it by";
  } else {
    const auto effective = control_.effective();
    const policy::PolicyContext context{*effective, {}, protected_paths_, eci_active_, nullptr};
    const policy::Decision decision =
        policy::judge_egress(target.host, target.port, target.default_port(), context);
    rule = decision.rule;
    verdict.allowed = decision.allowed;
    reason = decision.allowed ? std::string() : decision.message();
    if (verdict.allowed) {
      if (const auto proxy = core::engine::manual_proxy(*effective)) {
        const std::string& url = target.tunnel ? proxy->https : proxy->http;
        if (!url.empty()) {
          // Only a plain http:// proxy can be chained; anything else would be guessed.
          const auto hop = egress::parse_absolute_http_target(url);
          if (hop) {
            verdict.via = egress::Hop{hop->target.host, hop->target.port};
          } else {
            verdict.allowed = false;
            rule = "egress.proxy-unusable";
            reason = "Moat refused this connection: the admin's proxy " + url +
                     " is not an http:// proxy, the only kind its egress filter can chain to";
          }
        }
      }
    }
  }
  verdict.message = reason;
  core::audit::Record record;
  record.component = core::audit::Component::kMoatd;
  record.request = std::string("egress ") + (target.tunnel ? "CONNECT " : "HTTP ") + target.authority() + " from " + peer;
  record.rule = rule;
  record.outcome = verdict.allowed ? core::audit::Outcome::kAllow : core::audit::Outcome::kDeny;
  record.reason = reason;
  audit_.queue(std::move(record));
  audit_.after_queued([verdict = std::move(verdict), act = std::move(act)](bool go_ahead) mutable {
    if (!go_ahead) verdict = egress::EgressVerdict{false, kAuditUnwritableMessage, std::nullopt};
    act(std::move(verdict));
  });
}

void Guard::record_malformed(const std::string& message, const PeerCredentials& peer) {
  auto record = record_for(peer, "request.malformed-http", false, message);
  record.request = "(malformed HTTP request)";
  audit_.queue(std::move(record));  // refused either way: nobody waits for it
}

proxy::Verdict Guard::judge(http::CanonicalRequest& request, const PeerCredentials& peer) {
  Judgement judgement;
  try {
    judgement = decide(request, peer);
  } catch (const std::exception& e) {
    // Refused and recorded like any decision, so the log shows it; the
    // summary is the bare request line, since building the full one may be
    // what failed.
    std::string line = request.method + " " + request.path();
    std::cerr << "moatd: judging " << line << ": " << e.what() << "\n";
    judgement.verdict = proxy::unjudged_verdict(e.what());
    judgement.rule = "moat.internal-error";
    judgement.summary = std::move(line);
  }
  auto record = record_for(peer, judgement.rule, judgement.verdict.allowed, judgement.verdict.message);
  // A refusal because Moat itself failed (no policy loaded, the engine's
  // view not mounted) is Moat's error, not the policy's denial, so an admin
  // finds it with `moatctl audit query --outcome error`.
  if (!judgement.verdict.allowed && judgement.verdict.status >= 500) record.outcome = core::audit::Outcome::kError;
  record.container = audited_container(request);
  if (audit_.on()) record.request = judgement.summary.empty() ? audit_summary(request) : std::move(judgement.summary);
  judgement.verdict.only_answer_waits =
      judgement.verdict.allowed && policy::only_reads_engine_state(request.method, judgement.rule);
  // Written with the next batch at the latest: await_record hurries it
  // unless only the answer waits.
  audit_.queue(std::move(record), AuditSink::Write::kAtLeisure);
  return judgement.verdict;
}

void Guard::await_record(bool only_answer_waits, std::function<void(bool recorded)> then) {
  audit_.after_queued(std::move(then), only_answer_waits ? AuditSink::Write::kAtLeisure : AuditSink::Write::kSoon);
}

// At once, not once the ready connections are served: a posted write cost
// each answer that found its record unwritten one more event-loop turn and
// its epoll_wait (about 1 us of syscall on this VM), and the queue it writes
// holds the records of every read forwarded since the last write anyway
// (bench/README.md).
void Guard::hurry_records() { audit_.flush(); }

}  // namespace moat::moatd
