"""Fill the English catalogues of the web and analytics apps (French is the source language).

    uv run python src/relance/web/locale/translate_en.py   # after `relance makemessages -l en` in each app
Then `relance compilemessages`. Besides web and analytics, the banking, channels, dunning, imports and legal apps
have staff pages and their own catalogue; run makemessages there with `-i services.py -i selectors.py -i api.py
-i penalties.py -i letters.py -i litigation.py -i replies.py -i pdf.py -i models.py -i forms.py -i tests
-i migrations` (and `-i views.py` in dunning, `-i rates.py` in legal; in channels also `-i phone.py -i admin.py -i admin -i statement.html
-i litigation.html -i print_batch_cover.html -i message_templates -i builders.py -i statement.py -i context.py
-i rendering.py`: the documents sent to customers follow the customer's language, not the reader's): those
messages are in the project catalogue (locale/services_en.py). Strings of the shared layout (templates/base.html, registration/login.html)
are added to the web catalogue here, since makemessages only scans the app's own directory.
"""

from __future__ import annotations

import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
APPS = HERE.parents[1]
#: the web catalogue first (it also gets the layout's strings), then the other apps with staff pages
CATALOGUES = [HERE / "en/LC_MESSAGES/django.po",
              *(APPS / app / "locale/en/LC_MESSAGES/django.po" for app in ("analytics", "banking", "channels", "dunning",
                                                                             "imports", "legal"))]
