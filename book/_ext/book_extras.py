"""Small things for the book as a product, as one Sphinx extension.

- Each chapter (a notebook) says under its title how long its code took to run, read from
  myst-nb's execution record of this build (so the number is measured, never typed).
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

import os
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


def _runtime_note(app, doctree):
    docname = app.env.docname
    data = NbMetadataCollector.get_exec_data(app.env, docname)
    runtime = (data or {}).get("runtime")
    if runtime is None or not data.get("succeeded", True):
        return
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is None or not isinstance(section[0], nodes.title):
        return
    cores = os.cpu_count() or 1
    text = (
        f"Running all of this chapter's code took {_seconds(runtime)} when this book was "
        f"built, on a machine with {cores} CPU cores."
    )
    note = nodes.paragraph("", "", nodes.Text(text), classes=["rnn-runtime"])
    section.insert(1, note)


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
    app.connect("doctree-read", _runtime_note)
    app.connect("html-page-context", _fix_aria)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
