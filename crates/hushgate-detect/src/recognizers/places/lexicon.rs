//! Word classes for addresses and organisation names, in one hash map: one
//! lookup per token tells every class a word belongs to.
//!
//! Public knowledge written for this module (postal abbreviations from USPS
//! Publication 28, Royal Mail postcode areas, common street types of Germany,
//! France, Spain and Italy, legal-form suffixes).

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use super::gazetteer::Fx;

pub(crate) type Class = u64;

/// English street suffix, full word (`Street`, `Avenue`).
pub(crate) const ST_EN: Class = 1;
/// English street suffix, abbreviation (`St`, `Ave`): a `.` may follow.
pub(crate) const ST_EN_ABBR: Class = 1 << 1;
/// French street type, before the name (`rue`, `avenue`).
pub(crate) const ST_FR: Class = 1 << 2;
/// Spanish/Italian/Portuguese street type before the name (`Calle`, `Via`).
pub(crate) const ST_ES: Class = 1 << 3;
/// German/Dutch separate street word after the name (`Straße`, `Weg`).
pub(crate) const ST_DE: Class = 1 << 4;
/// Unit designator after a street line (`Apt`, `Suite`).
pub(crate) const UNIT: Class = 1 << 5;
/// Compass direction (`N`, `NW`, `North`).
pub(crate) const DIRECTION: Class = 1 << 6;
/// US state / territory or Canadian province code.
pub(crate) const STATE_CODE: Class = 1 << 7;
/// US state name.
pub(crate) const STATE_NAME: Class = 1 << 8;
/// Legal-form suffix (`Inc`, `GmbH`): a strong organisation marker.
pub(crate) const ORG_LEGAL: Class = 1 << 9;
/// Institution suffix (`Hospital`, `Bank`, `Clinic`): strong.
pub(crate) const ORG_INST: Class = 1 << 10;
/// Industry suffix (`Systems`, `Analytics`): weaker, needs a distinctive name.
pub(crate) const ORG_WEAK: Class = 1 << 11;
/// Word that starts an organisation name (`Klinikum`, `Banco`, `Hôpital`).
pub(crate) const ORG_PREFIX: Class = 1 << 12;
/// Generic heading/department word: never the distinctive part of a name.
pub(crate) const GENERIC: Class = 1 << 13;
/// Capitalised word that starts sentences or labels, never an org or city.
pub(crate) const STOP: Class = 1 << 14;
/// Preposition that introduces a place (`in`, `nach`, `à`).
pub(crate) const PREP: Class = 1 << 15;
/// Lower-case particle inside names (`de`, `la`, `am`, `of`).
pub(crate) const PARTICLE: Class = 1 << 16;
/// Label before a city (`City`, `Ort`, `Ville`).
pub(crate) const CITY_LABEL: Class = 1 << 17;
/// Label before an organisation (`Employer`, `Beneficiary`, `Insurance`).
pub(crate) const ORG_LABEL: Class = 1 << 18;
/// Honorific: a following capitalised word is a person.
pub(crate) const TITLE: Class = 1 << 19;
/// Noun that a city name can modify (`office`, `offsite`).
pub(crate) const CITY_MOD: Class = 1 << 20;
/// Label before an address or postcode (`Address`, `Anschrift`, `ZIP`).
pub(crate) const ADDR_LABEL: Class = 1 << 21;
/// Label before a postcode specifically (`ZIP`, `PLZ`, `postcode`).
pub(crate) const ZIP_LABEL: Class = 1 << 22;
/// Month or weekday name (en/de/fr/es).
pub(crate) const CALENDAR: Class = 1 << 23;
/// Spanish floor/door words after a house number (`izq`, `dcha`, `bajo`).
pub(crate) const FLOOR: Class = 1 << 24;
/// Verb that makes "to X" a place (`moved`, `relocated`).
pub(crate) const MOVE_VERB: Class = 1 << 25;
/// Org word whose next capitalised words complete the name (`of` forms):
/// `Bank of …`, `University of …`.
pub(crate) const ORG_OF: Class = 1 << 26;
/// Canadian province code.
pub(crate) const PROVINCE: Class = 1 << 27;
/// German prefix before a street name (`Am`, `Im`, `An`).
pub(crate) const DE_STREET_PREP: Class = 1 << 28;
/// PO box words (`Box`, `Postfach`, `Apartado`).
pub(crate) const POBOX: Class = 1 << 30;
/// Greeting or sign-off: ends a run of capitalised words (`Bonjour`, `Dear`).
pub(crate) const GREETING: Class = 1 << 31;
/// Relative or role noun before a person's name (`partner`, `daughter`).
pub(crate) const KIN: Class = 1 << 32;
/// Job title word, as in e-mail signatures (`Controller | Acme`).
pub(crate) const JOB: Class = 1 << 33;
/// Australian state or territory code.
pub(crate) const AU_STATE: Class = 1 << 36;
/// Unit of time or measure: never part of a street name (`30 Minutes Walk`).
pub(crate) const MEASURE: Class = 1 << 37;
/// Computed per token: a German/Dutch compound street name (`Hauptstraße`).
pub(crate) const DE_STREET_WORD: Class = 1 << 34;
/// Computed per token: a German compound organisation word (`Universitätsklinikum`).
pub(crate) const DE_ORG_WORD: Class = 1 << 35;