LAYOUT = {
    "Aller au contenu": "Skip to content", "Navigation principale": "Main navigation",
    "Se déconnecter": "Log out", "Connexion": "Log in", "Connectez-vous avec votre adresse e-mail.":
    "Log in with your e-mail address.", "E-mail ou mot de passe incorrect.": "Wrong e-mail or password.",
    "Adresse e-mail": "E-mail address", "Mot de passe": "Password", "Se connecter": "Log in",
    "Trop de tentatives de connexion : réessayez dans une minute.": "Too many sign-in attempts: try again in a minute.",
    "Imports": "Imports", "Banque": "Bank", "Documents": "Documents", "Tableau de bord": "Dashboard",
    "Aujourd'hui": "Today", "Clients": "Customers", "Factures": "Invoices", "Actions": "Actions",
    "Indicateurs": "KPIs", "Paramètres": "Settings",
}
EN = {
    **LAYOUT,
    "Cette validation se décide par « Valider » ou « Annuler » (responsable).":
    "This approval is decided with “Approve” or “Cancel” (manager).",
    "En attente de la décision d'un responsable.": "Awaiting a manager's decision.",
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
    "Échéances d'échéanciers dans les 7 jours": "Payment plan instalments within 7 days",
    "Échéances non encore payées des échéanciers en cours": "Unpaid instalments of the plans in progress",
    "Échéance n°": "Instalment", "Reste à payer": "Left to pay",
    "À payer sur le compte indiqué par la facture": "To be paid to the account stated on the invoice",
}
EN.update({
    # customer risk
    "Risque": "Risk", "Élevé": "High", "Moyen": "Medium", "Faible": "Low", "Risque décroissant": "Risk, highest first",
    "faible": "low", "moyen": "medium", "élevé": "high", "Risque %(label)s": "%(label)s risk",
    "plus de la moitié de l'encours a plus de 60 jours de retard":
    "half or more of the outstanding is over 60 days late",
    "une partie de l'encours a plus de 60 jours de retard": "part of the outstanding is over 60 days late",
    "%(n)s promesse(s) non tenue(s) en 12 mois": "%(n)s broken promise(s) in 12 months",
    "un litige ouvert": "an open dispute", "une adresse e-mail en échec": "a bounced e-mail address",
    "calcul du risque": "how risk is computed", "Comment le risque est-il calculé ?": "How is the risk computed?",
    "Chaque client reçoit des points, recalculés à chaque affichage :":
    "Each customer gets points, recomputed on every display:",
    "retard de plus de 60 jours : 2 points si la moitié de l'encours ou plus a plus de 60 jours de retard, 1 point "
    "s'il y en a une partie ;": "over 60 days late: 2 points when half the outstanding or more is over 60 days "
    "late, 1 point when part of it is;",
    "promesses de paiement non tenues dont la date tombe dans les 12 derniers mois : 2 points à partir de deux, "
    "1 point pour une ;": "broken promises to pay dated in the last 12 months: 2 points from two on, 1 point for one;",
    "un litige ouvert : 1 point ;": "an open dispute: 1 point;",
    "une adresse e-mail en échec (message revenu) : 1 point.": "a bounced e-mail address: 1 point.",
    "Risque faible : aucun point. Moyen : 1 point. Élevé : 2 points ou plus. Filtrer ou trier par risque calcule "
    "le risque de tous les clients : quelques secondes sur un très grand portefeuille.":
    "Low risk: no point. Medium: 1 point. High: 2 points or more. Filtering or sorting by risk computes every "
    "customer's risk: a few seconds on a very large ledger.",
    # send a reminder now
    "Envoyer une relance maintenant": "Send a reminder now", "Voir l'aperçu": "See the preview",
    "Choisissez l'étape et le canal : l'aperçu du message, avec les factures qu'il relancera, apparaît ici avant "
    "tout envoi.": "Choose the step and the channel: the message preview, with the invoices it will remind, "
    "shows here before anything is sent.",
    "Le plan de relance de ce client ne comporte aucune étape de message.":
    "This customer's dunning plan has no message step.",
    "Les factures en litige, couvertes par une promesse de paiement ou non échues ne sont pas relancées.":
    "Disputed invoices, invoices covered by a promise to pay and invoices not yet due are not reminded.",
    "Cette étape demande une validation : cochez la case pour la valider et l'envoyer maintenant, sinon elle "
    "attendra la validation.": "This step needs approval: tick the box to approve it and send it now, "
    "otherwise it will wait for approval.",
    "Cette étape demande une validation : elle attendra qu'un responsable la valide.":
    "This step needs approval: it will wait for a manager to approve it.",
    "Je valide cette étape : l'envoyer maintenant": "I approve this step: send it now",
    "Confirmer l'envoi": "Confirm sending", "Retour à la fiche client": "Back to the customer",
    "Aperçu de la relance": "Reminder preview", "total": "total", "Objet": "Subject", "SMS": "SMS",
    "Courrier": "Letter",
    "%(step)s par %(channel)s : le PDF est produit, il est dans le lot d'impression du jour.":
    "%(step)s by %(channel)s: the PDF is made, it is in today's print batch.",
    "%(step)s envoyée par %(channel)s.": "%(step)s sent by %(channel)s.",
    "%(step)s par %(channel)s : elle attend la validation d'un responsable.":
    "%(step)s by %(channel)s: it waits for a manager's approval.",
    "%(step)s par %(channel)s en file d'attente : elle partira dès que possible.":
    "%(step)s by %(channel)s queued: it will go as soon as possible.",
    "%(step)s par %(channel)s : échec de l'envoi (%(error)s).": "%(step)s by %(channel)s: sending failed (%(error)s).",
    # payment plans (web/views/plans.py, customers/_payment_plan.html, customers/plan_new.html)
    "Échéancier de paiement": "Payment plan", "Échéancier": "Payment plan", "En cours": "Active",
    "Relances suspendues pour ses factures tant que les échéances sont respectées.":
    "Reminders paused for its invoices as long as the instalments are paid.",
    "Non respecté": "Broken", "le %(d)s (échéance n°%(n)s manquée) : la relance a repris.":
    "on %(d)s (instalment %(n)s missed): dunning resumed.", "Soldé": "Paid off", "le %(d)s.": "on %(d)s.",
    "Annulé": "Cancelled", "Mis en place par l'équipe": "Set up by the team", "Demandé sur le portail":
    "Requested on the portal", "le %(d)s": "on %(d)s", "payé depuis le début": "paid since the start",
    "Échéances de l'échéancier et leur état": "Instalments of the plan and their state", "N°": "No.",
    "Rappel": "Reminder", "payée le %(d)s": "paid on %(d)s", "à venir": "upcoming", "reste %(r)s": "%(r)s left",
    "en retard": "late", "manquée": "missed", "envoyé le %(d)s": "sent on %(d)s",
    "Annuler cet échéancier ? La relance reprendra pour ses factures impayées.":
    "Cancel this payment plan? Dunning will resume for its unpaid invoices.",
    "Annuler l'échéancier": "Cancel the payment plan", "Aucun échéancier.": "No payment plan.",
    "Demande d'échéancier en %(n)s mensualités reçue sur le portail":
    "Request for a payment plan in %(n)s monthly instalments received on the portal",
    "l'examiner": "review it", "Mettre en place un échéancier": "Set up a payment plan",
    "Ce client a déjà un échéancier en cours : annulez-le sur sa fiche avant d'en créer un autre.":
    "This customer already has an active payment plan: cancel it on its page before creating another one.",
    "Aucune facture ouverte à échelonner (les factures en litige ou déjà dans un échéancier sont exclues).":
    "No open invoice to spread (disputed invoices and invoices already in a plan are left out).",
    "1. Factures et rythme": "1. Invoices and rhythm", "Calculer les échéances": "Compute the instalments",
    "Mensualités égales au centime près ; la dernière absorbe l'arrondi. Vous pouvez ensuite modifier chaque date "
    "et chaque montant.": "Equal monthly instalments to the cent; the last one takes the rounding. You can then "
    "change each date and each amount.",
    "2. Échéances": "2. Instalments", "Date et montant de chaque échéance": "Date and amount of each instalment",
    "Montant (€)": "Amount (€)", "Date de l'échéance %(n)s": "Date of instalment %(n)s",
    "Montant de l'échéance %(n)s": "Amount of instalment %(n)s",
    "La somme des échéances doit être égale au reste dû des factures choisies. Chaque échéance fait l'objet d'un "
    "rappel par e-mail quelques jours avant sa date ; une échéance impayée après le délai de grâce met fin à "
    "l'échéancier et la relance reprend.": "The instalments must add up to what is left to pay on the chosen "
    "invoices. Each instalment is reminded by e-mail a few days before its date; an instalment unpaid after the "
    "grace period ends the plan and dunning resumes.",
    "Créer l'échéancier": "Create the payment plan",
    "Choisissez des factures puis calculez les échéances.": "Choose invoices, then compute the instalments.",
    "Factures de l'échéancier": "Invoices of the plan", "Nombre d'échéances": "Number of instalments",
    "Première échéance": "First instalment", "Note (facultative)": "Note (optional)",
    # messages of the views
    "Facture introuvable pour ce client.": "No such invoice for this customer.",
    "Appel non enregistré.": "Call not saved.", "Appel enregistré.": "Call saved.",
    "Promesse enregistrée : relances suspendues jusqu'à la date promise.":
    "Promise saved: reminders paused until the promised date.",
    "Promesse non enregistrée.": "Promise not saved.",
    "Promesse de paiement au %(d)s enregistrée.": "Promise to pay by %(d)s saved.",
    "Litige non enregistré.": "Dispute not saved.",
    "Litige ouvert sur la facture %(n)s : elle sort des relances.":
    "Dispute opened on invoice %(n)s: it leaves the reminders.",
    "Litige résolu sur la facture %(n)s.": "Dispute resolved on invoice %(n)s.",
    "Relances reprises.": "Reminders resumed.", "Relances suspendues.": "Reminders paused.",
    "Mode manuel activé.": "Manual mode on.", "Relances automatiques rétablies.": "Automatic reminders back on.",
    "Contact non enregistré.": "Contact not saved.", "Contact enregistré.": "Contact saved.",
    "Plan « %(name)s » enregistré.": "Plan “%(name)s” saved.",
    "Le nombre de jours doit être un entier (négatif avant l'échéance).":
    "The number of days must be a whole number (negative before the due date).",
    "Modèle enregistré.": "Template saved.", "Choisissez un client pour l'aperçu.": "Choose a customer for the preview.",
    "Choisissez « Valider » ou « Annuler ».": "Choose “Approve” or “Cancel”.",
    "Aucune action cochée.": "No action ticked.", "Paramètres enregistrés.": "Settings saved.",
    "Paramètres non enregistrés : corrigez les champs signalés.": "Settings not saved: correct the fields shown.",
    "Membre retiré.": "Member removed.", "Rôle modifié.": "Role changed.", "Membre non ajouté :": "Member not added:",
    "%(email)s ajouté.": "%(email)s added.", "« %(title)s » : fait.": "“%(title)s”: done.",
    "Action validée.": "Action approved.", "Action annulée.": "Action cancelled.",
    # gaps of earlier pages (wrapped strings)
    "DSO": "DSO",
    "Chiffres calculés à %(t)s (recalculés après chaque modification du grand livre, au plus tard toutes les 5 "
    "minutes).": "Figures computed at %(t)s (recomputed after each ledger change, at the latest every 5 minutes).",
    "Aucun type coché : le plan s'applique aux clients qui n'ont pas d'autre plan (s'il est le plan par défaut).":
    "No kind ticked: the plan applies to customers without another plan (if it is the default plan).",
})
EN.update({  # the definitions page of the KPIs (analytics/help.html)
    "Tous les indicateurs sont calculés à une date J sur une période de P jours (90 par défaut) : les factures "
    "émises entre J − P (exclu) et J (inclus). Les montants sont TTC. Le reste dû d'une facture à une date est son "
    "montant moins ce qui l'a réglée à cette date (paiements, avoirs, lettrage comptable). Les avoirs ne sont pas "
    "déduits du chiffre d'affaires : ils apparaissent comme règlements des factures qu'ils soldent. Les factures "
    "annulées sont ignorées.":
        "Every indicator is computed on a date D over a period of P days (90 by default): the invoices issued "
        "between D − P (excluded) and D (included). Amounts include VAT. What is still due on an invoice on a date "
        "is its amount less what had settled it by that date (payments, credit notes, matching in the accounts). "
        "Credit notes are not deducted from sales: they count as settlements of the invoices they clear. Cancelled "
        "invoices are ignored.",
    "Somme des restes dus à la date J. « Dont échu » : la part des factures dont l'échéance est passée "
    "(J > échéance).":
        "Sum of the amounts still due on date D. “Of which overdue”: the part of the invoices whose due date has "
        "passed (D > due date).",
    "On retranche de l'encours le CA du dernier mois, puis du mois précédent, etc., en comptant les jours de chaque "
    "mois épuisé ; le dernier mois compte au prorata (reste / CA du mois × jours du mois). Si l'historique "
    "(24 mois) ne suffit pas, le résultat est un minimum.":
        "The last month's sales are taken off the outstanding, then the previous month's, and so on, counting the "
        "days of each month used up; the last month counts pro rata (remainder / month's sales × days in the "
        "month). If the history (24 months) is not enough, the result is a minimum.",
    "Encours début : l'encours à J − P. 100 %% : tout ce qui pouvait être encaissé l'a été.":
        "Opening outstanding: the outstanding on D − P. 100 %%: everything that could be collected was.",
    "Pour les factures arrivées à échéance pendant la période : part de leur montant réglée à la date J.":
        "For the invoices that fell due during the period: the part of their amount settled by date D.",
    "L'encours réparti selon le retard à J (J − échéance) : non échu (0 jour ou moins), 1 à 30, 31 à 60, 61 à 90, "
    "plus de 90 jours. La somme des tranches égale l'encours.":
        "The outstanding split by days late on D (D − due date): not due (0 days or fewer), 1 to 30, 31 to 60, "
        "61 to 90, over 90 days. The buckets add up to the outstanding.",
    "Pour les factures entièrement réglées dans les 365 jours précédant J : moyenne des jours entre l'échéance et "
    "le jour du dernier règlement (négatif si payé en avance), au total et par client.":
        "For the invoices fully settled in the 365 days before D: the average number of days between the due date "
        "and the day of the last settlement (negative if paid early), overall and per customer.",
    "Pour ces mêmes factures : nombre moyen de messages (e-mail, SMS, courrier, recommandé) envoyés jusqu'au jour "
    "du paiement. Les appels et tâches ne comptent pas.":
        "For the same invoices: the average number of messages (e-mail, SMS, letter, registered letter) sent up to "
        "the day of payment. Calls and tasks do not count.",
    "Pour chaque étape de relance : parmi les factures qui l'ont reçue au moins 7 jours avant J, la part "
    "entièrement payée dans les 7 jours calendaires suivants (jour de l'étape inclus).":
        "For each dunning step: among the invoices that received it at least 7 days before D, the part fully paid "
        "within the next 7 calendar days (the day of the step included).",
    "Jours entre l'échéance et le paiement, factures payées sur 12 mois (les 50 plus lents)":
        "Days between the due date and the payment, invoices paid over 12 months (the 50 slowest)",
})
EN.update({  # the Today list's groups
    "Appels à passer": "Calls to make", "Courriers et recommandés à imprimer": "Letters and registered letters to print",
    "Validations en attente": "Approvals waiting", "Réponses à lire": "Replies to read",
    "Litiges à traiter": "Disputes to handle", "Promesses à échéance": "Promises due",
    "Coordonnées à corriger": "Contact details to correct", "Paiements à vérifier": "Payments to check",
    "Échéanciers à valider": "Payment plans to approve", "Contentieux": "Litigation", "Autres tâches": "Other tasks",
})
EN.update({  # disputed invoices apart (dashboard, customers, invoice page, Today)
    "Toutes": "All", "hors factures en litige": "disputed invoices excluded", "Dont en litige": "Of which disputed",
    "sorti des relances jusqu'à la résolution": "out of the reminders until resolved",
    "+ %(a)s en litige": "+ %(a)s disputed", "voir les factures": "see the invoices",
    "En litige depuis le %(d)s": "Disputed since %(d)s", "Télécharger la facture (PDF)": "Download the invoice (PDF)",
    "Aucun PDF de cette facture n'a été importé.": "No PDF of this invoice was imported.",
    "Noter un appel au sujet de cette facture": "Log a call about this invoice",
    "Envoyer une relance au client": "Send a reminder to the customer",
    "Résolution (facultatif)": "Resolution (optional)", "Lever le litige": "Resolve the dispute",
    "Contester / marquer en litige": "Contest / mark as disputed",
    "La facture sort des relances jusqu'à la levée du litige.":
        "The invoice leaves the reminders until the dispute is resolved.",
    "Marquer en litige": "Mark as disputed", "Litiges non résolus, le plus ancien d'abord":
    "Unresolved disputes, oldest first", "Ouvert le": "Opened on",
    "Au sujet de la facture %(n)s : ": "About invoice %(n)s: ",
    "Seule une facture ouverte peut être mise en litige.": "Only an open invoice can be disputed.",
})
EN.update({  # the banking, approvals, imports and rates pages (their apps' own catalogues)
    # banking
    "Encaissements": "Collections", "Encaissements par facture": "Collections by invoice",
    "Les paiements reçus sur la période, facture par facture, pour déclarer le statut « Encaissée » sur votre "
    "plateforme de facturation électronique.":
        "The payments received in the period, invoice by invoice, to report the “Collected” status on your "
        "e-invoicing platform.",
    "Afficher": "Show", "Date de facture": "Invoice date", "Encaissé sur la période": "Collected in the period",
    "Soldée": "Settled", "oui": "yes", "non": "no", "Aucun encaissement sur la période.": "No collection in the period.",
    "Total": "Total", "Paiements à rapprocher": "Payments to match", "Importer un relevé": "Import a statement",
    "Rapport des encaissements": "Collections report", "Derniers relevés importés": "Latest statements imported",
    "Fichier": "File", "Compte": "Account", "Arrêté au": "Closing date", "Paiements": "Payments", "Payeur": "Payer",
    "Libellé": "Label", "Voir ses factures": "See their invoices", "Factures ouvertes du client":
    "The customer's open invoices", "Affecter le paiement": "Allocate the payment",
    "Ce client n'a aucune facture ouverte.": "This customer has no open invoice.",
    "Aucun client reconnu : saisissez son code.": "No customer recognised: enter their code.",
    "Aucun paiement à rapprocher.": "No payment to match.", "Importer un relevé bancaire": "Import a bank statement",
    "camt.053, camt.054, OFX ou CSV de votre banque (%(max_mb)s Mo au plus par fichier). Les virements reçus "
    "deviennent des paiements et sont rapprochés des factures ; rien n'est enregistré si un fichier contient une "
    "erreur.":
        "camt.053, camt.054, OFX or CSV from your bank (%(max_mb)s MB at most per file). The transfers received "
        "become payments and are matched with the invoices; nothing is saved if a file has an error.",
    "Simulation : rien n'a été enregistré": "Dry run: nothing was saved", "Import terminé": "Import done",
    "%(c)s paiement(s) créé(s), %(u)s déjà connu(s), %(r)s contre-passation(s) appliquée(s).":
        "%(c)s payment(s) created, %(u)s already known, %(r)s reversal(s) applied.",
    "Voir les paiements à rapprocher": "See the payments to match",
    "Fichier refusé, rien n'a été enregistré": "File refused, nothing was saved", "Ligne": "Line", "Champ": "Field",
    "Problème": "Problem", "Relevés": "Statements", "détection automatique": "automatic detection",
    "Simulation (ne rien enregistrer)": "Dry run (save nothing)", "Importer": "Import",
    "Votre rôle permet de consulter, pas d'importer.": "Your role can view, not import.",
    "Client inconnu : %(ref)s": "Unknown customer: %(ref)s",
    "Paiement de %(amount)s %(currency)s affecté à %(numbers)s.": "Payment of %(amount)s %(currency)s allocated to "
    "%(numbers)s.",
    "Format": "Format", "Source": "Source", "Date d'effet": "Effective date",
    # dunning approvals
    "Relances à valider": "Reminders awaiting approval",
    "Mises en demeure et passages au contentieux attendent votre validation. Validées, elles partent le jour même ; "
    "si tout a été payé entre-temps, elles sont annulées.":
        "Formal notices and referrals to litigation await your approval. Once approved they go out the same day; "
        "if everything has been paid in the meantime, they are cancelled.",
    "Montant dû": "Amount due", "Aucune relance n'attend de validation.": "No reminder awaits approval.",
    # imports
    "Importer des factures": "Import invoices",
    "Le fichier est d'abord contrôlé : rien n'est enregistré avant votre confirmation, et un fichier comportant la "
    "moindre erreur n'est pas importé du tout.":
        "The file is checked first: nothing is saved before you confirm, and a file with the slightest error is "
        "not imported at all.",
    "Formats acceptés": "Accepted formats",
    "<strong>Factures</strong> : FEC (fichier des écritures comptables), Factur-X (PDF), UBL 2.1 et CII (XML), CSV "
    "ou Excel (.xlsx) au format canonique.":
        "<strong>Invoices</strong>: FEC (French accounting entries file), Factur-X (PDF), UBL 2.1 and CII (XML), CSV "
        "or Excel (.xlsx) in the canonical format.",
    "Télécharger le modèle CSV de factures": "Download the invoice CSV template",
    "(colonnes attendues et trois lignes d'exemple ; séparateur « ; », dates JJ/MM/AAAA, virgule décimale).":
        "(expected columns and three sample rows; separator “;”, dates DD/MM/YYYY, decimal comma).",
    "<strong>Relevés bancaires</strong> : CAMT.053, CAMT.054, OFX, CSV de votre banque.":
        "<strong>Bank statements</strong>: CAMT.053, CAMT.054, OFX, CSV from your bank.",
    "Télécharger un exemple de relevé CSV": "Download a sample CSV statement", "Colonne": "Column",
    "Corrigez le fichier puis déposez-le à nouveau.": "Correct the file, then upload it again.",
    "Contrôle de %(name)s : aucun problème": "Check of %(name)s: no problem",
    "%(n)s facture(s) à créer": "%(n)s invoice(s) to create", "%(n)s facture(s) à mettre à jour":
    "%(n)s invoice(s) to update", "%(n)s facture(s) inchangée(s)": "%(n)s invoice(s) unchanged",
    "Import en cours…": "Importing…", "Confirmer l'import": "Confirm the import",
    "Import en cours… Un grand fichier peut prendre plusieurs minutes : gardez cette page ouverte.":
        "Importing… A large file can take several minutes: keep this page open.",
    "Contrôle en cours…": "Checking…", "Contrôler le fichier": "Check the file",
    "Contrôle en cours… Un grand fichier peut prendre plusieurs minutes : gardez cette page ouverte.":
        "Checking… A large file can take several minutes: keep this page open.",
    "Historique des imports": "Import history", "Fichiers": "Files", "Par": "By", "Résultat": "Outcome",
    "%(c)s paiement(s) créé(s) dont %(m)s rapproché(s), %(u)s déjà connu(s)":
        "%(c)s payment(s) created, %(m)s of them matched, %(u)s already known",
    "%(r)s contre-passation(s)": "%(r)s reversal(s)",
    "%(c)s créée(s), %(r)s mise(s) à jour, %(u)s inchangée(s)": "%(c)s created, %(r)s updated, %(u)s unchanged",
    "Aucun import pour l'instant.": "No import yet.", "Pages de l’historique": "History pages",
    "Plus récents": "Newer", "Plus anciens": "Older",
    "Ce contrôle a expiré : déposez le fichier à nouveau.": "This check has expired: upload the file again.",
    "Import de %(name)s terminé : %(created)s facture(s) créée(s), %(updated)s mise(s) à jour, %(unchanged)s "
    "inchangée(s).":
        "Import of %(name)s done: %(created)s invoice(s) created, %(updated)s updated, %(unchanged)s unchanged.",
    # legal: the rates page and the penalties panel
    "Pénalités de retard": "Late-payment penalties", "Paramètres › Taux": "Settings › Rates",
    "Jours de retard": "Days late", "Intérêts courus": "Interest accrued", "Indemnité": "Indemnity",
    "Total au": "Total on",
    "Intérêts simples sur le montant TTC restant dû, jours réels / 365, au taux légal applicable ; indemnité "
    "forfaitaire de 40 € par facture payée en retard (professionnels et acheteurs publics seulement).":
        "Simple interest on the amount still due incl. tax, actual days / 365, at the applicable legal rate; a flat "
        "40 € indemnity per invoice paid late (businesses and public buyers only).",
    "Aucune facture en retard : pas de pénalités.": "No late invoice: no penalties.", "Taux": "Rates",
    "Taux d'intérêt de retard": "Late-payment interest rates",
    "Ces tables servent au calcul des pénalités de retard (intérêts et indemnité forfaitaire de 40 €). Un semestre "
    "sans taux est inconnu : Relance refuse alors de calculer plutôt que de deviner. Les tables sont communes à "
    "toutes les organisations de cette installation.":
        "These tables serve to compute late-payment penalties (interest and the flat 40 € indemnity). A half-year "
        "without a rate is unknown: Relance then refuses to compute rather than guess. The tables are shared by "
        "every organisation of this installation.",
    "Vous êtes administrateur de l'installation : vos modifications s'appliquent à toutes les organisations.":
        "You are an administrator of the installation: your changes apply to every organisation.",
    "Seuls les administrateurs de l'installation peuvent modifier ces tables ; les membres des organisations les "
    "consultent.": "Only the installation's administrators can change these tables; the organisations' members "
    "view them.",
    "Taux par semestre (%%)": "Rates by half-year (%%)", "Semestre": "Half-year", "BCE au 1er jour":
    "ECB on the 1st day", "Professionnels (BCE + 10)": "Businesses (ECB + 10)",
    "Acheteurs publics (BCE + 8)": "Public buyers (ECB + 8)", "Taux légal, autres cas": "Legal rate, other cases",
    "Plancher contractuel (3 × légal)": "Contractual floor (3 × legal)",
    "Taux légal, créancier particulier": "Legal rate, private-individual creditor", "Modifier": "Edit",
    "Aucun taux enregistré.": "No rate recorded.",
    "Décisions de la BCE (taux de refinancement, par date d'effet)":
        "ECB decisions (refinancing rate, by effective date)", "Taux (%%)": "Rate (%%)",
    "Ajouter une décision BCE": "Add an ECB decision",
    "Le taux BCE des semestres dont elle est en vigueur au premier jour est mis à jour.":
        "The ECB rate of the half-years where it is in force on the first day is updated.",
    "Enregistrer la décision": "Save the decision", "Ajouter un semestre": "Add a half-year",
    "Enregistrer le semestre": "Save the half-year",
})
EN.update({  # the formulas of the KPI definitions page
    "DSO = encours / CA facturé sur la période × P": "DSO = receivables / sales invoiced in the period × P",
    "BPDSO = encours non échu / CA de la période × P": "BPDSO = receivables not due / sales of the period × P",
    "CEI = (encours début + CA de la période − encours fin) / (encours début + CA de la période − encours non échu "
    "fin) × 100": "CEI = (opening receivables + sales of the period − closing receivables) / (opening receivables "
    "+ sales of the period − closing receivables not due) × 100",
})
EN.update({  # the documents page and the court choice (channels)
    "Juridiction": "Court", "Injonction de payer": "Order for payment", "Adresse :": "Address:",
    "code postal manquant": "postcode missing", "(département %(d)s)": "(département %(d)s)",
    "Formulaire : Cerfa n° %(n)s.": "Form: Cerfa no. %(n)s.", "Juridiction :": "Court:",
    "Juridiction du ressort de la commune du débiteur (vérifiée sur l'<a href=\"https://www.justice.fr/recherche/"
    "annuaire\" rel=\"noopener noreferrer\" target=\"_blank\">annuaire des juridictions</a>)":
        "Court with jurisdiction over the debtor's town (checked in the <a href=\"https://www.justice.fr/recherche/"
        "annuaire\" rel=\"noopener noreferrer\" target=\"_blank\">court directory</a>)",
    "Enregistrer pour ce client": "Save for this customer",
    "Télécharger le dossier contentieux": "Download the litigation file", "Courriers": "Letters",
    "Lots d'impression": "Print batches", "Lot du %(d)s": "Batch of %(d)s",
    "Aucun courrier produit pour l'instant.": "No letter produced yet.",
    "Lettres recommandées": "Registered letters", "N° de suivi": "Tracking no.",
    "Accusé de réception": "Proof of delivery", "Numéro de suivi": "Tracking number",
    "Accusé de réception signé le": "Proof of delivery signed on",
    "Aucune lettre recommandée.": "No registered letter.",
    "Date ou numéro de suivi invalide.": "Invalid date or tracking number.",
    "Recommandé de %(customer)s mis à jour.": "Registered letter of %(customer)s updated.",
    "Juridiction enregistrée pour %(customer)s : %(court)s.": "Court saved for %(customer)s: %(court)s.",
})
EN.update({  # the rates editor's confirmations (legal/views.py)
    "aucun semestre": "no half-year", "Décision BCE du %(day)s enregistrée (%(halves)s).":
    "ECB decision of %(day)s saved (%(halves)s).", "Décision BCE modifiée.": "ECB decision changed.",
    "Décision BCE du %(day)s": "ECB decision of %(day)s", "Taux du %(half)s enregistrés.": "Rates of %(half)s saved.",
    "Taux du %(half)s modifiés.": "Rates of %(half)s changed.", "Taux du %(half)s": "Rates of %(half)s",
})
BUCKET_LABELS = {k: k for k in ("Non échu", "1 à 30 jours", "31 à 60 jours", "61 à 90 jours", "Plus de 90 jours")}
PLURALS = {
    "%(n)s tâche à faire": ("%(n)s task to do", "%(n)s tasks to do"),
    "%(step)s par %(channel)s : %(n)s facture relancée": ("%(step)s by %(channel)s: %(n)s invoice reminded",
                                                          "%(step)s by %(channel)s: %(n)s invoices reminded"),
    "(délai de grâce de %(g)s jour)": ("(grace period of %(g)s day)", "(grace period of %(g)s days)"),
    "%(n)s lien du portail révoqué.": ("%(n)s portal link revoked.", "%(n)s portal links revoked."),
    "%(n)s action validée.": ("%(n)s action approved.", "%(n)s actions approved."),
    "%(n)s action annulée.": ("%(n)s action cancelled.", "%(n)s actions cancelled."),
    "%(n)s adresse e-mail en échec (messages revenus) : corrigez les contacts concernés.": (
        "%(n)s e-mail address bouncing (messages returned): correct the contacts concerned.",
        "%(n)s e-mail addresses bouncing (messages returned): correct the contacts concerned."),
    "%(n)s courrier": ("%(n)s letter", "%(n)s letters"),
    "Litiges ouverts depuis plus de %(n)s jour": ("Disputes open for more than %(n)s day",
                                                  "Disputes open for more than %(n)s days"),
    "%(n)s problème : rien n'a été importé": ("%(n)s problem: nothing was imported",
                                               "%(n)s problems: nothing was imported"),
    "%(n)s délai au-delà du maximum légal": ("%(n)s payment term beyond the legal maximum",
                                             "%(n)s payment terms beyond the legal maximum"),
    "Refusé : %(n)s problème": ("Refused: %(n)s problem", "Refused: %(n)s problems"),
    "%(n)s facture a un délai de paiement au-delà du maximum légal entre professionnels (60 jours, ou 45 jours fin "
    "de mois) : %(numbers)s. Elle est importée et signalée sur la facture.": (
        "%(n)s invoice has payment terms beyond the legal maximum between businesses (60 days, or 45 days end of "
        "month): %(numbers)s. It is imported and flagged on the invoice.",
        "%(n)s invoices have payment terms beyond the legal maximum between businesses (60 days, or 45 days end "
        "of month): %(numbers)s. They are imported and flagged on each invoice."),
}


