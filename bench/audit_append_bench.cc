// audit_append_bench: how many records/s AuditLog::append writes, with
// checkpoints signed every 1000 records (moatd also waits at least 1 s
// between them, which this leaves out: a worst case), for each
// FsyncPolicy, with rotation at a small size and with moatd's write-behind
// (appends stage, a thread writes; the staging file's 2 MiB bound how far
// the writer may lag, so the rate is one it keeps up with); next to a baseline that
// write(2)s lines of the same length to a file with the same syncing, so the
// ratio shows what the chain, the JSON and the signatures cost on top of the
// disk. Driven by bench/audit_throughput.sh; runs on its own too:
//
//   audit_append_bench [--benchmark_min_time=0.5] [--benchmark_format=json]
//
// The logs go to a fresh directory under $TMPDIR (default /tmp), removed
// afterwards. That should be a real disk: on tmpfs fdatasync costs nothing.

#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <iostream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>

#include "core/audit/audit_log.h"
#include "core/audit/audit_record.h"
#include "core/audit/hash_chain.h"
#include "core/audit/signing_key.h"
#include "core/audit/unique_fd.h"
#include "api_load/scenario.h"
#include "moatd/audit_sink.h"
#include "moatd/audit_summary.h"
#include "moatd/http/canonical_request.h"
#include "moatd/request_body.h"

namespace {

namespace audit = moat::core::audit;

constexpr std::uint64_t kCheckpointEvery = 1000;  // moatd's count (AuditLogOptions default), without its 1 s minimum gap
constexpr std::uint64_t kMoatdRotateBytes = 64ULL << 20;  // moat.audit.rotateMegabytes default
constexpr std::uint64_t kSmallRotateBytes = 1ULL << 20;
constexpr long kTmpfsMagic = 0x01021994;  // TMPFS_MAGIC from <linux/magic.h>

class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "moat-audit-bench-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw std::system_error(errno, std::generic_category(), "mkdtemp " + pattern);
    }
    path_ = pattern;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

const audit::SigningKey& bench_key() {
  static const audit::SigningKey key = [] {
    auto generated = audit::SigningKey::generate();
    if (!generated) throw std::runtime_error(generated.error().message);
    return std::move(*generated);
  }();
  return key;
}

// What moatd writes when it refuses `docker run --privileged -v /:/host`: a
// caller, a container-free create, a request summary of about 400 bytes
// (method, target and the policy-relevant part of the body) and the reason.
audit::Record realistic_record() {
  audit::Record record;
  record.component = audit::Component::kMoatd;
  record.caller = audit::Caller{1000, 48213, "/usr/bin/docker"};
  record.request =
      R"(POST /v1.41/containers/create?name=build-cache-7 {"Cmd":["sh","-c","make test"],)"
      R"("Env":["CI=…","HOME=…"],"HostConfig":{"Binds":["/:/host","/home/dev/src:/src:ro"],)"
      R"("CapAdd":null,"NetworkMode":"default","PidMode":"","Privileged":true,)"
      R"("SecurityOpt":null,"UsernsMode":""},"Image":"registry.example.com/team/builder:1.24",)"
      R"("Labels":{"com.example.ci":"pipeline-4711"},"User":"","WorkingDir":"/src"})";
  record.rule = "containers.privileged";
  record.outcome = audit::Outcome::kDeny;
  record.reason =
      "Moat refused this request: HostConfig.Privileged is true, and rule containers.privileged "
      "allows no privileged containers; run without --privileged";
  return record;
}

std::string_view policy_name(audit::FsyncPolicy policy) {
  switch (policy) {
    case audit::FsyncPolicy::kCheckpoints:
      return "checkpoints";
    case audit::FsyncPolicy::kEveryRecord:
      return "every_record";
    case audit::FsyncPolicy::kNever:
      return "never";
  }
  return "unknown";
}

// Bytes one record takes in the file, chain fields included.
std::size_t line_bytes(const audit::Record& record) {
  audit::Record filled = record;
  filled.seq = 123456;
  filled.time = audit::to_timestamp(std::chrono::system_clock::now());
  filled.prev = audit::sha256_hex("previous line");
  return audit::to_line(filled).size() + 1;
}

