"""``in_ci``: the one answer to "is this CI?" that the tests, the browser helpers and the scale-out test share."""
import pytest

import conftest
from vae.devtools import browser
from vae.devtools.ci import in_ci


@pytest.mark.parametrize("value, expected", [("true", True), ("1", True), ("yes", True), ("TRUE", True),
                                             ("anything", True), ("", False), ("0", False), ("false", False),
                                             (" False ", False), ("NO", False), (None, False)])
def test_in_ci_reads_the_ci_variable(monkeypatch, value, expected):
    if value is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", value)
    assert in_ci() is expected


def test_conftest_re_exports_it():
    assert conftest.in_ci is in_ci


@pytest.mark.parametrize("value, outcome", [("true", pytest.fail.Exception), ("false", pytest.skip.Exception),
                                            ("", pytest.skip.Exception)])
def test_a_missing_browser_fails_only_in_ci(monkeypatch, value, outcome):
    """``require_browser`` asks ``in_ci``: CI=false is local there too (it used to count as CI)."""
    monkeypatch.setattr(browser, "CHROMIUM", "/nonexistent/chromium")
    monkeypatch.setattr(browser.shutil, "which", lambda name: None)
    monkeypatch.setenv("CI", value)
    with pytest.raises(BaseException) as info:  # a skip must not escape: this test would then skip, not fail
        browser.require_browser()
    assert info.type is outcome
