"""Small things for the book as a product, as one Sphinx extension.

- Each chapter (a notebook) says under its title how much CPU time its kernel used when the
  book was built, with the machine's core count (so the number is measured, never typed).
  CPU time, unlike wall time, barely grows when the build machine is busy. It is the
  kernel's user + system time, read as the growth of this process's reaped-children
  rusage around myst-nb's execution of the notebook, and kept next to jupyter-cache's
  records (``rnn_cpu_times.json``, keyed by the execution's run time) so that a page
  served from the cache reports it too.
- Every script is included once: sphinx-thebe adds its configuration on each
  ``env-before-read-docs``, and twice gives "Identifier 'THEBE_JS_URL' has already been
  declared" on every page.
- ``_static/book.css`` and ``book.js``: figures on a white panel in dark mode, the print
  style of the PDF, accessibility fixes of the theme, and a download button that saves the
  chapter's ``.ipynb`` instead of opening it.
- ARIA that axe-core reports as serious or critical is fixed in the written HTML.
- The single-page HTML build (the source of the PDF) gets the HTML visitors of custom
  nodes: Sphinx uses a builder's own handlers when any extension registered some for it,
  and then ignores those registered for plain ``html`` (myst-nb's hidden-cell nodes, the
  quiz). Copying the missing ones over fixes ``jupyter-book build --builder singlehtml``.
"""

from __future__ import annotations

import json
import os
import resource
from pathlib import Path

from docutils import nodes
from myst_nb.sphinx_ import NbMetadataCollector


def _share_html_handlers(app):
    handlers = app.registry.translation_handlers
    name = app.builder.name
    if app.builder.format == "html" and name != "html" and name in handlers:
        for node_name, pair in handlers.get("html", {}).items():
            handlers[name].setdefault(node_name, pair)


def _seconds(runtime):
    if runtime < 1:
        return "under a second"
    if runtime < 90:
        return f"{runtime:.0f} s"
    return f"{runtime / 60:.1f} minutes"


def _children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _cpu_file(app):
    """Next to jupyter-cache's database (myst-nb resolves its folder at builder-inited)."""
    folder = getattr(app.env.mystnb_config, "execution_cache_path", "") or Path(
        app.outdir
    ).parent.joinpath(".jupyter_cache")
    return Path(folder, "rnn_cpu_times.json")


def _read_cpu_times(app):
    try:
        return json.loads(_cpu_file(app).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _mark_start(app, docname, source):
    """Before myst-nb parses (and maybe executes) a notebook: the CPU its children used."""
    app.env.temp_data["rnn_cpu_start"] = _children_cpu()


def _kernel_cpu(app, docname, data):
    """CPU seconds of this notebook's kernel: the value recorded for this execution (the
    same ``runtime``, which jupyter-cache keeps with its record), else measured now."""
    times = _read_cpu_times(app)
    record = times.get(docname, {})
    if record.get("runtime") == data["runtime"]:
        return record.get("cpu")
    start = app.env.temp_data.get("rnn_cpu_start")
    cpu = None if start is None else _children_cpu() - start
    if cpu is None or (cpu < 0.01 and data["runtime"] > 1):
        return None  # not executed by this process (a cache whose record is lost)
    times[docname] = {"runtime": data["runtime"], "cpu": cpu}
    path = _cpu_file(app)
    if path.parent.is_dir():
        path.write_text(json.dumps(times, indent=1), encoding="utf-8")
    return cpu


def _runtime_note(app, doctree):
    docname = app.env.docname
    data = NbMetadataCollector.get_exec_data(app.env, docname)
    if not data or data.get("runtime") is None or not data.get("succeeded", True):
        return
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is None or not isinstance(section[0], nodes.title):
        return
    cpu = _kernel_cpu(app, docname, data)
    cores = os.cpu_count() or 1
    machine = f"a machine with {cores} CPU core{'s' if cores != 1 else ''}"
    if cpu is None:
        text = (
            f"Running all of this chapter's code took {_seconds(data['runtime'])} (wall "
            f"clock) when this book was built, on {machine}."
        )
    else:
        text = (
            f"Running all of this chapter's code took {_seconds(cpu)} of CPU time when this "
            f"book was built, on {machine}."
        )
    note = nodes.paragraph("", "", nodes.Text(text), classes=["rnn-runtime"])
    section.insert(1, note)


def _unique_scripts(app, pagename, templatename, context, doctree):
    """Each script once (sphinx-thebe's inline configuration is added once per read)."""
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for js in scripts:
        # An inline script's filename is None or "" depending on when it was added.
        attrs = getattr(js, "attributes", None) or {}
        key = (getattr(js, "filename", js) or "", tuple(sorted(attrs.items())))
        if key not in seen:
            seen.add(key)
            unique.append(js)
    scripts[:] = unique


def _fix_aria(app, pagename, templatename, context, doctree):
    """docutils gives a bibliography role="list" with role="doc-biblioentry" children; ARIA
    wants a list's children to be listitems (axe: aria-required-children, critical)."""
    body = context.get("body")
    if body and 'role="doc-biblioentry"' in body:
        context["body"] = body.replace('role="doc-biblioentry"', 'role="listitem"')


STATIC = str(Path(__file__).resolve().parent.parent / "_static")


def _add_static(app):
    if STATIC not in app.config.html_static_path:
        app.config.html_static_path.append(STATIC)


def setup(app):
    app.connect("builder-inited", _add_static)
    app.connect("builder-inited", _share_html_handlers)
    app.add_css_file("book.css")
    app.add_js_file("book.js", defer="defer")
    app.connect("source-read", _mark_start)
    app.connect("doctree-read", _runtime_note)
    app.connect("html-page-context", _unique_scripts)
    app.connect("html-page-context", _fix_aria)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
