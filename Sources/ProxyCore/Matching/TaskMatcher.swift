import DiscordKit
import Foundation

/// Decides which running task of one account a bot message belongs to, and remembers the bindings
/// that decision creates. Pure value state, no I/O: the account feeds it gateway events and applies
/// the answers to the registry.
///
/// Order: a message already bound (start/progress/deferred) → its task; a message that ended a task,
/// or was bound to a task that is gone → nobody; the echoed nonce; the interaction id; for errors the
/// replied-to message (`message_reference`); for results the job hash of the progress previews; last
/// the content (own `<@user>`, action words, peer-style prompt key, replied-to parent, earliest start).
/// A MESSAGE_UPDATE never finishes a task unless it edits that task's own bound message: Midjourney
/// edits a finished grid when one of its buttons is pressed, and that edit is not a result.
public struct TaskMatcher: Sendable {
    /// Running tasks.
    public private(set) var tasks: [String: TaskFacts] = [:]
    private var nonces: [String: String] = [:]
    private var interactions: [String: String] = [:]
    private var messages: [String: String] = [:]
    private var hashes: [String: String] = [:]
    /// Messages that ended a task or were bound to one that is gone: never matched again.
    private var retired = RecentIDs(capacity: 4096)
    /// The account's own Discord user id (from READY); results mentioning someone else are not ours.
    public var ownUserId: String?

    /// An empty matcher.
    public init(ownUserId: String? = nil) { self.ownUserId = ownUserId }

    // MARK: tracking

    /// Starts tracking a task (it holds a slot).
    public mutating func track(_ facts: TaskFacts) { tasks[facts.id] = facts }

    /// Records the channel a task's interaction goes to: content matches then only come from there.
    public mutating func setChannel(_ channelId: String, for taskId: String) { tasks[taskId]?.channelId = channelId }

    /// Binds the nonce of an interaction about to be sent for `taskId`; from now on bot messages may be its own.
    public mutating func bind(nonce: String, to taskId: String) {
        guard tasks[taskId] != nil else { return }
        nonces[nonce] = taskId
        if tasks[taskId]?.phase == .preparing { tasks[taskId]?.phase = .submitted }
    }

    /// Binds a message (a progress message known from before a restart) to `taskId`.
    public mutating func bind(messageId: String, to taskId: String) {
        guard tasks[taskId] != nil, !retired.contains(messageId) else { return }
        messages[messageId] = taskId
    }

    /// The task of `nonce`, if running.
    public func task(nonce: String?) -> String? { nonce.flatMap { nonces[$0] } }

    /// INTERACTION_CREATE / SUCCESS: binds the interaction id to the nonce's task and returns it.
    public mutating func interactionAcknowledged(id: String, nonce: String?) -> String? {
        guard let taskId = task(nonce: nonce) else { return nil }
        interactions[id] = taskId
        return taskId
    }

    /// INTERACTION_FAILURE / a modal: the task of the interaction, by nonce or interaction id.
    public func task(interactionId: String, nonce: String?) -> String? { task(nonce: nonce) ?? interactions[interactionId] }

    /// Stops tracking a task; its messages are retired (their later edits match nobody).
    public mutating func forget(_ taskId: String) {
        guard tasks.removeValue(forKey: taskId) != nil else { return }
        for (id, owner) in messages where owner == taskId { retired.insert(id) }
        nonces = nonces.filter { $0.value != taskId }
        interactions = interactions.filter { $0.value != taskId }
        messages = messages.filter { $0.value != taskId }
        hashes = hashes.filter { $0.value != taskId }
    }

    /// Marks a message as having ended a task (so its later edits never end another).
    public mutating func retire(messageId: String) { retired.insert(messageId) }

    // MARK: routing

    /// The running task `m` belongs to, or nil; binds the message (start, progress, deferred answer),
    /// its preview hash, and retires it when it ends the task. `isUpdate` is true for MESSAGE_UPDATE.
    public mutating func route(_ m: Message, event: MJEvent, isUpdate: Bool) -> String? {
        guard let taskId = decide(m, event: event, isUpdate: isUpdate) else { return nil }
        switch event {
        case .deferred, .started:
            messages[m.id] = taskId
            tasks[taskId]?.phase = .inProgress
            if case .started(let c) = event { tasks[taskId]?.finalPrompt = c.prompt }
        case .progress(let c, let preview):
            messages[m.id] = taskId
            tasks[taskId]?.phase = .inProgress
            if tasks[taskId]?.finalPrompt == nil { tasks[taskId]?.finalPrompt = c.prompt }
            if let preview, let hash = MJMessageParser.jobHash(fromURL: preview), hashes[hash] == nil { hashes[hash] = taskId }
        case .finished, .describeResult, .shortenResult, .error, .failedText:
            retired.insert(m.id)
        case .notice, .ignored:
            break
        }
        return taskId
    }

