// The stand-in upstream on Boost.Beast: one coroutine per connection,
// keep-alive, a deadline on every read. Streams are written as raw chunked
// frames so each event leaves the process when it is produced.
#include "gateway/standin.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include "core/json.h"

namespace rampart::gateway {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
constexpr auto kUse = asio::as_tuple(asio::use_awaitable);

std::string Hex(std::size_t n) {
  std::ostringstream o;
  o << std::hex << n;
  return o.str();
}

// Words of the answer: the banner, then a sentence about the prompt.
std::vector<std::string> AnswerWords(std::size_t prompt_chars) {
  std::vector<std::string> w;
  std::istringstream in("This is the " + std::string(kStandinBanner) + ". Your prompt had " +
                        std::to_string(prompt_chars) + " characters.");
  std::string s;
  while (in >> s) w.push_back(s);
  return w;
}

std::size_t PromptChars(const json::object& body) {
  std::size_t n = 0;
  if (auto it = body.find("messages"); it != body.end() && it->value().is_array()) {
    for (const json::value& m : it->value().get_array()) {
      if (!m.is_object()) continue;
      auto c = m.get_object().find("content");
      if (c != m.get_object().end() && c->value().is_string()) n += c->value().get_string().size();
    }
  }
  if (auto it = body.find("prompt"); it != body.end() && it->value().is_string()) {
    n += it->value().get_string().size();
  }
  return n;
}

std::string Join(const std::vector<std::string>& w) {
  std::string s;
  for (std::size_t i = 0; i < w.size(); ++i) s += (i ? " " : "") + w[i];
  return s;
}

}  // namespace

class StandinServer::Impl {
 public:
  explicit Impl(StandinOptions opts) : opts_(std::move(opts)), acceptor_(ioc_) {}

