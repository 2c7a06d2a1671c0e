"""The UNHCR specific-needs codes: the 12 top-level categories and their sub-codes (UNHCR proGres
specific-needs list as used in the Ukraine response; extend ``SUB_CODES`` if a country office uses
more).  The vocabulary of the ``needs_codes`` parameters (functions.logic.needs: parsing, urgency,
matching) and of the partner directory (functions.dal.partners: a partner's services).
"""

from __future__ import annotations

TOP_LEVEL = ("CR", "SC", "WR", "ER", "SP", "DS", "SM", "FU", "LP", "TR", "SV", "PG")

SUB_CODES: dict[str, tuple[str, ...]] = {
    "CR": ("CP", "CS", "CC", "TP", "LW", "LO", "CL", "NE", "SE", "AF", "CH"),
    "SC": ("SC", "CH", "IC", "FC", "UC", "UF", "UM"),
    "WR": ("WR", "SF", "LS", "HR", "PY", "GM"),
    "ER": ("NF", "MC", "UR", "OC"),
    "SP": ("PT", "GP", "CG"),
    "DS": ("BD", "DF", "PM", "PS", "MM", "MS", "SD"),
    "SM": ("MI", "MN", "CI", "CC", "AD", "DP", "OT"),
    "FU": ("TR", "FR", "MS"),
    "LP": (
        "ND",
        "BN",
        "NA",
        "MM",
        "MS",
        "AN",
        "AP",
        "AF",
        "ST",
        "IH",
        "DO",
        "DT",
        "RR",
        "RD",
        "WP",
        "LS",
        "CR",
        "DP",
        "TA",
        "FM",
    ),
    "TR": ("PI", "HO", "WV"),
    "SV": ("VA", "GM", "HP", "VF", "SS", "FM"),
    "PG": ("PL", "PR"),
}

ALL_CODES = frozenset(TOP_LEVEL) | frozenset(f"{top}-{sub}" for top, subs in SUB_CODES.items() for sub in subs)
