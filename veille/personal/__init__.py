"""What belongs to one reader: alerts (saved searches), « Ma sélection » (saved items with a
note), the private feed of their rubriques, and the export and deletion of it all (RGPD)."""