// with_state_file: moatd keeps one; without, the run shows what its syncs
// (at every checkpoint, whatever the policy) cost.
void append_records(benchmark::State& state, audit::FsyncPolicy policy, std::uint64_t rotate_bytes,
                    bool with_state_file = true, std::chrono::milliseconds write_behind = {}) {
  const TempDir dir;
  audit::AuditLogOptions options;
  options.directory = dir.path() / "moatd";
  if (with_state_file) options.state_file = dir.path() / "moatd.checkpoint";
  options.max_file_bytes = rotate_bytes;
  options.checkpoint_every = kCheckpointEvery;
  options.fsync = policy;
  options.write_behind = write_behind;
  auto log = audit::AuditLog::open(options, bench_key());
  if (!log) {
    state.SkipWithError(("opening the audit log: " + log.error().message).c_str());
    return;
  }
  const audit::Record record = realistic_record();
  for (auto _ : state) {
    auto seq = (*log)->append(record);
    if (!seq) {
      state.SkipWithError(("append: " + seq.error().message).c_str());
      break;
    }
  }
  const auto records = static_cast<std::int64_t>(state.iterations());
  state.SetItemsProcessed(records);
  state.SetBytesProcessed(records * static_cast<std::int64_t>(line_bytes(record)));
  std::int64_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(options.directory)) {
    if (entry.is_regular_file()) ++files;
  }
  state.counters["files"] = static_cast<double>(files);
  state.SetLabel("fsync=" + std::string(policy_name(policy)) + (with_state_file ? "" : " no-state-file") +
                 (write_behind.count() > 0 ? " write-behind" : ""));
}

// The disk alone: lines as long as the audit records, written the same way
// (one write(2) on an O_APPEND file) and synced as the policy would sync.
void raw_write(benchmark::State& state, audit::FsyncPolicy policy) {
  const TempDir dir;
  const auto path = dir.path() / "raw.log";
  audit::UniqueFd fd(::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600));
  if (!fd.valid()) {
    state.SkipWithError(("open " + path.string() + ": " + std::strerror(errno)).c_str());
    return;
  }
  const std::string line(line_bytes(realistic_record()) - 1, 'x');
  const std::string bytes = line + "\n";
  std::uint64_t count = 0;
  for (auto _ : state) {
    if (::write(fd.get(), bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size())) {
      state.SkipWithError(("write: " + std::string(std::strerror(errno))).c_str());
      break;
    }
    ++count;
    const bool sync = policy == audit::FsyncPolicy::kEveryRecord ||
                      (policy == audit::FsyncPolicy::kCheckpoints && count % kCheckpointEvery == 0);
    if (sync && ::fdatasync(fd.get()) != 0) {
      state.SkipWithError(("fdatasync: " + std::string(std::strerror(errno))).c_str());
      break;
    }
  }
  const auto records = static_cast<std::int64_t>(state.iterations());
  state.SetItemsProcessed(records);
  state.SetBytesProcessed(records * static_cast<std::int64_t>(bytes.size()));
  state.SetLabel("fsync=" + std::string(policy_name(policy)));
}

// realistic_record() as the log would chain it: with a time and a prev.
audit::Record chained_record() {
  audit::Record record = realistic_record();
  record.time = audit::to_timestamp(std::chrono::system_clock::now());
  record.prev = audit::sha256_hex("previous line");
  return record;
}

