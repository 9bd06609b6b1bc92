"""Word lists for the fictional French company and its customers.

Every e-mail domain ends in `.example` (reserved, RFC 2606) and landlines use the ranges ARCEP keeps for
fiction, so a demo database pointed at a real SMTP server by mistake cannot reach anybody.
"""

from __future__ import annotations

# First names by the civil title that goes with them ("Mme Sophie Martin", never "M. Sophie Martin").
# Camille is epicene: it is counted as a woman's name here, so the demo never has to guess.
FEMALE_FIRST_NAMES = (
    "Camille", "Sophie", "Claire", "Émilie", "Laura", "Céline", "Aurélie", "Julie", "Marion", "Élodie",
    "Nathalie", "Isabelle", "Sandrine", "Nadia", "Inès", "Hélène", "Chloé", "Manon", "Anne", "Léa",
)
MALE_FIRST_NAMES = (
    "Julien", "Nicolas", "Thomas", "Antoine", "Mathieu", "Pierre", "Sébastien", "Romain", "Guillaume",
    "Maxime", "François", "Olivier", "Karim", "Mehdi", "Yann", "Benoît", "Vincent", "Laurent", "Damien",
    "Stéphane",
)
TITLE_FOR = {"F": "Mme", "M": "M."}

SURNAMES = (
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
    "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier",
    "Morel", "Girard", "André", "Lefèvre", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez",
    "Legrand", "Garnier", "Faure", "Rousseau", "Blanc", "Guérin", "Muller", "Henry", "Roussel", "Nicolas",
    "Perrin", "Morin", "Mathieu", "Clément", "Gauthier", "Dumont", "Lopez", "Fontaine", "Chevalier", "Robin",
    "Benali", "Nguyen", "Haddad", "Le Gall", "Kerboul", "Barbier", "Brun", "Schmitt", "Colin", "Vidal",
)

# Legal forms a French small business actually uses: an SA needs seven shareholders and is for bigger
# firms, "& Fils" says there are several partners (so no single-member EURL or SASU).
SMALL_FORMS = ("SARL", "SARL", "SAS", "EURL", "SASU")
FAMILY_FORMS = ("SARL", "SAS")
# Regulated professions practise through professional companies (sociétés d'exercice libéral).
LIBERAL_FORMS = ("SELARL", "SELAS")

# (prefix, suffix, legal forms): "{prefix} {surname}{suffix} {form}" reads like a French small-business name.
TRADES = (
    ("Boulangerie", "", SMALL_FORMS), ("Garage", "", SMALL_FORMS), ("Transports", " & Fils", FAMILY_FORMS),
    ("Menuiserie", "", SMALL_FORMS), ("Plomberie", "", SMALL_FORMS), ("Cabinet d'architecture", "", FAMILY_FORMS),
    ("Pharmacie", "", LIBERAL_FORMS), ("Imprimerie", "", SMALL_FORMS), ("Électricité", "", SMALL_FORMS),
    ("Boucherie", "", SMALL_FORMS), ("Restaurant Chez", "", SMALL_FORMS), ("Hôtel", "", SMALL_FORMS),
    ("Atelier", "", SMALL_FORMS), ("Charpente", "", SMALL_FORMS), ("Carrosserie", "", SMALL_FORMS),
    ("Maçonnerie", " Bâtiment", SMALL_FORMS), ("Fromagerie", "", SMALL_FORMS), ("Librairie", "", SMALL_FORMS),
    ("Agence immobilière", "", SMALL_FORMS), ("Clinique vétérinaire", "", LIBERAL_FORMS),
    ("Paysages", "", SMALL_FORMS), ("Traiteur", "", SMALL_FORMS), ("Cave", "", SMALL_FORMS),
    ("Serrurerie", "", SMALL_FORMS), ("Auto-école", "", SMALL_FORMS), ("Optique", "", SMALL_FORMS),
    ("Fleurs", "", SMALL_FORMS),
)

