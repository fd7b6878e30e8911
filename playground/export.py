"""Export a run as a short Python script that reproduces it with mikir.

The script rebuilds the same data (generator, seed, noise, split, features; or
the learner's own points written out as literals), the same network (sizes,
activations, loss, the playground's init and weight seed), the same optimizer,
and trains with the same batch size and shuffle seed. For a run trained by one
``TrainingSession.train_epochs(epochs)`` call from the start, its printed
training loss equals the session's exactly.

Every value written into the script is a validated choice or a number printed
with ``repr`` (which round-trips floats exactly), so nothing from the page can
inject code.
"""

from __future__ import annotations

import numpy as np

from . import config as cfg
from .data_io import config_for_data
from .session import Data, output_setup

MAX_EPOCHS = 10_000_000
_WIDTH = 96


def _check(config: cfg.Config, epochs) -> None:
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) \
            or not 0 <= epochs <= MAX_EPOCHS:
        raise ValueError(f"epochs must be an integer in 0 … {MAX_EPOCHS}, got {epochs!r}")
    checks = (("dataset", cfg.DATASETS), ("activation", cfg.ACTIVATIONS),
              ("optimizer", cfg.OPTIMIZERS), ("regularization", cfg.REGULARIZATIONS),
              ("loss", cfg.LOSSES))
    for name, allowed in checks:
        if getattr(config, name) not in allowed:
            raise ValueError(f"config.{name} must be one of: {', '.join(allowed)}")
    if not config.features or any(f not in cfg.FEATURES for f in config.features):
        raise ValueError(f"config.features must be among: {', '.join(cfg.FEATURES)}")
    if any(isinstance(h, bool) or not isinstance(h, int) or not 1 <= h <= cfg.MAX_NEURONS
           for h in config.hidden) or len(config.hidden) > cfg.MAX_HIDDEN_LAYERS:
        raise ValueError("config.hidden must be at most "
                         f"{cfg.MAX_HIDDEN_LAYERS} layers of 1 … {cfg.MAX_NEURONS} neurons")


def _literal_rows(name: str, rows, per_line: int | None = None) -> list[str]:
    """``name = np.array([...])`` with the items wrapped to the line width."""
    items = [repr(r) for r in rows]
    lines, current = [f"{name} = np.array(["], "   "
    for item in items:
        if len(current) + len(item) + 2 > _WIDTH:
            lines.append(current.rstrip())
            current = "   "
        current += f" {item},"
    if current.strip():
        lines.append(current.rstrip())
    lines.append("])")
    return lines


def _targets_code(split: str, is_regression: bool, class_count: int) -> str:
    if is_regression:
        return f"Y_{split} = y_{split}.reshape(-1, 1).astype(float)"
    if class_count > 2:
        return f"Y_{split} = mikir.one_hot(y_{split}, {class_count})"
    return f"Y_{split} = y_{split}.reshape(-1, 1).astype(float)"


