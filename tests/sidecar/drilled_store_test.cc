// Which store a drill reads (backup_targets.h, OpenDrilledStore): the volume whenever the policy
// keeps backups there, the object store only when the policy names it alone. The object store's
// credential files are read only in that case: a drill of the volume does not fail, nor even
// look, when they are missing.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <optional>

#include "sidecar/backup_targets.h"
#include "sidecar/dir_backup_store.h"
#include "tests/sidecar/fake_clock.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::sidecar {
namespace {

using testing::TempDir;

class DrilledStoreChoice : public ::testing::Test {
 protected:
  DrilledStoreChoice() {
    ::mkdir(tmp_.File("store").c_str(), 0755);
    auto opened = DirBackupStore::Open(tmp_.File("store"));
    EXPECT_TRUE(opened) << opened.error().ToString();
    local_.emplace(std::move(*opened));
  }
  // The policy's backup.destinations; the object store's credential files exist when `creds`.
  SidecarPolicy Policy(bool local, bool object_store, bool creds) {
    if (creds) {
      testing::WriteFile(tmp_.File("access-key-id"), "KEY\n");
      testing::WriteFile(tmp_.File("secret-access-key"), "SECRET\n");
    }
    SidecarPolicy p;
    p.backup_local = local;
    p.backup_object_store = object_store;
    ObjectStorePolicy s;
    s.endpoint = "http://127.0.0.1:9";  // never contacted: opening builds a client, no request
    s.bucket = "backups";
    s.access_key_id_file = tmp_.File("access-key-id");
    s.secret_access_key_file = tmp_.File("secret-access-key");
    p.object_store = s;
    return p;
  }
  // The volume's store, and no object store opened beside it.
  void ExpectTheVolume(const Result<DrilledStore>& d) {
    ASSERT_TRUE(d) << d.error().ToString();
    EXPECT_EQ(d->store, &*local_);
    EXPECT_EQ(d->destination, "local");
    EXPECT_EQ(d->object_store, nullptr);
  }
  TempDir tmp_;
  std::optional<DirBackupStore> local_;
  testing::FakeClock clock_{1'700'000'000};
};

TEST_F(DrilledStoreChoice, WithoutAPolicyTheVolumeIsDrilled) {
  ExpectTheVolume(OpenDrilledStore(std::nullopt, *local_, clock_));
}

TEST_F(DrilledStoreChoice, BothDestinationsDrillTheVolumeWithoutReadingTheCredentials) {
  ExpectTheVolume(OpenDrilledStore(Policy(true, true, /*creds=*/false), *local_, clock_));
}

TEST_F(DrilledStoreChoice, TheObjectStoreAloneIsOpenedAndDrilled) {
  auto d = OpenDrilledStore(Policy(false, true, /*creds=*/true), *local_, clock_);
  ASSERT_TRUE(d) << d.error().ToString();
  ASSERT_NE(d->object_store, nullptr);
  EXPECT_EQ(d->store, d->object_store.get());
  EXPECT_EQ(d->destination, "objectStore");
}

TEST_F(DrilledStoreChoice, AnObjectStoreThatDoesNotOpenIsAnErrorNamingTheFile) {
  auto d = OpenDrilledStore(Policy(false, true, /*creds=*/false), *local_, clock_);
  ASSERT_FALSE(d);
  const std::string why = d.error().ToString();
  EXPECT_NE(why.find("objectStore: cannot open the object store"), std::string::npos) << why;
  EXPECT_NE(why.find(tmp_.File("access-key-id")), std::string::npos) << why;
}

TEST_F(DrilledStoreChoice, APolicyWithNeitherStoreIsAnError) {
  auto d = OpenDrilledStore(Policy(false, false, /*creds=*/true), *local_, clock_);
  ASSERT_FALSE(d);
  EXPECT_NE(d.error().ToString().find("no backup destination opened"), std::string::npos)
      << d.error().ToString();
  SidecarPolicy unconfigured = Policy(false, true, true);
  unconfigured.object_store.reset();
  EXPECT_FALSE(OpenDrilledStore(unconfigured, *local_, clock_));
}

}  // namespace
}  // namespace tidemark::sidecar
