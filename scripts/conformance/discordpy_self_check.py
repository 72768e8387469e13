#!/usr/bin/env python3
"""Conformance check: drive the mjproxy sandbox with the real discord.py-self library.

The sandbox imitates Discord (REST under /api/v9, a zlib-stream gateway WebSocket, a CDN)
and a simulated Midjourney bot. This script proves that an independent, widely used user-account
client library can log in, reach on_ready, run /imagine through the library's own
application-command API, see the finished grid, click U1 and see the upscale reply.

Usage:
    python3 discordpy_self_check.py --base http://127.0.0.1:PORT --token anything \
        --channel CHANNEL_ID [--timeout 90] [--prompt "conformance cat"] [--verbose]

Output: one "PASS <check>" or "FAIL <check>: <why>" line per step, then "RESULT: PASS|FAIL".
Exit status: 0 when every check passed, 1 otherwise (also on timeout or any exception).

Only discord.py-self (see requirements.txt) and the standard library are used; yarl is imported
because it is a hard dependency of discord.py-self and the type of its gateway URL attribute.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import logging
import os
import re
import sys
import threading
import time
import zlib
from typing import Any, Callable, Dict, List, Optional

import discord
import discord.gateway
import discord.http
import discord.utils
import yarl

# The Midjourney bot's user id and application id (they are the same number).
MJ_BOT_ID = 936929561302675456

# Button custom_id of U<i> on a finished grid: MJ::JOB::upsample::<i>::<job uuid>
UPSAMPLE_RE = re.compile(r'^MJ::JOB::upsample::(\d)::([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$')


# --------------------------------------------------------------------------------------------
# Reporting helpers
# --------------------------------------------------------------------------------------------

class Report:
    """Collects PASS/FAIL lines; the exit status is derived from it."""

    def __init__(self) -> None:
        self.failed = False
        self.started = time.monotonic()

    def _stamp(self) -> str:
        return f'[{time.monotonic() - self.started:6.2f}s]'

    def ok(self, check: str, detail: str = '') -> None:
        print(f'{self._stamp()} PASS {check}' + (f' ({detail})' if detail else ''), flush=True)

    def fail(self, check: str, why: str) -> None:
        self.failed = True
        print(f'{self._stamp()} FAIL {check}: {why}', flush=True)

    def info(self, text: str) -> None:
        print(f'{self._stamp()} INFO {text}', flush=True)


class CheckFailed(Exception):
    """Raised to stop the run after a fatal check failed (already reported)."""


# --------------------------------------------------------------------------------------------
# Patching the library so it talks to the sandbox and never touches the internet
# --------------------------------------------------------------------------------------------

class _ZlibStreamContext:
    """Gateway transport decompression for `compress=zlib-stream`.

    discord.py-self picks zstd-stream when the `zstandard` package (or Python 3.14's
    compression.zstd) is importable. The sandbox speaks zlib-stream, so this class is installed
    unconditionally: one inflate context per connection, a message is complete when the received
    bytes end with the Z_SYNC_FLUSH marker 00 00 ff ff.
    """

    __slots__ = ('context', 'buffer')

    COMPRESSION_TYPE = 'zlib-stream'

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.context = zlib.decompressobj()

    def decompress(self, data: bytes, /) -> Optional[str]:
        self.buffer.extend(data)
        if len(data) < 4 or data[-4:] != b'\x00\x00\xff\xff':
            return None  # partial message; wait for more frames
        text = self.context.decompress(bytes(self.buffer))
        self.buffer = bytearray()
        return text.decode('utf-8')


def _fixed_headers() -> discord.utils.Headers:
    """Build the library's Headers object from constants (no network look-ups)."""
    major = 136
    user_agent = (
        'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 '
        f'(KHTML, like Gecko) Chrome/{major}.0.0.0 Safari/537.36'
    )
    properties: Dict[str, Any] = {
        'os': 'Windows',
        'browser': 'Chrome',
        'device': '',
        'system_locale': 'en-US',
        'browser_user_agent': user_agent,
        'browser_version': f'{major}.0.0.0',
        'os_version': '10',
        'referrer': '',
        'referring_domain': '',
        'referrer_current': '',
        'referring_domain_current': '',
        'release_channel': 'stable',
        'client_build_number': 396858,
        'client_event_source': None,
        'has_client_mods': False,
        'client_launch_id': '00000000-0000-4000-8000-000000000001',
        'client_app_state': 'unfocused',
        'client_heartbeat_session_id': '00000000-0000-4000-8000-000000000002',
    }
    encoded = base64.b64encode(json.dumps(properties, separators=(',', ':')).encode()).decode()
    return discord.utils.Headers(
        platform='Windows',
        major_version=major,
        super_properties=properties,
        encoded_super_properties=encoded,
        extra_gateway_properties={'is_fast_connect': False, 'gateway_connect_reasons': 'AppSkeleton'},
    )


