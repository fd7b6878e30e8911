"""The live view's own wire: training frames pushed over a websocket, plotly.js served.

A frame is the run's state at one instant: the counters, the losses and every
weight (~200 bytes at the defaults, ~1.8 KB for the largest network). The
browser draws every map from the weights itself, so a frame never waits for a
Streamlit rerun (one rerun per frame cost ~33 ms of server CPU and capped the
view at ~5 redraws/s). Script runs still own the page: they send the scene
(structure, data points, loss history) and every command goes to the Trainer.

These routes are mounted by ``serve.py`` (``st.App``); ``serving()`` tells the
page whether they are there.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import json
import math
import secrets
import struct
import threading
import time
import weakref
from pathlib import Path

import numpy as np

FRONTEND = Path(__file__).resolve().parent / "frontend"
PLOTLY_FILE = FRONTEND / "plotly-cartesian.min.js"
# plotly.js as served: compiled while the page loads, run when a chart first needs
# it. V8's explicit compile hint (Chromium 136+; a plain comment elsewhere) compiles
# every function on a background thread as the file arrives (compiled lazily on the
# main thread, plotly's start cost twice as much there), and plotly's own start-up
# (~250 ms of main thread) waits in a function: run as the script arrived, it held
# up Streamlit's start (the page's load event, then its websocket).
PLOTLY_WRAP = (b"//# allFunctionsCalledOnLoad\n"
               b"window.__mikirPlotlyInit = function () {\nif (!window.Plotly) {\n",
               b"\n}\nreturn window.Plotly;\n};\n")
# plotly.js bundles small browserify shims (get-intrinsic, is-regex, is-callable,
# object-assign) whose start-up feature tests throw and catch six exceptions. Each
# costs little in a plain page, but with devtools attached V8 records a stack for
# every exception and re-parses the 1.5 MB bundle function for its positions: plotly's
# start took 250-390 ms instead of ~50. Each test below is replaced by the answer it
# gives in every browser plotly 4 supports; each must match exactly once.
PLOTLY_NO_THROW = (
    # %ThrowTypeError%: read the strict `arguments.callee` getter without calling it
    (b'try{return arguments.callee,RT}catch(e){try{return h2(arguments,"callee").get}'
     b'catch(r){return RT}}', b'try{return h2(arguments,"callee").get}catch(r){return RT}'),
    # %Error.prototype%: no TypeError thrown to find it
    (b'if(nn)try{null.error}catch(e){_te=nn(nn(e)),Nf["%Error.prototype%"]=_te}',
     b'if(nn)_te=Error.prototype,Nf["%Error.prototype%"]=_te;'),
    # is-regex: the Object.prototype.toString test instead of a throwing lastIndex
    (b'IT;QEe?(Rte=Pte("RegExp.prototype.exec")', b'IT;!1?(Rte=Pte("RegExp.prototype.exec")'),
    # is-callable: Function.prototype.toString instead of Reflect.apply on a throwing length
    (b'if(typeof pv=="function"&&typeof Object.defineProperty=="function")try{OT=Object.'
     b'defineProperty({},"length",{get:function(){throw B3}}),B3={},pv(function(){throw 42}'
     b',null,OT)}catch(e){e!==B3&&(pv=null)}else pv=null;', b'pv=null;'),
    # object-assign: the native Object.assign is correct (no assign on a frozen object)
    (b'var e=Object.preventExtensions({1:2});try{Object.assign(e,"xy")}catch(r){return '
     b'e[1]==="y"}return!1', b'return!1'),
)
PREFIX = "/_mikir"
LEASE_SECONDS = 1.5  # training stops this long after the last viewer went away (< 2 s)
RENEW_SECONDS = 0.25  # how often an open socket renews the lease
# At most this often a message: each send costs ~1 ms of kernel time here (loopback
# TCP), so frames made at 60/s go ~2-3 per message and the page plays them one per
# animation frame (its queue), ~40 ms behind at most
SEND_SECONDS = 1 / 25
FRAMES_PER_MESSAGE = 64  # a socket further behind than this skips to the newest frames
HEADER_FIELDS = ("seq", "run", "epoch", "steps", "batch", "batches", "train_loss",
                 "test_loss", "train_accuracy", "test_accuracy", "diverged")
MAGIC = 0x4D4B  # "MK": a message of packed frames

_lock = threading.Lock()
_trainers: weakref.WeakValueDictionary = weakref.WeakValueDictionary()
_tokens: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_counters = {"frames_sent": 0, "bytes_sent": 0, "connections": 0}
_mounted = False


# ------------------------------------------------------------------ registry
def token_for(trainer) -> str:
    """The unguessable name under which the page's socket finds this trainer."""
    with _lock:
        token = _tokens.get(trainer)
        if token is None:
            token = secrets.token_urlsafe(18)
            _tokens[trainer] = token
            _trainers[token] = trainer
        return token


