"""Public holidays of the eight seed countries in 2026 and 2027, for working-day deadlines.

From the official national lists (regional holidays left out), the days off that fall from Monday
to Friday: the ones that move a deadline. A day off moved from a weekend is listed on the day
actually off (Albania, Greece). Islamic holidays follow the lunar calendar and are announced on
the moon sighting: their dates here are expected ones, to be corrected in the admin when
announced. Ukraine has no days off for holidays while martial law
is in force (since 24 February 2022), so none is seeded for it.

`seed_holidays()` is idempotent, for the directory's seed to call on every deploy.
"""

import datetime

from django.db import transaction

EXPECTED = " (expected date)"

# country code → the language of its local names → [(date, English name, local name)]
HOLIDAYS = {
    "AL": ("sq", [
        ("2026-01-01", "New Year", "Festat e Vitit të Ri"),
        ("2026-01-02", "New Year", "Festat e Vitit të Ri"),
        ("2026-03-16", "Summer Day (day off moved)", "Dita e Verës (ditë pushimi e shtyrë)"),
        ("2026-03-20", "Eid al-Fitr", "Dita e Bajramit të Madh"),
        ("2026-03-23", "Nowruz (day off moved)", "Dita e Nevruzit (ditë pushimi e shtyrë)"),
        ("2026-04-06", "Catholic Easter (day off moved)",
         "E diela e Pashkëve Katolike (ditë pushimi e shtyrë)"),
        ("2026-04-13", "Orthodox Easter (day off moved)",
         "E diela e Pashkëve Ortodokse (ditë pushimi e shtyrë)"),
        ("2026-05-01", "International Workers' Day", "Dita Ndërkombëtare e Punëtorëve"),
        ("2026-05-27", "Eid al-Adha", "Dita e Kurban Bajramit"),
        ("2026-09-07", "Saint Teresa Day (day off moved)",
         "Dita e Shenjtërimit të Shenjt Terezës (ditë pushimi e shtyrë)"),
        ("2026-11-23", "Alphabet Day (day off moved)", "Dita e Alfabetit (ditë pushimi e shtyrë)"),
        ("2026-11-30", "Flag and Independence Day (day off moved)",
         "Dita e Flamurit dhe e Pavarësisë (ditë pushimi e shtyrë)"),
        ("2026-12-01", "Liberation Day (day off moved)", "Dita e Çlirimit (ditë pushimi e shtyrë)"),
        ("2026-12-08", "National Youth Day", "Dita Kombëtare e Rinisë"),
        ("2026-12-25", "Christmas", "Krishtlindjet"),
        ("2027-01-01", "New Year", "Festat e Vitit të Ri"),
        ("2027-01-04", "New Year (day off moved)", "Festat e Vitit të Ri (ditë pushimi e shtyrë)"),
        ("2027-03-09", "Eid al-Fitr" + EXPECTED, "Dita e Bajramit të Madh"),
        ("2027-03-15", "Summer Day (day off moved)", "Dita e Verës (ditë pushimi e shtyrë)"),
        ("2027-03-22", "Nowruz", "Dita e Nevruzit"),
        ("2027-03-29", "Catholic Easter (day off moved)",
         "E diela e Pashkëve Katolike (ditë pushimi e shtyrë)"),
        ("2027-05-03", "International Workers' Day (day off moved)",
         "Dita Ndërkombëtare e Punëtorëve (ditë pushimi e shtyrë)"),
        ("2027-05-04", "Orthodox Easter (day off moved)",
         "E diela e Pashkëve Ortodokse (ditë pushimi e shtyrë)"),
        ("2027-05-17", "Eid al-Adha" + EXPECTED + " (day off moved)",
         "Dita e Kurban Bajramit (ditë pushimi e shtyrë)"),
        ("2027-09-06", "Saint Teresa Day (day off moved)",
         "Dita e Shenjtërimit të Shenjt Terezës (ditë pushimi e shtyrë)"),
        ("2027-11-22", "Alphabet Day", "Dita e Alfabetit"),
        ("2027-11-29", "Liberation Day", "Dita e Çlirimit"),
        ("2027-11-30", "Flag and Independence Day (day off moved)",
         "Dita e Flamurit dhe e Pavarësisë (ditë pushimi e shtyrë)"),
        ("2027-12-08", "National Youth Day", "Dita Kombëtare e Rinisë"),
        ("2027-12-27", "Christmas (day off moved)", "Krishtlindjet (ditë pushimi e shtyrë)"),
    ]),
    "ES": ("es", [
        ("2026-01-01", "New Year's Day", "Año Nuevo"),
        ("2026-01-06", "Epiphany", "Epifanía del Señor"),
        ("2026-04-03", "Good Friday", "Viernes Santo"),
        ("2026-05-01", "Labour Day", "Fiesta del Trabajo"),
        ("2026-10-12", "National Day of Spain", "Fiesta Nacional de España"),
        ("2026-12-08", "Immaculate Conception", "Inmaculada Concepción"),
        ("2026-12-25", "Christmas Day", "Natividad del Señor"),
        ("2027-01-01", "New Year's Day", "Año Nuevo"),
        ("2027-01-06", "Epiphany", "Epifanía del Señor"),
        ("2027-03-26", "Good Friday", "Viernes Santo"),
        ("2027-10-12", "National Day of Spain", "Fiesta Nacional de España"),
        ("2027-11-01", "All Saints' Day", "Todos los Santos"),
        ("2027-12-06", "Constitution Day", "Día de la Constitución Española"),
        ("2027-12-08", "Immaculate Conception", "Inmaculada Concepción"),
    ]),
    "FR": ("fr", [
        ("2026-01-01", "New Year's Day", "Jour de l'an"),
        ("2026-04-06", "Easter Monday", "Lundi de Pâques"),
        ("2026-05-01", "Labour Day", "Fête du Travail"),
        ("2026-05-08", "Victory in Europe Day", "Fête de la Victoire"),
        ("2026-05-14", "Ascension Day", "Ascension"),
        ("2026-05-25", "Whit Monday", "Lundi de Pentecôte"),
        ("2026-07-14", "National Day", "Fête nationale"),
        ("2026-11-11", "Armistice Day", "Armistice"),
        ("2026-12-25", "Christmas Day", "Noël"),
        ("2027-01-01", "New Year's Day", "Jour de l'an"),
        ("2027-03-29", "Easter Monday", "Lundi de Pâques"),
        ("2027-05-06", "Ascension Day", "Ascension"),
        ("2027-05-17", "Whit Monday", "Lundi de Pentecôte"),
        ("2027-07-14", "National Day", "Fête nationale"),
        ("2027-11-01", "All Saints' Day", "Toussaint"),
        ("2027-11-11", "Armistice Day", "Armistice"),
    ]),
    "GR": ("el", [
        ("2026-01-01", "New Year's Day", "Πρωτοχρονιά"),
        ("2026-01-06", "Epiphany", "Θεοφάνεια"),
        ("2026-02-23", "Clean Monday", "Καθαρά Δευτέρα"),
        ("2026-03-25", "Independence Day", "Εικοστή Πέμπτη Μαρτίου"),
        ("2026-04-10", "Good Friday", "Μεγάλη Παρασκευή"),
        ("2026-04-13", "Easter Monday", "Δευτέρα του Πάσχα"),
        ("2026-05-01", "Labour Day", "Εργατική Πρωτομαγιά"),
        ("2026-06-01", "Whit Monday", "Δευτέρα του Αγίου Πνεύματος"),
        ("2026-10-28", "Ochi Day", "Ημέρα του Όχι"),
        ("2026-12-25", "Christmas Day", "Χριστούγεννα"),
        ("2027-01-01", "New Year's Day", "Πρωτοχρονιά"),
        ("2027-01-06", "Epiphany", "Θεοφάνεια"),
        ("2027-03-15", "Clean Monday", "Καθαρά Δευτέρα"),
        ("2027-03-25", "Independence Day", "Εικοστή Πέμπτη Μαρτίου"),
        ("2027-04-30", "Good Friday", "Μεγάλη Παρασκευή"),
        ("2027-05-03", "Easter Monday", "Δευτέρα του Πάσχα"),
        ("2027-05-04", "Labour Day (day off moved)", "Εργατική Πρωτομαγιά (μεταφορά)"),
        ("2027-06-21", "Whit Monday", "Δευτέρα του Αγίου Πνεύματος"),
        ("2027-10-28", "Ochi Day", "Ημέρα του Όχι"),
    ]),
    "IT": ("it", [
        ("2026-01-01", "New Year's Day", "Capodanno"),
        ("2026-01-06", "Epiphany", "Epifania"),
        ("2026-04-06", "Easter Monday", "Lunedì dell'Angelo"),
        ("2026-05-01", "Labour Day", "Festa del Lavoro"),
        ("2026-06-02", "Republic Day", "Festa della Repubblica"),
        ("2026-12-08", "Immaculate Conception", "Immacolata Concezione"),
        ("2026-12-25", "Christmas Day", "Natale"),
        ("2027-01-01", "New Year's Day", "Capodanno"),
        ("2027-01-06", "Epiphany", "Epifania"),
        ("2027-03-29", "Easter Monday", "Lunedì dell'Angelo"),
        ("2027-06-02", "Republic Day", "Festa della Repubblica"),
        ("2027-10-04", "Saint Francis of Assisi", "San Francesco d'Assisi, patrono d'Italia"),
        ("2027-11-01", "All Saints' Day", "Ognissanti"),
        ("2027-12-08", "Immaculate Conception", "Immacolata Concezione"),
    ]),
    "MA": ("ar", [
        ("2026-01-01", "New Year's Day", "رأس السنة الميلادية"),
        ("2026-01-14", "Amazigh New Year", "رأس السنة الأمازيغية"),
        ("2026-03-20", "Eid al-Fitr" + EXPECTED, "عيد الفطر"),
        ("2026-05-01", "Labour Day", "عيد العمال"),
        ("2026-05-27", "Eid al-Adha" + EXPECTED, "عيد الأضحى"),
        ("2026-05-28", "Eid al-Adha" + EXPECTED, "عيد الأضحى"),
        ("2026-06-16", "Islamic New Year" + EXPECTED, "رأس السنة الهجرية"),
        ("2026-07-30", "Throne Day", "عيد العرش"),
        ("2026-08-14", "Oued Ed-Dahab Day", "ذكرى استرجاع إقليم وادي الذهب"),
        ("2026-08-20", "Revolution of the King and the People", "ذكرى ثورة الملك والشعب"),
        ("2026-08-21", "Youth Day", "عيد الشباب"),
        ("2026-08-25", "The Prophet's Birthday" + EXPECTED, "عيد المولد النبوي"),
        ("2026-08-26", "The Prophet's Birthday" + EXPECTED, "عيد المولد النبوي"),
        ("2026-11-06", "Green March", "ذكرى المسيرة الخضراء"),
        ("2026-11-18", "Independence Day", "عيد الاستقلال"),
        ("2027-01-01", "New Year's Day", "رأس السنة الميلادية"),
        ("2027-01-11", "Proclamation of Independence", "ذكرى تقديم وثيقة الاستقلال"),
        ("2027-01-14", "Amazigh New Year", "رأس السنة الأمازيغية"),
        ("2027-03-09", "Eid al-Fitr" + EXPECTED, "عيد الفطر"),
        ("2027-03-10", "Eid al-Fitr" + EXPECTED, "عيد الفطر"),
        ("2027-05-17", "Eid al-Adha" + EXPECTED, "عيد الأضحى"),
        ("2027-07-30", "Throne Day", "عيد العرش"),
        ("2027-08-20", "Revolution of the King and the People", "ذكرى ثورة الملك والشعب"),
        ("2027-11-18", "Independence Day", "عيد الاستقلال"),
    ]),
    "PL": ("pl", [
        ("2026-01-01", "New Year's Day", "Nowy Rok"),
        ("2026-01-06", "Epiphany", "Święto Trzech Króli"),
        ("2026-04-06", "Easter Monday", "Poniedziałek Wielkanocny"),
        ("2026-05-01", "Labour Day", "Święto Państwowe"),
        ("2026-06-04", "Corpus Christi", "Boże Ciało"),
        ("2026-11-11", "Independence Day", "Narodowe Święto Niepodległości"),
        ("2026-12-24", "Christmas Eve", "Wigilia Bożego Narodzenia"),
        ("2026-12-25", "Christmas Day", "Boże Narodzenie (pierwszy dzień)"),
        ("2027-01-01", "New Year's Day", "Nowy Rok"),
        ("2027-01-06", "Epiphany", "Święto Trzech Króli"),
        ("2027-03-29", "Easter Monday", "Poniedziałek Wielkanocny"),
        ("2027-05-03", "Constitution Day", "Święto Narodowe Trzeciego Maja"),
        ("2027-05-27", "Corpus Christi", "Boże Ciało"),
        ("2027-11-01", "All Saints' Day", "Wszystkich Świętych"),
        ("2027-11-11", "Independence Day", "Narodowe Święto Niepodległości"),
        ("2027-12-24", "Christmas Eve", "Wigilia Bożego Narodzenia"),
    ]),
    "UA": ("uk", []),
}  # fmt: skip


def seed_holidays() -> int:
    """Create or update the listed holidays of the countries that exist; the number listed."""
    from trm.directory.models import Country, Holiday

    countries = Country.objects.in_bulk(list(HOLIDAYS), field_name="code")
    seeded = 0
    with transaction.atomic():
        for code, (language, holidays) in HOLIDAYS.items():
            country = countries.get(code)
            if country is None:
                continue
            for day, english, local in holidays:
                Holiday.objects.update_or_create(
                    country=country,
                    date=datetime.date.fromisoformat(day),
                    defaults={"name": {"en": english, language: local}},
                )
                seeded += 1
    return seeded
