import Foundation
import Testing

@testable import ImageMirror

/// The hand-written SigV4 against AWS's published example values: the Signature Version 4 test
/// suite (`get-vanilla`, `get-vanilla-query-order-key-case`) and the S3 "Authenticating Requests:
/// Using the Authorization Header" examples (GET object, PUT object, GET lifecycle, list objects).
@Suite struct SigV4Tests {
    static let suiteSigner = SigV4Signer(accessKey: "AKIDEXAMPLE", secretKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", region: "us-east-1", service: "service")
    static let s3Signer = SigV4Signer(accessKey: "AKIAIOSFODNN7EXAMPLE", secretKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", region: "us-east-1")
    static let s3Headers = [("Host", "examplebucket.s3.amazonaws.com"), ("x-amz-content-sha256", SigV4Signer.emptyPayloadHash), ("x-amz-date", "20130524T000000Z")]

    static func signature(of authorization: String) -> String { String(authorization.split(separator: "=").last ?? "") }

    @Test func getVanilla() {
        let request = SigV4Signer.Request(
            method: "GET", path: "/", headers: [("Host", "example.amazonaws.com"), ("X-Amz-Date", "20150830T123600Z")],
            payloadHash: SigV4Signer.emptyPayloadHash)
        #expect(
            Self.suiteSigner.authorization(for: request, amzDate: "20150830T123600Z")
                == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, "
                + "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
    }

    @Test func queryParametersAreSortedByName() {
        let request = SigV4Signer.Request(
            method: "GET", path: "/", query: [("Param2", "value2"), ("Param1", "value1")],
            headers: [("host", "example.amazonaws.com"), ("x-amz-date", "20150830T123600Z")], payloadHash: SigV4Signer.emptyPayloadHash)
        #expect(
            Self.signature(of: Self.suiteSigner.authorization(for: request, amzDate: "20150830T123600Z"))
                == "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500")
    }

    @Test func s3GetObjectWithRange() {
        let request = SigV4Signer.Request(
            method: "GET", path: "/test.txt", headers: Self.s3Headers + [("Range", "bytes=0-9")], payloadHash: SigV4Signer.emptyPayloadHash)
        let (canonical, signed) = SigV4Signer.canonicalRequest(request)
        #expect(signed == "host;range;x-amz-content-sha256;x-amz-date")
        // The hash of the canonical request as AWS's example shows it in the string to sign.
        #expect(SigV4Signer.sha256Hex(Array(canonical.utf8)) == "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972")
        let authorization = Self.s3Signer.authorization(for: request, amzDate: "20130524T000000Z")
        #expect(authorization.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "))
        #expect(Self.signature(of: authorization) == "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    }

    @Test func s3PutObjectWithAnEncodedKey() {
        let body = Array("Welcome to Amazon S3.".utf8)
        let hash = SigV4Signer.sha256Hex(body)
        #expect(hash == "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072")
        let request = SigV4Signer.Request(
            method: "PUT", path: "/" + SigV4Signer.uriEncode("test$file.text", encodeSlash: false),
            headers: [
                ("Date", "Fri, 24 May 2013 00:00:00 GMT"), ("Host", "examplebucket.s3.amazonaws.com"), ("x-amz-content-sha256", hash),
                ("x-amz-date", "20130524T000000Z"), ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
            ], payloadHash: hash)
        #expect(request.path == "/test%24file.text")
        #expect(
            Self.signature(of: Self.s3Signer.authorization(for: request, amzDate: "20130524T000000Z"))
                == "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd")
    }

    @Test func s3BucketLifecycleAndListObjects() {
        let lifecycle = SigV4Signer.Request(method: "GET", path: "/", query: [("lifecycle", "")], headers: Self.s3Headers, payloadHash: SigV4Signer.emptyPayloadHash)
        #expect(
            Self.signature(of: Self.s3Signer.authorization(for: lifecycle, amzDate: "20130524T000000Z"))
                == "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543")
        let list = SigV4Signer.Request(
            method: "GET", path: "/", query: [("prefix", "J"), ("max-keys", "2")], headers: Self.s3Headers, payloadHash: SigV4Signer.emptyPayloadHash)
        #expect(
            Self.signature(of: Self.s3Signer.authorization(for: list, amzDate: "20130524T000000Z"))
                == "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")
    }

    @Test func uriEncodingKeepsUnreservedCharactersOnly() {
        #expect(SigV4Signer.uriEncode("a b/c~d_e.f-g", encodeSlash: false) == "a%20b/c~d_e.f-g")
        #expect(SigV4Signer.uriEncode("a/b=c&é", encodeSlash: true) == "a%2Fb%3Dc%26%C3%A9")
        #expect(SigV4Signer.amzDate(.init(timeIntervalSince1970: 1_369_353_600)) == "20130524T000000Z")
    }
}