def _lookup(token: str):
    with _lock:
        return _trainers.get(token)


def serving() -> bool:
    """True once ``routes()`` was mounted in this process (started through serve.py)."""
    return _mounted


# ------------------------------------------------------------------- packing
def _number(value) -> float:
    return float("nan") if value is None else float(value)


def pack_frames(frames) -> bytes:
    """Frames as one binary message (little-endian).

    Message: u16 MAGIC, u16 frame count, u32 parameter count, then per frame
    len(HEADER_FIELDS) float64 and the parameters as float32, padded to 8 bytes.
    float32 is what the maps are drawn in; NaN stands for "none".
    """
    if not frames:
        return struct.pack("<HHI", MAGIC, 0, 0)
    count = len(frames[0].params)
    pad = (-4 * count) % 8
    parts = [struct.pack("<HHI", MAGIC, len(frames), count)]
    for frame in frames:
        header = (frame.seq, frame.run, frame.epoch, frame.steps, frame.batch, frame.batches,
                  frame.train_loss, frame.test_loss, frame.train_accuracy,
                  frame.test_accuracy, 1.0 if frame.diverged else 0.0)
        parts.append(struct.pack(f"<{len(HEADER_FIELDS)}d", *map(_number, header)))
        with np.errstate(over="ignore", invalid="ignore"):
            parts.append(np.asarray(frame.params, dtype="<f4").tobytes())
        parts.append(b"\0" * pad)
    return b"".join(parts)


def unpack_frames(message: bytes) -> list[dict]:
    """Inverse of ``pack_frames`` (what the browser reads), for tests and tools."""
    magic, frames, count = struct.unpack_from("<HHI", message)
    if magic != MAGIC:
        raise ValueError("not a frames message")
    out, offset = [], 8
    size = 8 * len(HEADER_FIELDS)
    for _ in range(frames):
        header = struct.unpack_from(f"<{len(HEADER_FIELDS)}d", message, offset)
        offset += size
        params = np.frombuffer(message, dtype="<f4", count=count, offset=offset)
        offset += 4 * count + (-4 * count) % 8
        out.append({**dict(zip(HEADER_FIELDS, header)), "params": params})
    return out


# -------------------------------------------------------------------- routes
def _same_origin(websocket) -> bool:
    """Refuse sockets opened by another site's page (the token is secret anyway)."""
    origin = websocket.headers.get("origin")
    host = websocket.headers.get("host")
    if not origin or not host:
        return True  # not a browser page (tests, tools)
    return origin.split("://", 1)[-1] == host


