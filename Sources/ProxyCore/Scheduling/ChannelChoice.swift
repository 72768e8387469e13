/// Which of an account's channels (main + sub-channels) a new job goes to: the one with the fewest
/// of the account's jobs running in it; ties go to the earlier channel (the main one first).
public enum ChannelChoice {
    /// The least busy of `channels` given the channel of each running job (`busy`); nil when `channels` is empty.
    public static func leastBusy(_ channels: [String], busy: [String]) -> String? {
        var counts: [String: Int] = [:]
        for c in busy { counts[c, default: 0] += 1 }
        var best: (channel: String, count: Int)?
        for c in channels {
            let n = counts[c] ?? 0
            if best.map({ n < $0.count }) ?? true { best = (c, n) }
        }
        return best?.channel
    }
}
