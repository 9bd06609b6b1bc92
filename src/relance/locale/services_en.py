"""The project catalogue: the messages of the service modules (errors, send-now checks, step and channel
labels) in English. French is the source language; the catalogue sits in LOCALE_PATHS, so it serves every app
(the staff web app, the debtor portal) and wins over the apps' own catalogues.

    uv run python src/relance/locale/services_en.py   # extracts the strings, writes django.po and django.mo

It reads the `_()` / `gettext()` / `gettext_lazy()` / `gettext_noop()` calls (one literal argument) of the modules in SOURCES
(no xgettext run), and the field names, choices and form labels of every app's models.py and forms.py (the settings
page, the filters, the admin); `pgettext_lazy(context, text)` is kept apart under "context\x04text" (a .po msgctxt).
It takes the English from EN below, and compiles with msgfmt (gettext tools, which
`relance compilemessages` needs too). A string without English is listed and left empty: add it to EN.
The command line stays French (DESIGN.md); the web app and the portal show these in the reader's language.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent
APPS = HERE.parent
CATALOGUE = HERE / "en/LC_MESSAGES/django.po"
#: the modules whose messages live here (one name per app directory)
MODULES = ("services.py", "selectors.py", "api.py", "penalties.py", "letters.py", "litigation.py", "replies.py",
           "pdf.py")
#: already in their app's own catalogue
SKIP = ("web/selectors.py",)
#: other modules whose messages live here
EXTRA = ("dunning/views.py", "channels/phone.py", "legal/rates.py", "core/validators.py",
         "channels/context.py")
#: the modules whose labels (field names, choices, form labels and errors) live here, whole
LABELS = ("models.py", "forms.py")
#: labels in their app's own catalogue (the portal's models give only their status names, as service messages do)
LABELS_SKIP = ("web/forms.py", "portal/forms.py", "portal/models.py")
GETTEXT = {"_", "gettext", "gettext_lazy", "gettext_noop"}
PGETTEXT = {"pgettext", "pgettext_lazy"}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")

EN = {
    # accounts, activity
    "Une organisation « %(slug)s » existe déjà.": "An organisation “%(slug)s” already exists.",
    "Tâche introuvable.": "Task not found.",
    # dunning approvals page
    "%(step)s annulée : toutes les factures sont réglées.": "%(step)s cancelled: every invoice is settled.",
    "%(step)s validée pour %(customer)s.": "%(step)s approved for %(customer)s.",
    "La tâche est déjà %(status)s.": "The task is already %(status)s.",
    # banking
    "Deux transactions du relevé portent la même référence bancaire.":
        "Two transactions of the statement have the same bank reference.",
    "Les factures ont changé pendant l'import des relevés : relancez l'import.":
        "The invoices changed while the statements were being imported: run the import again.",
    "Ce paiement est déjà %(status)s.": "This payment is already %(status)s.",
    "Choisissez au moins une facture.": "Choose at least one invoice.",
    "Les factures choisies doivent appartenir à un seul client.":
        "The invoices chosen must belong to a single customer.",
    "Le paiement est en %(currency)s : choisissez des factures dans cette devise.":
        "The payment is in %(currency)s: choose invoices in that currency.",
    "Les factures choisies sont déjà soldées.": "The invoices chosen are already settled.",
    "Paiement introuvable.": "Payment not found.",
    # channels
    "Aucun courrier à imprimer le %(day)s.": "No letter to print on %(day)s.",
    "La page de garde du lot d'impression ne se stabilise pas.": "The print batch cover page does not settle.",
    "Intérêts de retard non calculés : %(reasons)s. Le message réclame le principal et les indemnités, et les "
    "intérêts « à parfaire ».":
        "Late-payment interest not calculated: %(reasons)s. The message claims the principal and the indemnities, "
        "and the interest “to be determined” (à parfaire).",
    "%(customer)s n'a aucune facture impayée : pas de dossier contentieux.":
        "%(customer)s has no unpaid invoice: no litigation file.",
    "Client introuvable.": "Customer not found.",
    "Impossible d'écrire « %(path)s » : %(error)s.": "Cannot write “%(path)s”: %(error)s.",
    "Cet avis de non-distribution a été enregistré sans ses détails (adresses en échec) : il ne peut pas être "
    "classé. Ignorez-le et corrigez l'adresse du client à la main.":
        "This delivery failure notice was recorded without its details (the failed addresses): it cannot be "
        "filed. Ignore it and correct the customer's address by hand.",
    "Cette réponse est déjà %(status)s (sur %(customer)s).": "This reply is already %(status)s (on %(customer)s).",
    "Cette réponse est déjà %(status)s.": "This reply is already %(status)s.",
    "%(org)s ne fait pas partie des organisations possibles pour cette réponse.":
        "%(org)s is not one of the possible organisations for this reply.",
    "Cette réponse est déjà sur la chronologie de %(org)s : ignorez-la.":
        "This reply is already on the timeline of %(org)s: ignore it.",
    "Lettre recommandée introuvable : %(id)s": "Registered letter not found: %(id)s",
    "Lettre recommandée introuvable.": "Registered letter not found.",
    "Indiquez le numéro de suivi ou la date de l'accusé de réception.":
        "Give the tracking number or the date of the proof of delivery.",
    "Numéro de suivi trop long (%(max)s caractères au plus).": "Tracking number too long (%(max)s characters at most).",
    "L'accusé de réception doit être daté entre l'envoi (%(sent)s) et aujourd'hui.":
        "The proof of delivery must be dated between the sending (%(sent)s) and today.",
    "Modèle inconnu : %(part)s (%(language)s).": "Unknown template: %(part)s (%(language)s).",
    "Acheteur public : pas d'injonction de payer, aucune juridiction à choisir.":
        "Public-sector buyer: no order for payment, no court to choose.",
    "Aucune juridiction de ce type dans la table pour le département %(departement)s : voir l'annuaire des "
    "juridictions sur justice.fr.":
        "No court of this type in the table for the département %(departement)s: see the court directory on "
        "justice.fr.",
    "« %(court)s » n'est pas une juridiction du département %(departement)s (%(code)s). Choix possibles : "
    "%(choices)s.":
        "“%(court)s” is not a court of the département %(departement)s (%(code)s). Possible choices: %(choices)s.",
    # dunning: labels
    "rappel avant échéance": "pre-due reminder", "première relance": "first reminder",
    "deuxième relance": "second reminder", "appel": "call", "troisième relance": "third reminder",
    "mise en demeure": "formal notice", "passage au contentieux": "referral to litigation",
    "coordonnées à compléter": "contact details to complete", "rappel d'échéance": "instalment reminder",
    "e-mail": "e-mail", "SMS": "SMS", "courrier": "letter", "lettre recommandée": "registered letter",
    "tâche": "task",
    "Action introuvable.": "Action not found.", "Facture introuvable.": "Invoice not found.",
    # dunning: errors and send-now checks
    "Un passage réel a déjà eu lieu le %(last)s : impossible de relancer pour le %(today)s, date antérieure "
    "(utilisez --dry-run pour simuler).":
        "A real run already took place on %(last)s: cannot run the dunning for %(today)s, an earlier date "
        "(use --dry-run to simulate).",
    "Facture inconnue : %(number)s": "Unknown invoice: %(number)s",
    "L'action %(id)s n'attend pas de validation (statut : %(status)s).":
        "Action %(id)s is not awaiting approval (status: %(status)s).",
    "L'action %(id)s date du %(date)s : validation le %(today)s impossible.":
        "Action %(id)s is dated %(date)s: it cannot be approved on %(today)s.",
    "L'action %(id)s ne peut pas être validée le %(today)s : le client %(ref)s a reçu un message le %(last)s et "
    "il faut %(gap)s jours d'écart entre deux messages. Validation possible à partir du %(first)s.":
        "Action %(id)s cannot be approved on %(today)s: customer %(ref)s received a message on %(last)s and two "
        "messages must be %(gap)s days apart. It can be approved from %(first)s.",
    "L'action %(id)s ne peut pas être annulée (statut : %(status)s).":
        "Action %(id)s cannot be cancelled (status: %(status)s).",
    "La date promise (%(until)s) est déjà passée (nous sommes le %(today)s).":
        "The promised date (%(until)s) has already passed (today is %(today)s).",
    "%(customer)s n'a aucune facture échue à couvrir par une promesse.":
        "%(customer)s has no overdue invoice for a promise to cover.",
    "La facture %(number)s n'est pas une facture de %(customer)s.":
        "Invoice %(number)s is not an invoice of %(customer)s.",
    "Le motif du litige est obligatoire.": "The reason for the dispute is required.",
    "Motif de litige inconnu : %(code)s": "Unknown dispute reason: %(code)s",
    "La facture %(number)s est déjà en litige.": "Invoice %(number)s is already disputed.",
    "La facture %(number)s n'a pas de litige ouvert.": "Invoice %(number)s has no open dispute.",
    "Le litige a été ouvert le %(opened)s : résolution le %(today)s impossible.":
        "The dispute was opened on %(opened)s: it cannot be resolved on %(today)s.",
    "Les relances de %(customer)s sont déjà suspendues.": "Reminders to %(customer)s are already paused.",
    "Les relances de %(customer)s ne sont pas suspendues.": "Reminders to %(customer)s are not paused.",
    "L'étape « %(step)s » ne peut pas être envoyée à %(customer)s.":
        "The step “%(step)s” cannot be sent to %(customer)s.",
    "Canal inconnu : %(channel)s": "Unknown channel: %(channel)s",
    "%(customer)s n'a aucune facture échue : rien à relancer.": "%(customer)s has no overdue invoice: nothing to remind.",
    "Les factures échues de %(customer)s sont en litige ou couvertes par une promesse de paiement : aucune "
    "relance possible.":
        "The overdue invoices of %(customer)s are disputed or covered by a promise to pay: no reminder possible.",
    "Le total à relancer (%(total)s) est sous le montant minimum de relance (%(minimum)s) : rien n'est envoyé.":
        "The total to remind (%(total)s) is below the minimum amount for a reminder (%(minimum)s): nothing is sent.",
    "%(customer)s n'a aucune adresse e-mail utilisable : choisissez le courrier.":
        "%(customer)s has no usable e-mail address: choose a letter.",
    "%(customer)s n'a aucun numéro de mobile : pas de SMS possible.":
        "%(customer)s has no mobile number: no text message possible.",
    "%(customer)s n'a pas d'adresse postale : pas de courrier possible.":
        "%(customer)s has no postal address: no letter possible.",
    "La %(step)s par %(channel)s a déjà été créée aujourd'hui pour %(customer)s.":
        "The %(step)s by %(channel)s has already been created today for %(customer)s.",
    "%(customer)s a reçu un message le %(last)s : il faut %(days)s jours d'écart entre deux messages. Envoi "
    "possible à partir du %(first)s.":
        "%(customer)s received a message on %(last)s: two messages must be %(days)s days apart. It can be sent "
        "from %(first)s.",
    "Cette relance a déjà été créée aujourd'hui pour ce client.":
        "This reminder has already been created today for this customer.",
    # ledger
    "Client inconnu : %(ref)s": "Unknown customer: %(ref)s",
    "Facture ou paiement d'une autre organisation.": "Invoice or payment of another organisation.",
    "Le montant affecté doit être positif.": "The amount allocated must be positive.",
    "Affectation de %(amount)s € supérieure au reste dû de la facture %(number)s (%(outstanding)s €).":
        "Allocation of %(amount)s € above the amount still due on invoice %(number)s (%(outstanding)s €).",
    # legal
    "Facture d'une autre organisation.": "Invoice of another organisation.",
    "Pas de pénalités de retard sur %(number)s : avoir ou facture annulée.":
        "No late-payment penalties on %(number)s: a credit note or a cancelled invoice.",
    "Client d'une autre organisation.": "Customer of another organisation.",
    "Type de client inconnu : %(kind)s (attendu b2b, b2c ou public).":
        "Unknown customer type: %(kind)s (expected b2b, b2c or public).",
    "Le montant ne peut pas être négatif.": "The amount cannot be negative.",
    "Le taux contractuel doit être positif.": "The contractual rate must be positive.",
    "Taux invalide : %(rate)s (deux décimales au plus, par exemple 2.15).":
        "Invalid rate: %(rate)s (two decimal places at most, for example 2.15).",
    "Taux invalide : %(rate)s %% (attendu entre %(min)s et %(max)s).":
        "Invalid rate: %(rate)s %% (expected between %(min)s and %(max)s).",
    "Type de taux légal inconnu : %(kind)s.": "Unknown statutory rate type: %(kind)s.",
    "Date de début invalide : %(error)s.": "Invalid start date: %(error)s.",
    "Le semestre doit être 1 ou 2.": "The half-year must be 1 or 2.",
    "Facture %(number)s prescrite depuis le %(date)s (%(years)s ans après l'échéance) : plus aucune relance.":
        "Invoice %(number)s time-barred since %(date)s (%(years)s years after the due date): no more reminders.",
    "Facture %(number)s bientôt prescrite : dernier jour pour agir le %(date)s (%(years)s ans après l'échéance).":
        "Invoice %(number)s soon time-barred: the last day to act is %(date)s (%(years)s years after the due "
        "date).",
    # portal
    "PORTAL_TOKEN_PURGE_DAYS doit être un nombre de jours positif, pas %(days)s.":
        "PORTAL_TOKEN_PURGE_DAYS must be a positive number of days, not %(days)s.",
    "Date de paiement invalide.": "Invalid payment date.",
    "Le justificatif dépasse 5 Mo.": "The proof is larger than 5 MB.",
    "Le justificatif doit être un PDF, un PNG ou un JPEG.": "The proof must be a PDF, a PNG or a JPEG.",
    "La date promise doit être dans les %(days)s jours.": "The promised date must be within %(days)s days.",
    "Aucune facture échue à couvrir par une promesse.": "No overdue invoice for a promise to cover.",
    "Nombre d'échéances entre 2 et %(max)s.": "Number of instalments between 2 and %(max)s.",
    "Date de première échéance invalide.": "Invalid first instalment date.",
    "Une demande d'échéancier est déjà en cours d'examen.": "A payment plan request is already being reviewed.",
    "Aucune facture à échelonner.": "No invoice to spread over instalments.",
    "Échéancier introuvable.": "Payment plan not found.",
    "Cet échéancier est déjà %(status)s.": "This payment plan is already %(status)s.",
    "La première échéance (%(first)s) est déjà passée.": "The first instalment date (%(first)s) has already passed.",
    # the status names of the models
    "À faire": "To do", "Fait": "Done", "Annulé": "Cancelled", "à classer": "to be filed", "classée": "filed",
    "ignorée": "ignored", "En file d'attente": "Queued", "Envoi en cours (incertain)": "Sending (uncertain)",
    "Envoyée": "Sent", "À valider": "Awaiting approval", "Tâche créée": "Task created", "Échec": "Failed",
    "Annulée": "Cancelled", "Ouverte": "Open", "Payée": "Paid", "À rapprocher": "To match", "Rapproché": "Matched",
    "Annulé (contre-passation)": "Reversed", "En cours": "In progress", "Tenue": "Kept", "Non tenue": "Broken",
    "Ouvert": "Open", "Résolu": "Resolved", "Demandé": "Requested", "Refusé": "Refused",
    "Non respecté": "Not kept", "Soldé": "Paid off",
    # web
    "Résultat ou motif d'appel inconnu.": "Unknown call outcome or reason.",
    "%(customer)s est déjà en mode manuel.": "%(customer)s is already in manual mode.",
    "%(customer)s est déjà en mode automatique.": "%(customer)s is already in automatic mode.",
    "Membre introuvable.": "Member not found.",
    "Rôle inconnu : %(role)s": "Unknown role: %(role)s",
    "Vous ne pouvez pas vous retirer vous-même.": "You cannot remove yourself.",
    "L'organisation doit garder au moins un propriétaire.": "The organisation must keep at least one owner.",
    "Plan introuvable.": "Plan not found.",
    "Étape introuvable dans ce plan.": "Step not found in this plan.",
    "Étape « %(step)s » : l'ancrage doit être l'échéance ou une étape précédente.":
        "Step “%(step)s”: the anchor must be the due date or an earlier step.",
    "Étape « %(step)s » : choisissez au moins un canal.": "Step “%(step)s”: choose at least one channel.",
    "Type(s) de client déjà affecté(s) à un autre plan : %(kinds)s.":
        "Customer type(s) already assigned to another plan: %(kinds)s.",
    "Contact introuvable.": "Contact not found.",
    # models and forms: field names, choices, help texts (the settings page, filters, the admin)
    # accounts
    "adresse e-mail": "e-mail address", "nom complet": "full name", "langue": "language", "actif": "active",
    "accès à l'administration": "admin access", "inscrit le": "joined on", "utilisateur": "user",
    "utilisateurs": "users", "raison sociale": "company name", "identifiant": "identifier", "SIREN": "SIREN",
    "SIRET": "SIRET", "n° TVA intracommunautaire": "EU VAT number", "adresse": "address", "code postal": "postcode",
    "ville": "city", "pays": "country", "IBAN": "IBAN", "BIC": "BIC", "nom de l'expéditeur": "sender name",
    "e-mail d'envoi": "sending e-mail address", "adresse de réponse": "reply-to address", "téléphone": "phone",
    "logo": "logo", "mentions légales": "legal notice", "délai de paiement (jours)": "payment terms (days)",
    "montant minimum à relancer": "minimum amount to remind",
    "espacement minimal des contacts (jours)": "minimum spacing between contacts (days)",
    "jours fériés": "public holidays",
    "ancienneté maximale du relevé bancaire (jours)": "maximum age of the bank statement (days)",
    "heure de la relance quotidienne": "time of the daily dunning run",
    "début des envois SMS et appels": "start of SMS and calls", "fin des envois SMS et appels": "end of SMS and calls",
    "taux de pénalité contractuel (%)": "contractual penalty rate (%)",
    "délai de grâce après une promesse (jours)": "grace period after a promise (days)",
    "suspendre les relances à chaque réponse": "pause reminders on every reply",
    "validité du lien du portail (jours)": "portal link validity (days)",
    "promesse maximale sur le portail (jours)": "longest promise on the portal (days)",
    "nombre maximal d'échéances": "maximum number of instalments", "créée le": "created on",
    "organisation": "organisation", "organisations": "organisations", "Propriétaire": "Owner",
    "Responsable": "Manager", "Chargé de recouvrement": "Collector", "Lecture seule": "Read only", "rôle": "role",
    "appartenance": "membership", "appartenances": "memberships", "France (liste nationale)": "France (national list)",
    "Alsace-Moselle": "Alsace-Moselle", "Le SIRET doit commencer par le SIREN.": "The SIRET must start with the SIREN.",
    # activity
    "type": "type", "date": "date", "description": "description", "données": "data", "enregistré le": "recorded on",
    "événement": "event", "événements": "events", "intitulé": "title", "détails": "details", "échéance": "due date",
    "statut": "status", "action liée": "related action", "faite le": "done on", "résultat": "outcome",
    "tâches": "tasks", "client": "customer", "facture": "invoice", "auteur": "author", "Appel à passer": "Call to make",
    "Courrier à poster": "Letter to post", "Validation": "Approval", "Réponse à lire": "Reply to read",
    "Litige à traiter": "Dispute to handle", "Promesse à échéance": "Promise due",
    "Coordonnées à compléter": "Contact details to complete", "Paiement à vérifier": "Payment to check",
    "Échéancier à valider": "Payment plan to approve", "Contentieux": "Litigation", "Autre": "Other",
    "attribuée à": "assigned to",
    # banking
    "fichier": "file", "format": "format", "empreinte du fichier": "file fingerprint",
    "identifiant du relevé": "statement identifier", "IBAN du compte": "account IBAN", "compte": "account",
    "début de période": "period start", "date d'arrêté": "closing date", "devise": "currency",
    "paiements créés": "payments created", "transactions déjà connues": "transactions already known",
    "débits ignorés": "debits ignored", "contre-passations": "reversals", "importé le": "imported on",
    "importé à": "imported at", "relevé bancaire": "bank statement", "relevés bancaires": "bank statements",
    "identifiant bancaire": "bank transaction identifier", "référence de bout en bout": "end-to-end reference",
    "montant": "amount", "motif bancaire": "bank remittance information", "contre-passation": "reversal",
    "relevé": "statement", "paiement annulé": "payment reversed",
    # a period (the analytics "Au" is one day: "On")
    "période\x04Du": "From", "période\x04Au": "To",
    "La date de début doit précéder la date de fin.": "The start date must come before the end date.",
    # channels
    "Avant échéance": "Before the due date", "Relance 1 (amicale)": "Reminder 1 (friendly)",
    "Relance 2 (ferme)": "Reminder 2 (firm)", "Relance 3 (courrier)": "Reminder 3 (letter)",
    "Mise en demeure": "Formal notice", "Objet de l'e-mail": "E-mail subject", "E-mail (texte)": "E-mail (text)",
    "E-mail (HTML)": "E-mail (HTML)", "Courrier (HTML, PDF)": "Letter (HTML, PDF)", "étape": "step", "partie": "part",
    "modèle (Jinja2)": "template (Jinja2)", "modifié le": "modified on", "modèle de message": "message template",
    "modèles de message": "message templates", "pages": "pages", "numéro de suivi postal": "postal tracking number",
    "accusé de réception le": "acknowledged on", "créé le": "created on", "document": "document",
    "documents": "documents", "canal": "channel", "Message-ID": "Message-ID",
    "identifiant chez le prestataire": "provider identifier", "destinataires": "recipients", "en échec": "bouncing",
    "message envoyé": "sent message", "messages envoyés": "sent messages",
    "juridiction commerciale": "commercial court", "juridiction": "court",
    "code postal au moment du choix": "postcode when chosen", "choisie le": "chosen on",
    "juridiction choisie": "chosen court", "juridictions choisies": "chosen courts",
    "variable d'environnement de l'URL IMAP": "environment variable of the IMAP URL", "relevée": "checked",
    "boîte de réponse": "reply mailbox", "boîtes de réponse": "reply mailboxes", "motif": "reason",
    "reçue le": "received on", "expéditeur": "sender", "objet": "subject", "texte": "text",
    "organisations possibles": "possible organisations", "détails du message": "message details",
    "enregistrée le": "recorded on", "état": "state", "traitée le": "handled on",
    "réponse non classée": "unfiled reply", "réponses non classées": "unfiled replies", "modifié par": "modified by",
    "Courrier": "Letter", "Lettre recommandée": "Registered letter", "Relevé de compte": "Account statement",
    "Dossier contentieux": "Litigation file", "relatif à MEDIA_ROOT": "relative to MEDIA_ROOT",
    "choisie par": "chosen by",
    "La variable contient imaps://utilisateur:motdepasse@hôte:993/INBOX ; le mot de passe n'est jamais enregistré "
    "en base.": "The variable holds imaps://user:password@host:993/INBOX; the password is never stored in the "
    "database.",
    "Expéditeur inconnu": "Unknown sender", "Adresse connue de plusieurs organisations":
    "Address known to several organisations", "Fil d'un envoi d'une autre organisation":
    "Thread of another organisation's message", "Non-distribution sans envoi correspondant":
    "Bounce without a matching message", "boîte de l'organisation": "organisation's mailbox",
    "vide : la boîte commune (IMAP_URL)": "empty: the shared mailbox (IMAP_URL)",
    "classée sur le client": "filed on the customer", "traitée par": "handled by",
    "Un nom de variable IMAP_URL_… en majuscules (par exemple IMAP_URL_DURAND).":
    "A variable name IMAP_URL_… in capitals (for example IMAP_URL_DURAND).",
    # dunning
    "E-mail": "E-mail", "Appel téléphonique": "Phone call", "Tâche": "Task", "nom": "name",
    "types de clients concernés": "customer types concerned", "plan par défaut": "default plan",
    "plan de relance": "dunning plan", "plans de relance": "dunning plans", "code": "code", "ordre": "order",
    "ancrage": "anchor", "jours après l'ancrage": "days after the anchor", "canaux": "channels",
    "validation requise": "approval required", "étapes": "steps", "effectuée le": "done on",
    "montant dû": "amount due", "identifiant du message": "message identifier", "tentatives": "attempts",
    "prochaine tentative": "next attempt", "dernière erreur": "last error", "validée le": "approved on",
    "numéro de suivi": "tracking number", "modifiée le": "modified on", "action de relance": "dunning action",
    "actions de relance": "dunning actions", "restant dû à la création": "outstanding when created",
    "fait avancer la facture": "moves the invoice forward", "facture relancée": "invoice reminded",
    "factures relancées": "invoices reminded", "sautée": "skipped", "étape effectuée": "step done",
    "étapes effectuées": "steps done", "simulation": "dry run", "démarrée à": "started at", "terminée à": "finished at",
    "actions créées": "actions created", "avertissements": "warnings", "passage de relance": "dunning run",
    "passages de relance": "dunning runs", "programmée à": "scheduled at", "passage programmé": "scheduled run",
    "passages programmés": "scheduled runs",
    "b2b, b2c, public ; vide = tous les types (plan par défaut).":
    "b2b, b2c, public; empty = every type (default plan).",
    "clients concernés (choix explicite)": "customers concerned (explicit choice)", "plan": "plan",
    "« due_date » (échéance) ou le code d'une étape précédente.":
    "“due_date” (the due date) or the code of an earlier step.",
    "négatif : avant l'échéance.": "negative: before the due date.", "factures": "invoices",
    "validée par": "approved by", "action": "action",
    # imports
    "Détection automatique": "Automatic detection", "FEC (fichier des écritures comptables)":
    "FEC (French accounting entries file)", "Fichier de factures": "Invoice file", "Format": "Format",
    "origine": "origin", "fichiers": "files", "commencé à": "started at", "terminé à": "finished at",
    "créés": "created", "mis à jour": "updated", "inchangés": "unchanged", "paiements rapprochés": "payments matched",
    "délais au-delà du maximum légal": "payment terms beyond the legal maximum", "erreurs": "errors",
    "résumé des erreurs": "error summary", "import": "import", "historique des imports": "import history",
    "Factures": "Invoices", "Relevés bancaires": "Bank statements", "Importé": "Imported",
    "Application": "Application", "Ligne de commande": "Command line",
    # ledger
    "Entreprise": "Business", "Particulier": "Consumer", "Acheteur public": "Public buyer",
    "code client": "customer code", "n° TVA": "VAT number", "mode manuel": "manual mode",
    "relances suspendues": "reminders paused", "motif de la suspension": "reason for the pause", "notes": "notes",
    "IBAN payeurs connus": "known payer IBANs", "clients": "customers", "fonction": "role",
    "téléphone (E.164)": "phone (E.164)", "contact facturation": "billing contact", "canaux refusés": "refused channels",
    "e-mail en échec": "bouncing e-mail", "contact": "contact", "contacts": "contacts", "numéro": "number",
    "date de facture": "invoice date", "date d'échéance": "due date", "montant TTC": "amount incl. VAT",
    "montant HT": "amount excl. VAT", "date d'envoi": "sending date", "bon de commande": "purchase order",
    "référence de paiement": "payment reference", "IBAN du bénéficiaire": "beneficiary IBAN", "source": "source",
    "référence source": "source reference", "document original": "original document",
    "délai de paiement au-delà du maximum légal": "payment terms beyond the legal maximum",
    "statut e-facture": "e-invoicing status", "empreinte des données importées": "fingerprint of the imported data",
    "référence": "reference", "nom du payeur": "payer name", "IBAN du payeur": "payer IBAN", "libellé": "label",
    "motif du rapprochement": "reason for the match", "paiement": "payment", "paiements": "payments", "note": "note",
    "affectation": "allocation", "affectations": "allocations", "paiement promis au plus tard le": "payment promised by",
    "montant promis": "amount promised", "promesse de paiement": "promise to pay",
    "promesses de paiement": "promises to pay", "ouvert le": "opened on", "résolu le": "resolved on",
    "résolution": "resolution", "litige": "dispute", "litiges": "disputes", "chargé de compte": "account manager",
    "Facture": "Invoice", "Avoir": "Credit note", "Virement": "Transfer", "Prélèvement": "Direct debit",
    "Chèque": "Cheque", "Carte": "Card", "Espèces": "Cash", "Comptabilité": "Accounting", "Paiement": "Payment",
    "Comptabilité (import)": "Accounting (import)", "avoir": "credit note", "saisie par": "entered by",
    "Facture non reçue": "Invoice not received", "Montant erroné": "Wrong amount",
    "Problème de marchandise ou de prestation": "Problem with the goods or service", "Déjà payée": "Already paid",
    # legal
    "Taux de refinancement (%)": "Refinancing rate (%)", "Date d'effet": "Effective date", "Source": "Source",
    "Lien vers la source": "Link to the source",
    "Taux BCE en vigueur le 1er janvier ou le 1er juillet ; vide = inconnu.":
    "ECB rate in force on 1 January or 1 July; empty = unknown.",
    "Créancier professionnel (cas de Relance) ; vide = inconnu.": "Business creditor (Relance's case); empty = unknown.",
    "Année invalide.": "Invalid year.", "date d'effet": "effective date",
    "taux de refinancement (%)": "refinancing rate (%)", "lien vers la source": "link to the source",
    "décision de taux BCE": "ECB rate decision", "décisions de taux BCE": "ECB rate decisions", "année": "year",
    "semestre": "half-year", "taux BCE au premier jour (%)": "ECB rate on the first day (%)",
    "taux légal, créancier particulier (%)": "legal rate, private-individual creditor (%)",
    "taux légal, autres cas (%)": "legal rate, other cases (%)", "taux du semestre": "half-year rate",
    "taux par semestre": "half-year rates", "1er semestre": "1st half-year", "2e semestre": "2nd half-year",
    # the call form's reasons (channels/phone.py)
    "N'a pas reçu la facture": "Did not receive the invoice", "Conteste la facture (litige)":
    "Disputes the invoice", "Difficultés financières": "Financial difficulties",
    "Erreur administrative (bon de commande, adresse, RIB…)": "Administrative error (purchase order, address, bank "
    "details…)", "Paiement en cours": "Payment on its way", "Pas de réponse": "No answer",
    # the missing rate (legal/rates.py) and the stale bank data (banking/api.py): dashboard warnings
    "taux BCE": "ECB rate", "taux de l'intérêt légal (autres cas)": "legal interest rate (other cases)",
    "taux de l'intérêt légal (créancier particulier)": "legal interest rate (private-individual creditor)",
    "`relance rates add --kind ecb --from DATE_D_EFFET --rate TAUX` (la décision BCE en vigueur le %(day)s)":
        "`relance rates add --kind ecb --from EFFECTIVE_DATE --rate RATE` (the ECB decision in force on %(day)s)",
    "`relance rates add --kind %(kind)s --from %(day)s --rate TAUX`":
        "`relance rates add --kind %(kind)s --from %(day)s --rate RATE`",
    "1er semestre %(year)s": "the first half of %(year)s", "2e semestre %(year)s": "the second half of %(year)s",
    "%(rate)s du %(half)s inconnu : ajoutez-le dans Paramètres › Taux ou avec %(how)s":
        "%(rate)s for %(half)s unknown: add it in Settings › Rates or with %(how)s",
    "Aucun relevé bancaire importé : des clients ayant déjà payé pourraient être relancés. Importez un relevé "
    "(relance import bank FICHIER).": "No bank statement imported: customers who have already paid might be "
    "reminded. Import a statement (relance import bank FILE).",
    "Le dernier relevé bancaire date du %(day)s (il y a %(age)s jours, au-delà de %(limit)s jours) : des clients "
    "ayant déjà payé pourraient être relancés. Importez un relevé récent.":
        "The latest bank statement is from %(day)s (%(age)s days ago, beyond %(limit)s days): customers who have "
        "already paid might be reminded. Import a recent statement.",
    # the identifiers' validators (core/validators.py): settings and customer forms
    "SIREN invalide : %(value)s": "Invalid SIREN: %(value)s", "SIRET invalide : %(value)s": "Invalid SIRET: %(value)s",
    "Numéro de TVA invalide : %(value)s": "Invalid VAT number: %(value)s",
    "IBAN invalide : %(value)s (%(why)s)": "Invalid IBAN: %(value)s (%(why)s)",
    "BIC invalide : %(value)s (%(why)s)": "Invalid BIC: %(value)s (%(why)s)",
    # the template editor's variables (channels/context.py)
    "le créancier : name, address_lines, siren, email, phone": "the creditor: name, address_lines, siren, email, phone",
    "le client : name, ref, kind (b2b, b2c, public), is_consumer, address_lines, siren":
        "the customer: name, ref, kind (b2b, b2c, public), is_consumer, address_lines, siren",
    "le destinataire : name, email, phone, is_department (un service, pas une personne)":
        "the recipient: name, email, phone, is_department (a department, not a person)",
    "liste des factures : number, issue_date, due_date, amount, outstanding, days_late, overdue (déjà échue), "
    "interest, indemnity, interest_pending (intérêts à parfaire : taux manquant), claimed (reste dû + intérêts + "
    "indemnité)":
        "list of invoices: number, issue_date, due_date, amount, outstanding, days_late, overdue (already past "
        "due), interest, indemnity, interest_pending (interest to be finalised: a rate is missing), claimed "
        "(outstanding + interest + indemnity)",
    "total TTC des factures listées": "total incl. VAT of the invoices listed",
    "reste dû total": "total outstanding",
    "pénalités (module juridique) : shown, interest, indemnity, total, grand_total (total réclamé : principal + "
    "intérêts + indemnités), interest_pending (intérêts à parfaire, un taux manque), pending_label (le semestre "
    "dont le taux manque : « 2e semestre 2026 »)":
        "penalties (legal module): shown, interest, indemnity, total, grand_total (total claimed: principal + "
        "interest + indemnities), interest_pending (interest to be finalised, a rate is missing), pending_label "
        "(the half-year whose rate is missing: “2e semestre 2026”)",
    "règlement : beneficiary, iban, bic, reference": "payment: beneficiary, iban, bic, reference",
    "lien privé vers l'espace client (vide si le portail n'est pas activé)":
        "private link to the customer area (empty if the portal is not enabled)",
    "étape : pre_due, reminder_1, reminder_2, reminder_3, formal_notice, litigation":
        "step: pre_due, reminder_1, reminder_2, reminder_3, formal_notice, litigation",
    "canal : email, sms, letter (courrier ou recommandé)": "channel: email, sms, letter (letter or registered letter)",
    "vrai si une relance a déjà été envoyée pour ces factures (avant aujourd'hui)":
        "true if a reminder was already sent for these invoices (before today)",
    "(courriers) nom à imprimer après « À l'attention de » (vide si le destinataire est déjà nommé)":
        "(letters) name to print after “À l'attention de” (empty if the addressee is already named)",
    "(courriers) la ligne « À l'attention de … » complète, accordée à un service (« À l'attention du service "
    "comptabilité ») ; vide si le destinataire est déjà nommé":
        "(letters) the whole “À l'attention de …” line, with the article a department takes; empty if the "
        "addressee is already named",
    "formule d'appel d'un e-mail, sans virgule : « Bonjour Madame Dubois », « Bonjour Jean Martin » ou « Bonjour "
    "» (contact qui est un service)":
        "an e-mail's greeting, without the comma: “Bonjour Madame Dubois”, “Bonjour Jean Martin” or “Bonjour” "
        "(a contact that is a department)",
    "formule d'appel d'un courrier, sans virgule : « Madame », « Monsieur » (civilité connue) ou « Madame, "
    "Monsieur »":
        "a letter's salutation, without the comma: “Madame”, “Monsieur” (known title) or “Madame, Monsieur”",
    "les factures listées déjà échues (même champs que invoices)":
        "the listed invoices already past due (same fields as invoices)",
    "les factures listées pas encore échues (à échoir)": "the listed invoices not yet due",
    "langue : fr ou en": "language: fr or en", "date du jour": "today's date",
    "date limite de la mise en demeure (jour + 8)": "deadline of the formal notice (day + 8)",
    "devise (EUR)": "currency (EUR)", "mentions légales de l'organisation": "the organisation's legal notice",
    "(courriers) image du QR code de virement SEPA, à mettre dans <img src>":
        "(letters) image of the SEPA transfer QR code, to put in <img src>",
    "(courriers) image du logo de l'organisation, à mettre dans <img src>":
        "(letters) image of the organisation's logo, to put in <img src>",
    # a payment's "moyen" (method), not the web's risk level "moyen" (medium)
    "moyen de paiement\x04moyen": "method",
}


def sources() -> list[Path]:
    """The modules scanned, in a stable order."""
    found = [p for name in MODULES for p in APPS.glob(f"*/{name}")] + [APPS / extra for extra in EXTRA]
    return sorted(p for p in found if p.relative_to(APPS).as_posix() not in SKIP)


def extract() -> dict[str, list[str]]:
    """Each translatable string of the modules, with where it is used ("dunning/services.py:75"), then the
    status names of the models (the messages say "already paid", "not awaiting approval (status: …)")."""
    out: dict[str, list[str]] = {}
    for path in sources():
        _strings(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)), path, out)
    for path in label_sources():
        _strings(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)), path, out)
    for path in sorted(APPS.glob("*/models.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.ClassDef) and node.name == "Status":
                _strings(node, path, out)
    return out


def label_sources() -> list[Path]:
    """The models and forms whose labels are scanned whole, in a stable order."""
    found = [p for name in LABELS for p in APPS.glob(f"*/{name}")]
    return sorted(p for p in found if p.relative_to(APPS).as_posix() not in LABELS_SKIP)


def _strings(tree: ast.AST, path: Path, out: dict[str, list[str]]) -> None:
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and node.args and all(isinstance(a, ast.Constant) for a in node.args)):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        values = [a.value for a in node.args]  # type: ignore[attr-defined]
        if name in GETTEXT and len(values) == 1:
            text = values[0]
        elif name in PGETTEXT and len(values) == 2 and isinstance(values[0], str):
            text = f"{values[0]}\x04{values[1]}"  # how gettext keys a message with a context
        else:
            continue
        if isinstance(text, str) and text:
            out.setdefault(text, []).append(f"{path.relative_to(APPS).as_posix()}:{node.lineno}")


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


HEADER = r'''# English for the messages of Relance's service modules (French is the source language).
# Written by src/relance/locale/services_en.py: edit EN there, not this file.
msgid ""
msgstr ""
"Project-Id-Version: relance\n"
"Language: en\n"
"MIME-Version: 1.0\n"
"Content-Type: text/plain; charset=UTF-8\n"
"Content-Transfer-Encoding: 8bit\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\n"
'''


def write(strings: dict[str, list[str]], path: Path = CATALOGUE) -> list[str]:
    """Write the catalogue; return the strings that have no English yet."""
    entries, missing = [], []
    for msgid, where in strings.items():
        english = EN.get(msgid, "")
        if not english:
            missing.append(msgid)
        flags = "#, python-format\n" if PLACEHOLDER.search(msgid) or "%%" in msgid else ""
        context, _sep, text = msgid.rpartition("\x04")
        msgctxt = f"msgctxt {_quote(context)}\n" if context else ""
        entries.append(f"#: {' '.join(where)}\n{flags}{msgctxt}msgid {_quote(text)}\nmsgstr {_quote(english)}\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER + "".join("\n" + e for e in entries), encoding="utf-8")
    return missing


def compile_mo(path: Path = CATALOGUE) -> None:
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        raise SystemExit("msgfmt is missing (apt-get install gettext): the .po is written, the .mo is not.")
    subprocess.run([msgfmt, "--check-format", "-o", str(path.with_suffix(".mo")), str(path)], check=True)


if __name__ == "__main__":
    strings = extract()
    missing = write(strings)
    compile_mo()
    unused = sorted(set(EN) - set(strings))
    print(CATALOGUE, f"{len(strings)} strings")
    for msgid in missing:
        print("  no English yet:", msgid)
    for msgid in unused:
        print("  English no longer used:", msgid)
