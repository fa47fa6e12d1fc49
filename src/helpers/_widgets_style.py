"""Shared look, Markdown rendering and accessibility helpers for the course's widget views.

The views (``scenario_view``, ``quiz_view``) put one ``<style>`` block at the top of their box.
All rules are scoped to ``.mhsw-activity`` so nothing else in the notebook changes. Text sizes are
in ``rem`` so they follow the browser zoom: 1.1rem normally, 1.45rem in seminar mode for a
projector. Colours come from JupyterLab's theme variables (so the dark theme keeps its contrast)
and outcomes are always written in words with a symbol, never shown by colour alone.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from typing import Any

BASE_CLASS = "mhsw-activity"
SEMINAR_CLASS = "mhsw-seminar"

STYLE = """
<style>
.mhsw-activity {
  --jp-widgets-font-size: 1.1rem; --jp-widgets-inline-height: 2.2em;
  font-size: 1.1rem; line-height: 1.5; max-width: 62em;
}
.mhsw-activity.mhsw-seminar {
  --jp-widgets-font-size: 1.45rem; font-size: 1.45rem; line-height: 1.35; max-width: none;
}
.mhsw-activity .widget-html-content, .mhsw-activity .widget-label,
.mhsw-activity .widget-label-basic, .mhsw-activity button, .mhsw-activity textarea,
.mhsw-activity input, .mhsw-activity .widget-radio-box label,
.mhsw-activity .widget-checkbox label {
  font-size: inherit; line-height: inherit;
}
.mhsw-activity .widget-html, .mhsw-activity .widget-html-content { height: auto; }
.mhsw-activity .widget-html-content { white-space: normal; }
.mhsw-activity .widget-radio-box label, .mhsw-activity .widget-checkbox label,
.mhsw-activity .widget-label {
  white-space: normal; overflow: visible; text-overflow: clip; height: auto;
}
.mhsw-activity .widget-checkbox, .mhsw-activity .widget-radio { height: auto; }
.mhsw-activity .widget-checkbox label, .mhsw-activity .widget-radio-box label {
  line-height: 1.4; padding: 0.2em 0; display: flex; align-items: baseline; gap: 0.5em;
}
/* a radio label holds its text before its input: show the button first, as for checkboxes */
.mhsw-activity .widget-radio-box label { flex-direction: row-reverse; justify-content: flex-end; }
.mhsw-activity input[type="radio"], .mhsw-activity input[type="checkbox"] {
  width: 1.1em; height: 1.1em; flex-shrink: 0; margin: 0;
}
.mhsw-activity .widget-radio-box { gap: 0.35em; }
.mhsw-activity button.jupyter-button {
  height: auto; min-height: 2.2em; padding: 0.3em 0.9em; white-space: normal; text-align: left;
}
.mhsw-activity button.mhsw-choice { display: block; width: 100%; margin: 0.25em 0; }
.mhsw-activity button:focus-visible, .mhsw-activity textarea:focus-visible,
.mhsw-activity input:focus-visible {
  outline: 3px solid var(--jp-brand-color0, #0b4f8a); outline-offset: 2px;
}
.mhsw-activity textarea { min-height: 5em; font-family: var(--jp-ui-font-family, sans-serif); }
.mhsw-activity .mhsw-box {
  border-left: 0.3em solid var(--jp-border-color1, #666); padding: 0.3em 0.9em; margin: 0.4em 0;
  background: var(--jp-layout-color2, #f3f3f3); color: var(--jp-content-font-color1, #111);
}
.mhsw-activity .mhsw-muted { color: var(--jp-content-font-color1, #111); font-size: 0.95em; }
.mhsw-activity .mhsw-progress { font-weight: 600; }
.mhsw-activity .mhsw-bar {
  display: inline-block; height: 0.9em; vertical-align: middle;
  background: var(--jp-brand-color1, #1a6fb0);
  border: 1px solid var(--jp-content-font-color1, #111);
}
.mhsw-activity table.mhsw-tally td { padding: 0.15em 0.6em 0.15em 0; vertical-align: middle; }
/* Options are buttons (Tab, then Enter or Space), one per line, the chosen one marked with a
   filled circle and a thick border as well as colour. */
.mhsw-activity .mhsw-options.widget-toggle-buttons { flex-wrap: wrap; height: auto; }
.mhsw-activity .mhsw-options .widget-toggle-buttons {
  display: flex; flex-direction: column; align-items: stretch; gap: 0.3em; width: 100%;
}
.mhsw-activity .mhsw-options button.widget-toggle-button {
  width: 100%; height: auto; min-height: 2.2em; margin: 0; padding: 0.3em 0.9em;
  white-space: normal; text-align: left; border: 1px solid var(--jp-border-color1, #666);
}
.mhsw-activity .mhsw-options button.widget-toggle-button::before { content: "○ "; }
.mhsw-activity .mhsw-options button.widget-toggle-button.mod-active {
  border: 3px solid var(--jp-content-font-color1, #111); font-weight: 600;
}
.mhsw-activity .mhsw-options button.widget-toggle-button.mod-active::before { content: "● "; }
.mhsw-activity.mhsw-sorting .mhsw-options .widget-toggle-buttons { flex-direction: row;
  flex-wrap: wrap; }
.mhsw-activity.mhsw-sorting .mhsw-options button.widget-toggle-button { width: auto; }
.mhsw-activity .mhsw-seminar-row, .mhsw-activity .mhsw-nav { align-items: center; gap: 0.5em; }
.mhsw-activity .mhsw-nav .mhsw-muted { margin: 0 1em 0 0; }
.mhsw-activity .mhsw-seminar-row button.mhsw-choice { margin: 0.15em 0; }
.mhsw-activity.mhsw-seminar .mhsw-node p { margin: 0.3em 0; }
.mhsw-activity.mhsw-seminar .mhsw-node h3 { margin: 0.2em 0; }
</style>
"""

# Outcome words and symbols for endings: the word carries the meaning, not the colour.
OUTCOME_LABELS = {
    "good": "✔ Good outcome",
    "acceptable": "✔ Acceptable outcome",
    "poor": "⚠ Poor outcome",
    "unsafe": "✘ Unsafe outcome",
    "unlawful": "✘ Unlawful outcome",
}

_markdown_renderer = None


def markdown_to_html(text: str) -> str:
    """Render course Markdown safely: raw HTML in the text is shown as text, not run.

    Uses ``mistune``, which JupyterLab already depends on (through nbconvert); if it is
    missing the text is shown escaped with its paragraphs kept.
    """
    global _markdown_renderer
    if _markdown_renderer is None:
        try:
            import mistune

            _markdown_renderer = mistune.create_markdown(
                escape=True, plugins=["strikethrough", "table"]
            )
        except ImportError:  # pragma: no cover - mistune comes with JupyterLab
            _markdown_renderer = _plain_paragraphs
    return str(_markdown_renderer(text or ""))


def _plain_paragraphs(text: str) -> str:
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    return "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)


def esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


class _TextOnly(HTMLParser):
    """Collects the text a reader sees in an HTML fragment (no style or script content)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("style", "script"):
            self._skip += 1
        elif tag in ("p", "br", "li", "h1", "h2", "h3", "h4", "div", "tr", "dt", "dd"):
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(fragment: str) -> str:
    parser = _TextOnly()
    parser.feed(fragment)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)


def is_shown(widget: Any) -> bool:
    layout = getattr(widget, "layout", None)
    return not (layout is not None and layout.display == "none")


def visible_text(widget: Any) -> str:
    """The plain text a learner sees in a widget tree now (hidden parts left out).

    Used by ``shown_text()`` in the views, so tests check what is really on screen.
    """
    import ipywidgets as widgets

    out: list[str] = []

    def walk(w: Any) -> None:
        if not is_shown(w):
            return
        if isinstance(w, widgets.Box):
            for child in w.children:
                walk(child)
            return
        description = getattr(w, "description", "") or ""
        if isinstance(w, widgets.HTML | widgets.HTMLMath):
            out.append(html_to_text(w.value))
        elif isinstance(w, widgets.Label):
            out.append(w.value)
        elif isinstance(w, widgets.Button):
            out.append(f"[{description}]")
        elif isinstance(w, widgets.RadioButtons | widgets.ToggleButtons):
            chosen = w.index
            if description:
                out.append(description)
            out.extend(
                f"({'•' if i == chosen else ' '}) {label}"
                for i, label in enumerate(w._options_labels)
            )
        elif isinstance(w, widgets.Checkbox):
            out.append(f"[{'x' if w.value else ' '}] {description}")
        elif isinstance(
            w, widgets.Textarea | widgets.Text | widgets.IntText | widgets.BoundedIntText
        ):
            out.append(f"{description} {w.value}".strip())
        elif isinstance(w, widgets.Output):
            for item in w.outputs:
                data = item.get("data", {})
                if "text/html" in data:
                    out.append(html_to_text(data["text/html"]))
                elif "text/plain" in data:
                    out.append(data["text/plain"])
                elif "text" in item:
                    out.append(item["text"])

    walk(widget)
    return "\n".join(part for part in out if part and part.strip())


def button(text: str, tooltip: str, css: str, primary: bool = False) -> Any:
    """A labelled, keyboard-focusable button with a stable CSS class for tests and styling."""
    import ipywidgets as widgets

    made = widgets.Button(
        description=text,
        tooltip=tooltip,
        button_style="primary" if primary else "",
        layout=widgets.Layout(width="auto"),
    )
    made.add_class(css)
    return made


def style_widget() -> Any:
    """The ``<style>`` block as a widget (put it first in a view's box)."""
    import ipywidgets as widgets

    return widgets.HTML(STYLE, layout=widgets.Layout(height="0px", margin="0"))


def focus(widget: Any) -> None:
    """Move keyboard focus to ``widget`` in the browser, if the front end is there."""
    try:
        widget.focus()
    except Exception:  # focus is a courtesy: never break the activity for it
        pass
