"""What is taken out of text before it goes to the role-play model (gentle/roleplay/scrub.py):
names however they are typed (soft hyphens, zero-width marks, fullwidth and look-alike letters,
2-letter names, short forms), other clients' names, and identifiers (e-mail, phone, address,
dates); and ordinary sentences pass through unchanged. No database."""

from __future__ import annotations

import re

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from gentle.roleplay.scrub import (
    ADDRESS,
    DATE,
    EMAIL,
    NAME,
    PHONE,
    Scrubber,
    fold,
    load_names,
    scrub,
)

DATA = load_names()
PARTICLES, ORDINARY = set(DATA["particles"]), set(DATA["ordinary"])

# The record of a fictional client and the other clients of their clinic.
RECORD = [
    "Marisol Quintanilla",
    "Bartholomew",
    "Tomás Herrera",
    "Li Wei",
    "María José Pérez",
    "Guadalupe Ortiz",
    "Rosa Vidal",
    "Ana de la Cruz",
]
OTHERS = ["Fernanda Olmedo", "Ana Gómez", "Al Green", "Will Turner", "Pedro Sánchez"]
HIDE = Scrubber(RECORD, OTHERS)

# Ordinary sentences without names or identifiers, in English and Spanish, with the traps
# each one holds for a scrubber.
ORDINARY_SENTENCES = [
    ("en", "You never listen to me when I talk about work."),
    ("en", "I feel lonely when we do not talk in the evenings."),
    ("en", "Could we have dinner together on Sunday?"),
    ("en", "We have been married for 12 years and have 2 kids."),  # numbers
    ("en", "I waited 20 minutes at the station."),
    ("en", "Between 2019 and 2021 I lost my job twice."),  # years
    ("en", "From 1985-2001 we lived abroad."),  # a range of years
    ("en", "The meeting is at 10:30 on Monday."),  # a time
    ("en", "I crossed the road 2 times to avoid an argument."),  # number ... road
    ("en", "We ran 5 miles down the road."),
    ("en", "Since March 2020 we have not spoken."),  # month and year
    ("en", "On 3 May we argued again."),  # day and month
    ("en", "I scored 14 on the questionnaire last week."),
    ("en", "I feel like a 3 out of 10 today."),
    ("en", "Will you listen to me for once?"),  # Will Turner is another client
    ("en", "I will talk to my sister about it."),
    ("en", "Mark my words, this will change."),
    ("en", "I sent you an email yesterday and you did not answer."),
    ("en", "Call me when you can."),
    ("en", "We live near the main street."),
    ("en", "I need help with the dishes 3 nights a week."),
    ("en", "In 1998 my father died and everything changed."),
    ("en", "The bus number 27 takes 45 minutes."),
    ("en", "At 7 pm the house is chaos."),
    ("en", "The rent went up by 8 percent."),
    ("en", "My score went from 18 to 9 in 6 weeks."),
    ("en", "We paid 250 dollars for the repair."),
    ("en", "Today is the 3rd time you forgot."),
    ("en", "In June we will go to the beach."),
    ("en", "More than anything I want us to be calm."),
    ("en", "Good morning, can we talk?"),
    ("en", "Turn the music down, please."),
    ("en", "Well, I think you are right."),
    ("es", "Nunca me escuchas cuando hablo del trabajo."),
    ("es", "Me siento sola cuando no hablamos."),
    ("es", "¿Podríamos cenar juntos el domingo?"),
    ("es", "Tenemos que hablar del fin de semana."),
    ("es", "Al final no vino a cenar."),  # Al Green is another client
    ("es", "Voy al cine con mi hermana."),
    ("es", "Compré un vestido rosa para la boda."),  # Rosa is in the record
    ("es", "En la calle hay 3 perros que ladran."),  # street word and a number
    ("es", "Doy un paseo de 3 horas cada domingo."),
    ("es", "Me debe 1.500.000 pesos desde hace años."),  # an amount
    ("es", "El 3 de mayo discutimos otra vez."),
    ("es", "Mi madre tiene 70 años."),
    ("es", "Vale, lo intentaré."),
    ("es", "Este fin de semana quiero hablar contigo."),
    ("es", "Toma, esto es para ti."),  # the first letters of Tomás
    ("es", "La plaza mayor estaba llena de gente."),
    ("es", "Mi hermano vive a 300 metros de aquí."),
    ("es", "Nos conocimos hace 15 años en la universidad."),
    ("es", "Le mandé un correo y no contestó."),
    ("es", "Mi sobrina cumple 7 años en julio."),
    ("es", "Vida mía, no quiero discutir."),  # the first letters of Vidal
    ("es", "Quiero que me escuches sin interrumpir."),
    ("es", "Ayer fue 12 de octubre y nadie llamó."),
]


