"""The exported script runs as is and reproduces the session's losses."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from playground import data_io
from playground.config import Config
from playground.export import python_script, script_filename
from playground.session import TrainingSession

ROOT = Path(__file__).resolve().parents[1]
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
PYTHON = str(VENV_PYTHON) if VENV_PYTHON.exists() else sys.executable


def run_script(source: str, tmp_path: Path) -> dict[str, float]:
    path = tmp_path / "reproduce.py"
    path.write_text(source, encoding="utf-8")
    # The parent's environment (BLAS settings included), and mikir importable.
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([PYTHON, str(path)], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    values = dict(re.findall(r"^(train loss|test loss|train accuracy|test accuracy): (\S+)$",
                             done.stdout, flags=re.MULTILINE))
    return {key: float(value) for key, value in values.items()}


def session_numbers(session: TrainingSession) -> dict[str, float]:
    d = session.data
    train_loss, train_accuracy = session.evaluate(d.F_train, d.Y_train, d.y_train)
    test_loss, test_accuracy = session.evaluate(d.F_test, d.Y_test, d.y_test)
    numbers = {"train loss": train_loss, "test loss": test_loss}
    if train_accuracy is not None:
        numbers |= {"train accuracy": train_accuracy, "test accuracy": test_accuracy}
    return numbers


CONFIGS = {
    "default": (Config(), 40),
    "spiral_features_momentum": (Config(dataset="spiral", noise=20, points=300, seed=7,
                                        init_seed=11, features=tuple(data_io.datasets.FEATURES),
                                        hidden=(8, 6), activation="relu", optimizer="momentum",
                                        learning_rate=0.01, batch_size=16, train_percent=70),
                                 25),
    "blobs_adam_l2": (Config(dataset="blobs", classes=5, noise=30, optimizer="adam",
                             learning_rate=0.003, regularization="l2",
                             regularization_rate=0.001, batch_size=1, hidden=(4,)), 5),
    "xor_mse_l1": (Config(dataset="xor", loss="squared_error", activation="sigmoid",
                          regularization="l1", regularization_rate=0.003, batch_size=2000,
                          hidden=(3, 3, 3)), 30),
    "regression": (Config(dataset="multi_gauss", activation="leaky_relu", hidden=(8,),
                          points=400, noise=10, train_percent=30, learning_rate=0.01), 20),
    "no_hidden_zero_epochs": (Config(dataset="gauss", hidden=()), 0),
}


@pytest.mark.parametrize("name", CONFIGS)
def test_script_reproduces_the_session(name, tmp_path):
    config, epochs = CONFIGS[name]
    session = TrainingSession(config)
    assert session.train_epochs(epochs)
    source = python_script(session.config, epochs, session.data)
    printed = run_script(source, tmp_path)
    expected = session_numbers(session)
    assert set(printed) == set(expected)
    for key, value in expected.items():
        assert abs(printed[key] - value) <= 1e-12, (key, printed[key], value)


@pytest.mark.parametrize("problem,classes", [("classification", 2), ("classification", 4),
                                             ("regression", 0)])
def test_script_reproduces_custom_data(problem, classes, tmp_path):
    rng = np.random.default_rng(5)
    X = rng.uniform(-6, 6, (60, 2))
    y = rng.normal(size=60) if problem == "regression" else np.arange(60) % classes
    features = ("x1", "x2", "x1_times_x2")
    data = data_io.custom_data(X, y, features, problem, classes, 60, seed=9)
    config = data_io.config_for_data(Config(features=features, hidden=(5,), batch_size=7,
                                            optimizer="adam", learning_rate=0.01),
                                     problem, classes)
    session = TrainingSession(config, data=data)
    assert session.train_epochs(12)
    source = python_script(session.config, 12, session.data)
    assert "datasets.make(" not in source and "X_train = np.array([" in source
    printed = run_script(source, tmp_path)
    expected = session_numbers(session)
    assert set(printed) == set(expected)
    for key, value in expected.items():
        assert abs(printed[key] - value) <= 1e-12, (key, printed[key], value)
    assert script_filename(session.config, session.data) == "mikir_custom_run.py"


def test_script_is_short_readable_and_notes_chunked_runs():
    source = python_script(Config(), 100)
    compile(source, "reproduce.py", "exec")
    assert len(source.splitlines()) < 70
    assert "mikir.NeuralNetwork(" in source and 'init="playground"' in source
    assert "datasets.make('circle', n=500, noise=0.0, seed=1)" in source
    assert "mikir.SGD(learning_rate=0.03)" in source
    assert "epochs=100, batch_size=10" in source
    assert "several chunks" in source
    for word in ("pickle", "eval(", "exec(", "import os", "subprocess"):
        assert word not in source
    assert script_filename(Config(dataset="spiral")) == "mikir_spiral_run.py"


def test_a_chunked_run_differs_as_the_script_says(tmp_path):
    config = Config(dataset="spiral", hidden=(6,))
    session = TrainingSession(config)
    session.train_epochs(5)
    session.train_epochs(5)
    printed = run_script(python_script(config, 10), tmp_path)
    assert printed["train loss"] != session_numbers(session)["train loss"]


def test_bad_arguments():
    for epochs in (-1, 1.5, True, "3"):
        with pytest.raises(ValueError, match="epochs"):
            python_script(Config(), epochs)
    with pytest.raises(ValueError, match="dataset"):
        python_script(Config(dataset="__import__('os').system('x')"), 1)
    with pytest.raises(ValueError, match="features"):
        python_script(Config(features=("x1", "');import os;('")), 1)


def test_one_epoch_is_said_in_the_singular():
    session = TrainingSession(Config())
    assert session.train_epochs(1)
    source = python_script(session.config, 1, session.data)
    assert " 1 epoch," in source and "1 epochs" not in source
