#include "core/wire_text.h"

#include <random>

#include <google/protobuf/stubs/logging.h>
#include <gtest/gtest.h>

#include "tonghop/v1/tonghop.pb.h"

namespace tonghop {
namespace {

// Whether protobuf parses an IndicatorUpdate whose indicator holds `bytes`: the judgement
// IsValidUtf8 must agree with, or a string it passes could still make a record unreadable.
bool ProtobufAccepts(const std::string& bytes) {
  std::string wire = "\x1a";  // field 3 (indicator), length-delimited
  for (size_t n = bytes.size();; n >>= 7) {
    wire.push_back(static_cast<char>((n & 0x7f) | (n >= 0x80 ? 0x80 : 0)));
    if (n < 0x80) break;
  }
  wire += bytes;
  google::protobuf::LogSilencer quiet;
  tonghop::v1::IndicatorUpdate update;
  return update.ParseFromString(wire);
}

TEST(WireTextTest, AgreesWithProtobufOnEveryKindOfSequence) {
  const std::vector<std::pair<std::string, bool>> cases = {
      {"agri.sown_area.total", true},
      {"Lộc Bình", true},
      {std::string("a\0b", 3), true},         // NUL is a character
      {"\xf0\x9f\x98\x80", true},             // U+1F600, four bytes
      {"\xf4\x8f\xbf\xbf", true},             // U+10FFFF, the last one
      {"\xef\xbf\xbf", true},                 // U+FFFF, a noncharacter but valid
      {"l\xfa" "a", false},                   // Latin-1
      {"\xc3", false},                        // cut short
      {"\xe1\xbb", false},                    // cut short, three bytes
      {"\x80", false},                        // a lone continuation byte
      {"\xc0\xaf", false},                    // overlong '/'
      {"\xe0\x80\xaf", false},                // overlong, three bytes
      {"\xed\xa0\x80", false},                // a surrogate, U+D800
      {"\xf4\x90\x80\x80", false},            // above U+10FFFF
      {"\xf8\x88\x80\x80\x80", false},        // five bytes
      {"\xfe\xff", false},
  };
  for (const auto& [text, valid] : cases) {
    SCOPED_TRACE(EscapeInvalidUtf8(text));
    EXPECT_EQ(IsValidUtf8(text), valid);
    EXPECT_EQ(ProtobufAccepts(text), valid);
  }
  // Short random byte strings, rich in the bytes that start and continue characters.
  std::mt19937 random(10);
  for (int i = 0; i < 200'000; ++i) {
    std::string text(random() % 7, '\0');
    for (char& c : text) c = static_cast<char>(random() % 3 == 0 ? random() % 0x80 : 0x80 + random() % 0x80);
    ASSERT_EQ(IsValidUtf8(text), ProtobufAccepts(text)) << EscapeInvalidUtf8(text);
  }
}

TEST(WireTextTest, CheckNamesTheFirstBadByteOrTheLength) {
  EXPECT_TRUE(CheckId("cao-loc").ok());
  EXPECT_TRUE(CheckId(std::string(kMaxIdLength, 'x')).ok());
  Status s = CheckId("agri.sown_area.l\xfa" "a");
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(), "is not valid UTF-8 (byte 0xfa at offset 16)");
  s = CheckId(std::string(kMaxIdLength + 1, 'x'));
  EXPECT_EQ(s.message(), "is 201 bytes long; at most 200 are accepted");
  // Not UTF-8 and too long: the encoding is what to fix first.
  EXPECT_EQ(CheckId(std::string(300, '\xff')).message(), "is not valid UTF-8 (byte 0xff at offset 0)");
}

TEST(WireTextTest, EscapeKeepsValidTextAndShowsEachBadByte) {
  EXPECT_EQ(EscapeInvalidUtf8("Lộc Bình"), "Lộc Bình");
  EXPECT_EQ(EscapeInvalidUtf8("l\xfa" "a"), "l\\xfaa");
  EXPECT_EQ(EscapeInvalidUtf8("\xe1\xbb" "x\xc0\xaf"), "\\xe1\\xbbx\\xc0\\xaf");
  EXPECT_TRUE(IsValidUtf8(EscapeInvalidUtf8(std::string("\xff\xfe\x00\xed\xa0\x80", 6))));
}

TEST(WireTextTest, ClipCutsBetweenCharacters) {
  const std::string e = "\xe1\xbb\x87";  // ệ, three bytes
  EXPECT_EQ(ClipUtf8("abc", 5), "abc");
  EXPECT_EQ(ClipUtf8("abcdef", 3), "abc");
  EXPECT_EQ(ClipUtf8(e + e, 5), e);
  EXPECT_EQ(ClipUtf8(e + e, 6), e + e);
  EXPECT_EQ(ClipUtf8(e, 2), "");
  std::string long_text;
  for (int i = 0; i < 100; ++i) long_text += e;
  EXPECT_EQ(ClipUtf8(long_text, kMaxIdLength).size(), 198u);
  EXPECT_TRUE(IsValidUtf8(ClipUtf8(long_text, kMaxIdLength)));
}

}  // namespace
}  // namespace tonghop