def discover_gateway(base: str) -> str:
    """Ask the server where its gateway is (GET /api/v9/gateway, as Discord advertises it)."""
    import urllib.request
    with urllib.request.urlopen(base.rstrip('/') + '/api/v9/gateway', timeout=10) as response:
        return json.loads(response.read().decode())['url']


def patch_library(base: str, gateway_url: Optional[str] = None) -> str:
    """Point discord.py-self at the sandbox. Returns the gateway URL that will be used."""
    parsed = yarl.URL(base)
    if parsed.scheme not in ('http', 'https') or not parsed.host:
        raise ValueError(f'--base must look like http://127.0.0.1:PORT, got {base!r}')

    # 1. REST: every Route builds its URL as Route.BASE + path.
    discord.http.Route.BASE = str(parsed.with_path('/api/v9')).rstrip('/')

    # 2. Gateway: the first connection goes to DiscordWebSocket.DEFAULT_GATEWAY (the library
    #    appends ?v=9&encoding=json&compress=zlib-stream). Reconnects use READY.resume_gateway_url.
    #    The sandbox, like Discord, serves the gateway on its own host/port: ask GET /gateway.
    gateway = yarl.URL(gateway_url or discover_gateway(base)).with_path('/')
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = gateway

    # 3. Headers.default() normally downloads super properties, the build number and the
    #    Chrome version from the internet (with multi-second timeouts). Use fixed values.
    async def _default(cls, session, proxy=None, proxy_auth=None):  # noqa: ANN001 - library signature
        return _fixed_headers()

    discord.utils.Headers.default = classmethod(_default)  # type: ignore[assignment]

    # 4. Always speak zlib-stream on the gateway (see _ZlibStreamContext).
    discord.utils._ActiveDecompressionContext = _ZlibStreamContext  # type: ignore[attr-defined]
    return str(gateway)


# --------------------------------------------------------------------------------------------
# Event recording
# --------------------------------------------------------------------------------------------

class Recorder:
    """Keeps every bot message / edit / delete and lets the driver wait for a condition."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.created: List[discord.Message] = []  # MESSAGE_CREATE from the Midjourney bot
        self.edited_ids: List[int] = []  # MESSAGE_UPDATE message ids (raw)
        self.deleted_ids: List[int] = []  # MESSAGE_DELETE message ids (raw)
        self.interactions: List[discord.Interaction] = []  # INTERACTION_CREATE (ours)
        self.finished: List[discord.Interaction] = []  # INTERACTION_SUCCESS / _FAILURE
        self.connected = False  # on_connect: READY_SUPPLEMENTAL was parsed
        self._changed = asyncio.Event()

    def changed(self) -> None:
        self._changed.set()

    async def wait_for(self, predicate: Callable[[], Any], timeout: float) -> Any:
        """Wait until predicate() returns something truthy; return it, or raise TimeoutError."""
        deadline = self.loop.time() + timeout
        while True:
            result = predicate()
            if result:
                return result
            remaining = deadline - self.loop.time()
            if remaining <= 0:
                raise asyncio.TimeoutError()
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), timeout=remaining)
            except asyncio.TimeoutError:
                pass


def install_listeners(client: discord.Client, rec: Recorder, verbose: bool) -> None:
    @client.event
    async def on_connect() -> None:
        rec.connected = True

    @client.event
    async def on_message(message: discord.Message) -> None:
        if message.author.id == MJ_BOT_ID:
            rec.created.append(message)
            if verbose:
                rec_line = f'MESSAGE_CREATE id={message.id} type={message.type.name} content={message.content!r}'
                print('        ' + rec_line, flush=True)
            rec.changed()

    @client.event
    async def on_raw_message_edit(payload: discord.RawMessageUpdateEvent) -> None:
        rec.edited_ids.append(payload.message_id)
        rec.changed()

    @client.event
    async def on_raw_message_delete(payload: discord.RawMessageDeleteEvent) -> None:
        rec.deleted_ids.append(payload.message_id)
        rec.changed()

    @client.event
    async def on_interaction(interaction: discord.Interaction) -> None:
        rec.interactions.append(interaction)
        rec.changed()

    @client.event
    async def on_interaction_finish(interaction: discord.Interaction) -> None:
        rec.finished.append(interaction)
        rec.changed()


# --------------------------------------------------------------------------------------------
# The scenario
# --------------------------------------------------------------------------------------------

def _labels(row: Any) -> List[str]:
    """Labels of an action row's buttons; an emoji-only button is shown as its emoji name."""
    out = []
    for child in getattr(row, 'children', []):
        if getattr(child, 'label', None):
            out.append(child.label)
        elif getattr(child, 'emoji', None) is not None:
            out.append(str(child.emoji.name))
        else:
            out.append('?')
    return out


