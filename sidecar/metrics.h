// The sidecar's metrics, served at /metrics in the Prometheus text format (version 0.0.4).
// A family is declared once with its type and help; samples are keyed by their label set.
// Thread-safe: the run loop updates, the HTTP thread renders.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace tidemark::sidecar {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Metrics {
 public:
  enum class Type { kCounter, kGauge };
  void Declare(const std::string& name, Type type, const std::string& help);
  // Undeclared names are a bug (aborts): every metric is documented.
  void Add(const std::string& name, const Labels& labels, double delta = 1);
  void Set(const std::string& name, const Labels& labels, double value);
  std::string Render() const;

 private:
  struct Family {
    Type type;
    std::string help;
    std::map<std::string, double> samples;  // rendered label set -> value
  };
  Family& Get(const std::string& name);
  mutable std::mutex mu_;
  std::map<std::string, Family> families_;
};

// The families `tidemark-sidecar run` exports, declared in one place.
void DeclareSidecarMetrics(Metrics& metrics);

}  // namespace tidemark::sidecar
