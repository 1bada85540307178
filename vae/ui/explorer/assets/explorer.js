// The explorer component's entry point (st.components.v2, loaded as an ES module from the asset dir).
// Streamlit calls the default export on the first render and whenever the data from Python changes,
// always with the same parentElement for one mounted instance. `data.view` names the view; a view is
// a class with update(data) and optional destroy(), registered below (one line per view).
import { G } from "./core.js";
import { MapView } from "./view_map.js";
import { WalkView } from "./view_walk.js";
import { DrawView } from "./view_draw.js";
import { PresenterView } from "./view_presenter.js";
import { FilmView } from "./view_film.js";

const VIEWS = { map: MapView, walk: WalkView, draw: DrawView, presenter: PresenterView, film: FilmView };
const INSTANCES = window.__vaeExplorerInstances || (window.__vaeExplorerInstances = new WeakMap());

export default function (component) {
  const { data, parentElement, setStateValue, key } = component;
  const View = VIEWS[data && data.view];
  if (!View) {
    parentElement.textContent = `unknown explorer view: ${data && data.view}`;
    return undefined;
  }
  let inst = INSTANCES.get(parentElement);
  if (!inst || !(inst instanceof View)) {
    if (inst) {
      if (inst.destroy) inst.destroy();
      inst.root.remove();  // only our own root: Streamlit keeps the component's CSS link in parentElement
    }
    inst = new View(parentElement);
    INSTANCES.set(parentElement, inst);
  }
  inst.setStateValue = setStateValue;
  G.views[data.instance || data.view] = inst;
  const render = inst.renders = (inst.renders || 0) + 1;
  inst.update(data);
  // Streamlit runs a render's cleanup on unmount, but also at once when the render resolved after its data
  // had already changed (a polling fragment swapping bundles): a later render of the same instance owns the
  // view then, so do nothing; a real teardown removes our root, so a rebuilt view never sits beside a stale one.
  return () => {
    if (INSTANCES.get(parentElement) !== inst || inst.renders !== render) return;
    if (inst.destroy) inst.destroy();
    inst.root.remove();
    INSTANCES.delete(parentElement);
    if (G.views[data.instance || data.view] === inst) delete G.views[data.instance || data.view];
  };
}