def _explain_interaction_error(rec: Recorder, name: Optional[str], since: int) -> str:
    """Best-effort diagnosis when the library did not see its interaction finish."""
    ours = rec.interactions[since:]
    if not ours:
        return 'no INTERACTION_CREATE with our nonce arrived (it must be exactly {"id","nonce"})'
    finished_ids = {i.id for i in rec.finished}
    if any(i.id in finished_ids for i in ours):
        return (
            'INTERACTION_SUCCESS/FAILURE arrived, but before the library had read the 204 answer of '
            'POST /interactions; the sandbox must send it after the HTTP response (leave a short delay)'
        )
    return 'INTERACTION_CREATE arrived but no INTERACTION_SUCCESS/FAILURE with its id within 12 s'


async def run_scenario(client: discord.Client, rec: Recorder, args: argparse.Namespace, report: Report) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + args.timeout

    def remaining() -> float:
        return max(0.1, deadline - loop.time())

    # --- 1. on_ready ------------------------------------------------------------------------
    try:
        await asyncio.wait_for(client.wait_until_ready(), timeout=remaining())
    except asyncio.TimeoutError:
        if rec.connected:
            why = (
                'READY + READY_SUPPLEMENTAL were parsed (on_connect fired) but on_ready never came: the startup '
                'member fetch is stuck (own member missing from READY.merged_members and op 8 unanswered, '
                'no @everyone role, ...); re-run with --no-member-scrape to confirm'
            )
        else:
            why = 'on_connect never fired: READY and/or READY_SUPPLEMENTAL missing or unparsable (run with --verbose)'
        report.fail('on_ready', why)
        raise CheckFailed()
    user = client.user
    report.ok('login + gateway READY + on_ready', f'user={user} id={user.id if user else None} guilds={len(client.guilds)}')
    if not client.guilds:
        report.fail('guilds', 'READY/READY_SUPPLEMENTAL gave no guilds')
        raise CheckFailed()

    # --- 2. the channel ----------------------------------------------------------------------
    channel = client.get_channel(args.channel)
    source = 'gateway cache'
    if channel is None:
        channel = await client.fetch_channel(args.channel)  # GET /channels/{id}
        source = 'GET /channels/{id}'
    guild = getattr(channel, 'guild', None)
    if guild is None:
        report.fail('channel', f'channel {args.channel} is not a guild channel ({type(channel).__name__})')
        raise CheckFailed()
    report.ok('channel', f'#{getattr(channel, "name", "?")} in guild {guild.name!r} via {source}')

    # --- 3. application commands ---------------------------------------------------------------
    commands = await channel.application_commands()  # GET /guilds/{id}/application-command-index
    imagine = next(
        (
            c
            for c in commands
            if c.name == 'imagine' and c.application_id == MJ_BOT_ID and isinstance(c, discord.SlashCommand)
        ),
        None,
    )
    if imagine is None:
        report.fail('application commands', f'no Midjourney /imagine among {len(commands)} commands')
        raise CheckFailed()
    report.ok('application commands', f'{len(commands)} commands; imagine id={imagine.id} version={imagine.version}')

    # --- 4. /imagine -------------------------------------------------------------------------
    since = len(rec.interactions)
    try:
        # POST /interactions (type 2), then waits for INTERACTION_CREATE + INTERACTION_SUCCESS.
        interaction = await asyncio.wait_for(imagine(channel, prompt=args.prompt), timeout=remaining())
    except discord.InvalidData:
        report.fail('/imagine interaction', _explain_interaction_error(rec, 'imagine', since))
        raise CheckFailed()
    except discord.HTTPException as exc:
        report.fail('/imagine interaction', f'POST /interactions answered {exc.status}: {exc.text}')
        raise CheckFailed()
    if not isinstance(interaction, discord.Interaction) or interaction.successful is not True:
        report.fail('/imagine interaction', f'interaction did not succeed: {interaction!r}')
        raise CheckFailed()
    report.ok('/imagine interaction', f'id={interaction.id} nonce={interaction.nonce}')

    # --- 5. the finished grid --------------------------------------------------------------
    me = f'<@{client.user.id}>'
    prefix = f'**{args.prompt}'

    def find_grid() -> Optional[discord.Message]:
        for m in rec.created:
            if (
                m.content.startswith(prefix)
                and me in m.content
                and m.attachments
                and len(m.components) >= 2
            ):
                return m
        return None

    try:
        grid = await rec.wait_for(find_grid, remaining())
    except asyncio.TimeoutError:
        report.fail('grid message', 'no bot MESSAGE_CREATE with the prompt, an attachment and two button rows')
        raise CheckFailed()
    report.ok('grid message', f'id={grid.id} content={grid.content!r} attachment={grid.attachments[0].filename}')

    # Informational: the progress message (first message, carries our nonce) and its fate.
    start = next((m for m in rec.created if m.nonce is not None and str(m.nonce) == str(interaction.nonce)), None)
    if start is not None:
        report.info(
            f'progress message id={start.id}: {rec.edited_ids.count(start.id)} MESSAGE_UPDATE(s), '
            f'deleted={start.id in rec.deleted_ids}'
        )
    else:
        report.info('no bot message carrying the interaction nonce was seen (start/progress message)')

    row1, row2 = _labels(grid.components[0]), _labels(grid.components[1])
    if row1 != ['U1', 'U2', 'U3', 'U4', '🔄'] or row2 != ['V1', 'V2', 'V3', 'V4']:
        report.fail('grid buttons', f'rows are {row1} / {row2}')
        raise CheckFailed()
    u1 = grid.components[0].children[0]
    match = UPSAMPLE_RE.match(u1.custom_id or '')
    if not match or match.group(1) != '1':
        report.fail('grid buttons', f'U1 custom_id is {u1.custom_id!r}')
        raise CheckFailed()
    report.ok('grid buttons', f'U1..U4 🔄 / V1..V4, U1={u1.custom_id}')

    # --- 6. click U1 ------------------------------------------------------------------------
    since = len(rec.interactions)
    try:
        # POST /interactions (type 3, message_id = grid id), then INTERACTION_CREATE/SUCCESS.
        clicked = await asyncio.wait_for(u1.click(), timeout=remaining())
    except discord.InvalidData:
        report.fail('U1 click', _explain_interaction_error(rec, None, since))
        raise CheckFailed()
    except discord.HTTPException as exc:
        report.fail('U1 click', f'POST /interactions answered {exc.status}: {exc.text}')
        raise CheckFailed()
    if not isinstance(clicked, discord.Interaction) or clicked.successful is not True:
        report.fail('U1 click', f'click did not return a successful interaction: {clicked!r}')
        raise CheckFailed()
    report.ok('U1 click', f'interaction id={clicked.id}')

    # --- 7. the upscale reply -------------------------------------------------------------------
    def find_upscale() -> Optional[discord.Message]:
        for m in rec.created:
            if m.type is discord.MessageType.reply and 'Image #1' in m.content and m.id != grid.id:
                return m
        return None

    try:
        upscale = await rec.wait_for(find_upscale, remaining())
    except asyncio.TimeoutError:
        report.fail('upscale reply', 'no bot message of type 19 (REPLY) containing "Image #1"')
        raise CheckFailed()
    ref = upscale.reference.message_id if upscale.reference else None
    report.ok(
        'upscale reply',
        f'id={upscale.id} content={upscale.content!r} attachments={len(upscale.attachments)} reference={ref}',
    )
    if ref != grid.id:
        report.info(f'upscale reply references {ref}, not the grid {grid.id}')