const LISTS: &[(Class, &str)] = &[
    (
        ST_EN,
        "street avenue boulevard road lane drive way court place terrace circle parkway highway square \
         trail crescent close grove gardens row walk mews rise loop alley plaza pike path crossing \
         causeway expressway freeway turnpike broadway hill park green view vale wharf quay esplanade \
         promenade embankment chase drove gate yard",
    ),
    (
        ST_EN_ABBR,
        "st ave av blvd rd ln dr ct pl ter terr cir pkwy hwy sq trl cres cl gr gdns pk plz aly expy \
         fwy tpke",
    ),
    (
        ST_FR,
        "rue avenue boulevard bd bld place allée allee impasse quai chemin route cours square passage \
         voie promenade esplanade faubourg rond-point sentier villa cité cite résidence hameau parvis \
         montée chaussée ruelle av",
    ),
    (
        ST_ES,
        "calle avenida avda paseo plaza pza camino carretera ctra ronda travesía travesia glorieta \
         rambla vía via carrer passeig rúa costanilla cuesta urbanización callejón alameda pasaje \
         viale piazza corso largo vicolo piazzale rua travessa praça praca estrada",
    ),
    (
        ST_DE,
        "straße strasse str weg platz allee gasse ring damm ufer chaussee steig pfad markt kai \
         straat laan gracht plein kade dijk singel",
    ),
    (
        UNIT,
        "apt apartment suite ste unit fl floor rm room bldg building dept lot flat trlr stop pmb",
    ),
    (
        DIRECTION,
        "n s e w ne nw se sw north south east west northeast northwest southeast southwest",
    ),
    (
        STATE_CODE,
        "al ak az ar ca co ct de dc fl ga hi id il in ia ks ky la me md ma mi mn ms mo mt ne nv nh nj \
         nm ny nc nd oh ok or pa ri sc sd tn tx ut vt va wa wv wi wy pr gu vi as mp \
         ab bc mb nb nl ns nt nu on pe qc sk yt",
    ),
    (PROVINCE, "ab bc mb nb nl ns nt nu on pe qc sk yt"),
    (
        STATE_NAME,
        "alabama alaska arizona arkansas california colorado connecticut delaware florida georgia \
         hawaii idaho illinois indiana iowa kansas kentucky louisiana maine maryland massachusetts \
         michigan minnesota mississippi missouri montana nebraska nevada ohio oklahoma oregon \
         pennsylvania tennessee texas utah vermont virginia washington wisconsin wyoming",
    ),
    (
        ORG_LEGAL,
        "inc incorporated llc llp lllp ltd limited plc gmbh ag kg kgaa se sa sas sasu sarl eurl sl slu \
         spa srl bv nv oy ab asa aps pty corp corporation co company mbh ggmbh ug ohg gbr ev lp pllc pc \
         pa nyse nasdaq associés associes asociados sprl bvba vof kft zrt nyrt sro doo oü oyj aps \
         sagl snc sapa scarl ehf spółka bhd sdn",
    ),
    (
        ORG_INST,
        "hospital hospitals clinic clinics infirmary hospice pharmacy practice surgery bank bancorp \
         bankshares union insurance assurance university college institute school academy \
         foundation trust laboratories laboratory medical healthcare health hospitalier \
         hospitalière savings building credit ministry department ziekenhuis kantonalbank",
    ),
    (
        ORG_WEAK,
        "systems solutions technologies technology tech labs lab software analytics robotics \
         aerospace biotech biosciences pharmaceuticals pharma therapeutics telecom \
         communications networks media logistics freight shipping transport transportation airlines \
         airways motors automotive energy utilities foods brewing brewery traders trading \
         industries enterprises holdings ventures group consulting consultants security learning \
         education studios productions entertainment games dynamics electronics devices \
         instruments manufacturing construction builders realty properties partners associates \
         advisors advisers capital financial investments securities services payroll \
         care oncology cardiology pediatrics paediatrics orthopedics orthopaedics dermatology \
         radiology imaging diagnostics wellness rehabilitation rehab surgical dental dentistry \
         center centre centers centres associates agency network bakery restaurant hotel hotels \
         motel cafe café pizzeria market supermarket store stores shop outfitters apparel \
         fashion cosmetics beverages farms mining metals steel chemicals petroleum oil gas \
         power electric insurers mutual cooperative coop co-op",
    ),
    (
        ORG_PREFIX,
        "chu chru banco banque banca caisse sparkasse volksbank raiffeisenbank kreissparkasse stadtsparkasse \
         klinikum universitätsklinikum krankenhaus klinik kliniken praxis praxisgemeinschaft \
         gemeinschaftspraxis hôpital hopital clinique cabinet mutuelle clínica clinica hospital \
         seguros mutua caja farmacia pharmacie apotheke universidad université universität \
         universitat boulangerie bäckerei baeckerei autohaus steuerkanzlei kanzlei anwaltskanzlei \
         stadtwerke versicherung versicherungen versicherungsgruppe transports laboratoire \
         laboratoires groupe grupo gruppo fundación fondation stiftung policlínica policlinica \
         sanatorio ospedale centro centre cooperativa coopérative société societe sociedad \
         compagnie compañía compania aseguradora assurances studio azienda ziekenhuis \
         huisartsenpraktijk apotheek tandartspraktijk ristorante restaurante trattoria brasserie \
         clsc ministerio ministère ministero ministerie ministerium stichting fondazione istituto \
         instituto policlinico ospedaliera ambulatorio laboratorio gemeente ayuntamiento comune \
         mairie ziekenfonds zorgverzekeraar huisarts tandarts fysiotherapie bakkerij",
    ),
    (
        ORG_OF,
        "bank university college institute school academy ministry department",
    ),
    (
        GENERIC,
        "data cloud customer client product business software information network security payment \
         account team support engineering machine computer computing application system web mobile \
         digital internal technical project risk human resources operations sales marketing \
         service services health medical mental behavioral behavioural family general community \
         regional national global international children's women's men's urgent care primary \
         emergency memory pain sleep eye heart cancer dental oral public private central main new old \
         total free open best standard premium basic advanced local home online credit savings \
         trust capital investment insurance life auto car travel food energy water power \
         quality safety compliance legal research development learning training education \
         student clinical patient patients hospital clinic practice pharmacy lab labs test testing \
         production staging release build deployment infrastructure platform integration \
         identity access management admin user users group groups policy billing payments \
         payroll benefits claims members member provider providers partner partners the and of \
         your our my this that these those their his her its all any each every other another \
         first second third last next previous current former annual monthly weekly daily \
         day night morning evening week month year plastic cardiac cardiothoracic vascular \
         orthopedic orthopaedic pediatric paediatric neuro spine thoracic bariatric minor major \
         elective robotic cosmetic outpatient inpatient surgical surgery medicine internal \
         fertility diabetes fracture walk-in women children men maternity university state \
         federal city county district school college institute department office unit ward \
         center centre division section program programme fund foundation association society \
         council committee board agency bureau authority commission ministry court \
         financial advisory consulting consulting's technology technologies solutions systems \
         analytics media communications networks logistics shipping transport transportation \
         manufacturing construction realty properties enterprise enterprises industries \
         holdings ventures studios productions entertainment games dynamics electronics devices \
         instruments rehabilitation imaging diagnostics wellness oncology cardiology dermatology \
         radiology pediatrics orthopedics infrastructure devops backend frontend api sdk \
         privacy cyber smart green blue red black white united american european british \
         german french spanish north south east west northern southern eastern western upper \
         lower great little big high low \
         spring windows google microsoft apple amazon azure aws gcp adobe apache linux android \
         ios java python docker kubernetes cisco intel oracle salesforce slack github gitlab jira \
         atlassian stripe twilio okta zoom meta facebook openai sap ibm dell hp vmware nvidia \
         office outlook teams chrome firefox safari edge node react angular django rails \
         update updates server servers file files storage compute database gateway service \
         message messaging queue search directory active domain key certificate backup \
         recovery monitoring logging alerting deployment release \
         comfort palliative intensive critical acute chronic respiratory wound foot skin hospice \
         senior elder child infant newborn neonatal prenatal postnatal kidney liver lung brain \
         joint bone vision hearing speech physical occupational therapy nursing knee hip back \
         weight loss bypass cataract trauma anticoagulation failure vaccine flu blood sperm river \
         deep distance continuing social homeland population operating control distributed \
         embedded mass working venture professional managed shared protective focus age study \
         peer help command fitness teaching field psychiatric veterans same law graduate \
         elementary middle secondary boarding retail specialty compounding pet unemployment \
         summer winter autumn fall spring",
    ),
    (
        STOP,
        "a an the this that these those it its he she they we you i my our your his her their \
         to in on at by for from with about of and or but if when while after before since \
         please call contact visit dear hi hello hey thanks thank welcome regards best cheers \
         sincerely re fwd fw subject note notes see also per via attn attention cc bcc \
         patient pt address phone email tel fax mobile \
         beneficiary account routing swift iban bic invoice order ticket case ref reference \
         dr mr mrs ms miss mx prof sir madam herr frau monsieur madame mme mlle señor señora sr sra \
         is are was were be been has have had do does did will would can could should may might \
         must shall yes no not ok okay sure sorry hope just also only even still yet \
         here there today tomorrow yesterday now then new old all any some each every no \
         referred seen discharged admitted transferred scheduled follow-up followup records \
         faxed sent received paid charged refunded transfer payment wire deposit direct \
         customer agent bot user admin system assistant support team manager",
    ),
    (
        PREP,
        "in near from to toward towards around outside inside across through via nach aus bei \
         à au en a desde hacia para dans vers près",
    ),
    (
        PARTICLE,
        "de del la las los el le les du des di da do dos am an im der den dem zu zum zur sur sous \
         en on upon the of y i et und lès lez aan op bei ob ad al a d' l' von van",
    ),
    (
        CITY_LABEL,
        "city town ort stadt wohnort ville localité localite ciudad localidad municipio población \
         poblacion city_name",
    ),
    (
        ORG_LABEL,
        "employer company organisation organization org firm insurer insurance carrier payer \
         beneficiary bank vendor supplier arbeitgeber firma unternehmen empresa entreprise \
         société societe aseguradora versicherung krankenkasse mutuelle pharmacy facility \
         practice hospital clinic lender creditor merchant",
    ),
    (
        TITLE,
        "dr mr mrs ms miss mx prof sir herr frau m mme mlle sr sra srta dra don doña",
    ),
    (
        CITY_MOD,
        "office offices offsite onsite branch area campus headquarters hq location site airport \
         region metro store team warehouse facility plant hub datacenter hotel hotels conference \
         trip visit clinic hospital",
    ),
    (
        ADDR_LABEL,
        "address addr adresse anschrift domicilio dirección direccion wohnhaft demeurant domicilié \
         domiciliée residing resides lives located ship shipping mailing billing street \
         line1 line2 address1 address2 street_address",
    ),
    (
        ZIP_LABEL,
        "zip zipcode zip_code postcode postal postal_code postalcode plz cp cód cod postleitzahl",
    ),
    (
        CALENDAR,
        "january february march april may june july august september october november december \
         jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday \
         saturday sunday januar februar märz juni juli oktober dezember montag dienstag mittwoch \
         donnerstag freitag samstag sonntag janvier février mars avril mai juin juillet août \
         septembre octobre novembre décembre lundi mardi mercredi jeudi vendredi samedi dimanche \
         enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre \
         lunes martes miércoles jueves viernes sábado domingo",
    ),
    (
        FLOOR,
        "izq izda izquierda dcha dcha der derecha drcha bajo bajos entlo entresuelo ático atico \
         principal pral puerta piso esc escalera planta ctro centro",
    ),
    (
        MOVE_VERB,
        "moved move moving relocated relocating relocate flew fly flying drove driving travel \
         traveled travelled traveling travelling trip headed heading mudado mudó trasladado \
         mudarse umgezogen gezogen déménagé déménage installé installée",
    ),
    (
        DE_STREET_PREP,
        "am an im in auf zum zur unter hinter vor alte alter neue neuer",
    ),
    (POBOX, "box postfach apartado apdo"),
    (AU_STATE, "nsw vic qld tas act wa sa nt"),
    (
        MEASURE,
        "second seconds minute minutes min mins hour hours hrs day days week weeks month months \
         year years yrs time times mile miles km kilometers kilometres meter meters metre metres \
         feet foot ft yard yards step steps mg ml kg lb lbs percent tablets tablet pills doses \
         units items people users points stars",
    ),
    (
        GREETING,
        "hi hello hey dear thanks thank regards best cheers sincerely bonjour bonsoir salut \
         cordialement hola estimado estimada estimados querido querida saludos atentamente buenos \
         buenas hallo liebe lieber sehr guten grüße gruß viele mit freundlichen cher chère chers \
         merci vous nous je il elle ils elles votre vos notre nos su sus usted ustedes nuestro \
         nuestra gracias ihre ihr wir sie bitte danke unser unsere ich er",
    ),
    (
        KIN,
        "partner wife husband spouse son daughter mother father brother sister sibling child \
         friend boyfriend girlfriend fiancé fiancée caregiver guardian neighbor neighbour colleague \
         patient caller contact agent customer pt mr mrs ms miss dr manager approver owner \
         signed attending resident nurse",
    ),
    (
        JOB,
        "lead manager specialist accountant controller director engineer officer analyst \
         coordinator assistant representative rep agent consultant administrator supervisor \
         president vp ceo cfo cto coo head partner associate nurse physician counsel advisor \
         recruiter developer designer architect scientist owner founder cofounder clerk \
         technician auditor treasurer secretary",
    ),
];

