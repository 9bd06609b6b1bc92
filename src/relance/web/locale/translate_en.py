"""Fill the English catalogues of the web and analytics apps (French is the source language).

    uv run python src/relance/web/locale/translate_en.py   # after `relance makemessages -l en` in each app
Then `relance compilemessages`. Strings of the shared layout (templates/base.html, registration/login.html)
are added to the web catalogue here, since makemessages only scans the app's own directory.
"""

from __future__ import annotations

import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
CATALOGUES = [HERE / "en/LC_MESSAGES/django.po", HERE.parents[1] / "analytics/locale/en/LC_MESSAGES/django.po"]
LAYOUT = {
    "Aller au contenu": "Skip to content", "Navigation principale": "Main navigation",
    "Se déconnecter": "Log out", "Connexion": "Log in", "Connectez-vous avec votre adresse e-mail.":
    "Log in with your e-mail address.", "E-mail ou mot de passe incorrect.": "Wrong e-mail or password.",
    "Adresse e-mail": "E-mail address", "Mot de passe": "Password", "Se connecter": "Log in",
    "Imports": "Imports", "Banque": "Bank", "Documents": "Documents", "Tableau de bord": "Dashboard",
    "Aujourd'hui": "Today", "Clients": "Customers", "Factures": "Invoices", "Actions": "Actions",
    "Indicateurs": "KPIs", "Paramètres": "Settings",
}
EN = {
    **LAYOUT,
    "%(n)s tâche à faire": "%(n)s task to do", "Actions de relance": "Dunning actions", "Actions à valider":
    "Actions awaiting approval", "Actions": "Actions", "Actualiser l'aperçu": "Refresh the preview", "Agir": "Act",
    "Ajouter un membre": "Add a member", "Ajouter": "Add", "Ancrage de %(c)s": "Anchor of %(c)s", "Ancrage": "Anchor",
    "Annuler la sélection": "Cancel the selection", "Aperçu du message": "Message preview",
    "Aperçu pour le client": "Preview for the customer", "Aperçu": "Preview", "Au %(d)s, sur %(p)s jours":
    "On %(d)s, over %(p)s days", "Au": "On", "Aucun client.": "No customer.", "Aucun contact.": "No contact.",
    "Aucun litige.": "No dispute.", "Aucun plan.": "No plan.", "Aucun règlement.": "No settlement.",
    "Aucune action.": "No action.", "Aucune facture ouverte à relancer.": "No open invoice to remind.",
    "Aucune facture payée sur les 12 derniers mois.": "No invoice paid in the last 12 months.",
    "Aucune facture.": "No invoice.", "Aucune promesse n'arrive à échéance d'ici 7 jours.":
    "No promise falls due within 7 days.", "Aucune relance dont la fenêtre de 7 jours est close.":
    "No reminder whose 7-day window is over.", "Aucune relance pour l'instant.": "No reminder yet.",
    "Aucune étape pour l'instant.": "No step yet.", "Aucune": "None", "Aucune.": "None.", "Aujourd'hui": "Today",
    "Avertissements": "Warnings", "Avoir": "Credit note", "Balance âgée : %s": "Aging: %s", "Balance âgée": "Aging",
    "Calculer": "Compute", "Canal": "Channel", "Canaux de %(c)s": "Channels of %(c)s", "Canaux": "Channels",
    "Changer": "Change", "Chargé de compte": "Account manager", "Chiffres clés": "Key figures", "Client": "Customer",
    "Clients concernés": "Customers concerned", "Clients et encours": "Customers and balances",
    "Clients": "Customers", "Code client": "Customer code", "Code": "Code", "Compte rendu": "Notes",
    "Contacts": "Contacts", "DSO (jours)": "DSO (days)", "DSO (méthode comptable)": "DSO (standard)",
    "DSO (méthode de l'épuisement du CA)": "DSO (count-back)", "DSO (épuisement du CA)": "DSO (count-back)",
    "DSO à chaque date (90 jours glissants)": "DSO on each date (rolling 90 days)", "Date": "Date",
    "Description": "Description", "Dont échu": "Of which overdue", "Du": "From",
    "Définitions des indicateurs": "KPI definitions", "Définitions et formules": "Definitions and formulas",
    "Définitions": "Definitions", "Délai moyen de paiement (jours)": "Average payment delay (days)",
    "Délai moyen de paiement après échéance": "Average payment delay after the due date",
    "Délai moyen de paiement par client": "Average payment delay per customer",
    "Délais par client": "Delays per customer", "Détails": "Details", "Effacer": "Clear",
    "Efficacité du recouvrement (CEI)": "Collection effectiveness index (CEI)",
    "Efficacité du recouvrement (CEI, variante standard)": "Collection effectiveness index (CEI, standard variant)",
    "En litige": "Disputed", "En retard uniquement": "Overdue only", "Encaissé (€)": "Collected (€)",
    "Encaissé et facturé par mois": "Collected and invoiced per month", "Encaissé": "Collected",
    "Encours (€)": "Outstanding (€)", "Encours clients": "Receivables", "Encours décroissant":
    "Outstanding, highest first", "Encours minimum (€)": "Minimum outstanding (€)",
    "Encours par retard": "Outstanding by days late", "Encours": "Outstanding",
    "Enregistrer l'appel": "Save the call", "Enregistrer la promesse": "Save the promise",
    "Enregistrer le plan": "Save the plan", "Enregistrer une promesse de paiement": "Record a promise to pay",
    "Enregistrer": "Save", "Exporter en CSV": "Export as CSV", "Exporter en Excel": "Export as Excel",
    "Facture contestée": "Disputed invoice", "Facture": "Invoice", "Factures du client, ouvertes et payées":
    "The customer's invoices, open and paid", "Factures payées dans les 7 jours après chaque étape":
    "Invoices paid within 7 days after each step", "Factures relancées": "Invoices reminded",
    "Factures": "Invoices", "Facturé (€)": "Invoiced (€)", "Facturé et encaissé par mois":
    "Invoiced and collected per month", "Facturé sur la période": "Invoiced in the period", "Facturé": "Invoiced",
    "Corriger %(n)s": "Correct %(n)s", "Fonction": "Role", "E-mail": "E-mail", "Téléphone": "Phone",
    "Enregistrer le contact": "Save the contact", "Ajouter un contact": "Add a contact",
    "Ajouter le contact": "Add the contact", "Format français accepté : 06 12 34 56 78":
    "French format accepted: 06 12 34 56 78", "Indiquez au moins un e-mail ou un téléphone.":
    "Give at least an e-mail address or a phone number.",
    "Fait": "Done", "Valider": "Approve", "Annuler": "Cancel", "Lot d'impression du jour": "Today's print batch",
    "Chiffres calculés à %(t)s (recalculés après chaque modification du grand livre, au plus tard toutes les "
    "5 minutes).": "Figures computed at %(t)s (recomputed after every ledger change, at least every 5 minutes).", "Filtrer": "Filter", "Historique": "Timeline", "Indicateur": "Indicator",
    "Indicateurs de recouvrement": "Collection KPIs", "Indicateurs": "KPIs",
    "Indiquez le motif du litige.": "Give the reason for the dispute.",
    "Intérêts de retard courus": "Late-payment interest accrued", "Joint": "Reached",
    "Jours après l'ancrage pour %(c)s": "Days after the anchor for %(c)s", "Jours après échéance":
    "Days after the due date", "Jours": "Days", "L'aperçu apparaît ici.": "The preview appears here.",
    "La fin des envois doit être après leur début.": "Sending must end after it starts.",
    "Le moteur de relance n'est pas encore installé.": "The dunning engine is not installed yet.",
    "Litiges": "Disputes", "Mauvais numéro": "Wrong number", "Meilleur DSO possible": "Best possible DSO",
    "Membres de l'organisation": "Members of the organisation", "Messagerie, message laissé":
    "Voicemail, message left", "Mode manuel": "Manual mode", "Modèle": "Template",
    "Modèles de messages": "Message templates", "Modèles par étape et par canal": "Templates by step and channel",
    "Mois": "Month", "Montant TTC": "Amount incl. tax", "Montant promis (€)": "Amount promised (€)",
    "Montant": "Amount", "Mot de passe initial (nouveaux utilisateurs)": "Initial password (new users)",
    "Motif de la suspension": "Reason for the pause", "Motif du litige": "Reason for the dispute",
    "Motif du retard": "Reason for the delay", "Motif": "Reason", "Nom": "Name",
    "Non défini sans facturation sur la période.": "Undefined without invoicing in the period.", "Note": "Note",
    "Noter l'appel (promesse, litige…)": "Log the call (promise, dispute…)", "Noter un appel": "Log a call",
    "Numéro": "Number", "Numéro, client": "Number, customer",
    "Organisation et mentions légales": "Organisation and legal mentions", "Ouvrir le litige": "Open the dispute",
    "Ouvrir un litige": "Open a dispute", "Page %(n)s sur %(total)s": "Page %(n)s of %(total)s", "Pages": "Pages",
    "Paiement promis au plus tard le": "Payment promised by", "Paramètres": "Settings", "Part (%)": "Share (%)",
    "Part": "Share", "Pas de réponse": "No answer", "Passer en mode manuel": "Switch to manual mode",
    "Payées sous 7 jours": "Paid within 7 days", "Plans de relance": "Dunning plans",
    "Prochaine étape": "Next step", "Promesse de paiement au plus tard le": "Promise to pay by",
    "Promesse de paiement jusqu'au %(d)s": "Promise to pay by %(d)s",
    "Promesses à échéance cette semaine": "Promises due this week", "Précédente": "Previous",
    "Pénalités à ce jour": "Penalties to date", "Période (jours)": "Period (days)",
    "Quelle étape fonctionne ?": "Which step works?", "Quelle étape fonctionne": "Which step works",
    "Recalculer maintenant": "Recompute now", "Rechercher": "Search", "Relances actives": "Dunning active",
    "Relances envoyées avant paiement (moyenne)": "Reminders sent before payment (average)",
    "Relances envoyées avant paiement": "Reminders sent before payment",
    "Relances listant cette facture": "Reminders listing this invoice", "Relances suspendues": "Dunning paused",
    "Relances": "Reminders", "Reprendre les relances": "Resume dunning", "Reste dû": "Outstanding",
    "Retard moyen (ADD)": "Average days delinquent (ADD)", "Retard moyen (ADD, average days delinquent)":
    "Average days delinquent (ADD)", "Retard": "Days late", "Retirer ce membre ?": "Remove this member?",
    "Retirer": "Remove", "Retour aux indicateurs": "Back to the KPIs", "Revenir aux relances automatiques":
    "Back to automatic dunning", "Rien pour l'instant.": "Nothing yet.", "Rien à faire aujourd'hui. Bravo !":
    "Nothing to do today. Well done!", "Rien à valider.": "Nothing to approve.", "Règlements": "Settlements",
    "Règles de contact": "Contact rules", "Résoudre": "Resolve", "Résultat (facultatif)": "Outcome (optional)",
    "Résultat de l'appel": "Call outcome", "Révoquer les liens du portail": "Revoke the portal links",
    "Révoquer tous les liens du portail de ce client ?": "Revoke every portal link of this customer?",
    "Rôle de %(e)s": "Role of %(e)s", "Rôle": "Role", "Sans chargé de compte": "Without account manager",
    "Script d'appel": "Call script", "Seulement mes tâches et celles de l'équipe": "Only my tasks and the team's",
    "Soldes": "Balances", "Statut": "Status", "Suivante": "Next", "Suspendre les relances": "Pause dunning",
    "Sélection": "Selection", "Sélectionner %(s)s pour %(c)s": "Select %(s)s for %(c)s",
    "Tableau de bord": "Dashboard", "Taux de recouvrement": "Recovery rate",
    "Texte du modèle (Jinja2, bac à sable)": "Template text (Jinja2, sandboxed)",
    "Tous les indicateurs": "All KPIs", "Tous les modèles": "All templates", "Tous les plans": "All plans",
    "Tous": "All", "Tout voir et valider": "See all and approve",
    "Toutes les factures de ce client": "All this customer's invoices", "Trier par": "Sort by", "Type": "Kind",
    "Types de clients auxquels ce plan s'applique": "Customer kinds this plan applies to", "Unité": "Unit",
    "Utilisateur": "User", "Utilisateurs et rôles": "Users and roles", "Valeur": "Value",
    "Validation": "Approval", "Valider la sélection": "Approve the selection",
    "Variables disponibles": "Available variables", "Voir aussi": "See also",
    "Voir les tâches de tout le monde": "See everyone's tasks", "Voir tout l'historique": "See the whole timeline",
    "au": "to", "aucun client": "no customer", "aujourd'hui": "today", "avoir": "credit note",
    "en litige": "disputed", "en retard depuis le %(d)s": "late since %(d)s", "en échec": "bouncing",
    "indemnité": "indemnity", "indemnités forfaitaires": "fixed indemnities", "intérêts": "interest", "j": "d",
    "jours": "days", "le DSO si tous les clients payaient à l'échéance.":
    "the DSO if every customer paid on the due date.", "les jours de DSO dus aux retards.":
    "the days of DSO due to late payment.", "manuel": "manual", "meilleur possible": "best possible",
    "modèles de messages": "message templates", "par défaut": "default", "plans de relance": "dunning plans",
    "requise": "required", "sautée": "skipped", "suspendu": "paused", "taux légaux et BCE": "legal and ECB rates",
    "tous les types (plan par défaut)": "every kind (default plan)", "validation requise": "approval required",
    "Échu décroissant": "Overdue, highest first", "Échu": "Overdue", "Échues": "Overdue", "Échéance": "Due date",
    "Étape": "Step", "Étapes effectuées": "Steps carried out", "Étapes": "Steps",
    "Étapes, dans l'ordre": "Steps, in order", "État": "State", "Évolution du DSO": "DSO trend",
    "échéance": "due date", "émise le": "issued on", "—": "—",
    "Non échu": "Not due", "1 à 30 jours": "1–30 days", "31 à 60 jours": "31–60 days",
    "61 à 90 jours": "61–90 days", "Plus de 90 jours": "Over 90 days",
}
BUCKET_LABELS = {k: k for k in ("Non échu", "1 à 30 jours", "31 à 60 jours", "61 à 90 jours", "Plus de 90 jours")}
PLURALS = {"%(n)s tâche à faire": ("%(n)s task to do", "%(n)s tasks to do")}


