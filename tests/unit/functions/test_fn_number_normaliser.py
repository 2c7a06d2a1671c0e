"""One number normaliser for every entry point (``functions.logic.pseudonym.normalise_e164``):
Unicode decimal digits become ASCII, separators go, then E.164 is checked; anything else is refused.
A number written in another digit system must give the SAME pseudonym, or an opted-out person
comes back under a new one (the list loader and opt-out: tests/integration/test_bad_input.py)."""

from __future__ import annotations

import pytest

from functions.logic.pseudonym import normalise_e164

ASCII = "+48600700800"


@pytest.mark.parametrize(
    "written",
    [
        "+48600700800",
        "+48 600-700-800",
        "0048 (600) 700.800",
        "\uff0b\uff14\uff18\uff16\uff10\uff10\uff17\uff10\uff10\uff18\uff10\uff10",  # fullwidth, fullwidth plus
        "+\u0664\u0668\u0666\u0660\u0660\u0667\u0660\u0660\u0668\u0660\u0660",  # Arabic-Indic
        "+\u06f4\u06f8\u06f6\u06f0\u06f0\u06f7\u06f0\u06f0\u06f8\u06f0\u06f0",  # Extended Arabic-Indic (Persian)
        "+\u096a\u096e\u096c\u0966\u0966\u096d\u0966\u0966\u096e\u0966\u0966",  # Devanagari
        "\u200e+\u0664\u0668 \u0666\u0660\u0660 \u0667\u0660\u0660 \u0668\u0660\u0660\u200f",  # bidi marks (copied RTL)
        "+48\u00a0600\u2009700\u2011800",  # no-break and thin spaces, non-breaking hyphen
        "\u0660\u0660\u0664\u0668\u0666\u0660\u0660\u0667\u0660\u0660\u0668\u0660\u0660",  # Arabic-Indic 00 prefix
    ],
)
def test_every_way_of_writing_one_number_is_the_same_ascii_e164(written):
    assert normalise_e164(written) == ASCII


@pytest.mark.parametrize(
    "refused",
    [
        "+48\u0666\u0660\u0660\u0667\u0660\u0660\u0668\u0660\u0660",  # two digit systems in one number
        "+48600700\u00b2\u2070\u2070",  # superscripts are not decimal digits
        "+48600700\u2460\u2461",  # circled digits
        "+48 600 700 8OO",  # letters
        "+48600700800 ext 1",
        "++48600700800",
        "48600700800+",
        "+\uff14\uff18600700800",  # fullwidth and ASCII digits mixed
        "+0600700800",
        "+4860",  # too short
        "+4860070080012345678",  # too long
        "",
        None,
        "anonymous",
    ],
)
def test_anything_else_is_refused(refused):
    assert normalise_e164(refused) is None
