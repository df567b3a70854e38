#pragma once
// The docker commands besides run/create that `moatctl check` translates,
// each into the first request the docker CLI 28 sends for it on API 1.41.
// `args` are the words after the command ("exec", "pull", ...).

#include <span>
#include <string>

#include "cli/check/docker_flags.h"
#include "cli/check/translated_request.h"

namespace moat::cli::check {

using Translation = Result<TranslatedRequest, CommandLineError>;

// docker exec [-d] [-i] [-t] [--privileged] [-u] [-w] [-e] CONTAINER CMD...
// -> POST /containers/{id}/exec
Translation translate_exec(std::span<const std::string> args, const HostEnvironment& host);

// docker volume create [-d DRIVER] [-o k=v] [--label] [NAME] -> POST /volumes/create
Translation translate_volume_create(std::span<const std::string> args);

// docker network create [-d DRIVER] [-o k=v] [--internal] ... NAME -> POST /networks/create
Translation translate_network_create(std::span<const std::string> args);

// docker pull IMAGE -> POST /images/create?fromImage=...&tag=...
Translation translate_pull(std::span<const std::string> args);

// docker push IMAGE -> POST /images/{name}/push?tag=...
Translation translate_push(std::span<const std::string> args);

// docker load [-i FILE] [-q] -> POST /images/load
Translation translate_load(std::span<const std::string> args);

// docker import FILE|URL|- [REPOSITORY[:TAG]] -> POST /images/create?fromSrc=...
Translation translate_import(std::span<const std::string> args);

// docker build [--network] [-t] [--build-arg] ... PATH -> POST /build?...
// The query of the classic builder (DOCKER_BUILDKIT=0); with BuildKit the
// CLI reaches the engine through /session and /grpc instead.
Translation translate_build(std::span<const std::string> args, const HostEnvironment& host);

// docker plugin install [--alias] [--grant-all-permissions] PLUGIN -> POST /plugins/pull
Translation translate_plugin_install(std::span<const std::string> args);

// docker swarm init [--advertise-addr] [--force-new-cluster] [--autolock] -> POST /swarm/init
Translation translate_swarm_init(std::span<const std::string> args);

}  // namespace moat::cli::check
