"""The Learning-rate lab tab (Streamlit code only; the logic lives in lab.py).

Five views of what the learning rate does: runs compared side by side, a range
test, a slice of the loss landscape with the next step drawn on it, training
health per layer, and the earlier runs kept as ghosts. The comparison has its
own Play/Pause outside its fragment (a button inside would not stop the timer)
and its own owner (``ComparisonTrainer``) that trains on a worker thread; the
fragment only renews its lease, reads a copy and draws. Every other view is
computed on a button press from a copy of the Playground's run and kept in
session state.
"""

from __future__ import annotations

import copy
import math

import streamlit as st

from . import lab, lab_figures
from .config import LEARNING_RATES, OPTIMIZER_LABELS, OPTIMIZERS, needs_rebuild
from .live_chart import live_chart
from .session import TrainingSession
from .trainer import ComparisonTrainer

FRAME_SECONDS = 0.1  # the comparison's fragment timer (it draws; the owner trains)
# Play and Pause are two buttons, each always drawn and each with its own action; the
# one that does not apply is disabled (page.css hides it). Streamlit may deliver a
# click twice (folded into the timer's fragment run, again in a whole-page run after
# the page redrew the toolbar): one Play/Pause key would hand the second delivery to
# the redrawn button and undo the click; a key per action repeats it, and a disabled
# button's click is dropped.
PLAY_KEYS = {"lab_play": True, "lab_pause": False}
TOOLBAR_KEYS = (*PLAY_KEYS, "lab_step", "lab_step_epoch", "lab_reset")
MAPS_WIDTH = 620  # about the maps column's width on a 1440-px page with the sidebar open
# Streamlit's named text colours closest to lab_figures.RUN_COLORS (Tableau 10).
RUN_TEXT_COLORS = ("blue", "orange", "green", "violet")
SHORT_OPTIMIZER_LABELS = {"sgd": "SGD", "momentum": "Momentum", "adam": "Adam"}


def render(state) -> None:
    state.setdefault("lab_trainer", None)
    st.caption("What the learning rate does, seen five ways. The sidebar's setup (data, "
               "network, optimizer, batch size) applies to everything on this page.")
    _main_divergence(state)
    _section(state, _comparison_section, "The comparison")
    st.divider()
    _section(state, _range_test_section, "The range test")
    st.divider()
    _section(state, _landscape_section, "The landscape slice")
    st.divider()
    _section(state, _health_section, "Training health")
    st.divider()
    _section(state, _ghost_section, "The ghost runs")


def _section(state, draw, name: str) -> None:
    """One view's failure is shown as a message and leaves the others working."""
    try:
        draw(state)
    except Exception as error:  # noqa: BLE001 (Streamlit's rerun/stop are BaseExceptions)
        st.error(f"{name} could not be shown: {error}", icon=":material/error:")


def _guarded(action):
    """A widget callback whose errors become a message instead of a traceback."""
    def run(*args):
        try:
            action(*args)
        except Exception as error:  # noqa: BLE001
            st.session_state.lab_error = f"That did not work: {error}"
            owner = st.session_state.get("lab_trainer")
            if owner is not None:
                owner.pause()
    return run


def _view(state) -> TrainingSession:
    """A consistent copy of the Playground's run, to read from."""
    return state.trainer.read(TrainingSession.copy)


def _data(state):
    """The Playground's points (a Data is never changed in place)."""
    return state.trainer.read(lambda session: session.data)


def _format_loss(value) -> str:
    if value is None or not math.isfinite(value):
        return "—"
    size = abs(value)
    return (f"{value:.4f}" if size >= 0.01 or size == 0 else f"{value:.3g}" if size >= 1e-4
            else f"{value:.2e}")


def _count(number: int, word: str) -> str:
    """``1 epoch``, ``2 epochs``, ``1,000 epochs``."""
    return f"{number:,} {word}{'s' * (number != 1)}"


def _rate(value: float) -> str:
    return f"{value:g}"


def _nearest_rate(value: float, rates=LEARNING_RATES) -> float:
    return min(rates, key=lambda r: abs(math.log10(r / value)))


