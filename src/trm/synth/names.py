"""Invented people's names, by nationality, in their own script with Latin transliterations.

Each name is (native, latin, alternative Latin spellings). For Latin-script nationalities the
native form is the Latin one and the alternatives are spellings other countries' officials
write (Hoxha, Hodja). The alternatives feed the deliberate near-duplicates: the same person
registered by another case worker, from another document, in another transliteration.
Small lists on purpose: names repeat across a large population, as they do in life.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Name:
    native: str
    latin: str
    alternatives: tuple[str, ...] = ()


def _names(rows: str) -> tuple[Name, ...]:
    """One name a line: `native | latin | alternative, alternative`."""
    found = []
    for line in rows.strip().splitlines():
        parts = [part.strip() for part in line.split("|")]
        native, latin = parts[0], parts[1] if len(parts) > 1 and parts[1] else parts[0]
        alternatives = tuple(a.strip() for a in parts[2].split(",")) if len(parts) > 2 else ()
        found.append(Name(native, latin, tuple(a for a in alternatives if a)))
    return tuple(found)


@dataclass(frozen=True)
class NameGroup:
    """How the people of one nationality are named."""

    script: str  # latin, cyrillic, greek, arabic
    language: str  # the language they are counselled in (trm.lib.languages)
    female: tuple[Name, ...]
    male: tuple[Name, ...]
    family: tuple[Name, ...]
    # Family names with a feminine form: Bulgarian -ov/-ova, Polish -ski/-ska; Greek pairs are
    # written out in `family_female` instead.
    family_female: tuple[Name, ...] = ()
    feminine_rule: str = ""

    def family_for(self, index: int, female: bool) -> Name:
        name = self.family[index % len(self.family)]
        if not female:
            return name
        if self.family_female:
            return self.family_female[index % len(self.family_female)]
        if self.feminine_rule == "slavic_ov":
            return _feminine_ov(name)
        if self.feminine_rule == "polish_ski":
            return _feminine_ski(name)
        return name


def _feminine_ov(name: Name) -> Name:
    def form(text: str) -> str:
        if text.endswith(("ов", "ев")):
            return text + "а"
        if text.endswith(("ov", "ev")):
            return text + "a"
        return text

    return Name(form(name.native), form(name.latin), tuple(form(a) for a in name.alternatives))


def _feminine_ski(name: Name) -> Name:
    def form(text: str) -> str:
        return text[:-1] + "a" if text.endswith(("ski", "cki", "dzki")) else text

    return Name(form(name.native), form(name.latin), tuple(form(a) for a in name.alternatives))


UKRAINIAN = NameGroup(
    script="cyrillic",
    language="uk",
    female=_names("""
        Олена | Olena | Elena, Olyena
        Оксана | Oksana | Oxana
        Ірина | Iryna | Irina
        Наталія | Nataliia | Natalia, Nataliya, Natalija
        Тетяна | Tetiana | Tetyana, Tatiana
        Юлія | Yuliia | Yulia, Julia, Iuliia
        Марія | Mariia | Maria, Mariya
        Анна | Anna | Hanna
        Світлана | Svitlana | Svetlana
        Людмила | Liudmyla | Lyudmyla, Ludmila
        Вікторія | Viktoriia | Viktoria, Victoria
        Катерина | Kateryna | Katerina, Ekaterina
        Галина | Halyna | Galina, Halina
        Ольга | Olha | Olga
        Надія | Nadiia | Nadiya, Nadia
        Христина | Khrystyna | Hrystyna, Kristina
        Дарина | Daryna | Darina
        Софія | Sofiia | Sofia, Sofiya
        Валентина | Valentyna | Valentina
        Яна | Yana | Iana, Jana
    """),
    male=_names("""
        Андрій | Andrii | Andriy, Andrey, Andrij
        Олександр | Oleksandr | Aleksandr, Alexander
        Сергій | Serhii | Serhiy, Sergey, Sergii
        Микола | Mykola | Nikolai, Mikola
        Іван | Ivan
        Василь | Vasyl | Vasil, Wasyl
        Дмитро | Dmytro | Dmitro, Dmitry
        Петро | Petro
        Юрій | Yurii | Yuriy, Yuri, Jurij
        Олег | Oleh | Oleg
        Віталій | Vitalii | Vitaliy, Vitaly
        Богдан | Bohdan | Bogdan
        Тарас | Taras
        Євген | Yevhen | Ievgen, Evgeny
        Максим | Maksym | Maxim, Maksim
    """),
    family=_names("""
        Коваленко | Kovalenko | Kowalenko
        Шевченко | Shevchenko | Chevtchenko, Szewczenko, Schewtschenko
        Бондаренко | Bondarenko
        Ткаченко | Tkachenko | Tkatchenko, Tkaczenko
        Кравченко | Kravchenko | Kravtchenko, Krawczenko
        Мельник | Melnyk | Melnik, Mielnik
        Бойко | Boiko | Boyko, Bojko
        Шевчук | Shevchuk | Chevtchouk, Szewczuk
        Коваль | Koval | Kowal
        Поліщук | Polishchuk | Polischuk, Poliszczuk
        Лисенко | Lysenko | Lissenko, Lisenko
        Марченко | Marchenko | Martchenko, Marczenko
        Савченко | Savchenko | Sawczenko
        Руденко | Rudenko
        Петренко | Petrenko
        Мороз | Moroz
        Павленко | Pavlenko | Pawlenko
        Гончаренко | Honcharenko | Goncharenko, Gontcharenko
        Олійник | Oliinyk | Oliynyk, Olejnik
        Левченко | Levchenko | Lewczenko
        Харченко | Kharchenko | Harchenko, Charczenko
        Зінченко | Zinchenko | Zintchenko
        Кузьменко | Kuzmenko | Kuzmienko
        Клименко | Klymenko | Klimenko
        Романюк | Romaniuk | Romanyuk
        Гнатюк | Hnatiuk | Gnatyuk, Hnatyuk
    """),
)

BULGARIAN = NameGroup(
    script="cyrillic",
    language="bg",
    female=_names("""
        Мария | Mariya | Maria
        Елена | Elena
        Иванка | Ivanka
        Десислава | Desislava | Dessislava
        Габриела | Gabriela
        Цветелина | Tsvetelina | Cvetelina, Zvetelina
        Йорданка | Yordanka | Jordanka, Iordanka
        Росица | Rositsa | Rositza, Rosica
        Силвия | Silviya | Silvia
        Радка | Radka
    """),
    male=_names("""
        Георги | Georgi
        Иван | Ivan
        Димитър | Dimitar | Dimiter, Dimitur
        Николай | Nikolay | Nikolai
        Стоян | Stoyan | Stojan
        Христо | Hristo | Christo, Khristo
        Петър | Petar | Peter
        Йордан | Yordan | Jordan, Iordan
    """),
    family=_names("""
        Иванов | Ivanov
        Петров | Petrov
        Георгиев | Georgiev | Gueorguiev
        Димитров | Dimitrov
        Стоянов | Stoyanov | Stojanov
        Николов | Nikolov
        Христов | Hristov | Khristov, Christov
        Тодоров | Todorov
        Ангелов | Angelov
        Колев | Kolev
    """),
    feminine_rule="slavic_ov",
)

GREEK = NameGroup(
    script="greek",
    language="el",
    female=_names("""
        Μαρία | Maria
        Ελένη | Eleni | Helen
        Αικατερίνη | Aikaterini | Ekaterini, Katerina
        Βασιλική | Vasiliki | Vassiliki
        Σοφία | Sofia | Sophia
        Αγγελική | Angeliki | Aggeliki
        Γεωργία | Georgia | Yeorgia
        Δήμητρα | Dimitra | Demetra
        Ευαγγελία | Evangelia | Evaggelia
        Χριστίνα | Christina | Hristina, Xristina
        Παρασκευή | Paraskevi
        Ιωάννα | Ioanna | Joanna
    """),
    male=_names("""
        Γεώργιος | Georgios | Giorgos, Yiorgos
        Ιωάννης | Ioannis | Giannis, Yannis
        Κωνσταντίνος | Konstantinos | Constantinos, Kostas
        Δημήτριος | Dimitrios | Dimitris, Demetrios
        Νικόλαος | Nikolaos | Nikos
        Παναγιώτης | Panagiotis | Panayiotis
        Χρήστος | Christos | Hristos, Xristos
        Βασίλειος | Vasileios | Vasilios, Vassilis
        Αθανάσιος | Athanasios | Thanasis
        Μιχαήλ | Michail | Michael, Mihail
    """),
    family=_names("""
        Παπαδόπουλος | Papadopoulos | Papadopulos
        Γεωργίου | Georgiou | Yeorgiou
        Παπαδάκης | Papadakis
        Βλάχος | Vlachos | Vlahos
        Αντωνίου | Antoniou
        Οικονόμου | Oikonomou | Economou, Ikonomou
        Καραγιάννης | Karagiannis | Karayannis
        Νικολάου | Nikolaou | Nicolaou
        Δημητρίου | Dimitriou | Demetriou
        Μακρής | Makris
        Παππάς | Pappas
        Σταυρόπουλος | Stavropoulos
    """),
    family_female=_names("""
        Παπαδοπούλου | Papadopoulou | Papadopulu
        Γεωργίου | Georgiou | Yeorgiou
        Παπαδάκη | Papadaki
        Βλάχου | Vlachou | Vlahou
        Αντωνίου | Antoniou
        Οικονόμου | Oikonomou | Economou, Ikonomou
        Καραγιάννη | Karagianni | Karayanni
        Νικολάου | Nikolaou | Nicolaou
        Δημητρίου | Dimitriou | Demetriou
        Μακρή | Makri
        Παππά | Pappa
        Σταυροπούλου | Stavropoulou
    """),
)

# Moroccan names: the Latin form is the one Moroccan documents use (French conventions); the
# first alternative is the English-style form Egyptian and Syrian documents use.
ARABIC_FEMALE = _names("""
    فاطمة | Fatima | Fatma, Fatema, Fatimah
    خديجة | Khadija | Khadeeja, Khadidja, Hadija
    مريم | Meryem | Maryam, Mariam, Meriem
    زينب | Zineb | Zainab, Zaynab
    سلمى | Salma | Selma
    نادية | Nadia | Nadiya
    حنان | Hanane | Hanan
    سناء | Sanaa | Sana
    إيمان | Imane | Iman, Eman
    أمينة | Amina | Aminah
    سعاد | Souad | Suad, Soad
    لطيفة | Latifa | Latefa
    هند | Hind
    نجاة | Najat | Nagat, Najate
    رشيدة | Rachida | Rashida
    سكينة | Soukaina | Sukaina, Sakina
    وفاء | Wafae | Wafaa, Wafa
    ياسمين | Yasmine | Yasmin
