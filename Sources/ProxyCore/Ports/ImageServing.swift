/// What `GET /mj/image/{taskId}/{name}` found (contract §5.8).
public enum ImageLookup: Sendable, Equatable {
    /// The image: its bytes, Content-Type and how long clients may cache it.
    case image(bytes: [UInt8], contentType: String, maxAgeSeconds: Int64)
    /// No such image (or a name the mirror never writes).
    case notFound
    /// The signature is missing or wrong.
    case badSignature
    /// The signature is right but the link's time is over.
    case expired
    /// The image store did not answer.
    case unavailable
}

/// Serves mirrored images to the HTTP API (implemented by the image mirror).
public protocol ImageServing: Sendable {
    /// The image `name` of task `taskId` if the link's `exp` and `sig` query values check out.
    func image(taskId: String, name: String, expires: String?, signature: String?) async -> ImageLookup
}
