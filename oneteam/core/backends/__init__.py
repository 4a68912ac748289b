"""Database backends: Django's, with what OneTeam's server adds."""
