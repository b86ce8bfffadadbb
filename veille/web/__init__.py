"""The web app: item pages, editions and their PDF, unsubscription (`app.create_app`)."""
