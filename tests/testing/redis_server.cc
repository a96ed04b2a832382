#include "tests/testing/redis_server.h"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <thread>

#include "tests/testing/temp_dir.h"

extern char** environ;

namespace tidemark::testing {

namespace {
std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}
std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}
}  // namespace

RedisServer::RedisServer(std::string dir, std::vector<std::string> extra_config)
    : dir_(std::move(dir)), socket_(dir_ + "/redis.sock") {
  std::string conf = "port 0\nunixsocket " + socket_ + "\ndir " + dir_ +
                     "\ndaemonize no\nenable-debug-command yes\nlogfile " + dir_ +
                     "/redis.log\nsave \"\"\n";
  for (const auto& line : extra_config) conf += line + "\n";
  WriteFile(dir_ + "/redis.conf", conf);
  std::string conf_path = dir_ + "/redis.conf";
  std::vector<char*> argv = {const_cast<char*>("redis-server"), conf_path.data(), nullptr};
  if (posix_spawnp(&pid_, "redis-server", nullptr, nullptr, argv.data(), environ) != 0)
    throw std::runtime_error("cannot start redis-server");
  for (int i = 0; i < 200; ++i) {
    if (Cli({"PING"}) == "PONG") {
      // Wait out loading of an existing data set.
      for (int j = 0; j < 600 && Cli({"INFO", "persistence"}).find("loading:1") != std::string::npos; ++j)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      return;
    }
    int status;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("redis-server exited at start; see " + dir_ + "/redis.log:\n" +
                               ReadFile(dir_ + "/redis.log"));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  Stop();
  throw std::runtime_error("redis-server did not answer PING in " + dir_);
}

RedisServer::~RedisServer() { Stop(); }

std::string RedisServer::Cli(const std::vector<std::string>& args) const {
  std::string cmd = "redis-cli -s " + Quote(socket_);
  for (const auto& a : args) cmd += " " + Quote(a);
  std::string out;
  RunCommand(cmd + " 2>/dev/null", &out);
  return Trim(out);
}

void RedisServer::Pipe(const std::string& commands) const {
  TempDir tmp;
  WriteFile(tmp.File("cmds"), commands);
  std::string out;
  int rc = RunCommand("redis-cli -s " + Quote(socket_) + " < " + tmp.File("cmds") + " 2>&1", &out);
  if (rc != 0 || out.find("ERR") != std::string::npos)
    throw std::runtime_error("redis-cli batch failed: " + out.substr(0, 500));
}

void RedisServer::Save() const {
  if (Cli({"SAVE"}) != "OK") throw std::runtime_error("SAVE failed in " + dir_);
}

void RedisServer::RewriteAof() const {
  Cli({"BGREWRITEAOF"});
  for (int i = 0; i < 1200; ++i) {
    std::string info = Cli({"INFO", "persistence"});
    if (info.find("aof_rewrite_in_progress:0") != std::string::npos &&
        info.find("aof_rewrite_scheduled:0") != std::string::npos)
      return;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  throw std::runtime_error("BGREWRITEAOF did not finish in " + dir_);
}

void RedisServer::Stop() {
  if (pid_ <= 0) return;
  Cli({"SHUTDOWN", "NOSAVE"});
  Signal(0, 10000);
}

bool RedisServer::Terminate(int ms) { return pid_ <= 0 || Signal(SIGTERM, ms); }

void RedisServer::Kill() {
  if (pid_ > 0) Signal(SIGKILL, 10000);
}

bool RedisServer::Signal(int sig, int ms) {
  if (pid_ <= 0) return true;
  if (sig != 0) kill(pid_, sig);
  for (int waited = 0; waited < ms; waited += 25) {
    int status;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
  return false;
}

}  // namespace tidemark::testing
