"""An accessibility audit of the static site: axe-core's WCAG 2.1 A and AA rules on every page.

``tests/test_site.py`` runs :func:`audit` on every page of the site it builds; run on its own, this prints
each page's violations of a site already built (``make site``)::

    .venv/bin/python tools/audit_site.py build/site            # every page (and solutions/): rule, count, first element
    .venv/bin/python tools/audit_site.py build/site 05_rmsprop  # one page

The audit runs axe-core (bundled in the ``axe-playwright-python`` wheel, nothing downloaded) in headless
Chromium that reaches no host but 127.0.0.1, after the page's widgets and math have been drawn.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: The rules of WCAG 2.1 levels A and AA (axe-core's tags).
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

#: Waits until MathJax has typeset and the widget manager has drawn the saved widgets (as tests/test_site.py).
SETTLED_JS = """async () => {
  if (window.MathJax && MathJax.startup) await MathJax.startup.promise;
  const deadline = Date.now() + 20000;
  const expected = document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]').length;
  while (expected && document.querySelectorAll('.jupyter-widgets img.widget-image').length === 0 && Date.now() < deadline)
    await new Promise(r => setTimeout(r, 100));
  await Promise.all([...document.images].map(img => img.decode().catch(() => null)));
}"""


def audit(page) -> list[dict]:
    """axe-core's WCAG 2.1 A/AA violations on a loaded playwright ``page``: a list of axe's violation objects
    (``id``, ``help``, ``nodes`` with each element's ``target`` and ``html``)."""
    from axe_playwright_python.sync_playwright import Axe

    page.evaluate(SETTLED_JS)
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_21_AA}, "resultTypes": ["violations"]})
    return results.response["violations"]


def summary(violations: list[dict]) -> str:
    """One line per rule: its id, how many elements break it, and the first of them."""
    return "\n".join(f"  {v['id']} ({v['impact']}): {len(v['nodes'])} x, e.g. {v['nodes'][0]['target']} "
                     f"{v['nodes'][0]['html'][:100]!r}" for v in violations)


def main(argv: list[str]) -> None:
    sys.path.insert(0, str(ROOT / "tests"))
    from playwright import sync_api
    from served import guarded_browser, serve

    folder = Path(argv[0])
    names = argv[1:] or ["index", *sorted(p.stem for p in folder.glob("[0-9][0-9]_*.html")),
                         *sorted(f"solutions/{p.stem}" for p in folder.glob("solutions/[0-9][0-9]_*.html"))]
    server, url = serve(folder)
    total = 0
    with sync_api.sync_playwright() as playwright:
        browser, context, blocked = guarded_browser(playwright, url)
        for name in names:
            page = context.new_page()
            page.goto(f"{url}/{name}.html")
            violations = audit(page)
            page.close()
            count = sum(len(v["nodes"]) for v in violations)
            total += count
            print(f"{name}.html: {len(violations)} rules violated, {count} elements")
            if violations:
                print(summary(violations))
        browser.close()
    server.shutdown()
    print(f"all {len(names)} pages: {total} elements violate a WCAG 2.1 A/AA rule; requests to other hosts: {len(blocked)}")


if __name__ == "__main__":
    main(sys.argv[1:])
