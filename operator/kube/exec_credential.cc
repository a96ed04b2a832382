#include "operator/kube/exec_credential.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

extern char** environ;

namespace tidemark::kube {
namespace {

constexpr char kV1[] = "client.authentication.k8s.io/v1";
constexpr char kV1beta1[] = "client.authentication.k8s.io/v1beta1";

std::string LastLine(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  const size_t nl = text.rfind('\n');
  return nl == std::string::npos ? text : text.substr(nl + 1);
}

struct Ran {
  int exec_errno = 0;  // the command could not be started
  int status = 0;      // waitpid's
  std::string out, err;
};

// Runs argv[0] (PATH searched) with `envp`; stdin the terminal or /dev/null; stdout captured,
// stderr captured unless `pass_stderr`. Everything the child needs is built before fork(): the
// operator forks from a multi-threaded process.
Ran RunCommand(const std::vector<std::string>& args, const std::vector<std::string>& env,
               bool interactive) {
  Ran ran;
  std::vector<char*> argv, envp;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  int out[2], err[2], failed[2];
  if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0 ||
      ::pipe2(failed, O_CLOEXEC) != 0) {
    ran.exec_errno = errno;
    return ran;
  }
  const int null_in = interactive ? -1 : ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (null_in >= 0) ::dup2(null_in, 0);
    ::dup2(out[1], 1);
    if (!interactive) ::dup2(err[1], 2);
    ::execvpe(argv[0], argv.data(), envp.data());
    const int e = errno;
    (void)!::write(failed[1], &e, sizeof e);
    ::_exit(127);
  }
  if (null_in >= 0) ::close(null_in);
  ::close(out[1]);
  ::close(err[1]);
  ::close(failed[1]);
  if (pid < 0) {
    ran.exec_errno = errno;
  } else {
    pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
    std::string* sinks[2] = {&ran.out, &ran.err};
    int open_fds = 2;
    while (open_fds > 0) {
      if (::poll(fds, 2, -1) < 0) {
        if (errno == EINTR) continue;
        break;
      }
      for (int i = 0; i < 2; ++i) {
        if (fds[i].fd < 0 || fds[i].revents == 0) continue;
        char buf[4096];
        const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
        if (n > 0) {
          sinks[i]->append(buf, static_cast<size_t>(n));
        } else if (n == 0 || errno != EINTR) {
          fds[i].fd = -1;
          --open_fds;
        }
      }
    }
    int e = 0;
    if (::read(failed[0], &e, sizeof e) == sizeof e) ran.exec_errno = e;
    while (::waitpid(pid, &ran.status, 0) < 0 && errno == EINTR) {
    }
  }
  ::close(out[0]);
  ::close(err[0]);
  ::close(failed[0]);
  return ran;
}

std::string Scalar(const YAML::Node& node, const char* key) {
  const YAML::Node v = node[key];
  return v && v.IsScalar() ? v.as<std::string>() : std::string();
}

}  // namespace

KubeResult<ExecConfig> ValidateExecConfig(ExecConfig c) {
  const std::string who = "kubeconfig: user \"" + c.user + "\": exec: ";
  if (c.command.empty()) return MakeKubeError(Reason::kConfig, who + "no command");
  if (c.api_version != kV1 && c.api_version != kV1beta1) {
    return MakeKubeError(Reason::kConfig, who + "apiVersion \"" + c.api_version +
                                              "\" is not " + kV1 + " or " + kV1beta1);
  }
  if (c.interactive_mode.empty()) {
    // v1 makes the field mandatory; v1beta1 defaults it (client-go's exec.go).
    if (c.api_version == kV1)
      return MakeKubeError(Reason::kConfig, who + "interactiveMode must be set with " + kV1);
    c.interactive_mode = "IfAvailable";
  }
  if (c.interactive_mode != "Never" && c.interactive_mode != "IfAvailable" &&
      c.interactive_mode != "Always") {
    return MakeKubeError(Reason::kConfig, who + "interactiveMode \"" + c.interactive_mode +
                                              "\" is not Never, IfAvailable or Always");
  }
  return c;
}

std::optional<std::chrono::system_clock::time_point> ParseRfc3339(const std::string& text) {
  std::tm tm{};
  int consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6) {
    return std::nullopt;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  size_t i = static_cast<size_t>(consumed);
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
  }
  long offset = 0;
  if (i < text.size() && (text[i] == 'Z' || text[i] == 'z')) {
    ++i;
  } else if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
    int h = 0, m = 0;
    if (std::sscanf(text.c_str() + i + 1, "%2d:%2d", &h, &m) != 2) return std::nullopt;
    offset = (text[i] == '+' ? 1 : -1) * (h * 3600L + m * 60L);
    i += 6;
  } else {
    return std::nullopt;
  }
  if (i != text.size()) return std::nullopt;
  return std::chrono::system_clock::from_time_t(::timegm(&tm) - offset);
}

