#include "tests/core/rdb/redis_dataset.h"

#include <filesystem>
#include <random>

#include "tests/testing/redis_server.h"

namespace tidemark::testing {

std::string AllTypesDataset() {
  std::string c;
  std::mt19937 rng(42);
  auto random_bytes = [&](size_t n) {
    std::string s;
    for (size_t i = 0; i < n; ++i) s += "abcdefghijklmnopqrstuvwxyz0123456789"[rng() % 36];
    return s;
  };
  c += "SET int 12345\nSET neg -77\nSET short hello\nSET empty \"\"\n";
  c += "SET compressible " + std::string(300000, 'z') + "\n";
  c += "SET random " + random_bytes(100000) + "\n";
  c += "SET mid " + random_bytes(200) + "\n";
  c += "RPUSH smalllist a b c 1 2 3\n";
  for (int i = 0; i < 40; ++i) {
    c += "RPUSH biglist";
    for (int j = 0; j < 500; ++j) c += " item-" + std::to_string(i * 500 + j);
    c += "\n";
  }
  c += "RPUSH plainlist " + random_bytes(20000) + " small " + std::string(30000, 'p') + "\n";
  c += "SADD intset 1 2 3 -5 100000\nSADD strset a b c\n";
  c += "SADD bigset";
  for (int i = 0; i < 5000; ++i) c += " m" + std::to_string(i);
  c += "\n";
  c += "ZADD smallz 1 a 2.5 b -3 c\n";
  c += "ZADD bigz inf top -inf bottom 1e300 huge";
  for (int i = 0; i < 3000; ++i) c += " " + std::to_string(i) + ".5 z" + std::to_string(i);
  c += "\n";
  c += "HSET smallh f1 v1 f2 v2 num 42\n";
  c += "HSET bigh";
  for (int i = 0; i < 3000; ++i) c += " field" + std::to_string(i) + " " + random_bytes(10);
  c += "\n";
  for (int i = 1; i <= 500; ++i) c += "XADD stream " + std::to_string(i) + "-1 f v" + std::to_string(i) + " g h\n";
  c += "XADD stream 501-1 other 1\n";
  c += "XDEL stream 10-1 11-1\n";
  c += "XGROUP CREATE stream g1 0\nXGROUP CREATE stream g2 $\n";
  c += "XREADGROUP GROUP g1 alice COUNT 7 STREAMS stream >\n";
  c += "XREADGROUP GROUP g1 bob COUNT 3 STREAMS stream >\n";
  c += "XADD emptied 1-1 a 1\nXDEL emptied 1-1\n";
  c += "SET withttl v\nPEXPIREAT withttl 4102444800000\nHSET ttlhash a 1\nEXPIREAT ttlhash 4102444800\n";
  c += "FUNCTION LOAD \"#!lua name=mylib\\nredis.register_function('f1', function() return 1 end)\"\n";
  c += "SELECT 3\nSET k3 v3\nRPUSH l3 x\nSELECT 15\nSET k15 v15\nSELECT 0\n";
  c += "DEBUG POPULATE 20000 pop 16\n";
  return c;
}

std::map<std::string, SavedDataset> SaveAllTypesVariants(const std::string& dir) {
  std::map<std::string, SavedDataset> out;
  for (std::string variant : {"lzf", "nocompress", "nochecksum"}) {
    std::string d = dir + "/" + variant;
    std::filesystem::create_directories(d);
    RedisServer redis(d, {"rdbcompression " + std::string(variant == "nocompress" ? "no" : "yes"),
                          "rdbchecksum " + std::string(variant == "nochecksum" ? "no" : "yes")});
    redis.Pipe(AllTypesDataset());
    redis.Save();
    out[variant] = SavedDataset{d + "/dump.rdb", redis.Digest(), redis.Cli({"INFO", "keyspace"})};
  }
  return out;
}

}  // namespace tidemark::testing
