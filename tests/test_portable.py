"""The same book on every machine: no stored output depends on a CPU's last bits.

The last bits of BLAS and libm results differ between processors (an AVX-512 machine
and a Haswell one disagree in the 15th digit of a REML fit; an optimiser stopped at
its tolerance can move in the 7th). nbval compares stored text outputs exactly, so a
glued value stored at full ``repr`` precision, or a printed difference that is only
rounding noise ("largest difference 1.7e-13"), fails on another machine although
the book is right. GUIDE section 2: glue values rounded to the digits the prose
shows, print tables at the digits a reader needs, and say "agree to better than
1e-10" (asserting it) instead of printing the noise.

A float is flagged when it has more than ``MAX_DIGITS`` significant digits, or is
written in e-notation with an exponent of ``NOISE_EXPONENT`` or below (a difference
of that size is rounding, and so is a p-value below 1e-9: its digits depend on the
last bits of a statistic; print "< 1e-10" instead).
"""

from __future__ import annotations

import re

import pytest

from bookchain.chapters import list_chapters
from bookchain.reader import glued_values
from conftest import ROOT
from test_determinism import text_outputs

MAX_DIGITS = 12
NOISE_EXPONENT = -9
FLOAT = re.compile(r"(?<![\w.])-?(\d+\.\d+)(?:[eE]([-+]?\d+))?(?![\w.])")


def unportable_numbers(text: str) -> list[str]:
    """Numbers in ``text`` that another processor would print differently.

    >>> unportable_numbers("b0 = 2.4837974609851705, gap 1.7e-13, p = 0.0e+00, 47.648")
    ['2.4837974609851705', '1.7e-13']
    """
    found = []
    for match in FLOAT.finditer(text):
        digits = match.group(1).replace(".", "").lstrip("0")
        exponent = match.group(2)
        noise = exponent is not None and int(exponent) <= NOISE_EXPONENT and float(match.group(0)) != 0
        if len(digits) > MAX_DIGITS or noise:
            found.append(match.group(0))
    return found


def test_detector_flags_full_precision_and_noise_only():
    assert unportable_numbers("47.720005405520965") == ["47.720005405520965"]
    assert unportable_numbers("difference 2.0e-13 and 5.5e-44") == ["2.0e-13", "5.5e-44"]
    assert unportable_numbers("0.123456789012 3.5e-06 1e-10 0.0e+00 1,751.939 v1.2.3") == []
    # A number inside a name or a version is not a float.
    assert unportable_numbers("x2.4837974609851705y") == []


@pytest.mark.parametrize("chapter", list_chapters(ROOT), ids=lambda c: c.name)
def test_stored_outputs_are_portable(chapter):
    bad = [(cell, kind, number) for cell, kind, text in text_outputs(chapter.ipynb)
           for number in unportable_numbers(text)]
    assert not bad, (
        f"{chapter.stem}.ipynb: outputs (code cell, kind, number) {bad[:8]} hold floats another "
        "processor would print differently: glue values rounded to the digits the text shows "
        "(round(float(x), 2) for :.2f), print tables rounded, and assert a bound instead of "
        "printing rounding noise (\"agree to better than 1e-10\"). Then `make execute`."
    )


GLUE_USE = re.compile(r"\{glue(?::\w+)?\}`([\w-]+)(?::([^`]*))?`")
SPEC = re.compile(r"[+,]?\.(\d+)([f%e])")


def shown_decimals(spec: str) -> tuple[str, int] | None:
    """What a format spec shows of a float: ("f", decimals) or ("e", digits after the point).

    >>> shown_decimals(".2f"), shown_decimals(".1%"), shown_decimals(".0e"), shown_decimals("d")
    (('f', 2), ('f', 3), ('e', 0), None)
    """
    match = SPEC.fullmatch(spec)
    if match is None:
        return None
    places, kind = int(match.group(1)), match.group(2)
    return ("f", places + 2) if kind == "%" else (kind, places)


def carries_more_than_shown(value: float, shown: tuple[str, int]) -> bool:
    """Whether ``value`` holds digits that the format ``shown`` does not print.

    >>> carries_more_than_shown(47.65, ("f", 2)), carries_more_than_shown(47.648, ("f", 2))
    (False, True)
    >>> carries_more_than_shown(3.3e-06, ("e", 1)), carries_more_than_shown(3.30103e-06, ("e", 1))
    (False, True)
    """
    kind, places = shown
    text = f"{value:.{places}{kind}}"
    return float(text) != value


@pytest.mark.parametrize("chapter", list_chapters(ROOT), ids=lambda c: c.name)
def test_glued_floats_hold_the_digits_the_prose_shows(chapter):
    """A glued float rounded to what the text prints is the same on every processor
    (unless the true value sits on a rounding edge, when the printed digit moves too)."""
    prose = chapter.md.read_text()
    uses: dict[str, set[str]] = {}
    for match in GLUE_USE.finditer(prose):
        uses.setdefault(match.group(1), set()).add(match.group(2) or "")
    values = glued_values(chapter.ipynb)
    unused = sorted(set(values) - set(uses))
    assert not unused, f"{chapter.stem}.md glues values its prose never shows: {unused}"
    bad = []
    for name, specs in uses.items():
        try:
            value = float(values.get(name, "nan"))
        except ValueError:   # text
            continue
        shown = [s for s in map(shown_decimals, specs) if s is not None]
        if not shown:
            if not float(value).is_integer():
                bad.append(f"{name} = {values[name]} shown without a format")
            continue
        finest = max(shown, key=lambda s: s[1])
        if carries_more_than_shown(value, finest):
            bad.append(f"{name} = {values[name]} (shown as {sorted(specs)})")
    assert not bad, (
        f"{chapter.stem}.md glues floats with more digits than its prose shows: {bad}. "
        "Glue round(float(x), k) for :.kf (k + 2 for :.k%), float(f\"{x:.ke}\") for :.ke."
    )
