"""The website, tested in a real browser (headless Chromium driven by Playwright).

The module builds the book from its stored outputs as ``make book`` does
(``bookchain.repository`` completes ``_config.yml``, then ``jupyter-book build
-W -n``) into a temporary folder, so that it always tests the current sources,
whether or not ``make book`` ran first. When the book names no repository, the
build names a placeholder one, so that the launch links exist to be checked. Set
``LMMBOOK_SITE=_build/html`` to test an existing build instead. The site is
served on 127.0.0.1, and every page of the table of contents is checked:

- it loads with no console error and no request leaving 127.0.0.1 (such
  requests are aborted and reported: MathJax comes with the site);
- every image loads and has alt text that describes it (not a file name);
- math is typeset by MathJax (no raw ``\\(`` or ``$$`` left in the text);
- axe-core (the copy shipped by the PyPI package ``axe-playwright-python``)
  finds no serious or critical accessibility violation;
- launch links (Binder, Colab) open the page's own reader notebook
  (``notebooks/NN-slug.ipynb``), and its download links (``.ipynb``, ``.md``, the
  reader notebook) serve the page's own files.

And once: solution dropdowns open when clicked, the search page finds the ICC
chapter for "intraclass", and screenshots go to ``_build/screenshots/``.

Without Playwright or Chromium the browser tests skip with one line saying how
to enable them (``apt-get install chromium``); with ``CI=true`` (``.ci/run``)
they fail instead. The checks of the built files that need no browser always run.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote
from urllib.request import urlopen

import pytest

from bookchain.chapters import list_chapters
from browser_support import (
    LocalSite,
    axe_source,
    browser_or_skip,
    build_site,
    site_pages,
    visit,
)
from conftest import ROOT

pytestmark = pytest.mark.slow

SCREENSHOTS = ROOT / "_build" / "screenshots"
CHAPTERS = list_chapters(ROOT)
_TOC_FILE = re.compile(r"^\s*-?\s*(?:file|root):\s*(\S+)\s*$", re.MULTILINE)
#: The pages of the table of contents, plus the pages Sphinx adds.
PAGES = [re.sub(r"\.(md|ipynb)$", "", m.group(1).strip("'\"")) + ".html"
         for m in _TOC_FILE.finditer((ROOT / "_toc.yml").read_text())]
PAGES += ["index.html", "genindex.html", "search.html"]
CHAPTER_PAGES = [f"{c.stem}.html" for c in CHAPTERS]
ICC_CHAPTER = next(c for c in CHAPTERS if "intraclass" in c.name)
#: A chapter with math, figures and solutions, for the screenshots.
SHOWN_CHAPTER = next((c for c in CHAPTERS if "random-intercept" in c.name), CHAPTERS[0])
FILE_NAME = re.compile(r"^[\w./-]+\.(png|jpe?g|gif|svg|webp)$", re.IGNORECASE)
VAGUE_ALT = {"image", "figure", "plot", "graph", "chart", "png", "output", "img", "picture"}
RAW_MATH = ("\\(", "\\)", "\\[", "\\]", "$$", "\\begin{")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return build_site(ROOT, tmp_path_factory.mktemp("site"))


# Checks of the built files: no browser needed.

def test_every_built_page_is_tested(site):
    assert set(site_pages(site)) == set(PAGES), (
        "pages built but not in the browser tests' list (or the reverse): "
        f"{sorted(set(site_pages(site)) ^ set(PAGES))}"
    )


@pytest.mark.parametrize("page", PAGES)
def test_page_loads_its_scripts_and_styles_from_the_site(site, page):
    html = (site / page).read_text(encoding="utf-8")
    remote = re.findall(r"<script[^>]*\bsrc=\"(\w+:[^\"]*)\"", html)
    remote += [href for tag in re.findall(r"<link[^>]*>", html) if "stylesheet" in tag
               for href in re.findall(r"\bhref=\"(\w+:[^\"]*)\"", tag)]
    assert not remote, f"{page} loads from the network: {remote}"


def test_mathjax_and_its_fonts_are_served_with_the_site(site):
    mathjax = site / "_static" / "mathjax"
    assert (mathjax / "tex-mml-chtml.js").is_file()
    fonts = list((mathjax / "output" / "chtml" / "fonts" / "woff-v2").glob("*.woff"))
    assert len(fonts) >= 20, f"MathJax's CommonHTML fonts are missing from {mathjax}"
    assert not (ROOT / "_static" / "mathjax").exists(), (
        "MathJax must not sit in the book's _static folder: Jupyter Book would add "
        "each of its .js files to every page"
    )
    page = (site / CHAPTER_PAGES[0]).read_text(encoding="utf-8")
    assert 'src="../_static/mathjax/tex-mml-chtml.js"' in page


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda c: c.name)
def test_chapter_page_offers_its_reader_notebook_and_launches_it(site, chapter):
    """The download menu's reader notebook is the committed one; Binder and Colab open it."""
    html = (site / f"{chapter.stem}.html").read_text(encoding="utf-8")
    copied = site / "_sources" / "notebooks" / f"{chapter.name}.ipynb"
    assert f'href="../_sources/notebooks/{chapter.name}.ipynb"' in html, (
        f"{chapter.stem}.html offers no reader notebook")
    assert copied.read_bytes() == (ROOT / "notebooks" / f"{chapter.name}.ipynb").read_bytes()
    launch = [unquote(u) for u in re.findall(r'href="(https://(?:mybinder\.org|colab\.research)[^"]*)"', html)]
    assert all(f"notebooks/{chapter.name}.ipynb" in u for u in launch), (
        f"{chapter.stem}.html: launch links do not open the reader notebook: {launch}")