def esc(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


STRING = r'"(?:[^"\\]|\\.)*"\n'
ENTRY = re.compile(rf'^((?:#[^\n]*\n)*)msgid ((?:{STRING})+)(msgid_plural (?:{STRING})+)?((?:msgstr(?:\[\d\])? (?:{STRING})+)+)',
                   re.M)


def unquote(lines: str) -> str:
    """The text of a (possibly wrapped) catalogue string, as written in the source."""
    return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', lines)).replace('\\"', '"').replace("\\n", "\n")


def _entry(m: re.Match[str]) -> str:
    comments, msgid_lines, plural, msgstr = m.groups()
    msgid = unquote(msgid_lines)
    fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in comments.splitlines())
    done = any(unquote(line) for line in re.findall(rf'(?:{STRING})+', msgstr))
    if not msgid or (done and not fuzzy):
        return m.group(0)
    if plural and msgid in PLURALS:
        one, many = PLURALS[msgid]
        msgstr = f'msgstr[0] "{esc(one)}"\nmsgstr[1] "{esc(many)}"\n'
    elif not plural and msgid in EN:
        msgstr = f'msgstr "{esc(EN[msgid])}"\n'
    else:
        return m.group(0)
    kept = [line for line in comments.splitlines(keepends=True) if not line.startswith("#|")]
    kept = [line.replace(", fuzzy", "").replace("#, fuzzy\n", "") for line in kept]
    kept = [line for line in kept if line.strip() not in ("#,", "")]
    return "".join(kept) + f"msgid {msgid_lines}{plural or ''}{msgstr}"


