"""Support for tests/test_browser.py: the built site, a local server, Chromium.

- :func:`build_site` builds the book (from the stored outputs, ``-W -n``) into a
  temporary folder, unless ``LMMBOOK_SITE`` names a built site to test instead
  (for example ``_build/html`` after ``make book``, or a build with a repository
  URL and launch buttons).
- :class:`LocalSite` serves a folder on 127.0.0.1 (a free port) from a thread.
- :func:`browser_or_skip` starts Debian's Chromium through Playwright, or skips
  with one line saying how to enable the tests; with ``CI=true`` it fails
  instead, so CI cannot pass without running them.
- :func:`visit` loads one page and records what the tests assert on: requests
  that would leave 127.0.0.1 (aborted), console errors, images, math, solution
  dropdowns, launch links, and the axe-core violations.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
import warnings
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path
from typing import Self
from urllib.parse import urlparse

import pytest

CHROMIUM = Path("/usr/bin/chromium")
#: Chromium as root in a container with a closed network (see the machine notes).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]
ENABLE = ("browser tests skipped: {why}; enable them with `apt-get install chromium` "
          "(Debian's /usr/bin/chromium) and `pip install -r requirements.txt` (Playwright)")
LOCAL_HOSTS = {"127.0.0.1"}
#: Where launch buttons point; their links must name the page's own notebook.
LAUNCH_HOSTS = ("mybinder.org", "colab.research.google.com")
#: The repository the test build names when the book names none (links only).
PLACEHOLDER_REPOSITORY = "lmmbook-tests/lmmbook"


def build_site(root: Path, out: Path) -> Path:
    """Return the folder of the built HTML site to test (building it if needed).

    The build is ``make book``'s: ``_config.yml`` completed by
    ``bookchain.repository``, then ``jupyter-book build -W -n``. When no repository
    address is configured, a placeholder one (:data:`PLACEHOLDER_REPOSITORY`) is
    passed, so that the launch links exist and can be checked; nothing is fetched
    from it.
    """
    given = os.environ.get("LMMBOOK_SITE")
    if given:
        site = Path(given).resolve()
        assert (site / "index.html").is_file(), f"LMMBOOK_SITE={given} holds no index.html"
        return site
    from bookchain.repository import repository

    env = dict(os.environ)
    if repository(root) is None:
        env["BOOK_REPOSITORY"] = PLACEHOLDER_REPOSITORY
    config = out / "_config.yml"
    bin_dir = Path(sys.executable).parent
    for command in (
        [sys.executable, "-m", "bookchain.repository", "--write-config", str(config)],
        [str(bin_dir / "jupyter-book"), "build", str(root), "--config", str(config),
         "--path-output", str(out), "--warningiserror", "--nitpick", "--keep-going"],
    ):
        proc = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=root,
                              env=env, check=False)
        assert proc.returncode == 0, (
            f"{' '.join(command[1:3])} failed:\n{proc.stdout[-4000:]}{proc.stderr[-2000:]}")
    return out / "_build" / "html"


def site_pages(site: Path) -> list[str]:
    """Every HTML page of the site, as a path relative to its root (theme files excluded)."""
    skip = ("_static/", "_sources/", "_images/")
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")
                  if not p.relative_to(site).as_posix().startswith(skip))


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep pytest's output clean
        pass


class LocalSite:
    """Serve ``folder`` on 127.0.0.1 at a free port, from a daemon thread."""

    def __init__(self, folder: Path):
        handler = functools.partial(_Quiet, directory=str(folder))
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


_warned: list[str] = []


def _unavailable(why: str):
    """Skip (fail under ``CI=true``), saying once, in pytest's summary, how to enable."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true and the browser tests cannot run: {why}", pytrace=False)
    if not _warned:  # pytest hides skip reasons by default; a warning is always shown
        _warned.append(why)
        warnings.warn(ENABLE.format(why=why), UserWarning, stacklevel=2)
    pytest.skip(ENABLE.format(why=why))


def browser_or_skip(playwright_holder: list):
    """Return a headless Chromium (Playwright), or skip/fail saying what is missing."""
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed")
    if not CHROMIUM.exists() and not shutil.which("chromium"):
        _unavailable(f"{CHROMIUM} is not installed")
    manager = sync_playwright().start()
    playwright_holder.append(manager)
    try:
        return manager.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                       args=CHROMIUM_ARGS)
    except Error as error:
        manager.stop()
        playwright_holder.clear()
        _unavailable(f"Chromium does not start ({str(error).splitlines()[0]})")


try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
except ImportError:  # the browser tests skip; nothing here runs
    PlaywrightTimeout = Exception


def axe_source() -> str:
    """axe-core's ``axe.min.js``, from the PyPI package that ships it."""
    try:
        path = Path(distribution("axe-playwright-python").locate_file(
            "axe_playwright_python/axe.min.js"))
    except PackageNotFoundError:
        _unavailable("axe-playwright-python (axe-core) is not installed")
    return path.read_text(encoding="utf-8")


@dataclass
class Visit:
    """What one page did in the browser."""

    page: str
    external: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    images: list[dict] = field(default_factory=list)
    math: dict = field(default_factory=dict)
    launch_links: list[str] = field(default_factory=list)
    download_links: list[str] = field(default_factory=list)
    solutions: dict = field(default_factory=dict)
    violations: list[dict] = field(default_factory=list)