/// Postcode areas of the UK (Royal Mail), for validating UK postcodes.
pub(crate) const UK_AREAS: &[&str] = &[
    "AB", "AL", "B", "BA", "BB", "BD", "BF", "BH", "BL", "BN", "BR", "BS", "BT", "BX", "CA", "CB",
    "CF", "CH", "CM", "CO", "CR", "CT", "CV", "CW", "DA", "DD", "DE", "DG", "DH", "DL", "DN", "DT",
    "DY", "E", "EC", "EH", "EN", "EX", "FK", "FY", "G", "GL", "GU", "GY", "HA", "HD", "HG", "HP",
    "HR", "HS", "HU", "HX", "IG", "IM", "IP", "IV", "JE", "KA", "KT", "KW", "KY", "L", "LA", "LD",
    "LE", "LL", "LN", "LS", "LU", "M", "ME", "MK", "ML", "N", "NE", "NG", "NN", "NP", "NR", "NW",
    "OL", "OX", "PA", "PE", "PH", "PL", "PO", "PR", "RG", "RH", "RM", "S", "SA", "SE", "SG", "SK",
    "SL", "SM", "SN", "SO", "SP", "SR", "SS", "ST", "SW", "SY", "TA", "TD", "TF", "TN", "TQ", "TR",
    "TS", "TW", "UB", "W", "WA", "WC", "WD", "WF", "WN", "WR", "WS", "WV", "YO", "ZE",
];