async def main_async(args: argparse.Namespace, report: Report) -> None:
    gateway = patch_library(args.base, args.gateway)
    report.info(f'REST {discord.http.Route.BASE}  gateway {gateway}  discord.py-self {discord.__version__}')

    options: Dict[str, Any] = {}
    if args.no_member_scrape:
        # Skip the startup member fetch (op 8 / op 37 member-list scraping) that can delay on_ready.
        options['chunk_guilds_at_startup'] = False
    client = discord.Client(**options)
    rec = Recorder(asyncio.get_running_loop())
    install_listeners(client, rec, args.verbose)

    async def runner() -> None:
        # login() = GET /users/@me; connect() = gateway loop. reconnect=False: fail, don't loop.
        await client.start(args.token, reconnect=False)

    start_task = asyncio.create_task(runner(), name='discord-client')
    scenario_task = asyncio.create_task(run_scenario(client, rec, args, report), name='scenario')
    try:
        done, _ = await asyncio.wait(
            {start_task, scenario_task}, timeout=args.timeout + 5, return_when=asyncio.FIRST_COMPLETED
        )
        if scenario_task in done:
            exc = scenario_task.exception()
            if exc is not None and not isinstance(exc, CheckFailed):
                report.fail('scenario', f'{type(exc).__name__}: {exc}')
        elif start_task in done:
            exc = start_task.exception()
            report.fail('client', f'client stopped early: {type(exc).__name__ if exc else "clean exit"}: {exc}')
        else:
            report.fail('timeout', f'nothing finished within {args.timeout}s')
    finally:
        for task in (scenario_task, start_task):
            if not task.done():
                task.cancel()
        try:
            await asyncio.wait_for(client.close(), timeout=5)
        except Exception:  # closing must never turn a PASS into a hang
            pass
        await asyncio.gather(scenario_task, start_task, return_exceptions=True)
        # Cancel the library's leftover background tasks (subscription ticker, keep-alive...)
        # so asyncio.run() ends quietly.
        leftovers = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in leftovers:
            task.cancel()
        if leftovers:
            await asyncio.wait(leftovers, timeout=2)


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--base', required=True, help='sandbox root, e.g. http://127.0.0.1:8080')
    p.add_argument('--gateway', default=None, help='gateway URL (default: discovered with GET /api/v9/gateway)')
    p.add_argument('--token', required=True, help='user token (any non-empty string in the sandbox)')
    p.add_argument('--channel', required=True, type=int, help='guild channel id where the Midjourney bot is')
    p.add_argument('--timeout', type=float, default=90.0, help='overall timeout in seconds (default 90)')
    p.add_argument('--prompt', default='conformance cat', help='prompt for /imagine')
    p.add_argument(
        '--no-member-scrape',
        action='store_true',
        help='start the client with chunk_guilds_at_startup=False (skips member fetching before on_ready)',
    )
    p.add_argument('--verbose', action='store_true', help='library debug logging to stderr')
    args = p.parse_args(argv)
    if not args.token.strip():
        p.error('--token must not be empty')
    return args


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    report = Report()
    if args.verbose:
        logging.basicConfig(level=logging.DEBUG, stream=sys.stderr, format='%(asctime)s %(name)s %(message)s')

    # Last-resort watchdog: even if the event loop wedges, the process ends.
    watchdog = threading.Timer(args.timeout + 30, lambda: (print('FAIL watchdog: hard timeout', flush=True), os._exit(1)))
    watchdog.daemon = True
    watchdog.start()

    try:
        asyncio.run(main_async(args, report))
    except KeyboardInterrupt:
        report.fail('run', 'interrupted')
    except Exception as exc:  # any unexpected error is a failure, never a traceback-only exit
        report.fail('run', f'{type(exc).__name__}: {exc}')
    finally:
        watchdog.cancel()

    print('RESULT: ' + ('FAIL' if report.failed else 'PASS'), flush=True)
    return 1 if report.failed else 0


if __name__ == '__main__':
    sys.exit(main())
