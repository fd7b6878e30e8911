"""The one owner of a run: commands in, snapshots out.

Streamlit starts a new script run while the previous one is still running, so
a page that trained inside its own run kept writing into the session after
Pause or Reset (issue 8). Here one object owns the run. Every command and every
read takes its lock; a worker thread trains in slices of at most
``slice_seconds`` and releases the lock between them, so a command takes effect
within one slice. The worker exists only while playing and while a viewer keeps
renewing its lease (``keep_alive``): a closed tab stops costing CPU when the
lease lapses.

``Trainer`` owns a ``TrainingSession`` and makes a ``Frame`` after each slice
and each command; ``ComparisonTrainer`` owns the lab's ``Comparison`` with the
same clock. Both share ``Owner``: the lock, the worker, the lease, the frames.
"""

from __future__ import annotations

import math
import os
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from .config import SPEEDS, Config
from .session import Data, TrainingSession

FRAMES_KEPT = 256  # the ring buffer of frames a slow viewer can catch up from
LEASE_SECONDS = 1.5  # Play and keep_alive renew the lease for this long (a closed tab: < 2 s)
SLICES_KEPT = 1024  # recent slice durations, for tests and benchmarks
WATCH_SECONDS = 0.1  # a watcher (the lab's health tracker) measures at most this often

T = TypeVar("T")

_totals_lock = threading.Lock()
_training_cpu_seconds = 0.0
_owners: weakref.WeakSet[Owner] = weakref.WeakSet()


def _account(cpu_seconds: float) -> None:
    global _training_cpu_seconds
    with _totals_lock:
        _training_cpu_seconds += cpu_seconds


def stats() -> dict:
    """Totals for the process: training CPU (thread time) and the live owners."""
    with _totals_lock:
        owners = [owner for owner in list(_owners) if not owner.closed]
        cpu = _training_cpu_seconds
    return {"training_cpu_seconds": cpu, "trainers": len(owners),
            "playing": sum(owner.playing for owner in owners)}


@dataclass(frozen=True)
class Frame:
    """One consistent snapshot of a run; everything from the same instant."""

    seq: int  # increases by 1 per frame made by this trainer
    run: int  # increases whenever the run starts over: the browser drops older frames
    epoch: int
    steps: int
    batch: int  # mini-batches done in the current epoch (0 at an epoch boundary)
    batches: int  # mini-batches per epoch
    train_loss: float  # NaN when unknown
    test_loss: float
    train_accuracy: float | None
    test_accuracy: float | None
    params: np.ndarray  # float64 copy of net.get_parameters() (read-only)
    diverged: str | None


@dataclass(frozen=True)
class ComparisonFrame:
    """A snapshot of the lab's runs: enough to know what changed; figures come
    from ``ComparisonTrainer.read``."""

    seq: int
    run: int
    epochs: tuple[int, ...]
    steps: tuple[int, ...]
    train_losses: tuple[float, ...]
    diverged: tuple[str | None, ...]


TRAINING_NICE = 10  # the worker's niceness: serving pages comes first, training takes the rest


def _yield_to_serving() -> None:
    """Lower this thread's priority (Linux: per thread): on a small machine the
    server's event loop, Streamlit's scripts and a browser on the same cores come
    first, and training uses the CPU they leave (at speed max it would otherwise
    take a whole core from the page drawing it). Elsewhere nothing changes."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), TRAINING_NICE)
    except (AttributeError, OSError):
        pass


def _leads_own_session() -> bool:
    try:
        return os.getsid(0) == os.getpid()
    except (AttributeError, OSError):
        return False


class SessionPriority:
    """How this server's session (a Linux autogroup) shares the CPU with the others:
    on a small machine, the browsers drawing its runs.

    Linux shares the CPU between sessions before niceness counts, so the worker's
    niceness ranked it only within the server: a browser in a session of its own
    still split two cores about evenly with training, and its main thread waited
    (57-67 % busy at the defaults in the benchmark, 42-52 % lowered). The session is
    lowered only while runs train at a set speed (their epochs per frame fit in what
    is left): idle, Streamlit's script runs and the first page of a new tab come
    first, and while a run plays at speed max the learner asked for every epoch the
    machine can give (904 epochs/s there, 494 lowered). Only for a server leading its
    own session (a service, a container, the tests): started from a terminal, the
    session is the learner's shell as well."""

    def __init__(self, path: Path = Path("/proc/self/autogroup"), lowered: int = TRAINING_NICE,
                 leads_session: Callable[[], bool] = _leads_own_session):
        self._path = path
        self._lowered = lowered
        self._leads_session = leads_session
        self._lock = threading.Lock()
        self._speeds: dict[object, int] = {}  # owner -> the speed its worker trains at
        self._managed = False
        self._nice: int | None = None  # as last written

    def manage(self) -> bool:
        """Take charge of the session's niceness (serve.py). False where it cannot."""
        if not self._leads_session():
            return False
        with self._lock:
            self._managed = True
            return self._apply()

    def training(self, owner: object, speed: int | None) -> None:
        """An owner's worker says how it trains: at ``speed`` (0: max), or no longer
        (None). Cheap when nothing changed."""
        with self._lock:
            if self._speeds.get(owner) == speed:
                return
            if speed is None:
                del self._speeds[owner]
            else:
                self._speeds[owner] = speed
            if self._managed:
                self._apply()

    @property
    def nice(self) -> int | None:
        return self._nice

    def _apply(self) -> bool:
        speeds = self._speeds.values()
        nice = self._lowered if speeds and 0 not in speeds else 0
        if nice != self._nice:
            try:  # raising it back may need a privilege: it then stays lowered
                self._path.write_text(str(nice))
            except OSError:
                return False
            self._nice = nice
        return True


