/// Ordered schema migrations of the SQLite store; `schema_version` records how many ran.
enum SQLiteMigrations {
    static let all: [[String]] = [
        [
            """
            CREATE TABLE IF NOT EXISTS tasks (
                id TEXT PRIMARY KEY NOT NULL,
                status TEXT NOT NULL,
                account_id TEXT,
                submit_time INTEGER NOT NULL,
                finished INTEGER NOT NULL,
                data TEXT NOT NULL
            )
            """,
            "CREATE INDEX IF NOT EXISTS tasks_unfinished ON tasks(finished, id)",
        ],
        [
            // Store revisions (stale writes are ignored), the durable webhook outbox, channel cursors.
            "ALTER TABLE tasks ADD COLUMN revision INTEGER NOT NULL DEFAULT 0",
            """
            CREATE TABLE IF NOT EXISTS webhook_outbox (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                task_id TEXT NOT NULL,
                sequence INTEGER NOT NULL,
                event TEXT NOT NULL,
                url TEXT NOT NULL,
                body TEXT NOT NULL,
                delivery_id TEXT NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0,
                created_at INTEGER NOT NULL,
                next_attempt INTEGER NOT NULL
            )
            """,
            "CREATE INDEX IF NOT EXISTS webhook_outbox_task ON webhook_outbox(task_id, sequence, id)",
            "CREATE INDEX IF NOT EXISTS webhook_outbox_due ON webhook_outbox(next_attempt)",
            """
            CREATE TABLE IF NOT EXISTS channel_cursors (
                channel_id TEXT PRIMARY KEY NOT NULL,
                message_id TEXT NOT NULL
            )
            """,
        ],
        [
            // Accounts as data (issue 8): settings as JSON, where they came from, what the bots last told them.
            """
            CREATE TABLE IF NOT EXISTS accounts (
                id TEXT PRIMARY KEY NOT NULL,
                config TEXT NOT NULL,
                origin TEXT NOT NULL,
                bot_state TEXT NOT NULL DEFAULT '{}',
                created_at INTEGER NOT NULL
            )
            """
        ],
    ]
}
