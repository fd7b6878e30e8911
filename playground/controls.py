"""The sidebar: widgets in, a Config out.

Widget values live in ``st.session_state`` under the keys below, seeded once
from the (validated) URL config. Controls a classroom link hides are not drawn;
their values stay those of the link.
"""

from __future__ import annotations

import streamlit as st

from . import config as cfg
from . import plain_text
from .config import Config
from .dataset_picker import dataset_picker

NEURON_KEY = "neurons_{}"


def seed_widgets(config: Config, only_missing: bool = False) -> None:
    """Put a config's values into the widgets' session-state keys.

    ``only_missing``: Streamlit drops the state of widgets an interrupted run never
    drew (a click during the very first run); restore those from the config.
    """
    state = st.session_state
    for key, value in widget_values(config).items():
        if not only_missing or key not in state:
            state[key] = value


def widget_values(config: Config) -> dict:
    """The widget keys and values that describe ``config``."""
    state: dict = {}
    state["w_dataset"] = config.dataset
    state["w_noise"] = config.noise
    state["w_train"] = config.train_percent
    state["w_points"] = config.points
    state["w_classes"] = config.classes
    state["w_seed"] = config.seed
    state["w_features"] = list(config.features)
    state["layer_count"] = len(config.hidden)
    for i, size in enumerate(config.hidden):
        state[NEURON_KEY.format(i)] = size
    state["w_activation"] = config.activation
    state["w_loss"] = config.loss
    state["w_learning_rate"] = config.learning_rate
    state["w_optimizer"] = config.optimizer
    state["w_batch"] = config.batch_size
    state["w_regularization"] = config.regularization
    state["w_regularization_rate"] = config.regularization_rate
    state["w_speed"] = config.speed
    state["w_init_seed"] = config.init_seed
    return state


def _shown(config: Config, control: str) -> bool:
    return control not in config.hide


def _change_layers(delta: int) -> None:
    state = st.session_state
    count = min(max(state["layer_count"] + delta, 0), cfg.MAX_HIDDEN_LAYERS)
    for i in range(count):
        state.setdefault(NEURON_KEY.format(i), 4)
    state["layer_count"] = count


