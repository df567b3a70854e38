#pragma once
// A real registry (Debian's docker-registry) for end-to-end tests, served
// over TLS from a network namespace of its own: the engine's HTTP client
// treats it as a remote host (it never proxies loopback), and the test can
// read the registry's own log to prove a refused request never reached it.
//
// Registry `index` listens on 198.18.<index>.2:5000 (198.18.0.0/15 is for
// tests), reached over a veth pair from the host's 198.18.<index>.1. Its
// certificate comes from a test CA the engine trusts through
// /etc/docker/certs.d/<address>/ca.crt, removed again with the registry.

#include <string>

namespace moat::testing {

class TestRegistry {
 public:
  explicit TestRegistry(int index);
  ~TestRegistry();
  TestRegistry(const TestRegistry&) = delete;
  TestRegistry& operator=(const TestRegistry&) = delete;

  // "198.18.<index>.2:5000", as image references name it.
  const std::string& address() const { return address_; }
  // Makes this registry hold what `other` holds (its storage copied), so a
  // registry the engine may not reach can still be given content.
  void copy_contents_from(const TestRegistry& other);
  // Serves the files of `dir` over plain HTTP on port 80 of the registry's
  // address (busybox httpd), for ADD and import URLs.
  void serve_files(const std::string& dir);
  // Adds the test CA to the host's trust store, removed again with this
  // registry. The engine's own downloads (ADD <url>, import <url>) trust that
  // store and not /etc/docker/certs.d; it is read when the engine first
  // verifies a certificate, so call this before the engine starts.
  void trust_in_host_store();
  // GET of `path` on the registry over TLS, as root on the host (not through
  // the engine), with the given Accept header.
  std::string get(const std::string& path, const std::string& accept = "*/*") const;
  // "198.18.<index>.2", the file server's host (port 80).
  std::string host() const { return address_.substr(0, address_.find(':')); }
  // Requests the file server has received so far.
  int file_requests() const;
  // HTTP requests the registry has answered so far (its log's lines).
  int requests() const;
  // The registry's log, for failure messages.
  std::string log() const;

 private:
  std::string address_;
  std::string netns_;
  std::string dir_;
  std::string certs_dir_;
  std::string pid_;
  std::string files_pid_;
  std::string host_store_entry_;
};

}  // namespace moat::testing