def test_status_page_reports_every_chapter(site):
    html = (site / "book" / "status.html").read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", " ", html)
    for chapter in CHAPTERS:
        assert f'href="{chapter.name}.html"' in html, f"status page lacks {chapter.name}"
    assert text.count("passed") >= len(CHAPTERS)
    assert re.search(r"\b3\.\d+\.\d+\b", text), "status page lacks the Python version"
    assert "Versions each chapter last ran with" in text


def test_glossary_defines_the_books_terms(site):
    html = (site / "book" / "glossary.html").read_text(encoding="utf-8")
    for term in ("ICC", "design effect", "BLUP", "REML", "ML", "random intercept",
                 "fixed effect", "random effect", "shrinkage", "partial pooling",
                 "boundary fit", "cluster-robust standard error",
                 "Monte Carlo standard error", "coverage", "conditional ICC",
                 "unconditional ICC", "empty model", "centring"):
        anchor = "term-" + re.sub(r"[^\w]+", "-", term)
        assert f'id="{anchor}"' in html, f"the glossary does not define {term!r}"


# In the browser.

@pytest.fixture(scope="module")
def browser():
    holder: list = []
    chromium = browser_or_skip(holder)
    yield chromium
    chromium.close()
    holder[0].stop()


@pytest.fixture(scope="module")
def server(site):
    with LocalSite(site) as local:
        yield local


@pytest.fixture(scope="module")
def axe_js() -> str:
    return axe_source()


@pytest.fixture(scope="module")
def visits(browser, server, axe_js):
    """Each page is loaded once; every check reads the same record."""
    cache: dict = {}
    shown = f"{SHOWN_CHAPTER.stem}.html"

    def get(page: str):
        if page not in cache:
            # Code is highlighted with one style on every page: its colour
            # contrast is checked once, on the chapter of the screenshots.
            cache[page] = visit(browser, server.url, page, axe_js,
                                solution_shot=SCREENSHOTS / "solution-open.png"
                                if page == shown else None,
                                contrast_of_code=page == shown)
        return cache[page]

    return get


@pytest.mark.parametrize("page", PAGES)
def test_page_loads_offline_without_console_errors(visits, page):
    record = visits(page)
    assert not record.external, f"{page} requested addresses off 127.0.0.1: {record.external}"
    assert not record.errors, f"{page} logged console errors: {record.errors}"


@pytest.mark.parametrize("page", PAGES)
def test_images_load_and_have_alt_text(visits, page):
    for image in visits(page).images:
        assert image["width"] > 0, f"{page}: image {image['src']} did not load"
        alt = (image["alt"] or "").strip()
        assert alt, f"{page}: image {image['src']} has no alt text"
        assert not FILE_NAME.match(alt) and alt.lower() not in VAGUE_ALT, (
            f"{page}: image {image['src']} has alt text {alt!r}, which describes nothing"
        )


@pytest.mark.parametrize("page", PAGES)
def test_math_is_typeset(visits, page):
    math = visits(page).math
    raw = [token for token in RAW_MATH if token in math["text"]]
    assert not raw, f"{page}: raw TeX {raw} left in the text (MathJax did not typeset it)"
    if math["mathElements"]:
        assert math["mathjax"], f"{page} has math but MathJax did not load"
        assert math["mathRendered"] == math["mathElements"], (
            f"{page}: {math['mathRendered']} of {math['mathElements']} formulas typeset"
        )
        assert not math["mathErrors"], f"{page}: MathJax reports {math['mathErrors']} TeX errors"