def sidebar(config: Config, on_regenerate, top_bar: bool = False) -> Config:
    """Draw the controls; return the Config they describe.

    ``top_bar``: the page draws the main choices in its top bar (function ``top_bar``), so the
    sidebar leaves them out (one widget per key)."""
    state = st.session_state
    with st.sidebar:
        fixed = teacher_settings(config)
        if fixed:
            plain_text.caption(f"Set by your teacher: {fixed}.")
        st.markdown("### Data")
        if _shown(config, "data"):
            dataset_picker()  # the data sets by their look; a click chooses, as the select does
        if _shown(config, "data") and not top_bar:
            _data_set()
        dataset = state["w_dataset"]
        if dataset == "blobs" and _shown(config, "data"):
            st.slider("Classes", *cfg.CLASSES_RANGE, key="w_classes")
        if _shown(config, "noise"):
            st.slider("Noise (%)", *cfg.NOISE_RANGE, key="w_noise")
        if _shown(config, "train"):
            st.slider("Training share (%)", *cfg.TRAIN_PERCENT_RANGE, step=5, key="w_train")
        if _shown(config, "points"):
            st.slider("Points", *cfg.POINTS_RANGE, step=50, key="w_points")
        if _shown(config, "seed"):
            # The button is an icon, named by its tooltip: "Regenerate" did not fit.
            left, right = st.columns([4, 1], vertical_alignment="bottom")
            left.number_input("Data seed", *cfg.SEED_RANGE, step=1, key="w_seed")
            right.button("", on_click=on_regenerate, use_container_width=True,
                         key="regenerate", icon=":material/autorenew:",
                         help="Regenerate: new points from a new seed; the network is kept "
                              "as it is.")

        if _shown(config, "features"):
            st.markdown("### Features")
            st.pills("Inputs fed to the network", cfg.FEATURES, selection_mode="multi",
                     key="w_features", format_func=_feature_label,
                     on_change=_keep_a_feature,
                     help="At least one. Squares and sines let even a small network "
                          "draw curved boundaries.")
            state["features_shown"] = list(state["w_features"] or config.features)
            kept = state.pop("features_kept", None)
            if kept:
                plain_text.caption(f"A network needs at least one input: {kept} stays on.")

        st.markdown("### Network")
        if _shown(config, "layers"):
            left, mid, right = st.columns([2.2, 1, 1], vertical_alignment="center")
            count = state["layer_count"]
            left.markdown(f"**{count} hidden layer{'s' if count != 1 else ''}**")
            mid.button("", key="add_layer", on_click=_change_layers, args=(1,),
                       icon=":material/add:", use_container_width=True,
                       disabled=count >= cfg.MAX_HIDDEN_LAYERS, help="Add a hidden layer")
            right.button("", key="remove_layer", on_click=_change_layers, args=(-1,),
                         icon=":material/remove:", use_container_width=True,
                         disabled=count <= 0, help="Remove the last hidden layer")
            if count:
                columns = st.columns(min(count, 3))
                for i in range(count):
                    # No bounds in the widget: it would only outline 0 or 9 in red. The
                    # callback brings them into range and says why.
                    columns[i % len(columns)].number_input(
                        f"Layer {i + 1}", step=1, key=NEURON_KEY.format(i),
                        on_change=_clamp_neurons, args=(i,),
                        help=f"Neurons in this layer: 1 to {cfg.MAX_NEURONS}, as many as "
                             "the network picture has room for")
                note = state.pop("neurons_clamped", None)
                if note:
                    plain_text.caption(note)
        if _shown(config, "activation") and not top_bar:
            _activation()
        if _shown(config, "loss") and dataset not in cfg.REGRESSION:
            st.radio("Loss", cfg.LOSSES, key="w_loss", horizontal=True,
                     format_func=lambda v: "Cross-entropy" if v == "cross_entropy"
                     else "Squared error",
                     help="Squared error on a sigmoid output learns slowly when it is "
                          "confidently wrong; cross-entropy does not.")

        st.markdown("### Training")
        if _shown(config, "learning_rate") and not top_bar:
            _learning_rate()
        if _shown(config, "optimizer"):
            st.selectbox("Optimizer", cfg.OPTIMIZERS, key="w_optimizer",
                         format_func=cfg.OPTIMIZER_LABELS.get)
        if _shown(config, "batch"):
            limit = cfg.train_size(_data_part(config, state))
            state["w_batch"] = min(state["w_batch"], limit)
            st.slider("Batch size", 1, limit, key="w_batch",
                      help=f"1 to the whole training set ({limit} points)")
        if _shown(config, "regularization") and not top_bar:
            _regularization(*st.columns(2))
        if _shown(config, "speed"):
            st.select_slider("Speed (epochs per frame)", cfg.SPEEDS, key="w_speed",
                             format_func=lambda v: "max" if v == 0 else str(v))
        st.checkbox("Reset returns to the same initial weights", key="w_same_weights",
                    help="Off: every Reset draws new initial weights (a new weight seed).")
        # Not a second Reset: this one always draws new weights (a new weight seed).
        st.button("New initial weights", on_click=_new_initial_weights,
                  use_container_width=True, key="new_weights", icon=":material/casino:",
                  help="Start over from newly drawn initial weights (a new weight seed, "
                       "so the share link still reproduces them).")
    return read(config)


TOP_BAR = ("learning_rate", "activation", "regularization", "data")


def coming_place(parent, key: str) -> None:
    """The place of controls the next run draws (page.css outlines it and gives it
    their height): a container with something in it, as Streamlit draws no empty
    container; a 1 px space, the cheapest element to draw (a markdown "&nbsp;" in
    each of the first run's 13 places held its charts up ~40 ms)."""
    parent.container(key=key).space(1)


def top_bar(config: Config, coming: bool = False) -> None:
    """The main choices in one row above the live view, as TensorFlow Playground's top
    bar has them: seen at 1440×900 without scrolling (the sidebar leaves them out).

    ``coming``: only their places, the next run draws them (app.py: a tab's first run)."""
    shown = [control for control in TOP_BAR if _shown(config, control)]
    if not shown:
        return
    widths = {"learning_rate": [1.4], "activation": [1], "regularization": [1, 1.2],
              "data": [1.5]}
    with st.container(key="top_bar"):
        columns = iter(st.columns([w for c in shown for w in widths[c]]))
        for control in shown:
            if coming:
                for index, column in zip(range(len(widths[control])), columns):
                    coming_place(column, f"top_bar_coming_{control}_{index}")
            elif control == "regularization":
                _regularization(next(columns), next(columns))
            else:
                with next(columns):
                    {"learning_rate": _learning_rate, "activation": _activation,
                     "data": _data_set}[control]()


def _data_set() -> None:
    st.selectbox("Data set", cfg.DATASETS, key="w_dataset", format_func=cfg.DATASET_LABELS.get,
                 help="The problem: two-class, multi-class (Blobs) or regression (Plane, "
                      "Multi-Gaussian)")


def _activation() -> None:
    st.selectbox("Activation", cfg.ACTIVATIONS, key="w_activation",
                 format_func=cfg.ACTIVATION_LABELS.get)


