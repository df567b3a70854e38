// docker exec: the body of POST /containers/{id}/exec (types.ExecConfig) as
// the CLI's parseExec fills it. ConsoleSize is left out: the client drops it
// below API 1.42.
#include <vector>

#include "cli/check/docker_options.h"
#include "cli/check/engine_commands.h"

namespace moat::cli::check {
namespace {

using nlohmann::json;
using Applied = Result<void, std::string>;

struct ExecDraft {
  const HostEnvironment* host = nullptr;
  json body = {{"User", ""},           {"Privileged", false},   {"Tty", false},
               {"AttachStdin", false}, {"AttachStderr", false}, {"AttachStdout", false},
               {"Detach", false},      {"DetachKeys", ""},      {"Env", nullptr},
               {"WorkingDir", ""},     {"Cmd", nullptr}};
  bool detach = false;
  bool interactive = false;
  std::vector<std::string> env;
};

using ExecFlag = CommandFlag<ExecDraft>;

const std::vector<ExecFlag>& exec_flags() {
  static const std::vector<ExecFlag> table = {
      {{"detach", 'd', false},
       [](ExecDraft& d, const std::string& v) -> Applied {
         d.detach = v == "true";
         return {};
       }},
      {{"detach-keys", 0},
       [](ExecDraft& d, const std::string& v) -> Applied {
         d.body["DetachKeys"] = v;
         return {};
       }},
      {{"env", 'e'},
       [](ExecDraft& d, const std::string& v) -> Applied {
         auto env = validate_env(v, *d.host);
         if (!env) return unexpected(env.error());
         d.env.push_back(*env);
         return {};
       }},
      {{"env-file", 0}, nullptr, "it reads variables from a file; give them with -e instead"},
      {{"interactive", 'i', false},
       [](ExecDraft& d, const std::string& v) -> Applied {
         d.interactive = v == "true";
         return {};
       }},
      {{"privileged", 0, false},
       [](ExecDraft& d, const std::string& v) -> Applied {
         d.body["Privileged"] = v == "true";
         return {};
       }},
      {{"tty", 't', false},
       [](ExecDraft& d, const std::string& v) -> Applied {
         d.body["Tty"] = v == "true";
         return {};
       }},
      {{"user", 'u'},
       [](ExecDraft& d, const std::string& v) -> Applied {
         d.body["User"] = v;
         return {};
       }},
      {{"workdir", 'w'},
       [](ExecDraft& d, const std::string& v) -> Applied {
         d.body["WorkingDir"] = v;
         return {};
       }},
      {{"help", 0, false}, nullptr, "it prints docker's usage and sends nothing"},
  };
  return table;
}

}  // namespace

Translation translate_exec(std::span<const std::string> args, const HostEnvironment& host) {
  const std::string command = "docker exec";
  ExecDraft draft;
  draft.host = &host;
  auto positionals = apply_flags<ExecDraft>(exec_flags(), args, false, command, draft);
  if (!positionals) return unexpected(positionals.error());
  if (positionals->size() < 2) {
    return unexpected(CommandLineError{command + ": a container and a command are required (\"" + command +
                                       "\" requires at least 2 arguments)"});
  }
  json& body = draft.body;
  body["Cmd"] = std::vector<std::string>(positionals->begin() + 1, positionals->end());
  if (!draft.env.empty()) body["Env"] = draft.env;
  if (!draft.detach) {
    body["AttachStdout"] = true;
    body["AttachStderr"] = true;
    body["AttachStdin"] = draft.interactive;
  }
  TranslatedRequest out;
  out.request.method = "POST";
  out.request.segments = {"containers", positionals->front(), "exec"};
  out.request.body = std::move(body);
  return out;
}

}  // namespace moat::cli::check
