"""Generate: decode samples of each model's generator (AE, VAE, β-VAE …); the lecture's micro-quiz; option 1 vs 2."""
import streamlit as st

from vae.errors import ExplorerError
from vae.kinds import DEFAULT_KIND
from vae.ui import samples
from vae.ui.export import file_name, grid_download
from vae.ui.i18n import t
from vae.ui.images import grid_shape
from vae.ui.lecture import classroom_ui
from vae.ui.sidebar import kind_header, model_label, selection_with_models

st.title(t("generate.title"))
st.markdown(t("generate.intro"))
sel = selection_with_models(need_focus=False)
lineup = sel.lineup()

# ---- the lecture's micro-quiz, before the reveal ---------------------------------------------------------
st.subheader(t("generate.quiz.header"))
quiz_opts = {1: t("generate.quiz.opt1"), 2: t("generate.quiz.opt2")}
answer = st.radio(t("generate.quiz.question"), list(quiz_opts), index=None, key="generate.quiz",
                  format_func=quiz_opts.__getitem__)

# ---- the class answers too: a class code, votes from the students' laptops, the teacher's live tally ---------
role = classroom_ui.role()
classroom_ui.publish(role)
classroom_ui.vote(role, answer)
classroom_ui.tally_panel(role, quiz_opts)
class_revealed = classroom_ui.revealed(role)
classroom_ui.poll(role, None, class_revealed)
classroom_ui.section(role, sel, "generation")


def _reveal() -> None:
    st.session_state["generate.revealed"] = True


def _new_seed() -> None:
    st.session_state["generate.seed"] = st.session_state.get("generate.seed", 0) + 1


if role.student and not class_revealed:  # a student's samples come when the teacher reveals them
    st.info(t("lecture.quiz.wait_reveal"))
    st.stop()
if answer is None and not st.session_state.get("generate.revealed") and not class_revealed:
    st.button(t("generate.quiz.show"), key="generate.show", on_click=_reveal)
    st.info(t("generate.quiz.waiting"))
    st.stop()
if answer == 2:
    st.success(t("generate.quiz.right"))
elif answer == 1:
    st.warning(t("generate.quiz.wrong"))
st.markdown(t("generate.quiz.explain"))


@st.fragment
def samples_panel() -> None:
    """Samples through every model in play, then option 1 vs option 2: the controls rerun this panel only."""
    st.subheader(t("generate.samples.header"))
    c_n, c_t, c_b = st.columns([2, 2, 1])
    n = int(c_n.slider(t("generate.n"), min_value=8, max_value=64, value=16, step=4, key="generate.n"))
    temperature = float(c_t.slider(t("generate.temperature"), min_value=0.1, max_value=3.0, value=1.0, step=0.1,
                                   key="generate.temperature", help=t("generate.temperature_help")))
    c_b.button(t("generate.new"), key="generate.new", on_click=_new_seed)
    seed = int(st.session_state.get("generate.seed", 0))
    ncols, cell = grid_shape(n)
    st.caption(t("generate.seed_caption", seed=seed, dim=sel.latent_dim))
    if (sel.latent_dim or 0) <= 2:
        st.caption(t("generate.low_dim_hint"))
    for col, (kind, info) in zip(st.columns(len(lineup)), lineup):
        with col:
            st.markdown(kind_header(kind))
            if info is None:
                st.info(t("generate.missing", kind=t(f"kind.{kind}")))
                continue
            try:
                picture = samples.generated_grid(info.path, n, seed, temperature, ncols, cell)
            except ExplorerError as exc:
                st.error(t("common.error_model", detail=exc))
                continue
            st.image(picture, caption=model_label(info), output_format="PNG")
            grid_download(picture, key=f"generate.png.{kind}",
                          name=file_name("samples", model=info.id, dataset=info.dataset,
                                         extra=[f"n{n}", f"t{temperature:g}", f"seed{seed}"]),
                          title=t("export.samples_title", kind=t(f"kind.{kind}"), model=model_label(info), n=n,
                                  temperature=temperature), caption=t(f"kind.{kind}.generator"))
            st.caption(t(f"kind.{kind}.generator"))

    # option 1 (aggregate posterior) vs option 2 (prior) for the focus model
    st.subheader(t("generate.options.header"))
    target = sel.focus or sel.models.get(DEFAULT_KIND) or next(m for _, m in lineup if m)
    try:
        pictures = (samples.aggregate_grid(target.path, n, seed, ncols, cell),
                    samples.prior_grid(target.path, n, seed, ncols, cell))
    except ExplorerError as exc:
        st.error(t("common.error_model", detail=exc))
        return
    st.markdown(t("generate.options.model", model=model_label(target)))
    for col, option, picture in zip(st.columns(2), ("option1", "option2"), pictures):
        with col:
            st.markdown(f"**{t(f'generate.{option}')}**")
            st.image(picture, output_format="PNG")
            grid_download(picture, key=f"generate.png.{option}",
                          name=file_name("samples", model=target.id, dataset=target.dataset,
                                         extra=[{"option1": "aggregate-posterior", "option2": "prior"}[option], f"n{n}",
                                                f"seed{seed}"]),
                          title=t("export.options_title", option=t(f"generate.{option}"), model=model_label(target), n=n))
            st.caption(t(f"generate.{option}.caption"))


samples_panel()