def words(text: str) -> set[str]:
    return set(re.findall(r"[^\W_]+", fold(text)))


# --- folding --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "Maria",
        "MARÍA",
        "Mari\u0301a",  # the accent typed as a separate mark
        "Ma\u00adria",  # soft hyphen
        "Ma\u200bria",  # zero-width space
        "Ma\u200cr\u200di\u2060a\ufeff",  # zero-width non-joiner, joiner, word joiner, BOM
        "Ma\u3164ria",  # Hangul filler: a letter that shows nothing
        "Ｍａｒｉａ",  # fullwidth
        "Mаria",  # Cyrillic а
        "МАRІА",  # Cyrillic М, А, І
        "Μαria",  # Greek Μ, α
        "𝐌𝐚𝐫𝐢𝐚",  # mathematical bold
    ],
)
def test_a_name_hidden_behind_typography_is_found(typed):
    assert scrub(f"Hola {typed}, escúchame.", ["María"]) == "Hola [name], escúchame."


def test_the_rest_of_the_text_is_left_as_typed():
    text = "Ｙｏｕ said\u00a0that to Mа\u00adria? Really…"
    assert scrub(text, ["Maria"]) == "Ｙｏｕ said\u00a0that to [name]? Really…"


# --- names ----------------------------------------------------------------------------------


def test_two_letter_name_parts_are_hidden_but_not_particles():
    assert (
        scrub("Li said Jo would come", ["Li Wei", "Jo Evans"]) == f"{NAME} said {NAME} would come"
    )
    assert scrub("Ana de la Cruz de Madrid", ["Ana de la Cruz"]) == f"{NAME} de Madrid"
    assert scrub("la casa de Cruz", ["Ana de la Cruz"]) == f"la casa de {NAME}"


def test_short_forms_and_diminutives_are_hidden():
    record = ["José Luis", "Guadalupe", "Robert Smith", "Beatriz", "Tomás", "Carmen"]
    text = "Pepe, Lupe, Lupita, Bob, Rob, Bea, Tom, Tommy, Tomasito, Carmencita, Joselito"
    assert scrub(text, record) == ", ".join([NAME] * 10) + ", Joselito"


def test_first_letters_of_a_long_name_are_hidden_when_capitalised():
    assert scrub("Barth, Quint and Bartho", ["Bartholomew Quintanilla"]) == (
        f"{NAME}, {NAME} and {NAME}"
    )
    assert scrub("quint and barth", ["Bartholomew Quintanilla"]) == "quint and barth"
    # First letters that make an ordinary word are not hidden: "Este" of Esteban.
    assert scrub("Este fin de semana, Esteban", ["Esteban"]) == f"Este fin de semana, {NAME}"


def test_names_that_are_ordinary_words_are_hidden_when_capitalised_or_whole():
    assert HIDE.scrub("Rosa, escúchame: tu vestido rosa") == f"{NAME}, escúchame: tu vestido rosa"
    assert HIDE.scrub("rosa vidal me llamó") == f"{NAME} me llamó"


def test_other_clients_are_hidden_by_full_name_or_capitalised_part():
    assert HIDE.scrub("Vi a fernanda olmedo en la sala") == f"Vi a {NAME} en la sala"
    assert HIDE.scrub("Olmedo me saludó") == f"{NAME} me saludó"
    assert HIDE.scrub("olmedo es un pueblo") == "olmedo es un pueblo"
    assert HIDE.scrub("Al Green vino, al final") == f"{NAME} vino, al final"


def test_one_letter_names_are_initials_and_are_not_hidden():
    assert scrub("I am a person", ["I", "A"]) == "I am a person"


