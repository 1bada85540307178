"""Translation tables, one module per page (plus ``common``), each exporting ``STRINGS``:
``{key: {"en": text, "fr": text}}``. Keys are namespaced by page (``map.title``) to avoid clashes.
French uses the course's terms (espace latent, encodeur, décodeur, a priori, …)."""
import importlib
import pkgutil


def all_strings() -> dict[str, dict[str, str]]:
    """Merge every module's ``STRINGS``; a key defined twice is an error."""
    merged: dict[str, dict[str, str]] = {}
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for key, value in getattr(module, "STRINGS", {}).items():
            if key in merged:
                raise KeyError(f"translation key {key!r} defined twice (in {info.name})")
            merged[key] = value
    return merged
