#include "tests/sidecar/sidecar_runner.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <spawn.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <thread>

#include "io/dir_list.h"
#include "tests/testing/temp_dir.h"

extern char** environ;

namespace tidemark::testing {

namespace {

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

RunningSidecar::RunningSidecar(std::vector<std::string> args, const std::string& log,
                               const std::vector<std::string>& env)
    : log_(log) {
  args.insert(args.begin(), "run");
  pid_ = SpawnSidecar(args, log, env);
}

int RunningSidecar::Stop() {
  if (pid_ <= 0) return status_;
  ::kill(pid_, SIGTERM);
  for (int i = 0; i < 200; ++i) {
    int st = 0;
    if (::waitpid(pid_, &st, WNOHANG) == pid_) {
      pid_ = -1;
      status_ = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
      return status_;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
  return status_ = -1;
}

std::string RunningSidecar::Log() const {
  try {
    return ReadFile(log_);
  } catch (...) {
    return "";
  }
}

Reply Http(int port, const std::string& method, const std::string& path,
           const std::vector<std::string>& headers) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return {0, "socket failed"};
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return {0, "connection refused"};
  }
  std::string req = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n";
  for (const auto& h : headers) req += h + "\r\n";
  req += "Connection: close\r\n\r\n";
  if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size())) {
    ::close(fd);
    return {0, "send failed"};
  }
  std::string in;
  char buf[4096];
  size_t body_at = std::string::npos, length = 0;
  for (;;) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    in.append(buf, static_cast<size_t>(n));
    if (body_at == std::string::npos && (body_at = in.find("\r\n\r\n")) != std::string::npos) {
      body_at += 4;
      std::string head = in.substr(0, body_at);
      for (char& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      auto cl = head.find("content-length:");
      length = cl == std::string::npos ? 0 : std::stoul(head.substr(cl + 15));
    }
    if (body_at != std::string::npos && in.size() >= body_at + length) break;
  }
  ::close(fd);
  if (in.size() < 12 || body_at == std::string::npos) return {0, "bad response: " + in};
  return {std::stoi(in.substr(9, 3)), in.substr(body_at, length)};
}

bool SidecarRun::AllLinesAreJson() const {
  size_t pos = 0;
  while (pos < out.size()) {
    size_t nl = out.find('\n', pos);
    if (nl == std::string::npos) return false;  // every line ends with a newline
    std::string line = out.substr(pos, nl - pos);
    if (!line.starts_with("{\"ts\":\"") || !line.ends_with("}") ||
        line.find("\"level\":") == std::string::npos || line.find("\"msg\":") == std::string::npos)
      return false;
    pos = nl + 1;
  }
  return !out.empty();
}

SidecarRun RunSidecar(const std::vector<std::string>& args) {
  TempDir tmp;
  std::string cmd = TIDEMARK_SIDECAR;
  for (const auto& a : args) cmd += " " + Quote(a);
  SidecarRun run;
  run.rc = RunCommand(cmd + " 2>" + tmp.File("err"), &run.out);
  run.err = ReadFile(tmp.File("err"));
  return run;
}

pid_t SpawnSidecar(const std::vector<std::string>& args, const std::string& log,
                   const std::vector<std::string>& extra_env) {
  std::vector<std::string> all = {TIDEMARK_SIDECAR};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  pid_t pid = -1;
  std::vector<std::string> env_text(extra_env);
  std::vector<char*> env;
  for (char** e = environ; *e != nullptr; ++e) env.push_back(*e);
  for (auto& e : env_text) env.push_back(e.data());
  env.push_back(nullptr);
  if (posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), env.data()) != 0) pid = -1;
  posix_spawn_file_actions_destroy(&fa);
  return pid;
}

bool WaitFor(const std::function<bool()>& done, int ms, int step_ms) {
  for (int waited = 0; waited < ms; waited += step_ms) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(step_ms));
  }
  return done();
}

void WipeDir(const std::string& dir) {
  for (const auto& name : ListDir(dir))
    if (RunCommand("rm -rf " + Quote(dir + "/" + name)) != 0)
      throw std::runtime_error("cannot remove " + dir + "/" + name);
}

std::vector<std::string> ListDir(const std::string& dir) {
  auto names = ListDirectory(dir);
  return names ? std::move(*names) : std::vector<std::string>{};
}

void FlipByte(const std::string& path, long offset, unsigned char mask) {
  std::string bytes = ReadFile(path);
  long at = offset < 0 ? static_cast<long>(bytes.size()) + offset : offset;
  if (at < 0 || at >= static_cast<long>(bytes.size()))
    throw std::runtime_error("offset outside " + path);
  bytes[static_cast<size_t>(at)] = static_cast<char>(bytes[static_cast<size_t>(at)] ^ mask);
  WriteFile(path, bytes);
}

std::string KeepingOnlyTheLast(std::string policy, int n) {
  auto set = [&](const std::string& from, const std::string& to) {
    auto at = policy.find(from);
    if (at == std::string::npos) throw std::runtime_error("policy without " + from);
    policy.replace(at, from.size(), to);
  };
  set("\"keepLast\": 8", "\"keepLast\": " + std::to_string(n));
  set("\"keepDaily\": 14", "\"keepDaily\": 0");
  set("\"keepWeekly\": 8", "\"keepWeekly\": 0");
  return policy;
}

}  // namespace tidemark::testing
