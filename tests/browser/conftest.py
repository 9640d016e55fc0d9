"""Pages in a real Chromium against a live trm server (the browser itself: tests/conftest.py)."""

from pathlib import Path

import pytest

AXE = Path(__file__).parent / "vendor" / "axe.min.js"


@pytest.fixture
def page(chromium, live_server):
    # bypass_csp lets the test inject axe-core; the pages' own policy is tested elsewhere.
    context = chromium.new_context(base_url=live_server.url, locale="en-GB", bypass_csp=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def serious_accessibility_violations(page) -> list[str]:
    """axe-core's serious and critical findings on the page as it is now."""
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(node["target"][0] for node in violation["nodes"][:3])
        for violation in results["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]