def esc(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def fill(path: Path, extra: dict[str, str]) -> int:
    text = path.read_text(encoding="utf-8")
    text = text.replace("#, fuzzy\n", "", 1)
    text = "".join(line for line in text.splitlines(keepends=True) if not line.startswith("#~"))
    known = set(re.findall(r'^msgid "(.*)"$', text, re.M))
    text += "".join(f'\nmsgid "{esc(k)}"\nmsgstr ""\n' for k in extra if esc(k) not in known)
    count = 0

    def single(m: re.Match[str]) -> str:
        nonlocal count
        msgid = m.group(1).replace('\\"', '"')
        if msgid in EN and msgid:
            count += 1
            return f'msgid "{m.group(1)}"\nmsgstr "{esc(EN[msgid])}"\n'
        return m.group(0)

    text = re.sub(r'^msgid "(.+)"\nmsgstr ""\n', single, text, flags=re.M)
    for one, (en1, en2) in PLURALS.items():
        empty = rf'(msgid "{re.escape(one)}"\nmsgid_plural ".*"\n)msgstr\[0\] ""\nmsgstr\[1\] ""'
        text = re.sub(empty, rf'\1msgstr[0] "{en1}"\nmsgstr[1] "{en2}"', text)
    text = text.replace('"Plural-Forms: nplurals=INTEGER; plural=EXPRESSION;\\n"', '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"')
    text = text.replace('"Content-Type: text/plain; charset=CHARSET\\n"', '"Content-Type: text/plain; charset=UTF-8\\n"')
    path.write_text(text, encoding="utf-8")
    return count


if __name__ == "__main__":
    for i, catalogue in enumerate(CATALOGUES):
        print(catalogue, fill(catalogue, LAYOUT if i == 0 else BUCKET_LABELS))