# ------------------------------------------------------------ main divergence
def _main_divergence(state) -> None:
    diverged = state.trainer.frame().diverged
    if diverged:
        left, right = st.columns([3, 1], vertical_alignment="center")
        left.error(f"The Playground's run: {diverged}", icon=":material/error:")
        right.button("Rewind to the last good epoch", key="lab_rewind_main",
                     on_click=_guarded(state.trainer.rewind), width="stretch",
                     icon=":material/undo:")


# ----------------------------------------------------------------- comparison
def _comparison_section(state) -> None:
    st.subheader("Compare learning rates", anchor=False)
    st.caption("Copies of the current setup train side by side and differ only in the "
               "learning rate (or optimizer); all advance together.")
    choose, act = st.columns([3, 1], vertical_alignment="bottom", gap="medium")
    with choose:
        by_optimizer = st.toggle(
            "Compare optimizers instead", key="lab_compare_optimizers", persist_state="page",
            help="SGD, SGD with momentum and Adam, all at the sidebar's learning rate "
                 f"({_rate(state.config.learning_rate)})")
        if by_optimizer:
            chosen = st.pills(
                f"Optimizers, each at learning rate {_rate(state.config.learning_rate)}",
                OPTIMIZERS, selection_mode="multi", default=list(OPTIMIZERS),
                format_func=OPTIMIZER_LABELS.get, key="lab_optimizers", persist_state="page")
            variants = [{"optimizer": o, "learning_rate": state.config.learning_rate}
                        for o in OPTIMIZERS if o in (chosen or [])]
        else:
            defaults = [v["learning_rate"] for v in lab.default_variants(state.config)]
            defaults = [r for r in LEARNING_RATES if r in defaults]
            chosen = st.pills(
                f"Learning rates ({lab.MIN_RUNS}–{lab.MAX_RUNS})", LEARNING_RATES,
                selection_mode="multi", default=defaults, format_func=_rate, key="lab_rates",
                persist_state="page")
            variants = [{"learning_rate": r} for r in sorted(chosen or [])]
    count_ok = lab.MIN_RUNS <= len(variants) <= lab.MAX_RUNS
    with act:
        st.button("Set up comparison", key="lab_setup", width="stretch",
                  type="secondary" if state.lab_trainer is not None else "primary",
                  icon=":material/compare_arrows:", disabled=not count_ok,
                  on_click=_guarded(_set_up), args=(state, variants))
    if not count_ok:
        st.caption(f":orange[Choose {lab.MIN_RUNS} to {lab.MAX_RUNS} "
                   f"{'optimizers' if by_optimizer else 'learning rates'} "
                   f"(now {len(variants)}).]")
    if state.get("lab_error"):
        st.error(state.pop("lab_error"), icon=":material/error:")

    owner = state.lab_trainer
    if owner is None:
        st.info("Choose what to compare and press **Set up comparison**.",
                icon=":material/info:")
        return
    owner.set_speed(state.config.speed)
    comparison = owner.read(lab.Comparison.copy)
    first = comparison.sessions[0]
    varied = _varied(comparison)
    differs = ("only the learning rate differs" if varied == {"learning_rate"}
               else f"only the optimizer differs (all at learning rate "
                    f"{_rate(first.config.learning_rate)})" if varied == {"optimizer"}
               else "only the optimizer and the learning rate differ")
    st.caption(f"Identical data ({first.train_size} training points, the same mini-batches "
               f"in the same order) and identical initial weights (weight seed "
               f"{first.config.init_seed}): {differs}.")
    if needs_rebuild(first.config, state.config) or comparison.data is not _data(state):
        st.warning("The sidebar's setup has changed since this comparison was set up: "
                   "press **Set up comparison** to compare the new setup.",
                   icon=":material/update:")
    _comparison_toolbar(state, owner)
    _comparison_frame(state, owner)


def _varied(comparison) -> set[str]:
    configs = [s.config for s in comparison.sessions]
    varied = set()
    if len({c.learning_rate for c in configs}) > 1:
        varied.add("learning_rate")
    if len({c.optimizer for c in configs}) > 1:
        varied.add("optimizer")
    return varied


