"""Generate: decode prior samples with the AE, the VAE and the β-VAE; the lecture's micro-quiz; option 1 vs 2."""
import math

import numpy as np
import streamlit as st

from vae import latent
from vae.errors import ExplorerError
from vae.kinds import DEFAULT_KIND
from vae.ui import cache
from vae.ui.i18n import t
from vae.ui.images import grid
from vae.ui.sidebar import model_label, selection_with_models

st.title(t("generate.title"))
st.markdown(t("generate.intro"))
sel = selection_with_models(need_focus=False)
trio = sel.lineup()

# ---- the lecture's micro-quiz, before the reveal ---------------------------------------------------------
st.subheader(t("generate.quiz.header"))
quiz_opts = {1: t("generate.quiz.opt1"), 2: t("generate.quiz.opt2")}
answer = st.radio(t("generate.quiz.question"), list(quiz_opts), index=None, key="generate.quiz",
                  format_func=quiz_opts.__getitem__)


def _reveal() -> None:
    st.session_state["generate.revealed"] = True


if answer is None and not st.session_state.get("generate.revealed"):
    st.button(t("generate.quiz.show"), key="generate.show", on_click=_reveal)
    st.info(t("generate.quiz.waiting"))
    st.stop()
if answer == 2:
    st.success(t("generate.quiz.right"))
elif answer == 1:
    st.warning(t("generate.quiz.wrong"))
st.markdown(t("generate.quiz.explain"))


# ---- prior samples through the three models ---------------------------------------------------------------
def _new_seed() -> None:
    st.session_state["generate.seed"] = st.session_state.get("generate.seed", 0) + 1


st.subheader(t("generate.samples.header"))
c_n, c_t, c_b = st.columns([2, 2, 1])
n = int(c_n.slider(t("generate.n"), min_value=8, max_value=64, value=16, step=4, key="generate.n"))
temperature = float(c_t.slider(t("generate.temperature"), min_value=0.1, max_value=3.0, value=1.0, step=0.1,
                               key="generate.temperature", help=t("generate.temperature_help")))
c_b.button(t("generate.new"), key="generate.new", on_click=_new_seed)
seed = int(st.session_state.get("generate.seed", 0))
ncols = max(4, math.ceil(math.sqrt(n)))
cell = 84 if ncols <= 4 else 56
st.caption(t("generate.seed_caption", seed=seed, dim=sel.latent_dim))
if (sel.latent_dim or 0) <= 2:
    st.caption(t("generate.low_dim_hint"))

samples: dict[str, np.ndarray] = {}
for col, (kind, info) in zip(st.columns(len(trio)), trio):
    with col:
        short, long = t(f"kind.{kind}"), t(f"kind.{kind}.long")
        st.markdown(f"**{short}**" + (f" — {long}" if long != short else ""))
        if info is None:
            st.info(t("generate.missing", kind=t(f"kind.{kind}")))
            continue
        try:
            codes = latent.generator_codes(cache.get_model(info.path), n, seed=seed, temperature=temperature)
            images = cache.decode(info.path, codes)
        except ExplorerError as exc:
            st.error(t("common.error_model", detail=exc))
            continue
        samples[kind] = images
        st.image(grid(images, ncols=ncols, cell=cell), caption=model_label(info))
        st.caption(t(f"kind.{kind}.generator"))
st.session_state["out.generate.samples"] = samples

# ---- option 1 (aggregate posterior) vs option 2 (prior) for the focus model ----------------------------------
st.subheader(t("generate.options.header"))
target = sel.focus or sel.models.get(DEFAULT_KIND) or next(m for _, m in trio if m)
try:
    enc = cache.encoded_test_set(target.path)
    d = cache.get_model(target.path).cfg.latent_dim
    aggregate = cache.decode(target.path, latent.aggregate_posterior_samples(enc["mu"], enc["logvar"], n, seed=seed))
    prior = cache.decode(target.path, latent.prior_samples(n, d, seed=seed))
except ExplorerError as exc:
    st.error(t("common.error_model", detail=exc))
    st.stop()
st.session_state["out.generate.aggregate"] = aggregate
st.session_state["out.generate.prior"] = prior
st.markdown(t("generate.options.model", model=model_label(target)))
c1, c2 = st.columns(2)
with c1:
    st.markdown(f"**{t('generate.option1')}**")
    st.image(grid(aggregate, ncols=ncols, cell=cell))
    st.caption(t("generate.option1.caption"))
with c2:
    st.markdown(f"**{t('generate.option2')}**")
    st.image(grid(prior, ncols=ncols, cell=cell))
    st.caption(t("generate.option2.caption"))
