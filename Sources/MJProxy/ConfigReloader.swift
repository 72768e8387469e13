import AsyncHTTPClient
import DiscordKit
import Foundation
import Logging
import ProxyCore
import ServiceLifecycle
import UnixSignals

/// Re-reads the configuration file when it changes (its modification time and size, checked every
/// `reload.pollSeconds`) and on SIGHUP, and applies it live (`AppRuntime.applyReloaded`). A file
/// that does not load is refused with a log line naming the key; the running configuration stays.
struct ConfigReloader: Service {
    let runtime: AppRuntime
    /// Listen for SIGHUP (off in tests, where the process is shared).
    var sighup = true

    /// What identifies a version of the file.
    struct Stamp: Equatable {
        var modified: Date?
        var size: Int?
    }

    static func stamp(_ path: String) -> Stamp {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        return Stamp(modified: attributes?[.modificationDate] as? Date, size: (attributes?[.size] as? NSNumber)?.intValue)
    }

    func run() async throws {
        guard let path = runtime.config.configPath else { return }
        let poll = runtime.config.reloadPollSeconds
        let (triggers, trigger) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(1))
        try? await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                if sighup {
                    group.addTask {
                        for await _ in await UnixSignalsSequence(trapping: .sighup) { trigger.yield("SIGHUP") }
                    }
                }
                if poll > 0 {
                    group.addTask {
                        var last = Self.stamp(path)
                        while true {
                            do { try await Task.sleep(for: .milliseconds(Int64(poll * 1000))) } catch { return }
                            let now = Self.stamp(path)
                            if now != last {
                                last = now
                                trigger.yield("file changed")
                            }
                        }
                    }
                }
                for await cause in triggers {
                    await reload(path: path, cause: cause)
                }
            }
        }
    }

    /// Loads the file (and the environment) again and applies it, or logs why not.
    func reload(path: String, cause: String) async {
        let logger = runtime.logger
        do {
            var new = try ConfigLoader.load(path: path, environment: ProcessInfo.processInfo.environment)
            // Address and port stay what the process listens on.
            new.host = runtime.config.host
            new.port = runtime.config.port
            for warning in new.warnings { logger.warning("\(warning)") }
            logger.info("configuration reloaded", metadata: ["cause": "\(cause)", "file": "\(path)"])
            await runtime.applyReloaded(new)
        } catch let error as ConfigError {
            logger.error("configuration reload refused, the running configuration stays", metadata: ["key": "\(error.key)", "problem": "\(error.problem)"])
        } catch {
            logger.error("configuration reload failed, the running configuration stays", metadata: ["error": "\(error)"])
        }
    }
}

extension AppRuntime {
    /// Translation and banned words of a configuration.
    static func promptPolicy(_ config: AppConfig, http: HTTPClient, logger: Logger) -> PromptPolicy {
        var prompts = PromptPolicy()
        switch config.translateWay {
        case "baidu":
            prompts.translator = BaiduTranslator(
                appId: config.baiduAppId ?? "", appSecret: config.baiduAppSecret ?? "", endpoint: config.baiduEndpoint, http: http)
        case "openai":
            prompts.translator = OpenAITranslator(baseURL: config.openaiBaseURL, apiKey: config.openaiAPIKey ?? "", model: config.openaiModel, http: http)
        default: break
        }
        if !config.bannedWords.isEmpty || config.bannedWordsFile != nil {
            prompts.bannedWords = BannedWords(words: config.bannedWords, file: config.bannedWordsFile, logger: logger)
        }
        return prompts
    }

    /// Applies a reloaded configuration without a restart, tasks in flight untouched: accounts
    /// (added, changed, removed), translation, banned words, webhook URL and secret, outbound rules,
    /// the scheduling rule. Keys only a restart applies are named in a warning.
    func applyReloaded(_ new: AppConfig) async {
        let old = current.value
        current.withLock { $0 = new }
        let counts = await accounts.reloadFile(new.accounts, fileFields: new.accountFields)
        service.setPrompts(Self.promptPolicy(new, http: http, logger: logger))
        var hooks = webhooks.settings
        hooks.globalHook = new.webhookURL
        hooks.secret = new.webhookSecret
        webhooks.update(hooks)
        await registry.setWebhookPlan(hooks.plan)
        outboundRules.withLock { $0 = (allowPrivateNetworks: new.outboundAllowPrivateNetworks, allowHosts: new.outboundAllowHosts) }
        await pool.setRule(new.schedulingRule)
        var restartOnly: [String] = []
        if new.storePath != old.storePath { restartOnly.append("store.path") }
        if new.storeURL != old.storeURL { restartOnly.append("store.url") }
        if new.locale != old.locale { restartOnly.append("locale") }
        if new.apiSecret != old.apiSecret { restartOnly.append("api.secret") }
        if new.adminSecret != old.adminSecret { restartOnly.append("admin.secret") }
        if new.discord != old.discord { restartOnly.append("discord") }
        if new.maxIdsPerQuery != old.maxIdsPerQuery { restartOnly.append("task.maxIdsPerQuery") }
        if new.eventsPingSeconds != old.eventsPingSeconds { restartOnly.append("task.eventsPingSeconds") }
        if new.images != old.images { restartOnly.append("images") }
        if new.metrics != old.metrics { restartOnly.append("metrics") }
        if new.log != old.log { restartOnly.append("log") }
        if !restartOnly.isEmpty {
            logger.warning("configuration keys that apply at the next start changed", metadata: ["keys": "\(restartOnly.joined(separator: ", "))"])
        }
        logger.info(
            "live configuration applied",
            metadata: ["accountsAdded": "\(counts.added)", "accountsChanged": "\(counts.changed)", "accountsRemoved": "\(counts.removed)"])
    }
}
