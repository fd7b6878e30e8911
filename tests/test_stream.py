"""The live view's wire (playground/stream.py), served for real by uvicorn in-process.

Frames must round-trip exactly (float32 weights, float64 counters); a socket must
get every new frame of its own trainer, renew its lease while open and let
training stop within the lease once closed; a wrong token or another site's page
gets nothing; plotly.js is served gzipped and cacheable from the source tree.
"""

from __future__ import annotations

import gzip
import json
import threading
import time
import urllib.request

import numpy as np
import pytest
import uvicorn
from conftest import free_port
from starlette.applications import Starlette
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from playground import stream
from playground.config import Config
from playground.session import TrainingSession
from playground.trainer import Trainer


@pytest.fixture(scope="module")
def server():
    port = free_port()
    app = Starlette(routes=stream.routes())
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                            ws="websockets-sansio")
    runner = uvicorn.Server(config)
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not runner.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield f"127.0.0.1:{port}"
    runner.should_exit = True
    thread.join(timeout=5)


@pytest.fixture
def trainer():
    owner = Trainer(TrainingSession(Config(points=200, speed=1)))
    yield owner
    owner.close()


def test_frames_round_trip_exactly(trainer):
    trainer.step_epoch()
    frames = [trainer.frame()]
    trainer.step_batch()
    frames.append(trainer.frame())
    decoded = stream.unpack_frames(stream.pack_frames(frames))
    for frame, got in zip(frames, decoded):
        for name in ("seq", "run", "epoch", "steps", "batch", "batches"):
            assert got[name] == getattr(frame, name)
        assert got["train_loss"] == frame.train_loss and got["test_loss"] == frame.test_loss
        assert got["train_accuracy"] == frame.train_accuracy
        np.testing.assert_array_equal(got["params"], frame.params.astype(np.float32))
        assert got["diverged"] == 0.0


def test_a_socket_gets_its_trainers_new_frames_and_keeps_it_training(server, trainer):
    token = stream.token_for(trainer)
    with connect(f"ws://{server}{stream.PREFIX}/live/{token}") as socket:
        first = stream.unpack_frames(socket.recv(timeout=5))
        assert first[-1]["seq"] == trainer.frame().seq  # the newest frame at once
        trainer.play()
        seen, started = [], time.monotonic()
        while time.monotonic() - started < 3.0:  # longer than the 2 s lease
            seen += stream.unpack_frames(socket.recv(timeout=5))
        seqs = [f["seq"] for f in seen]
        assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
        assert trainer.training, "an open socket keeps renewing the lease"
        assert seen[-1]["epoch"] > 10
        newest = trainer.frame()
        assert seen[-1]["seq"] >= newest.seq - 3
    deadline = time.monotonic() + 3.0  # closed: training stops within the lease
    while trainer.training and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not trainer.training and trainer.playing  # playing, but nobody watches


def test_frames_come_batched_and_none_is_lost(server, trainer):
    """Frames made faster than SEND_SECONDS (here one per Step, hundreds a second) go
    out at most every SEND_SECONDS, each message carrying every frame made meanwhile.
    Only a socket that fell a whole message behind (a stalled server) skips ahead."""
    with connect(f"ws://{server}{stream.PREFIX}/live/{stream.token_for(trainer)}") as socket:
        socket.recv(timeout=5)
        started = time.monotonic()
        while time.monotonic() - started < 1.5:
            trainer.step_batch()
            time.sleep(0.0005)  # let the server's thread have the GIL now and then
        made, batches = trainer.frame().seq, []
        while not batches or batches[-1][-1] < made:
            batches.append([int(f["seq"]) for f in stream.unpack_frames(socket.recv(timeout=5))])
        seconds = time.monotonic() - started
    for before, batch in zip(batches, batches[1:]):
        assert batch == list(range(batch[0], batch[0] + len(batch))), "a frame was skipped"
        if batch[0] != before[-1] + 1:
            assert len(batch) == stream.FRAMES_PER_MESSAGE, f"frames skipped: {before} {batch}"
    assert sum(len(batch) == stream.FRAMES_PER_MESSAGE for batch in batches) <= 1
    assert len(batches) <= 1.2 * seconds / stream.SEND_SECONDS + 2
    frames = sum(len(batch) for batch in batches)
    assert frames / len(batches) >= 3, "frames are not gathered into messages"


