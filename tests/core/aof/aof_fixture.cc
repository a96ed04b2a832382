#include "tests/core/aof/aof_fixture.h"

#include <chrono>
#include <filesystem>
#include <thread>
#include <stdexcept>

#include "core/aof/manifest.h"
#include "io/aof_files.h"

namespace tidemark::aoftest {

namespace fs = std::filesystem;
using testing::ReadFile;
using testing::RedisServer;
using testing::RunCommand;
using testing::TempDir;

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::vector<std::string> AofServerConfig(const AofConfig& c) {
  return {"appendonly yes", "appendfsync always", "aof-load-truncated yes",
          std::string("aof-use-rdb-preamble ") + (c.preamble ? "yes" : "no"),
          std::string("aof-timestamp-enabled ") + (c.timestamps ? "yes" : "no")};
}

std::string WriteAofDataset(const std::string& dir, const AofConfig& c) {
  RedisServer server(dir, AofServerConfig(c));
  server.Pipe(
      "SET s1 hello\nSET n 10\nINCR n\nRPUSH l a b c d\nHSET h f1 v1 f2 v2\nSADD st 1 2 3\n"
      "SADD sm x y z\nZADD z 1 a 2.5 b -inf c\nXADD x 1-1 f v\nXADD x 2-1 g w\n"
      "XGROUP CREATE x grp 0\nSET big " + std::string(3000, 'b') + "\nPEXPIRE s1 100000000\n"
      "SELECT 3\nSET in3 v\n");
  server.Cli({"DEBUG", "POPULATE", "300", "pop", "20"});
  server.RewriteAof();
  // "#TS:" annotations are written for the first write of a new second.
  auto next_second = [&] {
    if (c.timestamps) std::this_thread::sleep_for(std::chrono::milliseconds(1050));
  };
  next_second();
  server.Pipe(
      "SET after1 v\nMULTI\nSET tx1 a\nINCR n\nLPUSH l z\nEXEC\nHDEL h f1\nSELECT 5\n"
      "SET in5 " + std::string(500, 'q') + "\nZINCRBY z 3 a\nSELECT 0\n");
  next_second();
  server.Pipe(
      "DEL sm\nGETEX s1 PERSIST\nMULTI\nSET tx2 b\nSADD st 9\nEXEC\nSET tail1 t\n"
      "SET tail2 u\n");
  std::string digest = server.Digest();
  server.Stop();
  return digest;
}

std::string AofDir(const std::string& data_dir) { return data_dir + "/appendonlydir"; }
std::string ManifestPath(const std::string& data_dir) {
  return AofDir(data_dir) + "/appendonly.aof.manifest";
}
std::string LastIncrPath(const std::string& data_dir) {
  auto m = aof::ParseManifest(ReadFile(ManifestPath(data_dir)), "manifest");
  if (!m || m->incrs.empty()) throw std::runtime_error("no incr file in " + data_dir);
  return AofDir(data_dir) + "/" + m->incrs.back().name;
}

void CopyDataDir(const std::string& from, const std::string& to) {
  fs::create_directories(to);
  fs::copy(AofDir(from), AofDir(to), fs::copy_options::recursive | fs::copy_options::overwrite_existing);
}

int Tidemark(const std::string& args, std::string* out) {
  return RunCommand(std::string(TIDEMARK_CLI) + " " + args + " 2>&1", out);
}

int CheckAof(const std::string& args, std::string* out) {
  return RunCommand("redis-check-aof " + args + " 2>&1", out);
}

long long CheckAofOkUpTo(const std::string& output) {
  auto pos = output.rfind("ok_up_to=");
  if (pos == std::string::npos) return -1;
  return std::stoll(output.substr(pos + 9));
}

aof::AofReport VerifyDataDir(const std::string& data_dir, const aof::AofVerifyOptions& o) {
  auto where = LocateAof(data_dir);
  if (!where) throw std::runtime_error(where.error().ToString());
  auto report = VerifyAofAt(*where, o);
  if (!report) throw std::runtime_error(report.error().ToString());
  return *report;
}

std::string LoadDigest(const std::string& data_dir, const AofConfig& c) {
  TempDir copy;
  CopyDataDir(data_dir, copy.path());
  RedisServer server(copy.path(), AofServerConfig(c));
  std::string digest = server.Digest();
  server.Stop();
  return digest;
}

}  // namespace tidemark::aoftest
