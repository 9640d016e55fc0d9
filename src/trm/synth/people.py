"""The invented people: who they are, and the deliberate near-duplicates among them.

Person `index` of a seed is drawn from its own random stream, so any person can be drawn again
without keeping the others in memory: a near-duplicate re-draws its original and varies it.
"""

import datetime
import random
from dataclasses import dataclass, field, replace

from .names import NAME_GROUPS, Name

# Who the TRM's cases are about: nationals of the three countries of origin mostly, then
# the other large groups identified in the five countries of destination.
NATIONALITIES = {
    "UA": 22, "AL": 20, "MA": 20, "NG": 9, "RO": 7, "MD": 5, "BG": 4, "GR": 4, "EG": 3,
    "SY": 3, "PL": 3,
}  # fmt: skip
# Where each nationality is identified: the owning organisation's country.
DESTINATIONS = {
    "UA": {"PL": 40, "IT": 20, "ES": 15, "FR": 15, "GR": 10},
    "AL": {"GR": 45, "IT": 35, "FR": 15, "ES": 5},
    "MA": {"ES": 50, "FR": 30, "IT": 20},
    "NG": {"IT": 45, "ES": 25, "FR": 20, "GR": 10},
    "RO": {"ES": 40, "IT": 40, "FR": 10, "GR": 10},
    "MD": {"IT": 40, "PL": 30, "FR": 15, "ES": 15},
    "BG": {"GR": 50, "FR": 20, "ES": 15, "IT": 15},
    "GR": {"IT": 40, "FR": 30, "ES": 30},
    "EG": {"IT": 60, "GR": 40},
    "SY": {"GR": 60, "IT": 20, "ES": 10, "FR": 10},
    "PL": {"ES": 30, "IT": 25, "FR": 25, "GR": 20},
}
CHILD_SHARE = 0.19
AGE_UNCERTAIN_SHARE = 0.025
DUPLICATE_SHARE = 0.04
# A person comes back within a few thousand cases: re-trafficked, moved on, registered again.
DUPLICATE_WINDOW = 5000
# Cases open over this many days before today, more of them recently.
HORIZON_DAYS = 4 * 365

DOCUMENT_FORMATS = {
    "UA": "LL######", "AL": "LL#######", "MA": "LL######", "NG": "L########",
    "RO": "LL######", "MD": "L########", "BG": "#########", "GR": "LL#######",
    "EG": "L########", "SY": "N########", "PL": "LLL######",
}  # fmt: skip
PHONE_PREFIXES = {
    "UA": "+380", "AL": "+355", "MA": "+212", "NG": "+234", "RO": "+40", "MD": "+373",
    "BG": "+359", "GR": "+30", "EG": "+20", "SY": "+963", "PL": "+48",
}  # fmt: skip
LATIN_VOWELS = "aeiouy"
VOWEL_SLIPS = {"a": "e", "e": "a", "i": "y", "y": "i", "o": "u", "u": "o"}


@dataclass(frozen=True)
class PlannedPerson:
    """A person as the case worker records them, before encryption."""

    index: int
    nationality: str
    sex: str
    script: str
    language: str
    given_name: str
    family_name: str
    given_name_latin: str
    family_name_latin: str
    birth_date: datetime.date | None
    age_uncertain: bool
    document_number: str
    contacts: dict | None
    # For a deliberate near-duplicate: the index of the person it repeats, and how it differs.
    duplicate_of: int | None = None
    variations: tuple[str, ...] = field(default=())

    def fields(self) -> dict:
        """The Person model's fields, as open_case would receive them."""
        return {
            "given_name": self.given_name,
            "family_name": self.family_name or None,
            "given_name_latin": self.given_name_latin or None,
            "family_name_latin": self.family_name_latin or None,
            "birth_date": self.birth_date,
            "sex": self.sex,
            "citizenship": self.nationality,
            "document_number": self.document_number or None,
            "contacts": self.contacts,
        }


def weighted(rng: random.Random, weights: dict):
    choices, values = list(weights), list(weights.values())
    return rng.choices(choices, values)[0]


def opening_offset(seed: int, index: int) -> int:
    """Days before today the case of `index` was opened (the case stream's first draw)."""
    rng = random.Random(f"{seed}/case/{index}")
    # 1 - sqrt(u) leans towards 0: caseloads grow, so recent cases are more numerous.
    return int(HORIZON_DAYS * (1 - rng.random() ** 0.5))


