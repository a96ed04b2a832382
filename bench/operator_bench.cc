// operator_bench: the real tidemark-operator binary against the fake API server (in this
// process, HTTP on 127.0.0.1) with N RedisPersistence resources. Not a test: it prints figures
// for docs/benchmarks.md.
//
//   operator_bench OPERATOR_BINARY [--resources N] [--steady-seconds S] [--namespaces K]
//
// 1. N resources (the hybrid example's spec, renamed) in K namespaces are created before the
//    operator starts, as after an operator upgrade on a populated cluster.
// 2. Converged: every resource has a status for its generation, its StatefulSet exists, and
//    no write came for 3 s. Reported: the time from the operator's start to the last write,
//    and reconciles per second (the operator's tidemark_operator_reconciles_total over that
//    time; it also counts the passes during the quiet 3 s, which are few).
// 3. Steady state: nothing changes for S seconds; the write requests (create, update, patch,
//    delete) the fake receives in that time are counted, with the reconciles done meanwhile
//    (every resource is reconciled again every --resync-period, 30 s, to poll its sidecars).
// 4. The operator's peak RSS (VmHWM from /proc).
#include <cpprest/http_client.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/operator/controller/child_process.h"
#include "tests/operator/fake_apiserver/fake_apiserver.h"

namespace {

using Clock = std::chrono::steady_clock;
using Json = web::json::value;

const char kToken[] = "bench-token";

std::string Spec(const std::string& name, const std::string& ns) {
  return R"({"apiVersion":"tidemark.dev/v1alpha1","kind":"RedisPersistence","metadata":{"name":")" +
         name + R"(","namespace":")" + ns + R"("},"spec":{"mode":"hybrid",
    "workload":{"replicas":3,"passwordSecretRef":{"name":"catalog-redis","key":"redis-password"}},
    "aof":{"fsync":"everysec","rdbPreamble":true,"rewrite":{"growthPercent":100,"minSize":"64Mi",
      "maxSize":"8Gi","window":{"start":"01:00","end":"05:00"}}},
    "storage":{"data":{"size":"20Gi"},"backup":{"size":"100Gi"}},
    "backup":{"schedule":"30 */6 * * *","retention":{"keepLast":8,"keepDaily":14,"keepWeekly":8},
      "verifyAfterCopy":true,"allowEmpty":false},
    "restore":{"when":"auto","source":{"type":"latest"}}}})";
}

// A field of /proc/PID/status in kB ("VmHWM", "VmRSS"); -1 when unreadable.
double ProcKb(int pid, const std::string& key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + ":", 0) == 0) return std::atof(line.c_str() + key.size() + 1);
  }
  return -1;
}

// utime + stime of the process, in seconds; -1 when unreadable.
double ProcCpuSeconds(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t close = text.rfind(')');  // the command name may hold spaces
  if (close == std::string::npos) return -1;
  std::istringstream fields(text.substr(close + 2));
  std::string field;
  double utime = 0, stime = 0;
  for (int i = 3; fields >> field; ++i) {  // field 3 is the state
    if (i == 14) utime = std::atof(field.c_str());
    if (i == 15) {
      stime = std::atof(field.c_str());
      break;
    }
  }
  return (utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

// tidemark_operator_reconciles_total over all results; -1 when /metrics does not answer.
int64_t Reconciles(int port) {
  try {
    web::http::client::http_client client("http://127.0.0.1:" + std::to_string(port));
    std::string text =
        client.request(web::http::methods::GET, "/metrics").get().extract_string().get();
    int64_t total = 0;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("tidemark_operator_reconciles_total{", 0) == 0)
        total += std::stoll(line.substr(line.rfind(' ') + 1));
    }
    return total;
  } catch (const std::exception&) {
    return -1;
  }
}

struct Counts {
  int converged = 0;
  int stateful_sets = 0;
};

