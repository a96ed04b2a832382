// bench/s3_bench.sh's Tidemark side: uploads (put) or downloads (get) one object with the S3
// client, the way the sidecar will, so its speed and memory can be set beside aws s3 cp and
// curl. Configuration from the environment: S3_ENDPOINT, S3_BUCKET, AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY, optional S3_REGION, S3_PART_MB, S3_UNSIGNED=1 (UNSIGNED-PAYLOAD),
// S3_MULTIPART=1 (a put does not declare the file's size, so it goes as a multipart upload
// instead of one streamed PUT).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "sidecar/clock.h"
#include "sidecar/objstore/s3_client.h"

namespace {

std::string Env(const char* name, const char* fallback = nullptr) {
  const char* v = std::getenv(name);
  if (v) return v;
  if (fallback) return fallback;
  std::fprintf(stderr, "s3_put: set %s\n", name);
  std::exit(2);
}

class FdSink final : public tidemark::ByteSink {
 public:
  explicit FdSink(int fd) : fd_(fd) {}
  tidemark::Status Update(std::span<const uint8_t> chunk) override {
    while (!chunk.empty()) {
      ssize_t n = ::write(fd_, chunk.data(), chunk.size());
      if (n <= 0) return tidemark::MakeError(tidemark::ErrorCode::kIo, "write failed");
      chunk = chunk.subspan(static_cast<size_t>(n));
    }
    return {};
  }

 private:
  int fd_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4 || (std::string(argv[1]) != "put" && std::string(argv[1]) != "get")) {
    std::fprintf(stderr, "usage: s3_put put|get FILE KEY\n");
    return 2;
  }
  using namespace tidemark::objstore;
  S3Config config;
  config.endpoint = Env("S3_ENDPOINT");
  config.bucket = Env("S3_BUCKET");
  config.region = Env("S3_REGION", "us-east-1");
  config.credentials = {Env("AWS_ACCESS_KEY_ID"), Env("AWS_SECRET_ACCESS_KEY"), ""};
  config.part_size = static_cast<size_t>(std::stoi(Env("S3_PART_MB", "8"))) << 20;
  config.sign_payload = Env("S3_UNSIGNED", "0") != "1";
  auto client = S3Client::Create(config, tidemark::sidecar::RealClock());
  if (!client) {
    std::fprintf(stderr, "s3_put: %s\n", client.error().ToString().c_str());
    return 1;
  }
  if (std::string(argv[1]) == "get") {
    int fd = ::open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
    FdSink sink(fd);
    auto s = (*client)->GetObject(argv[3], sink);
    ::close(fd);
    if (!s) std::fprintf(stderr, "s3_put: %s\n", s.error().ToString().c_str());
    return s ? 0 : 1;
  }
  int fd = ::open(argv[2], O_RDONLY);
  if (fd < 0) {
    std::perror(argv[2]);
    return 1;
  }
  struct stat st {};
  std::optional<uint64_t> size;
  if (Env("S3_MULTIPART", "0") != "1" && ::fstat(fd, &st) == 0) size = static_cast<uint64_t>(st.st_size);
  auto upload = (*client)->StartUpload(argv[3], {}, size);
  std::vector<uint8_t> buf(1 << 20);
  for (;;) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0) {
      std::perror("read");
      return 1;
    }
    if (n == 0) break;
    if (auto s = upload->Update(std::span<const uint8_t>(buf).first(static_cast<size_t>(n))); !s) {
      std::fprintf(stderr, "s3_put: %s\n", s.error().ToString().c_str());
      return 1;
    }
  }
  auto etag = upload->Finish();
  if (!etag) {
    std::fprintf(stderr, "s3_put: %s\n", etag.error().ToString().c_str());
    return 1;
  }
  return 0;
}
