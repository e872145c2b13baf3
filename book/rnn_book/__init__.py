"""The book's own code: figures, plotting style, interpretability probes, chapter experiments.

Not part of the installed library: ``pip install rnn_course`` carries none of it. The
chapters import it from their folder (a notebook's working directory is ``book/``), and
``tests/conftest.py`` puts ``book/`` on ``sys.path`` for the claims and figure tests.

Modules: ``diagrams`` (network diagrams), ``plotting`` (the figure style and curve plots),
``probe`` (what single units and states encode), ``experiments.chNN`` (each chapter's
experiments, so the chapter and its claims tests run one copy).
"""
