import DiscordKit
import Foundation
import Logging

/// Button actions on finished tasks, modals and their submission.
extension TaskService {
    /// `POST /mj/submit/action` after input validation. `autoSubmitModal` (change / simple-change)
    /// never answers 21: a remix modal is answered with the parent prompt.
    public func action(taskId: String, customId: String, chooseSameChannel: Bool, common: SubmitCommon, autoSubmitModal: Bool = false) async
        -> SubmitResult
    {
        let parent: MJTask
        do {
            guard let p = try await registry.task(id: taskId) else { return validation("V18") }
            parent = p
        } catch {
            return SubmitResult(code: 9, description: text("S3"))
        }
        guard parent.status == .success else { return validation("V19") }
        guard let rule = CustomIdRules.action(for: customId) else { return validation("V26", ["id": customId]) }
        let onParent = parent.buttons.contains { $0.customId == customId } || (parent.messageHash.map { customId.contains($0) } ?? false)
        guard onParent else { return validation("V27") }
        let local = await actionAccount(parent: parent, chooseSameChannel: chooseSameChannel, filter: common.filter)
        // Several instances on one store: the parent's account may run on another instance.
        let remote = local == nil ? await remoteActionAccount(parent: parent, chooseSameChannel: chooseSameChannel) : nil
        guard let config = local?.config ?? remote?.config else { return validation("V14", ["id": parent.accountId ?? ""]) }
        let remixOn = await local?.remixOn(parent.botType) ?? remote?.remixOn ?? false
        if let filter = common.filter, !filter.admits(config, remixOn: remixOn) { return validation("V12") }
        var task = newTask(rule.action, botType: parent.botType, prompt: parent.prompt, common: common)
        task.promptEn = parent.promptEn
        task.customId = customId
        task.parentId = parent.id
        task.parentMessageId = parent.messageId
        task.parentMessageFlags = parent.properties["flags"]?.intValue.map { Int($0) } ?? 0
        // The job runs where the parent's buttons are (its channel may be a sub-channel).
        if let channel = parent.property("discordChannelId"), config.channels.contains(channel) {
            task.setProperty("discordChannelId", string: channel)
        }
        task.description = "/up \(parent.id) \(CustomIdRules.shortName(customId))"
        let parentPrompt = parent.finalPrompt ?? parent.promptEn ?? parent.prompt ?? ""
        // Describe / shorten picks carry the chosen prompt; other modals start from the parent's prompt.
        var modalPrompt = parentPrompt
        if let n = Int(customId.components(separatedBy: "::").last ?? ""), customId.hasPrefix("MJ::Job::PicReader::") || customId.hasPrefix("MJ::Job::PromptAnalyzer::") {
            modalPrompt = Self.numberedPrompt(parentPrompt, index: n) ?? parentPrompt
        }
        task.setProperty("finalPrompt", string: modalPrompt)
        let needsModal = rule.modal == .always || (rule.modal == .remix && remixOn && !config.remixAutoSubmit)
        guard let account = local else {
            if needsModal && !autoSubmitModal {
                task.status = .modal
                task.setProperty("remix", .bool(rule.modal == .remix))
                return await recordModalElsewhere(task, for: config, remix: rule.modal == .remix)
            }
            if rule.modal == .always { return validation("V26", ["id": customId]) }
            task.promptEn = parentPrompt
            return await recordElsewhere(task, for: config)
        }
        if needsModal && !autoSubmitModal {
            task.status = .modal
            task.setProperty("remix", .bool(rule.modal == .remix))
            return await createModal(task, on: account, remix: rule.modal == .remix)
        }
        if rule.modal == .always {
            // A modal that only /submit/modal can fill (zoom, region, picks) cannot be auto-submitted.
            return validation("V26", ["id": customId])
        }
        task.promptEn = parentPrompt
        return await enqueue(task, on: account)
    }

    /// The parent's account, or with `chooseSameChannel` any enabled account in the parent's channel (parent's preferred).
    func actionAccount(parent: MJTask, chooseSameChannel: Bool, filter: AccountFilter?) async -> DiscordAccount? {
        let own = await parent.accountId.asyncFlatMap { await pool.account(id: $0) }
        if let own, own.config.enabled, await own.isAvailable { return own }
        guard chooseSameChannel, let channel = parent.property("discordChannelId") ?? own?.config.channelId else { return nil }
        for account in await pool.all where account.config.channels.contains(channel) && account.config.enabled {
            if await account.isAvailable { return account }
        }
        return nil
    }

