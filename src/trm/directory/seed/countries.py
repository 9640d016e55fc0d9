"""The eight TACT countries as seeded: their NRM configuration, public sources only."""

COUNTRIES = [
    {
        "code": "FR",
        "trm_role": "destination",
        "name": {
            "en": "France",
            "fr": "France",
            "es": "Francia",
            "it": "Francia",
            "el": "Γαλλία",
            "pl": "Francja",
            "sq": "Franca",
            "uk": "Франція",
            "ar": "فرنسا",
        },
        "identifying_authority": {
            "en": (
                "The police and gendarmerie (the Central Office for the Repression of Trafficking "
                "in Human Beings, OCRTEH, and local services), under the authority of the public "
                "prosecutor."
            ),
            "fr": (
                "La police et la gendarmerie nationales (Office central pour la répression de la "
                "traite des êtres humains, OCRTEH, et services territoriaux), sous l'autorité du "
                "procureur de la République."
            ),
        },
        "guardian_authority": {
            "en": (
                "The children's judge entrusts the child to the departmental child welfare service "
                "(Aide sociale à l'enfance); the prosecutor or the judge appoints an ad hoc "
                "administrator to represent the child in proceedings."
            ),
            "fr": (
                "Le juge des enfants confie l'enfant à l'Aide sociale à l'enfance du département ; "
                "le procureur ou le juge désigne un administrateur ad hoc pour représenter "
                "l'enfant dans la procédure."
            ),
        },
        "nrm_summary": {
            "en": (
                "France has no single formal NRM: presumed victims are identified by the police "
                "and gendarmerie, and the prefecture grants a residence permit to victims who "
                "file a complaint or testify. The Interministerial Mission for the Protection of "
                "Women against Violence and the Fight against Trafficking in Human Beings (MIPROF) "
                "coordinates national policy. Foreign presumed victims are entitled to a 30-day "
                "reflection period. Unaccompanied children are taken into care by the "
                "departmental child welfare services. An identification made abroad is not "
                "recognised as such: a French authority assesses the situation again."
            ),
            "fr": (
                "La France n'a pas de mécanisme national d'orientation formalisé : les victimes "
                "présumées sont identifiées par la police et la gendarmerie, et la préfecture "
                "délivre un titre de séjour aux victimes qui portent plainte ou témoignent. La "
                "Mission interministérielle pour la protection des femmes contre les violences et "
                "la lutte contre la traite des êtres humains (MIPROF) coordonne la politique "
                "nationale. Les victimes présumées étrangères bénéficient d'un délai de réflexion "
                "de 30 jours. Les mineurs non accompagnés sont pris en charge par l'Aide sociale à "
                "l'enfance des départements. Une identification faite à l'étranger n'est pas "
                "reconnue en tant que telle : une autorité française évalue à nouveau la situation."
            ),
        },
        "reflection_period_days": 30,
        "identification_abroad_recognised": False,
    },
    {
        "code": "GR",
        "trm_role": "destination",
        "name": {
            "en": "Greece",
            "fr": "Grèce",
            "es": "Grecia",
            "it": "Grecia",
            "el": "Ελλάδα",
            "pl": "Grecja",
            "sq": "Greqia",
            "uk": "Греція",
            "ar": "اليونان",
        },
        "identifying_authority": {
            "en": (
                "The public prosecutor, who grants formal victim status on a report from the "
                "police or from the bodies of the National Referral Mechanism coordinated by the "
                "National Centre for Social Solidarity (EKKA)."
            ),
            "el": (
                "Ο εισαγγελέας, ο οποίος αναγνωρίζει επίσημα την ιδιότητα του θύματος μετά από "
                "αναφορά της αστυνομίας ή των φορέων του Εθνικού Μηχανισμού Αναφοράς που "
                "συντονίζει το Εθνικό Κέντρο Κοινωνικής Αλληλεγγύης (ΕΚΚΑ)."
            ),
        },
        "guardian_authority": {
            "en": (
                "The public prosecutor for minors acts as temporary guardian; unaccompanied "
                "children are given a guardian through the national guardianship system for "
                "unaccompanied minors."
            ),
            "el": (
                "Ο εισαγγελέας ανηλίκων ασκεί προσωρινά την επιτροπεία· τα ασυνόδευτα παιδιά "
                "αποκτούν επίτροπο μέσω του εθνικού συστήματος επιτροπείας ασυνόδευτων ανηλίκων."
            ),
        },
        "nrm_summary": {
            "en": (
                "Greece's National Referral Mechanism, set up in 2016, is coordinated by the "
                "National Centre for Social Solidarity (EKKA), which also runs the 197 helpline; "
                "the Office of the National Rapporteur coordinates anti-trafficking policy. Formal "
                "victim status is granted by the public prosecutor. Third-country nationals are "
                "entitled to a reflection period of three months, which can be extended for "
                "children. Unaccompanied children receive a guardian through the national "
                "guardianship system, the public prosecutor for minors acting as temporary "
                "guardian. An identification made abroad is not recognised without a Greek "
                "assessment."
            ),
            "el": (
                "Ο Εθνικός Μηχανισμός Αναφοράς, που συστάθηκε το 2016, συντονίζεται από το "
                "Εθνικό Κέντρο Κοινωνικής Αλληλεγγύης (ΕΚΚΑ), το οποίο λειτουργεί και τη γραμμή "
                "197· το Γραφείο του Εθνικού Εισηγητή συντονίζει την πολιτική κατά της εμπορίας "
                "ανθρώπων. Την επίσημη ιδιότητα του θύματος αναγνωρίζει ο εισαγγελέας. Οι "
                "υπήκοοι τρίτων χωρών δικαιούνται περίοδο περίσκεψης τριών μηνών, η οποία μπορεί "
                "να παραταθεί για τα παιδιά. Τα ασυνόδευτα παιδιά αποκτούν επίτροπο μέσω του "
                "εθνικού συστήματος επιτροπείας, με τον εισαγγελέα ανηλίκων ως προσωρινό "
                "επίτροπο. Η αναγνώριση που έγινε στο εξωτερικό δεν ισχύει χωρίς αξιολόγηση από "
                "ελληνική αρχή."
            ),
        },
        "reflection_period_days": 90,
        "identification_abroad_recognised": False,
    },
    {
        "code": "IT",
        "trm_role": "destination",
        "name": {
            "en": "Italy",
            "fr": "Italie",
            "es": "Italia",
            "it": "Italia",
            "el": "Ιταλία",
            "pl": "Włochy",
            "sq": "Italia",
            "uk": "Італія",
            "ar": "إيطاليا",
        },
        "identifying_authority": {
            "en": (
                "The anti-trafficking projects of the national single programme, together with "
                "the police (Questura) and the public prosecutor; the Questura grants the special "
                "residence permit under Article 18 of the Consolidated Immigration Act."
            ),
            "it": (
                "I progetti antitratta del programma unico di emersione, assistenza e integrazione "
                "sociale, insieme alle forze di polizia (Questura) e al pubblico ministero; la "
                "Questura rilascia il permesso di soggiorno per casi speciali ai sensi "
                "dell'articolo 18 del Testo unico sull'immigrazione."
            ),
        },
        "guardian_authority": {
            "en": (
                "The juvenile court (Tribunale per i minorenni) appoints a guardian, usually a "
                "trained volunteer guardian from the court's list (Law 47/2017)."
            ),
            "it": (
                "Il Tribunale per i minorenni nomina un tutore, di norma un tutore volontario "
                "iscritto nell'elenco del tribunale (legge 47/2017)."
            ),
        },
        "nrm_summary": {
            "en": (
                "Italy's anti-trafficking system is coordinated by the Department for Equal "
                "Opportunities, which funds the regional anti-trafficking projects and the "
                "national toll-free helpline 800 290 290. Identification is carried out by the "
                "accredited projects together with the police and prosecutors; the special "
                "residence permit (Article 18) can be granted without the victim's cooperation in "
                "criminal proceedings. There is no separate statutory reflection period: the "
                "single programme starts with three months of first assistance and "
                "accommodation, which can be extended. Unaccompanied children receive a volunteer "
                "guardian appointed by the juvenile court. An identification made abroad is not "
                "recognised as such."
            ),
            "it": (
                "Il sistema antitratta italiano è coordinato dal Dipartimento per le Pari "
                "Opportunità, che finanzia i progetti antitratta regionali e il Numero Verde "
                "Antitratta 800 290 290. L'identificazione è svolta dai progetti accreditati "
                "insieme alle forze di polizia e alla magistratura; il permesso di soggiorno "
                "speciale (articolo 18) può essere rilasciato anche senza la collaborazione della "
                "vittima nel procedimento penale. Non esiste un periodo di riflessione distinto "
                "previsto dalla legge: il programma unico inizia con tre mesi di prima assistenza "
                "e accoglienza, prorogabili. I minori stranieri non accompagnati ricevono un "
                "tutore volontario nominato dal Tribunale per i minorenni. L'identificazione "
                "avvenuta all'estero non è riconosciuta in quanto tale."
            ),
        },
        "reflection_period_days": 90,
        "identification_abroad_recognised": False,
    },
    {
        "code": "PL",
        "trm_role": "destination",
        "name": {
            "en": "Poland",
            "fr": "Pologne",
            "es": "Polonia",
            "it": "Polonia",
            "el": "Πολωνία",
            "pl": "Polska",
            "sq": "Polonia",
            "uk": "Польща",
            "ar": "بولندا",
        },
        "identifying_authority": {
            "en": (
                "The Police and the Border Guard, which issue the certificate confirming that a "
                "foreigner is presumed to be a victim of trafficking; the public prosecutor in "
                "criminal proceedings."
            ),
            "pl": (
                "Policja i Straż Graniczna, które wydają zaświadczenie o domniemaniu, że "
                "cudzoziemiec jest ofiarą handlu ludźmi; prokurator w postępowaniu karnym."
            ),
        },
        "guardian_authority": {
            "en": (
                "The family (guardianship) court appoints a guardian and decides on placement in "
                "foster care; the district family support centres (PCPR) organise the care."
            ),
            "pl": (
                "Sąd rodzinny (opiekuńczy) ustanawia opiekuna i decyduje o umieszczeniu w pieczy "
                "zastępczej; powiatowe centra pomocy rodzinie (PCPR) organizują opiekę."
            ),
        },
        "nrm_summary": {
            "en": (
                "Poland's anti-trafficking system is coordinated by the Ministry of the Interior "
                "and Administration, which commissions NGOs to run the National Intervention and "
                "Consultation Centre for Victims of Trafficking (KCIK). Presumed victims are "
                "identified by the Police and the Border Guard, whose headquarters is the TRM "
                "focal point. A foreign presumed victim receives a certificate that makes their "
                "stay legal for a reflection period of three months (four months for a child). "
                "Guardians for children are appointed by the family court. An identification made "
                "abroad is not recognised without a Polish assessment."
            ),
            "pl": (
                "System przeciwdziałania handlowi ludźmi koordynuje Ministerstwo Spraw "
                "Wewnętrznych i Administracji, które zleca organizacjom pozarządowym prowadzenie "
                "Krajowego Centrum Interwencyjno-Konsultacyjnego dla Ofiar Handlu Ludźmi (KCIK). "
                "Domniemane ofiary identyfikują Policja i Straż Graniczna, której Komenda Główna "
                "jest punktem kontaktowym TRM. Cudzoziemiec, domniemana ofiara, otrzymuje "
                "zaświadczenie legalizujące jego pobyt na okres do namysłu trwający trzy miesiące "
                "(cztery miesiące w przypadku dziecka). Opiekuna dla dziecka ustanawia sąd "
                "rodzinny. Identyfikacja dokonana za granicą nie jest uznawana bez oceny polskich "
                "organów."
            ),
        },
        "reflection_period_days": 90,
        "identification_abroad_recognised": False,
    },
    {
        "code": "ES",
        "trm_role": "destination",
        "name": {
            "en": "Spain",
            "fr": "Espagne",
            "es": "España",
            "it": "Spagna",
            "el": "Ισπανία",
            "pl": "Hiszpania",
            "sq": "Spanja",
            "uk": "Іспанія",
            "ar": "إسبانيا",
        },
        "identifying_authority": {
            "en": (
                "Police units with specific training (National Police and Civil Guard) carry out "
                "the formal identification; the Government Delegation or Sub-delegation grants "
                "the recovery and reflection period."
            ),
            "es": (
                "Las unidades policiales con formación específica (Policía Nacional y Guardia "
                "Civil) realizan la identificación formal; la Delegación o Subdelegación del "
                "Gobierno concede el periodo de restablecimiento y reflexión."
            ),
        },
        "guardian_authority": {
            "en": (
                "The public child-protection bodies of the autonomous communities assume the "
                "guardianship of unaccompanied children, under the supervision of the public "
                "prosecutor's office, which also decides on age assessment."
            ),
            "es": (
                "Las entidades públicas de protección de menores de las comunidades autónomas "
                "asumen la tutela de los menores no acompañados, bajo la supervisión del "
                "Ministerio Fiscal, que decide también sobre la determinación de la edad."
            ),
        },
        "nrm_summary": {
            "en": (
                "Spain's Framework Protocol for the Protection of Victims of Trafficking gives "
                "formal identification to specialised police units, with NGOs contributing "
                "information. Foreign victims in an irregular situation are entitled to a "
                "recovery and reflection period of at least 90 days (Article 59 bis of the Aliens "
                "Act), during which expulsion proceedings are suspended. The Ministry of the "
                "Interior acts as national rapporteur on trafficking. Unaccompanied children are "
                "under the guardianship of the regional child-protection services. An "
                "identification made abroad is not recognised without a Spanish assessment."
            ),
            "es": (
                "El Protocolo Marco de Protección de las Víctimas de Trata de Seres Humanos "
                "atribuye la identificación formal a las unidades policiales especializadas, con "
                "la aportación de información de las ONG. Las víctimas extranjeras en situación "
                "irregular tienen derecho a un periodo de restablecimiento y reflexión de al "
                "menos 90 días (artículo 59 bis de la Ley de Extranjería), durante el cual se "
                "suspende el expediente de expulsión. El Ministerio del Interior ejerce de "
                "relator nacional sobre la trata. Los menores no acompañados están bajo la tutela "
                "de los servicios autonómicos de protección de menores. La identificación "
                "realizada en el extranjero no se reconoce sin una evaluación en España."
            ),
        },
        "reflection_period_days": 90,
        "identification_abroad_recognised": False,
    },
    {
        "code": "AL",
        "trm_role": "origin",
        "name": {
            "en": "Albania",
            "fr": "Albanie",
            "es": "Albania",
            "it": "Albania",
            "el": "Αλβανία",
            "pl": "Albania",
            "sq": "Shqipëria",
            "uk": "Албанія",
            "ar": "ألبانيا",
        },
        "identifying_authority": {
            "en": (
                "The Responsible Authority of the National Referral Mechanism, chaired by the "
                "National Anti-Trafficking Coordinator, on a joint interview by the State Police "
                "and the State Social Service (including the mobile identification units)."
            ),
            "sq": (
                "Autoriteti Përgjegjës i Mekanizmit Kombëtar të Referimit, i kryesuar nga "
                "Koordinatori Kombëtar kundër Trafikimit, pas intervistës së përbashkët të "
                "Policisë së Shtetit dhe Shërbimit Social Shtetëror (përfshirë njësitë e "
                "lëvizshme të identifikimit)."
            ),
        },
        "guardian_authority": {
            "en": (
                "The court appoints a legal guardian; the municipal child-protection units, "
                "coordinated by the State Agency for the Rights and Protection of the Child, take "
                "the protective measures."
            ),
            "sq": (
                "Gjykata cakton kujdestarin ligjor; njësitë për mbrojtjen e fëmijës në bashki, "
                "të koordinuara nga Agjencia Shtetërore për të Drejtat dhe Mbrojtjen e Fëmijës, "
                "marrin masat mbrojtëse."
            ),
        },
        "nrm_summary": {
            "en": (
                "Albania's National Referral Mechanism is led by the Office of the National "
                "Anti-Trafficking Coordinator in the Ministry of the Interior; its Responsible "
                "Authority grants the status of victim or potential victim, and both receive the "
                "same services. Victims are assisted in the state National Reception Centre and "
                "in the shelters of the National Coalition of Anti-Trafficking Shelters. Foreign "
                "victims are entitled to a reflection period of three months. Child victims are "
                "protected by the municipal child-protection units and a court-appointed "
                "guardian. An identification made abroad is taken into account, but the status "
                "is granted by the Responsible Authority."
            ),
            "sq": (
                "Mekanizmi Kombëtar i Referimit drejtohet nga Zyra e Koordinatorit Kombëtar "
                "kundër Trafikimit në Ministrinë e Brendshme; Autoriteti Përgjegjës jep statusin "
                "e viktimës ose të viktimës së mundshme, dhe të dyja marrin të njëjtat "
                "shërbime. Viktimat asistohen në Qendrën Kombëtare të Pritjes (shtetërore) dhe "
                "në strehëzat e Koalicionit Kombëtar të Strehëzave Anti-Trafikim. Viktimat e "
                "huaja kanë të drejtë për një periudhë reflektimi prej tre muajsh. Fëmijët "
                "viktima mbrohen nga njësitë për mbrojtjen e fëmijës në bashki dhe nga një "
                "kujdestar i caktuar nga gjykata. Identifikimi i bërë jashtë vendit merret "
                "parasysh, por statusin e jep Autoriteti Përgjegjës."
            ),
        },
        "reflection_period_days": 90,
        "identification_abroad_recognised": False,
    },
    {
        "code": "MA",
        "trm_role": "origin",
        "name": {
            "en": "Morocco",
            "fr": "Maroc",
            "es": "Marruecos",
            "it": "Marocco",
            "el": "Μαρόκο",
            "pl": "Maroko",
            "sq": "Maroku",
            "uk": "Марокко",
            "ar": "المغرب",
        },
        "identifying_authority": {
            "en": (
                "The judicial police and the public prosecutor's office, under Law 27-14 on "
                "combating trafficking in human beings."
            ),
            "fr": (
                "La police judiciaire et le ministère public, en application de la loi n° 27-14 "
                "relative à la lutte contre la traite des êtres humains."
            ),
            "ar": (
                "الشرطة القضائية والنيابة العامة، بموجب القانون رقم 27.14 المتعلق بمكافحة "
                "الاتجار بالبشر."
            ),
        },
        "guardian_authority": {
            "en": (
                "The public prosecutor and the juvenile judge order protective measures and "
                "placement; the judge in charge of minors' affairs appoints a legal "
                "representative."
            ),
            "fr": (
                "Le ministère public et le juge des mineurs ordonnent les mesures de protection "
                "et de placement ; le juge chargé des affaires des mineurs désigne un "
                "représentant légal."
            ),
            "ar": (
                "تأمر النيابة العامة وقاضي الأحداث بتدابير الحماية والإيداع، ويعيّن القاضي "
                "المكلف بشؤون القاصرين نائباً شرعياً للطفل."
            ),
        },
        "nrm_summary": {
            "en": (
                "Morocco adopted Law 27-14 on combating trafficking in human beings in 2016; the "
                "National Commission for the coordination of measures to combat and prevent "
                "trafficking coordinates policy and the national referral mechanism. Victims are "
                "identified by the judicial police and the public prosecutor's office, with "
                "civil-society associations referring cases to them. The law sets no reflection "
                "period; 30 days, the minimum, is used here. Children are protected by the public "
                "prosecutor and the juvenile judge and referred to the integrated territorial "
                "child-protection services. An identification made abroad is not recognised "
                "without a Moroccan assessment."
            ),
            "fr": (
                "Le Maroc a adopté en 2016 la loi n° 27-14 relative à la lutte contre la traite "
                "des êtres humains ; la Commission nationale chargée de la coordination des "
                "mesures de lutte et de prévention de la traite coordonne la politique et le "
                "mécanisme national d'orientation. Les victimes sont identifiées par la police "
                "judiciaire et le ministère public, auxquels les associations de la société "
                "civile signalent les cas. La loi ne fixe pas de délai de réflexion ; le minimum "
                "de 30 jours est appliqué ici. Les enfants sont protégés par le ministère public "
                "et le juge des mineurs et orientés vers les dispositifs territoriaux intégrés de "
                "protection de l'enfance. Une identification faite à l'étranger n'est pas "
                "reconnue sans évaluation marocaine."
            ),
            "ar": (
                "اعتمد المغرب سنة 2016 القانون رقم 27.14 المتعلق بمكافحة الاتجار بالبشر، وتتولى "
                "اللجنة الوطنية لتنسيق إجراءات مكافحة الاتجار بالبشر والوقاية منه تنسيق السياسات "
                "وآلية الإحالة الوطنية. تتولى الشرطة القضائية والنيابة العامة تحديد هوية الضحايا، "
                "وتحيل إليهما جمعيات المجتمع المدني الحالات. لا يحدد القانون فترة للتفكير، "
                "ويُعتمد هنا الحد الأدنى وهو 30 يوماً. تتولى النيابة العامة وقاضي الأحداث حماية "
                "الأطفال، ويُوجَّهون إلى الأجهزة الترابية المندمجة لحماية الطفولة. لا يُعترف "
                "بتحديد الهوية الذي يتم في الخارج دون تقييم مغربي."
            ),
        },
        "reflection_period_days": 30,
        "identification_abroad_recognised": False,
    },
    {
        "code": "UA",
        "trm_role": "origin",
        "name": {
            "en": "Ukraine",
            "fr": "Ukraine",
            "es": "Ucrania",
            "it": "Ucraina",
            "el": "Ουκρανία",
            "pl": "Ukraina",
            "sq": "Ukraina",
            "uk": "Україна",
            "ar": "أوكرانيا",
        },
        "identifying_authority": {
            "en": (
                "The Ministry of Social Policy, which establishes the status of a person affected "
                "by trafficking in human beings on an application made through the local social "
                "protection bodies or the police."
            ),
            "uk": (
                "Міністерство соціальної політики, яке встановлює статус особи, яка постраждала "
                "від торгівлі людьми, за заявою, поданою через місцеві органи соціального "
                "захисту населення або поліцію."
            ),
        },
        "guardian_authority": {
            "en": (
                "The children's services of the regional and local authorities, acting as "
                "guardianship and custody bodies, appoint guardians and place children in "
                "family-based care."
            ),
            "uk": (
                "Служби у справах дітей обласних і місцевих органів влади як органи опіки та "
                "піклування призначають опікунів і влаштовують дітей у сімейні форми виховання."
            ),
        },
        "nrm_summary": {
            "en": (
                "Ukraine's National Referral Mechanism is coordinated by the Ministry of Social "
                "Policy, which establishes the status of a person affected by trafficking; the "
                "status gives access to state assistance through the local social services. "
                "Ukraine recognises an identification made by a destination country: the person "
                "does not have to be interviewed again. A reflection period of 90 days is used. "
                "Children are protected by the children's services of the local authorities, "
                "which act as guardianship bodies. La Strada-Ukraine's national hotlines (116 123, "
                "and 116 111 for children) receive self-referrals."
            ),
            "uk": (
                "Національний механізм взаємодії суб'єктів, які здійснюють заходи у сфері "
                "протидії торгівлі людьми, координує Міністерство соціальної політики, яке "
                "встановлює статус особи, яка постраждала від торгівлі людьми; статус дає доступ "
                "до державної допомоги через місцеві соціальні служби. Україна визнає "
                "ідентифікацію, здійснену країною призначення: повторне інтерв'ю з особою не "
                "потрібне. Застосовується період для роздумів тривалістю 90 днів. Дітей захищають "
                "служби у справах дітей місцевих органів влади як органи опіки та піклування. "
                "Національні гарячі лінії «Ла Страда-Україна» (116 123 та 116 111 для дітей) "
                "приймають звернення."
            ),
        },
        "reflection_period_days": 90,
        "identification_abroad_recognised": True,
    },
]
