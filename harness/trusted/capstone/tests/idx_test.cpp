// The IDX reader's errors (idx.hpp): each bad file gets a DataError naming the file and what
// is wrong with it, never a crash or a silent wrong answer. The files are made here.
#include "idx.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using bnkit::capstone::DataError;

class IdxFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/bnkit-idx-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }

  /// The IDX bytes of unsigned-byte values with these dimensions (values 0, 1, 2, ... mod 10).
  static std::vector<unsigned char> idx(const std::vector<std::uint32_t>& dims, std::size_t values) {
    std::vector<unsigned char> b = {0, 0, 0x08, static_cast<unsigned char>(dims.size())};
    for (const std::uint32_t d : dims) {
      for (int shift = 24; shift >= 0; shift -= 8) b.push_back(static_cast<unsigned char>(d >> shift));
    }
    for (std::size_t i = 0; i < values; ++i) b.push_back(static_cast<unsigned char>(i % 10));
    return b;
  }
  std::string write(const std::string& name, const std::vector<unsigned char>& bytes) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    return path;
  }
  std::string write_gz(const std::string& name, const std::vector<unsigned char>& bytes) {
    const std::string path = dir_ + "/" + name;
    gzFile f = gzopen(path.c_str(), "wb");
    gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
    gzclose(f);
    return path;
  }
  /// The DataError's message, or a failure when nothing is thrown.
  template <typename F>
  static std::string error_of(F&& f) {
    try {
      f();
    } catch (const DataError& e) {
      return e.what();
    }
    ADD_FAILURE() << "no DataError thrown";
    return "";
  }
  std::string dir_;
};

TEST_F(IdxFiles, ReadsPlainAndGzip) {
  const auto bytes = idx({3, 2, 2}, 12);
  for (const std::string& path : {write("a", bytes), write_gz("a.gz", bytes)}) {
    SCOPED_TRACE(path);
    const auto array = bnkit::capstone::read_idx(path);
    EXPECT_EQ(array.dims, (std::vector<std::uint32_t>{3, 2, 2}));
    ASSERT_EQ(array.values.size(), 12u);
    EXPECT_EQ(array.values[11], 1);
  }
}

TEST_F(IdxFiles, MissingFileIsNamed) {
  const std::string message = error_of([&] { bnkit::capstone::read_idx(dir_ + "/nope-idx3-ubyte"); });
  EXPECT_NE(message.find("nope-idx3-ubyte: no such file"), std::string::npos) << message;
}

TEST_F(IdxFiles, MissingSplitNamesTheFilesLookedFor) {
  const std::string message = error_of([&] { bnkit::capstone::load_split(dir_, "train"); });
  EXPECT_NE(message.find(": no train "), std::string::npos) << message;  // images or labels: whichever is looked up first
  EXPECT_NE(message.find("-idx"), std::string::npos) << message;
  EXPECT_NE(message.find("looked for"), std::string::npos) << message;
}

TEST_F(IdxFiles, TruncatedValuesSayHowManyBytesWereNeeded) {
  auto bytes = idx({10}, 10);
  bytes.resize(bytes.size() - 4);
  for (const std::string& path : {write("t", bytes), write_gz("t.gz", bytes)}) {
    SCOPED_TRACE(path);
    const std::string message = error_of([&] { bnkit::capstone::read_idx(path); });
    EXPECT_NE(message.find("truncated"), std::string::npos) << message;
    EXPECT_NE(message.find("needs 10 bytes"), std::string::npos) << message;
  }
}

TEST_F(IdxFiles, TruncatedHeader) {
  const std::string message = error_of([&] { bnkit::capstone::read_idx(write("h", {0, 0, 8})); });
  EXPECT_NE(message.find("truncated: the header"), std::string::npos) << message;
}

TEST_F(IdxFiles, HugeHeaderInASmallFileIsTruncatedNotAnAllocation) {
  // 60000 x 280 x 250 = 4.2e9 values announced, 100 present: the reader must not allocate 4 GB first.
  auto bytes = idx({60000, 280, 250}, 100);
  const std::string message = error_of([&] { bnkit::capstone::read_idx(write("big", bytes)); });
  EXPECT_NE(message.find("truncated"), std::string::npos) << message;
}

TEST_F(IdxFiles, CorruptGzipIsCorruptNotTruncated) {
  // A gzip header, then a deflate block of the reserved type 3: zlib's "invalid block type".
  const std::vector<unsigned char> bytes = {0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03,
                                            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  const std::string message = error_of([&] { bnkit::capstone::read_idx(write("c.gz", bytes)); });
  EXPECT_NE(message.find("corrupt gzip data"), std::string::npos) << message;
}

TEST_F(IdxFiles, WrongMagicIsNotAnIdxFile) {
  auto bytes = idx({4}, 4);
  bytes[0] = 0x50;  // "PK..": a zip file, say
  bytes[1] = 0x4b;
  const std::string message = error_of([&] { bnkit::capstone::read_idx(write("w", bytes)); });
  EXPECT_NE(message.find("not an IDX file"), std::string::npos) << message;
}

TEST_F(IdxFiles, WrongValueTypeIsNamed) {
  auto bytes = idx({4}, 4);
  bytes[2] = 0x0D;  // float
  const std::string message = error_of([&] { bnkit::capstone::read_idx(write("f", bytes)); });
  EXPECT_NE(message.find("not unsigned bytes"), std::string::npos) << message;
}

TEST_F(IdxFiles, LabelCountMustMatchTheImages) {
  const std::string images = write("i", idx({3, 2, 2}, 12));
  const std::string labels = write("l", idx({4}, 4));
  for (int bytes_api = 0; bytes_api < 2; ++bytes_api) {
    const std::string message = error_of([&] {
      if (bytes_api) bnkit::capstone::load_idx_pair_bytes(images, labels);
      else bnkit::capstone::load_idx_pair(images, labels);
    });
    EXPECT_NE(message.find("has 4 labels but"), std::string::npos) << message;
    EXPECT_NE(message.find("has 3 images"), std::string::npos) << message;
  }
}

TEST_F(IdxFiles, LabelOutsideTheClassesIsNamed) {
  auto labels = idx({3}, 3);
  labels.back() = 12;
  const std::string message =
      error_of([&] { bnkit::capstone::load_idx_pair(write("i", idx({3, 2, 2}, 12)), write("l", labels)); });
  EXPECT_NE(message.find("label 12 at position 2"), std::string::npos) << message;
}

TEST(IdxSubset, BytesAndDoublesAgreeOnTheGradedSubset) {
  const auto bytes = bnkit::capstone::load_split_bytes(bnkit::capstone::graded_subset_dir(), "t10k", 50);
  const bnkit::Dataset data = bnkit::capstone::load_split(bnkit::capstone::graded_subset_dir(), "t10k", 50);
  ASSERT_EQ(bytes.size(), 50);
  ASSERT_EQ(data.size(), 50);
  const bnkit::Dataset converted = bnkit::capstone::to_dataset(bytes);
  EXPECT_EQ(converted.labels, data.labels);
  EXPECT_EQ((converted.images - data.images).cwiseAbs().maxCoeff(), 0.0);
}

}  // namespace
