// Uploads (library/uploads): the state an upload keeps on disk, read back after a crash.
#include <gtest/gtest.h>

#include <memory>

#include "library/uploads.h"
#include "library/video_library.h"
#include "store/store.h"
#include "support/test_support.h"

namespace pw::library {
namespace {

class UploadsTest : public testing::Test {
 protected:
  void SetUp() override {
    store_ = store::OpenSqliteStore(dir_ / "data").value();
    LibraryOptions options;
    options.data_dir = dir_ / "data";
    library_ = std::make_unique<VideoLibrary>(options, store_->videos());
    uploads_ = std::make_unique<Uploads>(dir_ / "uploads", 1u << 20, *library_);
  }
  // Leaves an upload whose metadata file holds `meta` and whose part file holds 3 bytes.
  std::string Damage(const std::string& meta) {
    const std::string id = "0123456789abcdef01234567";
    test::WriteFile(dir_ / "uploads" / (id + ".json"), meta);
    test::WriteFile(dir_ / "uploads" / (id + ".part"), "abc");
    return id;
  }

  test::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<VideoLibrary> library_;
  std::unique_ptr<Uploads> uploads_;
};

TEST_F(UploadsTest, ReadsBackTheStateCreateWrote) {
  auto created = uploads_->Create(10, "pen 3.mp4");
  ASSERT_TRUE(created.ok()) << created.status().message();
  auto got = uploads_->Get(created->id);
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(got->length, 10u);
  EXPECT_EQ(got->offset, 0u);
  EXPECT_EQ(got->filename, "pen 3.mp4");
}

// Found by fuzz/upload_fuzz: nlohmann's value() threw on a metadata file of another shape.
TEST_F(UploadsTest, ReportsDamagedMetadataOfTheWrongShapeInsteadOfThrowing) {
  for (const char* meta : {"[1,2]", "7", "\"x\"", "null", "{\"length\":\"10\"}", "{\"length\":-4}",
                           "{\"length\":1.5}", "{\"filename\":\"a.mp4\"}", "{\"length\":10,\"filename\":7}"}) {
    std::string id = Damage(meta);
    auto got = uploads_->Get(id);
    ASSERT_FALSE(got.ok()) << meta;
    EXPECT_EQ(got.status().code(), core::Code::kNotFound) << meta;
    EXPECT_NE(got.status().message().find("damaged"), std::string::npos) << got.status().message();
    EXPECT_FALSE(uploads_->BeginAppend(id, 3).ok()) << meta;
  }
}

}  // namespace
}  // namespace pw::library