def test_an_idle_socket_is_woken_by_a_new_frame(server, trainer):
    """No polling: a paused tab's socket sleeps until the trainer makes a frame (a
    Step), then sends it at once, not at the next lease renewal (RENEW_SECONDS)."""
    with connect(f"ws://{server}{stream.PREFIX}/live/{stream.token_for(trainer)}") as socket:
        socket.recv(timeout=5)
        delays = []
        for _ in range(5):
            time.sleep(0.07)
            started = time.monotonic()
            trainer.step_batch()
            got = stream.unpack_frames(socket.recv(timeout=5))
            delays.append(time.monotonic() - started)
            assert got[-1]["seq"] == trainer.frame().seq
    assert sorted(delays)[2] < min(0.1, stream.RENEW_SECONDS / 2)


def test_a_wrong_token_or_another_sites_page_gets_nothing(server, trainer):
    token = stream.token_for(trainer)
    for url, origin in ((f"ws://{server}{stream.PREFIX}/live/not-a-token", None),
                        (f"ws://{server}{stream.PREFIX}/live/{token}", "https://evil.example")):
        with pytest.raises(InvalidStatus) as refused:
            connect(url, origin=origin)
        assert refused.value.response.status_code == 403
    with connect(f"ws://{server}{stream.PREFIX}/live/{token}",
                 origin=f"http://{server}") as socket:  # the page's own origin
        assert stream.unpack_frames(socket.recv(timeout=5))


def test_tokens_are_per_trainer_and_unguessable(trainer):
    other = Trainer(TrainingSession(Config(points=100)))
    try:
        assert stream.token_for(trainer) == stream.token_for(trainer)
        assert stream.token_for(other) != stream.token_for(trainer)
        assert len(stream.token_for(other)) >= 24
    finally:
        other.close()


def test_plotly_is_served_gzipped_and_cacheable(server):
    url = f"http://{server}{stream.plotly_src()}"
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.headers["Content-Encoding"] == "gzip"
        assert "immutable" in response.headers["Cache-Control"]
        body = gzip.decompress(response.read())
        etag = response.headers["ETag"]
    # plotly.js itself, wrapped: compiled as it arrives, started when first needed
    head, tail = stream.PLOTLY_WRAP
    assert body == head + stream.without_throws(stream.PLOTLY_FILE.read_bytes()) + tail
    assert body.startswith(b"//# allFunctionsCalledOnLoad\n")
    request = urllib.request.Request(url, headers={"If-None-Match": etag})
    with pytest.raises(urllib.error.HTTPError) as not_modified:
        urllib.request.urlopen(request, timeout=10)
    assert not_modified.value.code == 304


def test_every_throwing_feature_test_of_the_bundle_is_replaced_once():
    bundle = stream.PLOTLY_FILE.read_bytes()
    patched = stream.without_throws(bundle)
    for old, new in stream.PLOTLY_NO_THROW:
        assert bundle.count(old) == 1, old[:60]  # a new plotly.js: look at them again
        assert old not in patched and new in patched
    # nothing else changed
    assert len(patched) == len(bundle) - sum(len(old) - len(new)
                                             for old, new in stream.PLOTLY_NO_THROW)


def test_a_bundle_the_patches_do_not_fit_is_served_as_it_is():
    other = b"/* another plotly.js */ try{null.error}catch(e){}"
    assert stream.without_throws(other) == other


def test_stats_report_training_and_traffic(server, trainer):
    with urllib.request.urlopen(f"http://{server}{stream.PREFIX}/stats", timeout=10) as response:
        values = json.loads(response.read())
    assert {"training_cpu_seconds", "trainers", "playing", "frames_sent",
            "bytes_sent"} <= set(values)
    assert values["trainers"] >= 1
