import DiscordKit
import ProxyCore
import Testing

/// An in-memory translator: a fixed dictionary, recording every request.
final class FakeTranslator: PromptTranslator {
    let table: [String: String]
    let asked = Locked<[String]>([])

    init(_ table: [String: String]) { self.table = table }

    func translate(_ text: String) async throws -> String {
        asked.withLock { $0.append(text) }
        return table[text] ?? "<\(text)>"
    }
}

/// Prompt translation: only Chinese text segments are translated; parameters, weights and URLs are kept.
@Suite struct PromptTranslationTests {
    static let table = ["一只猫": "a cat", "猫": "cat", "狗": "dog", "一只狗": "a dog", "红色的花": "red flowers", "在草地上": "on the grass"]

    @Test func detectsChinese() {
        #expect(PromptTranslation.containsChinese("一只猫"))
        #expect(PromptTranslation.containsChinese("a cat 在 the garden"))
        #expect(PromptTranslation.containsChinese("\u{3400}"))  // extension A
        #expect(PromptTranslation.containsChinese("\u{F900}"))  // compatibility ideograph
        #expect(!PromptTranslation.containsChinese("a cat, 4k, --ar 16:9"))
        #expect(!PromptTranslation.containsChinese("ねこ"))  // kana only
        #expect(!PromptTranslation.containsChinese("，。"))  // CJK punctuation only
        #expect(!PromptTranslation.containsChinese(""))
    }

    @Test func parametersAreUntouched() async throws {
        let fake = FakeTranslator(Self.table)
        let out = try await PromptTranslation.translatePrompt("一只猫 --ar 16:9 --no 红色", using: fake)
        #expect(out == "a cat --ar 16:9 --no 红色")
        #expect(fake.asked.value == ["一只猫"])
    }

    @Test func leadingURLsAreKept() async throws {
        let fake = FakeTranslator(Self.table)
        #expect(try await PromptTranslation.translatePrompt("https://x.y/a.png 一只猫", using: fake) == "https://x.y/a.png a cat")
        #expect(
            try await PromptTranslation.translatePrompt("<https://x.y/a.png> http://x.y/b.jpg 一只猫 --iw 2", using: fake)
                == "<https://x.y/a.png> http://x.y/b.jpg a cat --iw 2")
        #expect(fake.asked.value == ["一只猫", "一只猫"])
    }

    @Test func urlsInsideTheTextAreKept() async throws {
        let fake = FakeTranslator(Self.table)
        let out = try await PromptTranslation.translatePrompt("一只猫 https://x.y/猫.png 一只狗", using: fake)
        #expect(out == "a cat https://x.y/猫.png a dog")
        #expect(fake.asked.value == ["一只猫", "一只狗"])
    }

    @Test func weightsKeepTheirSuffixes() async throws {
        let fake = FakeTranslator(Self.table)
        let out = try await PromptTranslation.translatePrompt("猫::2 狗::-0.5", using: fake)
        #expect(out == "cat::2 dog::-0.5")
        #expect(fake.asked.value == ["猫", "狗"])
    }

    @Test func weightsWithParametersAndEnglishSegments() async throws {
        let fake = FakeTranslator(Self.table)
        let out = try await PromptTranslation.translatePrompt("red flowers::1.5 在草地上:: 一只狗::.5 --v 6", using: fake)
        #expect(out == "red flowers::1.5 on the grass:: a dog::.5 --v 6")
        // The English segment is not sent.
        #expect(fake.asked.value == ["在草地上", "一只狗"])
    }

    @Test func multiWordChineseSegmentIsTranslatedAsOne() async throws {
        let fake = FakeTranslator(["红色的花 在草地上": "red flowers on the grass"])
        let out = try await PromptTranslation.translatePrompt("  红色的花   在草地上  --ar 1:1", using: fake)
        #expect(out == "red flowers on the grass --ar 1:1")
        #expect(fake.asked.value == ["红色的花 在草地上"])
    }

    @Test func englishPromptIsNeverSent() async throws {
        let fake = FakeTranslator(Self.table)
        for prompt in ["a cat --ar 16:9", "a cat --no 红色", "https://x.y/猫.png a cat", "cat::2 dog::-0.5", "--ar 1:1", ""] {
            #expect(try await PromptTranslation.translatePrompt(prompt, using: fake) == prompt)
        }
        #expect(fake.asked.value.isEmpty)
    }

    @Test func translatorErrorsPropagate() async throws {
        struct Broken: PromptTranslator {
            func translate(_ text: String) async throws -> String { throw TranslationError(provider: "test", code: "1", message: "down") }
        }
        await #expect(throws: TranslationError.self) {
            try await PromptTranslation.translatePrompt("一只猫", using: Broken())
        }
    }
}