# Brand names are "{word} {activity}": neutral words, because a regional name ("Bretagne Marée") in an
# unrelated city reads wrong, and 20 × 20 pairs keep namesakes rare among a few hundred customers.
BRAND_WORDS = (
    "Alizé", "Atlas", "Azimut", "Boréal", "Cap", "Delta", "Équinoxe", "Horizon", "Méridien", "Nova",
    "Opale", "Orion", "Sirius", "Zénith", "Hexagone", "Avenir", "Odyssée", "Vertigo", "Archipel", "Quartz",
)
BRAND_ACTIVITIES = (
    "Logistique", "Emballages", "Conseil", "Distribution", "Froid", "Matériaux", "Bureautique", "Événements",
    "Nettoyage", "Informatique", "Mécanique", "Précision", "Services", "Santé", "Textile", "Transports",
    "Énergie", "Sécurité", "Industrie", "Environnement",
)

# Regional brands are mid-sized companies.
BRAND_FORMS = ("SAS", "SAS", "SA", "SARL")

# (city, postcode, landline zone, department) — the zone is the first digit of the city's landlines (01
# Île-de-France, 02 north-west, 03 north-east, 04 south-east, 05 south-west); the department, with its
# article, only for a prefecture whose department has a council and a fire service (not Paris, not the
# European Collectivity of Alsace): departmental public bodies sit there.
CITIES = (
    ("Lyon", "69003", "4", "du Rhône"), ("Villeurbanne", "69100", "4", ""), ("Vénissieux", "69200", "4", ""),
    ("Grenoble", "38000", "4", "de l'Isère"), ("Saint-Étienne", "42000", "4", "de la Loire"),
    ("Annecy", "74000", "4", "de la Haute-Savoie"), ("Chambéry", "73000", "4", "de la Savoie"),
    ("Valence", "26000", "4", "de la Drôme"), ("Bourg-en-Bresse", "01000", "4", "de l'Ain"),
    ("Mâcon", "71000", "3", "de Saône-et-Loire"), ("Clermont-Ferrand", "63000", "4", "du Puy-de-Dôme"),
    ("Dijon", "21000", "3", "de la Côte-d'Or"), ("Paris", "75011", "1", ""), ("Paris", "75015", "1", ""),
    ("Boulogne-Billancourt", "92100", "1", ""), ("Montreuil", "93100", "1", ""),
    ("Marseille", "13006", "4", "des Bouches-du-Rhône"), ("Aix-en-Provence", "13100", "4", ""),
    ("Nice", "06000", "4", "des Alpes-Maritimes"), ("Toulon", "83000", "4", "du Var"),
    ("Montpellier", "34000", "4", "de l'Hérault"), ("Nîmes", "30000", "4", "du Gard"),
    ("Toulouse", "31000", "5", "de la Haute-Garonne"), ("Bordeaux", "33000", "5", "de la Gironde"),
    ("Nantes", "44000", "2", "de la Loire-Atlantique"), ("Rennes", "35000", "2", "d'Ille-et-Vilaine"),
    ("Brest", "29200", "2", ""), ("Angers", "49000", "2", "de Maine-et-Loire"),
    ("Tours", "37000", "2", "d'Indre-et-Loire"), ("Lille", "59000", "3", "du Nord"),
    ("Amiens", "80000", "3", "de la Somme"), ("Rouen", "76000", "2", "de la Seine-Maritime"),
    ("Caen", "14000", "2", "du Calvados"), ("Reims", "51100", "3", ""), ("Strasbourg", "67000", "3", ""),
    ("Metz", "57000", "3", "de la Moselle"), ("Nancy", "54000", "3", "de Meurthe-et-Moselle"),
    ("Mulhouse", "68100", "3", ""), ("Besançon", "25000", "3", "du Doubs"),
    ("Limoges", "87000", "5", "de la Haute-Vienne"), ("Poitiers", "86000", "5", "de la Vienne"),
    ("Orléans", "45000", "2", "du Loiret"),
)

