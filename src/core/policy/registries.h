#pragma once
// Registry Access Management at the API (setting moat.registryAccess): which
// registries a developer may pull from and push to through the engine.
//
// - An absent, null or empty list turns the feature off: every registry is
//   allowed ("registry.unrestricted") and nothing is parsed here; the engine
//   refuses malformed references itself.
// - Otherwise a reference is parsed as the engine parses it (image_ref.h) and
//   its registry must be the address of an entry. Both sides are compared by
//   image::canonical_registry: ASCII case ignored, IPv6 literals in one form,
//   docker.io, index.docker.io and registry-1.docker.io all meaning Docker
//   Hub. No wildcards and no parent domains.
// - The port is part of the address. An entry without a port matches only a
//   reference without one (the registry's default port): "registry.example"
//   does not cover "registry.example:5000", and neither covers
//   "registry.example:443", which must be listed as written. Allowing a port
//   the admin did not name would open another service on that host.
// - An entry's "pull" defaults to true (listing a registry is meant to allow
//   it) and "push" to false (pushing sends code out); any value but true or
//   false denies. Several entries naming the same registry allow what any one
//   of them allows. "nickname" is for people and never matched;
//   "auxiliaryHosts" (redirect and storage hosts a registry sends clients to)
//   are for the network layer: a reference naming one is not allowed unless it
//   is also an address.
// - A reference whose registry the engine's parser leaves unnamed
//   ("foo_bar.com/x") is refused while the feature is on.
// - A value that is not a list (settings are validated on load, so only a
//   broken caller gets here) refuses every registry ("registry.setting-invalid").
//
// Rules: registry.not-allowed, registry.push-not-allowed,
// image.reference-invalid, image.import-url-invalid, registry.setting-invalid.
// Allowed decisions carry "registry.allowed" or "registry.unrestricted"; the
// endpoint judges that call these keep their own rule ids when allowing.

#include <cstdint>
#include <string_view>

#include "core/policy/decision.h"
#include "core/policy/policy_context.h"

namespace moat::core::policy {

enum class RegistryAction { kPull, kPush };

// True when moat.registryAccess is anything but absent, null or an empty list.
bool registry_access_restricted(const PolicyContext& context);

// Judges one registry host ("registry.example:5000", "INDEX.docker.io",
// "[::1]:5000") for `action`.
Decision judge_registry_host(std::string_view host, RegistryAction action,
                             const PolicyContext& context);

// Judges an image reference as sent to the engine: `name` is what
// `docker pull NAME` would take and `tag` the separate tag parameter of the
// API ("" for none). For a pull, a trailing ':' on name is dropped and a tag
// that is a valid digest selects by digest, as the engine does; for a push the
// tag is only a tag.
Decision judge_image_reference(std::string_view name, std::string_view tag, RegistryAction action,
                               const PolicyContext& context);

// Judges the URL of `docker import URL` (POST /images/create?fromSrc=URL): the
// engine downloads it, so its host must be allowed for pulls. While the
// feature is on, only an absolute http:// or https:// URL with a host can be
// checked; anything else is refused. The engine follows HTTP redirects, which
// this check cannot see: the network layer has to stop those.
Decision judge_import_url(std::string_view url, const PolicyContext& context);

// The network layer (moatd's egress filter, the engine's proxy while the list
// is on): may the engine open a connection to host:port? Allowed when it is
// an entry's address or one of its auxiliaryHosts and the entry allows pull
// or push; an address or host written without a port stands for the
// scheme's default only (`default_port`: 443 for CONNECT, 80 for plain
// http), as the engine would connect. Rules: egress.allowed,
// egress.not-allowed, registry.setting-invalid.
Decision judge_egress(std::string_view host, std::uint16_t port, std::uint16_t default_port,
                      const PolicyContext& context);

// POST /images/{name}/push?tag=T (image.push).
Decision judge_image_push(const ApiRequest& request, const PolicyContext& context);

}  // namespace moat::core::policy