_EXTERNAL_SCHEMES = {"http", "https", "ws", "wss", "ftp"}

#: Everything the tests read from a loaded page, in one evaluation.
_INSPECT = """
async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  const images = await Promise.all(Array.from(document.images).map(async (img) => {
    img.loading = "eager";
    try { await img.decode(); } catch (e) {}
    return {src: img.getAttribute("src"), alt: img.getAttribute("alt"),
            width: img.naturalWidth};
  }));
  const main = document.querySelector("main") || document.body;
  const copy = main.cloneNode(true);
  copy.querySelectorAll("pre, code, script, style, mjx-container, .highlight, textarea")
      .forEach((n) => n.remove());
  const links = Array.from(document.querySelectorAll("a[href]")).map((a) => a.href);
  return {
    images,
    text: copy.innerText,
    mathElements: document.querySelectorAll(".math").length,
    mathRendered: document.querySelectorAll(".math mjx-container").length,
    mathErrors: document.querySelectorAll("mjx-merror").length,
    mathjax: !!(window.MathJax && MathJax.version),
    links,
  };
}
"""

def visit(browser, base_url: str, page: str, axe_js: str, *,
          solution_shot: Path | None = None, contrast_of_code: bool = True) -> Visit:
    """Load ``page`` and record everything the tests check about it.

    After the page has loaded, each solution dropdown is clicked open (so axe-core
    also checks the solutions); with ``solution_shot`` the first open solution is
    saved there as a screenshot. ``contrast_of_code=False`` leaves the highlighted
    code out of axe's colour-contrast rule (see :func:`_axe`).
    """
    record = Visit(page)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()

    def route(request_route):
        url = request_route.request.url
        parsed = urlparse(url)
        if parsed.scheme in _EXTERNAL_SCHEMES and parsed.hostname not in LOCAL_HOSTS:
            record.external.append(url)
            request_route.abort()
        else:
            request_route.continue_()

    tab.route("**/*", route)
    tab.on("console", lambda msg: record.errors.append(msg.text) if msg.type == "error" else None)
    tab.on("pageerror", lambda exc: record.errors.append(f"uncaught: {exc}"))
    tab.on("response", lambda resp: record.errors.append(f"HTTP {resp.status}: {resp.url}")
           if resp.status >= 400 else None)
    tab.goto(base_url + page, wait_until="networkidle")
    data = tab.evaluate(_INSPECT)
    record.images = data["images"]
    record.math = {k: data[k] for k in ("text", "mathElements", "mathRendered",
                                        "mathErrors", "mathjax")}
    record.launch_links = [u for u in data["links"] if any(h in u for h in LAUNCH_HOSTS)]
    record.download_links = [u for u in data["links"]
                             if re.search(r"/_sources/.*\.(ipynb|md)$", u)]
    record.solutions = _open_solutions(tab, solution_shot)
    # A dropdown fades in as it opens: axe measuring colour contrast mid-fade reports
    # text at part opacity (a flaky failure on the last solution opened). Wait for every
    # running CSS animation and transition to finish first (endless ones, such as a
    # spinner, excepted; two seconds at most).
    tab.evaluate("""async () => {
      const finite = document.getAnimations().filter(
        a => a.effect && a.effect.getComputedTiming().iterations !== Infinity);
      await Promise.race([Promise.all(finite.map(a => a.finished.catch(() => null))),
                          new Promise(done => setTimeout(done, 2000))]);
    }""")
    tab.add_script_tag(content=axe_js)
    record.violations = _axe(tab, contrast_of_code)
    context.close()
    return record


def _axe(tab, contrast_of_code: bool) -> list[dict]:
    """Run axe-core on the page; return its violations.

    The colour-contrast rule takes most of axe's time, and most of that goes to the
    thousands of tokens of highlighted code, whose colours are one Pygments style
    on every page. Without ``contrast_of_code`` the rule skips ``.highlight``
    blocks (every other rule still checks them). ``preload: false`` keeps axe
    from fetching the stylesheets again itself.
    """
    options = "{resultTypes: ['violations'], preload: false%s}"
    if contrast_of_code:
        runs = [("document", options % "")]
    else:
        runs = [("document", options % ", rules: {'color-contrast': {enabled: false}}"),
                ("{exclude: [['.highlight']]}",
                 options % ", runOnly: {type: 'rule', values: ['color-contrast']}")]
    violations = []
    for context, opts in runs:
        results = tab.evaluate(f"async () => await axe.run({context}, {opts})")
        violations += [
            {"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in results["violations"]
        ]
    return violations


def _open_solutions(tab, shot: Path | None) -> dict:
    """Click every solution dropdown; count those hidden before and shown after."""
    boxes = tab.locator("div.solution.dropdown")
    report = {"count": boxes.count(), "closed_before": 0, "open_after": 0}
    for i in range(report["count"]):
        box = boxes.nth(i)
        body = box.locator(":scope > :not(.admonition-title)").first
        report["closed_before"] += not body.is_visible()
        box.locator("button.toggle-button").first.click()
        try:
            body.wait_for(state="visible", timeout=3000)
        except PlaywrightTimeout:
            continue
        report["open_after"] += 1
        if shot is not None and report["open_after"] == 1:
            shot.parent.mkdir(parents=True, exist_ok=True)
            box.scroll_into_view_if_needed()
            tab.wait_for_timeout(400)  # the opening animation
            box.screenshot(path=str(shot))
    return report