STREETS = (
    "rue de la République", "avenue Jean Jaurès", "rue Victor Hugo", "boulevard Gambetta",
    "rue du Général de Gaulle", "place de la Mairie", "rue Pasteur", "avenue de la Gare", "rue des Écoles",
    "chemin des Vignes", "rue de la Paix", "allée des Tilleuls", "rue du Commerce", "impasse des Artisans",
    "zone artisanale des Prés", "rue Émile Zola", "avenue Foch", "rue Nationale", "quai de Saône",
    "rue des Lilas", "route de Lyon", "rue Jules Ferry", "boulevard Voltaire", "rue Louis Blériot",
)

# (title for a man, title for a woman): a role agrees with the contact's first name. The head of the
# company is a "gérant" in a SARL or EURL, a "président" in an SAS, a "directeur général" in an SA: the
# generator replaces HEAD_OF_COMPANY by the title that goes with the customer's legal form.
HEAD_OF_COMPANY = ("Dirigeant", "Dirigeante")
# A bakery has no finance director: its invoices go to the owner, an assistant or the outside accountant.
SMALL_BUSINESS_ROLES = (
    HEAD_OF_COMPANY, HEAD_OF_COMPANY, ("Assistant de direction", "Assistante de direction"),
    ("Secrétaire comptable", "Secrétaire comptable"),
)
CONTACT_ROLES = (
    ("Comptable", "Comptable"), ("Responsable administratif et financier", "Responsable administrative et financière"),
    HEAD_OF_COMPANY, ("Assistant de direction", "Assistante de direction"),
    ("Directeur financier", "Directrice financière"), ("Responsable des achats", "Responsable des achats"),
    ("Chargé de comptabilité fournisseurs", "Chargée de comptabilité fournisseurs"),
)
HEAD_ROLES = {
    "SARL": ("Gérant", "Gérante"), "EURL": ("Gérant", "Gérante"), "SELARL": ("Gérant", "Gérante"),
    "SAS": ("Président", "Présidente"), "SASU": ("Président", "Présidente"), "SELAS": ("Président", "Présidente"),
    "SA": ("Directeur général", "Directrice générale"),
}

# Public buyers: (name template, SIREN prefix, payment term in days, departmental). SIREN prefixes:
# communes 21…, departments 22…, public health and social establishments 26…, schools 19…, fire services
# 28…. Public hospitals pay within 50 days, the others within 30 (Code de la commande publique R2192-10/11).
# `{de_city}` is "de Lyon" or "d'Angers"; a departmental body is named after a department, with its article.
PUBLIC_BODIES = (
    ("Ville {de_city}", "21", 30, False),
    ("Centre hospitalier {de_city}", "26", 50, False),
    ("Lycée Jean Moulin ({city})", "19", 30, False),
    ("Collège Victor Hugo ({city})", "19", 30, False),
    ("Conseil départemental {department}", "22", 30, True),
    ("Centre communal d'action sociale {de_city}", "26", 30, False),
    ("EHPAD public Les Tilleuls ({city})", "26", 30, False),
    ("SDIS {department}", "28", 30, True),
)

DISPUTE_REASONS = (
    ("not_received", "Le client indique ne jamais avoir reçu la facture."),
    ("amount_wrong", "Écart de prix avec le devis signé ; le client conteste le montant."),
    ("goods_or_service", "Prestation jugée incomplète : une intervention reste à refaire."),
    ("already_paid", "Le client affirme avoir déjà réglé par chèque."),
    ("other", "Bon de commande manquant : le service achats bloque le paiement."),
)

# ARCEP's numbers reserved for fiction (landlines), one range per zone; phonenumbers accepts them as valid
# fixed lines. A customer's landline is in its city's zone (a Lyon company has an 04 number).
FICTION_LANDLINE_PREFIXES = {"1": "199 00", "2": "261 91", "3": "353 01", "4": "465 71", "5": "536 49"}

DEFAULT_ORG_NAME = "Vasseur Maintenance SAS"
