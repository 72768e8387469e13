/// The pages of a logged-in operator (see `AdminTemplates` for the frame).
extension AdminTemplates {
    static let accounts = """
        <h1>{{t.accounts}}</h1>
        <table id="accounts">
        <tr><th>{{t.id}}</th><th>{{t.state}}</th><th>{{t.mode}}</th><th>{{t.remix}}</th><th>{{t.fastTime}}</th><th>{{t.running}}/{{t.queued}}</th><th>{{t.lastError}}</th><th></th></tr>
        {{#accounts}}
        <tr id="account-{{id}}">
        <td><a href="/admin/accounts/{{path}}">{{id}}</a><div class="muted">{{remark}}</div></td>
        <td><span class="tag state">{{state}}</span>{{#disabledReason}}<div class="muted">{{disabledReason}}</div>{{/disabledReason}}
        {{#captcha}}<div><b>{{t.captchaPaused}}</b> <span class="muted">{{message}}</span>
        {{#link}}<a href="{{link}}" target="_blank" rel="noopener noreferrer">{{t.openChallenge}}</a>{{/link}}
        <form class="inline" method="post" action="/admin/accounts/{{path}}/verified"><input type="hidden" name="csrf" value="{{csrf}}"><button>{{t.unpause}}</button></form></div>{{/captcha}}
        </td>
        <td>{{mode}}
        <form class="inline" method="post" action="/admin/accounts/{{path}}/change-mode"><input type="hidden" name="csrf" value="{{csrf}}">
        <select name="mode">{{#modes}}<option{{#on}} selected{{/on}}>{{name}}</option>{{/modes}}</select> <button class="plain">{{t.switchMode}}</button></form></td>
        <td>{{remix}}
        <form class="inline" method="post" action="/admin/accounts/{{path}}/change-remix"><input type="hidden" name="csrf" value="{{csrf}}">
        <input type="hidden" name="remix" value="{{remixNext}}"><button class="plain">{{remixLabel}}</button></form></td>
        <td>{{fastTime}}</td>
        <td>{{running}}/{{queued}}</td>
        <td class="muted">{{lastError}}</td>
        <td class="actions">
        {{#enabled}}<form class="inline" method="post" action="/admin/accounts/{{path}}/disable"><input type="hidden" name="csrf" value="{{csrf}}"><button class="plain" id="disable-{{id}}">{{t.disable}}</button></form>{{/enabled}}
        {{^enabled}}<form class="inline" method="post" action="/admin/accounts/{{path}}/enable"><input type="hidden" name="csrf" value="{{csrf}}"><button class="plain" id="enable-{{id}}">{{t.enable}}</button></form>{{/enabled}}
        <form class="inline" method="post" action="/admin/accounts/{{path}}/reconnect"><input type="hidden" name="csrf" value="{{csrf}}"><button class="plain">{{t.reconnect}}</button></form>
        <form class="inline" method="post" action="/admin/accounts/{{path}}/sync-info"><input type="hidden" name="csrf" value="{{csrf}}"><button class="plain">{{t.syncInfo}}</button></form>
        </td>
        </tr>
        {{/accounts}}
        </table>
        <h2>{{t.addAccount}}</h2>
        <div class="card">
        <form method="post" action="/admin/accounts" id="add-account">
        <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="once" value="{{once}}">
        <label><span>{{t.id}}</span><input type="text" name="id"></label>
        <label><span>{{t.guildId}}</span><input type="text" name="guildId" required></label>
        <label><span>{{t.channelId}}</span><input type="text" name="channelId" required></label>
        <label><span>{{t.userToken}}</span><input type="password" name="userToken" required autocomplete="off"></label>
        <label><span>{{t.remark}}</span><input type="text" name="remark"></label>
        <label><span>{{t.coreSize}}</span><input type="number" name="coreSize" min="1" max="12"></label>
        <label><span>{{t.queueSize}}</span><input type="number" name="queueSize" min="0" max="100"></label>
        <button id="add-account-submit">{{t.add}}</button>
        </form>
        </div>
        """

