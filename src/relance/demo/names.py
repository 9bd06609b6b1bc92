"""Word lists for the fictional French company and its customers.

Every e-mail domain ends in `.example` (reserved, RFC 2606) and landlines use the ranges ARCEP keeps for
fiction, so a demo database pointed at a real SMTP server by mistake cannot reach anybody.
"""

from __future__ import annotations

FIRST_NAMES = (
    "Camille", "Julien", "Sophie", "Nicolas", "Claire", "Thomas", "Émilie", "Antoine", "Laura", "Mathieu",
    "Céline", "Pierre", "Aurélie", "Sébastien", "Julie", "Romain", "Marion", "Guillaume", "Élodie", "Maxime",
    "Nathalie", "François", "Isabelle", "Olivier", "Sandrine", "Karim", "Nadia", "Mehdi", "Inès", "Yann",
    "Hélène", "Benoît", "Chloé", "Vincent", "Manon", "Laurent", "Anne", "Damien", "Léa", "Stéphane",
)

SURNAMES = (
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
    "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier",
    "Morel", "Girard", "André", "Lefèvre", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez",
    "Legrand", "Garnier", "Faure", "Rousseau", "Blanc", "Guérin", "Muller", "Henry", "Roussel", "Nicolas",
    "Perrin", "Morin", "Mathieu", "Clément", "Gauthier", "Dumont", "Lopez", "Fontaine", "Chevalier", "Robin",
    "Benali", "Nguyen", "Haddad", "Le Gall", "Kerboul", "Barbier", "Brun", "Schmitt", "Colin", "Vidal",
)

# (prefix, suffix) pairs: "{prefix} {surname}{suffix}" reads like a French small-business name.
TRADES = (
    ("Boulangerie", ""), ("Garage", ""), ("Transports", " & Fils"), ("Menuiserie", ""), ("Plomberie", ""),
    ("Cabinet", " Architectes"), ("Pharmacie", ""), ("Imprimerie", ""), ("Électricité", ""),
    ("Boucherie", ""), ("Restaurant Chez", ""), ("Hôtel", ""), ("Atelier", ""), ("Charpente", ""),
    ("Carrosserie", ""), ("Maçonnerie", " Bâtiment"), ("Fromagerie", ""), ("Librairie", ""),
    ("Agence", " Immobilier"), ("Clinique vétérinaire", ""), ("Paysages", ""), ("Traiteur", ""),
    ("Cave", ""), ("Serrurerie", ""), ("Auto-école", ""), ("Opticien", ""), ("Fleurs", ""),
)

BRANDS = (
    "Alpes Logistique", "Rhône Emballages", "Nova Conseil", "Hexagone Distribution", "Atlantique Froid",
    "Provence Matériaux", "Ouest Bureautique", "Lumière Événements", "Azur Nettoyage", "Sud Informatique",
    "Bretagne Marée", "Vallée Bois", "Normandie Agri", "Cévennes Textile", "Loire Mécanique",
    "Jura Précision", "Garonne Services", "Armor Santé", "Vosges Hôtellerie", "Picardie Transports",
)

LEGAL_FORMS = ("SARL", "SAS", "SAS", "SASU", "EURL", "SA")

# (city, postcode, first two digits of a plausible SIREN-issuing department are not needed)
CITIES = (
    ("Lyon", "69003"), ("Villeurbanne", "69100"), ("Vénissieux", "69200"), ("Grenoble", "38000"),
    ("Saint-Étienne", "42000"), ("Annecy", "74000"), ("Chambéry", "73000"), ("Valence", "26000"),
    ("Bourg-en-Bresse", "01000"), ("Mâcon", "71000"), ("Clermont-Ferrand", "63000"), ("Dijon", "21000"),
    ("Paris", "75011"), ("Paris", "75015"), ("Boulogne-Billancourt", "92100"), ("Montreuil", "93100"),
    ("Marseille", "13006"), ("Aix-en-Provence", "13100"), ("Nice", "06000"), ("Toulon", "83000"),
    ("Montpellier", "34000"), ("Nîmes", "30000"), ("Toulouse", "31000"), ("Bordeaux", "33000"),
    ("Nantes", "44000"), ("Rennes", "35000"), ("Brest", "29200"), ("Angers", "49000"), ("Tours", "37000"),
    ("Lille", "59000"), ("Amiens", "80000"), ("Rouen", "76000"), ("Caen", "14000"), ("Reims", "51100"),
    ("Strasbourg", "67000"), ("Metz", "57000"), ("Nancy", "54000"), ("Mulhouse", "68100"),
    ("Besançon", "25000"), ("Limoges", "87000"), ("Poitiers", "86000"), ("Orléans", "45000"),
)

STREETS = (
    "rue de la République", "avenue Jean Jaurès", "rue Victor Hugo", "boulevard Gambetta",
    "rue du Général de Gaulle", "place de la Mairie", "rue Pasteur", "avenue de la Gare", "rue des Écoles",
    "chemin des Vignes", "rue de la Paix", "allée des Tilleuls", "rue du Commerce", "impasse des Artisans",
    "zone artisanale des Prés", "rue Émile Zola", "avenue Foch", "rue Nationale", "quai de Saône",
    "rue des Lilas", "route de Lyon", "rue Jules Ferry", "boulevard Voltaire", "rue Louis Blériot",
)

CONTACT_ROLES = (
    "Comptable", "Responsable administratif et financier", "Gérant", "Assistante de direction",
    "Directeur financier", "Responsable des achats", "Chargée de comptabilité fournisseurs",
)

# Public buyers: (name template, SIREN prefix — collectivities 21…, hospitals 26…, schools 19…, others 2…)
PUBLIC_BODIES = (
    ("Mairie de {city}", "21"),
    ("Centre hospitalier de {city}", "26"),
    ("Lycée Jean Moulin ({city})", "19"),
    ("Collège Victor Hugo ({city})", "19"),
    ("Conseil départemental ({city})", "22"),
    ("Communauté de communes autour de {city}", "20"),
    ("EHPAD public Les Tilleuls ({city})", "26"),
    ("SDIS ({city})", "28"),
)

DISPUTE_REASONS = (
    ("not_received", "Le client indique ne jamais avoir reçu la facture."),
    ("amount_wrong", "Écart de prix avec le devis signé ; le client conteste le montant."),
    ("goods_or_service", "Prestation jugée incomplète : une intervention reste à refaire."),
    ("already_paid", "Le client affirme avoir déjà réglé par chèque."),
    ("other", "Bon de commande manquant : le service achats bloque le paiement."),
)

# ARCEP's numbers reserved for fiction (landlines); phonenumbers accepts them as valid fixed lines.
FICTION_LANDLINE_PREFIXES = ("199 00", "261 91", "353 01", "465 71", "536 49")

DEFAULT_ORG_NAME = "Vasseur Maintenance SAS"