def test_chapters_have_math(visits):
    """Guard for the test above: the math check has formulas to look at."""
    assert any(visits(page).math["mathRendered"] for page in CHAPTER_PAGES)


@pytest.mark.parametrize("page", PAGES)
def test_no_serious_or_critical_accessibility_violation(visits, page):
    serious = [v for v in visits(page).violations if v["impact"] in ("serious", "critical")]
    assert not serious, f"{page}: axe-core finds {serious}"


@pytest.mark.parametrize("page", CHAPTER_PAGES)
def test_launch_links_open_the_pages_own_notebook(visits, page):
    if not any(visits(p).launch_links for p in CHAPTER_PAGES):
        pytest.skip("no launch buttons in the build given by LMMBOOK_SITE (it names no repository)")
    links = visits(page).launch_links
    # Binder and Colab open the page's reader notebook (bookchain.reader), not book/NN-slug.ipynb.
    notebook = "notebooks/" + Path(page).stem + ".ipynb"
    assert links, f"{page} has no launch links although other chapters do"
    wrong = [link for link in links if notebook not in unquote(link)]
    assert not wrong, f"{page}: launch links do not open {notebook}: {wrong}"


@pytest.mark.parametrize("page", CHAPTER_PAGES)
def test_download_links_serve_the_pages_own_files(visits, page):
    links = visits(page).download_links
    stem = Path(page).stem
    for suffix in (".ipynb", ".md"):
        assert any(link.endswith(f"/_sources/book/{stem}{suffix}") for link in links), (
            f"{page} offers no download of its {suffix}: {links}"
        )
    for link in links:
        with urlopen(link, timeout=10) as response:  # the local server only
            assert response.status == 200 and response.read(), f"{page}: {link} is empty"


@pytest.mark.parametrize("page", CHAPTER_PAGES)
def test_solution_dropdowns_open_when_clicked(visits, page):
    solutions = visits(page).solutions
    if not solutions["count"]:
        pytest.skip(f"{page} has no solutions")
    assert solutions["closed_before"] == solutions["count"], (
        f"{page}: {solutions['count'] - solutions['closed_before']} solutions are open on load"
    )
    assert solutions["open_after"] == solutions["count"], (
        f"{page}: {solutions['count'] - solutions['open_after']} of {solutions['count']} "
        "solutions did not open when clicked"
    )


def test_search_finds_the_icc_chapter(browser, server):
    context = browser.new_context()
    tab = context.new_page()
    tab.goto(server.url + "search.html?q=intraclass", wait_until="networkidle")
    results = tab.locator("#search-results ul.search li a")
    results.first.wait_for(timeout=15000)
    hrefs = [results.nth(i).get_attribute("href") for i in range(results.count())]
    context.close()
    assert any(f"{ICC_CHAPTER.name}.html" in (h or "") for h in hrefs), (
        f"searching 'intraclass' does not find {ICC_CHAPTER.name}: {hrefs}"
    )


def test_screenshots_and_phone_width(browser, server, visits):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    chapter = f"{SHOWN_CHAPTER.stem}.html"
    visits(chapter)  # takes solution-open.png
    for name, page, viewport, full in (
        ("chapter.png", chapter, {"width": 1280, "height": 900}, False),
        ("status.png", "book/status.html", {"width": 1280, "height": 900}, True),
        ("chapter-phone.png", chapter, {"width": 390, "height": 844}, False),
    ):
        context = browser.new_context(viewport=viewport)
        tab = context.new_page()
        tab.goto(server.url + page, wait_until="networkidle")
        tab.evaluate("async () => { if (window.MathJax && MathJax.startup) "
                     "await MathJax.startup.promise; }")
        tab.screenshot(path=str(SCREENSHOTS / name), full_page=full)
        if name == "chapter.png":  # and a displayed formula, typeset
            formula = tab.locator("div.math mjx-container").first
            formula.scroll_into_view_if_needed()
            formula.screenshot(path=str(SCREENSHOTS / "math.png"))
        if viewport["width"] < 500:
            width = tab.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"], (
                f"{page} is {width} px wide on a {viewport['width']} px phone: "
                "the reader must scroll sideways"
            )
        context.close()
    for name in ("chapter.png", "math.png", "solution-open.png", "status.png",
                 "chapter-phone.png"):
        assert (SCREENSHOTS / name).stat().st_size > 1_000, f"{name} is empty"
