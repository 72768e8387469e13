/// The page frame and the pages outside the operator's session (login, refused), as Mustache
/// sources. `{{x}}` is HTML-escaped; only `{{{content}}}` (a page rendered by these templates) is not.
enum AdminTemplates {
    /// Every template by name.
    static let all: [String: String] = [
        "layout": layout, "login": login, "message": message, "overview": overview,
        "accounts": accounts, "account": account, "tasks": tasks, "task": task, "banned": banned, "config": config,
    ]

    static let layout = """
        <!DOCTYPE html>
        <html lang="{{lang}}">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <link rel="icon" href="data:,">
        <title>{{title}} · {{t.appName}}</title>
        <style>
        body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:0;background:#f5f6f8;color:#1d2330}
        header{background:#1d2330;color:#fff;padding:.6rem 1.2rem;display:flex;gap:1.2rem;align-items:center;flex-wrap:wrap}
        header a{color:#cfd8ea;text-decoration:none}header a.on{color:#fff;font-weight:600}
        header .brand{font-weight:700;color:#fff}header .right{margin-left:auto;display:flex;gap:.8rem;align-items:center}
        main{padding:1.2rem;max-width:1200px;margin:auto}
        h1{font-size:1.4rem;margin:.2rem 0 1rem}h2{font-size:1.1rem;margin:1.2rem 0 .6rem}
        table{border-collapse:collapse;width:100%;background:#fff;font-size:.9rem}
        th,td{border-bottom:1px solid #e3e6ec;padding:.45rem .5rem;text-align:left;vertical-align:top}
        th{background:#eef1f6;font-weight:600}
        .card{background:#fff;border:1px solid #e3e6ec;border-radius:6px;padding:1rem;margin-bottom:1rem}
        .stats{display:flex;gap:1rem;flex-wrap:wrap}.stat{background:#fff;border:1px solid #e3e6ec;border-radius:6px;padding:.8rem 1rem;min-width:9rem}
        .stat b{display:block;font-size:1.5rem}
        form.inline{display:inline}button,input,select,textarea{font:inherit}
        button{background:#2f5fd0;color:#fff;border:0;border-radius:4px;padding:.3rem .7rem;cursor:pointer}
        button.plain{background:#e3e6ec;color:#1d2330}button.danger{background:#c0392b}
        header button{background:transparent;color:#cfd8ea;padding:0}
        input[type=text],input[type=password],input[type=number],select,textarea{border:1px solid #c5cbd6;border-radius:4px;padding:.3rem}
        label{display:block;margin:.4rem 0}label span{display:inline-block;min-width:11rem}
        .flash{padding:.6rem .8rem;border-radius:4px;margin-bottom:1rem}.flash.ok{background:#e3f5e8}.flash.bad{background:#fbe4e1}
        .muted{color:#6b7385;font-size:.85rem}.tag{display:inline-block;padding:0 .4rem;border-radius:3px;background:#e3e6ec;font-size:.8rem}
        .s-SUCCESS{background:#d5f0dc}.s-FAILURE{background:#f8d7d3}.s-IN_PROGRESS,.s-SUBMITTED{background:#fff1c9}
        img.result{max-width:100%;max-height:520px;border-radius:4px}
        .bar{height:8px;background:#e3e6ec;border-radius:4px;overflow:hidden;width:240px}.bar div{height:100%;background:#2f5fd0}
        .actions form{margin:.1rem .2rem .1rem 0}
        </style>
        </head>
        <body>
        <header>
        <span class="brand">{{t.appName}}</span>
        {{#loggedIn}}
        {{#nav}}<a href="{{href}}"{{#on}} class="on"{{/on}}>{{label}}</a>{{/nav}}
        {{/loggedIn}}
        <span class="right">
        <a href="?lang=en" id="lang-en">English</a><a href="?lang=zh" id="lang-zh">中文</a>
        {{#loggedIn}}<form class="inline" method="post" action="/admin/logout"><input type="hidden" name="csrf" value="{{csrf}}"><button id="logout">{{t.logout}}</button></form>{{/loggedIn}}
        </span>
        </header>
        <main>
        {{#flash}}<div class="flash {{#ok}}ok{{/ok}}{{^ok}}bad{{/ok}}" id="flash">{{text}}</div>{{/flash}}
        {{{content}}}
        </main>
        </body>
        </html>
        """

    static let login = """
        <h1>{{t.loginTitle}}</h1>
        <div class="card">
        <form method="post" action="/admin/login">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <label><span>{{t.adminSecret}}</span><input type="password" name="secret" id="secret" autocomplete="current-password" autofocus></label>
        <button id="login">{{t.login}}</button>
        </form>
        </div>
        """

    static let message = """
        <h1>{{heading}}</h1>
        <div class="card" id="message">{{text}}</div>
        """

    static let overview = """
        <h1>{{t.overview}}</h1>
        <div class="stats">
        <div class="stat">{{t.running}}<b id="running">{{running}}</b></div>
        <div class="stat">{{t.queued}}<b id="queued">{{queued}}</b></div>
        <div class="stat">{{t.tasksPerMinute}}<b id="per-minute">{{perMinute}}</b></div>
        </div>
        <h2>{{t.accountsByState}}</h2>
        <table id="states"><tr><th>{{t.state}}</th><th>{{t.accounts}}</th></tr>
        {{#states}}<tr><td>{{name}}</td><td>{{count}}</td></tr>{{/states}}
        </table>
        <h2>{{t.recentFailures}}</h2>
        {{^failures}}<p class="muted">{{t.none}}</p>{{/failures}}
        {{#hasFailures}}<table id="failures"><tr><th>{{t.id}}</th><th>{{t.action}}</th><th>{{t.submitTime}}</th><th>{{t.failReason}}</th></tr>
        {{#failures}}<tr><td><a href="/admin/tasks/{{id}}">{{id}}</a></td><td>{{action}}</td><td>{{submitted}}</td><td>{{failReason}}</td></tr>{{/failures}}
        </table>{{/hasFailures}}
        """
}
