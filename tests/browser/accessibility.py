"""Accessibility checks for browser tests: axe-core's serious and critical findings, sideways scrolling.

axe-core comes with the pinned ``axe-playwright-python`` package (its JavaScript is bundled; nothing is
fetched). Use it from any Playwright test, once the page shows what should be checked::

    from tests.browser.accessibility import PHONE, assert_fits_width, assert_no_serious_violations

    page.set_viewport_size(PHONE)
    page.goto("/my-page/")
    assert_no_serious_violations(page)   # fails listing each serious/critical rule, its help and nodes
    assert_fits_width(page)              # fails when the page scrolls sideways

Minor and moderate findings are not failures (axe reports them; we fix them when we touch a page).

Findings in the markup Django's stock admin writes, which our templates and styles cannot reasonably
change, are listed one by one in ``STOCK_ADMIN_EXCEPTIONS`` (rule, element, why); only those elements
are ignored, the rule keeps checking everything else.
"""

from axe_playwright_python.sync_playwright import Axe

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
FAILING_IMPACTS = ("serious", "critical")

_axe = Axe()

# (axe rule id, CSS selector the offending element matches): why it is not ours to fix.
STOCK_ADMIN_EXCEPTIONS = {
    ("aria-prohibited-attr", "label > span.help-tooltip.search-label-icon"): (
        "Django 5.2's filter_horizontal widget (admin/js/SelectFilter2.js) writes the magnifier icon as "
        "<span class='help-tooltip search-label-icon' aria-label=...> with no role, after page load; "
        "changing it means forking Django's script (seen on the invitation page's agency and country pickers)."
    ),
}


def _excepted(page, rule: str, node: dict) -> bool:
    """Whether the node is an element listed in ``STOCK_ADMIN_EXCEPTIONS`` for this rule (checked in the page:
    axe names elements by their shortest unique selector, which may be just ``span``)."""
    selectors = [selector for rule_id, selector in STOCK_ADMIN_EXCEPTIONS if rule_id == rule]
    if not selectors or len(node["target"]) != 1:  # not in a frame or a shadow root
        return False
    return page.evaluate(
        "([target, selectors]) => { const element = document.querySelector(target);"
        " return !!element && selectors.some((selector) => element.matches(selector)); }",
        [str(node["target"][0]), selectors],
    )


def serious_violations(page) -> list[dict]:
    """axe-core's serious and critical violations on the page as it is now (axe's own dicts).

    Nodes matching ``STOCK_ADMIN_EXCEPTIONS`` are left out; a violation with no node left is dropped.
    """
    response = _axe.run(page).response
    violations = []
    for violation in response["violations"]:
        if violation["impact"] not in FAILING_IMPACTS:
            continue
        nodes = [node for node in violation["nodes"] if not _excepted(page, violation["id"], node)]
        if nodes:
            violations.append({**violation, "nodes": nodes})
    return violations


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
