#pragma once
// Signed admin settings. An admin who pins a public key (PEM, Ed25519) makes
// Moat accept only an admin-settings.json that comes with a detached
// signature FILE.sig over its exact bytes (see detached_signature.h for the
// format). Without a pinned key nothing changes.
//
// The pinned key is /etc/moat/settings-signing-key.pub for the installed
// layout and <root>/settings-signing-key.pub for a --root stack. It must be
// root's and writable by nobody else (the rules of file_trust.h): whoever
// can replace it decides which settings are genuine.

#include <string>

#include "core/result/result.h"
#include "core/stack/layout.h"

namespace moat::core::trust {

inline constexpr const char* kInstalledSettingsKey = "/etc/moat/settings-signing-key.pub";

std::string pinned_settings_key_path(const stack::Layout& layout);

// Succeeds when no key is pinned, or when no admin file exists (the built-in
// policy needs no signature), or when `settings_file`.sig verifies with the
// key. Otherwise the refusal, one of:
//   FILE: no signature FILE.sig, and settings must be signed (pinned key KEYFILE)
//   FILE: signature FILE.sig does not verify with the pinned key KEYFILE
//   KEYFILE: the pinned settings key cannot be used: REASON
// The check reads the file itself; a caller that loads the file afterwards
// reads it again: root could swap the file in between, nobody else can.
Result<void> check_settings_signature(const std::string& settings_file, const std::string& pinned_key);
Result<void> check_settings_signature(const stack::Layout& layout);

// Signs `file` with the Ed25519 private key in `private_key_pem` (owned by
// the caller, mode 0600) and writes FILE.sig (mode 0644). Returns the
// signature's path.
Result<std::string> sign_settings_file(const std::string& file, const std::string& private_key_pem);

}  // namespace moat::core::trust
