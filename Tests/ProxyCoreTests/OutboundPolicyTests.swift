import ProxyCore
import Testing

/// Address parsing and classification, and the policy's decisions, without DNS (a fake resolver).
@Suite struct OutboundPolicyTests {
    /// Answers from a fixed table; the machine has the given interface addresses.
    struct FakeResolver: HostResolver {
        var table: [String: [String]] = [:]
        var local: [String] = ["127.0.0.1", "::1", "10.1.2.3"]
        func resolve(host: String) async throws -> [IPAddress] {
            guard let list = table[host] else { throw ResolutionError(description: "unknown host \(host)") }
            return list.compactMap { IPAddress(parsing: $0) }
        }
        func localAddresses() -> Set<IPAddress> { Set(local.compactMap { IPAddress(parsing: $0) }) }
    }

    func kind(_ text: String) throws -> AddressClass { AddressClass(try #require(IPAddress(parsing: text), "\(text)")) }

    @Test func parsesLiterals() throws {
        #expect(IPAddress(parsing: "192.168.1.20")?.bytes == [192, 168, 1, 20])
        #expect(IPAddress(parsing: "::1")?.bytes == Array(repeating: 0, count: 15) + [1])
        #expect(IPAddress(parsing: "[::1]") == IPAddress(parsing: "0:0:0:0:0:0:0:1"))
        #expect(IPAddress(parsing: "fe80::1%eth0") == IPAddress(parsing: "fe80::1"))
        #expect(IPAddress(parsing: "::ffff:127.0.0.1")?.bytes == Array(repeating: 0, count: 10) + [0xFF, 0xFF, 127, 0, 0, 1])
        #expect(IPAddress(parsing: "2001:db8::8a2e:370:7334")?.description == "2001:db8:0:0:0:8a2e:370:7334")
        for bad in ["", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "127.1", "0x7f.0.0.1", "1::2::3", "12345::", ":::", "localhost", "1:2:3:4:5:6:7:8:9"] {
            #expect(IPAddress(parsing: bad) == nil, "\(bad)")
        }
        #expect(IPAddress(bytes: [1, 2, 3]) == nil)
    }

    @Test func classifiesIPv4() throws {
        #expect(try kind("127.0.0.1") == .loopback)
        #expect(try kind("127.255.0.9") == .loopback)
        #expect(try kind("10.0.0.1") == .privateNetwork)
        #expect(try kind("172.16.0.1") == .privateNetwork)
        #expect(try kind("172.31.255.255") == .privateNetwork)
        #expect(try kind("172.32.0.1") == .publicInternet)
        #expect(try kind("172.15.0.1") == .publicInternet)
        #expect(try kind("192.168.0.1") == .privateNetwork)
        #expect(try kind("169.254.1.1") == .linkLocal)
        #expect(try kind("169.254.169.254") == .metadata)
        #expect(try kind("100.64.0.1") == .sharedAddressSpace)
        #expect(try kind("100.127.255.255") == .sharedAddressSpace)
        #expect(try kind("100.128.0.1") == .publicInternet)
        #expect(try kind("0.0.0.0") == .unspecified)
        #expect(try kind("224.0.0.1") == .multicast)
        #expect(try kind("255.255.255.255") == .reserved)
        #expect(try kind("8.8.8.8") == .publicInternet)
        #expect(try kind("93.184.216.34") == .publicInternet)
    }

    @Test func classifiesIPv6AndEmbeddedIPv4() throws {
        #expect(try kind("::1") == .loopback)
        #expect(try kind("::") == .unspecified)
        #expect(try kind("fc00::1") == .privateNetwork)
        #expect(try kind("fd12:3456::1") == .privateNetwork)
        #expect(try kind("fe80::1") == .linkLocal)
        #expect(try kind("febf::1") == .linkLocal)
        #expect(try kind("ff02::1") == .multicast)
        #expect(try kind("fd00:ec2::254") == .metadata)
        #expect(try kind("2606:4700::1111") == .publicInternet)
        // IPv4-mapped, IPv4-compatible, NAT64 and 6to4 forms are judged by the IPv4 address inside.
        #expect(try kind("::ffff:127.0.0.1") == .loopback)
        #expect(try kind("::ffff:7f00:1") == .loopback)
        #expect(try kind("::ffff:169.254.169.254") == .metadata)
        #expect(try kind("::ffff:10.0.0.1") == .privateNetwork)
        #expect(try kind("::ffff:8.8.8.8") == .publicInternet)
        #expect(try kind("::192.168.0.1") == .privateNetwork)
        #expect(try kind("64:ff9b::127.0.0.1") == .loopback)
        #expect(try kind("2002:c0a8:0101::1") == .privateNetwork)
    }

    @Test func refusesRestrictedTargetsByDefault() async throws {
        let resolver = FakeResolver(table: [
            "public.test": ["93.184.216.34"], "intranet.test": ["10.0.0.7"], "mixed.test": ["93.184.216.34", "127.0.0.1"],
            "metadata.test": ["169.254.169.254"],
        ])
        let policy = OutboundPolicy(resolver: resolver)
        let ok = try await policy.check("https://public.test/a.png")
        #expect(ok.address == IPAddress(parsing: "93.184.216.34"))
        #expect(ok.port == 443)
        for url in [
            "http://intranet.test/", "http://mixed.test/", "http://127.0.0.1:9/", "http://[::1]/", "http://[::ffff:127.0.0.1]/",
            "http://metadata.test/latest", "ftp://public.test/", "file:///etc/passwd", "gopher://public.test/", "http://nowhere.test/",
        ] {
            await #expect(throws: OutboundError.self, "\(url)") { try await policy.check(url) }
        }
        // The error a client would see says nothing about why.
        do {
            _ = try await policy.check("http://intranet.test/")
        } catch let error as OutboundError {
            #expect("\(error)" == OutboundError.genericDescription)
            #expect(error.detail.contains("10.0.0.7"))
        }
    }

    @Test func privateNetworksAndHostsCanBeOpened() async throws {
        let resolver = FakeResolver(table: ["intranet.test": ["10.0.0.7"], "metadata.test": ["169.254.169.254"]])
        let open = OutboundPolicy(allowPrivateNetworks: true, resolver: resolver)
        #expect(try await open.check("http://intranet.test/").address == IPAddress(parsing: "10.0.0.7"))
        #expect(try await open.check("http://127.0.0.1:8000/").port == 8000)
        // Metadata services stay closed even then; only an explicit allowHosts entry opens them.
        await #expect(throws: OutboundError.self) { try await open.check("http://metadata.test/") }
        await #expect(throws: OutboundError.self) { try await open.check("http://169.254.169.254/") }
        let listed = OutboundPolicy(allowHosts: ["Intranet.test", "::1", "169.254.169.254"], resolver: resolver)
        #expect(try await listed.check("http://intranet.test/x").host == "intranet.test")
        #expect(try await listed.check("http://[0:0::1]:81/").port == 81)
        #expect(try await listed.check("http://169.254.169.254/").address != nil)
        await #expect(throws: OutboundError.self) { try await listed.check("http://127.0.0.1/") }
    }

    @Test func trustedOriginsAreAlwaysAllowed() async throws {
        let policy = OutboundPolicy(trustedBaseURLs: ["http://127.0.0.1:8081", "ws://127.0.0.1:8082"], resolver: FakeResolver())
        let target = try await policy.check("http://127.0.0.1:8081/attachments/1/2/a.png")
        #expect(target.address == nil)  // connected by name, no pinning needed
        await #expect(throws: OutboundError.self) { try await policy.check("http://127.0.0.1:8083/") }
        await #expect(throws: OutboundError.self) { try await policy.check("http://127.0.0.1/") }
    }

    @Test func ownAPIIsNeverATarget() async throws {
        let resolver = FakeResolver(table: ["me.test": ["10.1.2.3"], "other.test": ["10.9.9.9"], "localhost.test": ["127.0.0.1"]])
        let policy = OutboundPolicy(
            allowPrivateNetworks: true, allowHosts: ["127.0.0.1", "me.test"], trustedBaseURLs: ["http://127.0.0.1:8080"],
            ownAPIPort: { 8080 }, resolver: resolver)
        for url in [
            "http://127.0.0.1:8080/mj/submit/imagine", "http://localhost.test:8080/", "http://[::1]:8080/", "http://0.0.0.0:8080/",
            "http://me.test:8080/", "http://[::ffff:127.0.0.1]:8080/",
        ] {
            await #expect(throws: OutboundError.self, "\(url)") { try await policy.check(url) }
        }
        // Another port of this machine, or the same port elsewhere, is fine (private networks are open here).
        #expect(try await policy.check("http://127.0.0.1:8081/").port == 8081)
        #expect(try await policy.check("http://other.test:8080/").port == 8080)
    }
}
