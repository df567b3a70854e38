#pragma once
// Where a stack keeps its signed manifest (<lib_dir>/manifest.json and
// manifest.json.sig, root's, mode 0644) and how it is written and read back.
// The signature is made with the stack's audit signing key and checked with
// its public half, so nobody without root's key can produce a manifest the
// stack accepts.

#include <optional>
#include <string>

#include "core/audit/signing_key.h"
#include "core/result/result.h"
#include "core/stack/layout.h"
#include "core/trust/file_record.h"
#include "core/trust/manifest.h"

namespace moat::core::trust {

std::string manifest_path(const stack::Layout& layout);
// The public half of the stack's audit key ("<audit key>.pub").
std::string stack_public_key_path(const stack::Layout& layout);

// Signs serialize_manifest(manifest) and writes both files atomically, owned
// by root, mode 0644: the manifest first, then its signature.
Result<void> write_signed_manifest(const std::string& manifest_file, const Manifest& manifest,
                                   const audit::SigningKey& key);

// nullopt when neither the manifest nor its signature exists (nothing was
// ever recorded). Otherwise the manifest, but only if its signature verifies
// with `key` and it parses; the refusal names the file and the reason
// ("…/manifest.json: signature does not verify with the stack's key").
Result<std::optional<Manifest>, Difference> load_verified_manifest(const std::string& manifest_file,
                                                                   const audit::VerifyKey& key);

}  // namespace moat::core::trust
