"""The kinds of organisations and the roles of users. Light on purpose: `veille --help` imports it."""

ORGANISATION_KINDS = {
    "commune": "commune", "epci": "EPCI", "departement": "département", "region": "région",
    "etablissement-public": "établissement public", "autre": "autre",
}
READER, EDITOR, ADMIN = "lecteur", "editeur", "admin"
ROLES = (READER, EDITOR, ADMIN)