def python_script(config: cfg.Config, epochs: int, data: Data | None = None) -> str:
    """A runnable script that reproduces ``config`` trained for ``epochs`` epochs.

    ``data``: the session's Data; when it is the learner's own (``source ==
    "custom"``) its points are written into the script, already split.
    """
    config = cfg.clamp_batch(config)
    _check(config, epochs)
    custom = data is not None and data.source == "custom"
    if custom:
        problem = "regression" if data.is_regression else "classification"
        config = config_for_data(config, problem, data.class_count)
        is_regression, class_count = data.is_regression, data.class_count
        n_train = len(data.X_train)
    else:
        is_regression, class_count = config.is_regression, config.class_count
        n_train = cfg.train_size(config)
    batch_size = max(1, min(config.batch_size, n_train))
    outputs, output_activation, loss = output_setup(config)
    regularization = None if config.regularization == "none" else config.regularization
    sizes = ", ".join(map(str, (len(config.features), *config.hidden, outputs)))

    if custom:
        kind = "regression" if is_regression else f"{class_count} classes"
        data_text = (f"your own {len(data.X_train) + len(data.X_test)} points ({kind}), "
                     f"{len(data.X_train)} for training")
    else:
        data_text = (f"{cfg.DATASET_LABELS[config.dataset]}, {config.points} points, noise "
                     f"{config.noise} %, data seed {config.seed}, {config.train_percent} % "
                     "for training")
    optimizer_text = cfg.OPTIMIZER_LABELS[config.optimizer]
    hidden_text = " → ".join(map(str, config.hidden)) if config.hidden else "no hidden layer"
    lines = [
        '"""Reproduce a mikir playground run.',
        "",
        f"Data: {data_text}.",
        f"Network: {len(config.features)} inputs ({', '.join(config.features)}) → "
        f"{hidden_text} → {outputs} {output_activation} output{'s' * (outputs > 1)}"
        + (f", {config.activation} hidden layers" if config.hidden else "") + f", {loss} loss.",
        f"Training: {optimizer_text}, learning rate {config.learning_rate!r}, batch size "
        f"{batch_size}, {epochs} epoch{'s' * (epochs != 1)}, weight seed {config.init_seed}.",
        "",
        "Needs numpy and mikir: run it from the folder that holds mikir/ (the playground's",
        'repository), e.g. `python reproduce.py`."""',
        "",
        "import numpy as np",
        "",
        "import mikir",
        "from mikir import datasets",
        "",
    ]
    if custom:
        lines.append("# Your own points, as the playground shuffled and split them.")
        label_rows = ([int(v) for v in data.y_train], [int(v) for v in data.y_test]) \
            if not is_regression else ([float(v) for v in data.y_train],
                                       [float(v) for v in data.y_test])
        lines += _literal_rows("X_train", [[float(a), float(b)] for a, b in data.X_train])
        lines += _literal_rows("y_train", label_rows[0])
        lines += _literal_rows("X_test", [[float(a), float(b)] for a, b in data.X_test])
        lines += _literal_rows("y_test", label_rows[1])
    else:
        extra = f", classes={config.classes}" if config.dataset == "blobs" else ""
        lines += [
            "# The data: the same generator, seed, noise and split as the playground.",
            f"X, y = datasets.make({config.dataset!r}, n={config.points}, "
            f"noise={config.noise / 100!r}, seed={config.seed}{extra})",
            f"X_train, y_train, X_test, y_test = datasets.split(X, y, "
            f"{config.train_percent / 100!r})",
        ]
    lines += [
        "",
        f"FEATURES = {tuple(config.features)!r}",
        "F_train = datasets.features(X_train, FEATURES)",
        "F_test = datasets.features(X_test, FEATURES)",
        _targets_code("train", is_regression, class_count),
        _targets_code("test", is_regression, class_count),
        "",
        "net = mikir.NeuralNetwork(",
        f"    {sizes},",
        f"    activation={config.activation!r}, output_activation={output_activation!r}, "
        f"loss={loss!r},",
        f"    init=\"playground\", regularization={regularization!r}, "
        f"regularization_rate={float(config.regularization_rate)!r},",
        f"    seed={config.init_seed},",
        ")",
    ]
    if config.optimizer == "adam":
        lines.append(f"optimizer = mikir.Adam(learning_rate={config.learning_rate!r})")
    elif config.optimizer == "momentum":
        lines.append(f"optimizer = mikir.SGD(learning_rate={config.learning_rate!r}, "
                     "momentum=0.9)")
    else:
        lines.append(f"optimizer = mikir.SGD(learning_rate={config.learning_rate!r})")
    lines += [
        "",
        "# The playground seeds each training call's shuffle from a generator seeded with",
        "# the weight seed. This matches a run trained in one call from the start; a run",
        "# trained in several chunks (Play, Step, several \"train\" clicks) draws a new",
        "# shuffle seed per chunk, so its order and its final loss differ a little.",
        f"shuffle_seed = int(np.random.default_rng({config.init_seed}).integers(2**63))",
        f"net.fit(F_train, Y_train, epochs={epochs}, batch_size={batch_size}, "
        "optimizer=optimizer,",
        "        shuffle=True, seed=shuffle_seed)",
        "",
        "",
        "def data_loss(F, Y):",
        '    """The mean loss without the regularization penalty, as the playground plots it."""',
        "    forward = net.forward(F)",
        "    return mikir.losses.LOSSES[net.loss_name].value(",
        "        forward.pre_activations[-1], forward.activations[-1], Y)",
        "",
        "",
        'print("train loss:", repr(data_loss(F_train, Y_train)))',
        'print("test loss:", repr(data_loss(F_test, Y_test)))',
    ]
    if not is_regression:
        lines += [
            'print("train accuracy:", net.accuracy(F_train, y_train))',
            'print("test accuracy:", net.accuracy(F_test, y_test))',
        ]
    return "\n".join(lines) + "\n"


def script_filename(config: cfg.Config, data: Data | None = None) -> str:
    """A download name such as ``mikir_spiral_run.py``."""
    custom = data is not None and data.source == "custom"
    name = "custom" if custom or config.dataset not in cfg.DATASETS else config.dataset
    return f"mikir_{name}_run.py"


__all__ = ["python_script", "script_filename"]