    static let account = """
        <h1>{{t.editAccount}} {{id}}</h1>
        <div class="card">
        <form method="post" action="/admin/accounts/{{path}}/update" id="edit-account">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <label><span>{{t.remark}}</span><input type="text" name="remark" value="{{remark}}"></label>
        <label><span>{{t.guildId}}</span><input type="text" name="guildId" value="{{guildId}}"></label>
        <label><span>{{t.channelId}}</span><input type="text" name="channelId" value="{{channelId}}"></label>
        <label><span>{{t.userToken}}</span><input type="password" name="userToken" placeholder="{{t.tokenKeep}}" autocomplete="off"></label>
        <label><span>{{t.userAgent}}</span><input type="text" name="userAgent" value="{{userAgent}}" size="60"></label>
        <label><span>{{t.coreSize}}</span><input type="number" name="coreSize" value="{{coreSize}}" min="1" max="12"></label>
        <label><span>{{t.queueSize}}</span><input type="number" name="queueSize" value="{{queueSize}}" min="0" max="100"></label>
        <label><span>{{t.weight}}</span><input type="number" name="weight" value="{{weight}}" min="1" max="100"></label>
        <label><span>{{t.timeoutMinutes}}</span><input type="number" name="timeoutMinutes" value="{{timeoutMinutes}}" min="1" max="60" step="any"></label>
        <button>{{t.save}}</button>
        </form>
        </div>
        <form method="post" action="/admin/accounts/{{path}}/delete"><input type="hidden" name="csrf" value="{{csrf}}"><button class="danger">{{t.delete}}</button></form>
        """

    static let tasks = """
        <h1>{{t.tasks}}</h1>
        <div class="card">
        <form method="post" action="/admin/tasks" id="imagine-form">
        <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="once" value="{{once}}">
        <label><span>{{t.newImagine}}</span><input type="text" name="prompt" id="prompt" size="70" required></label>
        <button id="imagine-submit">{{t.imagine}}</button>
        </form>
        </div>
        <form method="get" action="/admin/tasks" class="card" id="task-filter">
        {{t.status}} <select name="status"><option value="">{{t.all}}</option>{{#statuses}}<option{{#on}} selected{{/on}}>{{name}}</option>{{/statuses}}</select>
        {{t.action}} <select name="action"><option value="">{{t.all}}</option>{{#actions}}<option{{#on}} selected{{/on}}>{{name}}</option>{{/actions}}</select>
        {{t.account}} <input type="text" name="account" value="{{account}}" size="12">
        {{t.since}} <select name="since"><option value="">{{t.all}}</option>{{#sinces}}<option value="{{value}}"{{#on}} selected{{/on}}>{{label}}</option>{{/sinces}}</select>
        <button class="plain">{{t.filter}}</button>
        </form>
        <table id="tasks"><tr><th>{{t.id}}</th><th>{{t.action}}</th><th>{{t.status}}</th><th>{{t.progress}}</th><th>{{t.account}}</th><th>{{t.submitTime}}</th><th>{{t.prompt}}</th></tr>
        {{#tasks}}<tr><td><a href="/admin/tasks/{{id}}">{{id}}</a></td><td>{{action}}</td><td><span class="tag s-{{status}}">{{status}}</span></td><td>{{progress}}</td><td>{{accountId}}</td><td>{{submitted}}</td><td>{{prompt}}</td></tr>{{/tasks}}
        </table>
        """

