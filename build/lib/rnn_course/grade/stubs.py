"""Exercise stubs derived from the reference functions (one source of truth).

``stub_source(fn)`` writes the learner's starting point: the reference's exact
signature and docstring, then "your code here" and a ``NotImplementedError``.
``python -m rnn_course.grade.stubs lessons/*.ipynb`` rewrites the exercise cells
of lesson notebooks from the references (for lesson authors, after a library
change; never run it on a learner's notebook: it replaces their code).
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


def sync(paths):
    """Rewrite the exercise cells of the notebooks at ``paths`` from the references."""
    from .registry import load_all

    exercises = load_all()
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            ex_id = cell.get("metadata", {}).get("exercise")
            if "exercise" in cell.get("metadata", {}).get("tags", []) and ex_id in exercises:
                fn = exercises[ex_id].reference_function()
                cell.source = stub_source(fn).rstrip("\n")
        nbformat.write(nb, path)


if __name__ == "__main__":
    sync(sys.argv[1:])
