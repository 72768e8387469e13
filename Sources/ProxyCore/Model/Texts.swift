import Foundation

/// Language of every description and proxy-written failReason (contract §1.5).
public enum TextLocale: String, Sendable, Codable {
    case en
    case zh
}

/// The proxy's own texts (contract §3), by key, in English and Chinese.
public enum Texts {
    static let table: [String: (String, String)] = [
        "S1": ("Submitted successfully", "提交成功"),
        "S2": ("In queue, there are {n} tasks ahead", "排队中，前面还有{n}个任务"),
        "S3": ("Submit failed, system error", "提交失败，系统异常"),
        "S4": ("Queue is full, please try again later", "队列已满，请稍后尝试"),
        "S5": ("No available account instance", "无可用的账号实例"),
        "S6": ("May contain sensitive words", "可能包含敏感词"),
        "S7": ("Waiting for window confirm", "窗口等待"),
        "S8": ("Success", "成功"),
        "S9": ("seed lookup timed out, try again", "获取seed超时，请重试"),
        "V1": ("request body must be a JSON object", "请求体必须是JSON对象"),
        "V2": ("request body too large", "请求体过大"),
        "V3": ("{field} has the wrong type", "{field}类型错误"),
        "V4": ("prompt must not be empty", "prompt不能为空"),
        "V5": ("state must be at most 1024 characters", "state参数错误"),
        "V6": ("notifyHook must be an http(s) URL", "notifyHook参数错误"),
        "V7": ("prompt must be at most 8192 characters", "prompt过长"),
        "V8": ("{field}[{i}]: invalid base64", "base64格式错误: {field}[{i}]"),
        "V9": ("{field}[{i}]: only PNG, JPEG, GIF and WEBP images are accepted", "图片格式不支持: {field}[{i}]"),
        "V10": ("{field}[{i}]: image larger than 4 MB", "图片超过4MB: {field}[{i}]"),
        "V11": ("invalid botType", "botType参数错误"),
        "V12": ("no account matches accountFilter", "没有符合accountFilter的账号"),
        "V13": ("no account supports mode {mode}", "没有支持{mode}模式的账号"),
        "V14": ("Account unavailable: {id}", "账号不可用: {id}"),
        "V15": ("taskId must not be empty", "taskId不能为空"),
        "V16": ("invalid action", "action参数错误"),
        "V17": ("index must be 1-4", "index参数错误"),
        "V18": ("parent task not found", "关联任务不存在或已失效"),
        "V19": ("parent task status error", "关联任务状态错误"),
        "V20": ("parent task does not allow this change", "关联任务不允许执行变化"),
        "V21": ("invalid content", "content参数错误"),
        "V22": ("base64 must not be empty", "base64不能为空"),
        "V23": ("base64Array must contain 2 to 5 images", "base64List参数错误"),
        "V24": ("invalid dimensions", "dimensions参数错误"),
        "V25": ("customId must not be empty", "customId不能为空"),
        "V26": ("unsupported customId: {id}", "不支持的操作: {id}"),
        "V27": ("customId does not belong to the task", "customId与任务不匹配"),
        "V28": ("task not found", "任务不存在"),
        "V29": ("task is not waiting for modal input", "任务不处于窗口等待状态"),
        "V30": ("maskBase64 must not be empty", "maskBase64不能为空"),
        "V31": ("prompt must contain --zoom between 1 and 2", "prompt需包含--zoom参数(1-2)"),
        "V32": ("task already finished", "任务已结束"),
        "V33": ("{field} must be an http(s) URL", "{field}参数错误"),
        "V34": ("{field} must not be empty", "{field}不能为空"),
        "V35": ("at most {n} images", "图片数量不能超过{n}"),
        "V36": ("ids must be an array of task ids", "ids参数错误"),
        "V37": ("at most {n} ids per request", "ids数量不能超过{n}"),
        "V38": ("task has no image seed", "该任务没有图片seed"),
        "V39": ("invalid {field}", "{field}参数错误"),
        "V40": ("account already exists: {id}", "账号已存在: {id}"),
        "V41": ("account not found", "账号不存在"),
        "A1": ("{what} failed: {detail}", "{what}失败: {detail}"),
        "U1": ("unauthorized: missing or invalid secret", "未授权：密钥缺失或错误"),
        "U2": ("admin API disabled: no admin secret configured", "管理接口未启用：未配置管理密钥"),
        "U3": ("method not allowed", "请求方法不支持"),
        "U4": ("request body not received in time", "请求体接收超时"),
        "F1": ("Task timeout", "任务超时"),
        "F2": ("[Internal Server Error] {msg}", "[Internal Server Error] {msg}"),
        "F3": ("Failed to upload image to Discord", "上传图片到discord失败"),
        "F4": ("Task cancelled", "任务已取消"),
        "F5": ("Modal input not received in time", "窗口等待超时"),
        "F6": ("Account unavailable: {id}", "账号不可用: {id}"),
        "F7": ("Failed to download {field}: {detail}", "下载图片失败: {field}: {detail}"),
        "I1": ("image not found", "图片不存在"),
        "I2": ("image link expired", "图片链接已过期"),
        "I3": ("image store unavailable", "图片存储不可用"),
    ]

    /// The text `key` in `locale` with `{placeholders}` substituted.
    public static func text(_ key: String, _ locale: TextLocale, _ values: [String: String] = [:]) -> String {
        guard let pair = table[key] else { return key }
        var s = locale == .zh ? pair.1 : pair.0
        for (k, v) in values { s = s.replacingOccurrences(of: "{\(k)}", with: v) }
        return s
    }
}
