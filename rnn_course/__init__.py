"""rnn_course: recurrent neural networks in NumPy and PyTorch, the library of the rnn-course book.

Modules (import the one you need; each holds one idea):

- ``rnn_course.numpy_rnn``   SRN, LSTM and GRU step and sequence forward/backward (NumPy)
- ``rnn_course.layers``      time-distributed affine and embedding layers, losses
- ``rnn_course.clip``        gradient clipping by global norm and by value (in place)
- ``rnn_course.gradcheck``   centred-difference numeric gradients and ``rel_error``
- ``rnn_course.optim``       SGD, momentum, Adagrad, Adam on dicts of arrays
- ``rnn_course.init``        weight initialisers (torch default, Xavier, orthogonal, identity)
- ``rnn_course.batching``    cut a long sequence into ordered (T, B) chunks for truncated BPTT
- ``rnn_course.numpy_lm``    a small NumPy language-model trainer that carries state
- ``rnn_course.torch_rnn``   RNNCell, LSTMCell, GRUCell, RNN, LSTM, GRU written as plain loops
- ``rnn_course.torch_lstm``  an LSTM layer whose backward (BPTT) is written out by hand
- ``rnn_course.scan``        the linear recurrence, step by step and as a parallel scan
- ``rnn_course.min_rnn``     minGRU and minLSTM in NumPy, trained through the scan
- ``rnn_course.torch_min_rnn`` minGRU and minLSTM modules with torch.nn's arguments
- ``rnn_course.data``        ``.tasks`` synthetic tasks, ``.reber`` grammar, ``.text`` corpora
- ``rnn_course.models``      a character language model and a sequence model for any core
- ``rnn_course.seq2seq``     encoder-decoders and a vector-to-sequence generator
- ``rnn_course.ensemble``    several sequence classifiers trained as one block-diagonal network
- ``rnn_course.train``       a truncated-BPTT training loop with clipping and checkpoints
- ``rnn_course.sampling``    sampling with temperature and top-k
- ``rnn_course.classify``    softmax regression on fixed features (chapter 1, the probes)

The simple (Elman) recurrent network is called ``srn`` throughout
(``srn_forward``, ``cell="srn"``); only the torch.nn twins keep torch's class
names ``RNN`` and ``RNNCell``. Argument checks live in the private ``_validate``.

Submodules are imported on first use, so ``import rnn_course`` stays fast and
does not pull in torch unless you touch a torch-based module.
"""

import importlib
import pkgutil

__version__ = "0.1.0"

_SUBMODULES = {m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")}


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'rnn_course' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_SUBMODULES))