# --- identifiers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "token"),
    [
        ("ana.perez+work@example.org", EMAIL),
        ("ANA_P@mail.example.co.uk", EMAIL),
        ("ａｎａ＠ｅｘａｍｐｌｅ．ｏｒｇ", EMAIL),
        ("+34 600 12 34 56", PHONE),
        ("+34600123456", PHONE),
        ("0044 20 7946 0958", PHONE),
        ("(555) 123-4567", PHONE),
        ("555.123.4567", PHONE),
        ("555-1234", PHONE),
        ("91 234 56 78", PHONE),
        ("600.123.456", PHONE),
        ("+1 (555) 123 4567", PHONE),
        ("６００ １２３ ４５６", PHONE),
        ("600\u200b123\u200b456", PHONE),
        ("12345678Z", PHONE),  # an ID number: as identifying
        ("221B Baker Street", ADDRESS),
        ("12 Mill Road", ADDRESS),
        ("1600 Pennsylvania Avenue", ADDRESS),
        ("Calle Mayor 5", ADDRESS),
        ("calle de la Luna, nº 3", ADDRESS),
        ("C/ Luna 3", ADDRESS),
        ("Av. de la Constitución 12", ADDRESS),
        ("Avenida Libertador 1234", ADDRESS),
        ("Plaza de España 3", ADDRESS),
        ("Paseo de Gracia 21", ADDRESS),
        ("SW1A 1AA", ADDRESS),
        ("K1A 0B1", ADDRESS),
        ("CP 28013", ADDRESS),
        ("código postal 28013", ADDRESS),
        ("zip 90210", ADDRESS),
        ("3/4/1985", DATE),
        ("03-04-85", DATE),
        ("3.4.1985", DATE),
        ("1985-04-03", DATE),
        ("3 March 1985", DATE),
        ("3rd of March, 1985", DATE),
        ("March 3, 1985", DATE),
        ("3 de marzo de 1985", DATE),
        ("3 de marzo del '85", DATE),
        ("3-mar-1985", DATE),
    ],
)
def test_identifiers_are_replaced_by_their_token(typed, token):
    assert scrub(f"Mira: {typed}. Ya está.", []) == f"Mira: {token}. Ya está."


@pytest.mark.parametrize(("language", "sentence"), ORDINARY_SENTENCES)
def test_ordinary_sentences_pass_through_unchanged(language, sentence):
    assert HIDE.scrub(sentence) == sentence


def test_the_ordinary_sentences_are_enough_and_in_both_languages():
    assert len(ORDINARY_SENTENCES) >= 50
    assert {language for language, _ in ORDINARY_SENTENCES} == {"en", "es"}


def test_the_names_data_is_folded_and_consistent():
    assert DATA["version"] == 1
    assert not PARTICLES & ORDINARY
    assert all(len(group) >= 2 for group in DATA["short_forms"])


# --- properties -----------------------------------------------------------------------------

