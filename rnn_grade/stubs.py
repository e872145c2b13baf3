"""Exercise stubs derived from the lesson solutions (one source of truth).

``stub_source(fn)`` writes the learner's starting point: the solution's exact
signature and docstring, then "your code here" and a ``NotImplementedError``.
``cell_source(exercise)`` is the whole exercise cell: the stubs of its companions
(a forward written beside its backward) and then its own.
``python -m rnn_grade.stubs lessons/*/[0-9]*.ipynb`` rewrites the exercise cells
of lesson notebooks (for lesson authors, after a change; never run it on a
learner's notebook: it replaces their code).
"""

import inspect
import sys

import nbformat

NOT_IMPLEMENTED = "raise NotImplementedError"


def docstring_literal(doc, indent="    "):
    """The docstring as source text, indented, raw when it holds backslashes."""
    doc = inspect.cleandoc(doc or "")
    prefix = "r" if "\\" in doc else ""
    lines = doc.splitlines()
    body = "\n".join((indent + line) if line.strip() else "" for line in lines[1:])
    return f'{indent}{prefix}"""{lines[0] if lines else ""}\n{body}\n{indent}"""'


def stub_source(fn):
    """Source of the stub for ``fn``: same signature and docstring, body to fill in."""
    sig = inspect.signature(fn)
    lines = [f"def {fn.__name__}{sig}:", docstring_literal(fn.__doc__)]
    lines.append("    # ---------------- your code here ----------------")
    lines.append(f'    {NOT_IMPLEMENTED}("{fn.__name__}: your code here")')
    return "\n".join(lines) + "\n"


def cell_source(exercise):
    """Source of the exercise cell of ``exercise``: its companions' stubs, then its own."""
    fns = [exercise.solution_of(n) for n in exercise.companions]
    fns.append(exercise.solution_function())
    return "\n\n".join(stub_source(f) for f in fns)


def sync(paths):
    """Rewrite the exercise cells of the notebooks at ``paths`` from the references."""
    from .registry import load_all

    exercises = load_all()
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            ex_id = cell.get("metadata", {}).get("exercise")
            if "exercise" in cell.get("metadata", {}).get("tags", []) and ex_id in exercises:
                cell.source = cell_source(exercises[ex_id]).rstrip("\n")
        nbformat.write(nb, path)


if __name__ == "__main__":
    sync(sys.argv[1:])