pub(crate) struct Lexicon {
    map: HashMap<Box<[u8]>, Class, BuildHasherDefault<Fx>>,
    /// Longest word in the map: longer tokens skip the lookup.
    max_len: usize,
}

impl Lexicon {
    pub(crate) fn new() -> Lexicon {
        let mut map: HashMap<Box<[u8]>, Class, BuildHasherDefault<Fx>> = HashMap::default();
        for &(class, words) in LISTS {
            for w in words.split_whitespace() {
                *map.entry(w.to_ascii_lowercase().into_bytes().into())
                    .or_insert(0) |= class;
            }
        }
        let max_len = map.keys().map(|k| k.len()).max().unwrap_or(0);
        Lexicon { map, max_len }
    }

    /// Classes of a capitalised or lower-case word token, including the
    /// computed compound classes.
    pub(crate) fn token_classes(&self, word: &str, cap: bool) -> Class {
        let mut c = self.classes(word);
        if cap && word.len() > 4 {
            if ends_with_any(word, DE_STREET_ENDINGS) {
                c |= DE_STREET_WORD;
            }
            if ends_with_any(word, DE_ORG_ENDINGS) {
                c |= DE_ORG_WORD;
            }
        }
        c
    }

    /// Classes of `word` (ASCII case-insensitive; 0 when unknown).
    pub(crate) fn classes(&self, word: &str) -> Class {
        let b = word.as_bytes();
        if b.len() > self.max_len || b.len() > 32 {
            return 0;
        }
        let mut buf = [0u8; 32];
        for (d, s) in buf.iter_mut().zip(b) {
            *d = s.to_ascii_lowercase();
        }
        self.map.get(&buf[..b.len()]).copied().unwrap_or(0)
    }
}