async def live_socket(websocket) -> None:
    """Push every new frame of one trainer to one page while it is open.

    The trainer tells this loop when a frame is made (no polling: an idle tab
    costs nothing between lease renewals). While the socket is open the lease is
    renewed, so training stops within LEASE_SECONDS of the tab closing. A frame
    made while the page was away is not replayed: the page starts from the newest.
    """
    trainer = _lookup(websocket.path_params.get("token", ""))
    if trainer is None or not _same_origin(websocket):
        await websocket.close(code=4404)
        return
    await websocket.accept()
    with _lock:
        _counters["connections"] += 1
    loop = asyncio.get_running_loop()
    new_frame = asyncio.Event()
    armed = [False]  # waiting for a frame: only then is waking the loop worth a syscall

    def notify() -> None:  # on the trainer's thread
        if armed[0]:
            armed[0] = False
            loop.call_soon_threadsafe(new_frame.set)

    trainer.subscribe(notify)
    receiver = asyncio.ensure_future(websocket.receive())
    waiter = asyncio.ensure_future(new_frame.wait())
    last = trainer.frame().seq - 1
    renewed = -math.inf
    try:
        while True:
            if time.monotonic() - renewed >= RENEW_SECONDS:
                renewed = time.monotonic()
                if not trainer.extend_lease(LEASE_SECONDS):
                    # starting the worker takes the trainer's lock, which a slice
                    # holds for up to 30 ms: off the event loop, which serves every tab
                    await asyncio.to_thread(trainer.keep_alive, LEASE_SECONDS)
            new_frame.clear()
            armed[0] = True  # before reading: a frame made after this wakes the loop
            frames = trainer.frames_after(last, FRAMES_PER_MESSAGE)
            if frames:
                armed[0] = False
                message = pack_frames(frames)
                await websocket.send_bytes(message)
                last = frames[-1].seq
                with _lock:
                    _counters["frames_sent"] += len(frames)
                    _counters["bytes_sent"] += len(message)
                await asyncio.sleep(SEND_SECONDS)  # the next frames gather meanwhile
                continue
            if waiter.done():
                waiter = asyncio.ensure_future(new_frame.wait())
            timeout = max(0.0, renewed + RENEW_SECONDS - time.monotonic())
            done, _ = await asyncio.wait({receiver, waiter}, timeout=timeout,
                                         return_when=asyncio.FIRST_COMPLETED)
            if receiver in done:
                if receiver.result().get("type") == "websocket.disconnect":
                    return
                receiver = asyncio.ensure_future(websocket.receive())  # ignore what it said
    except Exception:  # the page went away mid-send: nothing to report to anyone
        return
    finally:
        trainer.unsubscribe(notify)
        receiver.cancel()
        waiter.cancel()
        with _lock:
            _counters["connections"] -= 1
        del trainer


def without_throws(bundle: bytes) -> bytes:
    """plotly.js with PLOTLY_NO_THROW applied; a test that does not match exactly once
    (another plotly version) is left as it is rather than guessed at."""
    for old, new in PLOTLY_NO_THROW:
        if bundle.count(old) == 1:
            bundle = bundle.replace(old, new)
    return bundle


class _PlotlyFile:
    """The cartesian plotly.js bundle (scatter, heatmap, contour: all we draw), from
    the source tree, read-only, gzipped once in memory (1.5 MB -> ~0.5 MB)."""

    def __init__(self, path: Path):
        self.path = path
        self._loaded: tuple[bytes, bytes, str] | None = None

    def load(self) -> tuple[bytes, bytes, str]:
        """(body, gzipped body, content digest), read and computed once."""
        if self._loaded is None:
            body = PLOTLY_WRAP[0] + without_throws(self.path.read_bytes()) + PLOTLY_WRAP[1]
            self._loaded = (body, gzip.compress(body, compresslevel=9, mtime=0),
                            hashlib.sha256(body).hexdigest()[:16])
        return self._loaded


_plotly = _PlotlyFile(PLOTLY_FILE)


def plotly_src() -> str:
    """The URL of plotly.js, versioned by content so browsers may cache it for good."""
    _, _, digest = _plotly.load()
    return f"{PREFIX}/plotly.js?v={digest}"


async def plotly_js(request):
    from starlette.responses import Response

    body, gzipped, digest = _plotly.load()
    headers = {"Cache-Control": "public, max-age=31536000, immutable", "ETag": f'"{digest}"',
               "Vary": "Accept-Encoding"}
    if request.headers.get("if-none-match") == f'"{digest}"':
        return Response(status_code=304, headers=headers)
    if "gzip" in request.headers.get("accept-encoding", ""):
        headers["Content-Encoding"] = "gzip"
        body = gzipped
    return Response(body, media_type="text/javascript", headers=headers)


async def stats(request):
    """Process totals for benchmarks: training CPU, trainers, frames and bytes sent."""
    from starlette.responses import Response

    from . import trainer

    with _lock:
        counters = dict(_counters)
    values = {**trainer.stats(), **counters, "time": time.monotonic()}
    return Response(json.dumps(values), media_type="application/json",
                    headers={"Cache-Control": "no-store"})


def routes() -> list:
    """The routes serve.py mounts beside Streamlit's own."""
    from starlette.routing import Route, WebSocketRoute

    global _mounted
    _mounted = True
    return [
        WebSocketRoute(f"{PREFIX}/live/{{token}}", live_socket),
        Route(f"{PREFIX}/plotly.js", plotly_js),
        Route(f"{PREFIX}/stats", stats),
    ]
