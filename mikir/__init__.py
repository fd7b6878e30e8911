"""mikir: a small, fast, exact neural-network library written with numpy.

    from mikir import NeuralNetwork
    nn = NeuralNetwork(2, 3, 1)   # the seed library's network
    nn.train([0, 1], [1])
    nn.predict([0, 1])
"""

from . import activations, datasets, gradcheck, losses
from .network import DivergedError, ForwardPass, History, NeuralNetwork, encode_labels, one_hot
from .neuron import Neuron
from .optimizers import SGD, Adam, Optimizer
from .serialize import dumps, load, loads, save

__version__ = "0.1.0"

__all__ = [
    "Adam", "DivergedError", "ForwardPass", "History", "NeuralNetwork", "Neuron", "Optimizer",
    "SGD", "activations", "datasets", "dumps", "encode_labels", "gradcheck", "load", "loads",
    "losses", "one_hot", "save",
]