session_priority = SessionPriority()


class Owner:
    """The lock, the worker thread, the lease and the frames of one runner.

    A runner has ``train_until(deadline, max_epochs) -> epochs done`` and
    ``record()``; a subclass says how to snapshot it and when it cannot train on.
    """

    def __init__(self, runner, *, frame_rate: float = 60.0, slice_seconds: float = 0.03,
                 watch: Callable[[Any], None] | None = None):
        if not frame_rate > 0 or not slice_seconds > 0:
            raise ValueError("frame_rate and slice_seconds must be positive")
        self._runner = runner
        self._watch = watch  # called with the runner after records, under the lock
        self._watched_at = -math.inf
        self.frame_rate = float(frame_rate)
        self.slice_seconds = float(slice_seconds)
        self._lock = threading.RLock()
        self._waiting = 0  # commands waiting for the lock: the worker lets them in first
        self._waiting_lock = threading.Lock()
        self._frames: deque = deque(maxlen=FRAMES_KEPT)
        self._frames_changed = threading.Condition()
        self._seq = 0
        self._run = 0
        self._playing = False
        self._lease_until = -math.inf  # time.monotonic()
        self._worker: threading.Thread | None = None
        self._wake = threading.Event()
        self._closed = False
        self._slices: deque[float] = deque(maxlen=SLICES_KEPT)
        self._slices_cpu: deque[float] = deque(maxlen=SLICES_KEPT)
        self._record_seconds = 0.0  # the last record()'s cost, kept out of a slice's budget
        self._listeners: list[Callable[[], None]] = []  # told of each new frame
        with _totals_lock:
            _owners.add(self)
        with self._locked():
            self._publish()

    # ------------------------------------------------------------ subclass
    def _snapshot(self, seq: int, run: int):
        raise NotImplementedError

    def _stopped(self) -> bool:
        """True when the runner cannot train on (diverged)."""
        raise NotImplementedError

    @property
    def speed(self) -> int:
        raise NotImplementedError

    # ---------------------------------------------------------------- state
    @property
    def playing(self) -> bool:
        return self._playing

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def slice_durations(self) -> tuple[float, ...]:
        """Wall-clock seconds of the worker's recent slices (training and frame)."""
        return tuple(self._slices)

    @property
    def slice_cpu_seconds(self) -> tuple[float, ...]:
        """The worker thread's CPU time in its recent slices (what a slice costs,
        without the time other processes had the core)."""
        return tuple(self._slices_cpu)

    @property
    def training(self) -> bool:
        """The worker thread is alive (playing and leased)."""
        worker = self._worker
        return worker is not None and worker.is_alive()

    # ------------------------------------------------------------- commands
    def play(self) -> bool:
        """Start playing; False (and stays paused) if the run cannot train on.

        Pressing Play shows a viewer is there, so it also renews the lease."""
        with self._locked():
            if self._closed or self._stopped():
                self._playing = False
                return False
            self._playing = True
            self._renew(LEASE_SECONDS)
            return True

    def pause(self) -> None:
        """Returns once the current slice has ended; no training happens after it."""
        with self._locked():
            self._playing = False
            self._wake.set()

    def keep_alive(self, seconds: float = LEASE_SECONDS) -> None:
        """A viewer is watching: training may run for ``seconds`` more. Restarts the
        worker if the run is playing (a viewer that reconnects resumes it)."""
        with self._locked():
            self._renew(seconds)

    def extend_lease(self, seconds: float = LEASE_SECONDS) -> bool:
        """``keep_alive`` without the lock (a slice holds it up to 30 ms): for an
        event loop serving every tab. False when the worker must be started, which
        only ``keep_alive`` may do."""
        self._lease_until = max(self._lease_until, time.monotonic() + float(seconds))
        return self.training or not self._should_train()

    def subscribe(self, listener: Callable[[], None]) -> None:
        """Call ``listener()`` after each new frame, on the thread that made it: a
        socket waits for frames instead of polling for them. Keep it short."""
        with self._frames_changed:
            self._listeners = [*self._listeners, listener]

    def unsubscribe(self, listener: Callable[[], None]) -> None:
        with self._frames_changed:
            self._listeners = [known for known in self._listeners if known is not listener]

    def read(self, function: Callable[[Any], T]) -> T:
        """``function(runner)`` under the lock: the one way pages read the run.

        Keep it short (copies, a figure) and never keep the runner it is given."""
        with self._locked():
            return function(self._runner)

    def change(self, function: Callable[[Any], T]) -> T:
        """``function(runner)`` under the lock after pausing, for changes without a
        command of their own (the inspector's step on one point); makes a frame."""
        with self._locked():
            self._pause_locked()
            started = time.thread_time()
            result = function(self._runner)
            _account(time.thread_time() - started)
            if self._watch is not None:
                self._watch(self._runner)
            self._publish()
            return result

    def frame(self):
        """The newest frame (every command and every slice makes one)."""
        with self._frames_changed:
            return self._frames[-1]

    def frames_after(self, seq: int, limit: int = 64) -> list:
        """Frames newer than ``seq`` still in the ring buffer, at most the newest ``limit``."""
        with self._frames_changed:
            newer = [frame for frame in self._frames if frame.seq > seq]
        return newer[-limit:] if limit > 0 else []

    def wait_for_frame(self, after_seq: int, timeout: float) -> bool:
        """Block until a frame newer than ``after_seq`` exists (True) or timeout."""
        with self._frames_changed:
            return self._frames_changed.wait_for(lambda: self._frames[-1].seq > after_seq,
                                                 timeout)

    def close(self) -> None:
        """Stop the worker for good; commands after this change nothing more."""
        with self._locked():
            self._closed = True
            self._playing = False
            self._wake.set()
            worker = self._worker
        if worker is not None and worker is not threading.current_thread():
            worker.join(timeout=1.0)

    # ------------------------------------------------------------- internals
    @contextmanager
    def _locked(self):
        with self._waiting_lock:
            self._waiting += 1
        try:
            self._lock.acquire()
        finally:
            with self._waiting_lock:
                self._waiting -= 1
        try:
            yield
        finally:
            self._lock.release()

    def _pause_locked(self) -> None:
        self._playing = False
        self._wake.set()

    def _renew(self, seconds: float) -> None:
        self._lease_until = max(self._lease_until, time.monotonic() + float(seconds))
        if self._should_train() and not self.training:
            self._wake.clear()
            self._worker = threading.Thread(target=self._work, name="mikir-trainer",
                                            daemon=True)
            self._worker.start()

    def _should_train(self) -> bool:
        return (self._playing and not self._closed and time.monotonic() < self._lease_until
                and not self._stopped())

    def _publish(self):
        """Make a frame of the runner as it is now (lock held)."""
        self._seq += 1
        frame = self._snapshot(self._seq, self._run)
        with self._frames_changed:
            self._frames.append(frame)
            self._frames_changed.notify_all()
            listeners = self._listeners
        for listener in listeners:
            listener()
        return frame

    def _record(self, *, always_watch: bool = False) -> None:
        started = time.perf_counter()
        self._runner.record()
        if self._watch is not None and (always_watch
                                        or started - self._watched_at >= WATCH_SECONDS):
            self._watch(self._runner)
            self._watched_at = started
        # kept high for a while: the watch runs only every WATCH_SECONDS, and a
        # slice must leave room for it whenever it comes
        self._record_seconds = max(time.perf_counter() - started, 0.9 * self._record_seconds)

    def _let_commands_in(self) -> None:
        """A lock is not fair: released and taken straight back, it could starve a
        command. Sleep (not spin) until every waiting command has the lock."""
        while self._waiting and not self._closed:
            time.sleep(0.0005)

    def _work(self) -> None:
        """The worker: slices of training, a frame after each, sleeping between frames.

        Speed N owes N epochs per frame at ``frame_rate``; when they take longer than
        a slice they are spread over several slices (the time budget binds). Speed 0
        trains in slices of one frame's time, back to back."""
        _yield_to_serving()
        try:
            self._train_frames()
        finally:
            session_priority.training(self, None)

    def _train_frames(self) -> None:
        owed = 0.0  # epochs still to train for the current frame (numeric speeds)
        clock = FrameClock(1.0 / self.frame_rate, time.perf_counter())
        while True:
            self._let_commands_in()
            with self._locked():
                if not self._should_train():
                    if self._worker is threading.current_thread():
                        self._worker = None
                    return
                started = time.perf_counter()
                cpu = time.thread_time()
                speed = self.speed
                session_priority.training(self, speed)
                if speed == 0 or owed <= 1e-9:  # a new frame
                    clock.begin(started)
                    owed = float(speed)
                if speed == 0:  # one slice per frame, ending when the next is due
                    budget, target = min(self.slice_seconds, clock.due - started), math.inf
                else:
                    budget, target = self.slice_seconds, owed
                # the record after training is part of the slice
                deadline = started + max(budget - self._record_seconds, budget / 4)
                done = self._runner.train_until(deadline, target)
                if speed:
                    owed = max(0.0, owed - done)
                self._record()
                if self._stopped():
                    self._playing = False
                self._publish()
                cpu = time.thread_time() - cpu
                _account(cpu)
                self._slices_cpu.append(cpu)
                self._slices.append(time.perf_counter() - started)
            if speed == 0 or owed > 1e-9:
                continue  # the budget binds: go on after letting commands in
            wait = clock.due - time.perf_counter()
            if wait > 0:
                self._wake.wait(wait)
                self._wake.clear()