    /// The n-th numbered prompt (1️⃣ …) of a describe / shorten text.
    static func numberedPrompt(_ text: String, index: Int) -> String? {
        let keycaps = ["1️⃣", "2️⃣", "3️⃣", "4️⃣", "5️⃣"]
        guard (1...5).contains(index) else { return nil }
        let section = text.components(separatedBy: "## Shortened prompts").last ?? text
        for block in section.components(separatedBy: "\n") {
            let trimmed = block.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.hasPrefix(keycaps[index - 1]) {
                return String(trimmed.dropFirst(keycaps[index - 1].count)).trimmingCharacters(in: .whitespaces)
            }
        }
        return nil
    }

    func createModal(_ task: MJTask, on account: DiscordAccount, remix: Bool) async -> SubmitResult {
        var task = task
        task.accountId = account.config.id
        task.setProperty("discordInstanceId", string: account.config.id)
        if task.property("discordChannelId") == nil { task.setProperty("discordChannelId", string: account.config.channelId) }
        task.lastActivity = nowMillis()
        do {
            try await registry.create(task)
        } catch {
            return SubmitResult(code: 9, description: text("S3"))
        }
        await account.trackModal(task.id)
        return SubmitResult(
            code: 21, description: text("S7"), result: task.id,
            properties: ["finalPrompt": .string(task.finalPrompt ?? ""), "remix": .bool(remix), "discordInstanceId": .string(account.config.id)])
    }

    /// `POST /mj/submit/modal`: completes a MODAL task with its prompt (and, for Vary Region, the mask).
    public func modal(taskId: String, prompt rawPrompt: String?, mask: SubmittedImage?) async -> SubmitResult {
        guard let task = try? await registry.task(id: taskId) else { return validation("V28") }
        guard task.status == .modal else { return validation("V29") }
        var prompt = rawPrompt?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if prompt.isEmpty {
            prompt = task.finalPrompt ?? task.prompt ?? ""
            if task.action == .customZoom && !prompt.contains("--zoom") { prompt += " --zoom 2" }
        }
        guard prompt.count <= 8192 else { return validation("V7") }
        if task.action == .customZoom {
            guard let m = prompt.firstMatch(of: /--zoom\s+([0-9]*\.?[0-9]+)/), let z = Double(m.output.1), (1...2).contains(z) else { return validation("V31") }
        }
        if task.action == .inpaint {
            guard let mask else { return validation("V30") }
            guard mask.contentType == "image/png" else { return validation("V9", ["field": "maskBase64", "i": ""]) }
        }
        let english: String
        switch await applyPolicy(prompt, checkBanned: true) {
        case .failure(let refusal): return refusal
        case .success(let e): english = e
        }
        let maskImages = mask.map { Self.pending([$0], taskId: task.id) } ?? []
        let finalPrompt = prompt
        // Several instances on one store: submitted in the store (MODAL → NOT_START, so of submits on two
        // instances at once only one wins), queued here when its account runs here, else by its holder.
        if let writes = sharedWrites.value, let accountId = task.accountId {
            var here: DiscordAccount?
            if await registry.liveTask(id: taskId) != nil {
                guard let account = await pool.account(id: accountId), await account.isAvailable else { return validation("V14", ["id": accountId]) }
                here = account
            }
            let moved = await registry.changeElsewhere(taskId, using: writes, requiring: .modal, orHere: true) {
                $0.status = .notStart
                $0.prompt = finalPrompt
                $0.promptEn = english
                $0.pendingImages = maskImages
                $0.setProperty("remix", nil)
            }
            guard moved != nil else { return validation("V29") }
            if let here { await here.requeue(taskId) }
            return SubmitResult(code: 1, description: text("S1"), result: taskId, properties: ["discordInstanceId": .string(accountId)])
        }
        guard let accountId = task.accountId, let account = await pool.account(id: accountId), await account.isAvailable else {
            return validation("V14", ["id": task.accountId ?? ""])
        }
        let outcome: EnqueueResult
        do {
            outcome = try await account.enqueue(task.id) { [registry] in
                // Compare-and-set MODAL → NOT_START: of two concurrent submits only one sends a job.
                let moved = await registry.transition(taskId, from: [.modal]) {
                    $0.status = .notStart
                    $0.prompt = finalPrompt
                    $0.promptEn = english
                    $0.pendingImages = maskImages
                    $0.setProperty("remix", nil)
                }
                if moved == nil { throw ModalAlreadySubmitted() }
            }
        } catch is ModalAlreadySubmitted {
            return validation("V29")
        } catch {
            return SubmitResult(code: 9, description: text("S3"))
        }
        return answer(outcome, task: task, account: account)
    }

    /// The MODAL task was submitted by a concurrent request first.
    struct ModalAlreadySubmitted: Error {}
}
