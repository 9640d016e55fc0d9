"""The organisations seeded for the eight countries, hosted on this node: public institutions,
no person named.

"services" are ServiceKind values, languages come from trm.lib.languages.SPOKEN_LANGUAGES, and a
blank "area_served" means the whole country. Shelter addresses are never published.
"""

SHELTER_ADDRESS_NOTE = "Shelter address given on referral only."

ORGANISATIONS = [
    # France ----------------------------------------------------------------------------------
    {
        "country": "FR",
        "slug": "fr-ministry-foreign-affairs",
        "name": "Ministère de l'Europe et des Affaires étrangères",
        "kind": "other",
        "description": {
            "en": (
                "Ministry for Europe and Foreign Affairs; France's partner in the TACT project and "
                "the TRM focal point. Its consular network helps verify identity and travel "
                "documents for returns."
            ),
            "fr": (
                "Ministère de l'Europe et des Affaires étrangères ; partenaire français du projet "
                "TACT et point focal du mécanisme transnational d'orientation. Son réseau "
                "consulaire aide à vérifier l'identité et les documents de voyage pour les "
                "retours."
            ),
        },
        "area_served": "",
        "languages": "fr,en",
        "serves_adults": True,
        "serves_children": True,
        "website": "https://www.diplomatie.gouv.fr",
        "address": "37 quai d'Orsay, 75007 Paris",
        "is_focal_point": True,
        "services": ["document_recovery"],
    },
    {
        "country": "FR",
        "slug": "fr-miprof",
        "name": (
            "Mission interministérielle pour la protection des femmes contre les violences et la "
            "lutte contre la traite des êtres humains (MIPROF)"
        ),
        "kind": "coordinator",
        "description": {
            "en": (
                "Interministerial mission that coordinates the national action plan against "
                "trafficking in human beings and trains professionals."
            ),
            "fr": (
                "Mission interministérielle qui coordonne le plan national de lutte contre la "
                "traite des êtres humains et forme les professionnels."
            ),
        },
        "area_served": "",
        "languages": "fr,en",
        "serves_adults": True,
        "serves_children": True,
        "address": "Paris",
        "services": [],
    },
    {
        "country": "FR",
        "slug": "fr-ocrteh",
        "name": "Office central pour la répression de la traite des êtres humains (OCRTEH)",
        "kind": "police",
        "description": {
            "en": (
                "National police office specialised in trafficking in human beings; identifies "
                "victims and leads investigations with the public prosecutor."
            ),
            "fr": (
                "Office de la police nationale spécialisé dans la traite des êtres humains ; "
                "identifie les victimes et conduit les enquêtes sous l'autorité du procureur."
            ),
        },
        "area_served": "",
        "languages": "fr,en",
        "serves_adults": True,
        "serves_children": True,
        "services": [],
    },
    {
        "country": "FR",
        "slug": "iom-france",
        "name": "Organisation internationale pour les migrations (OIM) – Bureau en France",
        "kind": "international",
        "description": {
            "en": (
                "IOM's office in France: assisted voluntary return, family tracing and "
                "coordination with IOM missions in countries of origin; TACT partner."
            ),
            "fr": (
                "Bureau de l'OIM en France : aide au retour volontaire, recherche familiale et "
                "coordination avec les missions de l'OIM dans les pays d'origine ; partenaire du "
                "projet TACT."
            ),
        },
        "area_served": "",
        "languages": "fr,en,es,ar",
        "serves_adults": True,
        "serves_children": True,
        "website": "https://france.iom.int",
        "address": "Paris",
        "services": ["escort", "airport_reception", "family_tracing", "document_recovery"],
    },
    {
        "country": "FR",
        "slug": "fr-acse",
        "name": "Dispositif national Ac.Sé (Accueil sécurisé)",
        "kind": "ngo",
        "description": {
            "en": (
                "National network of partner shelters, coordinated by the association ALC in "
                "Nice, that accommodates adult victims who must be moved away from the place of "
                "exploitation; also a resource centre for professionals."
            ),
            "fr": (
                "Réseau national de centres d'hébergement partenaires, coordonné par "
                "l'association ALC à Nice, qui accueille les victimes majeures devant être "
                "éloignées du lieu d'exploitation ; également centre de ressources pour les "
                "professionnels."
            ),
        },
        "area_served": "",
        "languages": "fr,en",
        "serves_adults": True,
        "serves_children": False,
        "website": "https://www.acse-alc.org",
        "capacity_note": "Places in partner shelters across France. " + SHELTER_ADDRESS_NOTE,
        "services": ["shelter", "psychosocial", "legal_aid", "medical"],
    },
    {
        "country": "FR",
        "slug": "fr-ccem",
        "name": "Comité Contre l'Esclavage Moderne (CCEM)",
        "kind": "ngo",
        "description": {
            "en": (
                "Association supporting victims of domestic servitude and labour exploitation: "
                "legal support through proceedings, social and psychological follow-up, "
                "accommodation."
            ),
            "fr": (
                "Association qui accompagne les victimes de servitude domestique et "
                "d'exploitation par le travail : accompagnement juridique dans les procédures, "
                "suivi social et psychologique, hébergement."
            ),
        },
        "area_served": "",
        "languages": "fr,en",
        "serves_adults": True,
        "serves_children": False,
        "website": "https://www.esclavagemoderne.org",
        "services": ["legal_aid", "psychosocial", "housing"],
    },
    {
        "country": "FR",
        "slug": "fr-hors-la-rue",
        "name": "Hors la Rue",
        "kind": "ngo",
        "description": {
            "en": (
                "Association working with foreign children and young people in danger, "
                "including child victims of trafficking and forced criminality: street "
                "outreach, day centre, social and educational support."
            ),
            "fr": (
                "Association qui accompagne les mineurs et jeunes étrangers en danger, dont les "
                "enfants victimes de traite et de contrainte à commettre des délits : maraudes, "
                "accueil de jour, accompagnement social et éducatif."
            ),
        },
        "area_served": "Île-de-France",
        "languages": "fr,en,ro,ar",
        "serves_adults": False,
        "serves_children": True,
        "website": "https://horslarue.org",
        "services": ["child_protection", "psychosocial", "education"],
    },
    {
        "country": "FR",
        "slug": "fr-aide-sociale-enfance",
        "name": "Aide sociale à l'enfance (services départementaux)",
        "kind": "child_protection",
        "description": {
            "en": (
                "The departmental child welfare services, which take unaccompanied and "
                "endangered children into care on a court order. Children at risk can be "
                "reported to the national line 119."
            ),
            "fr": (
                "Les services départementaux d'aide sociale à l'enfance, qui prennent en charge "
                "les mineurs non accompagnés et en danger sur décision judiciaire. Un enfant en "
                "danger peut être signalé au 119."
            ),
        },
        "area_served": "",
        "languages": "fr",
        "serves_adults": False,
        "serves_children": True,
        "services": ["child_protection", "shelter", "education"],
    },
    # Greece ----------------------------------------------------------------------------------
    {
        "country": "GR",
        "slug": "gr-national-rapporteur",
        "name": "Office of the National Rapporteur on Trafficking in Human Beings",
        "kind": "coordinator",
        "description": {
            "en": (
                "Coordinates Greece's anti-trafficking policy and the work of the National "
                "Referral Mechanism; Greece's partner in the TACT project and the TRM focal "
                "point."
            ),
            "el": (
                "Συντονίζει την πολιτική της Ελλάδας κατά της εμπορίας ανθρώπων και το έργο του "
                "Εθνικού Μηχανισμού Αναφοράς· εταίρος της Ελλάδας στο έργο TACT και σημείο "
                "επαφής του διακρατικού μηχανισμού παραπομπής."
            ),
        },
        "area_served": "",
        "languages": "el,en",
        "serves_adults": True,
        "serves_children": True,
        "address": "Athens",
        "is_focal_point": True,
        "services": [],
    },
    {
        "country": "GR",
        "slug": "gr-ekka",
        "name": "National Centre for Social Solidarity (EKKA)",
        "kind": "nrm_authority",
        "description": {
            "en": (
                "Runs the National Referral Mechanism for victims of trafficking, the 197 "
                "national helpline for psychosocial support and emergency shelters."
            ),
            "el": (
                "Λειτουργεί τον Εθνικό Μηχανισμό Αναφοράς για τα θύματα εμπορίας ανθρώπων, τη "
                "γραμμή 197 για ψυχοκοινωνική υποστήριξη και δομές φιλοξενίας έκτακτης ανάγκης."
            ),
        },
        "area_served": "",
        "languages": "el,en",
        "serves_adults": True,
        "serves_children": True,
        "phone": "197",
        "website": "https://www.ekka.org.gr",
        "address": "Athens",
        "services": ["shelter", "psychosocial", "child_protection"],
    },
    {
        "country": "GR",
        "slug": "gr-hellenic-police-anti-trafficking",
        "name": "Hellenic Police – Anti-Trafficking Units",
        "kind": "police",
        "description": {
            "en": (
                "Specialised police units against trafficking in human beings; identify victims "
                "and investigate, reporting to the public prosecutor."
            ),
            "el": (
                "Εξειδικευμένες υπηρεσίες της Ελληνικής Αστυνομίας κατά της εμπορίας ανθρώπων· "
                "εντοπίζουν θύματα και διενεργούν έρευνες, αναφέροντας στον εισαγγελέα."
            ),
        },
        "area_served": "",
        "languages": "el,en",
        "serves_adults": True,
        "serves_children": True,
        "services": [],
    },
    {
        "country": "GR",
        "slug": "iom-greece",
        "name": "International Organization for Migration (IOM) – Mission in Greece",
        "kind": "international",
        "description": {
            "en": (
                "IOM's mission in Greece: assisted voluntary return and reintegration, support "
                "for victims of trafficking and unaccompanied children; TACT partner."
            ),
            "el": (
                "Η αποστολή του ΔΟΜ στην Ελλάδα: υποβοηθούμενη εθελοντική επιστροφή και "
                "επανένταξη, υποστήριξη θυμάτων εμπορίας ανθρώπων και ασυνόδευτων παιδιών· "
                "εταίρος του έργου TACT."
            ),
        },
        "area_served": "",
        "languages": "el,en,fr,ar,fa,ur",
        "serves_adults": True,
        "serves_children": True,
        "website": "https://greece.iom.int",
        "address": "Athens",
        "services": [
            "escort",
            "airport_reception",
            "family_tracing",
            "psychosocial",
            "document_recovery",
        ],
    },
    {
        "country": "GR",
        "slug": "gr-a21",
        "name": "A21",
        "kind": "ngo",
        "description": {
            "en": (
                "Anti-trafficking organisation offering survivors case management, counselling, "
                "legal support and help towards training and work."
            ),
            "el": (
                "Οργάνωση κατά της εμπορίας ανθρώπων που προσφέρει στους επιζώντες διαχείριση "
                "περίπτωσης, συμβουλευτική, νομική στήριξη και βοήθεια για κατάρτιση και "
                "εργασία."
            ),
        },
        "area_served": "Attica, Central Macedonia",
        "languages": "el,en",
        "serves_adults": True,
        "serves_children": False,
        "website": "https://www.a21.org",
        "address": "Thessaloniki",
        "services": ["psychosocial", "legal_aid", "vocational_training"],
    },
    {
        "country": "GR",
        "slug": "gr-arsis",
        "name": "ARSIS – Association for the Social Support of Youth",
        "kind": "ngo",
        "description": {
            "en": (
                "Supports young people and unaccompanied children at risk, including child "
                "victims of trafficking: shelters, legal and psychosocial support, education."
            ),
            "el": (
                "Στηρίζει νέους και ασυνόδευτα παιδιά σε κίνδυνο, μεταξύ αυτών παιδιά θύματα "
                "εμπορίας: δομές φιλοξενίας, νομική και ψυχοκοινωνική στήριξη, εκπαίδευση."
            ),
        },
        "area_served": "Attica, Central Macedonia",
        "languages": "el,en,ar,fa",
        "serves_adults": True,
        "serves_children": True,
        "website": "https://arsis.gr",
        "capacity_note": SHELTER_ADDRESS_NOTE,
        "services": ["shelter", "child_protection", "psychosocial", "legal_aid", "education"],
    },
    {
        "country": "GR",
        "slug": "gr-smile-of-the-child",
        "name": "The Smile of the Child",
        "kind": "ngo",
        "description": {
            "en": (
                "Child-welfare organisation running the 1056 national helpline for children, "
                "residential homes, and medical and psychological support for children."
            ),
            "el": (
                "Το Χαμόγελο του Παιδιού: οργάνωση για την προστασία του παιδιού που λειτουργεί "
                "τη γραμμή 1056, σπίτια φιλοξενίας και ιατρική και ψυχολογική υποστήριξη για "
                "παιδιά."
            ),
        },
        "area_served": "",
        "languages": "el,en",
        "serves_adults": False,
        "serves_children": True,
        "phone": "1056",
        "website": "https://www.hamogelo.gr",
        "capacity_note": SHELTER_ADDRESS_NOTE,
        "services": ["child_protection", "shelter", "psychosocial", "medical"],
    },
    {
        "country": "GR",
        "slug": "gr-prosecutor-for-minors",
        "name": "Public Prosecutor for Minors",
        "kind": "child_protection",
        "description": {
            "en": (
                "The public prosecutor for minors orders protective measures for children in "
                "danger and acts as temporary guardian of unaccompanied children; where there is "
                "no prosecutor for minors, the first-instance public prosecutor acts."
            ),
            "el": (
                "Ο εισαγγελέας ανηλίκων διατάσσει μέτρα προστασίας για παιδιά σε κίνδυνο και "
                "ασκεί προσωρινά την επιτροπεία ασυνόδευτων παιδιών· όπου δεν υπάρχει "
                "εισαγγελέας ανηλίκων, αρμόδιος είναι ο εισαγγελέας πρωτοδικών."
            ),
        },
        "area_served": "",
        "languages": "el",
        "serves_adults": False,
        "serves_children": True,
        "services": ["child_protection"],
    },
    # Italy -----------------------------------------------------------------------------------
    {
        "country": "IT",
        "slug": "it-department-equal-opportunities",
        "name": "Dipartimento per le Pari Opportunità – Presidenza del Consiglio dei Ministri",
        "kind": "coordinator",
        "description": {
            "en": (
                "Department for Equal Opportunities of the Presidency of the Council of "
                "Ministers: coordinates the national anti-trafficking plan and funds the "
                "anti-trafficking projects and helpline; the TRM focal point."
            ),
            "it": (
                "Coordina il Piano nazionale d'azione contro la tratta e finanzia i progetti "
                "antitratta e il Numero Verde; punto focale del meccanismo transnazionale di "
                "referral."
            ),
        },
        "area_served": "",
        "languages": "it,en",
        "serves_adults": True,
        "serves_children": True,
        "website": "https://www.pariopportunita.gov.it",
        "address": "Roma",
        "is_focal_point": True,
        "services": [],
    },
    {
        "country": "IT",
        "slug": "it-numero-verde-antitratta",
        "name": "Numero Verde Antitratta",
        "kind": "nrm_authority",
        "description": {
            "en": (
                "National toll-free anti-trafficking helpline, open around the clock in several "
                "languages; refers callers to the anti-trafficking project of their region."
            ),
            "it": (
                "Numero verde nazionale antitratta, attivo 24 ore su 24 in più lingue; indirizza "
                "chi chiama al progetto antitratta della propria regione."
            ),
        },
        "area_served": "",
        "languages": "it,en,fr,es,ro,ru,ar",
        "serves_adults": True,
        "serves_children": True,
        "phone": "800 290 290",
        "services": [],
    },
    {
        "country": "IT",
        "slug": "iom-italy",
        "name": "Organizzazione Internazionale per le Migrazioni (OIM) – Italia",
        "kind": "international",
        "description": {
            "en": (
                "IOM's office in Italy: identification of presumed victims among new arrivals, "
                "assisted voluntary return and reintegration; TACT partner."
            ),
            "it": (
                "Ufficio dell'OIM in Italia: individuazione delle presunte vittime tra i nuovi "
                "arrivi, rimpatrio volontario assistito e reintegrazione; partner del progetto "
                "TACT."
            ),
        },
        "area_served": "",
        "languages": "it,en,fr,ar",
        "serves_adults": True,
        "serves_children": True,
        "website": "https://italy.iom.int",
        "address": "Roma",
        "services": ["escort", "airport_reception", "family_tracing", "income_generation"],
    },
    {
        "country": "IT",
        "slug": "it-on-the-road",
        "name": "On the Road Società Cooperativa Sociale",
        "kind": "ngo",
        "description": {
            "en": (
                "Social cooperative running anti-trafficking outreach, shelters and social "
                "inclusion programmes (Article 18), with training and job placement."
            ),
            "it": (
                "Cooperativa sociale che svolge unità di strada, accoglienza protetta e "
                "programmi di inclusione sociale (articolo 18), con formazione e inserimento "
                "lavorativo."
            ),
        },
        "area_served": "Abruzzo, Marche, Molise",
        "languages": "it,en,fr,ro",
        "serves_adults": True,
        "serves_children": False,
        "address": "Martinsicuro (TE)",
        "capacity_note": SHELTER_ADDRESS_NOTE,
        "services": [
            "shelter",
            "psychosocial",
            "legal_aid",
            "vocational_training",
            "job_placement",
        ],
    },
    {
        "country": "IT",
        "slug": "it-papa-giovanni-xxiii",
        "name": "Associazione Comunità Papa Giovanni XXIII",
        "kind": "ngo",
        "description": {
            "en": (
                "Association with a nationwide network of family homes and shelters for women "
                "leaving sexual exploitation, including girls."
            ),
            "it": (
                "Associazione con una rete nazionale di case famiglia e strutture di accoglienza "
                "per donne uscite dallo sfruttamento sessuale, anche minorenni."
            ),
        },
        "area_served": "",
        "languages": "it,en,ro",
        "serves_adults": True,
        "serves_children": True,
        "website": "https://www.apg23.org",
        "capacity_note": SHELTER_ADDRESS_NOTE,
        "services": ["shelter", "psychosocial", "vocational_training", "housing"],
    },
    {
        "country": "IT",
        "slug": "it-befree",
        "name": "BeFree Cooperativa Sociale contro tratta, violenze, discriminazioni",
        "kind": "ngo",
        "description": {
            "en": (
                "Social cooperative supporting women victims of trafficking and violence, "
                "including in immigration detention: counselling and legal orientation."
            ),
            "it": (
                "Cooperativa sociale che sostiene donne vittime di tratta e di violenza, anche "
                "nei centri di trattenimento: ascolto, sostegno psicologico e orientamento legale."
            ),
        },
        "area_served": "Lazio",
        "languages": "it,en,fr,es",
        "serves_adults": True,
        "serves_children": False,
        "address": "Roma",
        "services": ["psychosocial", "legal_aid"],
    },
    {
        "country": "IT",
        "slug": "it-child-rights-authority",
        "name": "Autorità garante per l'infanzia e l'adolescenza",
        "kind": "child_protection",
        "description": {
            "en": (
                "National Authority for Children and Adolescents: promotes children's rights and "
                "monitors the volunteer guardians of unaccompanied children, who are appointed "
                "by the juvenile courts."
            ),
            "it": (
                "Promuove i diritti dell'infanzia e monitora i tutori volontari dei minori "
                "stranieri non accompagnati, nominati dai Tribunali per i minorenni."
            ),
        },
        "area_served": "",
        "languages": "it,en",
        "serves_adults": False,
        "serves_children": True,
        "website": "https://www.garanteinfanzia.org",
        "address": "Roma",
        "services": ["child_protection"],
    },
    {
        "country": "IT",
        "slug": "it-save-the-children",
        "name": "Save the Children Italia",
        "kind": "ngo",
        "description": {
            "en": (
                "Children's organisation supporting unaccompanied children and child victims of "
                "trafficking and exploitation: outreach, legal and psychosocial support."
            ),
            "it": (
                "Organizzazione per l'infanzia che sostiene minori non accompagnati e minori "
                "vittime di tratta e sfruttamento: unità di contatto, supporto legale e "
                "psicosociale."
            ),
        },
        "area_served": "",
        "languages": "it,en,fr,ar",
        "serves_adults": False,
        "serves_children": True,
        "website": "https://www.savethechildren.it",
        "services": ["child_protection", "psychosocial", "legal_aid"],
    },
    # Poland ----------------------------------------------------------------------------------
    {
        "country": "PL",
        "slug": "pl-border-guard-hq",
        "name": "Komenda Główna Straży Granicznej",
        "kind": "border_guard",
        "description": {
            "en": (
                "Border Guard Headquarters: identifies presumed victims, issues the certificate "
                "for foreign presumed victims; Poland's partner in the TACT project and the TRM "
                "focal point."
            ),
            "pl": (
                "Komenda Główna Straży Granicznej: identyfikuje domniemane ofiary i wydaje "
                "zaświadczenie cudzoziemcom; partner Polski w projekcie TACT i punkt kontaktowy "
                "transnarodowego mechanizmu kierowania."
            ),
        },
        "area_served": "",
        "languages": "pl,en,ru,uk",
        "serves_adults": True,
        "serves_children": True,
        "website": "https://www.strazgraniczna.pl",
        "address": "Warszawa",
        "is_focal_point": True,
        "services": [],
    },
    {
        "country": "PL",
        "slug": "pl-ministry-interior",
        "name": "Ministerstwo Spraw Wewnętrznych i Administracji",
        "kind": "coordinator",
        "description": {
            "en": (
                "Ministry of the Interior and Administration: coordinates the national action "
                "plan against trafficking and commissions the KCIK victim support centre."
            ),
            "pl": (
                "Koordynuje Krajowy Plan Działań przeciwko Handlowi Ludźmi i zleca prowadzenie "
                "Krajowego Centrum Interwencyjno-Konsultacyjnego dla Ofiar Handlu Ludźmi."
            ),
        },
        "area_served": "",
        "languages": "pl,en",
        "serves_adults": True,
        "serves_children": True,
        "website": "https://www.gov.pl/web/mswia",
        "address": "Warszawa",
        "services": [],
    },
    {
        "country": "PL",
        "slug": "pl-kcik",
        "name": "Krajowe Centrum Interwencyjno-Konsultacyjne dla Ofiar Handlu Ludźmi (KCIK)",
        "kind": "ngo",
        "description": {
            "en": (
                "National Intervention and Consultation Centre for Victims of Trafficking, run "
                "by NGOs for the Ministry of the Interior: crisis intervention, shelter, legal "
                "and psychological help, and help with a safe return."
            ),
            "pl": (
                "Krajowe Centrum prowadzone przez organizacje pozarządowe na zlecenie MSWiA: "
                "interwencja kryzysowa, schronienie, pomoc prawna i psychologiczna oraz pomoc w "
                "bezpiecznym powrocie."
            ),
        },
        "area_served": "",
        "languages": "pl,en,ru,uk",
        "serves_adults": True,
        "serves_children": False,
        "phone": "+48 22 628 01 20",
        "website": "https://www.kcik.pl",
        "capacity_note": SHELTER_ADDRESS_NOTE,
        "services": ["shelter", "psychosocial", "legal_aid", "medical", "document_recovery"],
    },
    {
        "country": "PL",
        "slug": "pl-la-strada",
        "name": "Fundacja Przeciwko Handlowi Ludźmi i Niewolnictwu La Strada",
        "kind": "ngo",
        "description": {
            "en": (
                "La Strada Poland: foundation against trafficking and slavery; helpline, "
                "psychological and legal support for victims, co-runs the KCIK centre."
            ),
            "pl": (
                "Fundacja La Strada: telefon zaufania, pomoc psychologiczna i prawna dla ofiar "
                "handlu ludźmi; współprowadzi Krajowe Centrum Interwencyjno-Konsultacyjne."
            ),
        },
        "area_served": "",
        "languages": "pl,en,ru,uk",
        "serves_adults": True,
        "serves_children": False,
        "website": "https://strada.org.pl",
        "address": "Warszawa",
        "services": ["psychosocial", "legal_aid", "shelter"],
    },
    {
        "country": "PL",
        "slug": "pl-po-moc",
        "name": "Stowarzyszenie Po-MOC dla Kobiet i Dzieci im. Marii Niepokalanej",
        "kind": "ngo",
        "description": {
            "en": (
                "Association running shelters for women and mothers with children, including "
                "victims of trafficking; co-runs the KCIK centre."
            ),
            "pl": (
                "Stowarzyszenie prowadzące schroniska dla kobiet i matek z dziećmi, w tym ofiar "
                "handlu ludźmi; współprowadzi Krajowe Centrum Interwencyjno-Konsultacyjne."
            ),
        },
        "area_served": "Śląskie",
        "languages": "pl,en",
        "serves_adults": True,
        "serves_children": True,
        "address": "Katowice",
        "capacity_note": SHELTER_ADDRESS_NOTE,
        "services": ["shelter", "psychosocial", "vocational_training"],
    },
    {
        "country": "PL",
        "slug": "iom-poland",
        "name": "Międzynarodowa Organizacja do Spraw Migracji (IOM) – Biuro w Polsce",
        "kind": "international",
        "description": {
            "en": (
                "IOM's office in Poland: assisted voluntary return and reintegration, support "
                "for victims of trafficking; TACT partner."
            ),
            "pl": (
                "Biuro IOM w Polsce: wspomagane dobrowolne powroty i reintegracja, pomoc "
                "ofiarom handlu ludźmi; partner projektu TACT."
            ),
        },
        "area_served": "",
        "languages": "pl,en,ru,uk",
        "serves_adults": True,
        "serves_children": True,
        "website": "https://poland.iom.int",
        "address": "Warszawa",
        "services": ["escort", "airport_reception", "family_tracing", "income_generation"],
    },
    {
        "country": "PL",
        "slug": "pl-empowering-children",
        "name": "Fundacja Dajemy Dzieciom Siłę",
        "kind": "ngo",
        "description": {
            "en": (
                "Empowering Children Foundation: child-protection organisation running the "
                "116 111 helpline for children and young people, with psychological and legal "
                "help."
            ),
            "pl": (
                "Fundacja chroniąca dzieci przed krzywdzeniem; prowadzi telefon zaufania dla "
                "dzieci i młodzieży 116 111 oraz udziela pomocy psychologicznej i prawnej."
            ),
        },
        "area_served": "",
        "languages": "pl,en,uk",
        "serves_adults": False,
        "serves_children": True,
        "phone": "116 111",
        "website": "https://fdds.pl",
        "services": ["child_protection", "psychosocial", "legal_aid"],
    },
    {
        "country": "PL",
        "slug": "pl-family-support-centres",
        "name": "Powiatowe centra pomocy rodzinie (PCPR)",
        "kind": "child_protection",
        "description": {
            "en": (
                "District family support centres: organise foster care for children placed by "
                "the family court and support families."
            ),
            "pl": (
                "Organizują pieczę zastępczą dla dzieci umieszczonych przez sąd rodzinny oraz "
                "wspierają rodziny."
            ),
        },
        "area_served": "",
        "languages": "pl",
        "serves_adults": True,
        "serves_children": True,
        "services": ["child_protection", "psychosocial"],
    },
    # Spain -----------------------------------------------------------------------------------
    {
        "country": "ES",
        "slug": "es-secretary-of-state-migration",
        "name": "Secretaría de Estado de Migraciones",
        "kind": "other",
        "description": {
            "en": (
                "State Secretariat for Migration (Ministry of Inclusion, Social Security and "
                "Migration), successor of the General Secretariat that was Spain's partner in the "
                "TACT project; the TRM focal point."
            ),
            "es": (
                "Secretaría de Estado de Migraciones (Ministerio de Inclusión, Seguridad Social y "
                "Migraciones), sucesora de la Secretaría General que fue socia de España en el "
                "proyecto TACT; punto focal del mecanismo transnacional de derivación."
            ),
        },
        "area_served": "",
        "languages": "es,en",
        "serves_adults": True,
        "serves_children": True,
        "website": "https://www.inclusion.gob.es",
        "address": "Madrid",
        "is_focal_point": True,
        "services": [],
    },
    {
        "country": "ES",
        "slug": "es-policia-nacional-trata",
        "name": (
            "Policía Nacional – Unidad Central de Redes de Inmigración Ilegal y Falsedades "
            "Documentales (UCRIF)"
        ),
        "kind": "police",
        "description": {
            "en": (
                "National Police unit that identifies victims of trafficking and investigates; "
                "runs a free, confidential reporting line and e-mail address."
            ),
            "es": (
                "Unidad de la Policía Nacional que identifica a las víctimas de trata e "
                "investiga; dispone de un teléfono gratuito y confidencial y de un correo para "
                "denuncias."
            ),
        },
        "area_served": "",
        "languages": "es,en",
        "serves_adults": True,
        "serves_children": True,
        "email": "trata@policia.es",
        "phone": "900 10 50 90",
        "services": [],
    },
    {
        "country": "ES",
        "slug": "iom-spain",
        "name": "Organización Internacional para las Migraciones (OIM) – España",
        "kind": "international",
        "description": {
            "en": (
                "IOM's office in Spain: assisted voluntary return and reintegration, including "
                "for victims of trafficking; TACT partner."
            ),
            "es": (
                "Oficina de la OIM en España: retorno voluntario asistido y reintegración, "
                "también para víctimas de trata; socia del proyecto TACT."
            ),
        },
        "area_served": "",
        "languages": "es,en,fr,ar",
        "serves_adults": True,
        "serves_children": True,
        "website": "https://spain.iom.int",
        "address": "Madrid",
        "services": ["escort", "airport_reception", "family_tracing", "income_generation"],
    },
    {
        "country": "ES",
        "slug": "es-apramp",
        "name": (
            "APRAMP – Asociación para la Prevención, Reinserción y Atención a la Mujer Prostituida"
        ),
        "kind": "ngo",
        "description": {
            "en": (
                "Association supporting women victims of trafficking for sexual exploitation: "
                "outreach with mobile units, shelter, health care, legal aid and training for "
                "work."
            ),
            "es": (
                "Asociación que atiende a mujeres víctimas de trata con fines de explotación "
                "sexual: unidades móviles, acogida, atención sanitaria, asesoría jurídica y "
                "formación para el empleo."
            ),
        },
        "area_served": "",
        "languages": "es,en,fr,ro",
        "serves_adults": True,
        "serves_children": False,
        "website": "https://apramp.org",
        "address": "Madrid",
        "capacity_note": SHELTER_ADDRESS_NOTE,
        "services": [
            "shelter",
            "medical",
            "psychosocial",
            "legal_aid",
            "vocational_training",
            "job_placement",
        ],
    },
    {
        "country": "ES",
        "slug": "es-proyecto-esperanza",
        "name": "Proyecto Esperanza – Adoratrices",
        "kind": "ngo",
        "description": {
            "en": (
                "Programme of the Adoratrices congregation for women victims of trafficking: "
                "protected accommodation, psychosocial and legal support, training and "
                "employment."
            ),
            "es": (
                "Programa de las Adoratrices para mujeres víctimas de trata: alojamiento "
                "protegido, apoyo psicosocial y jurídico, formación y empleo."
            ),
        },
        "area_served": "",
        "languages": "es,en,fr",
        "serves_adults": True,
        "serves_children": False,
        "address": "Madrid",
        "capacity_note": SHELTER_ADDRESS_NOTE,
        "services": [
            "shelter",
            "psychosocial",
            "legal_aid",
            "vocational_training",
            "job_placement",
        ],
    },
    {
        "country": "ES",
        "slug": "es-accem",
        "name": "Accem",
        "kind": "ngo",
        "description": {
            "en": (
                "Non-profit organisation for refugees and migrants; runs shelters and support "
                "programmes for victims of trafficking across Spain."
            ),
            "es": (
                "Organización sin ánimo de lucro de atención a personas refugiadas y migrantes; "
                "gestiona centros de acogida y programas de apoyo a víctimas de trata en toda "
                "España."
            ),
        },
        "area_served": "",
        "languages": "es,en,fr,ar",
        "serves_adults": True,
        "serves_children": False,
        "website": "https://www.accem.es",
        "capacity_note": SHELTER_ADDRESS_NOTE,
        "services": [
            "shelter",
            "psychosocial",
            "legal_aid",
            "vocational_training",
            "job_placement",
        ],
    },
    {
        "country": "ES",
        "slug": "es-child-protection-autonomous-communities",
        "name": "Entidades públicas de protección de menores de las comunidades autónomas",
        "kind": "child_protection",
        "description": {
            "en": (
                "The public child-protection bodies of the autonomous communities: they assume "
                "the guardianship of unaccompanied and endangered children and run their "
                "residential care."
            ),
            "es": (
                "Asumen la tutela de los menores no acompañados y en situación de desamparo y "
                "gestionan sus recursos de acogimiento residencial."
            ),
        },
        "area_served": "",
        "languages": "es",
        "serves_adults": False,
        "serves_children": True,
        "services": ["child_protection", "shelter", "education"],
    },
    # Albania ---------------------------------------------------------------------------------
    {
        "country": "AL",
        "slug": "al-national-coordinator",
        "name": "Office of the National Anti-Trafficking Coordinator",
        "kind": "coordinator",
        "description": {
            "en": (
                "Office of the National Anti-Trafficking Coordinator in the Ministry of the "
                "Interior; chairs the Responsible Authority of the National Referral Mechanism; "
                "Albania's partner in the TACT project and the TRM focal point."
            ),
            "sq": (
                "Zyra e Koordinatorit Kombëtar kundër Trafikimit në Ministrinë e Brendshme; "
                "kryeson Autoritetin Përgjegjës të Mekanizmit Kombëtar të Referimit; partneri i "
                "Shqipërisë në projektin TACT dhe pika e kontaktit e mekanizmit transnacional "
                "të referimit."
            ),
        },
        "area_served": "",
        "languages": "sq,en,it",
        "serves_adults": True,
        "serves_children": True,
        "address": "Tiranë",
        "is_focal_point": True,
        "services": [],
    },
    {
        "country": "AL",
        "slug": "al-national-reception-centre",
        "name": "Qendra Kombëtare e Pritjes për Viktimat e Trafikimit",
        "kind": "social_services",
        "description": {
            "en": (
                "National Reception Centre for Victims of Trafficking: the state shelter for "
                "victims and potential victims, adults and children, with medical, "
                "psychological, legal and reintegration support."
            ),
            "sq": (
                "Strehëza shtetërore për viktimat dhe viktimat e mundshme të trafikimit, të "
                "rritur dhe fëmijë, me mbështetje mjekësore, psikologjike, ligjore dhe për "
                "riintegrim."
            ),
        },
        "area_served": "",
        "languages": "sq,en",
        "serves_adults": True,
        "serves_children": True,
        "capacity_note": SHELTER_ADDRESS_NOTE,
        "services": [
            "shelter",
            "medical",
            "psychosocial",
            "legal_aid",
            "education",
            "vocational_training",
        ],
    },
    {
        "country": "AL",
        "slug": "al-different-and-equal",
        "name": "Different and Equal (Ndryshe dhe Barabartë)",
        "kind": "ngo",
        "description": {
            "en": (
                "NGO providing shelter and long-term reintegration to victims of trafficking, "
                "adults and children: psychological and medical care, education, vocational "
                "training, job placement, small-business support and housing; member of the "
                "National Coalition of Anti-Trafficking Shelters."
            ),
            "sq": (
                "Organizatë që ofron strehim dhe riintegrim afatgjatë për viktimat e trafikimit, "
                "të rritur dhe fëmijë: kujdes psikologjik dhe mjekësor, arsim, formim "
                "profesional, punësim, mbështetje për biznes të vogël dhe strehim; anëtare e "
                "Koalicionit Kombëtar të Strehëzave Anti-Trafikim."
            ),
        },
        "area_served": "",
        "languages": "sq,en,it",
        "serves_adults": True,
        "serves_children": True,
        "website": "https://differentandequal.org",
        "address": "Tiranë",
        "capacity_note": SHELTER_ADDRESS_NOTE,
        "services": [
            "shelter",
            "medical",
            "psychosocial",
            "legal_aid",
            "education",
            "vocational_training",
            "job_placement",
            "income_generation",
            "housing",
        ],
    },
    {
        "country": "AL",
        "slug": "al-tjeter-vizion",
        "name": "Tjetër Vizion",
        "kind": "ngo",
        "description": {
            "en": (
                "NGO running a shelter and reintegration programme for victims of trafficking "
                "and children at risk; member of the National Coalition of Anti-Trafficking "
                "Shelters."
            ),
            "sq": (
                "Organizatë që drejton një strehëz dhe program riintegrimi për viktimat e "
                "trafikimit dhe fëmijët në rrezik; anëtare e Koalicionit Kombëtar të Strehëzave "
                "Anti-Trafikim."
            ),
        },
        "area_served": "",
        "languages": "sq,en",
        "serves_adults": True,
        "serves_children": True,
        "address": "Elbasan",
        "capacity_note": SHELTER_ADDRESS_NOTE,
        "services": [
            "shelter",
            "psychosocial",
            "child_protection",
            "education",
            "vocational_training",
        ],
    },
    {
        "country": "AL",
        "slug": "al-vatra",
        "name": "Qendra Psiko-Sociale Vatra",
        "kind": "ngo",
        "description": {
            "en": (
                "Vatra Psycho-Social Centre: shelter and reintegration for women and girls who "
                "are victims of trafficking or violence; member of the National Coalition of "
                "Anti-Trafficking Shelters."
            ),
            "sq": (
                "Strehim dhe riintegrim për gra dhe vajza viktima të trafikimit ose të dhunës; "
                "anëtare e Koalicionit Kombëtar të Strehëzave Anti-Trafikim."
            ),
        },
        "area_served": "",
        "languages": "sq,en,it",
        "serves_adults": True,
        "serves_children": True,
        "address": "Vlorë",
        "capacity_note": SHELTER_ADDRESS_NOTE,
        "services": ["shelter", "psychosocial", "vocational_training", "job_placement"],
    },
    {
        "country": "AL",
        "slug": "al-child-rights-agency",
        "name": "Agjencia Shtetërore për të Drejtat dhe Mbrojtjen e Fëmijës",
        "kind": "child_protection",
        "description": {
            "en": (
                "State Agency for the Rights and Protection of the Child: coordinates the "
                "municipal child-protection units and the protection of child victims, including "
                "family assessments before a child's return."
            ),
            "sq": (
                "Koordinon njësitë për mbrojtjen e fëmijës në bashki dhe mbrojtjen e fëmijëve "
                "viktima, përfshirë vlerësimin e familjes para kthimit të fëmijës."
            ),
        },
        "area_served": "",
        "languages": "sq,en",
        "serves_adults": False,
        "serves_children": True,
        "address": "Tiranë",
        "services": ["child_protection", "family_tracing"],
    },
    {
        "country": "AL",
        "slug": "al-state-social-service",
        "name": "Shërbimi Social Shtetëror",
        "kind": "social_services",
        "description": {
            "en": (
                "State Social Service: member of the Responsible Authority, takes part in the "
                "joint identification interview and gives social and economic assistance "
                "through its regional offices."
            ),
            "sq": (
                "Anëtar i Autoritetit Përgjegjës; merr pjesë në intervistën e përbashkët të "
                "identifikimit dhe jep ndihmë sociale dhe ekonomike nëpërmjet zyrave rajonale."
            ),
        },
        "area_served": "",
        "languages": "sq",
        "serves_adults": True,
        "serves_children": True,
        "services": [],
    },
    {
        "country": "AL",
        "slug": "iom-albania",
        "name": "International Organization for Migration (IOM) – Mission in Albania",
        "kind": "international",
        "description": {
            "en": (
                "IOM's mission in Albania: reception of returning victims, reintegration "
                "support with vocational training and income-generating activities; TACT "
                "partner."
            ),
            "sq": (
                "Misioni i IOM-it në Shqipëri: pritja e viktimave që kthehen, mbështetje për "
                "riintegrim me formim profesional dhe aktivitete që sjellin të ardhura; partner "
                "i projektit TACT."
            ),
        },
        "area_served": "",
        "languages": "sq,en,it,el",
        "serves_adults": True,
        "serves_children": True,
        "website": "https://albania.iom.int",
        "address": "Tiranë",
        "services": [
            "escort",
            "airport_reception",
            "family_tracing",
            "income_generation",
            "vocational_training",
        ],
    },
    # Morocco ---------------------------------------------------------------------------------
    {
        "country": "MA",
        "slug": "ma-national-commission",
        "name": (
            "Commission nationale chargée de la coordination des mesures de lutte et de "
            "prévention de la traite des êtres humains"
        ),
        "kind": "coordinator",
        "description": {
            "en": (
                "National Commission for the coordination of measures to combat and prevent "
                "trafficking in human beings, set up under Law 27-14; coordinates the national "
                "referral mechanism; the TRM focal point."
            ),
            "ar": (
                "اللجنة الوطنية لتنسيق إجراءات مكافحة الاتجار بالبشر والوقاية منه، المحدثة "
                "بموجب القانون رقم 27.14؛ تنسق آلية الإحالة الوطنية، وهي نقطة الاتصال في آلية "
                "الإحالة عبر الوطنية."
            ),
            "fr": (
                "Commission créée en application de la loi n° 27-14 ; coordonne le mécanisme "
                "national d'orientation ; point focal du mécanisme transnational d'orientation."
            ),
        },
        "area_served": "",
        "languages": "ar,fr,en",
        "serves_adults": True,
        "serves_children": True,
        "address": "Rabat",
        "is_focal_point": True,
        "services": [],
    },
    {
        "country": "MA",
        "slug": "ma-public-prosecution",
        "name": "Présidence du Ministère Public",
        "kind": "prosecution",
        "description": {
            "en": (
                "Public Prosecution Presidency: directs the public prosecutors who identify "
                "victims of trafficking and order protective measures, including for children."
            ),
            "ar": (
                "رئاسة النيابة العامة: تشرف على النيابات العامة التي تحدد هوية ضحايا الاتجار "
                "بالبشر وتأمر بتدابير الحماية، بما في ذلك لفائدة الأطفال."
            ),
            "fr": (
                "Dirige les parquets qui identifient les victimes de la traite et ordonnent les "
                "mesures de protection, y compris pour les enfants."
            ),
        },
        "area_served": "",
        "languages": "ar,fr",
        "serves_adults": True,
        "serves_children": True,
        "address": "Rabat",
        "services": [],
    },
    {
        "country": "MA",
        "slug": "iom-morocco",
        "name": "Organisation internationale pour les migrations (OIM) – Maroc",
        "kind": "international",
        "description": {
            "en": (
                "IOM's mission in Morocco: reception and reintegration of returning migrants "
                "and victims of trafficking, medical and psychosocial support, "
                "income-generating activities; TACT partner."
            ),
            "ar": (
                "بعثة المنظمة الدولية للهجرة في المغرب: استقبال المهاجرين العائدين وضحايا "
                "الاتجار بالبشر وإعادة إدماجهم، والدعم الطبي والنفسي والاجتماعي، والأنشطة "
                "المدرة للدخل؛ شريك في مشروع TACT."
            ),
            "fr": (
                "Mission de l'OIM au Maroc : accueil et réintégration des migrants de retour et "
                "des victimes de la traite, soutien médical et psychosocial, activités "
                "génératrices de revenus ; partenaire du projet TACT."
            ),
        },
        "area_served": "",
        "languages": "ar,fr,en,es",
        "serves_adults": True,
        "serves_children": True,
        "website": "https://morocco.iom.int",
        "address": "Rabat",
        "services": [
            "escort",
            "airport_reception",
            "family_tracing",
            "income_generation",
            "medical",
            "psychosocial",
        ],
    },
    {
        "country": "MA",
        "slug": "ma-ministry-solidarity",
        "name": "Ministère de la Solidarité, de l'Insertion Sociale et de la Famille",
        "kind": "child_protection",
        "description": {
            "en": (
                "Ministry of Solidarity, Social Inclusion and the Family: leads the integrated "
                "public policy for child protection and the integrated territorial "
                "child-protection services."
            ),
            "ar": (
                "وزارة التضامن والإدماج الاجتماعي والأسرة: تشرف على السياسة العمومية المندمجة "
                "لحماية الطفولة وعلى الأجهزة الترابية المندمجة لحماية الطفولة."
            ),
            "fr": (
                "Pilote la politique publique intégrée de protection de l'enfance et les "
                "dispositifs territoriaux intégrés de protection de l'enfance."
            ),
        },
        "area_served": "",
        "languages": "ar,fr",
        "serves_adults": False,
        "serves_children": True,
        "address": "Rabat",
        "services": ["child_protection"],
    },
    {
        "country": "MA",
        "slug": "ma-entraide-nationale",
        "name": "Entraide Nationale",
        "kind": "social_services",
        "description": {
            "en": (
                "National social welfare institution: runs social protection establishments, "
                "including centres for children and women in difficulty, and vocational "
                "training centres."
            ),
            "ar": (
                "التعاون الوطني: يسير مؤسسات الرعاية الاجتماعية، ومنها مراكز الأطفال والنساء في "
                "وضعية صعبة، ومراكز التكوين المهني."
            ),
            "fr": (
                "Établissement public d'action sociale : gère des établissements de protection "
                "sociale, dont des centres pour enfants et femmes en difficulté, et des centres "
                "de formation professionnelle."
            ),
        },
        "area_served": "",
        "languages": "ar,fr",
        "serves_adults": True,
        "serves_children": True,
        "capacity_note": SHELTER_ADDRESS_NOTE,
        "services": ["shelter", "child_protection", "education", "vocational_training"],
    },
    {
        "country": "MA",
        "slug": "ma-insaf",
        "name": "INSAF – Institution Nationale de Solidarité avec les Femmes en détresse",
        "kind": "ngo",
        "description": {
            "en": (
                "Association supporting single mothers and their children and fighting the "
                "domestic work of young girls: shelter, legal and psychosocial support, "
                "training, return of girls to school."
            ),
            "ar": (
                "جمعية تدعم الأمهات العازبات وأطفالهن وتكافح تشغيل الفتيات القاصرات في المنازل: "
                "الإيواء، والدعم القانوني والنفسي والاجتماعي، والتكوين، وإرجاع الفتيات إلى "
                "المدرسة."
            ),
            "fr": (
                "Association qui soutient les mères célibataires et leurs enfants et lutte contre "
                "le travail domestique des petites filles : hébergement, soutien juridique et "
                "psychosocial, formation, retour des filles à l'école."
            ),
        },
        "area_served": "Casablanca-Settat",
        "languages": "ar,fr",
        "serves_adults": True,
        "serves_children": True,
        "address": "Casablanca",
        "capacity_note": SHELTER_ADDRESS_NOTE,
        "services": [
            "shelter",
            "psychosocial",
            "legal_aid",
            "child_protection",
            "education",
            "vocational_training",
        ],
    },
    {
        "country": "MA",
        "slug": "ma-amdv",
        "name": "Association Marocaine des Droits des Victimes (AMDV)",
        "kind": "ngo",
        "description": {
            "en": (
                "Association defending the rights of victims, including victims of trafficking: "
                "legal support in criminal proceedings and psychosocial orientation."
            ),
            "ar": (
                "الجمعية المغربية لحقوق الضحايا: تدافع عن حقوق الضحايا، ومنهم ضحايا الاتجار "
                "بالبشر، وتقدم الدعم القانوني في المساطر الجنائية والتوجيه النفسي والاجتماعي."
            ),
            "fr": (
                "Association de défense des droits des victimes, dont les victimes de la traite : "
                "accompagnement juridique dans les procédures pénales et orientation "
                "psychosociale."
            ),
        },
        "area_served": "",
        "languages": "ar,fr",
        "serves_adults": True,
        "serves_children": True,
        "services": ["legal_aid", "psychosocial"],
    },
    {
        "country": "MA",
        "slug": "ma-fondation-orient-occident",
        "name": "Fondation Orient-Occident",
        "kind": "ngo",
        "description": {
            "en": (
                "Foundation supporting migrants, refugees and vulnerable young people: "
                "reception, psychosocial support, education and vocational training."
            ),
            "ar": (
                "مؤسسة الشرق والغرب: تدعم المهاجرين واللاجئين والشباب في وضعية هشاشة عبر "
                "الاستقبال والدعم النفسي والاجتماعي والتعليم والتكوين المهني."
            ),
            "fr": (
                "Fondation qui accompagne les migrants, les réfugiés et les jeunes vulnérables : "
                "accueil, soutien psychosocial, éducation et formation professionnelle."
            ),
        },
        "area_served": "",
        "languages": "ar,fr,en",
        "serves_adults": True,
        "serves_children": True,
        "address": "Rabat",
        "services": ["psychosocial", "education", "vocational_training"],
    },
    # Ukraine ---------------------------------------------------------------------------------
    {
        "country": "UA",
        "slug": "ua-ministry-social-policy",
        "name": "Ministry of Social Policy of Ukraine",
        "kind": "coordinator",
        "description": {
            "en": (
                "National coordinator of anti-trafficking measures; establishes the status of a "
                "person affected by trafficking; Ukraine's partner in the TACT project and the "
                "TRM focal point."
            ),
            "uk": (
                "Міністерство соціальної політики України: національний координатор у сфері "
                "протидії торгівлі людьми; встановлює статус особи, яка постраждала від "
                "торгівлі людьми; партнер України в проєкті TACT і контактний пункт "
                "транснаціонального механізму перенаправлення."
            ),
        },
        "area_served": "",
        "languages": "uk,en",
        "serves_adults": True,
        "serves_children": True,
        "website": "https://www.msp.gov.ua",
        "address": "Київ",
        "is_focal_point": True,
        "services": [],
    },
    {
        "country": "UA",
        "slug": "ua-national-police-anti-trafficking",
        "name": "National Police of Ukraine – Anti-Trafficking Department",
        "kind": "police",
        "description": {
            "en": (
                "National Police department that combats crimes related to trafficking in "
                "human beings, identifies victims and investigates."
            ),
            "uk": (
                "Підрозділ Національної поліції України з протидії кримінальним "
                "правопорушенням, пов'язаним з торгівлею людьми; виявляє постраждалих і "
                "розслідує злочини."
            ),
        },
        "area_served": "",
        "languages": "uk,en",
        "serves_adults": True,
        "serves_children": True,
        "services": [],
    },
    {
        "country": "UA",
        "slug": "iom-ukraine",
        "name": "International Organization for Migration (IOM) – Mission in Ukraine",
        "kind": "international",
        "description": {
            "en": (
                "IOM's mission in Ukraine: reception and reintegration of victims of "
                "trafficking, with medical and psychosocial care, vocational training and "
                "grants for small businesses; TACT partner."
            ),
            "uk": (
                "Представництво МОМ в Україні: прийом і реінтеграція постраждалих від торгівлі "
                "людьми, медична та психосоціальна допомога, професійне навчання та гранти на "
                "малий бізнес; партнер проєкту TACT."
            ),
        },
        "area_served": "",
        "languages": "uk,en,ru",
        "serves_adults": True,
        "serves_children": True,
        "website": "https://ukraine.iom.int",
        "address": "Київ",
        "services": [
            "escort",
            "airport_reception",
            "family_tracing",
            "medical",
            "psychosocial",
            "vocational_training",
            "income_generation",
        ],
    },
    {
        "country": "UA",
        "slug": "ua-la-strada",
        "name": "La Strada-Ukraine",
        "kind": "ngo",
        "description": {
            "en": (
                "International Women's Rights Centre La Strada-Ukraine: runs the national "
                "hotline on domestic violence, trafficking and gender discrimination (116 123) "
                "and the national children's hotline (116 111); legal and psychological "
                "consultations and referral to services."
            ),
            "uk": (
                "Міжнародний жіночий правозахисний центр «Ла Страда-Україна»: Національна "
                "гаряча лінія з питань запобігання домашньому насильству, торгівлі людьми та "
                "гендерній дискримінації (116 123) і Національна дитяча гаряча лінія (116 111); "
                "юридичні та психологічні консультації, перенаправлення до служб."
            ),
        },
        "area_served": "",
        "languages": "uk,en,ru",
        "serves_adults": True,
        "serves_children": True,
        "phone": "116 123",
        "website": "https://la-strada.org.ua",
        "address": "Київ",
        "services": ["psychosocial", "legal_aid", "child_protection"],
    },
    {
        "country": "UA",
        "slug": "ua-lviv-regional-social-services",
        "name": "Lviv Regional Centre of Social Services",
        "kind": "social_services",
        "description": {
            "en": (
                "Regional centre of social services: psychosocial support for families, children "
                "and young people, including persons affected by trafficking, and social "
                "support after return."
            ),
            "uk": (
                "Львівський обласний центр соціальних служб: психосоціальна підтримка сімей, "
                "дітей та молоді, зокрема осіб, які постраждали від торгівлі людьми, і "
                "соціальний супровід після повернення."
            ),
        },
        "area_served": "Lviv oblast",
        "languages": "uk,pl,en",
        "serves_adults": True,
        "serves_children": True,
        "address": "Львів",
        "services": ["psychosocial", "child_protection", "family_tracing"],
    },
    {
        "country": "UA",
        "slug": "ua-lviv-childrens-service",
        "name": "Children's Service of the Lviv Regional State Administration",
        "kind": "child_protection",
        "description": {
            "en": (
                "The regional children's service, a guardianship and custody body: protects "
                "children without parental care, appoints guardians and assesses the family "
                "before a child's return. Every oblast has such a service."
            ),
            "uk": (
                "Служба у справах дітей Львівської обласної державної адміністрації, орган "
                "опіки та піклування: захищає дітей, позбавлених батьківського піклування, "
                "призначає опікунів і оцінює сім'ю перед поверненням дитини. Така служба є в "
                "кожній області."
            ),
        },
        "area_served": "Lviv oblast",
        "languages": "uk",
        "serves_adults": False,
        "serves_children": True,
        "address": "Львів",
        "services": ["child_protection", "family_tracing"],
    },
    {
        "country": "UA",
        "slug": "ua-womens-perspectives",
        "name": "Women's Perspectives Centre",
        "kind": "ngo",
        "description": {
            "en": (
                "NGO supporting women affected by violence and trafficking: psychological and "
                "legal help, vocational guidance and training."
            ),
            "uk": (
                "Центр «Жіночі перспективи»: психологічна та юридична допомога жінкам, які "
                "постраждали від насильства і торгівлі людьми, профорієнтація і навчання."
            ),
        },
        "area_served": "Lviv oblast",
        "languages": "uk,en,pl",
        "serves_adults": True,
        "serves_children": False,
        "address": "Львів",
        "services": ["psychosocial", "legal_aid", "vocational_training"],
    },
]
