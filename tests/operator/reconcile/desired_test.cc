// What every rendered manifest must hold, whatever the example: hardened containers, a selector
// that matches the template, owner references, no inline password, the storage layout, and a
// Redis start script that really behaves (it is run with sh against a fake redis-server).
#include <gtest/gtest.h>

#include <sys/stat.h>

#include "core/policy/render_redis_conf.h"
#include "core/policy/render_sidecar_policy.h"
#include "operator/reconcile/desired.h"
#include "operator/reconcile/pod_commands.h"
#include "tests/operator/reconcile/fixtures.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::reconcile {
namespace {

using namespace testing;
using policy::RedisPersistence;

DesiredObjects Render(const std::string& stem) {
  auto r = LoadExample(stem);
  return RenderDesired(MetaFor(r), r, TestOptions());
}

std::vector<Json> AllContainers(const Json& sts) {
  std::vector<Json> out;
  for (const char* list : {"initContainers", "containers"}) {
    const Json* items = FindPath(sts, {"spec", "template", "spec", list});
    if (!items) continue;
    for (const auto& c : items->as_array()) out.push_back(c);
  }
  return out;
}

const Json* Container(const Json& sts, std::string_view name) {
  for (const char* list : {"initContainers", "containers"}) {
    const Json* items = FindPath(sts, {"spec", "template", "spec", list});
    if (!items) continue;
    for (const auto& c : items->as_array())
      if (GetString(c, "name") == std::string(name)) return &c;
  }
  return nullptr;
}

std::vector<std::string> Strings(const Json& list) {
  std::vector<std::string> out;
  for (const auto& s : list.as_array()) out.push_back(s.as_string());
  return out;
}

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::map<std::string, std::string> MountsOf(const Json& container) {
  std::map<std::string, std::string> out;
  for (const auto& m : container.at("volumeMounts").as_array()) {
    EXPECT_FALSE(Find(m, "subPath")) << "subPath mounts are never refreshed by kubelet";
    out[m.at("mountPath").as_string()] = m.at("name").as_string();
  }
  return out;
}

TEST(Desired, EveryContainerIsHardened) {
  for (const auto& file : ExampleFiles()) {
    DesiredObjects d = Render(Stem(file));
    const auto containers = AllContainers(d.stateful_set);
    ASSERT_EQ(containers.size(), DrillsOn(LoadExample(Stem(file))) ? 4u : 3u) << file;
    for (const auto& c : containers) {
      const Json* sc = Find(c, "securityContext");
      ASSERT_TRUE(sc) << file << " " << c.at("name").as_string();
      EXPECT_EQ(GetBool(*sc, "allowPrivilegeEscalation"), false);
      EXPECT_EQ(GetBool(*sc, "readOnlyRootFilesystem"), true);
      EXPECT_EQ(GetBool(*sc, "runAsNonRoot"), true);
      EXPECT_EQ(FindPath(*sc, {"capabilities", "drop"})->serialize(), "[\"ALL\"]");
      EXPECT_EQ(FindPath(*sc, {"seccompProfile", "type"})->as_string(), "RuntimeDefault");
      EXPECT_FALSE(FindPath(*sc, {"privileged"}));
    }
    const Json* pod = FindPath(d.stateful_set, {"spec", "template", "spec", "securityContext"});
    ASSERT_TRUE(pod);
    EXPECT_EQ(GetBool(*pod, "runAsNonRoot"), true);
    EXPECT_NE(GetInt(*pod, "runAsUser"), 0);
    EXPECT_EQ(FindPath(*pod, {"seccompProfile", "type"})->as_string(), "RuntimeDefault");
    EXPECT_EQ(GetBool(*FindPath(d.stateful_set, {"spec", "template", "spec"}),
                      "automountServiceAccountToken"),
              false);
  }
}

TEST(Desired, SelectorMatchesTemplateLabels) {
  for (const auto& file : ExampleFiles()) {
    DesiredObjects d = Render(Stem(file));
    const Json& selector = *FindPath(d.stateful_set, {"spec", "selector", "matchLabels"});
    const Json& labels = *FindPath(d.stateful_set, {"spec", "template", "metadata", "labels"});
    ASSERT_GT(selector.size(), 0u);
    EXPECT_TRUE(Covers(labels, selector)) << file;
    // The Services select the same pods (the client Service narrows to pod 0).
    EXPECT_EQ(*FindPath(d.headless_service, {"spec", "selector"}), selector);
    EXPECT_TRUE(Covers(*FindPath(d.client_service, {"spec", "selector"}), selector));
    for (const auto& claim : FindPath(d.stateful_set, {"spec", "volumeClaimTemplates"})->as_array())
      EXPECT_TRUE(Covers(*FindPath(claim, {"metadata", "labels"}), selector));
  }
}

TEST(Desired, EveryObjectIsOwnedByTheResource) {
  auto r = LoadExample("hybrid");
  ResourceMeta meta = MetaFor(r);
  DesiredObjects d = RenderDesired(meta, r, TestOptions());
  for (const Json* o : {&d.config_map, &d.headless_service, &d.client_service, &d.stateful_set}) {
    const Json& refs = *FindPath(*o, {"metadata", "ownerReferences"});
    ASSERT_EQ(refs.size(), 1u);
    const Json& ref = refs.at(0);
    EXPECT_EQ(GetString(ref, "apiVersion"), "tidemark.dev/v1alpha1");
    EXPECT_EQ(GetString(ref, "kind"), "RedisPersistence");
    EXPECT_EQ(GetString(ref, "name"), "catalog");
    EXPECT_EQ(GetString(ref, "uid"), meta.uid);
    EXPECT_EQ(GetBool(ref, "controller"), true);
    EXPECT_EQ(GetBool(ref, "blockOwnerDeletion"), true);
    EXPECT_EQ(GetString(*FindPath(*o, {"metadata"}), "namespace"), "shop");
    EXPECT_EQ(GetString(*FindPath(*o, {"metadata", "labels"}), "app.kubernetes.io/managed-by"),
              "tidemark-operator");
    EXPECT_TRUE(FindPath(*o, {"metadata", "annotations", "tidemark.dev/desired-hash"}));
  }
}

TEST(Desired, ConfigMapHoldsTheRenderedFragmentAndPolicy) {
  auto r = LoadExample("high-safety");
  DesiredObjects d = RenderDesired(MetaFor(r), r, TestOptions());
  EXPECT_EQ(GetString(*FindPath(d.config_map, {"data"}), "persistence.conf"),
            policy::RenderRedisConf(r));
  EXPECT_EQ(GetString(*FindPath(d.config_map, {"data"}), "policy.json"),
            policy::RenderSidecarPolicy(r));
  EXPECT_EQ(GetString(*FindPath(d.config_map, {"metadata"}), "name"), "orders-persistence");
}

TEST(Desired, PasswordComesFromTheSecretNeverInline) {
  DesiredObjects d = Render("hybrid");  // passwordSecretRef {name: catalog-redis, key: redis-password}
  const Json& redis = *Container(d.stateful_set, "redis");
  int from_secret = 0;
  for (const auto& e : redis.at("env").as_array()) {
    const std::string name = e.at("name").as_string();
    if (name == "REDIS_PASSWORD" || name == "REDISCLI_AUTH") {
      EXPECT_FALSE(Find(e, "value")) << name;
      EXPECT_EQ(FindPath(e, {"valueFrom", "secretKeyRef", "name"})->as_string(), "catalog-redis");
      EXPECT_EQ(FindPath(e, {"valueFrom", "secretKeyRef", "key"})->as_string(), "redis-password");
      ++from_secret;
    }
  }
  EXPECT_EQ(from_secret, 2);
  const Json& sidecar = *Container(d.stateful_set, "sidecar");
  auto args = Strings(sidecar.at("args"));
  auto it = std::find(args.begin(), args.end(), "--password-file");
  ASSERT_NE(it, args.end());
  EXPECT_EQ(*(it + 1), "/etc/tidemark/secret/password");
  EXPECT_EQ(MountsOf(sidecar)["/etc/tidemark/secret"], "redis-password");

  // Without a Secret: no password anywhere.
  DesiredObjects cache = Render("cache");
  const std::string text = cache.stateful_set.serialize();
  EXPECT_EQ(text.find("secretKeyRef"), std::string::npos);
  EXPECT_EQ(text.find("--password-file"), std::string::npos);
}

TEST(Desired, ObjectStoreSecretsAreMountedFilesNeverEnvOrInline) {
  DesiredObjects d = Render("offsite");
  const Json& sts = d.stateful_set;
  for (const char* name : {"sidecar", "restore"}) {
    const Json& c = *Container(sts, name);
    EXPECT_EQ(MountsOf(c)["/etc/tidemark/object-store"], "object-store") << name;
    for (const auto& m : c.at("volumeMounts").as_array())
      if (m.at("name").as_string() == "object-store") {
        EXPECT_TRUE(m.at("readOnly").as_bool());
      }
  }
  EXPECT_EQ(MountsOf(*Container(sts, "redis")).count("/etc/tidemark/object-store"), 0u);
  const Json* volumes = FindPath(sts, {"spec", "template", "spec", "volumes"});
  ASSERT_TRUE(volumes);
  const Json* projected = nullptr;
  for (const auto& v : volumes->as_array())
    if (v.at("name").as_string() == "object-store") projected = Find(v, "projected");
  ASSERT_TRUE(projected);
  EXPECT_EQ(projected->at("defaultMode").as_integer(), 0440);
  // Each key to the file the sidecar policy names.
  std::map<std::string, std::string> files;  // path -> "kind/name/key"
  for (const auto& source : projected->at("sources").as_array())
    for (const char* kind : {"secret", "configMap"})
      if (const Json* ref = Find(source, kind))
        for (const auto& item : ref->at("items").as_array())
          files[item.at("path").as_string()] = std::string(kind) + "/" +
                                                ref->at("name").as_string() + "/" +
                                                item.at("key").as_string();
  EXPECT_EQ(files, (std::map<std::string, std::string>{
                       {"access-key-id", "secret/ledger-s3/accessKeyId"},
                       {"secret-access-key", "secret/ledger-s3/secretAccessKey"},
                       {"ca.crt", "configMap/minio-ca/ca.crt"},
                       {"encryption-key", "secret/ledger-backup-key/key"}}));
  const std::string policy = d.config_map.at("data").at("policy.json").as_string();
  for (const auto& [file, ref] : files)
    EXPECT_NE(policy.find("/etc/tidemark/object-store/" + file), std::string::npos) << file;
  // No key of those Secrets reaches the environment of any container.
  for (const auto& c : AllContainers(sts))
    EXPECT_EQ(c.serialize().find("ledger-s3"), std::string::npos) << c.at("name").as_string();

  // Without an objectStore: no such volume.
  EXPECT_EQ(Render("hybrid").stateful_set.serialize().find("object-store"), std::string::npos);
}

TEST(Desired, StorageLayoutFollowsTheSpec) {
  // high-safety: data and backup volumes, class fast-ssd on the data one. The AOF directory is
  // inside /data on the same volume: nothing is mounted below /data (Redis renames rewritten AOF
  // files from dir into appendonlydir, which fails across file systems).
  DesiredObjects d = Render("high-safety");
  const Json& claims = *FindPath(d.stateful_set, {"spec", "volumeClaimTemplates"});
  ASSERT_EQ(claims.size(), 2u);
  EXPECT_EQ(FindPath(claims.at(0), {"metadata", "name"})->as_string(), "data");
  EXPECT_EQ(FindPath(claims.at(0), {"spec", "resources", "requests", "storage"})->as_string(),
            "100Gi");
  EXPECT_EQ(FindPath(claims.at(0), {"spec", "storageClassName"})->as_string(), "fast-ssd");
  EXPECT_EQ(FindPath(claims.at(1), {"metadata", "name"})->as_string(), "backup");
  EXPECT_FALSE(FindPath(claims.at(1), {"spec", "storageClassName"}));
  for (const char* c : {"redis", "sidecar", "restore"}) {
    auto mounts = MountsOf(*Container(d.stateful_set, c));
    EXPECT_EQ(mounts["/data"], "data") << c;
    for (const auto& [path, volume] : mounts)
      EXPECT_NE(path.rfind("/data/", 0), 0u) << c << " mounts " << volume << " at " << path;
  }
  EXPECT_EQ(MountsOf(*Container(d.stateful_set, "restore"))["/backup"], "backup");
  EXPECT_EQ(MountsOf(*Container(d.stateful_set, "sidecar"))["/backup"], "backup");
  EXPECT_EQ(MountsOf(*Container(d.stateful_set, "redis")).count("/backup"), 0u);

  // cache: one claim; the sidecar's store is scratch space; the restore step gets no store.
  DesiredObjects cache = Render("cache");
  EXPECT_EQ(FindPath(cache.stateful_set, {"spec", "volumeClaimTemplates"})->size(), 1u);
  EXPECT_EQ(MountsOf(*Container(cache.stateful_set, "restore")).count("/backup"), 0u);
  EXPECT_EQ(MountsOf(*Container(cache.stateful_set, "redis")).count("/data/appendonlydir"), 0u);
  auto restore_args = Strings(Container(cache.stateful_set, "restore")->at("args"));
  EXPECT_EQ(std::find(restore_args.begin(), restore_args.end(), "--store"), restore_args.end());
  bool scratch = false;
  for (const auto& v : FindPath(cache.stateful_set, {"spec", "template", "spec", "volumes"})->as_array())
    scratch |= GetString(v, "name") == "backup" && Find(v, "emptyDir");
  EXPECT_TRUE(scratch);
}

const Json* Volume(const Json& sts, std::string_view name) {
  for (const auto& v : FindPath(sts, {"spec", "template", "spec", "volumes"})->as_array())
    if (GetString(v, "name") == std::string(name)) return &v;
  return nullptr;
}

std::string SidecarLimit(const RedisPersistence& r) {
  const DesiredObjects d = RenderDesired(MetaFor(r), r, TestOptions());
  const Json* c = Container(d.stateful_set, "sidecar");
  const Json* limit = FindPath(*c, {"resources", "limits", "memory"});
  return limit ? limit->as_string() : "<none>";
}

TEST(Desired, DrillsRunThePodsOwnRedisServerWithinTheSidecarsMemoryLimit) {
  // hybrid: drills with a 4Gi budget.
  const RedisPersistence hybrid = LoadExample("hybrid");
  DesiredObjects d = RenderDesired(MetaFor(hybrid), hybrid, TestOptions());
  const Json* copy = Container(d.stateful_set, "copy-redis-server");
  ASSERT_TRUE(copy);
  EXPECT_EQ(GetString(*copy, "image"), hybrid.spec.workload.image) << "the pod's Redis build";
  EXPECT_EQ(Strings(copy->at("command")), CopyRedisServerCommand());
  EXPECT_EQ(MountsOf(*copy), (std::map<std::string, std::string>{{"/tidemark/redis-bin", "redis-bin"}}));
  const Json& init = *FindPath(d.stateful_set, {"spec", "template", "spec", "initContainers"});
  EXPECT_EQ(GetString(init.at(0), "name"), "restore") << "the restore step stays first";

  const Json* sidecar = Container(d.stateful_set, "sidecar");
  auto args = Strings(sidecar->at("args"));
  auto flag = [&](const std::string& name) {
    auto it = std::find(args.begin(), args.end(), name);
    return it == args.end() || it + 1 == args.end() ? std::string() : *(it + 1);
  };
  EXPECT_EQ(flag("--redis-server"), "/tidemark/redis-bin/redis-server");
  EXPECT_EQ(flag("--work-dir"), "/tidemark/drill");
  auto mounts = MountsOf(*sidecar);
  EXPECT_EQ(mounts["/tidemark/redis-bin"], "redis-bin");
  EXPECT_EQ(mounts["/tidemark/drill"], "drill-scratch");
  for (const auto& m : sidecar->at("volumeMounts").as_array()) {
    if (GetString(m, "name") == "redis-bin") {
      EXPECT_EQ(GetBool(m, "readOnly"), true);
    }
  }
  for (const char* v : {"redis-bin", "drill-scratch"}) {
    ASSERT_TRUE(Volume(d.stateful_set, v)) << v;
    EXPECT_TRUE(Find(*Volume(d.stateful_set, v), "emptyDir")) << v;
    EXPECT_FALSE(FindPath(*Volume(d.stateful_set, v), {"emptyDir", "medium"})) << v;
  }
  // 256Mi of its own + the 4Gi budget; the request is unchanged, the restore step untouched.
  EXPECT_EQ(FindPath(*sidecar, {"resources", "limits", "memory"})->as_string(), "4352Mi");
  EXPECT_EQ(FindPath(*sidecar, {"resources", "requests", "memory"})->as_string(), "64Mi");
  EXPECT_EQ(FindPath(*Container(d.stateful_set, "restore"), {"resources", "limits", "memory"})->as_string(),
            "256Mi");

  RedisPersistence decimal = hybrid;
  decimal.spec.backup->drill->memory_budget = "1.5G";
  EXPECT_EQ(SidecarLimit(decimal), std::to_string(268435456 + 1500000000));
  RedisPersistence unbounded = hybrid;
  unbounded.spec.backup->drill->memory_budget.reset();
  EXPECT_EQ(SidecarLimit(unbounded), "<none>") << "a drill without a budget may load anything";

  // minimal: no drills, none of it.
  const RedisPersistence minimal = LoadExample("minimal");
  DesiredObjects m = RenderDesired(MetaFor(minimal), minimal, TestOptions());
  EXPECT_FALSE(Container(m.stateful_set, "copy-redis-server"));
  EXPECT_FALSE(Volume(m.stateful_set, "redis-bin"));
  EXPECT_FALSE(Volume(m.stateful_set, "drill-scratch"));
  auto plain = Strings(Container(m.stateful_set, "sidecar")->at("args"));
  EXPECT_EQ(std::find(plain.begin(), plain.end(), "--redis-server"), plain.end());
  EXPECT_EQ(SidecarLimit(minimal), "256Mi");
}

// Runs the copy step's command as kubelet would, with `path` as PATH; returns its exit code.
int RunCopyStep(const std::string& path, const std::string& dest, std::string* out) {
  std::string cmd = "env PATH=" + ShellQuote(path);
  for (const auto& a : CopyRedisServerCommand())
    cmd += " " + ShellQuote(a == "/tidemark/redis-bin/redis-server" ? dest : a);
  return tidemark::testing::RunCommand(cmd + " 2>&1", out);
}

TEST(Desired, TheCopyStepCopiesTheImagesRedisServerAndNeverFailsThePod) {
  tidemark::testing::TempDir dir;
  const std::string image_bin = dir.File("image-bin"), tools = dir.File("tools");
  ::mkdir(image_bin.c_str(), 0755);
  ::mkdir(tools.c_str(), 0755);
  // PATH holds only sh, cp, mv, rm (and the image's redis-server when it has one): /usr/bin
  // here has Debian's redis-server, which must not be what is found.
  for (const char* tool : {"sh", "cp", "mv", "rm"})
    ASSERT_EQ(tidemark::testing::RunCommand("ln -s \"$(command -v " + std::string(tool) + ")\" '" +
                                            tools + "/" + tool + "'"),
              0);
  const std::string server = "#!/bin/sh\necho 'Redis server v=7.2.4 (the image build)'\n";
  tidemark::testing::WriteFile(image_bin + "/redis-server", server);
  ::chmod((image_bin + "/redis-server").c_str(), 0755);
  const std::string dest = dir.File("redis-bin-redis-server");

  std::string out;
  EXPECT_EQ(RunCopyStep(image_bin + ":" + tools, dest, &out), 0) << out;
  EXPECT_EQ(tidemark::testing::ReadFile(dest), server);
  struct stat st{};
  ASSERT_EQ(::stat(dest.c_str(), &st), 0);
  EXPECT_TRUE(st.st_mode & S_IXUSR) << "the copy must stay executable";
  EXPECT_NE(out.find("copied " + image_bin + "/redis-server"), std::string::npos) << out;

  // An image without redis-server: the pod still starts (exit 0), the stale copy is gone and
  // the log says drills will fail.
  EXPECT_EQ(RunCopyStep(tools, dest, &out), 0) << out;
  EXPECT_NE(::stat(dest.c_str(), &st), 0) << "a copy of another image must not stay";
  EXPECT_NE(out.find("restore drills will fail"), std::string::npos) << out;
}

TEST(Desired, PeersComeFromTheConfigMapAndTheTokenFromTheSetsSecret) {
  DesiredObjects d = Render("hybrid");  // 3 replicas, namespace shop
  EXPECT_EQ(GetString(*Find(d.config_map, "data"), "peers"),
            "http://catalog-1.catalog-headless.shop.svc:9122,"
            "http://catalog-2.catalog-headless.shop.svc:9122");
  const Json* restore = Container(d.stateful_set, "restore");
  auto args = Strings(restore->at("args"));
  auto after = [&](const std::vector<std::string>& list, const std::string& flag) {
    auto it = std::find(list.begin(), list.end(), flag);
    return it == list.end() || it + 1 == list.end() ? std::string("<absent>") : *(it + 1);
  };
  // kubelet expands $(TIDEMARK_PEERS) when the container starts, from the ConfigMap: a scale
  // changes the ConfigMap only (config_hash_test: the template stays).
  EXPECT_EQ(after(args, "--peers"), "$(TIDEMARK_PEERS)");
  EXPECT_EQ(after(args, "--peer-token-file"), "/etc/tidemark/peer/token");
  bool env_from_config_map = false;
  for (const auto& e : restore->at("env").as_array())
    if (GetString(e, "name") == "TIDEMARK_PEERS")
      env_from_config_map =
          *FindPath(e, {"valueFrom", "configMapKeyRef"}) ==
          Obj({{"name", Str("catalog-persistence")}, {"key", Str("peers")}});
  EXPECT_TRUE(env_from_config_map);
  EXPECT_EQ(after(Strings(Container(d.stateful_set, "sidecar")->at("args")), "--peer-token-file"),
            "/etc/tidemark/peer/token");
  // The peers' URLs name the port the sidecars serve the peer endpoints on.
  EXPECT_EQ(after(Strings(Container(d.stateful_set, "sidecar")->at("args")), "--peer-listen"),
            "0.0.0.0:9122");
  for (const char* c : {"restore", "sidecar"}) {
    EXPECT_EQ(MountsOf(*Container(d.stateful_set, c))["/etc/tidemark/peer"], "peer-token") << c;
    for (const auto& m : Container(d.stateful_set, c)->at("volumeMounts").as_array())
      if (GetString(m, "name") == "peer-token") {
        EXPECT_EQ(GetBool(m, "readOnly"), true) << c;
      }
  }
  EXPECT_EQ(MountsOf(*Container(d.stateful_set, "redis")).count("/etc/tidemark/peer"), 0u)
      << "Redis has no use for the token";
  const Json* volume = nullptr;
  for (const auto& v : FindPath(d.stateful_set, {"spec", "template", "spec", "volumes"})->as_array())
    if (GetString(v, "name") == "peer-token") volume = &v;
  ASSERT_TRUE(volume);
  EXPECT_EQ(GetString(*Find(*volume, "secret"), "secretName"), "catalog-peer-token");

  // One pod: no peers, the same template otherwise (scaling up later restarts nothing).
  DesiredObjects one = Render("minimal");
  EXPECT_EQ(GetString(*Find(one.config_map, "data"), "peers"), "");
  EXPECT_EQ(after(Strings(Container(one.stateful_set, "restore")->at("args")), "--peers"),
            "$(TIDEMARK_PEERS)");
}

TEST(Desired, ServicesGiveStableNamesAndAPrimaryEndpoint) {
  DesiredObjects d = Render("hybrid");
  EXPECT_EQ(GetString(*FindPath(d.headless_service, {"metadata"}), "name"), "catalog-headless");
  EXPECT_EQ(GetString(*FindPath(d.headless_service, {"spec"}), "clusterIP"), "None");
  EXPECT_EQ(GetBool(*FindPath(d.headless_service, {"spec"}), "publishNotReadyAddresses"), true);
  EXPECT_EQ(GetString(*FindPath(d.stateful_set, {"spec"}), "serviceName"), "catalog-headless");
  EXPECT_EQ(GetString(*FindPath(d.client_service, {"metadata"}), "name"), "catalog");
  EXPECT_EQ(GetString(*FindPath(d.client_service, {"spec", "selector"}),
                      "statefulset.kubernetes.io/pod-name"),
            "catalog-0");
  EXPECT_EQ(GetInt(*FindPath(d.stateful_set, {"spec"}), "replicas"), 3);
  // Replicas' sidecars find pod 0 by its stable name: its Redis and its sidecar's peer port.
  std::vector<std::string> args;
  for (const auto& a : Container(d.stateful_set, "sidecar")->at("args").as_array())
    args.push_back(a.as_string());
  auto after = [&](const std::string& flag) {
    auto it = std::find(args.begin(), args.end(), flag);
    return it == args.end() || it + 1 == args.end() ? std::string() : *(it + 1);
  };
  EXPECT_EQ(after("--primary-redis"), "catalog-0.catalog-headless.shop.svc:6379");
  EXPECT_EQ(after("--primary-peer"), "http://catalog-0.catalog-headless.shop.svc:9122");
  EXPECT_EQ(after("--holdback-placeholder"), "127.0.0.1:1");
  EXPECT_NE(std::find(args.begin(), args.end(), "--replica-unless-pod-0"), args.end());
}

// Runs the Redis container's command as kubelet would (command + args, with the env), with a
// fake redis-server on PATH that prints one argument a line.
std::vector<std::string> RunRedisStart(const std::string& pod, const std::string& password) {
  tidemark::testing::TempDir dir;
  tidemark::testing::WriteFile(dir.File("redis-server"),
                               "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done\n");
  ::chmod(dir.File("redis-server").c_str(), 0755);
  std::string cmd = "env PATH='" + dir.path() + ":/usr/bin:/bin' POD_NAME='" + pod + "'";
  if (!password.empty()) cmd += " REDIS_PASSWORD=\"" + password + "\"";
  std::vector<std::string> argv = RedisCommand();
  for (const auto& a : RedisArgs()) argv.push_back(a);
  for (const auto& a : argv) cmd += " " + ShellQuote(a);
  std::string out;
  EXPECT_EQ(tidemark::testing::RunCommand(cmd, &out), 0) << cmd;
  std::vector<std::string> lines;
  size_t pos = 0;
  while (pos < out.size()) {
    size_t end = out.find('\n', pos);
    lines.push_back(out.substr(pos, end - pos));
    pos = end + 1;
  }
  return lines;
}

TEST(Desired, RedisStartScriptStartsReplicasAtThePlaceholderAndPassesThePasswordAsOneArgument) {
  auto primary = RunRedisStart("catalog-0", "");
  EXPECT_EQ(primary, RedisArgs());
  // Held until its sidecar has judged pod 0 (the hold-back), never at pod 0 directly.
  auto replica = RunRedisStart("catalog-10", "p w'd");
  std::vector<std::string> want = RedisArgs();
  for (const char* a : {"--requirepass", "p w'd", "--masterauth", "p w'd", "--replicaof",
                        "127.0.0.1", "1"})
    want.push_back(a);
  EXPECT_EQ(replica, want);
  EXPECT_EQ(RedisArgs().front(), "/etc/tidemark/config/persistence.conf");
}

TEST(Desired, MaxRdbVersionFromTheImageTag) {
  EXPECT_EQ(MaxRdbVersionForImage("redis:7.0"), 10);
  EXPECT_EQ(MaxRdbVersionForImage("docker.io/library/redis:7.2.4-alpine"), 11);
  EXPECT_EQ(MaxRdbVersionForImage("registry:5000/redis:7.4.1"), 12);
  EXPECT_EQ(MaxRdbVersionForImage("redis:6.2"), 9);
  EXPECT_EQ(MaxRdbVersionForImage("redis:8.0.2"), 12);
  EXPECT_EQ(MaxRdbVersionForImage("redis:latest"), std::nullopt);
  EXPECT_EQ(MaxRdbVersionForImage("redis:7"), std::nullopt);
  EXPECT_EQ(MaxRdbVersionForImage("registry:5000/redis"), std::nullopt);
  EXPECT_EQ(MaxRdbVersionForImage("redis@sha256:abcd"), std::nullopt);
}

TEST(Desired, DesiredHashCoversTheWholeObject) {
  DesiredObjects d = Render("minimal");
  Json again = d.config_map;
  StampDesiredHash(again);
  EXPECT_EQ(again, d.config_map);  // stamping is idempotent
  Json changed = d.config_map;
  changed["data"]["persistence.conf"] = Str("save \"\"\n");
  StampDesiredHash(changed);
  EXPECT_NE(*FindPath(changed, {"metadata", "annotations", "tidemark.dev/desired-hash"}),
            *FindPath(d.config_map, {"metadata", "annotations", "tidemark.dev/desired-hash"}));
}

}  // namespace
}  // namespace tidemark::reconcile