/// German compound street names end in one of these (`Hauptstraße`, `Lindenallee`).
pub(crate) const DE_STREET_ENDINGS: &[&str] = &[
    "straße", "strasse", "str", "weg", "platz", "allee", "gasse", "ring", "damm", "ufer",
    "chaussee", "steig", "pfad", "markt", "graben", "wall", "stieg", "berg", "hof", "park",
    "garten", "kamp", "straat", "laan", "gracht", "plein", "kade", "dijk", "singel",
];

/// German/Dutch compounds ending like an organisation word (`Universitätsklinikum`).
pub(crate) const DE_ORG_ENDINGS: &[&str] = &[
    "klinikum",
    "klinik",
    "kliniken",
    "praxis",
    "kanzlei",
    "sparkasse",
    "versicherung",
    "versicherungen",
    "apotheke",
    "werke",
    "gruppe",
    "bank",
    "krankenhaus",
    "krankenkasse",
];

/// Does `word` end with one of `endings` (ASCII case-insensitive, longer than the ending)?
pub(crate) fn ends_with_any(word: &str, endings: &[&str]) -> bool {
    let w = word.as_bytes();
    let Some(&last) = w.last() else { return false };
    let last = last.to_ascii_lowercase();
    endings.iter().any(|e| {
        e.as_bytes().last() == Some(&last) && {
            let e = e.as_bytes();
            w.len() > e.len() + 1 && w[w.len() - e.len()..].eq_ignore_ascii_case(e)
        }
    })
}
