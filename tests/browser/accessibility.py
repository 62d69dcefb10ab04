"""Accessibility checks for browser tests: axe-core's serious and critical findings, sideways scrolling.

axe-core comes with the pinned ``axe-playwright-python`` package (its JavaScript is bundled; nothing is
fetched). Use it from any Playwright test, once the page shows what should be checked::

    from tests.browser.accessibility import PHONE, assert_fits_width, assert_no_serious_violations

    page.set_viewport_size(PHONE)
    page.goto("/my-page/")
    assert_no_serious_violations(page)   # fails listing each serious/critical rule, its help and nodes
    assert_fits_width(page)              # fails when the page scrolls sideways

Minor and moderate findings are not failures (axe reports them; we fix them when we touch a page).
"""

from axe_playwright_python.sync_playwright import Axe

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
FAILING_IMPACTS = ("serious", "critical")

_axe = Axe()


def serious_violations(page) -> list[dict]:
    """axe-core's serious and critical violations on the page as it is now (axe's own dicts)."""
    response = _axe.run(page).response
    return [violation for violation in response["violations"] if violation["impact"] in FAILING_IMPACTS]


def describe(violations: list[dict]) -> str:
    """One paragraph per violation: impact, rule id, help text, and the offending elements."""
    paragraphs = []
    for violation in violations:
        nodes = "\n".join(
            f"    {', '.join(map(str, node['target']))}: {' '.join((node.get('failureSummary') or '').split())}"
            for node in violation["nodes"][:10]
        )
        paragraphs.append(f"[{violation['impact']}] {violation['id']}: {violation['help']}\n{nodes}")
    return "\n".join(paragraphs)


def assert_no_serious_violations(page) -> None:
    """Fail, printing each finding, when axe-core finds a serious or critical violation on the page."""
    violations = serious_violations(page)
    assert violations == [], f"axe-core on {page.url}:\n{describe(violations)}"


def horizontal_overflow(page) -> int:
    """How many CSS pixels the page is wider than the viewport (0 when nothing scrolls sideways)."""
    return page.evaluate(
        "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        " - document.documentElement.clientWidth"
    )


def assert_fits_width(page) -> None:
    """Fail when the page scrolls sideways, naming the widest elements that stick out."""
    overflow = horizontal_overflow(page)
    if overflow > 0:
        culprits = page.evaluate(
            """() => {
              const width = document.documentElement.clientWidth;
              return Array.from(document.querySelectorAll("body *"))
                .filter((element) => element.getBoundingClientRect().right > width + 1)
                .slice(-8)
                .map((element) => element.tagName.toLowerCase() + (element.id ? "#" + element.id : "")
                  + (element.className && typeof element.className === "string"
                     ? "." + element.className.trim().split(/\\s+/).join(".") : ""));
            }"""
        )
        raise AssertionError(f"{page.url} scrolls sideways by {overflow}px; sticking out: {culprits}")