def fill(path: Path, extra: dict[str, str]) -> int:
    """Write the English of every entry that has none (or only a fuzzy guess) and is in EN or PLURALS."""
    text = path.read_text(encoding="utf-8")
    text = re.sub(r'\A((?:#[^\n]*\n)*?)#, fuzzy\n(msgid ""\n)', r"\1\2", text)  # the header only
    text = "".join(line for line in text.splitlines(keepends=True) if not line.startswith("#~"))
    known = {unquote(m.group(2)) for m in ENTRY.finditer(text)}
    text += "".join(f'\nmsgid "{esc(k)}"\nmsgstr ""\n' for k in extra if k not in known)
    before = text
    text = ENTRY.sub(_entry, text)
    text = text.replace('"Plural-Forms: nplurals=INTEGER; plural=EXPRESSION;\\n"', '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"')
    text = text.replace('"Content-Type: text/plain; charset=CHARSET\\n"', '"Content-Type: text/plain; charset=UTF-8\\n"')
    path.write_text(text, encoding="utf-8")
    return sum(1 for a, b in zip(before.split("\nmsgid "), text.split("\nmsgid "), strict=False) if a != b)


def missing(path: Path) -> list[str]:
    """The msgids still without English (to add to EN or PLURALS)."""
    out = []
    for m in ENTRY.finditer(path.read_text(encoding="utf-8")):
        comments, msgid_lines, _plural, msgstr = m.groups()
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in comments.splitlines())
        if unquote(msgid_lines) and (fuzzy or not any(unquote(x) for x in re.findall(rf"(?:{STRING})+", msgstr))):
            out.append(unquote(msgid_lines))
    return out


if __name__ == "__main__":
    import sys

    for i, catalogue in enumerate(CATALOGUES):
        if len(sys.argv) > 1 and sys.argv[1] not in str(catalogue):
            continue  # e.g. `translate_en.py web` fills the web catalogue only
        extra = LAYOUT if i == 0 else BUCKET_LABELS if "analytics" in str(catalogue) else {}
        print(catalogue, fill(catalogue, extra))
        for msgid in missing(catalogue):
            print("  no English yet:", msgid)