def _keep_as_ghosts(state, owner: ComparisonTrainer) -> None:
    """The runs just ended stay as faded curves, as on the Playground page."""
    def keep(comparison) -> None:
        for session in comparison.sessions:
            if session.epoch:
                state.ghosts.add(session, name=f"lab · {lab.describe(session.config)}")
    owner.read(keep)


def _set_up(state, variants) -> None:
    comparison = state.trainer.read(
        lambda session: lab.Comparison.from_session(session, variants))
    if len({v.get("learning_rate") for v in variants}) == 1 and "optimizer" in variants[0]:
        # One rate for all: the optimizer's name alone says which run is which.
        comparison.labels = [SHORT_OPTIMIZER_LABELS[s.config.optimizer]
                             for s in comparison.sessions]
    old = state.lab_trainer
    if old is not None:
        old.close()
        _keep_as_ghosts(state, old)
    state.lab_trainer = ComparisonTrainer(comparison, speed=state.config.speed)


def _set_playing(state, play: bool) -> None:
    """Play or pause; idempotent, so a click delivered twice cannot undo itself."""
    owner = state.lab_trainer
    if not play:
        owner.pause()
    elif not owner.play():
        state.lab_error = ("Every run has diverged: rewind one (the buttons under the runs) "
                           "or reset.")


def _step(state, epoch: bool) -> None:
    owner = state.lab_trainer
    if epoch:
        owner.step_epoch()  # pauses first
    else:
        owner.step_batch()


def _reset(state) -> None:
    owner = state.lab_trainer
    owner.pause()
    _keep_as_ghosts(state, owner)
    owner.reset()


def _comparison_toolbar(state, owner: ComparisonTrainer) -> None:
    columns = st.columns([1.1, 1, 1.2, 1, 3.4], vertical_alignment="center")
    playing = owner.playing
    with columns[0]:
        for key, play in PLAY_KEYS.items():
            st.button("Play" if play else "Pause", key=key, type="primary",
                      icon=":material/play_arrow:" if play else ":material/pause:",
                      on_click=_guarded(_set_playing), args=(state, play),
                      width="stretch", disabled=play == playing)
    columns[1].button("Step", key="lab_step", icon=":material/skip_next:", width="stretch",
                      on_click=_guarded(_step), args=(state, False),
                      help="Every run trains on one mini-batch")
    columns[2].button("Step epoch", key="lab_step_epoch", icon=":material/fast_forward:",
                      width="stretch", on_click=_guarded(_step), args=(state, True),
                      help="Every run finishes its current epoch (or trains one)")
    columns[3].button("Reset", key="lab_reset", icon=":material/restart_alt:",
                      width="stretch", on_click=_guarded(_reset), args=(state,),
                      help="Every run back to the shared initial weights; the curves so far "
                           "stay as dotted ghosts")
    speed = state.config.speed
    columns[4].caption(
        f"Speed: {'as fast as it goes' if speed == 0 else f'{speed} epoch' + 's' * (speed > 1)}"
        " per frame (the sidebar's speed). A run that diverges stops; the others go on.")


def _comparison_frame(state, owner: ComparisonTrainer) -> None:
    playing = owner.playing
    ran = [False]  # the fragment's first call is in this page run, the others on its timer

    @st.fragment(run_every=FRAME_SECONDS if playing else None)
    def frame():
        on_timer, ran[0] = ran[0], True
        if state.get("lab_trainer") is not owner:
            return
        if any(st.session_state.get(key) is True for key in TOOLBAR_KEYS):
            # A toolbar click landing with this timer's rerun is folded into it:
            # Streamlit 1.67 runs its callback here and may deliver it once more in
            # a whole-page run (PLAY_KEYS). The toolbar is outside this fragment: a
            # whole-page rerun redraws it. Play/Pause, the one a learner presses while
            # this timer runs, is also applied here, as the button clicked said (it
            # sets, not toggles), for a Streamlit that does not run the callback.
            clicked = [play for key, play in PLAY_KEYS.items()
                       if st.session_state.get(key) is True]
            if on_timer and clicked:
                _set_playing(state, clicked[0])
            st.rerun()
        if playing:
            if not owner.playing:
                st.rerun()  # stopped (every run diverged): Play becomes "Play" again
            owner.keep_alive()  # this page is watching: the owner trains on
        comparison = owner.read(lab.Comparison.copy)
        _run_cards(owner, comparison)
        _comparison_charts(state, comparison)

    frame()


