"""The HTML report: one self-contained page with the summary, the table, and each trajectory plotted (values
per step, and the error beside its bound) as inline PNG data. matplotlib draws the plots; without it the
page says they were left out, and why.
"""

from __future__ import annotations

import base64
import html
import io
from typing import Any

from reference.conformance.report import TORCH_HINT, CaseResult, Report, table_rows

PLOTS_HINT = "matplotlib is not installed, so the HTML report has no plots: pip install matplotlib"


def can_plot() -> bool:
    """True when matplotlib is importable; the HTML report then inlines its plots."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def _style(name: str) -> dict[str, Any]:
    """torch's curve drawn wide and pale, handmlp's (and the bound) dashed with markers on top of it, so a
    curve lying exactly on the other stays visible."""
    if "torch" in name or name.startswith("error"):
        return {"linewidth": 3.0, "alpha": 0.55}
    return {"linewidth": 1.2, "linestyle": "--", "marker": "o", "markersize": 2.5}


def figure(result: CaseResult) -> Any:
    """One case's series as a matplotlib figure: values per step, and the error beside its bound; both axes
    labelled, no title (the HTML caption names the case)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    series = result.outcome.series if result.outcome else {}
    values = {k: v for k, v in series.items() if not k.startswith(("error", "bound"))}
    errors = {k: v for k, v in series.items() if k.startswith(("error", "bound"))}
    panels = [(p, label) for p, label in ((values, "value"), (errors, "|handmlp − torch| and bound")) if p]
    fig, axes = plt.subplots(1, len(panels), figsize=(5.5 * len(panels), 3.4), squeeze=False)
    for ax, (panel, label) in zip(axes[0], panels):
        for name, ys in panel.items():
            ax.plot(range(len(ys)), ys, label=name, markevery=max(1, len(ys) // 25), **_style(name))
        if panel is errors:
            ax.set_yscale("symlog", linthresh=1e-20)
        ax.set_xlabel("step")
        ax.set_ylabel("loss" if all("loss" in name for name in panel) else label)
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def _png(result: CaseResult) -> str:
    """The case's figure as base64 PNG data."""
    import matplotlib.pyplot as plt

    fig = figure(result)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=80)
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _plots(report: Report) -> list[tuple[str, str]] | None:
    """(case id, base64 PNG) for each case that recorded series; None when matplotlib is absent."""
    if not can_plot():
        return None
    return [(r.case.id, _png(r)) for r in report.ordered() if r.outcome and r.outcome.series]


def _table_rows(report: Report) -> str:
    """One <tr> a case: id, equation, what was compared, oracle, error, bound, and the verdict in colour."""
    colours = {"pass": "#1a7f37", "fail": "#cf222e", "skip": "#9a6700", "error": "#8250df", "n/a": "#57606a"}
    body_rows = []
    for r, (case_id, computes, error, bound, verdict) in zip(report.ordered(), table_rows(report)):
        body_rows.append(
            "<tr>"
            f"<td><code>{html.escape(case_id)}</code></td><td>{html.escape(r.case.equation)}</td>"
            f"<td>{html.escape(computes)}</td><td>{html.escape(r.case.oracle)}</td><td>{error}</td><td>{bound}</td>"
            f'<td style="color:{colours.get(r.status, "#1f2328")};font-weight:bold" '
            f'title="{html.escape(r.detail)}">{verdict}</td>'
            "</tr>"
        )
    return "\n".join(body_rows)


def _figures(report: Report) -> str:
    """The plots inlined as PNG data, or why there are none."""
    plots = _plots(report)
    if plots is None:
        return f'<p class="no-plots">Plots omitted: {html.escape(PLOTS_HINT)}.</p>'
    return (
        "\n".join(
            f'<figure><img alt="{html.escape(case_id)}" src="data:image/png;base64,{data}">'
            f"<figcaption>{html.escape(case_id)}</figcaption></figure>"
            for case_id, data in plots
        )
        or "<p>No case in this run recorded a trajectory.</p>"
    )


def page(report: Report) -> str:
    """One self-contained page: the summary, the table, and the plots inlined as PNG data (without
    matplotlib, the page says the plots were left out and why)."""
    torch_line = report.torch_version or f"not installed ({TORCH_HINT})"
    diagnosis = f"<p><strong>{html.escape(report.diagnosis)}</strong></p>" if report.diagnosis else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>handmlp verify</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; color: #1f2328; }}
table {{ border-collapse: collapse; font-size: 0.9em; }}
th, td {{ border: 1px solid #d0d7de; padding: 4px 8px; text-align: left; vertical-align: top; }}
th {{ background: #f6f8fa; }}
figure {{ display: inline-block; margin: 1em; }}
</style></head>
<body>
<h1>handmlp verify: the course's equations against PyTorch</h1>
<p>handmlp {html.escape(report.handmlp_version)}; torch {html.escape(torch_line)}.</p>
<p><strong>{html.escape(report.summary())}</strong></p>{diagnosis}
<table>
<thead><tr><th>case</th><th>equation</th><th>compared</th><th>oracle</th>
<th>worst error</th><th>bound</th><th>verdict</th></tr></thead>
<tbody>
{_table_rows(report)}
</tbody>
</table>
<h2>Trajectories and errors against their bounds</h2>
{_figures(report)}
</body></html>
"""