def _document(rng: random.Random, nationality: str) -> str:
    letters = "ABCEHKMNPRSTX"
    return "".join(
        rng.choice(letters) if c == "L" else str(rng.randrange(10)) if c in "#N" else c
        for c in DOCUMENT_FORMATS[nationality]
    )


def _contacts(rng: random.Random, nationality: str) -> dict:
    number = " ".join(str(rng.randrange(100, 1000)) for _ in range(3))
    return {"phone": f"{PHONE_PREFIXES[nationality]} {number}"}


def _base_person(seed: int, index: int, today: datetime.date) -> PlannedPerson:
    rng = random.Random(f"{seed}/person/{index}")
    nationality = weighted(rng, NATIONALITIES)
    group = NAME_GROUPS[nationality]
    draw = rng.random()
    child, uncertain = draw < CHILD_SHARE, CHILD_SHARE <= draw < CHILD_SHARE + AGE_UNCERTAIN_SHARE
    if child:
        sex = "female" if rng.random() < 0.68 else "male"
        age = rng.randint(12, 17) if rng.random() < 0.9 else rng.randint(6, 11)
    else:
        sex = weighted(rng, {"female": 620, "male": 360, "other": 5, "unknown": 15})
        # Age uncertain: says 18 or 19, with reason to think younger (domain.md §5).
        age = rng.randint(18, 19) if uncertain else int(rng.triangular(18, 62, 23))
    female = sex == "female" or (sex in {"other", "unknown"} and rng.random() < 0.5)
    given_names = group.female if female else group.male
    given = given_names[rng.randrange(len(given_names))]
    family = group.family_for(rng.randrange(len(group.family)), female)
    opened = today - datetime.timedelta(days=opening_offset(seed, index))
    # Born `age` whole years before the opening, on any day of that year of life.
    birth_date = opened - datetime.timedelta(days=int(age * 365.25) + rng.randrange(365))
    if uncertain and rng.random() < 0.5:
        birth_date = None  # no document, no date: the reason the age is uncertain
    latin_only = group.script != "latin" and rng.random() < 0.2
    has_document = rng.random() < (0.3 if child else 0.55)
    document = _document(rng, nationality) if has_document else ""
    contacts = _contacts(rng, nationality) if rng.random() < 0.45 else None
    return _named(
        PlannedPerson(
            index=index,
            nationality=nationality,
            sex=sex,
            script=group.script,
            language=group.language,
            given_name="",
            family_name="",
            given_name_latin="",
            family_name_latin="",
            birth_date=birth_date,
            age_uncertain=uncertain,
            document_number=document,
            contacts=contacts,
        ),
        given,
        family,
        latin_only=latin_only,
    )


def _named(person: PlannedPerson, given: Name, family: Name, *, latin_only: bool):
    """Names in the person's script with Latin transliterations, or the Latin forms alone (a
    case worker copying a passport's machine-readable zone); Latin scripts need no second form."""
    if person.script == "latin" or latin_only:
        return replace(person, given_name=given.latin, family_name=family.latin)
    return replace(
        person,
        given_name=given.native,
        family_name=family.native,
        given_name_latin=given.latin,
        family_name_latin=family.latin,
    )


def is_duplicate(seed: int, index: int) -> bool:
    return index > 0 and random.Random(f"{seed}/duplicate/{index}").random() < DUPLICATE_SHARE


def original_of(seed: int, index: int) -> int:
    """The earlier person a near-duplicate repeats: always one that is not a duplicate itself."""
    rng = random.Random(f"{seed}/duplicate/{index}")
    rng.random()
    original = index - 1 - rng.randrange(min(index, DUPLICATE_WINDOW))
    while is_duplicate(seed, original):
        original = original_of(seed, original)
    return original


def person(seed: int, index: int, today: datetime.date) -> PlannedPerson:
    """Person `index` of the seed: the same every time it is asked for."""
    if not is_duplicate(seed, index):
        return _base_person(seed, index, today)
    original_index = original_of(seed, index)
    original = _base_person(seed, original_index, today)
    rng = random.Random(f"{seed}/variation/{index}")
    return vary(rng, original, index)


# -- Near-duplicates ----------------------------------------------------------------------------