class FrameClock:
    """When frames are due. Each is due one frame after the last was due, not after
    it began: late wake-ups would add up (~59 frames a second on a 60 Hz screen). A
    frame begun late is caught up with, up to ``catch_up`` frames (the page's queue
    plays them at display rate; dropped, each left a display frame without a new
    state); later than that, the clock starts afresh rather than rush."""

    def __init__(self, frame_seconds: float, now: float, catch_up: int = 3):
        self.frame_seconds = frame_seconds
        self.catch_up = catch_up
        self.due = now  # when the next frame should begin

    def begin(self, now: float) -> None:
        """A frame begins at ``now``; ``due`` becomes when the next one should."""
        late = now - self.due
        start = self.due if late < self.catch_up * self.frame_seconds else now
        self.due = start + self.frame_seconds


class Trainer(Owner):
    """The one owner of a run: every read and write of the session goes through here."""

    def __init__(self, session: TrainingSession, *, frame_rate: float = 60.0,
                 slice_seconds: float = 0.03,
                 watch: Callable[[TrainingSession], None] | None = None):
        super().__init__(session, frame_rate=frame_rate, slice_seconds=slice_seconds,
                         watch=watch)

    def _snapshot(self, seq: int, run: int) -> Frame:
        session: TrainingSession = self._runner
        history = session.history
        params = session.parameters_to_show()
        params.flags.writeable = False
        return Frame(seq=seq, run=run, epoch=session.epoch, steps=session.steps,
                     batch=session.batch_in_epoch, batches=session.batches_per_epoch,
                     train_loss=history.train_loss[-1], test_loss=history.test_loss[-1],
                     train_accuracy=history.train_accuracy[-1],
                     test_accuracy=history.test_accuracy[-1], params=params,
                     diverged=session.diverged)

    def _stopped(self) -> bool:
        return bool(self._runner.diverged)

    # ---------------------------------------------------------------- state
    @property
    def session_config(self) -> Config:
        with self._locked():
            return self._runner.config  # a frozen dataclass

    @property
    def speed(self) -> int:
        return self._runner.config.speed

    def set_speed(self, speed: int) -> None:
        if speed not in SPEEDS:
            raise ValueError(f"speed must be one of {SPEEDS}, got {speed!r}")
        with self._locked():
            session: TrainingSession = self._runner
            session.apply(session.config.replace(speed=speed))

    # ------------------------------------------------------------- commands
    def step_batch(self) -> Frame:
        """Pause, then train one mini-batch."""
        return self._train(TrainingSession.step_batch)

    def step_epoch(self) -> Frame:
        """Pause, then finish the current epoch (or train one whole epoch)."""
        return self._train(TrainingSession.step_epoch)

    def _train(self, step: Callable[[TrainingSession], Any]) -> Frame:
        with self._locked():
            self._pause_locked()
            started = time.thread_time()
            step(self._runner)
            self._record(always_watch=True)
            _account(time.thread_time() - started)
            return self._publish()

    def reset(self) -> Frame:
        """Pause; a new run on the same data from the config's initial weights."""
        return self._restart(TrainingSession.reset)

    def set_data(self, data: Data) -> Frame:
        """Pause; the learner's own points, the network starts over."""
        return self._restart(lambda session: session.set_data(data))

    def adopt(self, session: TrainingSession) -> Frame:
        """Pause; own ``session`` instead (e.g. a model loaded into a new session)."""
        def swap(_old):
            self._runner = session
        return self._restart(swap)

    def rewind(self) -> Frame:
        """Back to the last good epoch: divergence cleared, Play possible again."""
        return self._restart(TrainingSession.rewind)

    def _restart(self, action: Callable[[TrainingSession], Any]) -> Frame:
        with self._locked():
            self._pause_locked()
            action(self._runner)
            self._run += 1
            return self._publish()

    def apply(self, config: Config) -> bool:
        """Adopt new settings; True (and paused) if the run started over."""
        with self._locked():
            restarted = self._runner.apply(config)
            if restarted:
                self._pause_locked()
                self._run += 1
            self._publish()
            return restarted

    def regenerate(self, config: Config) -> bool:
        """New points for a new data seed, keeping the network; True (and paused) if
        other changes made the run start over."""
        with self._locked():
            restarted = self._runner.regenerate(config)
            if restarted:
                self._pause_locked()
            self._run += 1  # new points: older frames show the old data's losses
            self._publish()
            return restarted

    def set_parameter(self, layer: int, source: int, target: int, value) -> float:
        """Set one weight or bias (also while playing); see TrainingSession.set_parameter."""
        with self._locked():
            number = self._runner.set_parameter(layer, source, target, value)
            self._publish()
            return number


