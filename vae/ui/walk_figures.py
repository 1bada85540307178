"""Figure builders for the Latent walk and Generate pages (no Streamlit: testable without a browser)."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from .images import grid

SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def dim_name(dim: int) -> str:
    """``z₇`` for dimension 7 (0-based, like the widget keys ``walk.z.7``)."""
    return "z" + str(dim).translate(SUBSCRIPTS)


def dim_label(dim: int, score: float | None, score_name: str | None) -> str:
    """Slider / row label of one latent dimension with its importance, e.g. ``z₇ · KL 2.31``."""
    if score is None or score_name is None:
        return dim_name(dim)
    return f"{dim_name(dim)} · {score_name} {score:.2f}"


def labeled_grid_figure(images: np.ndarray, row_labels: list[str], col_labels: list[str] | None = None,
                        cell: int = 56, pad: int = 2, xaxis_title: str | None = None) -> go.Figure:
    """Images (R, C, H, W) in [0, 1] tiled into one crisp picture, rows and columns labelled on the axes.

    The picture is upscaled by nearest neighbour before being sent (no blur in the browser); the
    row labels sit at the centre of each row as y tick labels, the column labels under each column.
    """
    images = np.asarray(images)
    r, c, h, w = images.shape
    tile = grid(images.reshape(r * c, h, w), ncols=c, pad=pad, cell=cell)
    k = max(1, cell // max(h, w))
    ch, cw = h * k + pad, w * k + pad
    fig = go.Figure(go.Image(z=np.repeat(tile[:, :, None], 3, axis=2), hoverinfo="skip"))
    fig.update_yaxes(tickmode="array", tickvals=[pad + i * ch + (ch - pad) / 2 for i in range(r)],
                     ticktext=list(row_labels), showgrid=False, zeroline=False)
    if col_labels is not None:
        fig.update_xaxes(tickmode="array", tickvals=[pad + j * cw + (cw - pad) / 2 for j in range(c)],
                         ticktext=list(col_labels), showgrid=False, zeroline=False, title=xaxis_title)
    else:
        fig.update_xaxes(showticklabels=False, showgrid=False, zeroline=False)
    fig.update_layout(height=tile.shape[0] + 70, margin=dict(l=10, r=10, t=10, b=50 if xaxis_title else 30),
                      dragmode=False)
    return fig