    static let task = """
        <h1>{{t.taskDetail}} <span id="task-id">{{id}}</span></h1>
        <div class="card">
        <p>{{t.action}}: {{action}} · {{t.account}}: {{accountId}} · {{t.submitTime}}: {{submitted}}</p>
        <p>{{t.status}}: <span class="tag s-{{status}}" id="task-status">{{status}}</span> <span id="task-progress">{{progress}}</span>
        <span class="muted" id="live"></span></p>
        <div class="bar"><div id="task-bar" style="width:{{percent}}%"></div></div>
        <p>{{t.prompt}}: <span id="task-prompt">{{prompt}}</span></p>
        {{#description}}<p class="muted">{{t.description}}: {{description}}</p>{{/description}}
        <p class="muted" id="task-fail">{{failReason}}</p>
        </div>
        <div class="card"><img class="result" id="task-image" alt="{{t.image}}"{{#imageUrl}} src="{{imageUrl}}"{{/imageUrl}}{{^imageUrl}} hidden{{/imageUrl}}></div>
        {{#hasButtons}}<h2>{{t.buttons}}</h2>
        <div class="actions" id="task-buttons">{{#buttons}}<form class="inline" method="post" action="/admin/tasks/{{id}}/action">
        <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="once" value="{{once}}"><input type="hidden" name="customId" value="{{customId}}">
        <button class="plain" data-label="{{label}}">{{emoji}} {{label}}</button></form>{{/buttons}}</div>{{/hasButtons}}
        {{#open}}
        <script nonce="{{nonce}}">
        (function () {
          // The id from the page's text, never spliced into the script (HTML escaping is no JavaScript escaping).
          var source = new EventSource("/admin/tasks/" + encodeURIComponent(document.getElementById("task-id").textContent) + "/events");
          var live = document.getElementById("live");
          live.textContent = "● {{t.live}}";
          function show(e) {
            var task = JSON.parse(e.data);
            document.getElementById("task-status").textContent = task.status;
            document.getElementById("task-status").className = "tag s-" + task.status;
            document.getElementById("task-progress").textContent = task.progress || "";
            document.getElementById("task-bar").style.width = (parseInt(task.progress, 10) || 0) + "%";
            document.getElementById("task-fail").textContent = task.failReason || "";
            if (task.imageUrl && (/^https?:/i.test(task.imageUrl) || task.imageUrl.charAt(0) === "/")) {
              var img = document.getElementById("task-image");
              if (img.getAttribute("src") !== task.imageUrl) { img.src = task.imageUrl; }
              img.hidden = false;
            }
            if (["SUCCESS", "FAILURE", "CANCEL"].indexOf(task.status) >= 0) {
              source.close();
              live.textContent = "";
              window.location.reload();
            }
          }
          ["task.submitted", "task.progress", "task.modal", "task.success", "task.failure", "task.cancel"].forEach(function (name) {
            source.addEventListener(name, show);
          });
          source.onerror = function () { if (source.readyState === EventSource.CLOSED) { live.textContent = ""; } };
        })();
        </script>
        {{/open}}
        """

    static let banned = """
        <h1>{{t.bannedWords}}</h1>
        <h2>{{t.bannedConfigured}}</h2>
        <div class="card" id="banned-config">{{#configured}}<span class="tag">{{.}}</span> {{/configured}}{{^configured}}<span class="muted">{{t.none}}</span>{{/configured}}</div>
        <h2>{{t.bannedFile}}</h2>
        {{#file}}
        <p class="muted">{{file}} — {{t.bannedFileHelp}}</p>
        <form method="post" action="/admin/banned" id="banned-form">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <textarea name="words" rows="16" cols="60" id="banned-words">{{words}}</textarea><br>
        <button>{{t.save}}</button>
        </form>
        {{/file}}
        {{^file}}<p class="muted">{{t.bannedNoFile}}</p>{{/file}}
        """

    static let config = """
        <h1>{{t.configuration}}</h1>
        <p class="muted">{{t.configNote}}</p>
        <table id="config"><tr><th>{{t.key}}</th><th>{{t.value}}</th></tr>
        {{#rows}}<tr><td>{{key}}</td><td>{{value}}</td></tr>{{/rows}}
        </table>
        """
}