def _run_cards(owner: ComparisonTrainer, comparison) -> None:
    columns = st.columns(len(comparison))
    for i, (session, label) in enumerate(zip(comparison.sessions, comparison.labels)):
        color = RUN_TEXT_COLORS[i % len(RUN_TEXT_COLORS)]
        with columns[i].container(border=True, key=f"lab_run_{i}"):
            history = session.history.train_loss
            if session.diverged:
                st.metric(f":{color}[**{label}**]", "diverged",
                          help=session.diverged)
                st.caption(f"stopped at epoch {session.epoch:,} · the others go on")
                st.button("Rewind", key=f"lab_rewind_{i}", icon=":material/undo:",
                          width="stretch", help="Back to this run's last good weights "
                                                "(it then lags the others)",
                          on_click=_guarded(owner.rewind), args=(i,))
            else:
                start = next((v for v in history if math.isfinite(v)), None)
                now = session.train_loss
                delta = (_format_loss(now - start) if start is not None
                         and math.isfinite(now) and session.epoch else None)
                st.metric(f":{color}[**{label}**]", _format_loss(now), delta,
                          delta_color="inverse", help="training loss (change since the start)")
                st.caption(f"epoch {session.epoch:,} · {session.steps:,} steps")


def _comparison_charts(state, comparison) -> None:
    loss, maps = st.columns([1, 1.5], gap="medium")
    ghosts = list(state.ghosts)
    with loss:
        st.markdown("**Training loss** · log scale"
                    + (" · dotted: earlier runs" if ghosts else ""))
        figure = lab_figures.comparison_loss_figure(comparison, ghosts=ghosts, height=300)
        live_chart(_one_ghost_legend(figure), key="chart_lab_loss", height=300)
    with maps:
        st.markdown("**Output maps** · each run's prediction over the input plane")
        height = min(280, MAPS_WIDTH // len(comparison) + 30)
        live_chart(lab_figures.comparison_maps_figure(comparison, height=height),
                   key="chart_lab_maps", height=height)


def _one_ghost_legend(figure: dict) -> dict:
    """One legend entry for all ghosts: their long names would crowd out the plot.

    Each ghost keeps its name in its hover label; the Ghost runs section lists them.
    """
    ghosts = [t for t in figure["data"] if t.get("legendgroup") == "ghosts"]
    for index, trace in enumerate(ghosts):
        trace["showlegend"] = index == 0
        if index == 0:
            trace["name"] = "earlier runs" if len(ghosts) > 1 else "earlier run"
    return figure


# ----------------------------------------------------------------- range test
def _range_key(state) -> tuple:
    """What a range test depends on besides the learning rate (and the speed)."""
    return (state.config.replace(learning_rate=1.0, speed=1, hide=()),)


def _run_range_test(state) -> None:
    session = _view(state)
    from_current = bool(state.get("lab_range_current")) and session.epoch > 0
    parameters = session.net.get_parameters() if from_current else None
    if from_current and session.diverged:
        raise ValueError("the current weights are not finite: rewind or reset first")
    result = lab.range_test(state.config, data=session.data, parameters=parameters)
    state.lab_range = {"result": result, "key": _range_key(state), "data": session.data,
                       "from_current": from_current, "epoch": session.epoch}


def _range_test_section(state) -> None:
    st.subheader("Learning-rate range test", anchor=False)
    st.caption("A short run at each of 20 rates from 10⁻⁵ to 10, all from the same weights: "
               "too small barely moves, too large blows up, and the green band between "
               "is where training works.")
    stored = state.get("lab_range")
    if stored and (stored["key"] != _range_key(state) or stored["data"] is not _data(state)):
        state.lab_range = stored = None  # measured on another setup
    left, right = st.columns([1, 3], vertical_alignment="center", gap="medium")
    pressed = left.button("Run range test", key="lab_range_run", type="primary",
                          width="stretch", icon=":material/query_stats:")
    right.checkbox("Start from the current weights (not the initial ones)",
                   key="lab_range_current", persist_state="page",
                   help="Off: from the weights the network starts with, the classic test. "
                        "On: from where the Playground's run is now, to see which rates "
                        "still help at this point of training.")
    if pressed:
        try:
            with st.spinner("Training a fresh copy at each of 20 learning rates…"):
                _run_range_test(state)
            stored = state.lab_range
        except Exception as error:  # noqa: BLE001
            st.error(f"The range test did not run: {error}",
                     icon=":material/error:")
    if not stored:
        st.info("Press **Run range test**: it takes about a second.", icon=":material/info:")
        return
    result = stored["result"]
    current = state.config.learning_rate
    verdict, chart = st.columns([1, 2.6], gap="large")
    with verdict:
        _range_verdict(state, stored, result, current)
    with chart:
        live_chart(lab_figures.range_test_figure(result, current_rate=current, height=330),
                   key="chart_lab_range", height=330)


def _range_verdict(state, stored, result, current) -> None:
    with st.container(key="lab_range_verdict"):
        if result.best_rate is None:
            st.markdown(f"**No rate lowered the loss** in {_count(result.epochs, 'epoch')}: "
                        "the setup itself may need a change (more neurons, another activation).")
        else:
            low, high = result.band
            band = f"{low:.2g}–{high:.2g}" if high > low else f"{low:.2g}"
            # Named as a rate the sidebar's slider offers: the test's own grid is finer.
            st.metric("Best rate on the slider", _rate(_nearest_rate(result.best_rate)),
                      f"usable band {band}", delta_color="green", delta_arrow="off",
                      help=f"The slider's rate nearest the test's best, {result.best_rate:.2g}: "
                           f"the lowest loss after the short run "
                           f"({_format_loss(result.best_loss)}); the usable band is every "
                           "rate around it that trained well too.")
            if result.in_band(current):
                where = f":green[Your rate **{_rate(current)}** is in the band. ✓]"
            elif current < low:
                where = (f":orange[Your rate **{_rate(current)}** is below the band: it "
                         "learns, slowly.]")
            else:
                where = (f":red[Your rate **{_rate(current)}** is above the band: "
                         "unstable.]")
            st.markdown(where)
            inside = [r for r in LEARNING_RATES if result.in_band(r)]
            if inside and not result.in_band(current):
                pick = _nearest_rate(result.best_rate, inside)
                st.button(f"Use learning rate {_rate(pick)}", key="lab_use_rate",
                          icon=":material/check:", on_click=_use_rate, args=(pick,),
                          help="Sets the sidebar's learning rate; the run goes on")
        start = (f"from the weights at epoch {stored['epoch']:,}" if stored["from_current"]
                 else "from the initial weights")
        st.caption(f"{result.rates.size} rates × {_count(result.epochs, 'epoch')} "
                   f"({result.steps:,} steps each) {start}, measured in "
                   f"{result.seconds:.2f} s. Usable: the loss kept at least half of the "
                   "best run's fall (on a log scale).")


def _use_rate(rate: float) -> None:
    st.session_state["w_learning_rate"] = rate  # the sidebar reads it on this rerun


# ------------------------------------------------------------------ landscape
def _slice(state, session: TrainingSession, run: int, rate: float) -> None:
    """Slice around ``session`` (a copy of the Playground's run, ``run`` its Frame.run)."""
    probe = session
    if rate != session.optimizer.learning_rate:
        probe = session.copy()  # its own optimizer at the rate to try
        probe.optimizer.learning_rate = rate
    state.lab_landscape = {"slice": lab.landscape_slice(probe), "rate": rate,
                           "run": run, "steps": session.steps, "epoch": session.epoch}


def _landscape_section(state) -> None:
    st.subheader("Loss-landscape slice", anchor=False)
    st.caption("The loss around the Playground network's current weights (black dot), along "
               "the downhill direction −gradient; the coloured dot is where the optimizer's "
               "next step lands. A small rate creeps, a good rate lands near the valley "
               "floor, a large rate overshoots up the far wall.")
    run = state.trainer.frame().run
    session = _view(state)
    current = session.optimizer.learning_rate
    # The rate to try follows the sidebar's, until the learner picks another here.
    if state.get("lab_try_base") != current or "lab_try_rate" not in state:
        state.lab_try_rate = _nearest_rate(current)
        state.lab_try_base = current
    left, mid, right = st.columns([1, 1, 2.2], vertical_alignment="center", gap="medium")
    pressed = left.button("Slice the landscape now", key="lab_slice", type="primary",
                          width="stretch", icon=":material/landscape:")
    follow = mid.checkbox("Follow training", key="lab_follow", persist_state="page",
                          help="Slice again whenever this page redraws and the network "
                               "has trained since")
    rate = right.select_slider("Try the next step with learning rate", LEARNING_RATES,
                               key="lab_try_rate", format_func=_rate,
                               help="Recomputes the step as if the learning rate were "
                                    "different; the run itself keeps its rate")
    stored = state.get("lab_landscape")
    stale = bool(stored) and (stored.get("run") != run or stored["steps"] != session.steps)
    if pressed or (stored and (stored["rate"] != rate or (follow and stale))):
        _slice(state, session, run, rate)
        stored, stale = state.lab_landscape, False
    if not stored:
        st.info("Press **Slice the landscape now** (train a little on the Playground page "
                "first, or not: the start is interesting too).", icon=":material/info:")
        return
    s = stored["slice"]
    live_chart(lab_figures.landscape_figure(s, height=360), key="chart_lab_landscape",
               height=360)
    note = (f"Sliced at epoch {stored['epoch']:,} ({stored['steps']:,} steps)"
            + (f", with learning rate {_rate(rate)} instead of the run's {_rate(current)}"
               if rate != current else f", learning rate {_rate(rate)}") + ". ")
    if stale:
        note += ":orange[The network has changed since: slice again, or tick Follow training.]"
    elif s.improves:
        note += ":green[This step lowers the loss.]"
    else:
        note += ":red[This step raises the loss: the rate overshoots here.]"
    st.caption(note)


# --------------------------------------------------------------------- health
def _health_section(state) -> None:
    st.subheader("Training health", anchor=False)
    st.caption("Per layer, the gradient's size (left) and how much one update changes the "
               "weights, ‖Δw‖/‖w‖ (right). Gradients that shrink layer by layer towards the "
               "input vanish, ones that grow explode; an update ratio near 10⁻³ (the green "
               "band) is the usual sign of a healthy learning rate.")
    # The trainer's worker measures into state.health: read it under the trainer's lock.
    health = state.trainer.read(lambda _session: copy.deepcopy(state.health))
    if not len(health):
        st.info("Measured on the Playground page while its run plays: press Play there.",
                icon=":material/info:")
        return
    live_chart(lab_figures.health_figure(health, height=300), key="chart_lab_health",
               height=300)
    left, right = st.columns([4, 1], vertical_alignment="center")
    left.caption(f"{len(health)} measurements, up to epoch {health.epoch[-1]:,}; the "
                 "record starts over with a new network.")
    right.button("Clear the record", key="lab_health_clear", icon=":material/delete_sweep:",
                 width="stretch", on_click=_guarded(_clear_health), args=(state,))


def _clear_health(state) -> None:
    state.trainer.read(lambda _session: state.health.clear())


# --------------------------------------------------------------------- ghosts
def _ghost_section(state) -> None:
    st.subheader("Ghost runs", anchor=False)
    ghosts = state.ghosts
    st.caption("Earlier runs stay as faded dotted curves in the loss charts, so you can "
               "compare what you tried.")
    if not len(ghosts):
        st.info("None yet: a run becomes a ghost when you reset it or change the setup.",
                icon=":material/info:")
        return
    left, right = st.columns([4, 1], vertical_alignment="top")
    with left.container(key="lab_ghost_list"):
        st.markdown("\n".join(f"- {ghost['name']} · {_count(ghost['epoch'][-1], 'epoch')}"
                               for ghost in ghosts))
    right.button("Clear ghost runs", key="lab_clear_ghosts", icon=":material/delete_sweep:",
                 width="stretch", on_click=_guarded(ghosts.clear))
