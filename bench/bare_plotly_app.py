"""The floor for bench/live_surface.py's first-paint figure: a bare Streamlit page holding one
1,000-point ``st.plotly_chart`` (WebGL scatter, like the latent map), nothing else."""
import numpy as np
import plotly.graph_objects as go
import streamlit as st

st.set_page_config(page_title="bare plotly", layout="wide")
rng = np.random.default_rng(0)
xy = rng.standard_normal((1000, 2))
labels = rng.integers(0, 10, 1000)
fig = go.Figure(go.Scattergl(x=xy[:, 0], y=xy[:, 1], mode="markers", marker=dict(color=labels, size=5)))
fig.update_layout(height=560)
st.plotly_chart(fig)
