"""Languages: the supported locales, the message catalogues (.po files kept in the repo, read at start-up),
translatable messages stored for later (notifications), and per-locale numbers, money and times (Babel)."""