""")
ARABIC_MALE = _names("""
    محمد | Mohamed | Mohammed, Muhammad, Mohamad, Mouhamed
    يوسف | Youssef | Yusuf, Yousef, Youcef
    أحمد | Ahmed | Ahmad
    عبد الله | Abdellah | Abdullah, Abdallah
    مصطفى | Mustapha | Mostafa, Mustafa, Moustapha
    رشيد | Rachid | Rashid
    خالد | Khalid | Khaled
    إبراهيم | Brahim | Ibrahim, Ebrahim
    عمر | Omar | Umar
    حسن | Hassan | Hasan
    سعيد | Said | Saeed
    كريم | Karim | Kareem
    أيوب | Ayoub | Ayyub, Ayub
    حمزة | Hamza | Hamzah
    إسماعيل | Ismail | Ismael, Smail
    عبد الرحيم | Abderrahim | Abdul Rahim, Abdelrahim
""")

MOROCCAN = NameGroup(
    script="arabic",
    language="ar",
    female=ARABIC_FEMALE,
    male=ARABIC_MALE,
    family=_names("""
        العلوي | Alaoui | Alawi, El Alaoui
        بنعلي | Benali | Bin Ali, Ben Ali
        التازي | Tazi | El Tazi, Ettazi
        بناني | Bennani | Banani
        الإدريسي | El Idrissi | Al Idrisi, Idrissi
        العمراني | El Amrani | Al Omrani, Amrani
        الفاسي | El Fassi | Al Fasi, Fassi
        بوزيدي | Bouzidi | Bouzidy
        الصديقي | Seddiki | Siddiqi, Essediki
        الحسني | El Hassani | Al Hasani, Hassani
        الشرقاوي | Cherkaoui | Sharqawi, Charkaoui
        بنجلون | Benjelloun | Bin Jallun, Ben Jelloun
        الزياني | Ziani | Al Zayani, Ezziani
        المرابط | Mrabet | Al Murabit, El Mrabet
        أوحمو | Ouhammou | Ouhamou
        الرحموني | Rahmouni | Al Rahmuni, Errahmouni
        بوعزة | Bouazza | Bu Azza
        الكتاني | Kettani | Al Kattani, El Kettani
    """),
)

MASHRIQ_FAMILY = _names("""
    محمود | Mahmoud | Mahmud
    عبد الرحمن | Abdel Rahman | Abdelrahman, Abd al-Rahman
    السيد | El Sayed | Elsayed, Al-Sayyid
    فرج | Farag | Faraj
    الأحمد | Al Ahmad | Alahmad, Al Ahmed
    الخطيب | Al Khatib | Alkhatib, El Khatib
    حداد | Haddad
    الشامي | Al Shami | Chami, Shami
    النجار | Al Najjar | Najjar, Alnajjar
    سليمان | Suleiman | Soliman, Sleiman
    عثمان | Othman | Osman, Uthman
    الحلبي | Al Halabi | Halabi