class ComparisonTrainer(Owner):
    """The owner of the lab's Comparison: the same lock, clock and lease."""

    def __init__(self, comparison, *, speed: int = 10, frame_rate: float = 60.0,
                 slice_seconds: float = 0.03):
        self._speed = speed
        super().__init__(comparison, frame_rate=frame_rate, slice_seconds=slice_seconds)

    def _snapshot(self, seq: int, run: int) -> ComparisonFrame:
        sessions = self._runner.sessions
        return ComparisonFrame(seq=seq, run=run,
                               epochs=tuple(s.epoch for s in sessions),
                               steps=tuple(s.steps for s in sessions),
                               train_losses=tuple(s.train_loss for s in sessions),
                               diverged=tuple(s.diverged for s in sessions))

    def _stopped(self) -> bool:
        return not self._runner.any_running

    @property
    def speed(self) -> int:
        return self._speed

    def set_speed(self, speed: int) -> None:
        if speed not in SPEEDS:
            raise ValueError(f"speed must be one of {SPEEDS}, got {speed!r}")
        self._speed = speed

    def step_batch(self) -> ComparisonFrame:
        return self._command(lambda comparison: comparison.step_batch())

    def step_epoch(self) -> ComparisonFrame:
        return self._command(lambda comparison: comparison.step_epoch())

    def _command(self, step) -> ComparisonFrame:
        with self._locked():
            self._pause_locked()
            started = time.thread_time()
            step(self._runner)
            self._runner.record()
            _account(time.thread_time() - started)
            return self._publish()

    def reset(self) -> ComparisonFrame:
        with self._locked():
            self._pause_locked()
            self._runner.reset()
            self._run += 1
            return self._publish()

    def rewind(self, index: int) -> ComparisonFrame:
        """One diverged run back to its last good weights (it then lags the others)."""
        with self._locked():
            self._runner.rewind(index)
            return self._publish()


__all__ = ["ComparisonFrame", "ComparisonTrainer", "Frame", "LEASE_SECONDS", "Owner",
           "Trainer", "stats"]