    private func decide(_ m: Message, event: MJEvent, isUpdate: Bool) -> String? {
        if let owner = messages[m.id] { return tasks[owner] != nil ? owner : nil }
        if retired.contains(m.id) { return nil }
        if isUpdate, case .finished = event { return nil }
        if let id = task(nonce: m.nonce) { return id }
        if let iid = m.interaction_metadata?.id ?? m.interaction?.id, let id = interactions[iid] { return id }
        switch event {
        case .error, .failedText, .notice:
            return replyTarget(m)
        case .finished(let c):
            guard mentionsOwnUser(c) else { return nil }
            guard let hash = MJMessageParser.jobHash(of: m) else { return byContent(m, c, final: true) }
            if let id = hashes[hash], tasks[id]?.botApplicationId == m.author.id { return id }
            return byContent(m, c, final: true)
        case .started(let c), .progress(let c, _):
            guard mentionsOwnUser(c) else { return nil }
            return byContent(m, c, final: false)
        default:
            return nil
        }
    }

    /// An error without nonce: the task whose message it replies to, else the only task started from that message.
    private func replyTarget(_ m: Message) -> String? {
        guard let ref = m.message_reference?.message_id else { return nil }
        if let id = messages[ref] { return tasks[id] != nil ? id : nil }
        let started = tasks.values.filter { $0.parentMessageId == ref && $0.phase != .preparing && $0.botApplicationId == m.author.id }
        return started.count == 1 ? started[0].id : nil
    }

    private func mentionsOwnUser(_ c: MJContent) -> Bool {
        guard let own = ownUserId, let mentioned = c.userId else { return true }
        return own == mentioned
    }

    /// Content matching among sent tasks of the message's bot. A start or progress line is bound only
    /// when one task fits best (a wrong binding would carry over to the result); a result with a tie
    /// goes to the earliest started task, as the peers do.
    private func byContent(_ m: Message, _ c: MJContent, final: Bool) -> String? {
        let wanted = PromptKey(c.prompt)
        let reference = m.message_reference?.message_id
        let bound = Set(messages.values)
        var best: [(score: Int, facts: TaskFacts)] = []
        for facts in tasks.values where facts.phase != .preparing && facts.botApplicationId == m.author.id {
            // Jobs of one account in different sub-channels never take each other's messages.
            if let channel = facts.channelId, channel != m.channel_id { continue }
            guard ActionLabel.fits(c, action: facts.action, customId: facts.customId) else { continue }
            // A task that already has its start/progress message does not take a second one.
            if !final && bound.contains(facts.id) { continue }
            var score = max(PromptKey(facts.prompt).fit(wanted), facts.finalPrompt.map { PromptKey($0).fit(wanted) } ?? 0)
            guard score > 0 else { continue }
            if let reference {
                // A reply belongs to a job started from the message it replies to.
                guard reference == facts.parentMessageId else { continue }
                score += 2
            }
            if best.isEmpty || score > best[0].score {
                best = [(score, facts)]
            } else if score == best[0].score {
                best.append((score, facts))
            }
        }
        if best.count > 1 && !final { return nil }
        return best.min { ($0.facts.startTime, $0.facts.id) < ($1.facts.startTime, $1.facts.id) }?.facts.id
    }
}

/// A bounded set of ids that forgets the oldest first.
struct RecentIDs: Sendable {
    private var order: [String] = []
    private var members: Set<String> = []
    private var head = 0
    let capacity: Int

    init(capacity: Int) { self.capacity = max(1, capacity) }

    func contains(_ id: String) -> Bool { members.contains(id) }

    mutating func insert(_ id: String) {
        guard members.insert(id).inserted else { return }
        order.append(id)
        if members.count > capacity {
            members.remove(order[head])
            head += 1
            if head > capacity {
                order.removeFirst(head)
                head = 0
            }
        }
    }
}