  Status Start() {
    boost::system::error_code ec;
    auto addr = asio::ip::make_address(opts_.host, ec);
    if (ec) return InvalidArgumentError("stand-in address '" + opts_.host + "' is not an IP");
    tcp::endpoint ep(addr, opts_.port);
    acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return UnavailableError("stand-in upstream cannot listen on " + opts_.host + ":" +
                              std::to_string(opts_.port) + ": " + ec.message());
    }
    port_ = acceptor_.local_endpoint(ec).port();
    asio::co_spawn(ioc_, Accept(), asio::detached);
    for (int i = 0; i < std::max(1, opts_.threads); ++i)
      threads_.emplace_back([this] { ioc_.run(); });
    spdlog::warn("{} listening on http://{}:{} (serves fixed answers for the tour and tests)",
                 kStandinBanner, opts_.host, port_);
    return OkStatus();
  }

  void Stop() {
    if (stopped_.exchange(true)) return;
    ioc_.stop();
    for (auto& t : threads_) t.join();
    threads_.clear();
  }

  std::uint16_t port() const { return port_; }
  std::uint64_t requests() const { return requests_.load(); }

 private:
  asio::awaitable<void> Accept() {
    for (;;) {
      auto [ec, s] = co_await acceptor_.async_accept(kUse);
      if (ec) {
        if (!acceptor_.is_open()) co_return;
        continue;
      }
      s.set_option(tcp::no_delay(true), ec);
      asio::co_spawn(acceptor_.get_executor(), Session(beast::tcp_stream(std::move(s))),
                     asio::detached);
    }
  }

  asio::awaitable<void> Session(beast::tcp_stream stream) {
    beast::flat_buffer buf;
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(opts_.max_body_bytes);
      stream.expires_after(std::chrono::seconds(120));
      auto [ec, n] = co_await http::async_read(stream, buf, parser, kUse);
      if (ec) co_return;
      http::request<http::string_body> req = parser.release();
      bool keep = req.keep_alive();
      bool ok = co_await Handle(stream, req);
      if (!ok || !keep) break;
    }
    boost::system::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  void Count(const http::request<http::string_body>& req) {
    std::string path(req.target().substr(0, req.target().find('?')));
    ++requests_;
    std::lock_guard lock(mu_);
    ++paths_[path];
    json::object headers;
    for (const auto& f : req) headers[std::string(f.name_string())] = std::string(f.value());
    last_ = json::object{{"method", std::string(req.method_string())},
                         {"target", std::string(req.target())},
                         {"headers", std::move(headers)},
                         {"body_bytes", req.body().size()}};
  }

  // What to answer: a plain response, or an event stream written event by event.
  struct Answer {
    http::status status = http::status::ok;
    std::string body;
    bool sse = false;
    std::vector<std::string> events;  // "data: ..." payloads
  };

  static Answer Error(http::status st, const std::string& msg) {
    return {st,
            ToJson(json::object{
                {"error", json::object{{"message", msg}, {"type", "invalid_request_error"}}}}),
            false,
            {}};
  }

  // Pure: computes the answer from the request (no I/O, so no co_await
  // holds temporaries; GCC 12 miscompiles initializer lists across co_await).
  Answer Compute(const http::request<http::string_body>& req) {
    std::string_view target = req.target();
    std::string_view path = target.substr(0, target.find('?'));
    if (path == "/__standin/stats") {
      json::object paths;
      std::lock_guard lock(mu_);
      for (const auto& [p, n] : paths_) paths[p] = n;
      return {http::status::ok,
              ToJson(json::object{{"requests", requests_.load()}, {"paths", std::move(paths)}}),
              false,
              {}};
    }
    if (path == "/__standin/last") {
      std::lock_guard lock(mu_);
      return {http::status::ok, ToJson(last_), false, {}};
    }
    Count(req);
    if (path == "/v1/models" && req.method() == http::verb::get) {
      json::array data;
      for (const auto& m : opts_.models) {
        data.push_back(json::object{
            {"id", m}, {"object", "model"}, {"created", 0}, {"owned_by", "rampart-standin"}});
      }
      return {http::status::ok,
              ToJson(json::object{{"object", "list"}, {"data", std::move(data)}}),
              false,
              {}};
    }
    if (path == "/v2/health/ready" || path == "/v2/health/live") {
      return {http::status::ok, "", false, {}};
    }
    if (req.method() != http::verb::post) {
      return Error(http::status::not_found, "no such endpoint on the stand-in");
    }
    JsonLimits limits;
    limits.max_bytes = opts_.max_body_bytes;
    auto parsed = ParseJson(req.body(), limits);
    if (!parsed || !parsed->is_object()) {
      return Error(http::status::bad_request, "body must be a JSON object");
    }
    const json::object& body = parsed->get_object();
    std::string model = "standin";
    if (auto it = body.find("model"); it != body.end() && it->value().is_string()) {
      model = std::string(it->value().get_string());
    }
    if (path.starts_with("/v2/models/") && path.ends_with("/infer")) {
      json::array outputs;
      if (auto it = body.find("inputs"); it != body.end() && it->value().is_array()) {
        for (const json::value& in : it->value().get_array()) {
          if (!in.is_object()) continue;
          auto n = in.get_object().find("name");
          outputs.push_back(json::object{
              {"name", n != in.get_object().end() ? n->value() : json::value("output")},
              {"datatype", "BYTES"},
              {"shape", json::array{1}},
              {"data", json::array{std::string(kStandinBanner)}}});
        }
      }
      std::string m(path.substr(11, path.size() - 11 - 6));
      return {http::status::ok,
              ToJson(json::object{{"model_name", m}, {"outputs", outputs}}),
              false,
              {}};
    }
    if (path == "/v1/embeddings") {
      std::vector<std::string> inputs;
      if (auto it = body.find("input"); it != body.end()) {
        if (it->value().is_string()) inputs.emplace_back(it->value().get_string());
        if (it->value().is_array()) {
          for (const auto& v : it->value().get_array())
            if (v.is_string()) inputs.emplace_back(v.get_string());
        }
      }
      json::array data;
      std::size_t chars = 0;
      for (std::size_t i = 0; i < inputs.size(); ++i) {
        chars += inputs[i].size();
        std::uint64_t h = std::hash<std::string>{}(inputs[i]);
        json::array vec;
        for (int d = 0; d < 8; ++d)
          vec.push_back(static_cast<double>((h >> (d * 8)) & 0xff) / 255.0);
        data.push_back(json::object{{"object", "embedding"}, {"index", i}, {"embedding", vec}});
      }
      std::uint64_t tokens = (chars + 3) / 4;
      return {http::status::ok,
              ToJson(json::object{
                  {"object", "list"},
                  {"model", model},
                  {"data", data},
                  {"usage", json::object{{"prompt_tokens", tokens}, {"total_tokens", tokens}}}}),
              false,
              {}};
    }
    bool chat = path == "/v1/chat/completions";
    if (!chat && path != "/v1/completions") {
      return Error(http::status::not_found, "no such endpoint on the stand-in");
    }
    std::size_t prompt_chars = PromptChars(body);
    std::uint64_t prompt_tokens = (prompt_chars + 3) / 4;
    std::vector<std::string> words = AnswerWords(prompt_chars);
    std::uint64_t completion_tokens = words.size();
    json::object usage{{"prompt_tokens", prompt_tokens},
                       {"completion_tokens", completion_tokens},
                       {"total_tokens", prompt_tokens + completion_tokens}};
    std::string id = "standin-" + std::to_string(requests_.load());
    bool stream_mode = false;
    if (auto it = body.find("stream"); it != body.end() && it->value().is_bool()) {
      stream_mode = it->value().get_bool();
    }
    if (!stream_mode) {
      json::object choice{{"index", 0}, {"finish_reason", "stop"}};
      if (chat) {
        choice["message"] = json::object{{"role", "assistant"}, {"content", Join(words)}};
      } else {
        choice["text"] = Join(words);
      }
      return {http::status::ok,
              ToJson(json::object{{"id", id},
                                  {"object", chat ? "chat.completion" : "text_completion"},
                                  {"created", 0},
                                  {"model", model},
                                  {"system_fingerprint", "rampart-standin"},
                                  {"choices", json::array{choice}},
                                  {"usage", usage}}),
              false,
              {}};
    }
    Answer a;
    a.sse = true;
    const char* object = chat ? "chat.completion.chunk" : "text_completion";
    for (std::size_t i = 0; i < words.size(); ++i) {
      std::string piece = (i ? " " : "") + words[i];
      json::object choice{{"index", 0}, {"finish_reason", nullptr}};
      if (chat) {
        choice["delta"] = i == 0 ? json::object{{"role", "assistant"}, {"content", piece}}
                                 : json::object{{"content", piece}};
      } else {
        choice["text"] = piece;
      }
      a.events.push_back(ToJson(json::object{{"id", id},
                                             {"object", object},
                                             {"created", 0},
                                             {"model", model},
                                             {"choices", json::array{choice}}}));
    }
    json::object last_choice{{"index", 0}, {"finish_reason", "stop"}};
    if (chat) last_choice["delta"] = json::object{};
    a.events.push_back(ToJson(json::object{{"id", id},
                                           {"object", object},
                                           {"created", 0},
                                           {"model", model},
                                           {"choices", json::array{last_choice}},
                                           {"usage", usage}}));
    a.events.push_back("[DONE]");
    return a;
  }

  asio::awaitable<bool> Handle(beast::tcp_stream& stream,
                               const http::request<http::string_body>& req) {
    Answer a = Compute(req);
    if (!a.sse) {
      http::response<http::string_body> res(a.status, req.version());
      res.set(http::field::server, "rampart-standin");
      res.set(http::field::content_type, "application/json");
      res.body() = std::move(a.body);
      res.keep_alive(req.keep_alive());
      res.prepare_payload();
      auto [ec, n] = co_await http::async_write(stream, res, kUse);
      co_return !ec;
    }
    // Server-Sent Events, written frame by frame `token_delay` apart.
    std::string head =
        "HTTP/1.1 200 OK\r\nServer: rampart-standin\r\nContent-Type: text/event-stream\r\n"
        "Cache-Control: no-cache\r\nTransfer-Encoding: chunked\r\n";
    head += req.keep_alive() ? "\r\n" : "Connection: close\r\n\r\n";
    auto [hec, hn] = co_await asio::async_write(stream, asio::buffer(head), kUse);
    if (hec) co_return false;
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (std::size_t i = 0; i < a.events.size(); ++i) {
      if (i > 0 && opts_.token_delay.count() > 0) {
        timer.expires_after(opts_.token_delay);
        co_await timer.async_wait(kUse);
      }
      std::string ev = "data: " + a.events[i] + "\n\n";
      std::string frame = Hex(ev.size()) + "\r\n" + ev + "\r\n";
      if (i + 1 == a.events.size()) frame += "0\r\n\r\n";
      auto [ec, n] = co_await asio::async_write(stream, asio::buffer(frame), kUse);
      if (ec) co_return false;
    }
    co_return true;
  }

  StandinOptions opts_;
  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stopped_{false};
  std::uint16_t port_ = 0;
  std::atomic<std::uint64_t> requests_{0};
  std::mutex mu_;
  std::map<std::string, std::uint64_t> paths_;
  json::object last_;
};

StandinServer::StandinServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
StandinServer::~StandinServer() { Stop(); }
std::uint16_t StandinServer::port() const { return impl_->port(); }
std::uint64_t StandinServer::requests() const { return impl_->requests(); }
void StandinServer::Stop() {
  if (impl_) impl_->Stop();
}

Result<std::unique_ptr<StandinServer>> StandinServer::Start(StandinOptions opts) {
  auto impl = std::make_unique<Impl>(std::move(opts));
  RAMPART_RETURN_IF_ERROR(impl->Start());
  return std::unique_ptr<StandinServer>(new StandinServer(std::move(impl)));
}

}  // namespace rampart::gateway
