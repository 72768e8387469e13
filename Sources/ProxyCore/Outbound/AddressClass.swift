/// What kind of network an address belongs to, as far as the outbound policy cares.
public enum AddressClass: String, Sendable, Equatable, CaseIterable {
    /// A globally routable address: always allowed.
    case publicInternet = "public"
    /// 127.0.0.0/8, ::1.
    case loopback
    /// 10/8, 172.16/12, 192.168/16, fc00::/7 (and the deprecated fec0::/10).
    case privateNetwork = "private"
    /// 169.254/16, fe80::/10.
    case linkLocal = "link-local"
    /// 100.64/10 (carrier-grade NAT).
    case sharedAddressSpace = "cgnat"
    /// 0.0.0.0/8, ::.
    case unspecified
    /// 224/4, ff00::/8.
    case multicast
    /// 240/4 and 255.255.255.255.
    case reserved
    /// Cloud instance metadata services: 169.254.169.254, fd00:ec2::254.
    case metadata

    /// The class of `address`; IPv6 forms that embed an IPv4 address are classified by that address.
    public init(_ address: IPAddress) {
        if address.isV4 {
            self = Self.classifyV4(address.bytes)
            return
        }
        if let v4 = address.embeddedV4 {
            self = Self.classifyV4(v4.bytes)
            return
        }
        self = Self.classifyV6(address.bytes)
    }

    /// True for everything but `publicInternet`.
    public var isRestricted: Bool { self != .publicInternet }

    static func classifyV4(_ b: [UInt8]) -> AddressClass {
        switch (b[0], b[1]) {
        case (169, 254) where b[2] == 169 && b[3] == 254: return .metadata
        case (0, _): return .unspecified
        case (127, _): return .loopback
        case (10, _): return .privateNetwork
        case (172, 16...31): return .privateNetwork
        case (192, 168): return .privateNetwork
        case (169, 254): return .linkLocal
        case (100, 64...127): return .sharedAddressSpace
        case (224...239, _): return .multicast
        case (240...255, _): return .reserved
        default: return .publicInternet
        }
    }

    static let ec2MetadataV6: [UInt8] = [0xFD, 0x00, 0x0E, 0xC2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54]

    static func classifyV6(_ b: [UInt8]) -> AddressClass {
        if b == ec2MetadataV6 { return .metadata }
        if b[0..<15].allSatisfy({ $0 == 0 }) {
            if b[15] == 0 { return .unspecified }
            if b[15] == 1 { return .loopback }
        }
        if b[0] == 0xFF { return .multicast }
        if b[0] & 0xFE == 0xFC { return .privateNetwork }
        if b[0] == 0xFE, b[1] & 0xC0 == 0x80 { return .linkLocal }
        if b[0] == 0xFE, b[1] & 0xC0 == 0xC0 { return .privateNetwork }
        return .publicInternet
    }
}
