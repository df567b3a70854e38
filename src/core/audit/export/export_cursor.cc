#include "core/audit/export/export_cursor.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <limits>
#include <system_error>

#include <nlohmann/json.hpp>

#include "core/audit/unique_fd.h"
#include "core/json/strict_json.h"

namespace moat::core::audit::exporter {
namespace {

constexpr std::size_t kMaxCursorBytes = 256;

std::string errno_text(int err) { return std::system_category().message(err); }

}  // namespace

ExportCursor position_of(const Entry& entry) { return ExportCursor{seq_of(entry), is_checkpoint(entry)}; }

Result<ExportCursor> read_cursor(const std::filesystem::path& file) {
  const std::string name = file.string();
  UniqueFd fd(::open(name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT) return ExportCursor{};
    return fail("reading the export cursor " + name + ": " + errno_text(errno));
  }
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) return fail("reading the export cursor " + name + ": " + errno_text(errno));
  if (!S_ISREG(info.st_mode) || info.st_uid != ::geteuid() || (info.st_mode & 022) != 0) {
    return fail("the export cursor " + name + " must be a regular file owned by uid " +
                std::to_string(::geteuid()) + " and writable by nobody else; fix it or remove it to export "
                "the log again from the start");
  }
  std::string text(kMaxCursorBytes + 1, '\0');
  const ssize_t n = ::read(fd.get(), text.data(), text.size());
  if (n < 0) return fail("reading the export cursor " + name + ": " + errno_text(errno));
  text.resize(static_cast<std::size_t>(n));
  const std::string damaged = "the export cursor " + name + " is damaged (remove it to export the log again "
                              "from the start): ";
  if (text.size() > kMaxCursorBytes) return fail(damaged + "too large");
  if (!text.empty() && text.back() == '\n') text.pop_back();
  const auto doc = core::json::parse_strict(text);
  if (!doc) return fail(damaged + doc.error().message);
  const nlohmann::json& v = doc->value;
  if (!v.is_object() || v.size() != 2 || !v.contains("seq") || !v.contains("checkpoint") ||
      !v.at("seq").is_number_unsigned() || !v.at("checkpoint").is_boolean()) {
    return fail(damaged + "expected {\"checkpoint\": true|false, \"seq\": N}");
  }
  return ExportCursor{v.at("seq").get<std::uint64_t>(), v.at("checkpoint").get<bool>()};
}

Result<void> write_cursor(const std::filesystem::path& file, ExportCursor cursor) {
  const std::string name = file.string();
  const std::string temporary = name + ".new";
  const std::string text =
      nlohmann::json{{"checkpoint", cursor.checkpoint}, {"seq", cursor.seq}}.dump() + "\n";
  ::unlink(temporary.c_str());
  UniqueFd fd(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd.valid()) return fail("writing the export cursor " + temporary + ": " + errno_text(errno));
  if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()) || ::fsync(fd.get()) != 0) {
    const int err = errno;
    ::unlink(temporary.c_str());
    return fail("writing the export cursor " + temporary + ": " + errno_text(err));
  }
  fd.reset();
  if (::rename(temporary.c_str(), name.c_str()) != 0) {
    const int err = errno;
    ::unlink(temporary.c_str());
    return fail("replacing the export cursor " + name + ": " + errno_text(err));
  }
  // The rename itself must survive a crash, or the collector gets duplicates.
  UniqueFd dir(::open(file.parent_path().empty() ? "." : file.parent_path().c_str(),
                      O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.valid()) ::fsync(dir.get());
  return {};
}

}  // namespace moat::core::audit::exporter