KubeResult<ExecCredential> ParseExecCredential(const std::string& text,
                                               const std::string& api_version,
                                               const std::string& command) {
  const std::string who = "exec command \"" + command + "\": ";
  try {
    const YAML::Node root = YAML::Load(text);
    if (!root.IsMap() || Scalar(root, "kind") != "ExecCredential") {
      return MakeKubeError(Reason::kConfig, who + "its output is not an ExecCredential");
    }
    if (Scalar(root, "apiVersion") != api_version) {
      return MakeKubeError(Reason::kConfig, who + "answered apiVersion \"" +
                                                Scalar(root, "apiVersion") + "\", asked for \"" +
                                                api_version + "\"");
    }
    const YAML::Node status = root["status"];
    if (!status || !status.IsMap())
      return MakeKubeError(Reason::kConfig, who + "the ExecCredential has no status");
    ExecCredential c;
    c.token = Scalar(status, "token");
    c.client_cert_pem = Scalar(status, "clientCertificateData");
    c.client_key_pem = Scalar(status, "clientKeyData");
    if (c.client_cert_pem.empty() != c.client_key_pem.empty()) {
      return MakeKubeError(Reason::kConfig,
                           who + "status has clientCertificateData or clientKeyData without the "
                                 "other");
    }
    if (c.token.empty() && c.client_cert_pem.empty()) {
      return MakeKubeError(Reason::kConfig,
                           who + "status has neither token nor clientCertificateData");
    }
    const std::string expiry = Scalar(status, "expirationTimestamp");
    if (!expiry.empty()) {
      c.expiry = ParseRfc3339(expiry);
      if (!c.expiry) {
        return MakeKubeError(Reason::kConfig,
                             who + "expirationTimestamp \"" + expiry + "\" is not RFC 3339");
      }
    }
    return c;
  } catch (const YAML::Exception& e) {
    return MakeKubeError(Reason::kConfig, who + "its output is not JSON: " + e.what());
  }
}

ExecCredentialSource::ExecCredentialSource(ExecConfig config, Clock now)
    : config_(std::move(config)), now_(now ? std::move(now) : [] {
        return std::chrono::system_clock::now();
      }) {}

KubeResult<ExecCredential> ExecCredentialSource::Get() {
  std::lock_guard lock(mu_);
  if (cached_ && (!cached_->expiry || now_() < *cached_->expiry)) return *cached_;
  cached_.reset();
  auto fresh = Run();
  if (!fresh) return fresh;
  cached_ = *fresh;
  return fresh;
}

void ExecCredentialSource::Invalidate(const std::string& refused) {
  std::lock_guard lock(mu_);
  if (cached_ && cached_->token == refused) cached_.reset();
}

int ExecCredentialSource::runs() const {
  std::lock_guard lock(mu_);
  return runs_;
}

KubeResult<ExecCredential> ExecCredentialSource::Run() {
  ++runs_;
  const std::string who = "kubeconfig: user \"" + config_.user + "\": exec command \"" +
                          config_.command + "\"";
  const bool tty = ::isatty(0) == 1;
  if (config_.interactive_mode == "Always" && !tty) {
    return MakeKubeError(Reason::kConfig,
                         who + " needs a terminal (interactiveMode: Always) and stdin is not one");
  }
  const bool interactive = config_.interactive_mode != "Never" && tty;
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::strncmp(*e, "KUBERNETES_EXEC_INFO=", 21) != 0) env.emplace_back(*e);
  }
  for (const auto& [name, value] : config_.env) env.push_back(name + "=" + value);
  env.push_back("KUBERNETES_EXEC_INFO={\"kind\":\"ExecCredential\",\"apiVersion\":\"" +
                config_.api_version + "\",\"spec\":{\"interactive\":" +
                (interactive ? "true" : "false") + "}}");
  std::vector<std::string> argv{config_.command};
  argv.insert(argv.end(), config_.args.begin(), config_.args.end());
  Ran ran = RunCommand(argv, env, interactive);
  if (ran.exec_errno == ENOENT) {
    std::string message = who + " not found (looked for it on PATH" +
                          std::string(config_.command.find('/') != std::string::npos
                                          ? ", as a path"
                                          : "") +
                          ")";
    if (!config_.install_hint.empty()) message += ". " + config_.install_hint;
    return MakeKubeError(Reason::kConfig, message);
  }
  if (ran.exec_errno != 0) {
    return MakeKubeError(Reason::kConfig,
                         who + " could not be started: " + std::strerror(ran.exec_errno));
  }
  if (!WIFEXITED(ran.status) || WEXITSTATUS(ran.status) != 0) {
    const std::string how = WIFEXITED(ran.status)
                                ? "exit code " + std::to_string(WEXITSTATUS(ran.status))
                                : "signal " + std::to_string(WTERMSIG(ran.status));
    const std::string last = LastLine(ran.err);
    return MakeKubeError(Reason::kConfig,
                         who + " failed with " + how +
                             (last.empty() ? std::string(" (no stderr)") : ": " + last));
  }
  auto parsed = ParseExecCredential(ran.out, config_.api_version, config_.command);
  if (!parsed) parsed.error().message = "kubeconfig: user \"" + config_.user + "\": " +
                                        parsed.error().message;
  return parsed;
}

}  // namespace tidemark::kube
