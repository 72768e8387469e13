import Testing

/// Placeholder while the conformance suite is written.
@Suite struct StoreConformanceTests {}
