#include "operator/kube/config.h"

#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>

namespace tidemark::kube {
namespace {

// Tokens, CA bundles and client keys are a few KiB; the bound keeps a kubeconfig that names
// /dev/zero or a FIFO from hanging the operator at start.
constexpr off_t kMaxCredentialFileBytes = 4 << 20;

KubeResult<std::string> ReadWhole(const std::string& path, const std::string& what) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return MakeKubeError(Reason::kConfig, "cannot read " + what + " " + path);
  }
  if (!S_ISREG(st.st_mode)) {
    return MakeKubeError(Reason::kConfig, what + " " + path + " is not a regular file");
  }
  if (st.st_size > kMaxCredentialFileBytes) {
    return MakeKubeError(Reason::kConfig, what + " " + path + " is larger than 4 MiB; is it the right file?");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return MakeKubeError(Reason::kConfig, "cannot read " + what + " " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  size_t b = s.find_first_not_of(" \n\r\t");
  return b == std::string::npos ? "" : s.substr(b);
}

std::string Resolve(const std::string& base_dir, const std::string& path) {
  if (path.empty() || path[0] == '/' || base_dir.empty()) return path;
  return base_dir + "/" + path;
}

std::string Scalar(const YAML::Node& node, const char* key) {
  const YAML::Node v = node[key];
  return v && v.IsScalar() ? v.as<std::string>() : std::string();
}

// The map under `section` named `name` in a kubeconfig list (clusters, users, contexts).
KubeResult<YAML::Node> Named(const YAML::Node& root, const char* list, const char* item,
                             const std::string& name) {
  const YAML::Node entries = root[list];
  if (entries && entries.IsSequence()) {
    for (const YAML::Node& e : entries) {
      if (Scalar(e, "name") == name && e[item] && e[item].IsMap()) return e[item];
    }
  }
  return MakeKubeError(Reason::kConfig, std::string("kubeconfig: no ") + item + " named \"" + name +
                                            "\" in " + list);
}

bool IsLoopback(const std::string& server) {
  for (const char* p : {"http://127.0.0.1:", "http://localhost:", "http://[::1]:"}) {
    if (server.rfind(p, 0) == 0) return true;
  }
  return false;
}

KubeResult<std::string> DataOrFile(const YAML::Node& node, const char* data_key,
                                   const char* file_key, const std::string& base_dir) {
  std::string data = Scalar(node, data_key);
  if (!data.empty()) {
    auto decoded = DecodeBase64(data);
    if (!decoded) {
      decoded.error().message =
          std::string("kubeconfig: ") + data_key + ": " + decoded.error().message;
    }
    return decoded;
  }
  std::string file = Scalar(node, file_key);
  if (!file.empty()) return ReadWhole(Resolve(base_dir, file), file_key);
  return std::string();
}

// kubectl 1.26 removed the gcp and azure providers; oidc remains, and a kubeconfig's id-token is
// a bearer token until it expires. Refreshing it (refresh-token, idp-issuer-url) is not done.
KubeResult<std::string> AuthProviderToken(const YAML::Node& provider, const std::string& user) {
  const std::string who = "kubeconfig: user \"" + user + "\": auth-provider \"";
  const std::string name = Scalar(provider, "name");
  if (name == "gcp") {
    return MakeKubeError(Reason::kConfig,
                         who + name + "\" was removed from kubectl 1.26: use the exec plugin "
                                     "gke-gcloud-auth-plugin (gcloud components install "
                                     "gke-gcloud-auth-plugin, then gcloud container clusters "
                                     "get-credentials)");
  }
  if (name == "azure") {
    return MakeKubeError(Reason::kConfig,
                         who + name + "\" was removed from kubectl 1.26: use the exec plugin "
                                     "kubelogin (kubelogin convert-kubeconfig)");
  }
  if (name != "oidc") {
    return MakeKubeError(Reason::kConfig, who + name +
                                              "\" is not supported (only oidc with an id-token); "
                                              "use an exec credential plugin");
  }
  const YAML::Node config = provider["config"];
  const std::string token = config ? Scalar(config, "id-token") : std::string();
  if (token.empty()) {
    return MakeKubeError(Reason::kConfig,
                         who + "oidc\" has no id-token; refreshing from the identity provider is "
                               "not supported: log in with kubectl first (or use kubelogin as "
                               "an exec plugin)");
  }
  return token;
}

KubeResult<std::shared_ptr<ExecCredentialSource>> ExecSource(const YAML::Node& exec,
                                                             const std::string& user,
                                                             const std::string& base_dir) {
  ExecConfig c;
  c.user = user;
  c.api_version = Scalar(exec, "apiVersion");
  c.command = Scalar(exec, "command");
  // As client-go: a relative path is the kubeconfig's directory's; a bare name is PATH's.
  if (c.command.find('/') != std::string::npos) c.command = Resolve(base_dir, c.command);
  if (const YAML::Node args = exec["args"]; args && args.IsSequence()) {
    for (const YAML::Node& a : args) c.args.push_back(a.as<std::string>());
  }
  if (const YAML::Node env = exec["env"]; env && env.IsSequence()) {
    for (const YAML::Node& e : env) c.env.emplace_back(Scalar(e, "name"), Scalar(e, "value"));
  }
  c.install_hint = Scalar(exec, "installHint");
  c.interactive_mode = Scalar(exec, "interactiveMode");
  auto valid = ValidateExecConfig(std::move(c));
  if (!valid) return std::unexpected(valid.error());
  return std::make_shared<ExecCredentialSource>(std::move(*valid));
}

}  // namespace

std::shared_ptr<TokenSource> TokenSource::Fixed(std::string token) {
  auto s = std::make_shared<TokenSource>();
  s->token_ = std::move(token);
  return s;
}

std::shared_ptr<TokenSource> TokenSource::FromFile(std::string path) {
  auto s = std::make_shared<TokenSource>();
  s->path_ = std::move(path);
  return s;
}

std::shared_ptr<TokenSource> TokenSource::FromExec(std::shared_ptr<ExecCredentialSource> exec) {
  auto s = std::make_shared<TokenSource>();
  s->exec_ = std::move(exec);
  return s;
}

bool TokenSource::Refused(const std::string& token) {
  if (!exec_) return false;
  exec_->Invalidate(token);
  return true;
}

KubeResult<std::string> TokenSource::Token() {
  if (exec_) {
    auto credential = exec_->Get();
    if (!credential) return std::unexpected(credential.error());
    return credential->token;
  }
  std::lock_guard lock(mu_);
  if (path_.empty()) return token_;
  struct stat st {};
  if (::stat(path_.c_str(), &st) != 0) {
    if (!token_.empty()) return token_;  // a rotation in progress: keep the last good one
    return MakeKubeError(Reason::kConfig, "cannot stat token file " + path_);
  }
  bool changed = st.st_mtim.tv_sec != mtime_.tv_sec || st.st_mtim.tv_nsec != mtime_.tv_nsec ||
                 st.st_size != size_ || st.st_ino != inode_;
  if (changed || token_.empty()) {
    auto text = ReadWhole(path_, "token file");
    if (!text) return std::unexpected(text.error());
    std::string token = Trimmed(*text);
    if (token.empty()) {
      if (!token_.empty()) return token_;
      return MakeKubeError(Reason::kConfig, "token file " + path_ + " is empty");
    }
    token_ = token;
    mtime_ = st.st_mtim;
    size_ = st.st_size;
    inode_ = st.st_ino;
  }
  return token_;
}

KubeResult<std::string> DecodeBase64(const std::string& text) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  size_t pad = 0;
  for (char c : text) {
    int v;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      v = c - '0' + 52;
    else if (c == '+')
      v = 62;
    else if (c == '/')
      v = 63;
    else if (c == '=') {
      ++pad;
      continue;
    } else if (c == '\n' || c == '\r' || c == ' ' || c == '\t') {
      continue;
    } else {
      return MakeKubeError(Reason::kConfig, "not base64");
    }
    if (pad > 0) return MakeKubeError(Reason::kConfig, "not base64: data after padding");
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  if (pad > 2) return MakeKubeError(Reason::kConfig, "not base64: too much padding");
  return out;
}

KubeResult<Config> LoadInClusterConfig(const std::function<const char*(const char*)>& getenv,
                                       const InClusterPaths& paths) {
  const char* host = getenv("KUBERNETES_SERVICE_HOST");
  const char* port = getenv("KUBERNETES_SERVICE_PORT");
  if (host == nullptr || *host == '\0' || port == nullptr || *port == '\0') {
    return MakeKubeError(Reason::kConfig,
                         "not in a cluster: KUBERNETES_SERVICE_HOST/PORT are not set");
  }
  Config config;
  std::string h = host;
  if (h.find(':') != std::string::npos) h = "[" + h + "]";  // IPv6
  config.server = "https://" + h + ":" + port;
  auto ca = ReadWhole(paths.ca_file, "service account CA");
  if (!ca) return std::unexpected(ca.error());
  config.ca_pem = *ca;
  config.token = TokenSource::FromFile(paths.token_file);
  auto token = config.token->Token();
  if (!token) return std::unexpected(token.error());
  if (auto ns = ReadWhole(paths.namespace_file, "namespace"))
    config.default_namespace = Trimmed(*ns);
  return config;
}

KubeResult<Config> ParseKubeconfig(const std::string& text, const std::string& base_dir,
                                   const KubeconfigOptions& options) {
  try {
    YAML::Node root = YAML::Load(text);
    if (!root.IsMap()) return MakeKubeError(Reason::kConfig, "kubeconfig: not a map");
    std::string context_name =
        options.context.empty() ? Scalar(root, "current-context") : options.context;
    if (context_name.empty()) {
      return MakeKubeError(Reason::kConfig, "kubeconfig: no current-context and none given");
    }
    auto context = Named(root, "contexts", "context", context_name);
    if (!context) return std::unexpected(context.error());
    auto cluster = Named(root, "clusters", "cluster", Scalar(*context, "cluster"));
    if (!cluster) return std::unexpected(cluster.error());
    Config config;
    config.default_namespace = Scalar(*context, "namespace");
    if (config.default_namespace.empty()) config.default_namespace = "default";
    config.server = Scalar(*cluster, "server");
    while (!config.server.empty() && config.server.back() == '/') config.server.pop_back();
    if (config.server.rfind("https://", 0) != 0 && !IsLoopback(config.server)) {
      return MakeKubeError(Reason::kConfig,
                           "kubeconfig: cluster \"" + Scalar(*context, "cluster") +
                               "\": server \"" + config.server +
                               "\" is not https:// (plain http only to a loopback address)");
    }
    if (Scalar(*cluster, "insecure-skip-tls-verify") == "true" && !options.allow_insecure_flag) {
      return MakeKubeError(Reason::kConfig,
                           "kubeconfig: cluster \"" + Scalar(*context, "cluster") +
                               "\" sets insecure-skip-tls-verify; Tidemark always verifies TLS");
    }
    auto ca = DataOrFile(*cluster, "certificate-authority-data", "certificate-authority", base_dir);
    if (!ca) return std::unexpected(ca.error());
    config.ca_pem = *ca;

    std::string user_name = Scalar(*context, "user");
    if (!user_name.empty()) {
      auto user = Named(root, "users", "user", user_name);
      if (!user) return std::unexpected(user.error());
      if (auto provider = (*user)["auth-provider"]) {
        auto token = AuthProviderToken(provider, user_name);
        if (!token) return std::unexpected(token.error());
        config.token = TokenSource::Fixed(*token);
      }
      if (auto exec = (*user)["exec"]) {
        auto source = ExecSource(exec, user_name, base_dir);
        if (!source) return std::unexpected(source.error());
        config.exec = *source;
        config.token = TokenSource::FromExec(config.exec);
      }
      auto cert = DataOrFile(*user, "client-certificate-data", "client-certificate", base_dir);
      if (!cert) return std::unexpected(cert.error());
      auto key = DataOrFile(*user, "client-key-data", "client-key", base_dir);
      if (!key) return std::unexpected(key.error());
      if (cert->empty() != key->empty()) {
        return MakeKubeError(Reason::kConfig,
                             "kubeconfig: user \"" + user_name +
                                 "\": a client certificate needs its key and the other way round");
      }
      config.client_cert_pem = *cert;
      config.client_key_pem = *key;
      std::string token = Scalar(*user, "token");
      std::string token_file = Scalar(*user, "tokenFile");
      if (config.token) {
        // exec or auth-provider: kubectl prefers them too.
      } else if (!token.empty()) {
        config.token = TokenSource::Fixed(token);
      } else if (!token_file.empty()) {
        config.token = TokenSource::FromFile(Resolve(base_dir, token_file));
      }
    }
    return config;
  } catch (const YAML::Exception& e) {
    return MakeKubeError(Reason::kConfig, std::string("kubeconfig: ") + e.what());
  }
}

KubeResult<Config> LoadKubeconfig(const std::string& path, const KubeconfigOptions& options) {
  auto text = ReadWhole(path, "kubeconfig");
  if (!text) return std::unexpected(text.error());
  size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
  return ParseKubeconfig(*text, dir, options);
}

}  // namespace tidemark::kube
