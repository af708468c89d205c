"""Korean particles (조사) chosen by the final sound of the word before them, with tossi.

Messages are written with both forms, 을(를), 이(가), 은(는), (으)로, 와(과), (이)라고 …,
because the word is only known when the text is made; ``particles_fix`` picks one after
the values are in ("R-1이(가)" → "R-1이", "v2을(를)" → "v2를", "푸드뱅크은(는)" →
"푸드뱅크는"). tossi reads digits and Latin letters as Korean does (1 → 일, v → 브이).
"""

import re

import tossi

# A word (no spaces), then a particle written with its two forms.
_PAIR = re.compile(
    r"(?P<word>[^\s(]*[^\s(\"'“”‘’»)\]])(?P<quote>[\"'“”‘’»)\]]*)"
    r"(?P<particle>이\(가\)|\(이\)가|을\(를\)|\(을\)를|은\(는\)|\(은\)는|\(으\)로|와\(과\)|과\(와\)"
    r"|\(이\)라고|\(이\)나|\(이\)랑|\(이\)며|\(이\)다|\(이\)에요|\(이\)야)"
)


def josa(word: str, particle: str) -> str:
    """The particle that fits after ``word`` ("을" or "를" for particle "을(를)" or "을")."""
    word = str(word)
    if not word.strip():
        return _first(particle)
    return tossi.pick(word, particle)


def _first(particle: str) -> str:
    # No word to go by: the form written first without its brackets ("을(를)" → "을").
    return re.sub(r"\(.*?\)", "", particle) or particle


def particles_fix(text: str) -> str:
    """Every 을(를)-style pair in ``text`` replaced by the form its word takes."""
    text = str(text)
    if "(" not in text:
        return text
    return _PAIR.sub(
        lambda m: m["word"] + m["quote"] + tossi.pick(m["word"], m["particle"]), text)