LETTERS = "abcdefghijklmnopqrstuvwxyzáéíóúñç"
HOMOGLYPHS = {"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у", "i": "і"}
INVISIBLE = ["\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]
PLAIN = [s for _, s in ORDINARY_SENTENCES if not re.search(r"\d", s)]


@st.composite
def disguised(draw, text: str) -> str:
    """``text`` typed to slip past a scrubber: any case, fullwidth or look-alike letters,
    invisible marks between characters."""
    out = []
    for index, char in enumerate(text):
        kind = draw(st.sampled_from(["plain", "upper", "fullwidth", "homoglyph"]))
        if kind == "upper":
            char = char.upper()
        elif kind == "fullwidth" and "!" <= char <= "~":
            char = chr(ord(char) + 0xFEE0)
        elif kind == "homoglyph":
            char = HOMOGLYPHS.get(char, char)
        if index and draw(st.booleans()):
            out.append(draw(st.sampled_from(INVISIBLE)))
        out.append(char)
    return "".join(out)


@st.composite
def inserted(draw, identifier: str) -> tuple[str, str]:
    """A sentence with ``identifier`` (disguised) put between two of its words."""
    sentence = draw(st.sampled_from(PLAIN)).split(" ")
    at = draw(st.integers(min_value=0, max_value=len(sentence)))
    typed = draw(disguised(identifier))
    return " ".join([*sentence[:at], typed, *sentence[at:]]), typed


name_part = st.text(alphabet=LETTERS, min_size=2, max_size=10).filter(
    lambda p: fold(p) not in PARTICLES | ORDINARY
)


@given(data=st.data(), given_name=name_part, family_name=name_part)
def test_a_name_in_any_sentence_in_any_disguise_never_gets_through(data, given_name, family_name):
    name = f"{given_name} {family_name}"
    for part in (name, given_name, family_name):
        text, _ = data.draw(inserted(part))
        out = scrub(text, [name])
        assert not {fold(given_name), fold(family_name)} & words(out), (text, out)


@given(
    data=st.data(),
    prefix=st.sampled_from(["", "+34 ", "+1 ", "0044 ", "(555) ", "+52 (55) "]),
    groups=st.lists(st.integers(min_value=2, max_value=4), min_size=2, max_size=4),
    separator=st.sampled_from([" ", ".", "-", "", " - "]),
)
def test_a_phone_number_in_any_sentence_in_any_disguise_never_gets_through(
    data, prefix, groups, separator
):
    digits = [data.draw(st.text(alphabet="0123456789", min_size=n, max_size=n)) for n in groups]
    number = prefix + separator.join(digits)
    all_digits = re.sub(r"\D", "", number)
    assume(7 <= len(all_digits) <= 15)
    # The documented exceptions: amounts grouped in thousands and ranges of years.
    assume(not re.fullmatch(r"\d{1,3}(?:\.\d{3})+", number) or len(all_digits) > 8)
    assume(not re.fullmatch(r"(?:19|20)\d\d\s*-\s*(?:19|20)\d\d", number))
    text, _ = data.draw(inserted(number))
    out = scrub(text, [])
    # One token for it: [phone], or [address] after a street name, or [date] if it looks one.
    assert {PHONE, ADDRESS, DATE} & set(re.findall(r"\[\w+\]", out)), (text, out)
    assert all_digits not in re.sub(r"\D", "", fold(out)), (text, out)


email_part = st.from_regex(r"[a-z0-9]([a-z0-9._+-]{0,10}[a-z0-9])?", fullmatch=True)


@given(
    data=st.data(),
    local=email_part,
    domain=st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True),
    tld=st.sampled_from(["org", "com", "es", "co.uk", "com.mx"]),
)
def test_an_email_in_any_sentence_in_any_disguise_never_gets_through(data, local, domain, tld):
    email = f"{local}@{domain}.{tld}"
    text, _ = data.draw(inserted(email))
    out = scrub(text, [])
    assert "@" not in fold(out) and fold(email) not in fold(out), (text, out)


MONTHS = {
    "en": ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"],
    "es": ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
           "septiembre", "octubre", "noviembre", "diciembre"],
}  # fmt: skip


@given(
    data=st.data(),
    day=st.integers(min_value=1, max_value=28),
    month=st.integers(min_value=1, max_value=12),
    year=st.integers(min_value=1920, max_value=2025),
    form=st.sampled_from(["d/m/y", "iso", "d.m.y", "d month y", "month d, y", "d de mes de y"]),
)
def test_a_full_date_in_any_sentence_never_gets_through(data, day, month, year, form):
    written = {
        "d/m/y": f"{day}/{month}/{year}",
        "iso": f"{year}-{month:02d}-{day:02d}",
        "d.m.y": f"{day:02d}.{month:02d}.{year}",
        "d month y": f"{day} {MONTHS['en'][month - 1]} {year}",
        "month d, y": f"{MONTHS['en'][month - 1]} {day}, {year}",
        "d de mes de y": f"{day} de {MONTHS['es'][month - 1]} de {year}",
    }[form]
    text, _ = data.draw(inserted(written))
    out = scrub(text, [])
    assert str(year) not in fold(out), (text, out)


@given(sentence=st.sampled_from([s for _, s in ORDINARY_SENTENCES]))
def test_scrubbing_twice_changes_nothing_more(sentence):
    once = HIDE.scrub(f"Marisol: {sentence} 600 123 456")
    assert HIDE.scrub(once) == once