Counts Count(tidemark::fake::FakeApiServer& fake) {
  const std::map<std::string, std::string> headers = {
      {"authorization", std::string("Bearer ") + kToken}};
  Counts c;
  auto rps = fake.Handle("GET", "/apis/tidemark.dev/v1alpha1/redispersistences", headers, "");
  if (rps.status == 200) {
    Json list = Json::parse(rps.body);
    for (const auto& item : list.at("items").as_array()) {
      if (!item.has_field("status") || !item.at("status").has_field("observedGeneration")) continue;
      if (item.at("status").at("observedGeneration").as_number().to_int64() ==
          item.at("metadata").at("generation").as_number().to_int64())
        ++c.converged;
    }
  }
  auto sts = fake.Handle("GET", "/apis/apps/v1/statefulsets", headers, "");
  if (sts.status == 200)
    c.stateful_sets = static_cast<int>(Json::parse(sts.body).at("items").size());
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: operator_bench OPERATOR_BINARY [--resources N] [--steady-seconds S] "
                 "[--namespaces K]\n";
    return 2;
  }
  const std::string binary = argv[1];
  int n = 1000, steady = 60, namespaces = 10;
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const int v = std::atoi(argv[i + 1]);
    if (flag == "--resources") {
      n = v;
    } else if (flag == "--steady-seconds") {
      steady = v;
    } else if (flag == "--namespaces") {
      namespaces = v;
    } else {
      std::cerr << "unknown flag " << flag << "\n";
      return 2;
    }
  }

  tidemark::fake::FakeApiServerOptions options;
  options.bookmark_interval_ms = 60000;
  std::string error;
  auto fake = tidemark::fake::FakeApiServer::Start(options, &error);
  if (!fake) {
    std::cerr << "fake: " << error << "\n";
    return 1;
  }
  fake->AddAdminToken(kToken);
  const std::map<std::string, std::string> headers = {
      {"authorization", std::string("Bearer ") + kToken}, {"content-type", "application/json"}};
  for (int i = 0; i < n; ++i) {
    const std::string ns = "bench-" + std::to_string(i % namespaces);
    const std::string name = "redis-" + std::to_string(i);
    auto r = fake->Handle("POST",
                          "/apis/tidemark.dev/v1alpha1/namespaces/" + ns + "/redispersistences",
                          headers, Spec(name, ns));
    if (r.status != 201) {
      std::cerr << "create " << name << ": " << r.status << " " << r.body << "\n";
      return 1;
    }
  }

  char dir_template[] = "/tmp/operator-bench-XXXXXX";
  const std::string dir = ::mkdtemp(dir_template);
  const std::string kubeconfig = dir + "/kubeconfig";
  std::ofstream(kubeconfig) << "apiVersion: v1\nkind: Config\nclusters:\n- name: fake\n  cluster:\n"
                               "    server: "
                            << fake->url() << "\nusers:\n- name: bench\n  user:\n    token: "
                            << kToken
                            << "\ncontexts:\n- name: fake\n  context:\n    cluster: fake\n"
                               "    user: bench\ncurrent-context: fake\n";
  const int port = tidemark::testing::FreeLoopbackPort();
  const std::vector<std::string> args = {
      "--kubeconfig=" + kubeconfig, "--sidecar-image=tidemark/sidecar:bench",
      "--metrics-bind-address=127.0.0.1:" + std::to_string(port), "--health-probe-bind-address=0",
      "--log-level=warn"};
  const std::string log = dir + "/operator.log";
  const int writes_before = fake->write_count();
  const auto start = Clock::now();
  tidemark::testing::ChildProcess op(binary, args, {}, log);

  // Converged: every status written for its generation, every StatefulSet there, and then no
  // write for 3 s (a status moves once more when the pass sees its own StatefulSet); the time
  // is that of the last write.
  Counts c;
  double converge_s = -1;
  int last_writes = fake->write_count();
  auto last_write_at = Clock::now();
  while (std::chrono::duration<double>(Clock::now() - start).count() < 600) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    if (int w = fake->write_count(); w != last_writes) {
      last_writes = w;
      last_write_at = Clock::now();
      continue;
    }
    if (Clock::now() - last_write_at < std::chrono::seconds(3)) continue;
    c = Count(*fake);
    if (c.converged == n && c.stateful_sets == n) {
      converge_s = std::chrono::duration<double>(last_write_at - start).count();
      break;
    }
  }
  const int64_t reconciles_converged = Reconciles(port);
  const int writes_converged = fake->write_count();
  const size_t requests_converged = fake->Requests().size();
  const double cpu_converged = ProcCpuSeconds(op.pid());
  const double hwm_converged = ProcKb(op.pid(), "VmHWM");

  std::this_thread::sleep_for(std::chrono::seconds(steady));
  const int writes_steady = fake->write_count() - writes_converged;
  const int64_t reconciles_steady = Reconciles(port) - reconciles_converged;
  const double hwm = ProcKb(op.pid(), "VmHWM"), rss = ProcKb(op.pid(), "VmRSS");
  const double cpu_end = ProcCpuSeconds(op.pid());
  // What the steady state sent, by verb and resource.
  std::map<std::string, int> sent;
  const auto requests = fake->Requests();
  for (size_t i = requests_converged; i < requests.size(); ++i)
    ++sent[requests[i].verb + " " + requests[i].resource];
  const int exit_code = op.Terminate();

  std::printf("resources                 %d in %d namespaces (3 replicas each)\n", n, namespaces);
  if (converge_s < 0) {
    std::printf("NOT converged within 600 s: %d statuses, %d StatefulSets; log %s\n", c.converged,
                c.stateful_sets, log.c_str());
    return 1;
  }
  std::printf("time to converge          %.1f s\n", converge_s);
  std::printf("reconciles to converge    %lld (%.0f per second)\n",
              static_cast<long long>(reconciles_converged), reconciles_converged / converge_s);
  std::printf("API writes to converge    %d (%.1f per resource)\n",
              writes_converged - writes_before,
              static_cast<double>(writes_converged - writes_before) / n);
  std::printf("operator CPU to converge  %.1f s (user+sys)\n", cpu_converged);
  std::printf("steady state (%d s)       %d API writes, %lld reconciles (resyncs), %.1f s CPU\n",
              steady, writes_steady, static_cast<long long>(reconciles_steady),
              cpu_end - cpu_converged);
  for (const auto& [what, count] : sent) std::printf("  steady requests: %-40s %d\n", what.c_str(), count);
  std::printf("operator peak RSS         %.1f MB (%.1f MB at convergence; %.1f MB at the end)\n",
              hwm / 1024, hwm_converged / 1024, rss / 1024);
  std::printf("operator exit on SIGTERM  %d; log %s\n", exit_code, log.c_str());
  return 0;
}
