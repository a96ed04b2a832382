// The XML reader and S3's documents: what S3 sends, and what it must refuse.
#include <gtest/gtest.h>

#include "core/objstore/retry.h"
#include "core/objstore/s3_xml.h"
#include "core/objstore/xml.h"

namespace tidemark::objstore {
namespace {

TEST(S3Xml, ListObjectsV2PageWithEntitiesAndContinuation) {
  auto page = ParseListObjectsV2(
      R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name>
  <IsTruncated>true</IsTruncated><NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
  <Contents><Key>a&amp;b &lt;c&gt; &#233;&#x263A;</Key><LastModified>2009-10-12T17:50:30.000Z</LastModified>
    <ETag>&quot;fba9dede5f27731c9771645a39863328&quot;</ETag><Size>434234</Size></Contents>
  <Contents><Key><![CDATA[x<y]]></Key><Size>0</Size></Contents>
  <CommonPrefixes><Prefix>p/</Prefix></CommonPrefixes>
</ListBucketResult>)");
  ASSERT_TRUE(page) << page.error().ToString();
  EXPECT_TRUE(page->is_truncated);
  EXPECT_EQ(page->next_continuation_token, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
  ASSERT_EQ(page->objects.size(), 2u);
  EXPECT_EQ(page->objects[0].key, "a&b <c> \xC3\xA9\xE2\x98\xBA");
  EXPECT_EQ(page->objects[0].etag, "fba9dede5f27731c9771645a39863328");
  EXPECT_EQ(page->objects[0].size, 434234u);
  EXPECT_EQ(page->objects[1].key, "x<y");
  EXPECT_EQ(page->common_prefixes, std::vector<std::string>{"p/"});
}

TEST(S3Xml, RefusesWhatIsNotAListing) {
  auto bad_size = ParseListObjectsV2("<ListBucketResult><Contents><Key>k</Key><Size>12x</Size></Contents></ListBucketResult>");
  ASSERT_FALSE(bad_size);
  EXPECT_NE(bad_size.error().message.find("object k: expected a decimal <Size>, found '12x'"), std::string::npos);
  auto no_token = ParseListObjectsV2("<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>");
  ASSERT_FALSE(no_token);
  auto other = ParseListObjectsV2("<html><body>proxy error</body></html>");
  ASSERT_FALSE(other);
  EXPECT_NE(other.error().message.find("expected a <ListBucketResult> document, found <html>"), std::string::npos);
}

TEST(S3Xml, MalformedDocumentsNameTheOffset) {
  auto r = ParseXml("<a><b>x</c></a>", "doc");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().where, "doc");
  EXPECT_EQ(r.error().offset, 10);
  EXPECT_NE(r.error().message.find("expected </b>, found </c>"), std::string::npos);
  EXPECT_FALSE(ParseXml("<a>", "doc"));
  EXPECT_FALSE(ParseXml("<a>&bogus;</a>", "doc"));
  EXPECT_FALSE(ParseXml("<a></a><b/>", "doc"));
  // No DTDs: nothing in a reply can make the parser expand entities.
  EXPECT_FALSE(ParseXml("<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>", "doc"));
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += "<a>";
  EXPECT_FALSE(ParseXml(deep, "doc"));
}

TEST(S3Xml, ErrorDocumentAndTheErrorInsideA200Complete) {
  auto e = ParseErrorBody("<Error><Code>SlowDown</Code><Message>Reduce your request rate.</Message>"
                          "<RequestId>4442587FB7D0A2F9</RequestId></Error>");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "SlowDown");
  EXPECT_EQ(e->request_id, "4442587FB7D0A2F9");
  EXPECT_FALSE(ParseErrorBody("not xml"));
  auto complete = ParseCompleteMultipartUpload(
      "<Error><Code>InternalError</Code><Message>We encountered an internal error.</Message>"
      "<RequestId>R1</RequestId></Error>");
  ASSERT_FALSE(complete);
  EXPECT_NE(complete.error().message.find("InternalError"), std::string::npos);
  auto ok = ParseCompleteMultipartUpload("<CompleteMultipartUploadResult><ETag>\"abc-3\"</ETag></CompleteMultipartUploadResult>");
  ASSERT_TRUE(ok);
  EXPECT_EQ(*ok, "abc-3");
  EXPECT_EQ(CompleteMultipartUploadBody({{1, "\"a\""}, {2, "\"b\""}}),
            "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&quot;a&quot;</ETag></Part>"
            "<Part><PartNumber>2</PartNumber><ETag>&quot;b&quot;</ETag></Part></CompleteMultipartUpload>");
}

TEST(Retry, WhichStatusesAreRetried) {
  EXPECT_TRUE(IsRetryableStatus(500, "InternalError"));
  EXPECT_TRUE(IsRetryableStatus(503, "SlowDown"));
  EXPECT_TRUE(IsRetryableStatus(502, ""));
  EXPECT_TRUE(IsRetryableStatus(403, "RequestTimeTooSkewed"));
  EXPECT_FALSE(IsRetryableStatus(501, "NotImplemented"));
  EXPECT_FALSE(IsRetryableStatus(403, "AccessDenied"));
  EXPECT_FALSE(IsRetryableStatus(404, "NoSuchKey"));
  EXPECT_FALSE(IsRetryableStatus(400, "InvalidArgument"));
}

TEST(Retry, BackoffDoublesUpToTheCapWithFullJitter) {
  RetryPolicy p{10, std::chrono::milliseconds(100), std::chrono::milliseconds(1000)};
  EXPECT_EQ(BackoffDelay(p, 1, 0.999).count(), 99);
  EXPECT_EQ(BackoffDelay(p, 2, 0.5).count(), 100);
  EXPECT_EQ(BackoffDelay(p, 3, 0.5).count(), 200);
  EXPECT_EQ(BackoffDelay(p, 9, 0.5).count(), 500);
  EXPECT_EQ(BackoffDelay(p, 3, 0.0).count(), 0);
}

TEST(Retry, ServerTimesInBothForms) {
  EXPECT_EQ(ParseServerTime("2013-05-24T00:00:00Z"), 1369353600);
  EXPECT_EQ(ParseServerTime("2013-05-24T00:00:00.000Z"), 1369353600);
  EXPECT_EQ(ParseServerTime("Fri, 24 May 2013 00:00:00 GMT"), 1369353600);
  EXPECT_FALSE(ParseServerTime("yesterday"));
  EXPECT_EQ(FormatIsoTime(1369353600), "2013-05-24T00:00:00Z");
}

}  // namespace
}  // namespace tidemark::objstore