""")


def _english_style(names: tuple[Name, ...]) -> tuple[Name, ...]:
    """The same names with their English-style spelling first (Egyptian, Syrian documents)."""
    return tuple(
        Name(n.native, n.alternatives[0], (n.latin, *n.alternatives[1:])) if n.alternatives else n
        for n in names
    )


MASHRIQI = NameGroup(
    script="arabic",
    language="ar",
    female=_english_style(ARABIC_FEMALE),
    male=_english_style(ARABIC_MALE),
    family=MASHRIQ_FAMILY,
)

ALBANIAN = NameGroup(
    script="latin",
    language="sq",
    female=_names("""
        Anila
        Blerina
        Elona
        Arta
        Drita
        Mirela
        Ornela
        Klodiana
        Jonida
        Enkelejda | | Enkeleida
        Fjorela
        Rozana
        Albana
        Valbona
        Xhesika | | Jessica, Dzhesika
        Manjola
        Eriola
        Brunilda
        Gentiana
        Bukurije | | Bukuria
    """),
    male=_names("""
        Ermal
        Dritan
        Besnik
        Artan
        Gentian | | Gjentian
        Arben
        Fatmir
        Ilir
        Klodian
        Erion
        Endrit
        Altin
        Bledar
        Gëzim | | Gezim
        Agron
        Sokol
    """),
    family=_names("""
        Hoxha | | Hodja, Hodscha, Hodża
        Krasniqi | | Krasnici, Krasniki
        Leka
        Shehu | | Sheu, Cheou
        Gashi
        Dervishi | | Dervisi
        Kola
        Çela | | Cela, Chela
        Muça | | Muca, Mucha
        Hysa
        Bajraktari | | Bajrakatari
        Berisha
        Marku
        Prifti
        Shkëmbi | | Shkembi
        Zeneli
        Xhafa | | Djafa, Dzhafa
        Kuçi | | Kuci
        Ndreu
        Gjoka | | Djoka
        Lleshi | | Leshi
        Hasani
    """),
)

NIGERIAN = NameGroup(
    script="latin",
    language="en",
    female=_names("""
        Blessing
        Joy
        Precious
        Faith
        Gift
        Esther
        Mercy
        Favour | | Favor
        Patience
        Osarugue
        Efe
        Ivie
        Osasere
        Chioma
        Ngozi
        Adaeze
        Funmilayo | | Funmilola
        Comfort
    """),
    male=_names("""
        Emmanuel
        Samuel
        Osagie
        Chinedu
        Ikechukwu
        Tunde
        Femi
        Uche
        Godwin
        Friday
        Kelvin | | Kelvine
        Osaze
    """),
    family=_names("""
        Osagie
        Igbinedion | | Igbinidion
        Okafor
        Okonkwo
        Eze
        Adeyemi
        Ogunleye
        Ehigiator
        Omoregie | | Omorogie
        Iyamu
        Aigbe
        Edosomwan
        Obaseki
        Nwosu
        Okoro
        Uwaifo
        Idahosa
        Egharevba
    """),
)

ROMANIAN = NameGroup(
    script="latin",
    language="ro",
    female=_names("""
        Ioana
        Maria
        Elena
        Andreea | | Andrea
        Alexandra
        Mihaela
        Cristina
        Georgiana
        Ramona
        Florentina
        Nicoleta
        Denisa
        Roxana
        Bianca
    """),
    male=_names("""
        Ion
        Andrei
        Alexandru
        Mihai
        Constantin
        Florin
        Marius
        Cătălin | | Catalin
        Gheorghe
        Ionuț | | Ionut
        Adrian
        Vasile
    """),
    family=_names("""
        Popescu
        Ionescu
        Popa
        Stan
        Dumitru
        Stoica
        Matei
        Ciobanu | | Ciobano
        Rusu
        Munteanu
        Stănescu | | Stanescu
        Lungu
        Moldovan
        Mihăilă | | Mihaila
        Ursu
        Cebotari | | Ceobotari
        Țurcan | | Turcan, Tsurkan
        Guțu | | Gutu
    """),
)

POLISH = NameGroup(
    script="latin",
    language="pl",
    female=_names("""
        Anna
        Katarzyna
        Małgorzata | | Malgorzata
        Agnieszka
        Joanna
        Magdalena
        Ewa
        Monika
        Justyna
        Paulina
    """),
    male=_names("""
        Piotr
        Krzysztof
        Tomasz
        Paweł | | Pawel
        Marcin
        Michał | | Michal
        Łukasz | | Lukasz
        Grzegorz
        Jakub
        Wojciech
    """),
    family=_names("""
        Nowak
        Kowalski
        Wiśniewski | | Wisniewski
        Wójcik | | Wojcik
        Kowalczyk
        Kamiński | | Kaminski
        Lewandowski
        Zieliński | | Zielinski
        Szymański | | Szymanski
        Woźniak | | Wozniak
        Dąbrowski | | Dabrowski
        Kozłowski | | Kozlowski
        Mazur
        Kwiatkowski
        Krawczyk
        Grabowski
    """),
    feminine_rule="polish_ski",
)

# Nationality → how its people are named.
NAME_GROUPS = {
    "UA": UKRAINIAN,
    "BG": BULGARIAN,
    "MD": ROMANIAN,
    "RO": ROMANIAN,
    "GR": GREEK,
    "MA": MOROCCAN,
    "EG": MASHRIQI,
    "SY": MASHRIQI,
    "AL": ALBANIAN,
    "NG": NIGERIAN,
    "PL": POLISH,
}