def typo(rng: random.Random, text: str) -> str:
    """A slip of the keyboard or of the ear: a letter dropped, doubled, swapped or misheard."""
    if len(text) < 3:
        return text + text[-1:]
    position = rng.randrange(1, len(text) - 1)
    letter = text[position]
    slips = ["drop", "double", "swap"]
    if letter.lower() in LATIN_VOWELS:
        slips.append("vowel")
    match rng.choice(slips):
        case "double":
            return text[:position] + letter + text[position:]
        case "swap" if text[position - 1] != letter:
            return text[: position - 1] + letter + text[position - 1] + text[position + 1 :]
        case "vowel":
            slip = VOWEL_SLIPS[letter.lower()]
            return (
                text[:position]
                + (slip.upper() if letter.isupper() else slip)
                + text[position + 1 :]
            )
    return text[:position] + text[position + 1 :]  # dropped (or a swap that changes nothing)


def _latin_part(person: PlannedPerson, part: str) -> str:
    """Which field holds the Latin form of a name part (given or family)."""
    return f"{part}_name_latin" if person.given_name_latin else f"{part}_name"


def _transliterated(rng: random.Random, person: PlannedPerson, original_names) -> tuple | None:
    """Another accepted Latin spelling of the given or the family name, if there is one."""
    given, family = original_names
    candidates = [(part, name) for part, name in (("given", given), ("family", family))
                  if name.alternatives]  # fmt: skip
    if not candidates:
        return None
    part, name = rng.choice(candidates)
    return _latin_part(person, part), rng.choice(name.alternatives)


def _names_of(original: PlannedPerson) -> tuple[Name, Name]:
    """Find the table entries of the original's names, for their other spellings."""
    group = NAME_GROUPS[original.nationality]
    latin_given = original.given_name_latin or original.given_name
    latin_family = original.family_name_latin or original.family_name
    female_family = [group.family_for(i, True) for i in range(len(group.family))]
    given = next(
        (n for n in (*group.female, *group.male) if n.latin == latin_given), Name("", latin_given)
    )
    family = next(
        (n for n in (*group.family, *female_family) if n.latin == latin_family),
        Name("", latin_family),
    )
    return given, family


def _birth_variation(rng: random.Random, birth: datetime.date | None):
    if birth is None:
        return None, False
    draw = rng.random()
    if draw < 0.6:
        return birth, False
    if draw < 0.75 and birth.day <= 12 and birth.day != birth.month:
        return birth.replace(day=birth.month, month=birth.day), True  # day and month swapped
    if draw < 0.85:
        return birth + datetime.timedelta(days=rng.choice([-3, -2, -1, 1, 2, 3])), True
    if draw < 0.95:
        return None, True  # not recorded this time
    try:
        return birth.replace(year=birth.year + rng.choice([-1, 1])), True
    except ValueError:  # 29 February
        return birth + datetime.timedelta(days=365), True


def vary(rng: random.Random, original: PlannedPerson, index: int) -> PlannedPerson:
    """The original person as registered again elsewhere: names slightly different."""
    names = _names_of(original)
    varied, variations = original, []
    kinds = ["typo", "swapped", "transliteration", "latin_only"]
    first = rng.choices(kinds, [35, 20, 30, 15])[0]
    chosen = [first] + ([rng.choice(["typo", "transliteration"])] if rng.random() < 0.25 else [])
    for kind in chosen:
        if kind in variations:
            continue
        if kind == "latin_only" and varied.given_name_latin:
            varied = replace(
                varied,
                given_name=varied.given_name_latin,
                family_name=varied.family_name_latin,
                given_name_latin="",
                family_name_latin="",
            )
        elif kind == "swapped":
            varied = replace(
                varied,
                given_name=varied.family_name,
                family_name=varied.given_name,
                given_name_latin=varied.family_name_latin,
                family_name_latin=varied.given_name_latin,
            )
        elif kind == "transliteration" and (found := _transliterated(rng, varied, names)):
            name, value = found
            varied = replace(varied, **{name: value})
        else:
            kind = "typo"
            name = _latin_part(varied, rng.choice(["given", "family"]))
            if rng.random() < 0.3 and varied.given_name_latin:
                name = name.removesuffix("_latin")  # the native script mistyped
            varied = replace(varied, **{name: typo(rng, getattr(varied, name))})
        variations.append(kind)
    birth_date, changed = _birth_variation(rng, original.birth_date)
    if changed:
        variations.append("birth_date")
    draw = rng.random()
    document = original.document_number if draw < 0.4 else ""
    if draw >= 0.6:
        document = _document(rng, original.nationality)
    if document != original.document_number:
        variations.append("document")
    contacts = _contacts(rng, original.nationality) if rng.random() < 0.45 else None
    return replace(
        varied,
        index=index,
        birth_date=birth_date,
        document_number=document,
        contacts=contacts,
        duplicate_of=original.index,
        variations=tuple(variations),
    )
