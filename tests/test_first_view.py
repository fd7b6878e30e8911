"""A tab's first run draws the live view before the controls (app.py, live.py): which
runs do, and what the scene tells the page."""

from __future__ import annotations

import pytest

from playground import live, live_view, stream
from playground.config import Config
from playground.session import TrainingSession
from playground.trainer import Trainer


class State(dict):
    """Enough of st.session_state: keys, attributes and get()."""

    __getattr__ = dict.__getitem__
    __setattr__ = dict.__setitem__


@pytest.mark.parametrize("serving", [True, False])
def test_only_the_first_run_of_a_tab_on_the_playground_defers_the_controls(monkeypatch, serving):
    monkeypatch.setattr(stream, "serving", lambda: serving)
    state = State()
    assert live.controls_follow(state) is serving  # without the live view: all at once
    assert [live.controls_follow(state) for _ in range(3)] == [False] * 3


def test_a_tab_opened_on_another_page_draws_its_controls_at_once(monkeypatch):
    monkeypatch.setattr(stream, "serving", lambda: True)
    assert live.controls_follow(State(page="Learning-rate lab")) is False
    assert live.controls_follow(State(page="Playground")) is True


def test_the_scene_says_whether_the_page_asks_for_the_controls():
    trainer = Trainer(TrainingSession(Config(points=100)))
    try:
        scenes = [trainer.read(lambda session, follow=follow: live_view.scene(
            session, trainer.frame(), socket="", plotly_src="", controls_follow=follow))
            for follow in (True, False)]
    finally:
        trainer.close()
    assert [scene["controls_follow"] for scene in scenes] == [True, False]
    assert live_view.scene.__kwdefaults__["controls_follow"] is False
