// docker pull, push, load, import and build: their query parameters as the
// client library writes them (url.Values.Encode sorts by key).
#include <algorithm>
#include <map>
#include <vector>

#include "cli/check/docker_options.h"
#include "cli/check/engine_commands.h"
#include "core/image/image_ref.h"

namespace moat::cli::check {
namespace {

using nlohmann::json;
using Applied = Result<void, std::string>;
using Query = std::vector<std::pair<std::string, std::string>>;

// Go's url.Values: keys sorted, repeated values in the order given.
Query sorted_query(const std::multimap<std::string, std::string>& values) {
  return Query(values.begin(), values.end());
}

Result<core::image::ImageRef, CommandLineError> image_ref(const std::string& command, const std::string& text) {
  auto ref = core::image::parse_image_ref(text);
  if (!ref) return unexpected(CommandLineError{command + ": " + text + ": " + ref.error().message});
  return std::move(ref).value();
}

Result<void, CommandLineError> expect_arguments(const std::string& command, const std::vector<std::string>& positionals,
                                                std::size_t min, std::size_t max, const std::string& what) {
  if (positionals.size() < min || positionals.size() > max) {
    return unexpected(CommandLineError{command + ": expected " + what + ", got " + std::to_string(positionals.size()) +
                                       " argument" + (positionals.size() == 1 ? "" : "s")});
  }
  return {};
}

// --- pull ---

struct PullDraft {
  bool all_tags = false;
  std::string platform;
};

const std::vector<CommandFlag<PullDraft>>& pull_flags() {
  static const std::vector<CommandFlag<PullDraft>> table = {
      {{"all-tags", 'a', false},
       [](PullDraft& d, const std::string& v) -> Applied {
         d.all_tags = v == "true";
         return {};
       }},
      {{"disable-content-trust", 0, false}, no_request_effect<PullDraft>},
      {{"platform", 0},
       [](PullDraft& d, const std::string& v) -> Applied {
         d.platform = to_lower(v);
         return {};
       }},
      {{"quiet", 'q', false}, no_request_effect<PullDraft>},
      {{"help", 0, false}, nullptr, "it prints docker's usage and sends nothing"},
  };
  return table;
}

// --- push ---

struct PushDraft {
  bool all_tags = false;
};

const std::vector<CommandFlag<PushDraft>>& push_flags() {
  static const std::vector<CommandFlag<PushDraft>> table = {
      {{"all-tags", 'a', false},
       [](PushDraft& d, const std::string& v) -> Applied {
         d.all_tags = v == "true";
         return {};
       }},
      {{"disable-content-trust", 0, false}, no_request_effect<PushDraft>},
      {{"quiet", 'q', false}, no_request_effect<PushDraft>},
      {{"platform", 0}, nullptr, "the docker CLI sends it only to API 1.46 and later"},
      {{"help", 0, false}, nullptr, "it prints docker's usage and sends nothing"},
  };
  return table;
}

// --- load ---

struct LoadDraft {
  std::string input;
  bool quiet = false;
};

const std::vector<CommandFlag<LoadDraft>>& load_flags() {
  static const std::vector<CommandFlag<LoadDraft>> table = {
      {{"input", 'i'},
       [](LoadDraft& d, const std::string& v) -> Applied {
         d.input = v;
         return {};
       }},
      {{"quiet", 'q', false},
       [](LoadDraft& d, const std::string& v) -> Applied {
         d.quiet = v == "true";
         return {};
       }},
      {{"platform", 0}, nullptr, "the docker CLI sends it only to API 1.48 and later"},
      {{"help", 0, false}, nullptr, "it prints docker's usage and sends nothing"},
  };
  return table;
}

// --- import ---

struct ImportDraft {
  std::vector<std::string> changes;
  std::string message;
  std::string platform;
};

const std::vector<CommandFlag<ImportDraft>>& import_flags() {
  static const std::vector<CommandFlag<ImportDraft>> table = {
      {{"change", 'c'},
       [](ImportDraft& d, const std::string& v) -> Applied {
         d.changes.push_back(v);
         return {};
       }},
      {{"message", 'm'},
       [](ImportDraft& d, const std::string& v) -> Applied {
         d.message = v;
         return {};
       }},
      {{"platform", 0},
       [](ImportDraft& d, const std::string& v) -> Applied {
         d.platform = v;
         return {};
       }},
      {{"help", 0, false}, nullptr, "it prints docker's usage and sends nothing"},
  };
  return table;
}

// --- build ---

struct BuildDraft {
  const HostEnvironment* host = nullptr;
  std::string network = "default";
  std::vector<std::string> tags;
  std::vector<std::string> build_args;
  std::string cgroup_parent;
  std::string target;
  bool quiet = false;
  bool no_cache = false;
  bool pull = false;
  bool remove = true;
  bool force_remove = false;
};

const std::vector<CommandFlag<BuildDraft>>& build_flags() {
  static const std::vector<CommandFlag<BuildDraft>> table = {
      {{"network", 0},
       [](BuildDraft& d, const std::string& v) -> Applied {
         d.network = v;
         return {};
       }},
      {{"tag", 't'},
       [](BuildDraft& d, const std::string& v) -> Applied {
         if (auto ref = core::image::parse_image_ref(v); !ref) return unexpected(ref.error().message);
         d.tags.push_back(v);
         return {};
       }},
      {{"build-arg", 0},
       [](BuildDraft& d, const std::string& v) -> Applied {
         auto arg = validate_env(v, *d.host);
         if (!arg) return unexpected(arg.error());
         d.build_args.push_back(*arg);
         return {};
       }},
      {{"cgroup-parent", 0},
       [](BuildDraft& d, const std::string& v) -> Applied {
         d.cgroup_parent = v;
         return {};
       }},
      {{"target", 0},
       [](BuildDraft& d, const std::string& v) -> Applied {
         d.target = v;
         return {};
       }},
      {{"quiet", 'q', false},
       [](BuildDraft& d, const std::string& v) -> Applied {
         d.quiet = v == "true";
         return {};
       }},
      {{"no-cache", 0, false},
       [](BuildDraft& d, const std::string& v) -> Applied {
         d.no_cache = v == "true";
         return {};
       }},
      {{"pull", 0, false},
       [](BuildDraft& d, const std::string& v) -> Applied {
         d.pull = v == "true";
         return {};
       }},
      {{"rm", 0, false},
       [](BuildDraft& d, const std::string& v) -> Applied {
         d.remove = v == "true";
         return {};
       }},
      {{"force-rm", 0, false},
       [](BuildDraft& d, const std::string& v) -> Applied {
         d.force_remove = v == "true";
         return {};
       }},
      {{"file", 'f'}, nullptr, "a Dockerfile outside the default place changes the context the CLI sends"},
      {{"add-host", 0}},
      {{"build-context", 0}},
      {{"cache-from", 0}},
      {{"cpu-period", 0}},
      {{"cpu-quota", 0}},
      {{"cpu-shares", 'c'}},
      {{"cpuset-cpus", 0}},
      {{"cpuset-mems", 0}},
      {{"disable-content-trust", 0, false}},
      {{"iidfile", 0}},
      {{"isolation", 0}},
      {{"label", 0}},
      {{"memory", 'm'}},
      {{"memory-swap", 0}},
      {{"platform", 0}},
      {{"security-opt", 0}},
      {{"shm-size", 0}},
      {{"squash", 0, false}},
      {{"ulimit", 0}},
      {{"help", 0, false}, nullptr, "it prints docker's usage and sends nothing"},
  };
  return table;
}

}  // namespace

Translation translate_pull(std::span<const std::string> args) {
  const std::string command = "docker pull";
  PullDraft draft;
  auto positionals = apply_flags<PullDraft>(pull_flags(), args, true, command, draft);
  if (!positionals) return unexpected(positionals.error());
  if (auto n = expect_arguments(command, *positionals, 1, 1, "one image"); !n) return unexpected(n.error());
  auto ref = image_ref(command, positionals->front());
  if (!ref) return unexpected(ref.error());
  if (draft.all_tags && (ref->tag || ref->digest)) {
    return unexpected(CommandLineError{command + ": tag can't be used with --all-tags/-a"});
  }
  std::multimap<std::string, std::string> query{{"fromImage", ref->name()}};
  if (!draft.all_tags) query.emplace("tag", ref->digest ? *ref->digest : ref->tag.value_or("latest"));
  if (!draft.platform.empty()) query.emplace("platform", draft.platform);
  TranslatedRequest out;
  out.request.method = "POST";
  out.request.segments = {"images", "create"};
  out.request.query = sorted_query(query);
  return out;
}

Translation translate_push(std::span<const std::string> args) {
  const std::string command = "docker push";
  PushDraft draft;
  auto positionals = apply_flags<PushDraft>(push_flags(), args, true, command, draft);
  if (!positionals) return unexpected(positionals.error());
  if (auto n = expect_arguments(command, *positionals, 1, 1, "one image"); !n) return unexpected(n.error());
  auto ref = image_ref(command, positionals->front());
  if (!ref) return unexpected(ref.error());
  if (draft.all_tags && (ref->tag || ref->digest)) {
    return unexpected(CommandLineError{command + ": tag can't be used with --all-tags/-a"});
  }
  if (ref->digest) return unexpected(CommandLineError{command + ": cannot push a digest reference"});
  TranslatedRequest out;
  out.request.method = "POST";
  out.request.segments = {"images"};
  std::string name = ref->name();
  std::size_t start = 0;
  while (true) {
    const std::size_t slash = name.find('/', start);
    out.request.segments.push_back(name.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  out.request.segments.emplace_back("push");
  if (!draft.all_tags) out.request.query.emplace_back("tag", ref->tag.value_or("latest"));
  return out;
}

Translation translate_load(std::span<const std::string> args) {
  const std::string command = "docker load";
  LoadDraft draft;
  auto positionals = apply_flags<LoadDraft>(load_flags(), args, true, command, draft);
  if (!positionals) return unexpected(positionals.error());
  if (auto n = expect_arguments(command, *positionals, 0, 0, "no arguments"); !n) return unexpected(n.error());
  TranslatedRequest out;
  out.request.method = "POST";
  out.request.segments = {"images", "load"};
  // Without -q the CLI asks for progress when its output is a terminal.
  out.request.query.emplace_back("quiet", draft.quiet ? "1" : "0");
  out.streamed_body = "the image archive from " + (draft.input.empty() ? std::string("standard input") : draft.input);
  return out;
}

Translation translate_import(std::span<const std::string> args) {
  const std::string command = "docker import";
  ImportDraft draft;
  auto positionals = apply_flags<ImportDraft>(import_flags(), args, true, command, draft);
  if (!positionals) return unexpected(positionals.error());
  if (auto n = expect_arguments(command, *positionals, 1, 2, "file|URL|- [REPOSITORY[:TAG]]"); !n) {
    return unexpected(n.error());
  }
  const std::string& source = positionals->front();
  const std::string repository = positionals->size() > 1 ? (*positionals)[1] : "";
  if (!repository.empty()) {
    if (auto ref = image_ref(command, repository); !ref) return unexpected(ref.error());
  }
  const bool remote = source.starts_with("http://") || source.starts_with("https://");
  std::multimap<std::string, std::string> query{
      {"fromSrc", remote ? source : "-"}, {"repo", repository}, {"tag", ""}, {"message", draft.message}};
  if (!draft.platform.empty()) query.emplace("platform", to_lower(draft.platform));
  for (const auto& change : draft.changes) query.emplace("changes", change);
  TranslatedRequest out;
  out.request.method = "POST";
  out.request.segments = {"images", "create"};
  out.request.query = sorted_query(query);
  if (!remote) out.streamed_body = "the file system archive from " + (source == "-" ? "standard input" : source);
  return out;
}

Translation translate_build(std::span<const std::string> args, const HostEnvironment& host) {
  const std::string command = "docker build";
  BuildDraft draft;
  draft.host = &host;
  auto positionals = apply_flags<BuildDraft>(build_flags(), args, true, command, draft);
  if (!positionals) return unexpected(positionals.error());
  if (auto n = expect_arguments(command, *positionals, 1, 1, "one build context (PATH | URL | -)"); !n) {
    return unexpected(n.error());
  }
  const std::string& context = positionals->front();
  std::multimap<std::string, std::string> query{{"version", "1"}};
  for (const auto& tag : draft.tags) query.emplace("t", tag);
  if (draft.quiet) query.emplace("q", "1");
  if (draft.no_cache) query.emplace("nocache", "1");
  if (!draft.remove) query.emplace("rm", "0");
  if (draft.force_remove) query.emplace("forcerm", "1");
  if (draft.pull) query.emplace("pull", "1");
  if (!draft.network.empty() && draft.network != "default") query.emplace("networkmode", draft.network);
  if (!draft.cgroup_parent.empty()) query.emplace("cgroupparent", draft.cgroup_parent);
  // A context read as a tar from standard input names no Dockerfile; for a
  // directory, Git or URL context the CLI names the default one.
  if (context != "-") query.emplace("dockerfile", "Dockerfile");
  if (!draft.target.empty()) query.emplace("target", draft.target);
  if (!draft.build_args.empty()) {
    json args_json = json::object();
    for (const auto& arg : draft.build_args) {
      const Cut kv = cut(arg, '=');
      args_json[kv.before] = kv.found ? json(kv.after) : json(nullptr);
    }
    query.emplace("buildargs", go_json_marshal(args_json));
  }
  TranslatedRequest out;
  out.request.method = "POST";
  out.request.segments = {"build"};
  out.request.query = sorted_query(query);
  out.streamed_body = "the build context (a tar of " + (context == "-" ? std::string("standard input") : context) + ")";
  return out;
}

}  // namespace moat::cli::check
