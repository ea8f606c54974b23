"""A pattern checker for the English synth writes: questions, reasoning and page text.

LanguageTool does not install offline here (its Python wrapper downloads the server from
languagetool.org on first use; Debian has no package), so synth checks the defects it has
been found to make, each a named pattern:

- ``singular_verb_plural``: "Is the units for ...", "What is the Years of ...";
- ``article_plural``: "a higher trees", "have a Attendees";
- ``a_an``: "a electricity use", "an bar";
- ``repeated_word``: "the the";
- ``x_in_x``: "Trees in trees";
- ``joined_name``: "Saint JeannineBourg" (two names run together);
- ``honorific_email``: "sr.a.maria@...";
- ``one_plural``: "1 items".

:func:`problems` lists what a text trips; :func:`error_rate` is the share of texts with any.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from synth.qa_synth._phrasing import is_plural

#: words after "a" that sound like a consonant ("a unit", "a one-off", "a European")
_A_EXCEPTIONS = ("uni", "use", "usu", "uti", "one", "once", "eu", "ubi", "ura", "uro")
#: words after "an" that sound like a vowel ("an hour", "an honest", "an 8")
_AN_EXCEPTIONS = ("hour", "honest", "honour", "honor", "heir", "8", "11", "18", "80", "X", "M")
_HONORIFICS = ("sr", "sra", "srta", "mr", "mrs", "ms", "dr", "prof", "herr", "frau")
#: names that run a capital on legitimately: McEwen, MacLeod, DeShawn, LaToya, O'Brien...
_JOINED_OK = re.compile(r"^(?:Mc|Mac|De|Di|Da|Du|La|Le|Van|Von|Fitz|St|O)[A-Z]")

_VERB_THE = re.compile(
    r"\b(?:[Ii]s|[Ww]as|[Dd]oes|[Hh]as|[Ww]hat is|[Ww]ho is) the (\w[\w-]*) (?:for|of|on)\b"
)
_COMPARATIVE = re.compile(
    r"\b(?:a|an) (?:higher|lower|greater|larger|smaller|bigger|total) (\w[\w-]*)\b(?! of)"
)
_HAVE_A = re.compile(r"\bhave an? (\w[\w-]*)\b")
_A = re.compile(r"(?<![\w'’-])a ([AEIOUaeiou]\w*)")
_AN = re.compile(r"(?<![\w'’-])an ([^AEIOUaeiou\W]\w*|\d+)")
_REPEATED = re.compile(r"\b(\w{3,}) \1\b", re.IGNORECASE)
_X_IN_X = re.compile(r"\b(\w{3,}) in \1\b", re.IGNORECASE)
#: a name run into a place word: "JeannineBourg", "AnthonyVille" (brands like TikTok pass)
_JOINED = re.compile(
    r"\b[A-Z][a-zà-ÿ]+(?:Bourg|Burg|Ville|Furt|Stad|Land|Shire|Mouth|Ton|Haven|Berg|Port)\b"
)
_EMAIL = re.compile(r"\b([\w.+-]+)@[\w-]+(?:\.[\w-]+)+")
#: verbs in -s that may follow a name ending in 1 ("Hive 1 reads 13")
_VERBS = frozenset(
    "is has was reads shows gives lists comes goes runs sends receives takes leads points says"
    " does sits lies stands ranks falls rises".split()
)
#: "1 items"; a 1 ending a label ("Week 1 values", "Year 1 pupils") is a name, not a count
_ONE = re.compile(r"(\b[A-Z]\w* )?(?<![\d.,])\b1 ([a-z]+s)\b")


def problems(text: str) -> list[str]:
    """The names of the patterns ``text`` trips (each once), in the order listed above."""
    out: list[str] = []
    if any(is_plural(m) for m in _VERB_THE.findall(text)):
        out.append("singular_verb_plural")
    plurals = [w for w in _COMPARATIVE.findall(text) + _HAVE_A.findall(text) if w != "number"]
    if any(is_plural(w) for w in plurals):
        out.append("article_plural")
    if any(not w.lower().startswith(_A_EXCEPTIONS) for w in _A.findall(text)) or any(
        not w.startswith(_AN_EXCEPTIONS) for w in _AN.findall(text)
    ):
        out.append("a_an")
    if _REPEATED.search(text):
        out.append("repeated_word")
    if _X_IN_X.search(text):
        out.append("x_in_x")
    if any(not _JOINED_OK.match(w) for w in _JOINED.findall(text)):
        out.append("joined_name")
    if any(local.lower().split(".")[0] in _HONORIFICS for local in _EMAIL.findall(text)):
        out.append("honorific_email")
    if any(not label and w not in _VERBS for label, w in _ONE.findall(text)):
        out.append("one_plural")
    return out


def error_rate(texts: Iterable[str]) -> tuple[float, int, dict[str, int]]:
    """(share of texts with any problem, how many texts, texts per pattern)."""
    n = bad = 0
    by: dict[str, int] = {}
    for t in texts:
        n += 1
        found = problems(t)
        bad += bool(found)
        for name in found:
            by[name] = by.get(name, 0) + 1
    return (bad / n if n else 0.0), n, dict(sorted(by.items()))