def _learning_rate() -> None:
    st.select_slider("Learning rate", cfg.LEARNING_RATES, key="w_learning_rate",
                     format_func=lambda v: f"{v:g}")


def _regularization(left, right) -> None:
    left.selectbox("Regularization", cfg.REGULARIZATIONS, key="w_regularization",
                   format_func=lambda v: {"none": "None", "l1": "L1", "l2": "L2"}[v])
    right.select_slider("Regularization rate", cfg.REGULARIZATION_RATES,
                        key="w_regularization_rate", format_func=lambda v: f"{v:g}",
                        disabled=st.session_state["w_regularization"] == "none")


def teacher_settings(config: Config) -> str:
    """The values of the controls a classroom link hides, in words ("" if none):
    a hidden setting still shapes the run, so the learner can read what it is."""
    words = {
        "data": lambda: (f"data set {cfg.DATASET_LABELS[config.dataset]}"
                         + (f" with {config.classes} classes" if config.dataset == "blobs"
                            else "")),
        "noise": lambda: f"noise {config.noise} %",
        "train": lambda: f"training share {config.train_percent} %",
        "points": lambda: f"{config.points} points",
        "seed": lambda: f"data seed {config.seed}",
        "features": lambda: "features " + ", ".join(map(_feature_label, config.features)),
        "layers": lambda: "hidden layers " + (", ".join(map(str, config.hidden)) or "none"),
        "activation": lambda: f"activation {cfg.ACTIVATION_LABELS[config.activation]}",
        "learning_rate": lambda: f"learning rate {config.learning_rate:g}",
        "optimizer": lambda: f"optimizer {cfg.OPTIMIZER_LABELS[config.optimizer]}",
        "batch": lambda: f"batch size {config.batch_size}",
        "regularization": lambda: ("no regularization" if config.regularization == "none"
                                   else f"{config.regularization.upper()} regularization, "
                                        f"rate {config.regularization_rate:g}"),
        "loss": lambda: ("loss squared error" if config.loss == "squared_error"
                         or config.is_regression else "loss cross-entropy"),
        "speed": lambda: "speed " + ("max" if config.speed == 0 else
                                     f"{config.speed} epochs per frame"),
    }
    return "; ".join(words[control]() for control in cfg.HIDEABLE if control in config.hide)


def _keep_a_feature() -> None:
    """The last feature was turned off: turn it back on, visibly (the run keeps it)."""
    state = st.session_state
    if not state.get("w_features"):
        kept = state.get("features_shown") or list(cfg.DEFAULT.features)
        state["w_features"] = kept
        state["features_kept"] = ", ".join(map(_feature_label, kept))


def _clamp_neurons(layer: int) -> None:
    state = st.session_state
    key = NEURON_KEY.format(layer)
    typed = state.get(key)
    size = min(max(int(typed or 0), 1), cfg.MAX_NEURONS)
    if typed != size:
        state[key] = size
        state["neurons_clamped"] = (f"Layer {layer + 1}: a layer has 1 to {cfg.MAX_NEURONS} "
                                    f"neurons, so {typed} became {size}.")


def _new_initial_weights() -> None:
    """A new weight seed: the run starts over from other weights (kept as a ghost)."""
    state = st.session_state
    state["w_init_seed"] = (int(state["w_init_seed"]) * 69069 + 1) % (2**31 - 1)


def _feature_label(name: str) -> str:
    from mikir import datasets

    return datasets.FEATURE_LABELS[name]


def _data_part(config: Config, state) -> Config:
    return config.replace(points=state["w_points"], train_percent=state["w_train"])


def read(config: Config) -> Config:
    """The Config the widgets describe (hidden controls keep the config's values)."""
    state = st.session_state
    chosen = state.get("w_features") or []
    features = tuple(f for f in cfg.FEATURES if f in chosen)
    hidden = tuple(min(max(int(state[NEURON_KEY.format(i)]), 1), cfg.MAX_NEURONS)
                   for i in range(state["layer_count"]))
    new = config.replace(
        dataset=state["w_dataset"], noise=int(state["w_noise"]),
        train_percent=int(state["w_train"]), points=int(state["w_points"]),
        classes=int(state["w_classes"]), seed=int(state["w_seed"]),
        features=features or config.features, hidden=hidden,
        activation=state["w_activation"], loss=state["w_loss"],
        learning_rate=float(state["w_learning_rate"]), optimizer=state["w_optimizer"],
        batch_size=int(state["w_batch"]), regularization=state["w_regularization"],
        regularization_rate=float(state["w_regularization_rate"]),
        speed=int(state["w_speed"]), init_seed=int(state["w_init_seed"]),
    )
    return cfg.clamp_batch(new)
