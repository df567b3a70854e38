#include "moatd/http/response_head_parser.h"

#include "moatd/http/http_chars.h"

namespace moat::moatd::http {

const std::string* ResponseHead::header(std::string_view lower_name) const {
  for (const Header& h : headers) {
    if (h.name == lower_name) return &h.value;
  }
  return nullptr;
}

void ResponseHeadParser::reset(ResponseHeadOptions options) {
  options_ = options;
  head_.clear();
  failed_ = false;
}

ResponseEvent ResponseHeadParser::feed(std::string_view input) {
  if (failed_) return response_event::Failed{"response head already failed", 0};
  for (std::size_t i = 0; i < input.size(); ++i) {
    head_ += input[i];
    if (head_.size() > options_.max_head_bytes) {
      failed_ = true;
      return response_event::Failed{
          "response head larger than " + std::to_string(options_.max_head_bytes) + " bytes",
          i + 1};
    }
    if (input[i] == '\n' && (head_.ends_with("\n\n") || head_.ends_with("\n\r\n"))) {
      return parse(i + 1);
    }
  }
  return response_event::NeedMore{input.size()};
}

ResponseEvent ResponseHeadParser::parse(std::size_t used) {
  const auto fail = [&](std::string message) -> ResponseEvent {
    failed_ = true;
    return response_event::Failed{std::move(message), used};
  };
  std::vector<std::string> lines;
  {
    std::size_t start = 0;
    while (start < head_.size()) {
      auto end = head_.find('\n', start);
      std::string line = head_.substr(start, end - start);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      start = end + 1;
      if (line.empty()) break;
      if (is_ows(line.front()) && lines.size() > 1) {
        lines.back() += " " + std::string(trim_ows(line));  // obs-fold
        continue;
      }
      lines.push_back(std::move(line));
    }
  }
  head_.clear();
  if (lines.empty()) return fail("empty response head");

  ResponseHead head;
  const std::string& status_line = lines.front();
  if (status_line.size() < 12 || !status_line.starts_with("HTTP/1.") ||
      (status_line[7] != '0' && status_line[7] != '1') || status_line[8] != ' ' ||
      !is_all_digits(std::string_view(status_line).substr(9, 3)) ||
      (status_line.size() > 12 && status_line[12] != ' ')) {
    return fail("malformed status line " + quoted(status_line));
  }
  head.version = status_line[7] == '1' ? HttpVersion::kHttp11 : HttpVersion::kHttp10;
  head.status = std::stoi(status_line.substr(9, 3));
  if (status_line.size() > 13) head.reason = status_line.substr(13);

  bool has_length = false;
  bool chunked = false;
  bool has_transfer_encoding = false;
  bool close = false;
  bool keep_alive_option = false;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const std::string_view line = lines[i];
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      return fail("malformed response header line " + quoted(line));
    }
    const std::string name = to_lower(trim_ows(line.substr(0, colon)));
    const std::string value(trim_ows(line.substr(colon + 1)));
    if (name == "content-length") {
      std::uint64_t length = 0;
      if (!parse_decimal(value, length)) {
        return fail("response Content-Length " + quoted(value) + " is not a decimal number");
      }
      if (has_length && length != head.content_length) {
        return fail("response has conflicting Content-Length values");
      }
      has_length = true;
      head.content_length = length;
    } else if (name == "transfer-encoding") {
      has_transfer_encoding = true;
      // The last coding decides whether the body is chunk-framed.
      const auto comma = value.rfind(',');
      const std::string_view last =
          trim_ows(comma == std::string::npos ? std::string_view(value)
                                              : std::string_view(value).substr(comma + 1));
      chunked = iequals(last, "chunked");
    } else if (name == "connection") {
      std::size_t start = 0;
      while (start <= value.size()) {
        auto end = value.find(',', start);
        if (end == std::string::npos) end = value.size();
        const std::string_view option = trim_ows(std::string_view(value).substr(start, end - start));
        if (iequals(option, "close")) close = true;
        if (iequals(option, "keep-alive")) keep_alive_option = true;
        start = end + 1;
      }
    }
    head.headers.push_back(Header{name, value});
  }

  const bool no_body = options_.request_was_head || head.status == 204 || head.status == 304 ||
                       (head.status >= 100 && head.status < 200);
  if (head.status == 101) {
    head.framing = ResponseFraming::kSwitchingProtocols;
  } else if (no_body) {
    head.framing = ResponseFraming::kNone;
  } else if (has_transfer_encoding) {
    head.framing = chunked ? ResponseFraming::kChunked : ResponseFraming::kUntilClose;
  } else if (has_length) {
    head.framing =
        head.content_length == 0 ? ResponseFraming::kNone : ResponseFraming::kContentLength;
  } else {
    head.framing = ResponseFraming::kUntilClose;
  }
  if (head.framing != ResponseFraming::kContentLength) head.content_length = 0;
  const bool persistent =
      !close && (head.version == HttpVersion::kHttp11 || keep_alive_option);
  head.keep_alive = persistent && head.framing != ResponseFraming::kUntilClose &&
                    head.framing != ResponseFraming::kSwitchingProtocols;
  return response_event::Done{std::move(head), used};
}

}  // namespace moat::moatd::http