// The CPU part of one append, without the file: canonical JSON line and its
// hash. Shows how much of an append is serialization.
void line_and_hash(benchmark::State& state) {
  audit::Record record = chained_record();
  for (auto _ : state) {
    ++record.seq;
    const std::string line = audit::to_line(record);
    std::string hash = audit::sha256_hex(line);
    benchmark::DoNotOptimize(hash);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

// What moatd spends on the record of a refused `docker run --privileged -v
// /:/host` besides judging it: the summary written from the judged document
// (the body moat-api-load's refused-create sends), the line and its hash.
void refused_create_record(benchmark::State& state) {
  const std::string wire = moat::bench::api_load::refused_create_request("bench/busybox");
  moat::moatd::http::CanonicalRequest request;
  request.method = "POST";
  request.api_version = moat::moatd::http::ApiVersion{1, 41};
  request.segments = {"containers", "create"};
  request.body = wire.substr(wire.find("\r\n\r\n") + 4);
  // As moatd's guard does: canonical text and the document the policy judges.
  const auto judged = moat::moatd::canonicalize_request_body(request);
  if (!judged || !*judged) {
    state.SkipWithError(judged ? "the create body was not read" : judged.error().message.c_str());
    return;
  }
  audit::Record record = chained_record();
  for (auto _ : state) {
    ++record.seq;
    record.request = moat::moatd::audit_summary(request, **judged);
    const std::string line = audit::to_line(record);
    std::string hash = audit::sha256_hex(line);
    benchmark::DoNotOptimize(hash);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

// One checkpoint signature; an append pays 1/1000 of it.
void sign_checkpoint(benchmark::State& state) {
  const std::string head = audit::sha256_hex("head");
  std::uint64_t seq = 0;
  for (auto _ : state) {
    audit::Checkpoint checkpoint{
        ++seq, audit::to_timestamp(std::chrono::system_clock::now()), head, head, kCheckpointEvery,
        {}};
    auto signature = bench_key().sign(audit::to_line(checkpoint));
    if (!signature) {
      state.SkipWithError(signature.error().message.c_str());
      break;
    }
    benchmark::DoNotOptimize(*signature);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

std::string filesystem_note(const std::filesystem::path& dir) {
  struct statfs info {};
  if (::statfs(dir.c_str(), &info) != 0) return dir.string();
  if (info.f_type == kTmpfsMagic)
    return dir.string() + " (tmpfs: fdatasync is free here, numbers flatter the disk)";
  return dir.string();
}

// Wall time: an append that waits for the disk costs its caller that wait.
void register_timed(const std::string& name, std::function<void(benchmark::State&)> run) {
  benchmark::RegisterBenchmark(name.c_str(), std::move(run))->UseRealTime();
}

void register_all() {
  using audit::FsyncPolicy;
  for (const FsyncPolicy policy :
       {FsyncPolicy::kCheckpoints, FsyncPolicy::kEveryRecord, FsyncPolicy::kNever}) {
    const std::string name(policy_name(policy));
    register_timed("audit_append/fsync:" + name, [policy](benchmark::State& state) {
      append_records(state, policy, kMoatdRotateBytes);
    });
    register_timed("raw_write/fsync:" + name,
                   [policy](benchmark::State& state) { raw_write(state, policy); });
  }
  register_timed("audit_append/fsync:checkpoints/rotate:1MiB", [](benchmark::State& state) {
    append_records(state, FsyncPolicy::kCheckpoints, kSmallRotateBytes);
  });
  register_timed("audit_append/fsync:checkpoints/write-behind", [](benchmark::State& state) {
    append_records(state, FsyncPolicy::kCheckpoints, kMoatdRotateBytes, true, moat::moatd::kAuditWriteBehind);
  });
  for (const FsyncPolicy policy : {FsyncPolicy::kCheckpoints, FsyncPolicy::kNever}) {
    register_timed("audit_append/fsync:" + std::string(policy_name(policy)) + "/no-state-file",
                   [policy](benchmark::State& state) {
                     append_records(state, policy, kMoatdRotateBytes, false);
                   });
  }
  benchmark::RegisterBenchmark("cpu/to_line+sha256", line_and_hash);
  benchmark::RegisterBenchmark("cpu/refused_create_record", refused_create_record);
  benchmark::RegisterBenchmark("cpu/checkpoint_sign", sign_checkpoint);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
    benchmark::AddCustomContext("audit_dir",
                                filesystem_note(std::filesystem::temp_directory_path()));
    benchmark::AddCustomContext("record_line_bytes",
                                std::to_string(line_bytes(realistic_record())));
    bench_key();  // key generation outside any timed loop
    register_all();
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
  } catch (const std::exception& e) {
    std::cerr << "audit_append_bench: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
