"""QR codes of the links a teacher shows on the projector (students scan them), drawn by ``segno`` (pure Python,
no dependencies; ISO/IEC 18004) as a PNG, cached per link."""
from __future__ import annotations

import io

import segno
import streamlit as st


@st.cache_data(show_spinner=False, max_entries=256)
def qr_png(url: str, scale: int = 8) -> bytes:
    """A PNG of the QR code of ``url`` (error correction M: readable off a projector from a phone)."""
    out = io.BytesIO()
    segno.make(url, error="m", micro=False).save(out, kind="png", scale=scale, border=2)
    return out.getvalue()
